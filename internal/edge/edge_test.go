package edge

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"pause"
)

// fail writes the error's code and status, as a caller's ErrorWriter would.
func fail(w http.ResponseWriter, _ *http.Request, status int, err error) {
	w.WriteHeader(status)
	_, _ = io.WriteString(w, pause.ErrorCode(err)+" "+pause.ErrorMessage(err))
}

// TestWrap: the edge in front of a handler: the id and the log line of each request (with the
// operation the handler names), the security headers, the origin secret (any of several,
// removed before the handler sees it) and a panic turned into INTERNAL with the request id.
func TestWrap(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := Wrap(Config{Logger: log, Fail: fail, Production: true, OriginSecrets: []string{" old ", "new", ""}},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get(OriginHeader) != "" {
				t.Errorf("the handler sees the origin secret")
			}
			if r.URL.Path == "/panic" {
				panic("boom")
			}
			EntryFrom(r.Context()).SetOperation("Things")
			_, _ = io.WriteString(w, RequestID(r.Context()))
		}))
	do := func(path, secret string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if secret != "" {
			req.Header.Set(OriginHeader, secret)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, secret := range []string{"old", "new"} {
		rec := do("/things", secret)
		if rec.Code != 200 || rec.Body.String() != rec.Header().Get("X-Request-Id") || len(rec.Body.String()) != 16 {
			t.Errorf("with %q: %d %q, X-Request-Id %q", secret, rec.Code, rec.Body, rec.Header().Get("X-Request-Id"))
		}
		if rec.Header().Get("Strict-Transport-Security") == "" || rec.Header().Get("Content-Security-Policy") != CSP ||
			rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v", rec.Header())
		}
	}
	for _, secret := range []string{"", "ol", "old new", "x"} {
		if rec := do("/things", secret); rec.Code != 403 || !strings.HasPrefix(rec.Body.String(), "FORBIDDEN") {
			t.Errorf("with %q: %d %s, want 403 FORBIDDEN", secret, rec.Code, rec.Body)
		}
	}
	rec := do("/panic", "new")
	id := rec.Header().Get("X-Request-Id")
	if rec.Code != 500 || !strings.HasPrefix(rec.Body.String(), "INTERNAL") || !strings.Contains(rec.Body.String(), id) {
		t.Errorf("a panic: %d %s, want INTERNAL quoting %s", rec.Code, rec.Body, id)
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	if first := lines[0]; first["msg"] != "request" || first["operation"] != "Things" || first["status"] != float64(200) || first["path"] != "/things" {
		t.Errorf("the first request's line %v", first)
	}
	if !strings.Contains(logs.String(), `"msg":"panic"`) || !strings.Contains(logs.String(), `"request_id":"`+id+`"`) {
		t.Errorf("no panic line with the request id:\n%s", logs.String())
	}
}

// TestLimitBody: over the limit by Content-Length or by what a chunked body holds is 413
// PAYLOAD_TOO_LARGE; under it, the handler reads the whole body.
func TestLimitBody(t *testing.T) {
	h := LimitBody(10, fail, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	}))
	for _, c := range []struct {
		body    string
		chunked bool
		status  int
	}{{"0123456789", false, 200}, {"0123456789", true, 200}, {"0123456789a", false, 413}, {"0123456789a", true, 413}} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
		if c.chunked {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.status || (c.status == 200) != (rec.Body.String() == c.body) ||
			(c.status == 413) != strings.HasPrefix(rec.Body.String(), CodePayloadTooLarge) {
			t.Errorf("%q chunked %v: %d %s, want %d", c.body, c.chunked, rec.Code, rec.Body, c.status)
		}
	}
}
