package pause

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// Password policy (ASVS 6.2.1, 6.2.4, 6.2.5, 6.2.8, 6.2.9): at least MinPassword characters,
// at most MaxPassword, any characters at all (no composition rules), used as given (never
// truncated, trimmed or case-folded), and not one of the common passwords.
const (
	MinPassword = 8
	MaxPassword = 256
)

// commonPasswords are the 11,611 passwords of 8 characters or more among the 30,000 most
// common ones of zxcvbn's list (Dropbox, MIT licence), one a line, lower-case, most common first.
//
//go:embed commonpasswords.txt
var commonPasswords string

var (
	commonOnce sync.Once
	commonSet  map[string]struct{}
)

// IsCommonPassword reports whether the password, ignoring case, is one of the common ones.
// The list is read on first use, never at start-up.
func IsCommonPassword(p string) bool {
	commonOnce.Do(func() {
		commonSet = make(map[string]struct{}, 12000)
		for _, line := range strings.Split(commonPasswords, "\n") {
			if line != "" {
				commonSet[line] = struct{}{}
			}
		}
	})
	_, ok := commonSet[strings.ToLower(p)]
	return ok
}

// CheckPassword returns EINVALID (field "password") if the password does not meet the policy.
// email, if given, is refused as a password too.
func CheckPassword(p, email string) error {
	n := utf8.RuneCountInString(p)
	switch {
	case !utf8.ValidString(p):
		return FieldErrorf("password", "password is not valid UTF-8")
	case n < MinPassword:
		return FieldErrorf("password", "password must have at least %d characters (a few words make a good one)", MinPassword)
	case n > MaxPassword:
		return FieldErrorf("password", "password must have at most %d characters", MaxPassword)
	case IsCommonPassword(p):
		return FieldErrorf("password", "password is one of the most common passwords: choose another")
	case email != "" && strings.EqualFold(p, email):
		return FieldErrorf("password", "password must not be your email address")
	}
	return nil
}
