// Package refapp is a reference Dash app: an http.Handler that speaks Dash's
// HTTP protocol the way Dash 2.x and 3.x do, without Python.
//
// It serves the index page with its _dash-config block for "/" and every
// unknown path, the layout (/_dash-layout), the callback list
// (/_dash-dependencies), the callback endpoint (POST /_dash-update-component),
// assets, component suites, favicon and reload hash. Its callbacks greet the
// user ("title.children"), show a note that is the same for everyone
// ("public-note.children") and show a report only to the group "analysts"
// ("report.children").
//
// The app does not authenticate. An IdentityFunc returns the user:
// IdentityFromContext reads an Identity that a middleware stored with
// ContextWithIdentity, and IdentityFromUserData reads the Plotly-User-Data
// header an SSO gateway sets. In SSO mode the app also uses SSOCallbacks,
// whose greeting welcomes a guest and whose "user-data.children" returns the
// user data, and Options.LogoutURL, which adds a logout link to the layout.
//
// Typical use, behind a middleware that stores the identity:
//
//	app, err := refapp.New(refapp.Options{})
//	if err != nil {
//		return err
//	}
//	handler := authMiddleware(app)
package refapp
