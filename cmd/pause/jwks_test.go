package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestExternalIdentity: with PAUSE_JWKS_URL set, tokens of an external issuer (as a Cognito
// user pool issues them) are accepted beside Pause's own, with the role from a group claim.
func TestExternalIdentity(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := priv.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	body, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "EC", "kid": "k1", "alg": "ES256", "crv": "P-256", "x": b64(pub[1:33]), "y": b64(pub[33:]),
	}}})
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer idp.Close()

	in := start(t, map[string]string{
		"PAUSE_ADDR": freeAddr(t), "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"),
		"PAUSE_JWKS_URL": idp.URL, "PAUSE_JWT_ISSUER": "https://idp.example", "PAUSE_JWT_AUDIENCE": "pause-app",
		"PAUSE_JWT_ROLE_CLAIM": "cognito:groups",
	})
	defer in.stop()
	sign := func(key any, claims jwt.MapClaims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
		tok.Header["kid"] = "k1"
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	claims := jwt.MapClaims{
		"iss": "https://idp.example", "aud": "pause-app", "sub": "carol", "cognito:groups": []string{"staff", "editor"},
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
	}
	var v struct {
		Viewer struct{ Role, Subject string }
	}
	in.must(sign(priv, claims), `{ viewer { role subject } }`, nil, &v)
	if v.Viewer.Role != "EDITOR" || v.Viewer.Subject != "carol" {
		t.Fatalf("viewer = %+v", v.Viewer)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if r := in.query(sign(other, claims), `{ viewer { role } }`, nil); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("a token signed by another key: %+v", r.Errors)
	}
	// Pause's own tokens still work beside them.
	in.must(in.token("admin"), `{ viewer { role } }`, nil, &v)
	if v.Viewer.Role != "ADMIN" {
		t.Fatalf("own token viewer = %+v", v.Viewer)
	}
}
