// Package accounts signs editors in: setup links, passwords (argon2id), TOTP and recovery
// codes, passkeys (WebAuthn), single sign-on (OpenID Connect), throttling of failures, and the
// sessions that come out of it, which trade a cookie for short-lived access tokens. Service is
// the logic, Handler its HTTP face under /auth/. It imports pause, x/crypto, pquerna/otp,
// go-webauthn and x/oauth2; the stores come through pause's interfaces.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"pause"
)

// TokenIssuer issues the access tokens that /graphql accepts (auth.Tokens).
type TokenIssuer interface {
	Issue(subject string, role pause.Role, ttl time.Duration) (string, error)
}

// AccessTokenTTL is the lifetime of an access token: also how long a revoked session's last
// token keeps working (docs/SECURITY.md).
const AccessTokenTTL = 5 * time.Minute

// Config is what a Service needs.
type Config struct {
	Users    pause.UserStore
	Sessions pause.SessionStore
	Failures pause.FailureStore
	Tokens   TokenIssuer
	// Secret is the server's secret (the JWT secret), from which the key that encrypts TOTP
	// secrets is derived.
	Secret []byte
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// NewID returns new unique ids (ULIDs).
	NewID func() string
	// Params are argon2id's; DefaultParams when zero.
	Params Params
	// Issuer names the service in authenticator apps; "Pause" when empty.
	Issuer string
	// Logger gets what operators need to know (store errors); slog.Default when nil.
	Logger *slog.Logger
	// Passkeys configures WebAuthn; passkeys are off when its RPID is empty.
	Passkeys PasskeyConfig
	// OIDC configures single sign-on; it is off when its Issuer is empty.
	OIDC OIDCConfig
}

// Service signs users in and keeps their sessions. It is safe for concurrent use.
type Service struct {
	cfg  Config
	totp *box
	pk   passkeyEngine // nil when passkeys are off
	oidc *oidcClient   // nil when single sign-on is off
	// dummy is a password hash to verify against when there is no user, for equal timing.
	dummyOnce sync.Once
	dummy     string
}

// New returns a Service. It derives keys but makes no request: OpenID Connect discovery waits
// for the first sign-in that needs it.
func New(cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Params == (Params{}) {
		cfg.Params = DefaultParams
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "Pause"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	b, err := newBox(cfg.Secret, "totp secret")
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, totp: b}
	if cfg.Passkeys.RPID != "" {
		if s.pk, err = newPasskeys(cfg.Passkeys, cfg.Secret); err != nil {
			return nil, err
		}
	}
	if cfg.OIDC.Issuer != "" {
		if s.oidc, err = newOIDCClient(cfg.OIDC, cfg.Secret, cfg.Now); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// dummyHash returns a hash of a random password made with the current parameters, made once.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy = HashPassword(pause.NewSecret(16), s.cfg.Params) })
	return s.dummy
}

// Errors of signing in, beside *pause.Error.
var (
	// ErrSignIn is the one answer to a wrong email, password or code, and to a disabled
	// account: nobody learns which it was (ASVS 6.3.8).
	ErrSignIn = pause.Errorf(pause.EUNAUTHENTICATED, "The email, password or code is incorrect.")
	// errLink is the answer to a setup link that does not work.
	errLink = pause.Errorf(pause.EUNAUTHENTICATED, "This link does not work: it was used, replaced by a newer one, or it expired. Ask an admin for a new one.")
	// errSession is the answer to a cookie that names no live session.
	errSession = pause.Errorf(pause.EUNAUTHENTICATED, "You are not signed in, or your session has ended: sign in again.")
)

// ThrottledError says that sign-ins are refused for a while, after too many failures.
type ThrottledError struct{ RetryAfter time.Duration }

// Error says how long to wait, in whole seconds.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("Too many failed sign-ins: try again in %d seconds.", int(e.RetryAfter.Seconds()+0.999))
}

// Setup sets the password of the user whose setup or reset link has the token, and uses the
// link up: it works once, before it expires (ASVS 6.4.1). A reset keeps the second factors
// (6.4.3). Setting a password ends every session of the user. It returns the user.
// Bad tokens count as failed sign-ins of the client address.
func (s *Service) Setup(ctx context.Context, token, password, addr string) (*pause.User, error) {
	now := s.now()
	if err := s.throttled(ctx, "", addr, now); err != nil {
		return nil, err
	}
	u, err := s.cfg.Users.UserByLink(ctx, pause.HashSecret(token))
	if pause.ErrorCode(err) == pause.ENOTFOUND || (err == nil && (u.Link == nil || !now.Before(u.Link.ExpiresAt) || u.Disabled())) {
		s.fail(ctx, "", addr, "link", now)
		return nil, errLink
	} else if err != nil {
		return nil, err
	}
	if err := pause.CheckPassword(password, u.Email); err != nil {
		return nil, err
	}
	purpose := u.Link.Purpose
	u = u.Clone()
	u.PasswordHash = HashPassword(password, s.cfg.Params)
	u.Link = nil
	u.SessionsValidAfter = pause.EndSessionsAt(now)
	u.Version++
	u.UpdatedAt = now
	action := "setPassword"
	if purpose == pause.LinkReset {
		action = "resetPassword"
	}
	err = s.cfg.Users.UpdateUser(ctx, u, pause.UserEntry(u, action, u.ViewerSubject(), now, "password"))
	if pause.ErrorCode(err) == pause.ECONFLICT {
		return nil, errLink // another request used the link first
	}
	return u, err
}

