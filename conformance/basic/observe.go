package basic

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/authconform/authconform/conformance"
)

// MinEchoLength is the shortest password searched for in responses: a
// shorter one turns up in ordinary text too often to prove an echo.
const MinEchoLength = 6

// checkNoEcho sends right and wrong passwords to every protected route and
// searches each response's headers, cookies and body for them, in clear,
// in base64 and percent-encoded.
func checkNoEcho(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	page, ok := firstPage(t, r)
	if !ok {
		return
	}
	type attempt struct {
		cred conformance.Credentials
		what string
	}
	var attempts []attempt
	for _, u := range t.Profile.Users {
		if len(u.Secret()) >= MinEchoLength {
			attempts = append(attempts, attempt{*u.Credentials(), "right password of " + u.Username})
		} else {
			r.Notef("password of %q is shorter than %d characters, so only its encoded form is searched", u.Username, MinEchoLength)
			attempts = append(attempts, attempt{*u.Credentials(), "right password of " + u.Username})
		}
		wrong := conformance.Credentials{Username: u.Username, Password: "Echo-Probe <'&\"> " + u.Username + "-x7Q"}
		t.Redactor.AddCredentials(wrong)
		attempts = append(attempts, attempt{wrong, "wrong password for " + u.Username})
	}
	unknown := conformance.Credentials{Username: "authconform-unknown", Password: "Echo-Probe <'&\"> unknown-x7Q"}
	t.Redactor.AddCredentials(unknown)
	attempts = append(attempts, attempt{unknown, "password of an unknown user"})

	routes := []conformance.Route{page}
	for _, route := range t.ProtectedRoutes() {
		if route.Kind == "callback" || route.Kind == "layout" {
			routes = append(routes, route)
		}
	}
	for _, a := range attempts {
		c := t.NewClient()
		for _, route := range routes {
			ex := send(ctx, c, route, &a.cred, nil)
			r.Checked()
			if ex.Err != nil {
				r.Errorf(ex, "%s sent to %s: got no response (%v), so the echo could not be checked", a.what, route, ex.Err)
				continue
			}
			if where := echoed(ex, a.cred); where != "" {
				r.Errorf(ex, "%s sent to %s: the response carries it in %s, want it nowhere", a.what, route, where)
			}
		}
	}
}

// echoed returns where a response carries the credentials' password, or "".
func echoed(ex *conformance.Exchange, cred conformance.Credentials) string {
	if ex.Err != nil {
		return ""
	}
	token := base64.StdEncoding.EncodeToString([]byte(cred.Username + ":" + cred.Password))
	needles := []string{token}
	if len(cred.Password) >= MinEchoLength {
		pw := cred.Password
		js, _ := json.Marshal(pw)
		needles = append(needles, pw, url.QueryEscape(pw), url.PathEscape(pw), html.EscapeString(pw),
			strings.Trim(string(js), `"`), base64.StdEncoding.EncodeToString([]byte(pw)),
			base64.RawURLEncoding.EncodeToString([]byte(pw)))
	}
	has := func(s string) bool {
		for _, n := range needles {
			if n != "" && strings.Contains(s, n) {
				return true
			}
		}
		return false
	}
	for name, values := range ex.Header {
		for _, v := range values {
			if has(v) || (name == "Set-Cookie" && has(decodeCookie(v))) {
				return "header " + name
			}
		}
	}
	if has(string(ex.Body)) {
		return "the body"
	}
	return ""
}

// decodeCookie decodes the base64 parts of a Set-Cookie value, the way
// signed session cookies (Flask's among them) carry their payload.
func decodeCookie(setCookie string) string {
	pair, _, _ := strings.Cut(setCookie, ";")
	_, value, _ := strings.Cut(pair, "=")
	value = strings.Trim(value, `"`)
	if v, err := url.QueryUnescape(value); err == nil {
		value = v
	}
	var b strings.Builder
	for _, part := range strings.FieldsFunc(value, func(r rune) bool { return r == '.' || r == '|' }) {
		for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding,
			base64.StdEncoding, base64.RawStdEncoding} {
			if d, err := enc.DecodeString(part); err == nil {
				b.Write(d)
				b.WriteByte(' ')
				break
			}
		}
	}
	return b.String()
}

// logoutCandidates are routes apps commonly use to end a session.
var logoutCandidates = []string{"/logout", "/_logout", "/signout", "/sign_out", "/auth/logout",
	"/oidc/logout"}

// checkNoLogout looks for a logout route and records whether credentials
// stay valid after visiting it.
func checkNoLogout(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	page, ok := firstPage(t, r)
	if !ok {
		return
	}
	u, ok := probeUser(ctx, t, r, page)
	if !ok {
		return
	}
	candidates := logoutCandidates
	method := http.MethodGet
	if l := t.Profile.Logout; l != nil {
		candidates = append([]string{l.URL}, candidates...)
		method = l.Method
	}
	c := t.NewClient()
	// A catch-all app serves every path alike, and such a response is no logout route.
	catchAll := c.Do(ctx, conformance.Request{Method: method, Path: conformance.UnknownPath, Auth: u.Credentials()})
	var found []string
	for _, path := range candidates {
		ex := c.Do(ctx, conformance.Request{Method: method, Path: path, Auth: u.Credentials()})
		r.Checked()
		if ex.Err != nil || ex.Status == http.StatusNotFound || (ex.OK() && conformance.IsDashIndex(ex.Body)) {
			continue
		}
		if catchAll.Err == nil && ex.Status == catchAll.Status && string(ex.Body) == string(catchAll.Body) {
			continue
		}
		after := send(ctx, c, page, u.Credentials(), nil)
		valid := "credentials stay valid after it"
		if !after.OK() {
			valid = "credentials stop working after it (got " + after.Got() + ")"
		}
		found = append(found, fmt.Sprintf("logout route %s %s answers %s; %s", method, path, ex.Got(), valid))
	}
	if len(found) == 0 {
		r.Notef("no logout route among %s; users cannot log out, as documented", strings.Join(candidates, ", "))
		return
	}
	for _, f := range found {
		r.Notef("%s", f)
	}
}

// checkCleartext records whether Basic credentials cross the network in
// clear.
func checkCleartext(_ context.Context, t *conformance.Target, r *conformance.Result) {
	r.Checked()
	if t.Base.Scheme == "https" {
		r.Notef("served over HTTPS: credentials are encrypted in transit")
		return
	}
	r.Notef("served over plain HTTP: Basic credentials travel in clear text (base64 is an encoding, not encryption); serve it over HTTPS")
}
