//go:build linux

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkColdStart measures what a cold start costs, under the emulator, one execution
// environment per iteration:
//
//   - init-ms: the function's init, from the start of its process to a handler ready to serve:
//     the Go runtime and the packages' initialization (GODEBUG=inittrace=1's "init main @N ms")
//     plus main's own work (the "ready" log line's init_ms: configuration, the SSM read, the
//     store's client, the schema, the handler). Lambda's Init Duration adds the exec and the
//     first call to the Runtime API, a few ms. The "Init Duration" of the emulator's REPORT
//     line is not usable (it is the time to start the process, well under a millisecond);
//   - rie-init-ms: the emulator's INIT REPORT (its log at LOG_LEVEL=info): from the start of the
//     init phase to the bootstrap's first call for an event, exec and process start included;
//     the closest to what Lambda reports as Init Duration;
//   - first-ms: the first invoke as a client of the emulator sees it: starting the process,
//     init, and the first request (a public query that reads the store);
//   - warm-ms: the same request again, in the now warm environment;
//   - bootstrap-MB: the size of the release build (linux/arm64, the Makefile's flags), what
//     Lambda loads;
//   - minimal-rie-init-ms, minimal-first-ms: the same as rie-init-ms and first-ms for the peer,
//     the smallest Go function (testdata/minimal: aws-lambda-go answering 200, 9 MB), started
//     right after Pause in each iteration: the floor that this machine and the emulator set;
//   - over-minimal-ms: the median of each iteration's rie-init-ms less the peer's, what Pause's
//     own init costs above that floor.
//
// Run it beside DynamoDB Local, as docs/PERFORMANCE.md says:
//
//	tools/dynamodb-local/with-dynamodb.sh go test -run '^$' -bench ColdStart -benchtime 20x ./lambda/
func BenchmarkColdStart(b *testing.B) {
	bootstrap := hostBootstrap(b)
	store := testStore(b)
	release := filepath.Join(buildDir, "linux-arm64", "bootstrap")
	if err := buildBootstrap(release, ".", "linux", "arm64"); err != nil {
		b.Fatal(err)
	}
	minimal := filepath.Join(buildDir, "minimal", "bootstrap")
	if err := buildBootstrap(minimal, "./testdata/minimal", runtime.GOOS, runtime.GOARCH); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(release)
	if err != nil {
		b.Fatal(err)
	}
	query := request{method: "POST", path: "/graphql", version: "v2",
		header: map[string]string{"Content-Type": "application/json"},
		body:   `{"query":"{ articles(first: 3) { nodes { title } } tools(first: 0) { totalCount } }"}`}
	var inits, rieInits, firsts, warms, peerInits, peerFirsts, over []float64
	// cold starts the function in a new emulator, with LOG_LEVEL=info for the emulator's INIT
	// REPORT, and sends it the query: its first invoke.
	cold := func(bootstrap string, env map[string]string) (*emulator, float64) {
		env["LOG_LEVEL"] = "info"
		fn := startEmulator(b, bootstrap, env)
		b.StartTimer()
		start := time.Now()
		res := fn.do(b, query)
		first := time.Since(start)
		b.StopTimer()
		if res.status != 200 {
			b.Fatalf("%s: status %d: %s", bootstrap, res.status, res.body)
		}
		return fn, ms(first)
	}
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		// Pause with the init trace, for init-ms; the trace's own writing slows it down a
		// little, so the other figures come from a second cold start without it.
		ssm := newFakeSSM(b, e2eSecretParam, e2eSecret)
		fn, _ := cold(bootstrap, traceInit(functionEnv(store, ssm, "")))
		inits = append(inits, readyInit(b, fn))
		fn.stop()

		fn, first := cold(bootstrap, functionEnv(store, ssm, ""))
		start := time.Now()
		fn.do(b, query)
		warms = append(warms, ms(time.Since(start)))
		firsts = append(firsts, first)
		rieInits = append(rieInits, rieInit(b, fn))
		fn.stop()

		peer, first := cold(minimal, awsEnv())
		peerFirsts = append(peerFirsts, first)
		peerInits = append(peerInits, rieInit(b, peer))
		over = append(over, rieInits[len(rieInits)-1]-peerInits[len(peerInits)-1])
		peer.stop()
	}
	b.StopTimer()
	b.ReportMetric(median(inits), "init-ms")
	b.ReportMetric(median(rieInits), "rie-init-ms")
	b.ReportMetric(median(firsts), "first-ms")
	b.ReportMetric(median(warms), "warm-ms")
	b.ReportMetric(float64(info.Size())/1e6, "bootstrap-MB")
	b.ReportMetric(median(peerInits), "minimal-rie-init-ms")
	b.ReportMetric(median(peerFirsts), "minimal-first-ms")
	b.ReportMetric(median(over), "over-minimal-ms")
	b.ReportMetric(0, "ns/op") // the first-ms metric says it better
}