// LoginInput is what a sign-in with a password sends.
type LoginInput struct {
	Email, Password string
	// Code is a TOTP code or a recovery code; empty on the first step.
	Code string
	// Address and UserAgent describe the client, for throttling and the session list.
	Address, UserAgent string
}

// Step is where a sign-in stands when it returns without a session.
type Step string

// Steps.
const (
	StepSignedIn   Step = "signedIn"
	StepCode       Step = "codeRequired"          // send the TOTP code (or a recovery code) too
	StepEnrolTOTP  Step = "totpEnrolmentRequired" // add the secret to an app, send its code
	StepUsePasskey Step = "passkeyRequired"       // the account's second factor is a passkey
)

// SignIn is the result of a sign-in: a session and the cookie secret for it, or the next step.
type SignIn struct {
	Step    Step
	User    *pause.User
	Session *pause.Session
	// Secret is the session's secret, for the cookie.
	Secret string
	// TOTPSecret and TOTPURL are the secret to enrol (StepEnrolTOTP).
	TOTPSecret, TOTPURL string
	// RecoveryCodes are shown once, when TOTP is enrolled.
	RecoveryCodes []string
}

// Login signs in with email, password and a second factor. Unknown emails, wrong passwords,
// wrong codes and disabled accounts all get ErrSignIn, after the same work (a password hash
// is verified in every case). Failures are counted per account and per client address;
// beyond a few, attempts get a *ThrottledError until a growing delay has passed, before
// anything is checked.
func (s *Service) Login(ctx context.Context, in LoginInput) (*SignIn, error) {
	now := s.now()
	email, emailErr := pause.NormalizeEmail(in.Email)
	if emailErr != nil {
		email = strings.ToLower(strings.TrimSpace(in.Email))
	}
	if err := s.throttled(ctx, email, in.Address, now); err != nil {
		return nil, err
	}
	var u *pause.User
	if emailErr == nil && len(in.Password) <= 4*pause.MaxPassword {
		var err error
		u, err = s.cfg.Users.UserByEmail(ctx, email)
		if err != nil && pause.ErrorCode(err) != pause.ENOTFOUND {
			return nil, err
		}
	}
	hash := s.dummyHash()
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, rehash := VerifyPassword(in.Password, hash, s.cfg.Params)
	if !ok || u == nil || u.PasswordHash == "" || u.Disabled() {
		return nil, s.fail(ctx, email, in.Address, "password", now)
	}
	next := u.Clone()
	next.Version++
	next.UpdatedAt = now
	changed := []string{}
	if rehash {
		next.PasswordHash = HashPassword(in.Password, s.cfg.Params)
		changed = append(changed, "passwordHash")
	}
	result := &SignIn{User: next}
	method := "password+totp"
	switch {
	case u.TOTPSecret == nil && len(u.Passkeys) > 0:
		return &SignIn{Step: StepUsePasskey, User: u}, nil
	case u.TOTPSecret == nil && strings.TrimSpace(in.Code) == "":
		// First sign-in: offer a secret to enrol (the same one until it is confirmed).
		secret, err := s.pendingSecret(next)
		if err != nil {
			return nil, err
		}
		if err := s.cfg.Users.UpdateUser(ctx, next, nil); err != nil {
			return nil, err
		}
		return &SignIn{Step: StepEnrolTOTP, User: next, TOTPSecret: secret,
			TOTPURL: totpURL(s.cfg.Issuer, u.Email, secret)}, nil
	case u.TOTPSecret == nil:
		if u.PendingTOTP == nil {
			return nil, s.fail(ctx, email, in.Address, "code", now)
		}
		secret, err := s.totp.open(u.PendingTOTP, u.ID)
		if err != nil {
			return nil, err
		}
		step, ok := checkTOTP(string(secret), in.Code, now, 0)
		if !ok {
			return nil, s.fail(ctx, email, in.Address, "code", now)
		}
		codes, hashes := newRecoveryCodes(RecoveryCodes)
		next.TOTPSecret, next.PendingTOTP, next.TOTPStep, next.RecoveryCodes = u.PendingTOTP, nil, step, hashes
		result.RecoveryCodes = codes
		changed = append(changed, "totp", "recoveryCodes")
	case strings.TrimSpace(in.Code) == "":
		return &SignIn{Step: StepCode, User: u}, nil
	case isRecoveryCode(in.Code):
		rest, ok := useRecoveryCode(u.RecoveryCodes, in.Code)
		if !ok {
			return nil, s.fail(ctx, email, in.Address, "recoveryCode", now)
		}
		next.RecoveryCodes = rest
		method = "password+recovery"
		changed = append(changed, "recoveryCodes")
	default:
		secret, err := s.totp.open(u.TOTPSecret, u.ID)
		if err != nil {
			return nil, err
		}
		step, ok := checkTOTP(string(secret), in.Code, now, u.TOTPStep)
		if !ok {
			return nil, s.fail(ctx, email, in.Address, "code", now)
		}
		next.TOTPStep = step
	}
	var audit *pause.AuditEntry
	if len(changed) > 0 && changed[0] != "passwordHash" {
		audit = pause.UserEntry(next, "enrolSecondFactor", next.ViewerSubject(), now, changed...)
		if method == "password+recovery" {
			audit.Action = "useRecoveryCode"
		}
	}
	// The version check makes each code, and each recovery code, work once even when two
	// requests race.
	if err := s.cfg.Users.UpdateUser(ctx, next, audit); pause.ErrorCode(err) == pause.ECONFLICT {
		return nil, s.fail(ctx, email, in.Address, "code", now)
	} else if err != nil {
		return nil, err
	}
	s.clearFailures(ctx, pause.AccountFailureKey(email))
	return s.startSession(ctx, next, method, in.Address, in.UserAgent, now, result)
}

