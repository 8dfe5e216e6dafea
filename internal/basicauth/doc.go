// Package basicauth is HTTP Basic authentication (RFC 7617) for a Dash app,
// the contract of dash-auth 2.3.0's BasicAuth made strict.
//
// Like dash-auth it runs before routing, so it covers every route, method
// and unknown path, including routes the app adds later. It responds to
// every failure with the same 401 challenge and body "Login Required". Declared
// public routes, written in Flask's rule syntax, and declared public
// callbacks are served without credentials. Declaring any public route also
// opens Dash's internal routes (DashInternalRoutes).
//
// Unlike dash-auth it responds to every malformed Authorization value with
// the 401 challenge instead of a server error, and it accepts the scheme in
// any letter case. It compares credentials in constant time. It matches
// public rules on the escaped request path and never treats a path with dot
// segments or encoded slashes as public.
//
// Typical use:
//
//	mw, err := basicauth.New(basicauth.Config{
//		Realm:           "reports",
//		Users:           []basicauth.User{{Username: "alice", Password: "wonder:land"}},
//		PublicRoutes:    []string{"/public", "/user/<user_id>/public"},
//		PublicCallbacks: []string{"public-note.children"},
//	})
//	if err != nil {
//		return err
//	}
//	handler := mw.Wrap(app)
//
// The wrapped handler finds the user with UserFromContext.
package basicauth
