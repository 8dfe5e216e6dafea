package gateway

import (
	"net/url"
	"strings"
	"unicode"
)

// maxRedirectTarget is the longest redirect target the gateway accepts, in bytes.
const maxRedirectTarget = 2048

// safeRedirectTarget returns next when it is a path on the gateway's own
// origin, and "/" otherwise. It rejects absolute URLs, protocol-relative
// paths ("//host", "/\host"), scheme-relative forms ("https:host"), and
// paths that turn into any of those once percent-decoded or once a browser
// drops their tabs and line breaks ("/%09/host").
func safeRedirectTarget(next string) string {
	if isSameOriginPath(next) {
		return next
	}
	return "/"
}

func isSameOriginPath(next string) bool {
	if next == "" || len(next) > maxRedirectTarget || !strings.HasPrefix(next, "/") {
		return false
	}
	if strings.ContainsFunc(next, isUnsafeRune) {
		return false
	}
	// Check the path as sent and after each round of percent-decoding,
	// because a browser or a later hop may decode it once more. The query
	// and fragment cannot change the origin.
	current, _, _ := strings.Cut(next, "?")
	current, _, _ = strings.Cut(current, "#")
	for range 3 {
		if !isPlainPath(current) {
			return false
		}
		decoded, err := url.PathUnescape(current)
		if err != nil {
			return false
		}
		if decoded == current {
			break
		}
		current = decoded
	}
	u, err := url.Parse(next)
	if err != nil {
		return false
	}
	return u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == "" &&
		strings.HasPrefix(u.Path, "/")
}

// isPlainPath reports whether p starts with exactly one slash and holds no
// backslash, control character or space, any of which browsers may rewrite.
func isPlainPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") &&
		!strings.ContainsFunc(p, isUnsafeRune)
}

func isUnsafeRune(r rune) bool {
	return r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) || r == unicode.ReplacementChar
}
