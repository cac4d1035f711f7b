//go:build !nopasskeys

package accounts

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"pause"
)

// webauthnEngine is the passkeyEngine of go-webauthn. Builds with the tag nopasskeys leave it
// (and its 2 MB) out: see webauthn_off.go.
type webauthnEngine struct {
	w     *webauthn.WebAuthn
	state *box
}

func newPasskeys(cfg PasskeyConfig, secret []byte) (passkeyEngine, error) {
	if cfg.Name == "" {
		cfg.Name = "Pause"
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID: cfg.RPID, RPDisplayName: cfg.Name, RPOrigins: cfg.Origins,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: protocol.VerificationRequired,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: passkeyStateTTL, TimeoutUVD: passkeyStateTTL},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: passkeyStateTTL, TimeoutUVD: passkeyStateTTL},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("accounts: passkeys: %w", err)
	}
	b, err := newBox(secret, "webauthn state")
	if err != nil {
		return nil, err
	}
	return &webauthnEngine{w: w, state: b}, nil
}

// webauthnUser is a user as go-webauthn sees it: the user handle is the user's id.
type webauthnUser struct {
	u     *pause.User
	creds []webauthn.Credential
}

func newWebauthnUser(u *pause.User) (*webauthnUser, error) {
	wu := &webauthnUser{u: u}
	for _, p := range u.Passkeys {
		var c webauthn.Credential
		if err := json.Unmarshal(p.Credential, &c); err != nil {
			return nil, fmt.Errorf("accounts: decode passkey of %s: %w", u.ID, err)
		}
		wu.creds = append(wu.creds, c)
	}
	return wu, nil
}

func (w *webauthnUser) WebAuthnID() []byte                         { return []byte(w.u.ID) }
func (w *webauthnUser) WebAuthnName() string                       { return w.u.Email }
func (w *webauthnUser) WebAuthnDisplayName() string                { return w.u.Name }
func (w *webauthnUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

// seal seals the ceremony's session data for the purpose (login, or register:<user id>).
func (e *webauthnEngine) seal(sd *webauthn.SessionData, purpose string) ([]byte, error) {
	b, err := json.Marshal(sd)
	if err != nil {
		return nil, fmt.Errorf("accounts: encode passkey state: %w", err)
	}
	return e.state.seal(b, purpose), nil
}

func (e *webauthnEngine) open(sealed []byte, purpose string) (*webauthn.SessionData, error) {
	b, err := e.state.open(sealed, purpose)
	if err != nil {
		return nil, errPasskey
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal(b, &sd); err != nil {
		return nil, errPasskey
	}
	return &sd, nil
}

func (e *webauthnEngine) loginBegin() (any, []byte, error) {
	opts, sd, err := e.w.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: begin passkey login: %w", err)
	}
	state, err := e.seal(sd, "login")
	return opts, state, err
}

func (e *webauthnEngine) loginFinish(state []byte, r *http.Request, lookup func([]byte) (*pause.User, error)) (*pause.User, []byte, []byte, error) {
	sd, err := e.open(state, "login")
	if err != nil {
		return nil, nil, nil, err
	}
	var found *pause.User
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		u, err := lookup(userHandle)
		if err != nil {
			return nil, err
		}
		found = u
		return newWebauthnUser(u)
	}
	_, cred, err := e.w.FinishPasskeyLogin(handler, *sd, r)
	if err != nil {
		return found, nil, nil, err
	}
	if !cred.Flags.UserVerified {
		return found, nil, nil, errPasskey
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("accounts: encode passkey: %w", err)
	}
	return found, cred.ID, record, nil
}

func (e *webauthnEngine) registerBegin(u *pause.User) (any, []byte, error) {
	wu, err := newWebauthnUser(u)
	if err != nil {
		return nil, nil, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range wu.creds {
		exclude = append(exclude, c.Descriptor())
	}
	opts, sd, err := e.w.BeginRegistration(wu, webauthn.WithExclusions(exclude),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired))
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: begin passkey registration: %w", err)
	}
	state, err := e.seal(sd, "register:"+u.ID)
	return opts, state, err
}

func (e *webauthnEngine) registerFinish(u *pause.User, state []byte, r *http.Request) ([]byte, []byte, error) {
	sd, err := e.open(state, "register:"+u.ID)
	if err != nil {
		return nil, nil, errRegister
	}
	wu, err := newWebauthnUser(u)
	if err != nil {
		return nil, nil, err
	}
	cred, err := e.w.FinishRegistration(wu, *sd, r)
	if err != nil {
		return nil, nil, err
	}
	if !cred.Flags.UserVerified {
		return nil, nil, errRegister
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: encode passkey: %w", err)
	}
	return cred.ID, record, nil
}