// pendingSecret returns the TOTP secret offered to the user at enrolment, making one if need
// be (and sealing it into u.PendingTOTP).
func (s *Service) pendingSecret(u *pause.User) (string, error) {
	if u.PendingTOTP != nil {
		if secret, err := s.totp.open(u.PendingTOTP, u.ID); err == nil {
			return string(secret), nil
		}
	}
	secret, _, err := newTOTPKey(s.cfg.Issuer, u.Email)
	if err != nil {
		return "", fmt.Errorf("accounts: make TOTP secret: %w", err)
	}
	u.PendingTOTP = s.totp.seal([]byte(secret), u.ID)
	return secret, nil
}

// startSession stores a new session for the user, with a fresh random secret (ASVS 7.2.4),
// and the sign-in in the audit log.
func (s *Service) startSession(ctx context.Context, u *pause.User, method, addr, ua string, now time.Time, result *SignIn) (*SignIn, error) {
	secret := pause.NewSecret(32)
	if len(ua) > 256 {
		ua = ua[:256]
	}
	se := &pause.Session{ID: s.cfg.NewID(), Hash: pause.HashSecret(secret), UserID: u.ID, CreatedAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(pause.SessionLifetime), Method: method, UserAgent: ua, Address: addr}
	if err := s.cfg.Sessions.CreateSession(ctx, se, pause.SessionEntry(se, "signIn", u.ViewerSubject(), now)); err != nil {
		return nil, err
	}
	if result == nil {
		result = &SignIn{}
	}
	result.Step, result.User, result.Session, result.Secret = StepSignedIn, u, se, secret
	return result, nil
}

// throttled returns a *ThrottledError if the account (unless email is "") or the address
// must wait.
func (s *Service) throttled(ctx context.Context, email, addr string, now time.Time) error {
	var wait time.Duration
	if email != "" {
		acct, err := s.cfg.Failures.Failures(ctx, pause.AccountFailureKey(email), now)
		if err != nil {
			return err
		}
		wait = pause.RetryAfter(acct, pause.FreeAccountFailures, now)
	}
	if addr != "" {
		f, err := s.cfg.Failures.Failures(ctx, pause.AddressFailureKey(addr), now)
		if err != nil {
			return err
		}
		wait = max(wait, pause.RetryAfter(f, pause.FreeAddressFailures, now))
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	return nil
}

// fail counts the failure for the account and the address, logs it in the audit log, and
// returns ErrSignIn. Store errors are logged: the caller still gets ErrSignIn.
func (s *Service) fail(ctx context.Context, email, addr, what string, now time.Time) error {
	if email != "" {
		if _, err := s.cfg.Failures.AddFailure(ctx, pause.AccountFailureKey(email), now); err != nil {
			s.cfg.Logger.ErrorContext(ctx, "count a failed sign-in", "error", err)
		}
	}
	if addr != "" {
		if _, err := s.cfg.Failures.AddFailure(ctx, pause.AddressFailureKey(addr), now); err != nil {
			s.cfg.Logger.ErrorContext(ctx, "count a failed sign-in", "error", err)
		}
	}
	s.logFailure(ctx, email, what, now)
	return ErrSignIn
}

func (s *Service) logFailure(ctx context.Context, email, what string, now time.Time) {
	if err := s.cfg.Failures.LogFailure(ctx, pause.FailureEntry(s.cfg.NewID(), email, what, now)); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "audit a failed sign-in", "error", err)
	}
}

