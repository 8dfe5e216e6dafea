package conformance

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Exchange is one request sent and the response got, kept as evidence.
type Exchange struct {
	Method        string
	URL           string
	RequestHeader http.Header
	RequestBody   []byte
	// Raw marks a request written byte for byte.
	Raw bool

	Status   int
	Proto    string
	Header   http.Header
	Body     []byte
	FinalURL string
	// Err is a transport error: no response was got.
	Err error

	redactor *Redactor
}

// OK reports whether a response arrived with a 2xx status.
func (ex *Exchange) OK() bool { return ex.Err == nil && ex.Status >= 200 && ex.Status < 300 }

// Got returns a short summary of the response: "401 (WWW-Authenticate:
// Basic realm=...)" or the transport error.
func (ex *Exchange) Got() string {
	if ex.Err != nil {
		msg := "no response: " + ex.Err.Error()
		if strings.Contains(msg, "Client.Timeout") || strings.Contains(msg, "deadline exceeded") {
			msg += " (raise timeout in the profile if the target is slow)"
		}
		return msg
	}
	s := fmt.Sprintf("%d", ex.Status)
	if loc := ex.Header.Get("Location"); loc != "" {
		s += " to " + loc
	}
	return s
}

// String renders the exchange for a failure message, secrets redacted.
func (ex *Exchange) String() string {
	var b strings.Builder
	kind := "request"
	if ex.Raw {
		kind = "raw request"
	}
	fmt.Fprintf(&b, "%s: %s %s\n", kind, ex.Method, ex.redactor.Redact(ex.URL))
	writeHeaders(&b, ex.RequestHeader, ex.redactor)
	if len(ex.RequestBody) > 0 {
		fmt.Fprintf(&b, "    body: %s\n", ex.redactor.excerpt(ex.RequestBody, 240))
	}
	if ex.Err != nil {
		fmt.Fprintf(&b, "response: none (%s)\n", printable(ex.redactor.Redact(ex.Err.Error()), 300))
		return b.String()
	}
	fmt.Fprintf(&b, "response: %d %s\n", ex.Status, http.StatusText(ex.Status))
	writeHeaders(&b, pickHeaders(ex.Header, ex.redactor), ex.redactor)
	if ex.FinalURL != "" {
		fmt.Fprintf(&b, "    (after redirects, at %s)\n", ex.FinalURL)
	}
	if len(ex.Body) > 0 {
		fmt.Fprintf(&b, "    body (%d bytes): %s\n", len(ex.Body), ex.redactor.excerpt(ex.Body, 240))
	} else {
		b.WriteString("    body: empty\n")
	}
	return b.String()
}

// responseHeaders are the response headers shown in evidence.
var responseHeaders = []string{"Www-Authenticate", "Location", "Content-Type", "Set-Cookie",
	"Cache-Control", "Content-Length"}

func pickHeaders(h http.Header, r *Redactor) http.Header {
	out := http.Header{}
	for _, k := range responseHeaders {
		if v, ok := h[k]; ok {
			out[k] = v
		}
	}
	// A header that carries a secret is shown too, redacted, so a reader
	// can find an echoed password.
	for k, values := range h {
		for _, v := range values {
			if r.Redact(v) != v {
				out[k] = values
			}
		}
	}
	return out
}

func writeHeaders(b *strings.Builder, h http.Header, r *Redactor) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "    %s: %s\n", k, r.header(k, v))
		}
	}
}

// MinSecretLength is the shortest secret a Redactor hides.
const MinSecretLength = 4

// Redactor hides secrets in evidence: passwords from the profile, and any
// other secret a check sends.
type Redactor struct {
	mu      sync.Mutex
	secrets []string
}

// Add registers secrets to hide, with their base64 and percent-encoded
// forms. Empty strings are ignored.
func (r *Redactor) Add(secrets ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		// Hiding a one- to three-character secret everywhere would hide the
		// evidence itself; such passwords protect nothing anyway.
		if len(s) < MinSecretLength {
			continue
		}
		r.secrets = append(r.secrets, s, url.QueryEscape(s), url.PathEscape(s),
			base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)))
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// AddCredentials hides a password and the Authorization token that
// carries it.
func (r *Redactor) AddCredentials(c Credentials) {
	if c.Password == "" {
		return
	}
	r.Add(c.Password)
	r.mu.Lock()
	defer r.mu.Unlock()
	token := strings.TrimPrefix(c.BasicHeader(), "Basic ")
	r.secrets = append(r.secrets, token, strings.TrimRight(token, "="))
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// secretParams matches query parameters that carry one-time codes or
// tokens, in URLs shown as evidence.
var secretParams = regexp.MustCompile(`([?&](?:code|id_token_hint|id_token|access_token|refresh_token|client_secret)=)[^&\s"']+`)

// Redact replaces every known secret in s, and the values of code and
// token parameters in URLs.
func (r *Redactor) Redact(s string) string {
	s = secretParams.ReplaceAllString(s, "${1}[redacted]")
	if r == nil {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	return s
}

func (r *Redactor) header(name, value string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization":
		return redactAuthorization(value)
	case "Cookie":
		return redactCookies(value, "; ")
	case "Set-Cookie":
		name, rest, _ := strings.Cut(value, ";")
		n, v, _ := strings.Cut(name, "=")
		out := fmt.Sprintf("%s=[%d bytes redacted]", n, len(v))
		if rest != "" {
			out += ";" + rest
		}
		return out
	}
	return printable(r.Redact(value), 200)
}

func redactCookies(value, sep string) string {
	parts := strings.Split(value, ";")
	for i, p := range parts {
		n, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		parts[i] = fmt.Sprintf("%s=[%d bytes redacted]", n, len(v))
	}
	return strings.Join(parts, sep)
}

// redactAuthorization keeps the scheme and the user name and hides the
// password, so a reader can tell which credentials were sent.
func redactAuthorization(value string) string {
	scheme, token, found := strings.Cut(value, " ")
	if !found {
		return fmt.Sprintf("[%d bytes redacted]", len(value))
	}
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return fmt.Sprintf("%s [%d bytes redacted]", printable(scheme, 40), len(token))
	}
	user, pass, hasColon := strings.Cut(string(raw), ":")
	switch {
	case hasColon && pass == "":
		return fmt.Sprintf("%s [base64 of %q with an empty password]", printable(scheme, 40), user+":")
	case !hasColon:
		return fmt.Sprintf("%s [base64 of %d bytes without a colon, redacted]", printable(scheme, 40), len(raw))
	case !utf8.ValidString(user):
		return fmt.Sprintf("%s [base64 of non-UTF-8 user name and a password, redacted]", printable(scheme, 40))
	}
	return fmt.Sprintf("%s [base64 of %q and a password, redacted]", printable(scheme, 40), user+":")
}

func (r *Redactor) excerpt(b []byte, n int) string {
	s := r.Redact(string(b))
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return printable(s, n+3)
}

// printable shortens s and escapes control characters and invalid UTF-8.
func printable(s string, n int) string {
	var b strings.Builder
	for i, c := range s {
		if b.Len() >= n {
			b.WriteString("...")
			break
		}
		switch {
		case c == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case c == '\n':
			b.WriteString(" ")
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
