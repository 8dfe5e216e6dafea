package enterprise

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/authconform/authconform/conformance"
)

// logout sends the profile's logout request with the client and follows
// the redirects through the IdP and back.
func logout(ctx context.Context, t *conformance.Target, c *conformance.Client, query string) *conformance.Login {
	spec := t.Profile.Logout
	path := spec.URL
	if query != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + query
	}
	req := conformance.Request{Method: spec.Method, Path: path, Header: conformance.PageHeader()}
	if spec.Method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	// Follow the logout through the IdP and back, but stop where a new
	// login would start: an IdP session that survived logout would sign
	// the user in again, which EN-IDP-LOGOUT reports, not EN-LOGOUT.
	l := &conformance.Login{Client: c}
	for len(l.Hops) < conformance.MaxHops {
		ex := c.Do(ctx, req)
		l.Hops = append(l.Hops, ex)
		if ex.Err != nil || ex.Status < 300 || ex.Status >= 400 {
			break
		}
		loc, err := resolve(ex.URL, ex.Header.Get("Location"))
		if err != nil || strings.HasPrefix(loc.String(), t.IdP.AuthorizationEndpoint) {
			break
		}
		req = conformance.Request{URL: loc.String(), Header: conformance.PageHeader()}
	}
	return l
}

// loggedOut wants a page request with the client to lead to login again
// and the probe to show no user.
func loggedOut(ctx context.Context, t *conformance.Target, r *conformance.Result, c *conformance.Client,
	u conformance.User, what string, hops *conformance.Login) {
	trail := ""
	if hops != nil {
		trail = "\nlogout hops:\n" + hops.Evidence()
	}
	ex := c.Do(ctx, conformance.Request{Path: "/", Header: conformance.PageHeader()})
	r.Checked()
	if ex.Err != nil || ex.Status < 300 || ex.Status >= 400 {
		r.Errorf(ex, "%s: page request / got %s, want a redirect to login%s", what, ex.Got(), trail)
	}
	if in, s := loggedIn(ctx, t, c, u); in {
		r.Errorf(s.Ex, "%s: the probe still shows user %q, want no session%s", what, u.Username, trail)
	}
}

func needsLogout(t *conformance.Target, r *conformance.Result) bool {
	if !needsLogin(t, r) {
		return false
	}
	if t.Profile.Logout == nil {
		r.Skip("the profile declares no logout URL")
		return false
	}
	return true
}

// checkLogout logs in, logs out and wants the session gone.
func checkLogout(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	u, l, ok := loginSubject(ctx, t, r, true, "logout")
	if !ok {
		return
	}
	out := logout(ctx, t, l.Client, "")
	loggedOut(ctx, t, r, l.Client, u, "after logout as "+u.Username, out)
}

// checkLogoutReplay replays the session cookies from before logout in a
// new client and wants no access.
func checkLogoutReplay(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	u, l, ok := loginSubject(ctx, t, r, true, "logout replay")
	if !ok {
		return
	}
	saved := l.Client.Jar().Cookies(t.Base)
	logout(ctx, t, l.Client, "")
	replay := t.NewClient()
	replay.Jar().SetCookies(t.Base, saved)
	names := make([]string, 0, len(saved))
	for _, c := range saved {
		names = append(names, c.Name)
	}
	loggedOut(ctx, t, r, replay, u, fmt.Sprintf("cookies %v from before the logout of %q, replayed", names, u.Username), nil)
}

// checkIdPLogout logs in, logs out, then starts a login with no user
// queued and wants the IdP to ask for credentials instead of signing the
// user straight back in.
func checkIdPLogout(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	u, ok := subject(t, r, true)
	if !ok {
		return
	}
	if err := t.IdP.SetDefaultUser(ctx, ""); err != nil {
		r.Errorf(nil, "clearing the IdP's default user failed: %v", err)
		return
	}
	l, ok := login(ctx, t, r, u, "IdP logout")
	if !ok {
		return
	}
	logout(ctx, t, l.Client, "")
	again, err := t.FollowLogin(ctx, l.Client, conformance.Request{Path: t.Profile.SSO.LoginPath,
		Header: conformance.PageHeader()}, "")
	r.Checked()
	if err == nil {
		if in, s := loggedIn(ctx, t, l.Client, u); in {
			r.Errorf(again.Final(), "after logout, a new login signed %q straight back in without the IdP's "+
				"login page (the IdP session survived; the probe shows %s)\nlogin hops:\n%s",
				u.Username, s.describe(), again.Evidence())
		}
	}
}

