package conformance

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
)

// Target is a running app under test, with what the suite found out about
// it. Build it with NewTarget, then call Discover once.
type Target struct {
	Profile *Profile
	// Base is the app's base URL.
	Base *url.URL
	// Redactor hides the profile's passwords and every secret a check adds.
	Redactor *Redactor
	// Dash is set by Discover for a Dash app.
	Dash *DashApp
	// Routes are the protected routes found by Discover.
	Routes []Route
	// IdP is the mock identity provider of an SSO target.
	IdP *IdP
	// Viewer is the login Discover used to see an SSO app, nil when the
	// app needed none.
	Viewer *Login

	public    []*Rule
	transport *http.Transport
	tlsConfig *tls.Config

	hostsMu sync.RWMutex
	hosts   map[string]bool
}

// AllowHost lets the target's clients connect to u's host and port; the
// target's own host is allowed from the start. Requests anywhere else, such
// as an open redirect's target, fail with ErrForeignHost before any name
// lookup, so a run sends nothing beyond the target and its IdP.
func (t *Target) AllowHost(u *url.URL) {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	t.hostsMu.Lock()
	defer t.hostsMu.Unlock()
	if t.hosts == nil {
		t.hosts = map[string]bool{}
	}
	t.hosts[strings.ToLower(net.JoinHostPort(u.Hostname(), port))] = true
}

func (t *Target) allowed(hostport string) bool {
	t.hostsMu.RLock()
	defer t.hostsMu.RUnlock()
	return t.hosts[strings.ToLower(hostport)]
}

// Route is a request to try against the target.
type Route struct {
	Method string
	Path   string
	// Kind is the route's role: "index", "unknown", "layout",
	// "dependencies", "callback", "component-suite", "asset", "favicon",
	// "reload-hash" or "profile".
	Kind string
	// Body is sent with the request, for callbacks.
	Body []byte
}

func (r Route) String() string { return r.Method + " " + r.Path }

