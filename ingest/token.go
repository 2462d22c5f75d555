package ingest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// tokenPrefix starts every API token, so a leaked one is easy to recognise in a scan.
const tokenPrefix = "mygov_"

// NewToken returns a new API token (shown once to the operator) and the hash the store
// keeps: 32 random bytes, URL-safe base64, with tokenPrefix.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never fails (it panics instead)
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of the token: tokens are random and long, so a plain hash
// is enough and lets the store find a key by it.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// bearer returns the token of an Authorization header, or "".
func bearer(header string) string {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 128 {
		return ""
	}
	return token
}
