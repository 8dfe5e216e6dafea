package basic

import (
	"context"
	"net/http"

	"github.com/authconform/authconform/conformance"
)

// checkChallenge sends every protected route without credentials and wants
// a Basic challenge whose body carries nothing of the authorised response.
func checkChallenge(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	// Anonymous requests use their own client, so no cookie from an
	// authorised response rides along.
	anon, authed := t.NewClient(), t.NewClient()
	var auth *conformance.Credentials
	if u, ok := t.FirstUser(); ok {
		auth = u.Credentials()
	}
	routes := t.ProtectedRoutes()
	if len(routes) == 0 {
		r.Skip("every route the suite found is declared public")
		return
	}
	for _, route := range routes {
		ex := send(ctx, anon, route, nil, nil)
		r.Checked()
		if p := challengeProblem(ex); p != "" {
			r.Errorf(ex, "%s without credentials: %s", route, p)
			continue
		}
		if route.Kind == "index" || route.Kind == "profile" {
			for _, v := range pageVariants(t) {
				vex := send(ctx, anon, route, nil, v.header)
				r.Checked()
				if p := challengeProblem(vex); p != "" {
					r.Errorf(vex, "%s without credentials, %s: %s", route, v.name, p)
				}
			}
		}
		var authorised []byte
		if auth != nil {
			if ok := send(ctx, authed, route, auth, nil); ok.OK() {
				authorised = ok.Body
			}
		}
		if m := leak(ex.Body, authorised); m != "" {
			r.Errorf(ex, "%s without credentials: the 401 body carries protected content (%s), "+
				"want a body without it", route, m)
		}
	}
}

// headerVariant is an anonymous request's extra headers.
type headerVariant struct {
	name   string
	header http.Header
}

// pageVariants are anonymous page requests as a browser sends them, and
// with identity headers a proxy might be trusted to set.
func pageVariants(t *conformance.Target) []headerVariant {
	browser := http.Header{}
	browser.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	browser.Set("User-Agent", "Mozilla/5.0 (authconform)")
	out := []headerVariant{{"as a browser (Accept: text/html)", browser}}
	name := "alice"
	if u, ok := t.FirstUser(); ok {
		name = u.Username
	}
	for _, h := range []string{"X-Forwarded-User", "X-Remote-User", "Remote-User", "X-Auth-Request-User",
		"X-Forwarded-Preferred-Username", "X-Webauth-User"} {
		hdr := http.Header{}
		hdr.Set(h, name)
		out = append(out, headerVariant{"with forged header " + h + ": " + name, hdr})
	}
	return out
}

// dashInternal reports whether a route kind is one dash-auth opens with
// public routes.
func dashInternal(kind string) bool {
	switch kind {
	case "layout", "dependencies", "component-suite", "asset", "favicon", "reload-hash":
		return true
	}
	return false
}

// otherMethods are tried on the index and an unknown path: the challenge
// must come before any 404 or 405.
var otherMethods = []string{http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodDelete, http.MethodPatch, http.MethodOptions}

// checkCoverage wants 401 from every protected route, from unknown paths
// and from every method, before any 404 or 405.
func checkCoverage(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	c := t.NewClient()
	routes := t.ProtectedRoutes()
	for _, route := range routes {
		switch route.Kind {
		case "index", "unknown", "layout":
			for _, m := range otherMethods {
				routes = append(routes, conformance.Route{Method: m, Path: route.Path, Kind: route.Kind})
			}
		}
	}
	if t.Dash != nil && !t.IsPublic(conformance.DashUpdatePath) {
		// GET of the callback endpoint is a wrong method; the challenge still comes first.
		routes = append(routes, conformance.Route{Method: http.MethodGet,
			Path: conformance.DashUpdatePath, Kind: "update-get"})
	}
	if len(routes) == 0 {
		r.Skip("every route the suite found is declared public")
		return
	}
	for _, route := range routes {
		ex := send(ctx, c, route, nil, nil)
		r.Checked()
		if ex.Err == nil && ex.Status == http.StatusUnauthorized {
			continue
		}
		why := "got " + ex.Got() + ", want 401"
		switch {
		case ex.Err != nil:
			why = "got no response (" + ex.Err.Error() + "), want 401"
		case ex.Status == http.StatusNotFound:
			why += ": the route returned 404 before checking credentials"
		case ex.Status == http.StatusMethodNotAllowed:
			why += ": the route returned 405 before checking credentials"
		case ex.OK() && route.Method != http.MethodHead && route.Method != http.MethodOptions:
			why += ": the route is served without credentials"
		case ex.Status == http.StatusForbidden:
			why += ": a 403 tells a browser not to retry with credentials"
		case ex.Status == http.StatusNotImplemented:
			why += ": the method returned 501 before checking credentials"
		case ex.Status >= 300 && ex.Status < 400:
			why += ": a redirect is no challenge, so scripts and browsers holding credentials cannot retry"
		}
		if ex.OK() && dashInternal(route.Kind) {
			why += " (if the app opens Dash internals on purpose, as dash-auth does once public routes exist, " +
				"declare public.dash_internals: true in the profile)"
		}
		r.Errorf(ex, "%s (%s) without credentials: %s", route, route.Kind, why)
	}
}

// checkSameChallenge wants XHR and callback requests, with no or wrong
// credentials, to get the challenge a page gets.
func checkSameChallenge(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	page, ok := firstPage(t, r)
	if !ok {
		return
	}
	c := t.NewClient()
	base := send(ctx, c, page, nil, nil)
	want := challengeValue(base)
	if base.Err != nil || base.Status != http.StatusUnauthorized || want == "" {
		// BA-CHALLENGE reports the page; the XHR responses are still held to a Basic challenge.
		r.Notef("page %s gives no 401 challenge (%s), so XHR responses were compared with a Basic challenge", page, base.Got())
		want = ""
	}
	var probes []conformance.Route
	for _, route := range t.ProtectedRoutes() {
		if route.Kind == "unknown" {
			continue
		}
		// A route served to anyone is a coverage failure, not a different challenge.
		if plain := send(ctx, c, route, nil, nil); plain.OK() {
			continue
		}
		probes = append(probes, route)
	}
	wrong := &conformance.Credentials{Username: "authconform-nobody", Password: "authconform-wrong"}
	t.Redactor.Add(wrong.Password)
	for _, route := range probes {
		for _, auth := range []*conformance.Credentials{nil, wrong} {
			ex := send(ctx, c, route, auth, xhrHeader())
			r.Checked()
			who := "without credentials"
			if auth != nil {
				who = "with wrong credentials"
			}
			if ex.Err != nil || ex.Status != http.StatusUnauthorized {
				r.Errorf(ex, "XHR %s (%s) %s: got %s, want 401 with the challenge of page %s",
					route, route.Kind, who, ex.Got(), page)
				continue
			}
			if want == "" {
				if p := challengeProblem(ex); p != "" {
					r.Errorf(ex, "XHR %s (%s) %s: %s", route, route.Kind, who, p)
				}
				continue
			}
			if got := challengeValue(ex); got != want {
				r.Errorf(ex, "XHR %s (%s) %s: got WWW-Authenticate %q, want %q as on page %s",
					route, route.Kind, who, got, want, page)
			}
		}
	}
}
