package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Routes of the gateway. Every path under Prefix belongs to the gateway.
const (
	Prefix       = "/_auth/"
	LoginPath    = "/_auth/login"
	CallbackPath = "/_auth/callback"
	LogoutPath   = "/_auth/logout"
)

// Lifetimes and limits of the gateway's state.
const (
	// DefaultSessionLifetime is the session lifetime when Config leaves it at zero.
	DefaultSessionLifetime = 8 * time.Hour
	// LoginTimeout is how long a started login waits for the provider's
	// response, and how long a logout waits for the provider to send the
	// browser back.
	LoginTimeout = 10 * time.Minute
	// DefaultMaxSessions caps the sessions kept when Config leaves MaxSessions
	// at zero. The oldest session is dropped to make room.
	DefaultMaxSessions = 100_000
	// MaxPendingLogins caps the logins and logouts in progress. Each is
	// stored on the server, so anonymous clients could otherwise fill memory.
	MaxPendingLogins = 10_000
	// providerTimeout bounds discovery and each login's requests to the provider.
	providerTimeout = 15 * time.Second
)

// Scopes are the scopes of every authorization request.
var Scopes = []string{oidc.ScopeOpenID, "profile", "email", "groups"}

// Level is an app's access level, named as Dash Enterprise names them.
type Level string

// The access levels.
const (
	// Restricted admits only the allowed users and members of the allowed groups.
	Restricted Level = "restricted"
	// Authenticated admits every user the provider logs in.
	Authenticated Level = "authenticated"
	// Unauthenticated admits everyone without a login and passes no identity.
	Unauthenticated Level = "unauthenticated"
)

// Levels returns the access levels, most restrictive first.
func Levels() []Level { return []Level{Restricted, Authenticated, Unauthenticated} }

// ParseLevel returns the Level named s.
func ParseLevel(s string) (Level, error) {
	if slices.Contains(Levels(), Level(s)) {
		return Level(s), nil
	}
	return "", fmt.Errorf("unknown access level %q; use restricted, authenticated or "+
		"unauthenticated", s)
}

// Config configures a Gateway.
type Config struct {
	// Level is the app's access level. Required.
	Level Level
	// Issuer is the provider's issuer URL; discovery is read from
	// Issuer/.well-known/openid-configuration. Required unless Level is
	// Unauthenticated.
	Issuer string
	// ClientID is the gateway's client id at the provider. Required unless
	// Level is Unauthenticated.
	ClientID string
	// ClientSecret authenticates the gateway at the token endpoint. Empty
	// makes the gateway a public client, which still sends PKCE.
	ClientSecret string
	// AllowedUsers and AllowedGroups are the users and groups a Restricted
	// app admits, compared exactly with preferred_username and the groups
	// claim. A Restricted app needs at least one of them.
	AllowedUsers  []string
	AllowedGroups []string
	// PublicURL is the scheme and host the browser uses for the gateway,
	// such as "http://127.0.0.1:8050". Empty means the scheme and Host of
	// each request.
	PublicURL string
	// SessionLifetime is how long a login lasts; zero means
	// DefaultSessionLifetime.
	SessionLifetime time.Duration
	// MaxSessions caps the stored sessions; zero means DefaultMaxSessions.
	MaxSessions int
	// HTTPClient makes the requests to the provider; nil means a client
	// with a timeout of 15 seconds.
	HTTPClient *http.Client
	// Logger receives logins, logouts, denials and rejected sign-ins; nil
	// discards them. Records never contain tokens, codes or session ids.
	Logger *slog.Logger
	// Now returns the current time, for sessions and token expiry; nil means
	// time.Now.
	Now func() time.Time
	// Flaw turns on one deliberate defect; empty means none.
	Flaw Flaw
}

// Gateway is an http.Handler that authenticates requests for an upstream
// app. Its methods are safe for concurrent use.
type Gateway struct {
	level         Level
	issuer        string
	clientID      string
	allowedUsers  []string
	allowedGroups []string
	publicURL     string
	upstream      http.Handler
	logger        *slog.Logger
	now           func() time.Time
	httpClient    *http.Client

	// OIDC, nil at the Unauthenticated level.
	provider      *oidc.Provider
	oauth         *oauth2.Config
	endSessionURL string

	sessions *store[*session]
	logins   *store[pendingLogin]
	logouts  *store[string]

	steps steps
}

