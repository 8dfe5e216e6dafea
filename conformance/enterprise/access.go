package enterprise

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/authconform/authconform/conformance"
)

// checkLoginRedirect follows anonymous page requests through the app's own
// redirects and wants them to reach the IdP's authorization endpoint with
// a well-formed request, serving no app content on the way.
func checkLoginRedirect(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if !needsLogin(t, r) {
		return
	}
	paths := []string{t.Profile.SSO.LoginPath, "/", conformance.UnknownPath}
	for _, route := range appRoutes(t, "profile") {
		paths = append(paths, route.Path)
	}
	seenPath := map[string]bool{}
	for _, p := range paths {
		if seenPath[p] {
			continue
		}
		seenPath[p] = true
		c := t.NewClient()
		req := conformance.Request{Path: p, Header: conformance.PageHeader()}
		var hops []*conformance.Exchange
		done := false
		for !done && len(hops) < conformance.MaxHops {
			ex := c.Do(ctx, req)
			hops = append(hops, ex)
			r.Checked()
			if m := appContent(ex.Body); m != "" {
				r.Errorf(ex, "anonymous page request %s: a response on the way to the IdP carries app content (%s)", p, m)
				done = true
				continue
			}
			loc, err := resolve(ex.URL, ex.Header.Get("Location"))
			if ex.Err != nil || ex.Status < 300 || ex.Status >= 400 || err != nil {
				r.Errorf(ex, "anonymous page request %s: got %s, want a redirect that leads to the IdP's "+
					"authorization endpoint %s", p, ex.Got(), t.IdP.AuthorizationEndpoint)
				done = true
				continue
			}
			if strings.HasPrefix(loc.String(), t.IdP.AuthorizationEndpoint) {
				checkAuthorizeRequest(t, r, p, ex, loc)
				done = true
				continue
			}
			if !t.SameOrigin(loc.String()) {
				r.Errorf(ex, "anonymous page request %s: redirected to %s, which is neither the app nor "+
					"the IdP's authorization endpoint %s", p, loc, t.IdP.AuthorizationEndpoint)
				done = true
				continue
			}
			req = conformance.Request{URL: loc.String(), Header: conformance.PageHeader()}
		}
		if !done {
			r.Errorf(hops[len(hops)-1], "anonymous page request %s: no redirect to the IdP within %d hops", p, conformance.MaxHops)
		}
	}
}

// checkAuthorizeRequest checks the parameters of the redirect to the IdP.
func checkAuthorizeRequest(t *conformance.Target, r *conformance.Result, path string, ex *conformance.Exchange, loc *url.URL) {
	q := loc.Query()
	client := t.Profile.IdP.Client
	if got := q.Get("response_type"); got != "code" {
		r.Errorf(ex, "anonymous page request %s: authorization request has response_type=%q, want code", path, got)
	}
	if got := q.Get("client_id"); got != client.ID {
		r.Errorf(ex, "anonymous page request %s: authorization request has client_id=%q, want %q", path, got, client.ID)
	}
	if q.Get("state") == "" {
		r.Errorf(ex, "anonymous page request %s: authorization request has no state, want one to bind the response to this browser", path)
	}
	redirect := q.Get("redirect_uri")
	registered := false
	for _, u := range t.RedirectURIs() {
		registered = registered || u == redirect
	}
	if !registered && len(t.RedirectURIs()) > 0 {
		r.Errorf(ex, "anonymous page request %s: authorization request has redirect_uri=%q, want one of the "+
			"registered %v", path, redirect, t.RedirectURIs())
	}
}

// checkXHRAnon wants anonymous callback and XHR requests refused.
func checkXHRAnon(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if !needsLogin(t, r) {
		return
	}
	c := t.NewClient()
	h := http.Header{}
	h.Set("X-Requested-With", "XMLHttpRequest")
	h.Set("Accept", "application/json")
	routes := appRoutes(t, "callback", "layout", "dependencies")
	if len(routes) == 0 {
		routes = []conformance.Route{{Method: http.MethodGet, Path: "/", Kind: "index"}}
	}
	for _, route := range routes {
		ex := send(ctx, c, route, h)
		r.Checked()
		if !refusedAnonymously(ex) {
			r.Errorf(ex, "anonymous XHR %s (%s): got %s, want 401, 403 or a redirect without app data",
				route, route.Kind, ex.Got())
		}
	}
}

// checkLogin logs each user the app must admit in and wants the app
// served and the probe showing that user.
func checkLogin(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if !needsLogin(t, r) {
		return
	}
	allowed, _ := allowedUsers(t)
	if len(allowed) == 0 {
		r.Skip("the profile declares no user the app admits")
		return
	}
	for _, u := range allowed {
		admitted(ctx, t, r, u, "allowed user")
	}
}

