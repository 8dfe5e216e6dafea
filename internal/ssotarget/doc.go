// Package ssotarget assembles the reference target of the SSO conformance
// suite. The target is the Dash-protocol app of package refapp in SSO mode
// behind the OpenID Connect gateway of package gateway, at one of the three
// access levels Dash Enterprise documents. Mutants each break one behaviour
// the way real SSO middlewares have.
//
// The app reads the logged-in user from the Plotly-User-Data header the
// gateway sets. Its greeting ("title.children") is "Hello USERNAME", or
// "Welcome, guest" with no user. The callback "user-data.children" returns
// the user data as a JSON object, or {} with no user. Its layout has a
// logout link to the gateway's logout route.
//
// The identity provider must accept the redirect URI ORIGIN/_auth/callback
// and the post-logout redirect URI ORIGIN/, where ORIGIN is Options.PublicURL
// or the scheme and host of each request.
//
// Typical use in a test, with a mock IdP already running:
//
//	h, err := ssotarget.Handler(ssotarget.Options{
//		Level:         "restricted",
//		Issuer:        idp.Issuer(),
//		ClientID:      "dashboard",
//		ClientSecret:  "dashboard-secret",
//		AllowedGroups: []string{"analysts"},
//		Mutant:        "skip-nonce",
//	})
//	if err != nil {
//		t.Fatal(err)
//	}
//	srv := httptest.NewServer(h)
//	defer srv.Close()
package ssotarget
