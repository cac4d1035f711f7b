package accounts

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// box encrypts small secrets (TOTP secrets) at rest with AES-256-GCM, under a key derived
// from the server's secret with HKDF-SHA256. Each ciphertext is bound to the user it belongs to
// (the additional data), so that one user's secret cannot be copied onto another's record.
type box struct{ aead cipher.AEAD }

// newBox derives the key for the purpose from the server secret.
func newBox(serverSecret []byte, purpose string) (*box, error) {
	if len(serverSecret) < 32 {
		return nil, errors.New("accounts: the server secret must have at least 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, serverSecret, nil, "pause "+purpose+" v1", 32)
	if err != nil {
		return nil, fmt.Errorf("accounts: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("accounts: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("accounts: cipher: %w", err)
	}
	return &box{aead: aead}, nil
}

// seal returns nonce || ciphertext of the plaintext for the owner.
func (b *box) seal(plaintext []byte, owner string) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	_, _ = rand.Read(nonce)
	return b.aead.Seal(nonce, nonce, plaintext, []byte(owner))
}

// open returns the plaintext that seal sealed for the owner.
func (b *box) open(sealed []byte, owner string) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, errors.New("accounts: sealed secret too short")
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], []byte(owner))
	if err != nil {
		return nil, fmt.Errorf("accounts: open sealed secret: %w", err)
	}
	return out, nil
}
