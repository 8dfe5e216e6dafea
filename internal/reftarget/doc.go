// Package reftarget assembles the reference target of the Basic auth
// conformance suite: the Dash-protocol app of package refapp behind the
// middleware of package basicauth, plus mutants that each break one
// behaviour the way real implementations have broken it.
//
// The reference passes every Basic auth check. Users returns its accounts
// and Realm is its realm. The default configuration declares the public
// routes PublicRoutes and the public callbacks PublicCallbacks, and the
// private configuration declares neither. The route ReportsPath is added
// after the middleware is set up and stays protected.
//
// Typical use in a test:
//
//	h, err := reftarget.Handler(reftarget.Options{Mutant: "public-prefix"})
//	if err != nil {
//		t.Fatal(err)
//	}
//	srv := httptest.NewServer(h)
//	defer srv.Close()
package reftarget