// NewTarget prepares a target from a validated profile whose URL has no
// port placeholder left.
func NewTarget(p *Profile) (*Target, error) {
	if strings.Contains(p.URL, PortPlaceholder) {
		return nil, fmt.Errorf("target url %q still has %s; start the target first", p.URL, PortPlaceholder)
	}
	base, err := url.Parse(p.URL)
	if err != nil {
		return nil, fmt.Errorf("parsing target url: %w", err)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	cfg := &tls.Config{InsecureSkipVerify: p.TLS.InsecureSkipVerify} // The profile may accept self-signed test certificates.
	if p.TLS.CAFile != "" {
		pem, err := os.ReadFile(p.Resolve(p.TLS.CAFile))
		if err != nil {
			return nil, fmt.Errorf("reading tls.ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls.ca_file %q contains no PEM certificate", p.TLS.CAFile)
		}
		cfg.RootCAs = pool
	}
	t := &Target{Profile: p, Base: base, Redactor: &Redactor{}, tlsConfig: cfg}
	t.AllowHost(base)
	t.transport = newTransport(cfg, t.allowed)
	for _, u := range p.Users {
		t.Redactor.AddCredentials(*u.Credentials())
	}
	for _, r := range p.Public.Routes {
		rule, err := ParseRule(r)
		if err != nil {
			return nil, err
		}
		t.public = append(t.public, rule)
	}
	if p.Public.DashInternals && len(p.Public.Routes) > 0 {
		for _, r := range dashInternalRules {
			t.public = append(t.public, MustParseRule(r))
		}
	}
	return t, nil
}

// dashInternalRules are the routes dash-auth opens once any public route
// is declared.
var dashInternalRules = []string{
	"/assets/<path:path>.js", "/assets/<path:path>.css",
	"/_dash-component-suites/<path:path>", DashLayoutPath, DashDependenciesPath,
	DashFaviconPath, DashReloadHashPath,
}

// Close releases idle connections.
func (t *Target) Close() { t.transport.CloseIdleConnections() }

// UseTransport makes the target's clients send through rt's settings; tests
// use it to trust an httptest server's certificate.
func (t *Target) UseTransport(tr *http.Transport) {
	t.transport = tr
	if tr.TLSClientConfig != nil {
		t.tlsConfig = tr.TLSClientConfig
	}
}

// IsPublic reports whether a decoded app path is declared public.
func (t *Target) IsPublic(path string) bool {
	for _, r := range t.public {
		if r.Match(path) {
			return true
		}
	}
	return false
}

// PublicRules returns the public routes, dash-auth's implied ones included.
func (t *Target) PublicRules() []*Rule { return t.public }

// Credentials returns the credentials of a profile user.
func (u User) Credentials() *Credentials {
	return &Credentials{Username: u.Username, Password: u.Secret()}
}

// FirstUser returns the first user of the profile.
func (t *Target) FirstUser() (User, bool) {
	if len(t.Profile.Users) == 0 {
		return User{}, false
	}
	return t.Profile.Users[0], true
}

// UnknownPath is a path no app serves on purpose.
const UnknownPath = "/authconform-no-such-page-7f3a"

// Discover learns the target's routes: with a Dash section it fetches the
// index, layout and dependencies with the first user's credentials. The
// returned exchanges are evidence for a failure.
func (t *Target) Discover(ctx context.Context) ([]*Exchange, error) {
	routes := []Route{
		{Method: http.MethodGet, Path: "/", Kind: "index"},
		{Method: http.MethodGet, Path: UnknownPath, Kind: "unknown"},
	}
	for _, r := range t.Profile.Routes {
		routes = append(routes, Route{Method: http.MethodGet, Path: r, Kind: "profile"})
	}
	var exs []*Exchange
	if t.Profile.Dash != nil {
		if len(t.Profile.Users) == 0 {
			return nil, fmt.Errorf("a Dash target needs at least one user in the profile to fetch its layout")
		}
		// The first user the target admits shows the app; a target that
		// rejects some users is judged by the checks, not here.
		var app *DashApp
		var err error
		if t.Profile.Auth == "sso" {
			app, exs, err = t.discoverSSO(ctx)
		} else {
			for _, u := range t.Profile.Users {
				app, exs, err = DiscoverDash(ctx, t.NewClient(), u.Credentials())
				if err == nil {
					break
				}
				err = fmt.Errorf("discovering the Dash app as %s: %w", u.Username, err)
			}
		}
		if err != nil {
			return exs, err
		}
		t.Dash = app
		routes = append(routes,
			Route{Method: http.MethodGet, Path: DashLayoutPath, Kind: "layout"},
			Route{Method: http.MethodGet, Path: DashDependenciesPath, Kind: "dependencies"},
			Route{Method: http.MethodGet, Path: DashFaviconPath, Kind: "favicon"},
			Route{Method: http.MethodGet, Path: DashReloadHashPath, Kind: "reload-hash"},
		)
		links := append(append(append([]string{}, app.Scripts...), app.Stylesheets...), app.Assets...)
		for _, src := range links {
			if p, ok := t.appPath(src); ok {
				kind := "asset"
				if strings.HasPrefix(p, DashComponentPrefix) {
					kind = "component-suite"
				}
				routes = append(routes, Route{Method: http.MethodGet, Path: p, Kind: kind})
			}
		}
		for _, cb := range app.Callbacks {
			if !cb.Serverside() {
				continue
			}
			body := NewDashUpdate(cb, "/", nil).JSON()
			routes = append(routes, Route{Method: http.MethodPost, Path: DashUpdatePath,
				Kind: "callback", Body: body})
		}
	}
	t.Routes = dedupe(routes)
	return exs, nil
}

// discoverSSO fetches a Dash app behind SSO, logged in as the first user
// the app must admit, or anonymously at the unauthenticated level.
func (t *Target) discoverSSO(ctx context.Context) (*DashApp, []*Exchange, error) {
	if t.Profile.SSO.Access == AccessUnauthenticated {
		app, exs, err := DiscoverDash(ctx, t.NewClient(), nil)
		if err == nil {
			return app, exs, t.checkProbe(app)
		}
		if t.IdP == nil {
			return app, exs, err
		}
		// The app demands a login it should not; EN-UNAUTHENTICATED reports
		// that, so discover it logged in and let the checks run.
	}
	if t.IdP == nil {
		return nil, nil, fmt.Errorf("an SSO target needs its IdP before discovery")
	}
	for _, u := range t.Profile.Users {
		if !t.Profile.SSO.Allowed(u) {
			continue
		}
		l, err := t.LoginAs(ctx, t.IdP, u.Username)
		if err != nil && t.Profile.SSO.Access == AccessUnauthenticated {
			continue
		}
		if err != nil {
			return nil, l.Hops, fmt.Errorf("logging in as %s to discover the app: %w", u.Username, err)
		}
		t.Viewer = l
		app, exs, err := DiscoverDash(ctx, l.Client, nil)
		if err != nil {
			err = fmt.Errorf("discovering the Dash app as %s: %w", u.Username, err)
		} else if err = t.checkProbe(app); err != nil {
			exs = nil
		}
		return app, append(l.Hops, exs...), err
	}
	return nil, nil, fmt.Errorf("the profile declares no user the app admits; add one to sso.allowed_users")
}

// checkProbe makes sure the profile's probe callback exists in the app.
func (t *Target) checkProbe(app *DashApp) error {
	cb := t.Profile.SSO.Probe.Callback
	if cb == "" {
		return nil
	}
	if _, ok := app.CallbackFor(cb); ok {
		return nil
	}
	var outputs []string
	for _, c := range app.Callbacks {
		outputs = append(outputs, c.Output)
	}
	return fmt.Errorf("sso.probe.callback %q is not among the app's callbacks (%s); fix the profile",
		cb, strings.Join(outputs, ", "))
}

// appPath turns a link from the index into a path relative to the app's
// base URL; links to other origins are dropped.
func (t *Target) appPath(link string) (string, bool) {
	u, err := t.Base.Parse(link)
	if err != nil || u.Host != t.Base.Host || u.Scheme != t.Base.Scheme {
		return "", false
	}
	prefix := strings.TrimSuffix(t.Base.Path, "/")
	rel, ok := strings.CutPrefix(u.Path, prefix)
	if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) {
		return "", false
	}
	if u.RawQuery != "" {
		rel += "?" + u.RawQuery
	}
	return rel, true
}

