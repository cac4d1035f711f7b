package accounts

import (
	"strings"
	"testing"
)

var cheap = Params{Memory: 1024, Time: 1, Threads: 1}

// TestPasswordHash: argon2id PHC strings with a salt per hash; passwords are verified byte
// for byte, with no truncation or folding (ASVS 6.2.8, 11.4.2).
func TestPasswordHash(t *testing.T) {
	long := strings.Repeat("ünïcödé ", 12) + "end" // 100+ bytes
	if len(long) < 100 {
		t.Fatal("not long enough")
	}
	h1, h2 := HashPassword(long, cheap), HashPassword(long, cheap)
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=1024,t=1,p=1$") || h1 == h2 {
		t.Fatalf("hashes %q, %q: want argon2id PHC strings with different salts", h1, h2)
	}
	for _, c := range []struct {
		pw string
		ok bool
	}{
		{long, true},
		{long[:len(long)-1], false},    // truncated
		{long + " ", false},            // trailing space
		{strings.ToUpper(long), false}, // case-folded
		{"", false},
	} {
		if ok, _ := VerifyPassword(c.pw, h1, cheap); ok != c.ok {
			t.Errorf("VerifyPassword(%q) = %v, want %v", c.pw, ok, c.ok)
		}
	}
	if _, rehash := VerifyPassword(long, h1, cheap); rehash {
		t.Errorf("same parameters: no rehash wanted")
	}
	if ok, rehash := VerifyPassword(long, h1, DefaultParams); !ok || !rehash {
		t.Errorf("other parameters: ok %v, rehash %v; want both", ok, rehash)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", "plain"} {
		if ok, _ := VerifyPassword("x", bad, cheap); ok {
			t.Errorf("VerifyPassword against %q succeeded", bad)
		}
	}
}

// TestSecretBox: TOTP secrets are sealed with a key derived from the server secret, bound to
// their user; another server secret or another user cannot open them.
func TestSecretBox(t *testing.T) {
	b, err := newBox([]byte(strings.Repeat("k", 32)), "totp secret")
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.seal([]byte("JBSWY3DPEHPK3PXP"), "user-1")
	if strings.Contains(string(sealed), "JBSWY3DPEHPK3PXP") {
		t.Fatal("sealed secret holds the plaintext")
	}
	if got, err := b.open(sealed, "user-1"); err != nil || string(got) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := b.open(sealed, "user-2"); err == nil {
		t.Fatal("another user's record opened the secret")
	}
	other, _ := newBox([]byte(strings.Repeat("j", 32)), "totp secret")
	if _, err := other.open(sealed, "user-1"); err == nil {
		t.Fatal("another server secret opened the secret")
	}
	if _, err := newBox([]byte("short"), "x"); err == nil {
		t.Fatal("a short server secret was accepted")
	}
}
