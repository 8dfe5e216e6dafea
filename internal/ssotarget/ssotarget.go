package ssotarget

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/authconform/authconform/internal/gateway"
	"github.com/authconform/authconform/internal/refapp"
)

// Access levels, as Dash Enterprise names them.
const (
	Restricted      = string(gateway.Restricted)
	Authenticated   = string(gateway.Authenticated)
	Unauthenticated = string(gateway.Unauthenticated)
)

// Routes of the gateway in front of the app.
const (
	LoginPath    = gateway.LoginPath
	CallbackPath = gateway.CallbackPath
	LogoutPath   = gateway.LogoutPath
)

// discoveryTimeout bounds the gateway's discovery request in Handler.
const discoveryTimeout = 30 * time.Second

// Options selects the configuration of the reference SSO target.
type Options struct {
	// Level is the access level: Restricted, Authenticated or
	// Unauthenticated. Empty means the mutant's Level when Mutant is set.
	Level string
	// Issuer, ClientID and ClientSecret are the gateway's registration at
	// the identity provider. Issuer and ClientID are required unless the
	// level is Unauthenticated.
	Issuer, ClientID, ClientSecret string
	// AllowedUsers and AllowedGroups are who a Restricted app admits.
	AllowedUsers, AllowedGroups []string
	// Mutant names a mutant from Mutants; "" is the reference itself.
	Mutant string
	// HTTPClient makes the gateway's requests to the provider; nil means a
	// client with a 15-second timeout.
	HTTPClient *http.Client
	// Logger receives the gateway's and app's records; nil discards them.
	Logger *slog.Logger

	// PublicURL is the scheme and host browsers use for the target; empty
	// means the scheme and Host of each request.
	PublicURL string
	// SessionLifetime is how long a login lasts; zero means the gateway's
	// default of 8 hours.
	SessionLifetime time.Duration
	// Now returns the current time for sessions and token expiry; nil means
	// time.Now. Tests pass the mock IdP's clock.
	Now func() time.Time
}

// assembly is the configuration Handler builds the target from. Mutants
// change it.
type assembly struct {
	gateway gateway.Config
	app     refapp.Options
}

// Handler builds the reference SSO target, or the mutant opts.Mutant names.
// It reads the provider's discovery document, so the provider must be up.
func Handler(opts Options) (http.Handler, error) {
	var m *mutant
	if opts.Mutant != "" {
		var ok bool
		if m, ok = findMutant(opts.Mutant); !ok {
			return nil, fmt.Errorf("unknown mutant %q; valid names: %s", opts.Mutant,
				strings.Join(MutantNames(), ", "))
		}
	}
	level := opts.Level
	if level == "" && m != nil {
		level = m.Level
	}
	if level == "" {
		return nil, fmt.Errorf("missing access level; set Level to %s, %s or %s",
			Restricted, Authenticated, Unauthenticated)
	}
	parsed, err := gateway.ParseLevel(level)
	if err != nil {
		return nil, err
	}

	a := newAssembly(opts, parsed)
	if m != nil {
		m.apply(a)
	}
	app, err := refapp.New(a.app)
	if err != nil {
		return nil, fmt.Errorf("build app: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), discoveryTimeout)
	defer cancel()
	gw, err := gateway.New(ctx, a.gateway, app)
	if err != nil {
		return nil, fmt.Errorf("build gateway: %w", err)
	}
	return gw, nil
}

// newAssembly returns the reference configuration.
func newAssembly(opts Options, level gateway.Level) *assembly {
	return &assembly{
		gateway: gateway.Config{
			Level:           level,
			Issuer:          opts.Issuer,
			ClientID:        opts.ClientID,
			ClientSecret:    opts.ClientSecret,
			AllowedUsers:    opts.AllowedUsers,
			AllowedGroups:   opts.AllowedGroups,
			PublicURL:       opts.PublicURL,
			SessionLifetime: opts.SessionLifetime,
			HTTPClient:      opts.HTTPClient,
			Logger:          opts.Logger,
			Now:             opts.Now,
		},
		app: refapp.Options{
			Identify:  refapp.IdentityFromUserData,
			Callbacks: refapp.SSOCallbacks(),
			LogoutURL: gateway.LogoutPath,
			Logger:    opts.Logger,
		},
	}
}
