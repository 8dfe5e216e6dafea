package basicauth

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Config configures a Middleware.
type Config struct {
	// Realm is sent in the WWW-Authenticate challenge. Required.
	Realm string
	// Users are the accounts that may log in.
	Users []User
	// PublicRoutes are Flask rules served without credentials. Declaring
	// any also makes Dash's internal routes public (see DashInternalRoutes).
	PublicRoutes []string
	// PublicAssetExtensions are the asset file extensions made public with
	// the public routes; nil means js and css.
	PublicAssetExtensions []string
	// PublicCallbacks are output ids ("public-note.children") of callbacks
	// that anonymous requests may run.
	PublicCallbacks []string
	// SessionKey signs the session cookie; nil means a random key. It must
	// be at least MinSessionKeyLength bytes.
	SessionKey []byte
	// Hooks replace single steps of the middleware; nil fields keep the
	// standard steps.
	Hooks Hooks
	// Logger receives a debug record for each rejected request; nil
	// discards them. Records never contain credentials.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Hooks are the replaceable steps of a Middleware. The standard steps are
// the careful behaviour documented on Middleware. The reference target's
// mutants replace one step each to imitate a broken implementation.
type Hooks struct {
	// Authenticate returns the user a request authenticates as. Standard:
	// ParseAuthorization, then UserStore.Authenticate.
	Authenticate func(r *http.Request) (User, error)
	// RequestPath returns the path compared with the public rules.
	// Standard: the escaped request path as sent, without the query.
	RequestPath func(r *http.Request) string
	// MatchRule reports whether a path matches a public rule. Standard:
	// Rule.Match.
	MatchRule func(rule *Rule, path string) bool
	// CallbackTarget returns the callback an update request targets.
	// Standard: CallbackTarget.
	CallbackTarget func(req *UpdateRequest) (string, bool)
	// Reject writes the response to a request without valid credentials,
	// given the wrapped handler as next. Standard: WriteChallenge.
	Reject func(w http.ResponseWriter, r *http.Request, next http.Handler)
}

// Middleware is HTTP Basic authentication for a Dash app. It runs before
// the wrapped handler's routing, so every route, method and unknown path
// needs credentials unless declared public. It checks the Authorization
// header on every request and responds to every failure with the same 401
// challenge. On success it stores the User in the request context and sets a
// signed session cookie, which on its own never authenticates.
type Middleware struct {
	realm           string
	store           *UserStore
	publicRules     []*Rule
	publicCallbacks map[string]bool
	sessionKey      []byte
	hooks           Hooks
	logger          *slog.Logger
	now             func() time.Time
}

// New checks cfg and builds a Middleware.
func New(cfg Config) (*Middleware, error) {
	if cfg.Realm == "" {
		return nil, fmt.Errorf("empty realm; set Config.Realm")
	}
	store, err := NewUserStore(cfg.Users)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	m := &Middleware{
		realm:           cfg.Realm,
		store:           store,
		publicCallbacks: make(map[string]bool),
		hooks:           cfg.Hooks,
		logger:          cfg.Logger,
		now:             cfg.Now,
	}
	if m.publicRules, err = compilePublicRoutes(cfg); err != nil {
		return nil, err
	}
	for _, id := range cfg.PublicCallbacks {
		if !validOutputID(id) {
			return nil, fmt.Errorf("public callback %q: want a single output id "+
				"such as \"public-note.children\"", id)
		}
		m.publicCallbacks[id] = true
	}
	if m.sessionKey, err = sessionKeyOf(cfg.SessionKey); err != nil {
		return nil, err
	}
	m.setDefaults()
	return m, nil
}

// setDefaults fills the steps and options left nil.
func (m *Middleware) setDefaults() {
	if m.hooks.Authenticate == nil {
		m.hooks.Authenticate = m.authenticate
	}
	if m.hooks.RequestPath == nil {
		m.hooks.RequestPath = func(r *http.Request) string { return r.URL.EscapedPath() }
	}
	if m.hooks.MatchRule == nil {
		m.hooks.MatchRule = (*Rule).Match
	}
	if m.hooks.CallbackTarget == nil {
		m.hooks.CallbackTarget = CallbackTarget
	}
	if m.hooks.Reject == nil {
		m.hooks.Reject = func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
			WriteChallenge(w, m.realm)
		}
	}
	if m.logger == nil {
		m.logger = slog.New(slog.DiscardHandler)
	}
	if m.now == nil {
		m.now = time.Now
	}
}

