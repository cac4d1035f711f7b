package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"pause"
)

// TOTP (RFC 6238): 6 digits, 30-second steps, SHA-1 (what every authenticator app supports).
// A code is accepted for its own step and one step either side (clock skew), and only for a
// step later than the last one accepted: each code works once (ASVS 6.5.1, 6.5.5).
const (
	totpPeriod = 30
	totpSkew   = 1
)

var totpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// newTOTPKey returns a new TOTP secret (base32) and its otpauth:// URL for the account.
func newTOTPKey(issuer, account string) (secret, url string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", err
	}
	return k.Secret(), k.URL(), nil
}

// totpURL returns the otpauth:// URL of an existing secret.
func totpURL(issuer, account, secret string) string {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return ""
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod,
		Secret: raw, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return ""
	}
	return k.URL()
}

// checkTOTP returns the step of the code if it is valid at now for the secret, with a step
// after last; ok is false otherwise.
func checkTOTP(secret, code string, now time.Time, last int64) (step int64, ok bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	for s := current - totpSkew; s <= current+totpSkew; s++ {
		if s <= last || s < 0 {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(s), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// TOTPCode returns the code of the secret at the time: what an authenticator app shows. For
// tests and for `pause totp`.
func TOTPCode(secret string, t time.Time) (string, error) {
	return hotp.GenerateCodeCustom(secret, uint64(t.Unix()/totpPeriod), totpOpts)
}

// RecoveryCodes is how many recovery codes a user gets at enrolment.
const RecoveryCodes = 10

var recoveryEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// newRecoveryCodes returns n new recovery codes (80 random bits each, as xxxx-xxxx-xxxx-xxxx)
// and their hashes.
func newRecoveryCodes(n int) (codes, hashes []string) {
	for range n {
		b := make([]byte, 10)
		_, _ = rand.Read(b)
		s := recoveryEncoding.EncodeToString(b)
		code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		codes = append(codes, code)
		hashes = append(hashes, pause.HashSecret(code))
	}
	return codes, hashes
}

// isRecoveryCode reports whether the code has the shape of a recovery code.
func isRecoveryCode(code string) bool { return len(strings.TrimSpace(code)) == 19 }

// useRecoveryCode returns the hashes without the one of the code, and whether it was there.
func useRecoveryCode(hashes []string, code string) ([]string, bool) {
	h := pause.HashSecret(strings.ToLower(strings.TrimSpace(code)))
	for i, x := range hashes {
		if subtle.ConstantTimeCompare([]byte(x), []byte(h)) == 1 {
			return append(append([]string{}, hashes[:i]...), hashes[i+1:]...), true
		}
	}
	return hashes, false
}