// New checks cfg, reads the provider's discovery document and returns a
// Gateway in front of upstream. ctx bounds the discovery request only.
func New(ctx context.Context, cfg Config, upstream http.Handler) (*Gateway, error) {
	if upstream == nil {
		return nil, errors.New("gateway needs an upstream handler; pass the app")
	}
	level := cfg.Level
	if cfg.Flaw == FlawUnauthenticatedRequiresLogin && level == Unauthenticated {
		level = Authenticated
	}
	if err := cfg.validate(level); err != nil {
		return nil, err
	}
	g := &Gateway{
		level:         level,
		issuer:        cfg.Issuer,
		clientID:      cfg.ClientID,
		allowedUsers:  slices.Clone(cfg.AllowedUsers),
		allowedGroups: slices.Clone(cfg.AllowedGroups),
		publicURL:     strings.TrimSuffix(cfg.PublicURL, "/"),
		upstream:      upstream,
		logger:        cfg.Logger,
		now:           cfg.Now,
		httpClient:    cfg.HTTPClient,
	}
	if g.logger == nil {
		g.logger = slog.New(slog.DiscardHandler)
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.httpClient == nil {
		g.httpClient = &http.Client{Timeout: providerTimeout}
	}
	lifetime := cfg.SessionLifetime
	if lifetime == 0 {
		lifetime = DefaultSessionLifetime
	}
	maxSessions := cfg.MaxSessions
	if maxSessions == 0 {
		maxSessions = DefaultMaxSessions
	}
	g.sessions = newStore[*session](lifetime, maxSessions, g.now)
	g.logins = newStore[pendingLogin](LoginTimeout, MaxPendingLogins, g.now)
	g.logouts = newStore[string](LoginTimeout, MaxPendingLogins, g.now)

	if level != Unauthenticated {
		if err := g.discover(ctx, cfg); err != nil {
			return nil, err
		}
	}
	g.steps = g.carefulSteps()
	if err := g.applyFlaw(cfg.Flaw); err != nil {
		return nil, err
	}
	return g, nil
}

// validate reports every problem with cfg, for the effective level.
func (cfg *Config) validate(level Level) error {
	var errs []error
	if _, err := ParseLevel(string(cfg.Level)); err != nil {
		errs = append(errs, err)
	}
	if level != Unauthenticated {
		if err := checkHTTPURL("Issuer", cfg.Issuer, true); err != nil {
			errs = append(errs, err)
		}
		if cfg.ClientID == "" {
			errs = append(errs, errors.New("missing ClientID; set the client id registered "+
				"at the provider"))
		}
	}
	if level == Restricted && len(cfg.AllowedUsers) == 0 && len(cfg.AllowedGroups) == 0 {
		errs = append(errs, errors.New("a restricted app needs AllowedUsers or "+
			"AllowedGroups; add the users or groups it admits"))
	}
	for _, name := range append(slices.Clone(cfg.AllowedUsers), cfg.AllowedGroups...) {
		if strings.TrimSpace(name) == "" {
			errs = append(errs, errors.New("empty name in AllowedUsers or AllowedGroups; "+
				"remove it"))
			break
		}
	}
	if cfg.PublicURL != "" {
		if err := checkHTTPURL("PublicURL", cfg.PublicURL, false); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.SessionLifetime < 0 {
		errs = append(errs, fmt.Errorf("negative SessionLifetime %v; use a positive "+
			"duration or zero for the default", cfg.SessionLifetime))
	}
	if cfg.MaxSessions < 0 {
		errs = append(errs, fmt.Errorf("negative MaxSessions %d; use a positive number or "+
			"zero for the default", cfg.MaxSessions))
	}
	if cfg.Flaw != "" && !slices.Contains(Flaws(), cfg.Flaw) {
		errs = append(errs, fmt.Errorf("unknown Flaw %q; see gateway.Flaws", cfg.Flaw))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid gateway config: %w", errors.Join(errs...))
	}
	return nil
}

// checkHTTPURL checks that value is an absolute http or https URL. With
// allowPath it may have a path; otherwise only "/" or none.
func checkHTTPURL(field, value string, allowPath bool) error {
	if value == "" {
		return fmt.Errorf("missing %s; set an http or https URL", field)
	}
	u, err := url.Parse(value)
	if err != nil {
		return fmt.Errorf("invalid %s %q: %w", field, value, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid %s %q: want an absolute http or https URL", field, value)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("invalid %s %q: remove the user info, query or fragment", field, value)
	}
	if !allowPath && u.Path != "" && u.Path != "/" {
		return fmt.Errorf("invalid %s %q: want only a scheme and host, such as "+
			"http://127.0.0.1:8050", field, value)
	}
	return nil
}

// discover reads the provider's discovery document and sets up the OAuth 2.0
// client.
func (g *Gateway) discover(ctx context.Context, cfg Config) error {
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, g.httpClient), providerTimeout)
	defer cancel()
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return fmt.Errorf("discover provider %s: %w", cfg.Issuer, err)
	}

	var meta struct {
		EndSession     string   `json:"end_session_endpoint"`
		PKCEMethods    []string `json:"code_challenge_methods_supported"`
		SigningMethods []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := provider.Claims(&meta); err != nil {
		return fmt.Errorf("read discovery document of %s: %w", cfg.Issuer, err)
	}
	if len(meta.PKCEMethods) > 0 && !slices.Contains(meta.PKCEMethods, "S256") {
		return fmt.Errorf("provider %s does not support PKCE with S256 (supports %v)",
			cfg.Issuer, meta.PKCEMethods)
	}
	if len(meta.SigningMethods) > 0 && !slices.Contains(meta.SigningMethods, oidc.RS256) {
		return fmt.Errorf("provider %s does not sign ID tokens with RS256 (signs with %v)",
			cfg.Issuer, meta.SigningMethods)
	}

	if meta.EndSession != "" && checkHTTPURL("end_session_endpoint", meta.EndSession,
		true) != nil {
		g.logger.Warn("ignoring the provider's invalid end_session_endpoint",
			"issuer", cfg.Issuer, "end_session_endpoint", meta.EndSession)
		meta.EndSession = ""
	}
	if meta.EndSession == "" {
		g.logger.Warn("provider has no end_session_endpoint; logout ends only the "+
			"gateway's session", "issuer", cfg.Issuer)
	}

	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInHeader
	if cfg.ClientSecret == "" {
		endpoint.AuthStyle = oauth2.AuthStyleInParams
	}
	g.provider = provider
	g.endSessionURL = meta.EndSession
	g.oauth = &oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint:     endpoint,
		Scopes:       slices.Clone(Scopes),
	}
	return nil
}

