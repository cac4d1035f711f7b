package pause

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"time"
)

// EUNKNOWN is the code of a write whose outcome is not known: the store may or may not have
// made it (the request timed out, or the connection was lost, after it was sent). The client
// re-reads to find out, or sends the request again with the same Idempotency-Key, which makes
// it at most once.
const EUNKNOWN = "UNKNOWN_OUTCOME"

// IdempotencyTTL is how long the answer to a request with an Idempotency-Key is kept.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyLease is how long a request with an Idempotency-Key may run before another
// attempt with the same key may take over (its process may have died): more than any
// request's time limit.
const IdempotencyLease = 2 * time.Minute

// Idempotency states.
const (
	IdempotencyRunning = "RUNNING" // an attempt is running
	IdempotencyUnknown = "UNKNOWN" // the last attempt ended with EUNKNOWN: the next one runs again
	IdempotencyDone    = "DONE"    // the answer is kept
)

// IdempotencyRecord is what is kept of a request sent with an Idempotency-Key.
type IdempotencyRecord struct {
	// Key is the hash of the caller's subject and their key: keys are the caller's own.
	Key string
	// Hash is the hash of the request (method, path and body): the same key with another
	// request is refused.
	Hash  string
	State string
	// Attempt counts the attempts; Owner is a random token of the attempt that holds the
	// record (RUNNING) or held it last.
	Attempt int
	Owner   string
	// Status and Body are the first answer, once DONE.
	Status int
	Body   []byte
	// CreatedAt is when the first attempt started: every attempt derives its new ids from it.
	CreatedAt time.Time
	// UpdatedAt is when the record last changed; a RUNNING record older than IdempotencyLease
	// may be taken over.
	UpdatedAt time.Time
	ExpiresAt time.Time
}

// IdempotencyStore keeps the records of requests sent with an Idempotency-Key. Every method is
// safe for concurrent use, also across processes.
type IdempotencyStore interface {
	// BeginRequest claims rec.Key for a new attempt (rec: RUNNING, Attempt 1, its Owner) if
	// no record that has not expired at now has the key, and returns rec; otherwise it
	// returns the stored record unchanged, except that a record UNKNOWN, or RUNNING and not
	// updated since now-IdempotencyLease, with the same Hash is claimed for the next attempt
	// (RUNNING, Attempt+1, rec.Owner, UpdatedAt now) and returned so. The caller runs the
	// request only if the returned record is RUNNING with its own Owner.
	BeginRequest(ctx context.Context, rec *IdempotencyRecord, now time.Time) (*IdempotencyRecord, error)
	// EndRequest records how the attempt of rec.Owner ended: DONE with the answer, or UNKNOWN.
	// It does nothing (and returns no error) if another attempt has taken the record over.
	EndRequest(ctx context.Context, rec *IdempotencyRecord) error
}

// IdempotencyKeyHash returns IdempotencyRecord.Key for the caller's subject and key.
func IdempotencyKeyHash(subject, key string) string {
	h := sha256.Sum256([]byte(subject + "\x00" + key))
	return hex.EncodeToString(h[:])
}

// Idempotency is the idempotency of the request in progress: what makes its writes the same
// on every attempt. Stores use Token for the requests they send (DynamoDB's
// ClientRequestToken), and CMS derives new items' ids from Seed.
type Idempotency struct {
	rec   *IdempotencyRecord
	ids   atomic.Int64
	token atomic.Int64
}

type idempotencyKey struct{}

// WithIdempotency returns a context whose writes derive their ids and tokens from the record.
func WithIdempotency(ctx context.Context, rec *IdempotencyRecord) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, &Idempotency{rec: rec})
}

// IdempotencyFrom returns the request's idempotency, or nil if it has none.
func IdempotencyFrom(ctx context.Context) *Idempotency {
	i, _ := ctx.Value(idempotencyKey{}).(*Idempotency)
	return i
}

// NextToken returns the token of the request's next write to the store: the same, in the same
// order, on every attempt (at most 36 characters, as DynamoDB allows).
func (i *Idempotency) NextToken() string {
	n := i.token.Add(1)
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00token\x00%d", i.rec.Key, i.rec.Hash, n))
	return hex.EncodeToString(h[:18])
}

// nextSeed returns the seed and time of the request's next new id.
func (i *Idempotency) nextSeed() ([]byte, time.Time) {
	n := i.ids.Add(1)
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00id\x00%d", i.rec.Key, i.rec.Hash, n))
	return h[:], i.rec.CreatedAt
}

// newID returns the id of a new item: derived from the request's idempotency, so that every
// attempt makes the same ids, or a new one.
func (c *CMS) newID(ctx context.Context) string {
	if i := IdempotencyFrom(ctx); i != nil && c.cfg.DeriveID != nil {
		seed, at := i.nextSeed()
		return c.cfg.DeriveID(at, seed)
	}
	return c.cfg.NewID()
}

// Idempotency returns the store of idempotent requests' records, for the HTTP layer.
func (c *CMS) Idempotency() IdempotencyStore { return c.cfg.Stores.Idempotency }

// nowFor is the time of the writes of the request in ctx: the CMS's clock, or, for a request
// sent with an Idempotency-Key, the time of its first attempt, so that every attempt writes
// the same values (a store that dedupes by token, as DynamoDB does, sees the same write).
func (c *CMS) nowFor(ctx context.Context) time.Time {
	if i := IdempotencyFrom(ctx); i != nil {
		return i.rec.CreatedAt.UTC().Truncate(time.Microsecond)
	}
	return c.Now()
}
