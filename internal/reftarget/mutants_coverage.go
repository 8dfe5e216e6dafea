package reftarget

import (
	"io"
	"net/http"
	"strings"

	"github.com/authconform/authconform/internal/basicauth"
	"github.com/authconform/authconform/internal/refapp"
)

// This file contains the mutants that change which requests reach the app
// and the response to a request without valid credentials.

// openCallback passes callback requests without valid credentials on to
// the app instead of challenging them.
func openCallback(a *assembly) error {
	a.auth.Hooks.Reject = func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodPost && r.URL.Path == basicauth.UpdatePath {
			next.ServeHTTP(w, r)
			return
		}
		basicauth.WriteChallenge(w, Realm)
	}
	return nil
}

// lateRouteOpen routes /reports past the middleware.
func lateRouteOpen(a *assembly) error {
	a.combine = bypass(ReportsPath, wrapThenAddReports)
	return nil
}

// bypass serves requests for path straight from the app and every other
// request through combine.
func bypass(
	path string,
	combine func(*basicauth.Middleware, *refapp.App) (http.Handler, error),
) func(*basicauth.Middleware, *refapp.App) (http.Handler, error) {
	return func(mw *basicauth.Middleware, app *refapp.App) (http.Handler, error) {
		guarded, err := combine(mw, app)
		if err != nil {
			return nil, err
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == path {
				app.ServeHTTP(w, r)
				return
			}
			guarded.ServeHTTP(w, r)
		}), nil
	}
}

// notFoundFirst wraps each route of the app instead of the whole app.
func notFoundFirst(a *assembly) error {
	a.combine = func(mw *basicauth.Middleware, app *refapp.App) (http.Handler, error) {
		if err := addReports(app); err != nil {
			return nil, err
		}
		app.WrapRoutes(mw.Wrap)
		return app, nil
	}
	return nil
}

// xhrForbidden responds with 403 and an empty body to requests a script
// makes.
func xhrForbidden(a *assembly) error {
	a.auth.Hooks.Reject = func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		if fromScript(r) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		basicauth.WriteChallenge(w, Realm)
	}
	return nil
}

// xhrRedirect sends requests a script makes to a login page.
func xhrRedirect(a *assembly) error {
	a.auth.Hooks.Reject = func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		if fromScript(r) {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		basicauth.WriteChallenge(w, Realm)
	}
	return nil
}

// fromScript reports whether a request looks like one the Dash renderer or
// another script makes rather than a page load.
func fromScript(r *http.Request) bool {
	return r.Header.Get("X-Requested-With") == "XMLHttpRequest" ||
		strings.HasPrefix(r.URL.Path, "/_dash-") ||
		strings.Contains(r.Header.Get("Accept"), "application/json") ||
		strings.Contains(r.Header.Get("Content-Type"), "application/json")
}

// noRealm sends the challenge without a realm.
func noRealm(a *assembly) error {
	a.auth.Hooks.Reject = func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		w.Header().Set("WWW-Authenticate", "Basic")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, basicauth.LoginRequired)
	}
	return nil
}

// challengeLeaks writes the challenge and then lets the app write its body,
// like a handler that lacks a return after sending the 401.
func challengeLeaks(a *assembly) error {
	a.auth.Hooks.Reject = func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		w.Header().Set("WWW-Authenticate", basicauth.Challenge(Realm))
		w.WriteHeader(http.StatusUnauthorized)
		next.ServeHTTP(headerSent{w}, r)
	}
	return nil
}

// headerSent is a ResponseWriter whose status line is already written; it
// drops further WriteHeader calls instead of logging them as superfluous.
type headerSent struct{ http.ResponseWriter }

func (headerSent) WriteHeader(int) {}

// logoutRoute adds a /logout route in front of the middleware.
func logoutRoute(a *assembly) error {
	a.outer = append(a.outer, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/logout" {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("WWW-Authenticate", basicauth.Challenge(Realm))
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, "Logged out")
		})
	})
	return nil
}

// echoPassword adds a debugging header that repeats the credentials.
func echoPassword(a *assembly) error {
	a.outer = append(a.outer, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c, err := basicauth.ParseAuthorization(r.Header); err == nil {
				w.Header().Set("X-Debug-Credentials", c.Username+":"+c.Password)
			}
			next.ServeHTTP(w, r)
		})
	})
	return nil
}
