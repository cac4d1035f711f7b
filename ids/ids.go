// Package ids makes the ids of content items: ULIDs, which sort by creation time and are safe
// in URLs.
package ids

import (
	"crypto/rand"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

var (
	mu      sync.Mutex
	entropy = ulid.Monotonic(rand.Reader, 0)
)

// New returns a new ULID, greater than every ULID this process made before in the same
// millisecond.
func New() string {
	mu.Lock()
	defer mu.Unlock()
	return ulid.MustNew(ulid.Timestamp(time.Now()), entropy).String()
}

// Derive returns the ULID of the time and the seed: the same arguments always give the same id,
// so that a request sent again with the same Idempotency-Key makes the items it made the first
// time, not new ones (see pause.Idempotency).
func Derive(t time.Time, seed []byte) string {
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(t))
	copy(id[6:], seed)
	return id.String()
}
