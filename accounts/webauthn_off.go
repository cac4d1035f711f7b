//go:build nopasskeys

package accounts

// newPasskeys, in builds with the tag nopasskeys (for a build that must do without go-webauthn's
// 2 MB; make lambda no longer uses it: the sign-in function has passkeys, and the API's
// function has no accounts at all), has no engine: passkeys answer NOT_FOUND there, and users
// sign in with password and TOTP, or single sign-on.
func newPasskeys(PasskeyConfig, []byte) (passkeyEngine, error) { return nil, nil }
