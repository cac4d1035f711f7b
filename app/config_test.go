package app

import (
	"math"
	"runtime/debug"
	"testing"

	"pause/app/core"
)

// TuneGC sets the collector's target and, in Lambda, a memory limit, unless the environment
// set them.
func TestTuneGC(t *testing.T) {
	gc, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) })

	FromEnv(env(map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"})).TuneGC()
	if got := debug.SetGCPercent(100); got != core.GCPercent {
		t.Errorf("GC percent %d, want %d", got, core.GCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != 256<<20/10*8 {
		t.Errorf("memory limit %d, want 80%% of 256 MiB", got)
	}

	FromEnv(env(map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"})).TuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, GC percent %d, want it left at 100", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set, memory limit %d, want none", got)
	}

	FromEnv(env(nil)).TuneGC() // pause serve: no memory limit
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("outside Lambda, memory limit %d, want none", got)
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
