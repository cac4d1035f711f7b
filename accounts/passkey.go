package accounts

import (
	"context"
	"errors"
	"net/http"
	"time"

	"pause"
)

// PasskeyConfig is the relying party of passkeys (WebAuthn).
type PasskeyConfig struct {
	// RPID is the domain passkeys are bound to (such as cms.example.com, or localhost).
	RPID string
	// Origins are the origins of the pages that run the ceremonies (https://cms.example.com).
	Origins []string
	// Name is shown by authenticators; "Pause" when empty.
	Name string
}

// passkeyStateTTL is how long a ceremony may take, from its options to its answer.
const passkeyStateTTL = 5 * time.Minute

// passkeyEngine runs the WebAuthn ceremonies (webauthn.go, with go-webauthn), with user
// verification required: a passkey alone, something the user has and is or knows, is both
// factors (ASVS 6.3.2), and phishing-resistant. The state of a ceremony travels sealed (see
// box), so that any server instance can finish what another began.
type passkeyEngine interface {
	// loginBegin returns the options of navigator.credentials.get and the sealed state.
	loginBegin() (options any, state []byte, err error)
	// loginFinish verifies the answer in r's body; lookup finds the user by user handle. It
	// returns the user, and the passkey's id and new record.
	loginFinish(state []byte, r *http.Request, lookup func(handle []byte) (*pause.User, error)) (u *pause.User, id, record []byte, err error)
	// registerBegin returns the options of navigator.credentials.create for the user, and the
	// sealed state.
	registerBegin(u *pause.User) (options any, state []byte, err error)
	// registerFinish verifies the answer in r's body and returns the new passkey's id and
	// record.
	registerFinish(u *pause.User, state []byte, r *http.Request) (id, record []byte, err error)
}

var (
	errPasskeysOff = pause.Errorf(pause.ENOTFOUND, "Passkeys are not available on this server.")
	// errPasskey is the one answer to a passkey that does not sign in.
	errPasskey = pause.Errorf(pause.EUNAUTHENTICATED, "This passkey does not sign you in.")
	// errRegister is the answer to a registration that fails.
	errRegister = pause.Errorf(pause.EINVALID, "The passkey could not be registered: start again, with user verification (a PIN, a fingerprint, a face).")
)

// PasskeysEnabled reports whether passkeys can be used.
func (s *Service) PasskeysEnabled() bool { return s.pk != nil }

// PasskeyLoginBegin starts a sign-in with a passkey: the options for
// navigator.credentials.get, and the sealed state that PasskeyLoginFinish needs back.
func (s *Service) PasskeyLoginBegin() (options any, state []byte, err error) {
	if s.pk == nil {
		return nil, nil, errPasskeysOff
	}
	return s.pk.loginBegin()
}

// PasskeyLoginFinish verifies the authenticator's answer in r's body (the JSON of the
// PublicKeyCredential) against the state, and starts a session for the passkey's user. A
// passkey with user verification replaces password and TOTP. Failures count against the
// client address.
func (s *Service) PasskeyLoginFinish(ctx context.Context, state []byte, r *http.Request, addr, ua string) (*SignIn, error) {
	if s.pk == nil {
		return nil, errPasskeysOff
	}
	now := s.now()
	if err := s.throttled(ctx, "", addr, now); err != nil {
		return nil, err
	}
	var storeErr error
	lookup := func(handle []byte) (*pause.User, error) {
		u, err := s.cfg.Users.User(ctx, string(handle))
		if err != nil && pause.ErrorCode(err) != pause.ENOTFOUND {
			storeErr = err
		}
		if err == nil && u.Disabled() {
			return nil, errPasskey
		}
		return u, err
	}
	u, id, record, err := s.pk.loginFinish(state, r, lookup)
	if storeErr != nil {
		return nil, storeErr
	}
	if err != nil {
		email := ""
		if u != nil {
			email = u.Email
		}
		return nil, s.fail(ctx, email, addr, "passkey", now)
	}
	next := u.Clone()
	for i, p := range next.Passkeys {
		if string(p.ID) == string(id) {
			t := now
			next.Passkeys[i].Credential, next.Passkeys[i].LastUsedAt = record, &t
		}
	}
	next.Version++
	next.UpdatedAt = now
	if err := s.cfg.Users.UpdateUser(ctx, next, nil); err != nil {
		return nil, err
	}
	return s.startSession(ctx, next, "passkey", addr, ua, now, nil)
}

// PasskeyRegisterBegin starts adding a passkey to the signed-in user of the session: the
// options for navigator.credentials.create and the sealed state.
func (s *Service) PasskeyRegisterBegin(ctx context.Context, secret string) (options any, state []byte, err error) {
	if s.pk == nil {
		return nil, nil, errPasskeysOff
	}
	_, u, err := s.session(ctx, secret)
	if err != nil {
		return nil, nil, err
	}
	return s.pk.registerBegin(u)
}

// MaxPasskeys is how many passkeys a user may have.
const MaxPasskeys = 10

// PasskeyRegisterFinish verifies the authenticator's answer in r's body and adds the passkey,
// named name, to the signed-in user of the session; the audit log records it.
func (s *Service) PasskeyRegisterFinish(ctx context.Context, secret string, state []byte, r *http.Request, name string) (*pause.User, error) {
	if s.pk == nil {
		return nil, errPasskeysOff
	}
	_, u, err := s.session(ctx, secret)
	if err != nil {
		return nil, err
	}
	if len(u.Passkeys) >= MaxPasskeys {
		return nil, pause.Errorf(pause.EINVALID, "You have %d passkeys already: remove one first.", MaxPasskeys)
	}
	id, record, err := s.pk.registerFinish(u, state, r)
	if errors.Is(err, errRegister) {
		return nil, err
	} else if err != nil {
		s.cfg.Logger.InfoContext(ctx, "passkey registration refused", "user", u.ID, "error", err)
		return nil, errRegister
	}
	now := s.now()
	if name == "" {
		name = "Passkey " + now.Format("2006-01-02")
	}
	if len(name) > 100 {
		name = name[:100]
	}
	next := u.Clone()
	next.Passkeys = append(next.Passkeys, pause.Passkey{ID: id, Name: name, Credential: record, CreatedAt: now})
	next.Version++
	next.UpdatedAt = now
	if err := s.cfg.Users.UpdateUser(ctx, next, pause.UserEntry(next, "addPasskey", next.ViewerSubject(), now, "passkeys")); err != nil {
		return nil, err
	}
	return next, nil
}
