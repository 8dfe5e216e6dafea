package reftarget

import (
	"slices"
)

// Mutant is a variant of the reference target with one behaviour broken the
// way real implementations have broken it.
type Mutant struct {
	Name        string
	Description string
	// Breaks lists the ids of the Basic auth requirements the mutant is
	// meant to fail, such as "BA-REJECT".
	Breaks []string
	// Private is set when the mutant derives from the private configuration,
	// which declares no public routes and no public callbacks.
	Private bool
}

// mutant is a registered Mutant and the change it makes.
type mutant struct {
	Mutant
	apply func(a *assembly) error
}

// Mutants returns every mutant, in a fixed order.
func Mutants() []Mutant {
	list := make([]Mutant, len(registry))
	for i, m := range registry {
		list[i] = m.Mutant
		list[i].Breaks = slices.Clone(m.Breaks)
	}
	return list
}

// MutantNames returns the names of every mutant, in the order of Mutants.
func MutantNames() []string {
	names := make([]string, len(registry))
	for i, m := range registry {
		names[i] = m.Name
	}
	return names
}

func findMutant(name string) (*mutant, bool) {
	for i := range registry {
		if registry[i].Name == name {
			return &registry[i], true
		}
	}
	return nil, false
}

// define builds a registry entry.
func define(name, description string, breaks []string, apply func(*assembly) error) mutant {
	return mutant{Mutant: Mutant{Name: name, Description: description, Breaks: breaks},
		apply: apply}
}

