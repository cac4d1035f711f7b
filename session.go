package pause

import (
	"context"
	"time"
)

// Session is a signed-in browser: the cookie holds a random 256-bit secret, the store only its
// hash. A session ends at ExpiresAt (absolute), after SessionIdle without use, when it is
// revoked (deleted), and when its user is disabled or their SessionsValidAfter passes its
// CreatedAt.
type Session struct {
	// ID names the session in lists and audit entries; it is not a credential.
	ID string
	// Hash is HashSecret of the cookie's secret.
	Hash       string
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	// Method is how the user signed in: password+totp, password+recovery, passkey or oidc.
	Method    string
	UserAgent string
	Address   string
}

// Session lifetimes (ASVS 7.3.1, 7.3.2): a session ends after SessionIdle without a request,
// and SessionLifetime after sign-in whatever happens.
const (
	SessionIdle     = 30 * time.Minute
	SessionLifetime = 12 * time.Hour
)

// ActiveAt reports whether the session can be used at the time t by the user u (its owner):
// not expired, not idle too long, the user enabled, and the session not created before the
// user's SessionsValidAfter.
func (s *Session) ActiveAt(t time.Time, u *User) bool {
	return t.Before(s.ExpiresAt) && t.Before(s.LastSeenAt.Add(SessionIdle)) && u != nil && u.ID == s.UserID &&
		!u.Disabled() && !s.CreatedAt.Before(u.SessionsValidAfter)
}

// EndSessionsAt returns the SessionsValidAfter that ends every session created up to and
// including the time now.
func EndSessionsAt(now time.Time) time.Time { return now.Add(time.Microsecond) }

// SessionStore keeps sessions. Every method is safe for concurrent use and strongly
// consistent. Stores may forget sessions after their ExpiresAt (DynamoDB's TTL does, within
// days), so callers must check expiry themselves (ActiveAt).
type SessionStore interface {
	// CreateSession stores a new session, and e (if not nil) in the audit log in the same
	// atomic write; ECONFLICT if its id or hash exists.
	CreateSession(ctx context.Context, s *Session, e *AuditEntry) error
	// SessionByHash returns the session whose secret has the hash, or ENOTFOUND.
	SessionByHash(ctx context.Context, hash string) (*Session, error)
	// TouchSession sets the LastSeenAt of the session with the hash to at, if at is later;
	// ENOTFOUND if there is no such session.
	TouchSession(ctx context.Context, hash string, at time.Time) error
	// UserSessions returns the user's sessions, newest first, expired ones included.
	UserSessions(ctx context.Context, userID string) ([]*Session, error)
	// DeleteSession deletes the user's session with the id, and writes e (if not nil) in the
	// audit log in the same atomic write; ENOTFOUND if the user has no such session.
	DeleteSession(ctx context.Context, userID, id string, e *AuditEntry) error
}

// SessionEntry returns the audit entry of the action (signIn, signOut, revokeSession) on the
// session by the actor.
func SessionEntry(s *Session, action, actor string, at time.Time) *AuditEntry {
	v := 1
	if action != "signIn" {
		v = 2
	}
	return &AuditEntry{At: at, Actor: actor, Action: action, ItemType: "session", ItemID: s.ID,
		Version: v, Fields: []string{s.Method}}
}

// FailureEntry returns the audit entry of a failed sign-in as the email (as typed, cut to
// MaxEmail bytes) at the time: what failed (password, code, link, passkey, oidc) is its field.
// id is a new unique id for the entry.
func FailureEntry(id, email, what string, at time.Time) *AuditEntry {
	if len(email) > MaxEmail {
		email = email[:MaxEmail]
	}
	return &AuditEntry{At: at, Actor: email, Action: "signInFailed", ItemType: "signIn", ItemID: id,
		Version: 1, Fields: []string{what}}
}

// Failures is what is known of the recent failed sign-ins under a key (an account, a client
// address).
type Failures struct {
	Count int
	Last  time.Time
}

// FailureStore counts failed sign-ins per key (an account, a client address), for throttling.
// Counts are forgotten FailureMemory after the last failure: there is no permanent lockout.
// Every method is safe for concurrent use.
type FailureStore interface {
	// AddFailure counts one more failure under the key at the time at, and returns the count
	// with it. A count whose last failure is FailureMemory or more before at starts again
	// from 1.
	AddFailure(ctx context.Context, key string, at time.Time) (Failures, error)
	// Failures returns the count under the key as of at: zero if none, or forgotten.
	Failures(ctx context.Context, key string, at time.Time) (Failures, error)
	// ClearFailures forgets the count under the key.
	ClearFailures(ctx context.Context, key string) error
	// LogFailure writes the entry of a failed sign-in in the audit log.
	LogFailure(ctx context.Context, e *AuditEntry) error
}

// FailureMemory is how long failed sign-ins are remembered after the last one.
const FailureMemory = time.Hour

// Throttling of sign-ins (ASVS 6.3.1): after FreeFailures failures under a key, the next
// attempt must wait a delay that doubles with every further failure, from one second up to
// MaxThrottleDelay; attempts made sooner are refused (429) without checking anything. A client
// address gets more free failures than an account, as many people may share one.
const (
	FreeAccountFailures = 5
	FreeAddressFailures = 20
	MaxThrottleDelay    = 15 * time.Minute
)

// ThrottleDelay returns how long after the last failure the next attempt must wait, for the
// count of failures when free failures are allowed.
func ThrottleDelay(f Failures, free int) time.Duration {
	if f.Count < free {
		return 0
	}
	n := f.Count - free
	if n > 10 {
		return MaxThrottleDelay
	}
	return min(time.Second<<n, MaxThrottleDelay)
}

// RetryAfter returns how long from now a client must wait before trying again under the
// failures, or 0 if it may try now.
func RetryAfter(f Failures, free int, now time.Time) time.Duration {
	d := ThrottleDelay(f, free)
	if d == 0 {
		return 0
	}
	if wait := f.Last.Add(d).Sub(now); wait > 0 {
		return wait
	}
	return 0
}

// AccountFailureKey and AddressFailureKey are the keys under which failed sign-ins are
// counted: hashed, so that stores keep no email addresses or client addresses in keys.
func AccountFailureKey(email string) string { return "account:" + HashSecret(email)[:32] }

// AddressFailureKey: see AccountFailureKey.
func AddressFailureKey(addr string) string { return "address:" + HashSecret(addr)[:32] }
