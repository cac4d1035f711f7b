package auth_test

import (
	"strings"
	"testing"
	"time"

	"pause"
	"pause/auth"
)

// TestAcceptPrevious: during a rotation, tokens signed with the previous secret still verify,
// new tokens are signed with the current one only, and a token of any other secret is refused.
func TestAcceptPrevious(t *testing.T) {
	oldSecret, newSecret := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	before, err := auth.NewTokens(oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	oldToken, err := before.Issue("alice", pause.RoleEditor, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	after, err := auth.NewTokens(newSecret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := after.Verify(oldToken); pause.ErrorCode(err) != pause.EUNAUTHENTICATED {
		t.Fatalf("without the previous secret, an old token: %v", err)
	}
	if err := after.AcceptPrevious([]byte("short")); err == nil {
		t.Error("a short previous secret is accepted")
	}
	if err := after.AcceptPrevious(oldSecret); err != nil {
		t.Fatal(err)
	}
	v, err := after.Verify(oldToken)
	if err != nil || v.Subject != "alice" || v.Role != pause.RoleEditor {
		t.Fatalf("an old token during the rotation: %v, %v", v, err)
	}
	newToken, err := after.Issue("bob", pause.RoleViewer, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := before.Verify(newToken); err == nil {
		t.Error("a new token is signed with the previous secret")
	}
	other, _ := auth.NewTokens([]byte(strings.Repeat("x", 32)))
	foreign, _ := other.Issue("eve", pause.RoleAdmin, time.Hour)
	if _, err := after.Verify(foreign); pause.ErrorCode(err) != pause.EUNAUTHENTICATED {
		t.Errorf("a token of another secret: %v", err)
	}
	// An expired old token stays expired: the previous secret does not revive it.
	expired, _ := before.Issue("carol", pause.RoleEditor, time.Minute)
	after.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if _, err := after.Verify(expired); err == nil || !strings.Contains(pause.ErrorMessage(err), "expired") {
		t.Errorf("an expired old token: %v", err)
	}
}
