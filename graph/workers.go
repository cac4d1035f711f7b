package graph

import "time"

// workers run functions on goroutines that outlive them: an idle worker takes the next
// function, and a new worker starts only when none is idle. A new goroutine starts with a small
// stack and grows it by copying as a resolver's calls (the store, JSON decoding, reflection)
// deepen it; a worker keeps the stack it grew. On the seed page the copying was about a tenth
// of the CPU. A worker idle for workerIdle stops.
type workers struct {
	tasks chan func()
}

// workerIdle is how long a worker waits for work before it stops.
const workerIdle = 10 * time.Second

// pool are the workers of root fields and counts (fastread.go, lists.go).
var pool = workers{tasks: make(chan func())}

// Go runs f on an idle worker, or on a new one.
func (w workers) Go(f func()) {
	select {
	case w.tasks <- f:
	default:
		go w.work(f)
	}
}

func (w workers) work(f func()) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		f()
		idle.Reset(workerIdle)
		select {
		case f = <-w.tasks:
		case <-idle.C:
			return
		}
	}
}
