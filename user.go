package pause

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is an editor's account: who they are, their role, and the credentials they sign in
// with. Secrets are never kept in the clear: the password as an argon2id hash, the TOTP
// secret encrypted with a key derived from the server's secret, recovery codes and the setup
// link as SHA-256 hashes of 128 or more random bits.
type User struct {
	ID string
	// Email is unique among users, trimmed and lower-cased (NormalizeEmail). It never
	// changes: stores index users by it.
	Email string
	Name  string
	Role  Role
	// PasswordHash is the argon2id hash of the password as a PHC string, or "" until the
	// user has set one through a setup link (and for single sign-on users).
	PasswordHash string
	// TOTPSecret is the encrypted TOTP secret once enrolled, else nil. PendingTOTP is the
	// encrypted secret offered at enrolment, until a code from it confirms it.
	TOTPSecret  []byte
	PendingTOTP []byte
	// TOTPStep is the last TOTP time step accepted: a code is accepted once, and never one
	// of an earlier step.
	TOTPStep int64
	// RecoveryCodes are the hashes (HashSecret) of the unused recovery codes.
	RecoveryCodes []string
	Passkeys      []Passkey
	// Issuer and Subject name the user at a single sign-on provider ("" for built-in
	// accounts); stores index users by them. They never change.
	Issuer  string
	Subject string
	// Link is the setup or reset link that is valid now, if any.
	Link *SetupLink
	// DisabledAt is when an admin disabled the account; a disabled user cannot sign in and
	// their sessions are void.
	DisabledAt *time.Time
	// SessionsValidAfter voids every session created before it (EndSessionsAt): set when the
	// password changes, the user is disabled, or an admin ends the user's sessions.
	SessionsValidAfter time.Time
	CreatedAt          time.Time
	CreatedBy          string
	UpdatedAt          time.Time
	// Version is 1 when created and grows by one with every update (optimistic locking).
	Version int
}

// Passkey is a WebAuthn credential of a user. Credential is the library's own record of it
// (JSON), kept as it is.
type Passkey struct {
	ID         []byte
	Name       string
	Credential []byte
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// LinkPurpose says what a setup link is for.
type LinkPurpose string

// Link purposes.
const (
	LinkSetup LinkPurpose = "setup" // a new account: choose a password
	LinkReset LinkPurpose = "reset" // choose a new password; the second factors stay
)

// SetupLink is a one-time link that lets a user choose a password. Only the hash of its
// token is kept; the token is shown once, to whoever made the link.
type SetupLink struct {
	Hash      string
	Purpose   LinkPurpose
	ExpiresAt time.Time
}

// Lifetimes of setup links (ASVS 6.4.1).
const (
	SetupLinkTTL = 24 * time.Hour
	ResetLinkTTL = 24 * time.Hour
)

// Limits on user fields.
const (
	MaxEmail    = 254
	MaxUserName = 100
)

// ViewerSubject returns the subject that stands for the user in tokens and in the audit log.
func (u *User) ViewerSubject() string { return UserSubjectPrefix + u.ID }

// UserSubjectPrefix starts the subject of every user's token.
const UserSubjectPrefix = "user:"

// Disabled reports whether an admin disabled the user.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// HasPassword reports whether the user has chosen a password.
func (u *User) HasPassword() bool { return u.PasswordHash != "" }

// HasTOTP reports whether the user has enrolled an authenticator app.
func (u *User) HasTOTP() bool { return u.TOTPSecret != nil }

// PasskeyCount returns how many passkeys the user has.
func (u *User) PasskeyCount() int { return len(u.Passkeys) }

// RecoveryCodesLeft returns how many unused recovery codes the user has.
func (u *User) RecoveryCodesLeft() int { return len(u.RecoveryCodes) }

// LinkExpiresAt returns when the user's setup or reset link expires, or nil.
func (u *User) LinkExpiresAt() *time.Time {
	if u.Link == nil {
		return nil
	}
	t := u.Link.ExpiresAt
	return &t
}

// HasSecondFactor reports whether the user has enrolled TOTP or a passkey.
func (u *User) HasSecondFactor() bool { return u.TOTPSecret != nil || len(u.Passkeys) > 0 }

// Clone returns a deep copy of the user, for changing it without touching the original.
func (u *User) Clone() *User {
	c := *u
	c.TOTPSecret = cloneBytes(u.TOTPSecret)
	c.PendingTOTP = cloneBytes(u.PendingTOTP)
	if u.RecoveryCodes != nil {
		c.RecoveryCodes = append([]string{}, u.RecoveryCodes...)
	}
	if u.Passkeys != nil {
		c.Passkeys = make([]Passkey, len(u.Passkeys))
		for i, p := range u.Passkeys {
			p.ID, p.Credential = cloneBytes(p.ID), cloneBytes(p.Credential)
			if p.LastUsedAt != nil {
				t := *p.LastUsedAt
				p.LastUsedAt = &t
			}
			c.Passkeys[i] = p
		}
	}
	if u.Link != nil {
		l := *u.Link
		c.Link = &l
	}
	if u.DisabledAt != nil {
		t := *u.DisabledAt
		c.DisabledAt = &t
	}
	return &c
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// NormalizeEmail returns the email address trimmed and lower-cased, or EINVALID (field
// "email") if it is not a plain address (name@domain, no display name).
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bad := FieldErrorf("email", "email must be an address such as name@example.com")
	if s == "" || len(s) > MaxEmail || !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", bad
	}
	return s, nil
}