// ServeHTTP serves the gateway's routes and passes every other request to
// the upstream app, or responds to it with a redirect to login, 401 or 403.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if strings.HasPrefix(r.URL.Path, Prefix) {
		g.serveOwnRoute(w, r)
		return
	}
	if g.servePostLogout(w, r) {
		return
	}
	if g.level == Unauthenticated {
		g.forward(w, r, nil)
		return
	}

	s := g.steps.authenticate(r)
	if s == nil {
		if g.steps.anonymousAllowed(r) {
			g.forward(w, r, nil)
			return
		}
		g.requireLogin(w, r)
		return
	}
	if !g.steps.admits(s.user) {
		g.logger.Debug("access denied", "user", s.user.Username, "path", r.URL.Path)
		g.deny(w, r, s.user)
		return
	}
	g.forward(w, r, s)
}

// serveOwnRoute serves the routes under Prefix.
func (g *Gateway) serveOwnRoute(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	var handle http.HandlerFunc
	switch r.URL.Path {
	case LoginPath:
		allowed, handle = []string{http.MethodGet, http.MethodHead}, g.handleLogin
	case CallbackPath:
		allowed, handle = []string{http.MethodGet}, g.handleCallback
	case LogoutPath:
		allowed, handle = []string{http.MethodGet, http.MethodPost}, g.handleLogout
	default:
		writeJSONError(w, http.StatusNotFound, "not_found", "no such gateway route", "")
		return
	}
	if !slices.Contains(allowed, r.Method) {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeJSONError(w, http.StatusMethodNotAllowed, "method_not_allowed",
			r.Method+" is not allowed here", "")
		return
	}
	if g.level == Unauthenticated && r.URL.Path != LogoutPath {
		writeJSONError(w, http.StatusNotFound, "login_disabled",
			"this app's access level is unauthenticated, so it has no login", "")
		return
	}
	handle(w, r)
}

// requireLogin redirects an anonymous page request to the login route and
// responds to any other anonymous request with 401.
func (g *Gateway) requireLogin(w http.ResponseWriter, r *http.Request) {
	if isPageRequest(r) {
		http.Redirect(w, r, loginURL(r.URL.RequestURI()), http.StatusFound)
		return
	}
	writeJSONError(w, http.StatusUnauthorized, "login_required",
		"this request needs a logged-in user", loginURL("/"))
}

// loginURL returns the login route that returns to next afterwards.
func loginURL(next string) string {
	return LoginPath + "?" + url.Values{"next": {next}}.Encode()
}

// admits reports whether a Restricted app admits u. Apps at the other levels
// admit every user.
func (g *Gateway) admits(u *user) bool {
	if g.level != Restricted {
		return true
	}
	if slices.Contains(g.allowedUsers, u.Username) {
		return true
	}
	for _, group := range u.Groups {
		if slices.Contains(g.allowedGroups, group) {
			return true
		}
	}
	return false
}

// origin returns the scheme and host the browser uses for the gateway.
func (g *Gateway) origin(r *http.Request) string {
	if g.publicURL != "" {
		return g.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// secure reports whether cookies must carry the Secure attribute.
func (g *Gateway) secure(r *http.Request) bool {
	return strings.HasPrefix(g.origin(r), "https://")
}
