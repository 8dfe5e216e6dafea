package basicauth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// MaxAuthorizationLength is the longest Authorization value ParseAuthorization
// decodes. The configured accounts are short, so a longer value cannot match
// one and is rejected before it is decoded.
const MaxAuthorizationLength = 4096

var (
	// ErrNoCredentials means the request carries no Authorization header.
	ErrNoCredentials = errors.New("no Authorization header")
	// ErrMalformed means the Authorization header is not a valid Basic
	// credential. The wrapping error gives the reason.
	ErrMalformed = errors.New("malformed Authorization header")
	// ErrInvalidCredentials means the user name or password is wrong.
	ErrInvalidCredentials = errors.New("invalid user name or password")
)

// Credentials are the user name and password carried by a Basic
// Authorization header.
type Credentials struct {
	Username string
	Password string
}

// ParseAuthorization decodes the request's Authorization header as RFC 7617
// Basic credentials. It accepts exactly one header whose value is the scheme
// "Basic" in any letter case, one space and one token of standard base64 with
// padding. The decoded text must be UTF-8 and is split at its first colon,
// so the password may contain colons. Errors match ErrNoCredentials or
// ErrMalformed and never contain the credentials.
func ParseAuthorization(h http.Header) (Credentials, error) {
	values := h.Values("Authorization")
	switch {
	case len(values) == 0:
		return Credentials{}, ErrNoCredentials
	case len(values) > 1:
		return Credentials{}, fmt.Errorf("%w: %d Authorization headers, want one",
			ErrMalformed, len(values))
	}
	value := values[0]
	if len(value) > MaxAuthorizationLength {
		return Credentials{}, fmt.Errorf("%w: value of %d bytes exceeds %d",
			ErrMalformed, len(value), MaxAuthorizationLength)
	}

	scheme, token, found := strings.Cut(value, " ")
	// The scheme stays out of the error: a client that sends a bare password
	// as the header value would otherwise have it logged.
	if !strings.EqualFold(scheme, "Basic") {
		return Credentials{}, fmt.Errorf("%w: scheme is not Basic", ErrMalformed)
	}
	if !found || token == "" {
		return Credentials{}, fmt.Errorf("%w: no credentials after the scheme", ErrMalformed)
	}
	if strings.ContainsAny(token, " \t") {
		return Credentials{}, fmt.Errorf("%w: more than one token after the scheme", ErrMalformed)
	}
	// The base64 decoder skips CR and LF, so check the alphabet first.
	if i := strings.IndexFunc(token, notBase64); i >= 0 {
		return Credentials{}, fmt.Errorf("%w: byte %d of the token is not base64", ErrMalformed, i)
	}

	decoded, err := base64.StdEncoding.Strict().DecodeString(token)
	if err != nil {
		return Credentials{}, fmt.Errorf("%w: invalid base64: %w", ErrMalformed, err)
	}
	if !utf8.Valid(decoded) {
		return Credentials{}, fmt.Errorf("%w: decoded credentials are not UTF-8", ErrMalformed)
	}
	user, password, found := strings.Cut(string(decoded), ":")
	if !found {
		return Credentials{}, fmt.Errorf("%w: no colon between user name and password",
			ErrMalformed)
	}
	return Credentials{Username: user, Password: password}, nil
}

// notBase64 reports whether r is outside the standard base64 alphabet.
func notBase64(r rune) bool {
	switch {
	case 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		return false
	case r == '+', r == '/', r == '=':
		return false
	}
	return true
}
