package refapp

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Options configures an App.
type Options struct {
	// Identify returns the user of a request; nil means IdentityFromContext.
	Identify IdentityFunc
	// Callbacks are the app's callbacks; nil means DefaultCallbacks.
	Callbacks []Callback
	// SkipOutputCheck makes the callback endpoint dispatch on "output"
	// without checking that "outputs" describes the same component and
	// property. Dash checks them; an app that skips the check runs whatever
	// callback "output" names.
	SkipOutputCheck bool
	// LogoutURL, when set, adds a logout link to the layout: an "A"
	// component with id "logout" and class "dash-logout-btn", as
	// dash-enterprise-auth's create_logout_button renders on Dash 3.
	LogoutURL string
	// Logger receives callback errors; nil discards them.
	Logger *slog.Logger
}

// App is an http.Handler that speaks Dash's HTTP protocol the way Dash 2.x
// and 3.x do. It serves the index page for "/" and every unknown path, the
// layout, dependencies and callback endpoint, assets, component suites,
// favicon and reload hash, plus the plain routes /public and
// /user/{user_id}/public. Routes added with Handle take part in the same
// routing. App does not authenticate: its IdentityFunc returns the user.
type App struct {
	identify        IdentityFunc
	callbacks       []Callback
	byOutput        map[string]int
	skipOutputCheck bool
	logoutURL       string
	logger          *slog.Logger

	mu       sync.RWMutex
	routes   []*route
	catchAll http.Handler
}

// route is a registered handler: a method (empty for any) and a path
// pattern whose "{name}" segments match one non-empty segment.
type route struct {
	method   string
	pattern  string
	segments []string
	wildcard bool
	handler  http.Handler
}

// New builds an App with the built-in Dash routes.
func New(opts Options) (*App, error) {
	a := &App{
		identify:        opts.Identify,
		callbacks:       opts.Callbacks,
		skipOutputCheck: opts.SkipOutputCheck,
		logoutURL:       opts.LogoutURL,
		logger:          opts.Logger,
		catchAll:        IndexPage("authconform reference app"),
	}
	if a.identify == nil {
		a.identify = IdentityFromContext
	}
	if a.callbacks == nil {
		a.callbacks = DefaultCallbacks()
	}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	if err := a.indexCallbacks(); err != nil {
		return nil, err
	}
	if err := a.registerBuiltins(); err != nil {
		return nil, err
	}
	return a, nil
}

// Handle registers h for a pattern "[METHOD ]/path", where "{name}" segments
// match one non-empty segment and are available through r.PathValue. A GET
// route also serves HEAD; a pattern without a method serves every method.
// Exact paths take precedence over patterns with wildcards. Handle may be
// called while the App serves requests.
func (a *App) Handle(pattern string, h http.Handler) error {
	rt, err := parsePattern(pattern, h)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, existing := range a.routes {
		if existing.method == rt.method && slices.Equal(existing.segments, rt.segments) {
			return fmt.Errorf("route %q is already registered", pattern)
		}
	}
	a.routes = append(a.routes, rt)
	return nil
}

// WrapRoutes replaces the handler of every route registered so far, the
// index catch-all included, with wrap(handler), the way a decorator wraps
// view functions. Routing runs before the wrapper: unknown asset files get
// 404 and wrong methods 405 without reaching it. Routes added afterwards are
// not wrapped.
func (a *App) WrapRoutes(wrap func(http.Handler) http.Handler) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, rt := range a.routes {
		rt.handler = wrap(rt.handler)
	}
	a.catchAll = wrap(a.catchAll)
}

// ServeHTTP routes the request on its decoded path. It responds with 405 to
// a known path with another method and with 404 to an unknown file under
// /assets/ or /_dash-component-suites/. Every other unknown path gets the
// index page for GET and HEAD, and 405 for other methods.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, allowed := a.match(r)
	switch {
	case h != nil:
		h.ServeHTTP(w, r)
	case len(allowed) > 0:
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
	case strings.HasPrefix(r.URL.Path, "/assets/") ||
		strings.HasPrefix(r.URL.Path, "/_dash-component-suites/"):
		http.NotFound(w, r)
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
	default:
		a.mu.RLock()
		catchAll := a.catchAll
		a.mu.RUnlock()
		catchAll.ServeHTTP(w, r)
	}
}

// match returns the handler for the request, or the methods the path allows.
func (a *App) match(r *http.Request) (http.Handler, []string) {
	segments := strings.Split(r.URL.Path, "/")
	a.mu.RLock()
	defer a.mu.RUnlock()
	var allowed []string
	// Exact paths first, then patterns with wildcards.
	for _, wildcard := range []bool{false, true} {
		for _, rt := range a.routes {
			if rt.wildcard != wildcard || !rt.matchPath(segments) {
				continue
			}
			if rt.allows(r.Method) {
				rt.setPathValues(r, segments)
				return rt.handler, nil
			}
			allowed = append(allowed, rt.allowHeader()...)
		}
		if len(allowed) > 0 {
			return nil, allowed
		}
	}
	return nil, nil
}

func parsePattern(pattern string, h http.Handler) (*route, error) {
	method, path, found := strings.Cut(pattern, " ")
	if !found {
		method, path = "", pattern
	}
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("route %q: path must start with /", pattern)
	}
	if h == nil {
		return nil, fmt.Errorf("route %q: nil handler", pattern)
	}
	rt := &route{method: method, pattern: pattern, segments: strings.Split(path, "/"),
		handler: h}
	for _, s := range rt.segments {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if len(s) == 2 {
				return nil, fmt.Errorf("route %q: empty wildcard name; write {name}", pattern)
			}
			rt.wildcard = true
		} else if strings.ContainsAny(s, "{}") {
			return nil, fmt.Errorf("route %q: a wildcard must be a whole segment", pattern)
		}
	}
	return rt, nil
}

func (rt *route) matchPath(segments []string) bool {
	if len(segments) != len(rt.segments) {
		return false
	}
	for i, s := range rt.segments {
		if isWildcard(s) {
			if segments[i] == "" {
				return false
			}
		} else if s != segments[i] {
			return false
		}
	}
	return true
}

func (rt *route) setPathValues(r *http.Request, segments []string) {
	for i, s := range rt.segments {
		if isWildcard(s) {
			r.SetPathValue(s[1:len(s)-1], segments[i])
		}
	}
}

func (rt *route) allows(method string) bool {
	return rt.method == "" || rt.method == method ||
		(rt.method == http.MethodGet && method == http.MethodHead)
}

func (rt *route) allowHeader() []string {
	if rt.method == http.MethodGet {
		return []string{http.MethodGet, http.MethodHead}
	}
	return []string{rt.method}
}

func isWildcard(segment string) bool {
	return strings.HasPrefix(segment, "{") && strings.HasSuffix(segment, "}")
}
