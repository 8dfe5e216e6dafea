package reftarget

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/authconform/authconform/internal/basicauth"
	"github.com/authconform/authconform/internal/refapp"
)

// Realm is the realm of the reference target's Basic challenge.
const Realm = "authconform reference"

// ReportsPath is the protected route added after the middleware is set up.
const ReportsPath = "/reports"

// Users returns the accounts of the reference target. alice's password
// contains a colon; zoë's name and password are not ASCII; bob has no group.
func Users() []basicauth.User {
	return []basicauth.User{
		{Username: "alice", Password: "wonder:land", Groups: []string{"analysts"}},
		{Username: "bob", Password: "builder"},
		{Username: "zoë", Password: "pässwörd", Groups: []string{"analysts"}},
		{Username: "carol", Password: "s3cret-Pass", Groups: []string{"sales"}},
	}
}

// PublicRoutes returns the public routes of the default configuration.
func PublicRoutes() []string { return []string{"/public", "/user/<user_id>/public"} }

// PublicCallbacks returns the public callbacks of the default configuration.
func PublicCallbacks() []string { return []string{"public-note.children"} }

// Options selects the configuration of the reference target.
type Options struct {
	// Mutant names a mutant from Mutants; "" is the reference itself.
	Mutant string
	// Private declares no public routes and no public callbacks, so every
	// route, Dash's internal routes included, needs credentials. A mutant
	// whose Private field is set always uses the private configuration.
	Private bool
	// Logger receives the middleware's and app's records; nil discards them.
	Logger *slog.Logger
}

// assembly is the configuration Handler builds the target from. Mutants
// change it.
type assembly struct {
	users []basicauth.User
	auth  basicauth.Config
	app   refapp.Options
	// combine joins the middleware and the app; the reference wraps the
	// whole app and then adds the reports route to the app.
	combine func(mw *basicauth.Middleware, app *refapp.App) (http.Handler, error)
	// outer are handlers put in front of the combined handler, first outermost.
	outer []func(http.Handler) http.Handler
}

// Handler builds the reference target, or the mutant opts.Mutant names.
func Handler(opts Options) (http.Handler, error) {
	var m *mutant
	if opts.Mutant != "" {
		var ok bool
		if m, ok = findMutant(opts.Mutant); !ok {
			return nil, fmt.Errorf("unknown mutant %q; valid names: %s", opts.Mutant,
				strings.Join(MutantNames(), ", "))
		}
	}
	private := opts.Private || (m != nil && m.Private)
	a := newAssembly(private, opts.Logger)
	if m != nil {
		if err := m.apply(a); err != nil {
			return nil, fmt.Errorf("mutant %q: %w", m.Name, err)
		}
	}
	return a.build()
}

// newAssembly returns the reference configuration.
func newAssembly(private bool, logger *slog.Logger) *assembly {
	users := Users()
	key := make([]byte, 32)
	rand.Read(key)
	a := &assembly{
		users: users,
		auth: basicauth.Config{
			Realm:      Realm,
			Users:      users,
			SessionKey: key,
			Logger:     logger,
		},
		app: refapp.Options{
			Identify: identityFromUser,
			Logger:   logger,
		},
		combine: wrapThenAddReports,
	}
	if !private {
		a.auth.PublicRoutes = PublicRoutes()
		a.auth.PublicCallbacks = PublicCallbacks()
	}
	return a
}

func (a *assembly) build() (http.Handler, error) {
	app, err := refapp.New(a.app)
	if err != nil {
		return nil, fmt.Errorf("build app: %w", err)
	}
	mw, err := basicauth.New(a.auth)
	if err != nil {
		return nil, fmt.Errorf("build middleware: %w", err)
	}
	h, err := a.combine(mw, app)
	if err != nil {
		return nil, err
	}
	for i := len(a.outer) - 1; i >= 0; i-- {
		h = a.outer[i](h)
	}
	return h, nil
}

// wrapThenAddReports puts the middleware in front of the whole app and then
// adds the reports route, the way a later @server.route adds a view to a
// Flask server that dash-auth already guards.
func wrapThenAddReports(mw *basicauth.Middleware, app *refapp.App) (http.Handler, error) {
	h := mw.Wrap(app)
	if err := addReports(app); err != nil {
		return nil, err
	}
	return h, nil
}

// addReports registers the reports page, which serves index-like content.
func addReports(app *refapp.App) error {
	if err := app.Handle("GET "+ReportsPath, refapp.IndexPage("Quarterly reports")); err != nil {
		return fmt.Errorf("add reports route: %w", err)
	}
	return nil
}

// identityFromUser returns the user the middleware authenticated as the
// app's Identity.
func identityFromUser(r *http.Request) (refapp.Identity, bool) {
	u, ok := basicauth.UserFromContext(r.Context())
	if !ok {
		return refapp.Identity{}, false
	}
	return refapp.Identity{Username: u.Username, Groups: u.Groups}, true
}
