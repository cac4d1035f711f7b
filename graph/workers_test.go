package graph

import (
	"sync"
	"testing"
	"time"
)

// TestWorkersRunConcurrently: functions given to the workers while others run are not queued
// behind them (two functions that wait for each other both finish), and an idle worker takes
// the next function.
func TestWorkersRunConcurrently(t *testing.T) {
	w := workers{tasks: make(chan func())}
	for range 3 { // the later rounds find the first round's workers idle
		a, b := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(2)
		w.Go(func() { defer wg.Done(); close(a); <-b })
		w.Go(func() { defer wg.Done(); close(b); <-a })
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the second function waited for the first")
		}
	}
}
