package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestSigningKeys: which keys of a JWKS are kept, by kid, and with which algorithm.
func TestSigningKeys(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ecKey := func(c elliptic.Curve) (x, y string) {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		p, err := k.PublicKey.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		n := (len(p) - 1) / 2
		return b64(p[1 : 1+n]), b64(p[1+n:])
	}
	x, y := ecKey(elliptic.P256())
	x384, y384 := ecKey(elliptic.P384())
	n, e := b64(rk.N.Bytes()), "AQAB"
	rsaJWK := `{"kty":"RSA","kid":"%s","n":"` + n + `","e":"AQAB"%s}`
	ecJWK := `{"kty":"EC","kid":"%s","crv":"P-256","x":"` + x + `","y":"` + y + `"%s}`
	key := func(format, kid, more string) string {
		return strings.Replace(strings.Replace(format, "%s", kid, 1), "%s", more, 1)
	}
	for name, tc := range map[string]struct {
		keys []string
		want map[string]string // kid: alg; nil: the set has no usable key
	}{
		"RSA and EC":         {[]string{key(rsaJWK, "r", `,"alg":"RS256","use":"sig"`), key(ecJWK, "e", `,"alg":"ES256","use":"sig"`)}, map[string]string{"r": "RS256", "e": "ES256"}},
		"no alg, no use":     {[]string{key(rsaJWK, "r", ""), key(ecJWK, "e", "")}, map[string]string{"r": "RS256", "e": "ES256"}},
		"Cognito's members":  {[]string{`{"alg":"RS256","e":"` + e + `","kid":"c","kty":"RSA","n":"` + n + `","use":"sig"}`}, map[string]string{"c": "RS256"}},
		"no kid":             {[]string{key(rsaJWK, "", ""), key(ecJWK, "e", "")}, map[string]string{"e": "ES256"}},
		"duplicate kid":      {[]string{key(ecJWK, "k", ""), key(rsaJWK, "k", "")}, map[string]string{"k": "ES256"}},
		"unusable, then dup": {[]string{key(ecJWK, "k", `,"use":"enc"`), key(rsaJWK, "k", "")}, map[string]string{"k": "RS256"}},
		"use enc":            {[]string{key(rsaJWK, "r", `,"use":"enc"`), key(ecJWK, "e", "")}, map[string]string{"e": "ES256"}},
		"use other":          {[]string{key(rsaJWK, "r", `,"use":"sign"`)}, nil},
		"alg of another":     {[]string{key(rsaJWK, "r", `,"alg":"RS512"`), key(rsaJWK, "r2", `,"alg":"ES256"`), key(ecJWK, "e", `,"alg":"RS256"`), key(ecJWK, "e2", `,"alg":"ES384"`)}, nil},
		"alg unknown":        {[]string{key(rsaJWK, "r", `,"alg":"FOO"`), key(ecJWK, "e", "")}, map[string]string{"e": "ES256"}},
		"RSA 1024":           {[]string{`{"kty":"RSA","kid":"s","n":"` + b64(small.N.Bytes()) + `","e":"AQAB"}`, key(ecJWK, "e", "")}, map[string]string{"e": "ES256"}},
		"P-384":              {[]string{`{"kty":"EC","kid":"p","crv":"P-384","x":"` + x384 + `","y":"` + y384 + `"}`, key(rsaJWK, "r", "")}, map[string]string{"r": "RS256"}},
		"curve unknown":      {[]string{`{"kty":"EC","kid":"k","crv":"secp256k1","x":"` + x + `","y":"` + y + `"}`, key(rsaJWK, "r", "")}, map[string]string{"r": "RS256"}},
		"not on the curve":   {[]string{`{"kty":"EC","kid":"k","crv":"P-256","x":"` + x + `","y":"` + x + `"}`, key(rsaJWK, "r", "")}, map[string]string{"r": "RS256"}},
		"other key types": {[]string{`{"kty":"oct","kid":"o","k":"c2VjcmV0"}`, `{"kty":"OKP","kid":"ed","crv":"Ed25519","x":"` + b64(make([]byte, 32)) + `"}`,
			`{"kty":"FOO","kid":"f"}`, key(rsaJWK, "r", "")}, map[string]string{"r": "RS256"}},
		"bad base64":       {[]string{`{"kty":"RSA","kid":"b","n":"!!","e":"AQAB"}`, key(ecJWK, "e", "")}, map[string]string{"e": "ES256"}},
		"missing n":        {[]string{`{"kty":"RSA","kid":"b","e":"AQAB"}`, key(ecJWK, "e", "")}, map[string]string{"e": "ES256"}},
		"e out of range":   {[]string{`{"kty":"RSA","kid":"b","n":"` + n + `","e":"AQAAAAAAAAAA"}`, key(ecJWK, "e", "")}, map[string]string{"e": "ES256"}},
		"member of a type": {[]string{`{"kty":"RSA","kid":7,"n":"` + n + `","e":"AQAB"}`, `{"kty":"RSA","kid":"x","n":"` + n + `","e":65537}`, key(ecJWK, "e", "")}, map[string]string{"e": "ES256"}},
		"not an object":    {[]string{`"key"`, `null`, key(ecJWK, "e", "")}, map[string]string{"e": "ES256"}},
		"padded base64url": {[]string{`{"kty":"RSA","kid":"p","n":"` + base64.URLEncoding.EncodeToString(rk.N.Bytes()) + `","e":"AQAB"}`}, map[string]string{"p": "RS256"}},
		"standard base64":  {[]string{`{"kty":"RSA","kid":"s","n":"` + base64.StdEncoding.EncodeToString(rk.N.Bytes()) + `","e":"AQAB"}`}, map[string]string{"s": "RS256"}},
		"n leading zero":   {[]string{`{"kty":"RSA","kid":"z","n":"` + b64(append([]byte{0}, rk.N.Bytes()...)) + `","e":"AQAB"}`}, map[string]string{"z": "RS256"}},
		"x5c not a cert":   {[]string{key(rsaJWK, "r", `,"x5c":["AAAA"],"x5t":"AAAA","x5t#S256":"AAAA","x5u":"http://idp.example/c"`)}, map[string]string{"r": "RS256"}},
		"key_ops":          {[]string{key(rsaJWK, "r", `,"key_ops":["verify","frobnicate"]`)}, map[string]string{"r": "RS256"}},
		"private members": {[]string{key(rsaJWK, "r", `,"d":"`+b64(rk.D.Bytes())+`","p":"`+b64(rk.Primes[0].Bytes())+`","q":"`+b64(rk.Primes[1].Bytes())+
			`","dp":"`+b64(rk.Precomputed.Dp.Bytes())+`","dq":"`+b64(rk.Precomputed.Dq.Bytes())+`","qi":"`+b64(rk.Precomputed.Qinv.Bytes())+`"`),
			key(ecJWK, "e", `,"d":"`+b64(make([]byte, 32))+`"`)}, map[string]string{"r": "RS256", "e": "ES256"}},
		"empty": {nil, nil},
	} {
		entries := make([]json.RawMessage, len(tc.keys))
		for i, k := range tc.keys {
			entries[i] = json.RawMessage(k)
		}
		got, err := signingKeys(entries)
		if tc.want == nil {
			if err == nil || err.Error() != "no RS256 or ES256 signing key with a kid" {
				t.Errorf("%s: keys %v, error %v; want no usable key", name, slices.Sorted(maps.Keys(got)), err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		algs := map[string]string{}
		for kid, k := range got {
			algs[kid] = k.alg
			switch k.key.(type) { // public keys only, whatever the JWK carried
			case *rsa.PublicKey, *ecdsa.PublicKey:
			default:
				t.Errorf("%s: key %s is a %T", name, kid, k.key)
			}
		}
		if !maps.Equal(algs, tc.want) {
			t.Errorf("%s: keys %v, want %v", name, algs, tc.want)
		}
	}
}

// TestJWKSEntries: the shapes of a JWKS document.
func TestJWKSEntries(t *testing.T) {
	for body, want := range map[string]int{
		`{"keys":[{"kty":"RSA"},{"kty":"EC"}]}`:  2,
		`{"keys":[],"extra":1}`:                  0,
		`{"kty":"RSA","kid":"k","n":"AQAB"}`:     1, // a single JWK
		`{}`:                                     -1,
		`{"keys":null}`:                          -1,
		`{"keys":{}}`:                            -1,
		`{"KEYS":[]}`:                            -1,
		`[]`:                                     -1,
		`<html>`:                                 -1,
		`{"keys":[{"kty":"RSA"}]} trailing data`: -1,
	} {
		entries, err := jwksEntries([]byte(body))
		switch {
		case want < 0 && err == nil:
			t.Errorf("%s: %d entries, want an error", body, len(entries))
		case want >= 0 && (err != nil || len(entries) != want):
			t.Errorf("%s: %d entries, error %v; want %d", body, len(entries), err, want)
		}
	}
}