// sessionCookies returns the cookies the app set during a login and kept.
func sessionCookies(t *conformance.Target, l *conformance.Login) []*http.Cookie {
	kept := map[string]bool{}
	for _, c := range l.Client.Jar().Cookies(t.Base) {
		kept[c.Name] = true
	}
	var out []*http.Cookie
	seen := map[string]bool{}
	for _, h := range l.Hops {
		if h.Header == nil || !t.SameOrigin(h.URL) {
			continue
		}
		for _, line := range h.Header.Values("Set-Cookie") {
			c, err := http.ParseSetCookie(line)
			if err != nil || !kept[c.Name] || seen[c.Name] {
				continue
			}
			if name := t.Profile.SSO.SessionCookie; name != "" && c.Name != name {
				continue
			}
			seen[c.Name] = true
			out = append(out, c)
		}
	}
	return out
}

// checkCookie checks the attributes of the session cookie and that a value
// planted before login is replaced at login.
func checkCookie(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	u, l, ok := loginSubject(ctx, t, r, false, "cookie")
	if !ok {
		return
	}
	cookies := sessionCookies(t, l)
	if len(cookies) == 0 {
		r.Errorf(l.Final(), "login as %q set no cookie on the app's origin, so there is no session cookie to check\nlogin hops:\n%s",
			u.Username, l.Evidence())
		return
	}
	for _, c := range cookies {
		r.Checked()
		if !c.HttpOnly {
			r.Errorf(l.Final(), "session cookie %s is not HttpOnly, so scripts can read it", c.Name)
		}
		if c.SameSite != http.SameSiteLaxMode && c.SameSite != http.SameSiteStrictMode {
			r.Errorf(l.Final(), "session cookie %s has no SameSite=Lax or Strict", c.Name)
		}
		if t.Base.Scheme == "https" && !c.Secure {
			r.Errorf(l.Final(), "session cookie %s is not Secure on an HTTPS app", c.Name)
		}
	}
	// Fixation: plant the cookies with known values, log in, want new values.
	c := t.NewClient()
	planted := map[string]string{}
	var jar []*http.Cookie
	for _, sc := range cookies {
		v := "authconform-fixation-" + sc.Name
		planted[sc.Name] = v
		jar = append(jar, &http.Cookie{Name: sc.Name, Value: v, Path: "/"})
	}
	c.Jar().SetCookies(t.Base, jar)
	if err := t.IdP.QueueUser(ctx, u.Username); err != nil {
		r.Errorf(nil, "queueing %s at the IdP failed: %v", u.Username, err)
		return
	}
	fix, err := t.FollowLogin(ctx, c, conformance.Request{Path: t.Profile.SSO.LoginPath,
		Header: conformance.PageHeader()}, u.Username)
	r.Checked()
	if err != nil {
		r.Errorf(fix.Final(), "login as %q with planted cookies failed: %v\nlogin hops:\n%s", u.Username, err, fix.Evidence())
		return
	}
	for _, after := range c.Jar().Cookies(t.Base) {
		if v, ok := planted[after.Name]; ok && after.Value == v {
			r.Errorf(fix.Final(), "session cookie %s kept the value set before login, want a new value at login "+
				"(session fixation)", after.Name)
		}
	}
}

// evilTargets are redirect targets that leave the app's origin, as
// browsers read them.
var evilTargets = []string{"//evil.example", `/\evil.example`, "https://evil.example",
	"/%09/evil.example", "https:evil.example", "https://127.0.0.1.evil.example",
	"https://evil.example%2F@127.0.0.1", "///evil.example"}

