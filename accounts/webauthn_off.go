//go:build nopasskeys

package accounts

// newPasskeys, in builds with the tag nopasskeys (the Lambda bootstrap: go-webauthn would add
// 2 MB to its 15 MB budget, docs/SECURITY.md), has no engine: passkeys answer NOT_FOUND there,
// and users sign in with password and TOTP, or single sign-on.
func newPasskeys(PasskeyConfig, []byte) (passkeyEngine, error) { return nil, nil }