// registry lists the mutants. Each apply function makes one change; the
// functions live in the files named after what they change.
var registry = []mutant{
	// Coverage and the response to requests without valid credentials.
	define("open-callback",
		"callback requests without valid credentials reach the app instead of the "+
			"challenge, so every callback runs anonymously",
		[]string{"BA-CHALLENGE", "BA-COVERAGE", "BA-PUBLIC-CALLBACK"}, openCallback),
	define("xhr-forbidden",
		"requests for Dash's internals and XHR or JSON requests without valid "+
			"credentials get 403 with an empty body instead of the challenge, the "+
			"response dash-auth 2.0.0 sent on every route but the index",
		[]string{"BA-CHALLENGE", "BA-COVERAGE", "BA-SAME-CHALLENGE"}, xhrForbidden),
	define("xhr-redirect",
		"XHR and JSON requests without valid credentials get a 302 redirect to /login",
		[]string{"BA-CHALLENGE", "BA-COVERAGE", "BA-SAME-CHALLENGE"}, xhrRedirect),
	define("no-realm",
		"the challenge is \"WWW-Authenticate: Basic\" without a realm parameter",
		[]string{"BA-CHALLENGE"}, noRealm),
	define("challenge-leaks",
		"after writing the 401 challenge the middleware still calls the app, so the "+
			"401 body holds the protected content",
		[]string{"BA-CHALLENGE"}, challengeLeaks),
	define("late-route-open",
		"/reports, added after the middleware was set up, is served without "+
			"credentials, as dash-auth 2.0.0 protected only the views present at setup",
		[]string{"BA-COVERAGE", "BA-CHALLENGE"}, lateRouteOpen),
	define("not-found-first",
		"the middleware wraps each route after routing, so unknown asset files get 404 "+
			"and wrong methods 405 before the 401 challenge",
		[]string{"BA-COVERAGE"}, notFoundFirst),
	define("logout-route",
		"a /logout route answers 401 with the challenge so that browsers forget the "+
			"credentials",
		[]string{"BA-NO-LOGOUT"}, logoutRoute),
	define("echo-password",
		"responses to requests with Basic credentials carry the decoded user name and "+
			"password in an X-Debug-Credentials header",
		[]string{"BA-NO-ECHO"}, echoPassword),

	// Parsing and comparing credentials.
	define("lowercase-scheme-500",
		"the Authorization value is parsed as dash-auth 2.3.0 does, and every value that "+
			"parser cannot read (lowercase scheme, Bearer, bad base64, missing padding, "+
			"no colon, non-UTF-8 bytes) gets 500",
		[]string{"BA-SCHEME-CASE", "BA-MALFORMED"}, lowercaseScheme500),
	define("junk-prefix",
		"credentials after any text that ends in \"Basic \" are accepted, so "+
			"\"XBasic <credentials>\" logs in",
		[]string{"BA-MALFORMED"}, junkPrefix),
	define("last-colon",
		"the decoded credentials are split at the last colon, so a password with a "+
			"colon never matches",
		[]string{"BA-COLON", "BA-ACCEPT"}, lastColon),
	define("latin1",
		"the decoded credentials are read as Latin-1, so non-ASCII UTF-8 credentials "+
			"never match and zoë cannot log in",
		[]string{"BA-ACCEPT", "BA-UTF8"}, latin1),
	define("case-insensitive-users",
		"user names are compared ignoring letter case",
		[]string{"BA-REJECT"}, caseInsensitiveUsers),
	define("trimmed-credentials",
		"spaces around the user name and the password are removed before comparing",
		[]string{"BA-REJECT"}, trimmedCredentials),
	define("unknown-user-empty-password",
		"passwords are looked up in a map whose zero value is \"\", so an unknown user "+
			"with an empty password logs in",
		[]string{"BA-REJECT"}, unknownUserEmptyPassword),
	define("missing-user",
		"bob is missing from the user list, so his valid credentials get 401",
		[]string{"BA-ACCEPT"}, missingUser),
	define("session-cookie",
		"a valid session cookie authenticates a request that has no Authorization header",
		[]string{"BA-STATELESS"}, sessionCookieLogin),
	define("lockout",
		"after 20 authorised callback requests a user's further callback requests get "+
			"the 401 challenge",
		[]string{"BA-STATELESS"}, lockout),

	// Public routes.
	define("public-protected",
		"the declared public routes are dropped, as dash-auth drops them for an app "+
			"under a path prefix, so they need credentials",
		[]string{"BA-PUBLIC"}, publicProtected),
	define("public-prefix",
		"a public route also matches every path that starts with it, such as "+
			"/public/x and /publicity",
		[]string{"BA-PUBLIC-EXACT"}, publicPrefix),
	define("public-raw-path",
		"public routes are matched on the decoded path with dot segments resolved, while "+
			"the app routes the path as sent, so /reports/../public serves the index",
		[]string{"BA-PUBLIC-EXACT"}, publicRawPath),
	define("original-url-header",
		"public routes are matched on the path in an X-Original-URL header when present",
		[]string{"BA-PUBLIC-EXACT"}, originalURLHeader),
	define("all-assets-public",
		"every file under /assets/ is public, not only .js and .css",
		[]string{"BA-CHALLENGE", "BA-COVERAGE"}, allAssetsPublic),
	{
		Mutant: Mutant{
			Name: "internals-public",
			Description: "Dash's internal routes (layout, dependencies, component suites, " +
				"favicon, reload hash, .js and .css assets) are public although no public " +
				"route is declared",
			Breaks:  []string{"BA-CHALLENGE", "BA-COVERAGE"},
			Private: true,
		},
		apply: internalsPublic,
	},

	// Public and group-restricted callbacks.
	define("public-callback-protected",
		"the public callback is not registered as public, as happens in dash-auth when a "+
			"clientside callback is declared before it, so it needs credentials",
		[]string{"BA-PUBLIC-CALLBACK"}, publicCallbackProtected),
	define("spoofed-callback",
		"the middleware decides whether a callback is public from \"outputs\", while the "+
			"app dispatches on \"output\" without checking \"outputs\"",
		[]string{"BA-PUBLIC-CALLBACK"}, spoofedCallback),
	define("groups-ignored",
		"the report callback has no group restriction, so every user gets the report",
		[]string{"BA-GROUPS"}, groupsIgnored),
}
