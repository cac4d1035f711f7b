package delayproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWaves: overlapping requests count once, requests one after the other count each.
func TestWaves(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(0, 0).Add(time.Duration(ms) * time.Millisecond) }
	r := func(start, end int) Request { return Request{Start: at(start), End: at(end)} }
	for _, c := range []struct {
		name string
		rs   []Request
		want int
	}{
		{"none", nil, 0},
		{"one", []Request{r(0, 10)}, 1},
		{"parallel", []Request{r(0, 10), r(1, 12), r(2, 11)}, 1},
		{"sequential", []Request{r(0, 10), r(10, 20), r(21, 30)}, 3},
		{"parallel, then one", []Request{r(0, 10), r(1, 11), r(12, 20)}, 2},
		{"a long one beside two in sequence", []Request{r(0, 30), r(1, 10), r(11, 20)}, 2},
		{"out of order", []Request{r(21, 30), r(0, 10), r(10, 20)}, 3},
	} {
		if got := Waves(c.rs); got != c.want {
			t.Errorf("%s: %d waves, want %d", c.name, got, c.want)
		}
	}
}

// TestProxy: the proxy forwards requests and their answers, holds each for its delay, and
// records them by operation, so that parallel requests make one wave and sequential ones one
// each.
func TestProxy(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write([]byte("echo " + string(b)))
	}))
	defer target.Close()
	const delay = 30 * time.Millisecond
	p, err := Start(target.URL, delay)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	send := func() {
		req, _ := http.NewRequest(http.MethodPost, p.URL(), strings.NewReader("hi"))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.Query")
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if string(b) != "echo hi" {
			t.Errorf("answer %q", b)
		}
		if time.Since(start) < delay {
			t.Errorf("answered before the delay")
		}
	}
	send()
	send()
	if rs := p.Take(); Waves(rs) != 2 || Operations(rs)["Query"] != 2 {
		t.Fatalf("two in sequence: %d waves, %v", Waves(rs), Operations(rs))
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(send)
	}
	wg.Wait()
	if rs := p.Take(); len(rs) != 3 || Waves(rs) != 1 {
		t.Fatalf("three at once: %d requests, %d waves", len(rs), Waves(rs))
	}
}
