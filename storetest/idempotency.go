package storetest

import (
	"context"
	"time"

	"pause"
)

// testIdempotency drives the store of idempotent requests' records through a request's life:
// claimed once, refused to a second attempt while it runs, its answer kept and given back,
// taken over after an unknown outcome or an abandoned attempt, forgotten once expired.
func testIdempotency(e *env) {
	s, ctx := e.stores.Idempotency, context.Background()
	now := e.clock.Now().UTC().Truncate(time.Microsecond)
	claim := func(key, hash, owner string, at time.Time) *pause.IdempotencyRecord {
		return &pause.IdempotencyRecord{Key: key, Hash: hash, State: pause.IdempotencyRunning, Attempt: 1,
			Owner: owner, CreatedAt: at, UpdatedAt: at, ExpiresAt: at.Add(pause.IdempotencyTTL)}
	}
	begin := func(rec *pause.IdempotencyRecord, at time.Time) *pause.IdempotencyRecord {
		e.Helper()
		got, err := s.BeginRequest(ctx, rec, at)
		e.must(err, "begin")
		return got
	}
	want := func(got *pause.IdempotencyRecord, state, owner string, attempt int, what string) {
		e.Helper()
		if got.State != state || got.Owner != owner || got.Attempt != attempt {
			e.Fatalf("%s: %s owned by %s, attempt %d; want %s by %s, attempt %d", what, got.State, got.Owner, got.Attempt, state, owner, attempt)
		}
	}

	first := claim("k1", "h1", "a", now)
	want(begin(first, now), pause.IdempotencyRunning, "a", 1, "a new key")
	want(begin(claim("k1", "h1", "b", now), now.Add(time.Second)), pause.IdempotencyRunning, "a", 1, "a repeat while the first runs")
	if got := begin(claim("k1", "other", "c", now), now.Add(time.Second)); got.Hash != "h1" {
		e.Fatalf("another request with the key: got hash %s, want the first's", got.Hash)
	}
	// An attempt that no longer holds the record changes nothing.
	e.must(s.EndRequest(ctx, &pause.IdempotencyRecord{Key: "k1", Hash: "h1", State: pause.IdempotencyDone, Owner: "b",
		Status: 200, Body: []byte("nope"), CreatedAt: now, UpdatedAt: now, ExpiresAt: first.ExpiresAt}), "end of a stranger")
	want(begin(claim("k1", "h1", "d", now), now.Add(time.Second)), pause.IdempotencyRunning, "a", 1, "after a stranger's end")

	done := *first
	done.State, done.Status, done.Body = pause.IdempotencyDone, 200, []byte(`{"data":{"ok":true}}`)
	e.must(s.EndRequest(ctx, &done), "end")
	got := begin(claim("k1", "h1", "e", now), now.Add(time.Minute))
	want(got, pause.IdempotencyDone, "a", 1, "a repeat after the answer")
	if got.Status != 200 || string(got.Body) != `{"data":{"ok":true}}` || !got.CreatedAt.Equal(now) {
		e.Fatalf("the kept answer: %d %q created %v", got.Status, got.Body, got.CreatedAt)
	}

	// An unknown outcome: the next attempt runs again, with the first attempt's CreatedAt.
	second := claim("k2", "h2", "a", now)
	begin(second, now)
	unknown := *second
	unknown.State = pause.IdempotencyUnknown
	e.must(s.EndRequest(ctx, &unknown), "end unknown")
	got = begin(claim("k2", "h2", "b", now.Add(time.Minute)), now.Add(time.Minute))
	want(got, pause.IdempotencyRunning, "b", 2, "a repeat after an unknown outcome")
	if !got.CreatedAt.Equal(now) {
		e.Fatalf("the second attempt's CreatedAt %v, want the first's %v", got.CreatedAt, now)
	}
	want(begin(claim("k2", "h2", "c", now), now.Add(time.Minute)), pause.IdempotencyRunning, "b", 2, "a third attempt while the second runs")

	// An attempt that stopped answering is taken over after the lease.
	begin(claim("k3", "h3", "a", now), now)
	want(begin(claim("k3", "h3", "b", now), now.Add(pause.IdempotencyLease+time.Second)), pause.IdempotencyRunning, "b", 2, "after the lease")

	// An expired record is forgotten: the key is new again, for any request.
	later := now.Add(pause.IdempotencyTTL + time.Second)
	want(begin(claim("k1", "fresh", "f", later), later), pause.IdempotencyRunning, "f", 1, "an expired key")
}
