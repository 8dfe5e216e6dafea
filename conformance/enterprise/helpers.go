package enterprise

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/authconform/authconform/conformance"
)

// seen is the probe's result: the user the app takes as logged in.
type seen struct {
	// Served is false when the probe request itself was refused.
	Served   bool
	Username string
	// Known is false when the probe returned something no user matches.
	Known bool
	Data  map[string]any
	Text  string
	Ex    *conformance.Exchange
}

// describe returns a short text of what the probe showed.
func (s seen) describe() string {
	switch {
	case !s.Served:
		return "the probe was refused (" + s.Ex.Got() + ")"
	case s.Username == "" && s.Known:
		return "no user"
	case !s.Known:
		return "unrecognised output " + quoteShort(s.Text)
	}
	return "user " + quote(s.Username)
}

func quote(s string) string { return `"` + s + `"` }

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return quote(s)
}

// probe queries the app for the logged-in user, through the profile's probe, with
// the client's cookies and any extra headers.
func probe(ctx context.Context, t *conformance.Target, c *conformance.Client, h http.Header) seen {
	return probeQuery(ctx, t, c, h, "")
}

// probeQuery is probe with a query string added to the probe's URL.
func probeQuery(ctx context.Context, t *conformance.Target, c *conformance.Client, h http.Header, query string) seen {
	spec := t.Profile.SSO.Probe
	withQuery := func(path string) string {
		if query == "" {
			return path
		}
		return path + "?" + query
	}
	var ex *conformance.Exchange
	var value any
	if spec.Callback != "" {
		if t.Dash == nil {
			return seen{Ex: &conformance.Exchange{}, Text: "the app's callbacks are unknown"}
		}
		cb, ok := t.Dash.CallbackFor(spec.Callback)
		if !ok {
			return seen{Ex: &conformance.Exchange{}, Text: "probe callback " + spec.Callback + " is not among the app's callbacks"}
		}
		req := conformance.UpdateRequest(conformance.NewDashUpdate(cb, "/", nil).JSON(), nil)
		req.Path = withQuery(req.Path)
		for k, v := range h {
			req.Header[k] = v
		}
		ex = c.Do(ctx, req)
		if !ex.OK() {
			return seen{Ex: ex}
		}
		v, found := conformance.DashOutputs(ex.Body)[spec.Callback]
		if !found {
			return seen{Ex: ex, Served: true, Text: string(ex.Body)}
		}
		value = v
	} else {
		ex = c.Do(ctx, conformance.Request{Path: withQuery(spec.Path), Header: h})
		if !ex.OK() {
			return seen{Ex: ex}
		}
		value = string(ex.Body)
	}
	s := seen{Ex: ex, Served: true}
	if spec.Format == "json" {
		s.Data = asObject(value)
		s.Text = conformance.DashOutputText(value)
		if s.Data == nil {
			return s
		}
		s.Known = true
		s.Username, _ = s.Data["username"].(string)
		return s
	}
	s.Text = conformance.DashOutputText(value)
	if spec.Anonymous != "" && s.Text == spec.Anonymous {
		s.Known = true
		return s
	}
	for _, u := range t.Profile.Users {
		if s.Text == strings.ReplaceAll(spec.Expect, "{username}", u.Username) {
			s.Username, s.Known = u.Username, true
		}
	}
	return s
}

// asObject decodes a probe value that is a JSON object, or a string
// holding one.
func asObject(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return x
	case string:
		var m map[string]any
		if json.Unmarshal([]byte(x), &m) == nil {
			return m
		}
	}
	return nil
}

// level returns the app's access level.
func level(t *conformance.Target) string { return t.Profile.SSO.Access }

// needsLogin skips a check at the unauthenticated level.
func needsLogin(t *conformance.Target, r *conformance.Result) bool {
	if level(t) == conformance.AccessUnauthenticated {
		r.Skip("the app is unauthenticated: nobody logs in")
		return false
	}
	return true
}

// allowedUsers returns the users the app must admit, and the others.
func allowedUsers(t *conformance.Target) (allowed, denied []conformance.User) {
	for _, u := range t.Profile.Users {
		if t.Profile.SSO.Allowed(u) {
			allowed = append(allowed, u)
		} else {
			denied = append(denied, u)
		}
	}
	return allowed, denied
}

// login logs u in and records a violation with the hops if it fails.
func login(ctx context.Context, t *conformance.Target, r *conformance.Result, u conformance.User, why string) (*conformance.Login, bool) {
	l, err := t.LoginAs(ctx, t.IdP, u.Username)
	r.Checked()
	if err != nil {
		r.Errorf(l.Final(), "%s: login as %q failed: %v\nlogin hops:\n%s", why, u.Username, err, l.Evidence())
		return l, false
	}
	return l, true
}

// pageRoutes returns the GET routes that are pages or Dash internals, not
// declared public.
func appRoutes(t *conformance.Target, kinds ...string) []conformance.Route {
	var out []conformance.Route
	for _, route := range t.ProtectedRoutes() {
		if len(kinds) == 0 {
			out = append(out, route)
			continue
		}
		for _, k := range kinds {
			if route.Kind == k {
				out = append(out, route)
			}
		}
	}
	return out
}

// send sends a route with the client's cookies and extra headers.
func send(ctx context.Context, c *conformance.Client, route conformance.Route, h http.Header) *conformance.Exchange {
	if route.Kind == "callback" {
		req := conformance.UpdateRequest(route.Body, nil)
		for k, v := range h {
			req.Header[k] = v
		}
		return c.Do(ctx, req)
	}
	req := conformance.Request{Method: route.Method, Path: route.Path, Header: h.Clone()}
	if req.Header == nil {
		req.Header = conformance.PageHeader()
	}
	return c.Do(ctx, req)
}

// appContent returns a marker of app content in a body, or "".
func appContent(body []byte) string {
	s := string(body)
	for _, m := range []string{`id="react-entry-point"`, `id="_dash-config"`, `"namespace":`, `"multi":`} {
		if strings.Contains(s, m) {
			return m
		}
	}
	return ""
}

// refusedAnonymously reports whether a response to an anonymous request
// keeps the app closed: 401, 403 or a redirect, and no app content.
func refusedAnonymously(ex *conformance.Exchange) bool {
	if ex.Err != nil {
		return false
	}
	closed := ex.Status == http.StatusUnauthorized || ex.Status == http.StatusForbidden ||
		(ex.Status >= 300 && ex.Status < 400)
	return closed && appContent(ex.Body) == ""
}

// refused reports whether a response to a user the app must not serve keeps
// the app closed: a redirect or a 4xx, without app content.
func refused(ex *conformance.Exchange) bool {
	return ex.Err == nil && ex.Status >= 300 && ex.Status < 500 && appContent(ex.Body) == ""
}

// sameSet reports whether two lists hold the same strings.
func sameSet(a, b []string) bool {
	x, y := append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, "\x00") == strings.Join(y, "\x00")
}

// stringsOf turns a JSON list into strings.
func stringsOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// resolve returns the absolute URL a Location names, as a browser reads
// it: tabs and newlines dropped, backslashes taken as slashes.
func resolve(base, loc string) (*url.URL, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, loc)
	b, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return b.Parse(clean)
}
