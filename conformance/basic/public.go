package basic

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/authconform/authconform/conformance"
)

// checkPublic wants every declared public route, and every route dash-auth
// opens with them when the profile declares dash_internals, served without credentials.
func checkPublic(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	rules := t.PublicRules()
	if len(rules) == 0 {
		r.Skip("the profile declares no public routes")
		return
	}
	c := t.NewClient()
	for _, rule := range rules {
		paths := []string{rule.Example()}
		if !rule.Static() && t.Dash != nil {
			// Real files that match the pattern, such as the app's stylesheets.
			for _, route := range t.Routes {
				if rule.Match(route.Path) {
					paths = append(paths, route.Path)
				}
			}
		}
		for i, p := range paths {
			ex := c.Get(ctx, p, nil)
			r.Checked()
			// A pattern's sample path may name no real file, so 404 is fine there.
			sample := !rule.Static() && i == 0
			switch {
			case ex.Err != nil:
				r.Errorf(ex, "public route %s (rule %s) without credentials: got no response (%v), want 2xx", p, rule.Raw, ex.Err)
			case ex.OK():
			case sample && ex.Status == http.StatusNotFound:
			default:
				r.Errorf(ex, "public route %s (rule %s) without credentials: got %s, want 2xx", p, rule.Raw, ex.Got())
			}
		}
	}
}

// exactVariant is a request that must not reach protected content.
type exactVariant struct {
	name   string
	path   string
	header http.Header
}

// protectedTarget returns a protected GET path that public-route tricks
// aim at.
func protectedTarget(ctx context.Context, t *conformance.Target) (string, bool) {
	c := t.NewClient()
	for _, kind := range []string{"profile", "index", "layout", "dependencies", "unknown"} {
		for _, route := range t.ProtectedRoutes() {
			if route.Kind != kind || route.Method != http.MethodGet {
				continue
			}
			// Aim at a route that is really protected, or every variant would pass through.
			if ex := c.Get(ctx, route.Path, nil); !ex.OK() {
				return route.Path, true
			}
		}
	}
	return "", false
}

func exactVariants(public, protected string) []exactVariant {
	q := strings.TrimPrefix(protected, "/")
	p := strings.TrimSuffix(public, "/")
	vs := []exactVariant{
		{name: "upper case", path: strings.ToUpper(public)},
		{name: "swapped case", path: swapCase(public)},
		{name: "trailing slash", path: p + "/"},
		{name: "doubled leading slash", path: "/" + public},
		{name: "prefix match", path: p + "x"},
		{name: "sub-path", path: p + "/authconform"},
		{name: "dot-dot segment", path: p + "/../" + q},
		{name: "dot and dot-dot segments", path: p + "/./../" + q},
		{name: "encoded dots", path: p + "/%2e%2e/" + q},
		{name: "encoded slashes", path: p + "%2F..%2F" + q},
		{name: "encoded slash after dots", path: p + "/..%2f" + q},
		{name: "path parameter", path: protected + ";" + public},
		{name: "public route in the query", path: protected + "?" + public},
		{name: "public route in a query value", path: protected + "?next=" + url.QueryEscape(public)},
	}
	if strings.HasSuffix(public, "/") {
		vs[2] = exactVariant{name: "trailing slash removed", path: p}
	}
	for _, h := range []string{"X-Original-URL", "X-Rewrite-URL", "X-Forwarded-Uri"} {
		hdr := http.Header{}
		hdr.Set(h, public)
		vs = append(vs, exactVariant{name: h + " header", path: protected, header: hdr})
	}
	return vs
}

// checkPublicExact sends variants of each static public route and wants
// none of them served without credentials, unless a declared rule matches
// the variant itself.
func checkPublicExact(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	var statics []string
	for _, rule := range t.PublicRules() {
		if rule.Static() && !strings.HasPrefix(rule.Raw, "/_dash-") && rule.Raw != conformance.DashFaviconPath &&
			rule.Raw != conformance.DashReloadHashPath {
			statics = append(statics, rule.Raw)
		}
	}
	for _, rule := range t.Profile.Public.Routes {
		if rr := conformance.MustParseRule(rule); !rr.Static() {
			statics = append(statics, rr.Example())
		}
	}
	if len(statics) == 0 {
		r.Skip("the profile declares no public routes")
		return
	}
	protected, ok := protectedTarget(ctx, t)
	if !ok {
		r.Skip("no protected page is left to aim public-route variants at")
		return
	}
	c := t.NewClient()
	sent := map[string]bool{}
	for _, public := range statics {
		for _, v := range exactVariants(public, protected) {
			key := v.path + "|" + fmt.Sprint(v.header)
			if sent[key] {
				continue
			}
			sent[key] = true
			if v.header == nil && (t.IsPublic(decodedPath(v.path)) || t.IsPublic(normalPath(v.path))) {
				// The variant names a public route itself, so serving it exposes nothing.
				continue
			}
			ex := c.Do(ctx, conformance.Request{Method: http.MethodGet, Path: v.path, Header: v.header})
			r.Checked()
			if ex.OK() {
				r.Errorf(ex, "%s of public route %s (%s) without credentials: got %s, want no 2xx "+
					"because the path is not declared public", v.name, public, v.path, ex.Got())
			}
		}
	}
}

// normalPath returns the path a server that decodes percent-escapes, merges
// slashes and resolves dot segments would serve; a trailing slash is kept.
func normalPath(target string) string {
	p := decodedPath(target)
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean
}

// decodedPath returns the path part of a request target, percent-decoded.
func decodedPath(target string) string {
	p, _, _ := strings.Cut(target, "?")
	if d, err := url.PathUnescape(p); err == nil {
		return d
	}
	return p
}
