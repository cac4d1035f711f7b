//go:build linux

package main

import (
	"bufio"
	"regexp"
	"strings"
	"testing"
	"time"
)

var startLine = regexp.MustCompile(`START RequestId: ([0-9a-f-]+)`)

// TestEmulatorLogsAndOrigin runs the real bootstrap under the runtime interface emulator with
// an origin secret (a CDN in front): a request without it is refused with 403, one with it is
// served; the request's log line carries the Lambda request id of the emulator's START line and
// API Gateway's request id from the event; its EMF line is in the same log.
func TestEmulatorLogsAndOrigin(t *testing.T) {
	bootstrap := hostBootstrap(t)
	store := testStore(t)
	ssm := newFakeSSM(t, e2eSecretParam, e2eSecret)
	env := functionEnv(store, ssm, "")
	env["PAUSE_ORIGIN_SECRET"] = "edge-secret-0123456789,edge-secret-previous"
	env["AWS_LAMBDA_FUNCTION_NAME"] = "pause-e2e"
	fn := startEmulator(t, bootstrap, env)
	query := `{"query":"query Seed { articles(first: 1) { totalCount } }","operationName":"Seed"}`
	res := fn.do(t, request{method: "POST", path: "/graphql", body: query, header: map[string]string{"Content-Type": "application/json"}})
	wantStatus(t, res, 403)
	res = fn.do(t, request{method: "POST", path: "/graphql", body: query,
		header: map[string]string{"Content-Type": "application/json", "X-Pause-Origin-Secret": "edge-secret-previous"}})
	wantStatus(t, res, 200)

	// The emulator copies the bootstrap's output through a pipe: the last lines may arrive a
	// moment after the answer. Wait (up to 10 s) until the second invocation's END line is in.
	var out string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out = fn.out.String()
		if strings.Count(out, "END RequestId:") >= 2 && len(lines(out, `"CloudWatchMetrics"`)) >= 3 || time.Now().After(deadline) {
			break
		}
	}
	starts := startLine.FindAllStringSubmatch(out, -1)
	if len(starts) != 2 {
		t.Fatalf("%d START lines, want 2:\n%s", len(starts), out)
	}
	requests := lines(out, `"msg":"request"`)
	if len(requests) != 2 {
		t.Fatalf("%d request lines, want 2:\n%s", len(requests), out)
	}
	for i, l := range requests {
		if !strings.Contains(l, `"lambda_request_id":"`+starts[i][1]+`"`) || !strings.Contains(l, `"apigw_request_id":"`) {
			t.Errorf("request line %d does not carry the ids of its invocation (%s): %s", i+1, starts[i][1], l)
		}
	}
	if !strings.Contains(requests[0], `"status":403`) || !strings.Contains(requests[1], `"status":200`) {
		t.Errorf("statuses: %q", requests)
	}
	metrics := lines(out, `"CloudWatchMetrics"`)
	if len(metrics) != 3 { // the refusal (with its FORBIDDEN line) and the query
		t.Fatalf("%d EMF lines, want 3:\n%s", len(metrics), out)
	}
	last := metrics[2]
	for _, want := range []string{`"Function":"pause-e2e"`, `"OperationType":"query"`, `"operationName":"Seed"`, `"lambda_request_id":"` + starts[1][1] + `"`} {
		if !strings.Contains(last, want) {
			t.Errorf("the query's EMF line has no %s: %s", want, last)
		}
	}
	if !strings.Contains(metrics[1], `"ErrorCode":"FORBIDDEN"`) {
		t.Errorf("the refusal's error line: %s", metrics[1])
	}
	if strings.Contains(out, "edge-secret") {
		t.Error("the log has the origin secret")
	}
}

// lines returns the lines of s that contain sub.
func lines(s, sub string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), sub) {
			out = append(out, sc.Text())
		}
	}
	return out
}