// ValidateUserName returns EINVALID (field "name") unless the name is 1 to MaxUserName
// characters of text on one line.
func ValidateUserName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return FieldErrorf("name", "name is required")
	case !utf8.ValidString(name):
		return FieldErrorf("name", "name is not valid UTF-8")
	case utf8.RuneCountInString(name) > MaxUserName:
		return FieldErrorf("name", "name is longer than %d characters", MaxUserName)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return FieldErrorf("name", "name must not contain control characters")
	}
	return nil
}

// UserStore keeps users. Every method is safe for concurrent use, and reads what the last
// write wrote (strongly consistent): a disabled user must fail at once, on every server.
type UserStore interface {
	// CreateUser stores a new user (Version 1), and e in the audit log in the same atomic
	// write if e is not nil. It returns ECONFLICT (field "email") if a user has the email,
	// and ECONFLICT if the id, or the Issuer and Subject, are taken.
	CreateUser(ctx context.Context, u *User, e *AuditEntry) error

	// UpdateUser replaces the stored user if its version is u.Version-1, and writes e (if
	// not nil) in the audit log in the same atomic write; else it returns ECONFLICT and
	// changes nothing, or ENOTFOUND if there is no such user. The user's link can be found
	// by its hash (UserByLink) exactly as long as the stored user has it. Email, Issuer and
	// Subject must not change.
	UpdateUser(ctx context.Context, u *User, e *AuditEntry) error

	// User returns the user with the id, or ENOTFOUND.
	User(ctx context.Context, id string) (*User, error)
	// UserByEmail returns the user with the (normalized) email, or ENOTFOUND.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UserByIdentity returns the user that the single sign-on issuer knows by the subject,
	// or ENOTFOUND.
	UserByIdentity(ctx context.Context, issuer, subject string) (*User, error)
	// UserByLink returns the user whose Link has the hash, expired or not, or ENOTFOUND.
	UserByLink(ctx context.Context, hash string) (*User, error)

	// Users returns every user, ordered by email.
	Users(ctx context.Context) ([]*User, error)
}

// HashSecret returns the hash under which a random secret (a link token, a session id, a
// recovery code) is stored: hex SHA-256. The secrets have 128 bits or more, so a fast hash is
// enough: nobody can guess one from its hash.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewSecret returns n random bytes, URL-safe base64 encoded.
func NewSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewSetupLink returns a new link with the purpose, valid for ttl from now, and its token,
// which only the caller ever sees.
func NewSetupLink(purpose LinkPurpose, now time.Time, ttl time.Duration) (*SetupLink, string) {
	token := NewSecret(32)
	return &SetupLink{Hash: HashSecret(token), Purpose: purpose, ExpiresAt: now.Add(ttl)}, token
}

// SetupLinkPath is the path of setup links; the token is the query parameter "token".
const SetupLinkPath = "/auth/setup"

// SetupLinkURL returns the link to the base URL (such as https://cms.example.com) with the
// token.
func SetupLinkURL(base, token string) string {
	return strings.TrimRight(base, "/") + SetupLinkPath + "?token=" + token
}

// UserEntry returns the audit entry that records the action on the user by the actor, with
// the fields it changed; the user's Version is the entry's.
func UserEntry(u *User, action, actor string, at time.Time, fields ...string) *AuditEntry {
	if fields == nil {
		fields = []string{}
	}
	return &AuditEntry{At: at, Actor: actor, Action: action, ItemType: "user", ItemID: u.ID,
		Version: u.Version, Fields: fields}
}
