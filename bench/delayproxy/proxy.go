// Package delayproxy is a reverse proxy for DynamoDB (or any HTTP service) on loopback that
// adds a fixed delay to every round trip, as a same-region DynamoDB call has from Lambda, and
// records when each request started and ended. From those records it tells how many round
// trips a piece of work waited for one after the other (Waves): requests that overlap ran in
// parallel and count once. It imports the standard library only.
//
// The round-trip test (bench/roundtrip_test.go) asserts Waves per GraphQL query, and
// `make bench` runs Pause on DynamoDB Local behind it; neither compares a wall-clock time with a
// bound.
package delayproxy

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Proxy forwards requests to its target after Delay. It is safe for concurrent use.
type Proxy struct {
	// Delay is added to every request before it is forwarded.
	delay  time.Duration
	target *url.URL
	server *http.Server
	ln     net.Listener

	mu       sync.Mutex
	requests []Request
}

// Request is one forwarded request: its operation (the X-Amz-Target header's part after the
// dot, "Query"), when the proxy received it and when it had answered.
type Request struct {
	Operation  string
	Start, End time.Time
}

// Start listens on a free loopback port and forwards every request to target (a base URL such
// as http://127.0.0.1:8000) after delay. Close stops it.
func Start(target string, delay time.Duration) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{delay: delay, target: u, ln: ln}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second}
	// A client that gives up (a cancelled request) is the client's business: no log line.
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) }
	p.server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if p.delay > 0 {
			t := time.NewTimer(p.delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), startKey{}, start)))
	}), ReadHeaderTimeout: 10 * time.Second}
	// The request is recorded when DynamoDB's answer arrives, before a byte of it goes to the
	// client: recorded after, it could land after the client's caller had finished and taken
	// the requests (Take), and count in the next piece of work.
	rp.ModifyResponse = func(res *http.Response) error {
		r := res.Request
		op := r.Header.Get("X-Amz-Target")
		if i := strings.LastIndexByte(op, '.'); i >= 0 {
			op = op[i+1:]
		}
		start, _ := r.Context().Value(startKey{}).(time.Time)
		p.mu.Lock()
		p.requests = append(p.requests, Request{Operation: op, Start: start, End: time.Now()})
		p.mu.Unlock()
		return nil
	}
	go func() { _ = p.server.Serve(ln) }()
	return p, nil
}

// startKey keys the time a request reached the proxy in its context.
type startKey struct{}

// URL is the proxy's base URL, for the client's endpoint.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Delay is the delay the proxy adds to each request.
func (p *Proxy) Delay() time.Duration { return p.delay }

// Close stops the proxy.
func (p *Proxy) Close() error { return p.server.Close() }

// Take returns the requests recorded since the last Take (or the start), in the order they
// ended, and forgets them.
func (p *Proxy) Take() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.requests
	p.requests = nil
	return out
}

// Waves returns how many of the requests ran one after the other: the length of the longest
// chain of requests in which each started after the previous one had ended. Requests that
// overlap (sent in parallel) are never in one chain, so a piece of work that sends everything
// at once counts 1 however many requests it makes, and one that waits for each answer before
// the next request counts every request. With a delay per request larger than the time it
// takes to send parallel requests, this is exact; it reads timestamps only, never compares a
// duration with a bound.
func Waves(rs []Request) int {
	// The greedy choice by earliest end gives the longest chain of intervals that do not
	// overlap.
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b Request) int { return a.End.Compare(b.End) })
	n := 0
	var last time.Time
	for _, r := range sorted {
		if n == 0 || !r.Start.Before(last) {
			n++
			last = r.End
		}
	}
	return n
}

// Operations counts the requests by operation.
func Operations(rs []Request) map[string]int {
	out := map[string]int{}
	for _, r := range rs {
		out[r.Operation]++
	}
	return out
}