func dedupe(routes []Route) []Route {
	seen := map[string]bool{}
	var out []Route
	for _, r := range routes {
		key := r.Method + " " + r.Path + " " + string(r.Body)
		if !seen[key] {
			seen[key] = true
			out = append(out, r)
		}
	}
	return out
}

// ProtectedRoutes returns the discovered routes not declared public;
// callbacks are listed unless declared public.
func (t *Target) ProtectedRoutes() []Route {
	var out []Route
	for _, r := range t.Routes {
		if r.Kind == "callback" {
			var u DashUpdate
			if err := jsonUnmarshal(r.Body, &u); err == nil && t.IsPublicCallback(u.Output) {
				continue
			}
		} else if t.IsPublic(pathOnly(r.Path)) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// IsPublicCallback reports whether every output of an output string is
// declared public.
func (t *Target) IsPublicCallback(output string) bool {
	outs := ParseOutputs(output)
	for _, o := range outs {
		if !contains(t.Profile.Public.Callbacks, o.IDString()+"."+o.Property) {
			return false
		}
	}
	return len(outs) > 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func pathOnly(p string) string {
	p, _, _ = strings.Cut(p, "?")
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

// SortedKeys returns a map's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func tlsConfigFor(p *Profile) *tls.Config {
	return &tls.Config{InsecureSkipVerify: p.TLS.InsecureSkipVerify} // Used only to see that the target responds.
}
