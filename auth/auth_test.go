package auth_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"pause"
	"pause/auth"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func TestIssueVerify(t *testing.T) {
	tokens, err := auth.NewTokens(secret)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokens.Issue("alice", pause.RoleEditor, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	v, err := tokens.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if v.Subject != "alice" || v.Role != pause.RoleEditor {
		t.Fatalf("Verify = %+v, want alice EDITOR", v)
	}
}

func TestVerifyRefuses(t *testing.T) {
	tokens, _ := auth.NewTokens(secret)
	other, _ := auth.NewTokens([]byte(strings.Repeat("x", 32)))
	past := &auth.Tokens{}
	*past = *tokens
	past.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expired, _ := past.Issue("alice", pause.RoleAdmin, time.Hour)
	foreign, _ := other.Issue("alice", pause.RoleAdmin, time.Hour)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"sub": "alice", "role": "admin", "iss": "pause", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{
		"sub": "alice", "role": "admin", "iss": "pause", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString(secret)
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "alice", "role": "admin", "iss": "pause",
	}).SignedString(secret)
	badRole, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "alice", "role": "owner", "iss": "pause", "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString(secret)
	for name, tok := range map[string]string{
		"expired": expired, "foreign key": foreign, "alg none": none, "HS512": hs512,
		"no exp": noExp, "unknown role": badRole, "garbage": "not.a.token", "empty": "",
	} {
		if _, err := tokens.Verify(tok); pause.ErrorCode(err) != pause.EUNAUTHENTICATED {
			t.Errorf("%s: Verify error = %v, want UNAUTHENTICATED", name, err)
		}
	}
}

func TestShortSecret(t *testing.T) {
	if _, err := auth.NewTokens([]byte("short")); err == nil {
		t.Fatal("NewTokens accepted a 5-byte secret")
	}
}

func TestLoadOrCreateSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir", "jwt-secret")
	a, err := auth.LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := auth.LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) || len(a) < auth.MinSecret {
		t.Fatalf("secrets differ or too short: %q %q", a, b)
	}
}
