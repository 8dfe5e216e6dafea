package basicauth

import (
	"io"
	"net/http"
	"strings"
)

// LoginRequired is the body of the 401 challenge, the text dash-auth sends.
const LoginRequired = "Login Required"

// Challenge returns the WWW-Authenticate value for realm: the Basic scheme
// with the realm and charset="UTF-8". RFC 7617 defines that parameter to
// request UTF-8 credentials from clients.
func Challenge(realm string) string {
	return `Basic realm="` + quotedString(realm) + `", charset="UTF-8"`
}

// WriteChallenge writes the 401 response to a request without valid
// credentials: the challenge header and a short text body that contains none
// of the protected content.
func WriteChallenge(w http.ResponseWriter, realm string) {
	h := w.Header()
	h.Set("WWW-Authenticate", Challenge(realm))
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	io.WriteString(w, LoginRequired)
}

// quotedString escapes s for an HTTP quoted-string.
func quotedString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}
