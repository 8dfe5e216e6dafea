package basic

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/authconform/authconform/conformance"
)

// basicChallenge matches a Basic challenge with a realm parameter inside a
// WWW-Authenticate value; the scheme is case-insensitive (RFC 9110).
var basicChallenge = regexp.MustCompile(`(?i)(^|,)\s*basic\s+([^,]*,\s*)*realm\s*=\s*("[^"]*"|[^\s,]+)`)

// challengeProblem returns why a response is not a Basic challenge with a
// realm, or "" when it is one.
func challengeProblem(ex *conformance.Exchange) string {
	if ex.Err != nil {
		return "got no response (" + ex.Err.Error() + "), want 401 with a Basic challenge"
	}
	if ex.Status != http.StatusUnauthorized {
		return "got " + ex.Got() + ", want 401 with a Basic challenge"
	}
	values := ex.Header.Values("WWW-Authenticate")
	if len(values) == 0 {
		return "got 401 without WWW-Authenticate, want WWW-Authenticate: Basic realm=\"...\""
	}
	for _, v := range values {
		if basicChallenge.MatchString(v) {
			return ""
		}
	}
	return "got 401 with WWW-Authenticate " + strings.Join(values, ", ") +
		", want the Basic scheme with a realm parameter"
}

// challengeValue returns the WWW-Authenticate values joined, for comparing
// two challenges.
func challengeValue(ex *conformance.Exchange) string {
	if ex.Header == nil {
		return ""
	}
	return strings.Join(ex.Header.Values("WWW-Authenticate"), ", ")
}

// pageRoute returns the first protected GET route that is a page (the
// index, a profile route or an unknown path), for probes of credentials.
func pageRoute(t *conformance.Target) (conformance.Route, bool) {
	for _, kind := range []string{"index", "profile", "unknown"} {
		for _, r := range t.ProtectedRoutes() {
			if r.Kind == kind && r.Method == http.MethodGet {
				return r, true
			}
		}
	}
	return conformance.Route{}, false
}

// send sends a discovered route with the given credentials.
func send(ctx context.Context, c *conformance.Client, r conformance.Route, auth *conformance.Credentials, h http.Header) *conformance.Exchange {
	req := conformance.Request{Method: r.Method, Path: r.Path, Auth: auth, Header: h.Clone()}
	if r.Kind == "callback" {
		req = conformance.UpdateRequest(r.Body, auth)
		for k, v := range h {
			req.Header[k] = v
		}
	}
	return c.Do(ctx, req)
}

// xhrHeader returns the headers a Dash front end's fetch sends.
func xhrHeader() http.Header {
	h := http.Header{}
	h.Set("X-Requested-With", "XMLHttpRequest")
	h.Set("Accept", "application/json")
	return h
}

// protectedMarkers are pieces of text that only protected Dash content
// carries.
var protectedMarkers = []string{`id="react-entry-point"`, `id="_dash-config"`, `"namespace":`}

// passage is the length of the pieces of an authorised body that leak
// looks for in a refused response.
const passage = 48

// leak describes the protected content found in body, or returns "". It
// looks for a Dash marker or most of the authorised body's passages. A page
// that differs by a timestamp is still found, and a 401 page that only
// shares a template header with the app is not.
func leak(body, authorised []byte) string {
	s := string(body)
	for _, m := range protectedMarkers {
		if strings.Contains(s, m) {
			return m
		}
	}
	if len(authorised) < 2*passage {
		if len(authorised) >= 16 && strings.Contains(s, string(authorised)) {
			return "the whole authorised body"
		}
		return ""
	}
	var found, total int
	for i := 0; i+passage <= len(authorised); i += passage {
		total++
		if strings.Contains(s, string(authorised[i:i+passage])) {
			found++
		}
	}
	if found*2 >= total {
		return fmt.Sprintf("%d of %d passages of the authorised body", found, total)
	}
	return ""
}

func first(t *conformance.Target, r *conformance.Result) (conformance.User, bool) {
	u, ok := t.FirstUser()
	if !ok {
		r.Skip("the profile declares no users")
	}
	return u, ok
}

// probeUser returns a user the target admits to page, preferring one with
// ASCII credentials and no colon in the password, so that a probe about
// something else does not fail on a target that mishandles those or rejects
// some users (BA-COLON, BA-UTF8 and BA-ACCEPT report that).
func probeUser(ctx context.Context, t *conformance.Target, r *conformance.Result, page conformance.Route) (conformance.User, bool) {
	users := append([]conformance.User(nil), t.Profile.Users...)
	sort.SliceStable(users, func(i, j int) bool { return plain(users[i]) && !plain(users[j]) })
	for _, u := range users {
		if admitted(ctx, t, page, u) {
			return u, true
		}
	}
	return first(t, r)
}

func plain(u conformance.User) bool {
	return isASCII(u.Username) && isASCII(u.Secret()) && !strings.Contains(u.Secret(), ":")
}

// admitted reports whether the target serves page to u; checks of other
// behaviour leave out users BA-ACCEPT already reports as rejected.
func admitted(ctx context.Context, t *conformance.Target, page conformance.Route, u conformance.User) bool {
	return send(ctx, t.NewClient(), page, u.Credentials(), nil).OK()
}

func firstPage(t *conformance.Target, r *conformance.Result) (conformance.Route, bool) {
	p, ok := pageRoute(t)
	if !ok {
		r.Skip("the profile declares every page public, so no protected page is left to probe")
	}
	return p, ok
}

// isDash skips the check when the target is not a Dash app.
func isDash(t *conformance.Target, r *conformance.Result) bool {
	if t.Dash == nil {
		r.Skip("the profile declares no dash section: not a Dash app")
		return false
	}
	return true
}

func hasLetters(s string) bool {
	return strings.ToUpper(s) != strings.ToLower(s)
}

func swapCase(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch up := strings.ToUpper(string(c)); {
		case up != string(c):
			b.WriteString(up)
		default:
			b.WriteString(strings.ToLower(string(c)))
		}
	}
	return b.String()
}
