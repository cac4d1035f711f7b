package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// Sealer seals the endpoints' signing secrets at rest with AES-256-GCM, under a key derived
// from Pause's own secret (PAUSE_JWT_SECRET): the store alone (a copy of the file, a table
// export) does not give the secrets away. It implements pause.Sealer.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns the sealer whose key derives from the secret.
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) < 16 {
		return nil, errors.New("webhook: the sealing secret is shorter than 16 bytes")
	}
	key := sha256.Sum256(append([]byte("pause webhook secrets\x00"), secret...))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal returns the secret sealed: v1., the nonce and the ciphertext, in base64.
func (s *Sealer) Seal(plain string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return "v1." + base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), nil)), nil
}

// Open returns the secret that Seal sealed, or an error if it was sealed under another key
// or changed.
func (s *Sealer) Open(sealed string) (string, error) {
	if len(sealed) < 3 || sealed[:3] != "v1." {
		return "", errors.New("webhook: not a sealed secret")
	}
	b, err := base64.RawStdEncoding.DecodeString(sealed[3:])
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("webhook: not a sealed secret")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return "", fmt.Errorf("webhook: open a sealed secret (sealed under another PAUSE_JWT_SECRET?): %w", err)
	}
	return string(plain), nil
}
