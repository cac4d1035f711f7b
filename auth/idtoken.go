package auth

import (
	"context"
	"errors"
	"slices"

	"github.com/golang-jwt/jwt/v5"

	"pause"
)

// IDToken is what Pause takes from an OpenID Connect ID token.
type IDToken struct {
	Issuer, Subject string
	Nonce           string
	Email           string
	EmailVerified   bool
	Name            string
	// Role is the highest role named by the configured role claim, or "" if none is.
	Role pause.Role
}

// IDToken verifies an ID token that the issuer gave Pause itself (by the authorization code
// flow): signed with RS256 or ES256 by a key of the JWKS, with the configured iss, exp (and
// iat, nbf) valid with 30 s of leeway, the configured audience (the client id) in aud, azp
// equal to it when present, and a sub. The caller checks the nonce. Failures are
// EUNAUTHENTICATED, and EUNAVAILABLE when the keys cannot be fetched (OpenID Connect Core
// 3.1.3.7).
func (j *JWKS) IDToken(ctx context.Context, token string) (*IDToken, error) {
	claims, keyErr, err := j.parse(ctx, token, "auth: id token", false, jwt.WithAudience(j.cfg.Audience))
	switch {
	case keyErr != nil:
		return nil, keyErr
	case err != nil:
		return nil, invalid(err)
	}
	aud, _ := claims.GetAudience()
	if azp, ok := claims["azp"].(string); (ok && azp != j.cfg.Audience) || (!ok && len(aud) > 1) {
		return nil, invalid(errors.New("auth: id token: azp is not the client"))
	}
	if !slices.Contains(aud, j.cfg.Audience) {
		return nil, invalid(errors.New("auth: id token: wrong audience"))
	}
	t := &IDToken{Issuer: j.cfg.Issuer}
	t.Subject, _ = claims.GetSubject()
	if t.Subject == "" {
		return nil, invalid(errors.New("auth: id token: no sub"))
	}
	t.Nonce, _ = claims["nonce"].(string)
	t.Email, _ = claims["email"].(string)
	t.EmailVerified, _ = claims["email_verified"].(bool)
	t.Name, _ = claims["name"].(string)
	if r, ok := highestRole(claims[j.cfg.RoleClaim]); ok {
		t.Role = r
	}
	return t, nil
}
