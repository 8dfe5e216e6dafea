package gateway

import (
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// noStoreWriter forces Cache-Control: no-store on the app's responses, over
// whatever caching the app asked for.
type noStoreWriter struct {
	http.ResponseWriter
	wroteHeader bool
}

func (w *noStoreWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Del("Expires")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *noStoreWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *noStoreWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// isPageRequest reports whether r is a browser's page navigation: GET or
// HEAD, accepting HTML, not an XHR or fetch, and not for Dash's internal
// routes under /_dash-.
func isPageRequest(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if r.Header.Get("X-Requested-With") != "" {
		return false
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" && mode != "navigate" {
		return false
	}
	if strings.HasPrefix(r.URL.Path, "/_dash-") {
		return false
	}
	return acceptsHTML(r.Header.Values("Accept"))
}

// acceptsHTML reports whether Accept values name text/html or
// application/xhtml+xml with a non-zero quality. A wildcard alone does not
// count, so clients that accept anything are treated as API clients.
func acceptsHTML(values []string) bool {
	for _, value := range values {
		for _, part := range strings.Split(value, ",") {
			mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			if mediaType != "text/html" && mediaType != "application/xhtml+xml" {
				continue
			}
			if q, ok := params["q"]; ok {
				if weight, err := strconv.ParseFloat(q, 64); err != nil || weight <= 0 {
					continue
				}
			}
			return true
		}
	}
	return false
}

// writeJSONError writes a JSON error body {"error", "message"} and, when
// loginURL is set, "login_url".
func writeJSONError(w http.ResponseWriter, status int, code, message, loginURL string) {
	body := map[string]string{"error": code, "message": message}
	if loginURL != "" {
		body["login_url"] = loginURL
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

const pageTemplate = `<!DOCTYPE html>
<html>
<head><meta charset="UTF-8"><title>%s</title></head>
<body>
<h1 id="auth-message">%s</h1>
<p>%s</p>
<p>%s</p>
</body>
</html>
`

// writePage writes a short HTML page. title and message are escaped; link,
// when set, is an href and its text.
func writePage(w http.ResponseWriter, status int, title, message string, link [2]string) {
	anchor := ""
	if link[0] != "" {
		anchor = fmt.Sprintf(`<a id="auth-link" href="%s">%s</a>`, html.EscapeString(link[0]),
			html.EscapeString(link[1]))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(status)
	fmt.Fprintf(w, pageTemplate, html.EscapeString(title), html.EscapeString(title),
		html.EscapeString(message), anchor)
}

// deny responds with 403 to a logged-in user whom a Restricted app does not admit.
func (g *Gateway) deny(w http.ResponseWriter, r *http.Request, u *user) {
	if !isPageRequest(r) {
		writeJSONError(w, http.StatusForbidden, "access_denied",
			"this user may not use this app", "")
		return
	}
	writePage(w, http.StatusForbidden, "Access denied",
		fmt.Sprintf("You are logged in as %s, who may not use this app. Ask its owner "+
			"for access, or log out and log in as another user.", u.Username),
		[2]string{LogoutPath, "Log out"})
}

// failLogin writes the error page of a login that did not produce a session.
// message is shown to the user and must not contain secrets.
func failLogin(w http.ResponseWriter, status int, message string) {
	writePage(w, status, "Login failed", message, [2]string{loginURL("/"), "Try again"})
}