// TestColdStart checks that a cold start reports what BenchmarkColdStart measures: the
// runtime's init trace and the ready line with main's own init time, and logs the figures.
// It asserts no duration: speed is measured by the benchmark (docs/PERFORMANCE.md), never by
// a timed test on a shared machine.
func TestColdStart(t *testing.T) {
	bootstrap := hostBootstrap(t)
	store := testStore(t)
	ssm := newFakeSSM(t, e2eSecretParam, e2eSecret)
	fn := startEmulator(t, bootstrap, traceInit(functionEnv(store, ssm, "")))
	start := time.Now()
	res := fn.do(t, request{method: "GET", path: "/healthz", version: "v2"})
	first := time.Since(start)
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	init := readyInit(t, fn)
	t.Logf("init %.1f ms, first response %.1f ms", init, ms(first))
	if init <= 0 {
		t.Errorf("init %.3f ms: the trace or the ready line is wrong", init)
	}
}

// traceInit makes the Go runtime log the initialization of each package, with the time since
// the process started.
func traceInit(env map[string]string) map[string]string {
	env["GODEBUG"] = "inittrace=1"
	return env
}

var (
	mainInitRE = regexp.MustCompile(`init main @([0-9.]+) ms`)
	readyRE    = regexp.MustCompile(`"msg":"ready","init_ms":([0-9.]+)`)
)

// readyInit returns the function's init duration: when the main package was initialized, after
// the runtime and every other package, plus main's own work until the ready line.
func readyInit(t testing.TB, fn *emulator) float64 {
	t.Helper()
	// The emulator relays the function's output on its own time: the ready line can reach
	// fn.out just after the response does.
	out := fn.out.String()
	for deadline := time.Now().Add(5 * time.Second); !readyRE.MatchString(out) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		out = fn.out.String()
	}
	var total float64
	for _, re := range []*regexp.Regexp{mainInitRE, readyRE} {
		m := re.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %s in the output:\n%s", re, out)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		total += v
	}
	return total
}

var rieInitRE = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// rieInit returns the init phase's duration as the emulator reports it.
func rieInit(t testing.TB, fn *emulator) float64 {
	t.Helper()
	m := rieInitRE.FindStringSubmatch(fn.out.String())
	if m == nil {
		t.Fatalf("no INIT REPORT in the emulator's output:\n%s", fn.out.String())
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkAuthColdStart measures the sign-in function's cold start as BenchmarkColdStart
// measures the API's (init-ms, rie-init-ms, first-ms, warm-ms, bootstrap-MB), with a request
// that reads no store (POST /auth/token without a session: 401), so that it measures the
// function and not DynamoDB Local. One cold start per iteration, with the init trace on (which
// slows it a little: BenchmarkColdStart takes its other figures from a second start without
// it). Run it as BenchmarkColdStart:
//
//	tools/dynamodb-local/with-dynamodb.sh go test -run '^$' -bench AuthColdStart -benchtime 20x ./lambda/
func BenchmarkAuthColdStart(b *testing.B) {
	bootstrap := hostAuthBootstrap(b)
	store := testStore(b)
	release := filepath.Join(buildDir, "linux-arm64-auth", "bootstrap")
	if err := buildTagged(authTags, release, ".", "linux", "arm64"); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(release)
	if err != nil {
		b.Fatal(err)
	}
	token := request{method: "POST", path: "/auth/token", version: "v2",
		header: map[string]string{"Origin": "https://api.example.com", "X-Pause-Studio": "1"}}
	var inits, rieInits, firsts, warms []float64
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		ssm := newFakeSSM(b, e2eSecretParam, e2eSecret)
		env := traceInit(functionEnv(store, ssm, ""))
		env["LOG_LEVEL"] = "info"
		fn := startEmulator(b, bootstrap, env)
		b.StartTimer()
		start := time.Now()
		res := fn.do(b, token)
		first := time.Since(start)
		b.StopTimer()
		if res.status != 401 {
			b.Fatalf("status %d, want 401: %s", res.status, res.body)
		}
		start = time.Now()
		fn.do(b, token)
		warms = append(warms, ms(time.Since(start)))
		firsts = append(firsts, ms(first))
		inits = append(inits, readyInit(b, fn))
		rieInits = append(rieInits, rieInit(b, fn))
		fn.stop()
	}
	b.ReportMetric(median(inits), "init-ms")
	b.ReportMetric(median(rieInits), "rie-init-ms")
	b.ReportMetric(median(firsts), "first-ms")
	b.ReportMetric(median(warms), "warm-ms")
	b.ReportMetric(float64(info.Size())/1e6, "bootstrap-MB")
	b.ReportMetric(0, "ns/op")
}
