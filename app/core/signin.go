package core

import (
	"net"
	"net/url"
	"strings"
)

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

// studioOrigins returns the origin of PublicBase, the one origin (beside the server's own
// host) whose pages may use the session cookie.
func (c Config) studioOrigins() []string {
	u, err := url.Parse(c.PublicBase())
	if err != nil || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}

// AuthMaxBody is the largest request body the sign-in function takes: sign-in requests are
// small JSON (a passkey's attestation, the largest, is a few KB), so it refuses far less than
// the API's PAUSE_MAX_BODY_BYTES would let through.
const AuthMaxBody = 64 << 10

// originSecrets returns PAUSE_ORIGIN_SECRET's values.
func (c Config) originSecrets() []string { return strings.Split(c.OriginSecret, ",") }