// offOrigin returns the first redirect of an app hop that leaves both the
// app and the IdP.
func offOrigin(t *conformance.Target, hops []*conformance.Exchange) (*conformance.Exchange, string) {
	idp, _ := url.Parse(t.IdP.Issuer)
	for _, h := range hops {
		if h.Err != nil || !t.SameOrigin(h.URL) {
			continue
		}
		target := ""
		switch {
		case h.Status >= 300 && h.Status < 400:
			target = h.Header.Get("Location")
		case h.OK():
			// A page may redirect with a meta refresh instead of a Location.
			if m := metaRefresh.FindSubmatch(h.Body); m != nil {
				target = html.UnescapeString(strings.Trim(string(m[1]), `'" `))
			}
		}
		if target == "" {
			continue
		}
		loc, err := resolve(h.URL, target)
		if err != nil {
			continue
		}
		if loc.Host != t.Base.Host && (idp == nil || loc.Host != idp.Host) {
			return h, loc.String()
		}
	}
	return nil, ""
}

// metaRefresh matches the target URL of an HTML meta refresh.
var metaRefresh = regexp.MustCompile(`(?is)<meta[^>]+http-equiv=["']?refresh["']?[^>]*content=["']?\s*\d*\s*;\s*url\s*=\s*([^"'>]+)`)

// checkRedirect passes off-origin targets to the login and logout routes in
// each redirect parameter and wants no app redirect to leave the origin.
func checkRedirect(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	u, ok := subject(t, r, false)
	if !ok {
		return
	}
	loginRoute := loginRoute(ctx, t)
	// Targets that start like the app's own origin catch checks that
	// compare prefixes: user info, a longer host name, another port.
	origin := t.Base.Scheme + "://" + t.Base.Host
	targets := append(append([]string{}, evilTargets...),
		origin+"@evil.example/", origin+".evil.example/", "//"+t.Base.Host+"@evil.example/",
		t.Base.Scheme+"://"+t.Base.Hostname()+".evil.example/")
	for _, param := range t.Profile.SSO.Params() {
		for _, evil := range targets {
			q := url.Values{param: {evil}}
			start := loginRoute
			start.RawQuery = mergeQuery(start.RawQuery, param, evil)
			if err := t.IdP.QueueUser(ctx, u.Username); err != nil {
				r.Errorf(nil, "queueing %s at the IdP failed: %v", u.Username, err)
				return
			}
			l, _ := t.FollowLogin(ctx, t.NewClient(), conformance.Request{URL: start.String(),
				Header: conformance.PageHeader()}, u.Username)
			r.Checked()
			if h, to := offOrigin(t, l.Hops); h != nil {
				r.Errorf(h, "login with %s=%s: the app redirected to %s, off its origin\nlogin hops:\n%s",
					param, evil, to, l.Evidence())
			}
			if t.Profile.Logout == nil {
				continue
			}
			if !strings.HasPrefix(l.Final().URL, t.Base.String()) || !l.Final().OK() {
				_ = t.IdP.Reset(ctx, t.Profile)
				var ok bool
				if l, ok = login(ctx, t, r, u, "redirect"); !ok {
					continue
				}
			}
			out := logout(ctx, t, l.Client, q.Encode())
			r.Checked()
			if h, to := offOrigin(t, out.Hops); h != nil {
				r.Errorf(h, "logout with %s=%s: the app redirected to %s, off its origin\nlogout hops:\n%s",
					param, evil, to, out.Evidence())
			}
		}
	}
}

// loginRoute returns the URL the app first redirects an anonymous page
// request to on its own origin, or the login path.
func loginRoute(ctx context.Context, t *conformance.Target) *url.URL {
	fallback, _ := url.Parse(t.URL(t.Profile.SSO.LoginPath))
	ex := t.NewClient().Do(ctx, conformance.Request{Path: t.Profile.SSO.LoginPath, Header: conformance.PageHeader()})
	if ex.Err != nil || ex.Status < 300 || ex.Status >= 400 {
		return fallback
	}
	loc, err := resolve(ex.URL, ex.Header.Get("Location"))
	if err != nil || !t.SameOrigin(loc.String()) {
		return fallback
	}
	return loc
}

// mergeQuery sets param in a raw query, keeping the other parameters.
func mergeQuery(raw, param, value string) string {
	q, _ := url.ParseQuery(raw)
	q.Set(param, value)
	return q.Encode()
}