func compilePublicRoutes(cfg Config) ([]*Rule, error) {
	if len(cfg.PublicRoutes) == 0 {
		return nil, nil
	}
	patterns := append(append([]string(nil), cfg.PublicRoutes...),
		DashInternalRoutes(cfg.PublicAssetExtensions)...)
	rules := make([]*Rule, 0, len(patterns))
	for _, p := range patterns {
		rule, err := ParseRule(p)
		if err != nil {
			return nil, fmt.Errorf("public route: %w", err)
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func sessionKeyOf(key []byte) ([]byte, error) {
	if key == nil {
		key = make([]byte, 32)
		rand.Read(key)
		return key, nil
	}
	if len(key) < MinSessionKeyLength {
		return nil, fmt.Errorf("session key of %d bytes is too short; use at least %d "+
			"random bytes", len(key), MinSessionKeyLength)
	}
	return append([]byte(nil), key...), nil
}

// validOutputID reports whether id has the form "component.property".
func validOutputID(id string) bool {
	i := strings.LastIndex(id, ".")
	return i > 0 && i < len(id)-1 && !strings.HasPrefix(id, "..") &&
		!strings.ContainsAny(id, " \t\n")
}

// DashInternalRoutes returns the routes that declaring any public route also
// makes public, as dash-auth 2.3.0 does: assets with the given extensions
// (js and css when nil), component suites, layout, dependencies, favicon
// and reload hash. Callback requests are not among them.
func DashInternalRoutes(assetExtensions []string) []string {
	if assetExtensions == nil {
		assetExtensions = []string{"js", "css"}
	}
	routes := make([]string, 0, len(assetExtensions)+5)
	for _, ext := range assetExtensions {
		routes = append(routes, "/assets/<path:path>."+ext)
	}
	return append(routes,
		"/_dash-component-suites/<path:path>",
		"/_dash-layout",
		"/_dash-dependencies",
		"/_favicon.ico",
		"/_reload-hash",
	)
}

// Wrap returns a handler that authenticates each request before passing it
// to next.
func (m *Middleware) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serve(w, r, next)
	})
}

func (m *Middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if m.isPublicRoute(r) {
		next.ServeHTTP(w, r)
		return
	}

	user, err := m.hooks.Authenticate(r)
	if err == nil {
		http.SetCookie(w, sessionCookie(m.sessionKey, user, m.now()))
		next.ServeHTTP(w, r.WithContext(ContextWithUser(r.Context(), user)))
		return
	}

	// An anonymous request may still run a public callback.
	if r2, ok := m.admitPublicCallback(r); ok {
		next.ServeHTTP(w, r2)
		return
	}
	m.logger.Debug("rejected request", "method", r.Method, "path", r.URL.EscapedPath(),
		"reason", err)
	m.hooks.Reject(w, r, next)
}

// authenticate is the standard Authenticate step.
func (m *Middleware) authenticate(r *http.Request) (User, error) {
	c, err := ParseAuthorization(r.Header)
	if err != nil {
		return User{}, err
	}
	user, ok := m.store.Authenticate(c)
	if !ok {
		return User{}, ErrInvalidCredentials
	}
	return user, nil
}

// isPublicRoute reports whether the request path matches a public rule.
func (m *Middleware) isPublicRoute(r *http.Request) bool {
	if len(m.publicRules) == 0 {
		return false
	}
	path := m.hooks.RequestPath(r)
	if !SafePath(path) {
		return false
	}
	for _, rule := range m.publicRules {
		if m.hooks.MatchRule(rule, path) {
			return true
		}
	}
	return false
}

type userKey struct{}

// ContextWithUser returns a copy of ctx that carries u.
func ContextWithUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, userKey{}, u.clone())
}

// UserFromContext returns the authenticated user stored by the middleware.
func UserFromContext(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(userKey{}).(User)
	if !ok {
		return User{}, false
	}
	return u.clone(), true
}
