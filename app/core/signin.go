package core

import "net"

// PublicBase returns the URL where browsers reach Pause: PAUSE_PUBLIC_URL, or in development
// http://localhost and the port of PAUSE_ADDR. In production without PAUSE_PUBLIC_URL it is
// "", and setup links are paths (/auth/setup?token=...) to put after the API's address.
func (c Config) PublicBase() string {
	if c.PublicURL != "" || !c.Development() {
		return c.PublicURL
	}
	_, port, err := net.SplitHostPort(c.Addr)
	if err != nil || port == "" {
		port = "8080"
	}
	return "http://localhost:" + port
}

// AuthMaxBody is the largest request body the sign-in function takes: sign-in requests are
// small JSON (a passkey's attestation, the largest, is a few KB), so it takes far less than
// the API's PAUSE_MAX_BODY_BYTES lets through.
const AuthMaxBody = 64 << 10