func (s *Service) clearFailures(ctx context.Context, key string) {
	if err := s.cfg.Failures.ClearFailures(ctx, key); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "clear failed sign-ins", "error", err)
	}
}

// session returns the live session whose secret is in the cookie, and its user, after
// marking it used now; errSession if there is none.
func (s *Service) session(ctx context.Context, secret string) (*pause.Session, *pause.User, error) {
	if secret == "" || len(secret) > 128 {
		return nil, nil, errSession
	}
	now := s.now()
	hash := pause.HashSecret(secret)
	se, err := s.cfg.Sessions.SessionByHash(ctx, hash)
	if pause.ErrorCode(err) == pause.ENOTFOUND {
		return nil, nil, errSession
	} else if err != nil {
		return nil, nil, err
	}
	u, err := s.cfg.Users.User(ctx, se.UserID)
	if pause.ErrorCode(err) == pause.ENOTFOUND {
		return nil, nil, errSession
	} else if err != nil {
		return nil, nil, err
	}
	if !se.ActiveAt(now, u) {
		return nil, nil, errSession
	}
	if err := s.cfg.Sessions.TouchSession(ctx, hash, now); pause.ErrorCode(err) == pause.ENOTFOUND {
		return nil, nil, errSession
	} else if err != nil {
		return nil, nil, err
	}
	se.LastSeenAt = now
	return se, u, nil
}

// AccessToken is a short-lived bearer token for /graphql.
type AccessToken struct {
	Token     string
	ExpiresAt time.Time
	User      *pause.User
}

// Token returns a new access token for the session whose secret is in the cookie, with the
// user's current role; errSession if the session has ended.
func (s *Service) Token(ctx context.Context, secret string) (*AccessToken, error) {
	_, u, err := s.session(ctx, secret)
	if err != nil {
		return nil, err
	}
	tok, err := s.cfg.Tokens.Issue(u.ViewerSubject(), u.Role, AccessTokenTTL)
	if err != nil {
		return nil, fmt.Errorf("accounts: issue access token: %w", err)
	}
	return &AccessToken{Token: tok, ExpiresAt: s.now().Add(AccessTokenTTL), User: u}, nil
}

// Logout ends the session whose secret is in the cookie. Ending a session that has ended
// already is no error.
func (s *Service) Logout(ctx context.Context, secret string) error {
	if secret == "" || len(secret) > 128 {
		return nil
	}
	se, err := s.cfg.Sessions.SessionByHash(ctx, pause.HashSecret(secret))
	if pause.ErrorCode(err) == pause.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	err = s.cfg.Sessions.DeleteSession(ctx, se.UserID, se.ID,
		pause.SessionEntry(se, "signOut", pause.UserSubjectPrefix+se.UserID, s.now()))
	if pause.ErrorCode(err) == pause.ENOTFOUND {
		return nil
	}
	return err
}

// ChangePassword sets a new password for the user of the session, who must give the current
// one (ASVS 6.2.2, 6.2.3). Every session of the user ends, this one too, and a new session
// starts for this client: its result.
func (s *Service) ChangePassword(ctx context.Context, secret, current, password, addr, ua string) (*SignIn, error) {
	se, u, err := s.session(ctx, secret)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := s.throttled(ctx, u.Email, addr, now); err != nil {
		return nil, err
	}
	if ok, _ := VerifyPassword(current, u.PasswordHash, s.cfg.Params); !ok || u.PasswordHash == "" {
		s.fail(ctx, u.Email, addr, "password", now)
		return nil, &pause.Error{Code: pause.EINVALID, Field: "currentPassword", Message: "The current password is incorrect."}
	}
	if err := pause.CheckPassword(password, u.Email); err != nil {
		return nil, err
	}
	next := u.Clone()
	next.PasswordHash = HashPassword(password, s.cfg.Params)
	next.SessionsValidAfter = pause.EndSessionsAt(now)
	next.Version++
	next.UpdatedAt = now
	if err := s.cfg.Users.UpdateUser(ctx, next, pause.UserEntry(next, "changePassword", next.ViewerSubject(), now, "password", "sessionsValidAfter")); err != nil {
		return nil, err
	}
	// The new session starts when the old ones end.
	return s.startSession(ctx, next, se.Method, addr, ua, next.SessionsValidAfter, nil)
}

// IsThrottled reports whether err is a *ThrottledError, and returns it.
func IsThrottled(err error) (*ThrottledError, bool) {
	var t *ThrottledError
	return t, errors.As(err, &t)
}