// admitted logs u in and wants the app served and the probe showing u.
func admitted(ctx context.Context, t *conformance.Target, r *conformance.Result, u conformance.User, who string) {
	l, ok := login(ctx, t, r, u, who)
	if !ok {
		return
	}
	final := l.Final()
	if !conformance.IsDashIndex(final.Body) && t.Dash != nil {
		r.Errorf(final, "%s %q after login: the page is not the app\nlogin hops:\n%s", who, u.Username, l.Evidence())
	}
	s := probe(ctx, t, l.Client, nil)
	r.Checked()
	if !s.Served || s.Username != u.Username {
		r.Errorf(s.Ex, "%s %q after login: the probe shows %s, want user %q", who, u.Username, s.describe(), u.Username)
	}
}

// checkAuthenticated wants every user admitted at the authenticated level.
func checkAuthenticated(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if level(t) != conformance.AccessAuthenticated {
		r.Skip("the app's access level is %s, not authenticated", level(t))
		return
	}
	for _, u := range t.Profile.Users {
		admitted(ctx, t, r, u, "user")
	}
}

// checkRestricted wants the allowed users admitted and every other user
// denied with a 4xx and no app content, on every route, twice.
func checkRestricted(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if level(t) != conformance.AccessRestricted {
		r.Skip("the app's access level is %s, not restricted", level(t))
		return
	}
	allowed, denied := allowedUsers(t)
	for _, u := range allowed {
		admitted(ctx, t, r, u, "allowed user")
	}
	if len(denied) == 0 {
		r.Notef("the profile declares no user outside the allowed set, so no denial was tried")
		return
	}
	for _, u := range denied {
		for attempt := 1; attempt <= 2; attempt++ {
			l, err := t.LoginAs(ctx, t.IdP, u.Username)
			r.Checked()
			final := l.Final()
			if err == nil || final == nil || final.Err != nil || final.Status < 400 || final.Status >= 500 ||
				appContent(final.Body) != "" {
				r.Errorf(final, "user %q outside the allowed set, login %d: got %s, want a 4xx page without "+
					"app content\nlogin hops:\n%s", u.Username, attempt, final.Got(), l.Evidence())
				continue
			}
			for _, route := range appRoutes(t) {
				ex := send(ctx, l.Client, route, nil)
				r.Checked()
				if !refused(ex) {
					r.Errorf(ex, "user %q outside the allowed set, %s (%s): got %s, want a refusal "+
						"(4xx or a redirect) without app content", u.Username, route, route.Kind, ex.Got())
				}
			}
			if s := probe(ctx, t, l.Client, nil); s.Served {
				r.Errorf(s.Ex, "user %q outside the allowed set: the probe responded and shows %s, want it rejected",
					u.Username, s.describe())
			}
		}
	}
}

// checkUnauthenticated wants the app served to an anonymous visitor with
// no user shown.
func checkUnauthenticated(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if level(t) != conformance.AccessUnauthenticated {
		r.Skip("the app's access level is %s, not unauthenticated", level(t))
		return
	}
	c := t.NewClient()
	ex := c.Do(ctx, conformance.Request{Path: "/", Header: conformance.PageHeader()})
	r.Checked()
	if !ex.OK() || (t.Dash != nil && !conformance.IsDashIndex(ex.Body)) {
		r.Errorf(ex, "anonymous page request /: got %s, want the app", ex.Got())
	}
	s := probe(ctx, t, c, nil)
	r.Checked()
	if !s.Served || !s.Known || s.Username != "" {
		r.Errorf(s.Ex, "anonymous visitor: the probe shows %s, want no user", s.describe())
	}
}

// checkCoverage wants Dash internals and assets to follow the access rule
// of pages: refused anonymously at the restricted and authenticated levels,
// served at the unauthenticated level, refused to users outside a
// restricted app's allowed set.
func checkCoverage(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	routes := appRoutes(t, "layout", "dependencies", "component-suite", "asset", "favicon", "reload-hash", "callback")
	if len(routes) == 0 {
		r.Skip("the profile declares no dash section, so there are no Dash internals to try")
		return
	}
	c := t.NewClient()
	for _, route := range routes {
		ex := send(ctx, c, route, nil)
		r.Checked()
		switch {
		case level(t) == conformance.AccessUnauthenticated && !ex.OK():
			r.Errorf(ex, "%s (%s) anonymously at the unauthenticated level: got %s, want 2xx like the pages",
				route, route.Kind, ex.Got())
		case level(t) != conformance.AccessUnauthenticated && !refusedAnonymously(ex):
			r.Errorf(ex, "%s (%s) anonymously: got %s, want it rejected like the pages", route, route.Kind, ex.Got())
		}
	}
	if level(t) != conformance.AccessRestricted {
		return
	}
	_, denied := allowedUsers(t)
	if len(denied) == 0 {
		return
	}
	l, _ := t.LoginAs(ctx, t.IdP, denied[0].Username)
	for _, route := range routes {
		ex := send(ctx, l.Client, route, nil)
		r.Checked()
		if !refused(ex) {
			r.Errorf(ex, "%s (%s) as %q outside the allowed set: got %s, want it rejected like the pages",
				route, route.Kind, denied[0].Username, ex.Got())
		}
	}
}
