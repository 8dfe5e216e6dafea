package basicauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// SessionCookie is the name of the cookie that records the logged-in user,
// the name Flask gives its session cookie.
const SessionCookie = "session"

// MinSessionKeyLength is the shortest HMAC key New accepts, in bytes.
const MinSessionKeyLength = 16

// ErrInvalidSession means a session value is malformed or its signature
// does not verify.
var ErrInvalidSession = errors.New("invalid session cookie")

// sessionPayload is the signed content of the session cookie. It names the
// user and never contains the password.
type sessionPayload struct {
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
	IssuedAt int64    `json:"iat"`
}

// EncodeSession returns a session value naming u, signed with HMAC-SHA256
// under key: base64url(JSON payload) "." base64url(MAC).
func EncodeSession(key []byte, u User, now time.Time) string {
	payload, err := json.Marshal(sessionPayload{
		Username: u.Username,
		Groups:   u.Groups,
		IssuedAt: now.Unix(),
	})
	if err != nil {
		// A struct of strings and an integer always encodes.
		panic(fmt.Sprintf("encode session payload: %v", err))
	}
	body := base64.RawURLEncoding.EncodeToString(payload)
	return body + "." + base64.RawURLEncoding.EncodeToString(sign(key, body))
}

// DecodeSession verifies a session value made by EncodeSession with the same
// key and returns the user name it holds. Errors match ErrInvalidSession.
func DecodeSession(key []byte, value string) (string, error) {
	body, mac, found := strings.Cut(value, ".")
	if !found {
		return "", fmt.Errorf("%w: no signature", ErrInvalidSession)
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil {
		return "", fmt.Errorf("%w: signature: %w", ErrInvalidSession, err)
	}
	if !hmac.Equal(got, sign(key, body)) {
		return "", fmt.Errorf("%w: signature does not verify", ErrInvalidSession)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", fmt.Errorf("%w: payload: %w", ErrInvalidSession, err)
	}
	var p sessionPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", fmt.Errorf("%w: payload: %w", ErrInvalidSession, err)
	}
	return p.Username, nil
}

func sign(key []byte, body string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(body))
	return m.Sum(nil)
}

// sessionCookie builds the cookie set on every authorised response.
func sessionCookie(key []byte, u User, now time.Time) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookie,
		Value:    EncodeSession(key, u, now),
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}
