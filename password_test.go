package pause_test

import (
	"strings"
	"testing"

	"pause"
)

// TestPasswordPolicy: at least 8 characters, 64 and more allowed, no composition rules, common
// passwords refused (ASVS 6.2.1, 6.2.4, 6.2.5, 6.2.9).
func TestPasswordPolicy(t *testing.T) {
	for _, c := range []struct {
		password string
		ok       bool
	}{
		{"seven77", false},
		{"eightch!", true},
		{"alllowercaseletters", true},                 // no composition rules
		{strings.Repeat("long passphrase ", 8), true}, // 128 characters
		{strings.Repeat("é", 256), true},
		{strings.Repeat("a", 257), false},
		{"password", false},
		{"Password", false}, // common, whatever the case
		{"iloveyou", false},
		{"qwertyuiop", false},
		{"ed@example.com", false}, // the email itself
		{"\xff\xfe invalid utf8", false},
	} {
		err := pause.CheckPassword(c.password, "ed@example.com")
		if (err == nil) != c.ok {
			t.Errorf("CheckPassword(%q) = %v, want ok %v", c.password, err, c.ok)
		}
		if err != nil && (pause.ErrorCode(err) != pause.EINVALID || pause.ErrorField(err) != "password") {
			t.Errorf("CheckPassword(%q) = %v, want BAD_USER_INPUT on password", c.password, err)
		}
	}
}
