package ssotarget

import (
	"net/http"
	"slices"

	"github.com/authconform/authconform/internal/gateway"
	"github.com/authconform/authconform/internal/refapp"
)

// Mutant is a variant of the reference SSO target with one behaviour broken
// the way real SSO middlewares have broken it.
type Mutant struct {
	Name        string
	Description string
	// Breaks lists the ids of the SSO requirements the mutant is meant to
	// fail, such as "EN-SPOOF".
	Breaks []string
	// Level is the access level the mutant is meant to run at, and the one
	// Handler uses when Options.Level is empty.
	Level string
}

// mutant is a registered Mutant and the change it makes.
type mutant struct {
	Mutant
	apply func(a *assembly)
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

// flawed returns a mutant that turns on the gateway flaw of the same name.
func flawed(flaw gateway.Flaw, level, description string, breaks ...string) mutant {
	return mutant{
		Mutant: Mutant{Name: string(flaw), Description: description, Breaks: breaks,
			Level: level},
		apply: func(a *assembly) { a.gateway.Flaw = flaw },
	}
}

// registry lists the mutants. All but the last are gateway flaws; the last
// changes the app.
var registry = []mutant{
	// Identity reaching the app.
	flawed(gateway.FlawTrustUserDataHeader, Authenticated,
		"a Plotly-User-Data header sent by the client reaches the app in place of the "+
			"session's user data, so anyone can claim any identity",
		"EN-SPOOF"),
	flawed(gateway.FlawTrustForwardedUser, Restricted,
		"a request with X-Forwarded-User is logged in as that user, with the groups of "+
			"X-Forwarded-Groups, as an app that trusts a proxy in front of it is",
		"EN-SPOOF"),
	flawed(gateway.FlawAppendClientGroups, Authenticated,
		"the groups of the client's X-Forwarded-Groups and Plotly-User-Data headers are "+
			"added to the user's groups instead of being replaced",
		"EN-SPOOF"),
	flawed(gateway.FlawDropGroups, Authenticated,
		"the user data leaves out the groups claim, so the app sees every user without groups",
		"EN-USER-DATA"),
	flawed(gateway.FlawSharedLastUser, Authenticated,
		"the gateway keeps the latest request's user data in one variable shared by all "+
			"requests, so concurrent requests reach the app as each other's user",
		"EN-ISOLATION"),

	// Login.
	flawed(gateway.FlawSkipNonce, Authenticated,
		"the ID token's nonce is not compared with the login's, so a token issued for "+
			"another login is accepted",
		"EN-TOKEN-VALIDATION"),
	flawed(gateway.FlawSkipAudience, Authenticated,
		"the ID token's audience is not checked, so a token issued for another client is "+
			"accepted",
		"EN-TOKEN-VALIDATION"),
	flawed(gateway.FlawAcceptAlgNone, Authenticated,
		"an unsigned ID token (alg none) is accepted when its issuer, audience and expiry "+
			"are right, because the gateway verifies such tokens by hand",
		"EN-TOKEN-VALIDATION"),
	flawed(gateway.FlawSkipState, Authenticated,
		"the state of the provider's response is not compared with the login's, so a "+
			"response with a missing or wrong state logs in",
		"EN-TOKEN-VALIDATION"),
	flawed(gateway.FlawSessionInCookie, Authenticated,
		"the session cookie holds the user as unsigned base64 JSON and the gateway believes "+
			"it, so a client can name any user and a copied cookie outlives logout",
		"EN-SPOOF", "EN-LOGOUT-REPLAY"),
	flawed(gateway.FlawStateNotBound, Authenticated,
		"the callback finds the pending login by the state in the provider's response, not "+
			"by the browser's login cookie, so a response meant for one browser logs in another",
		"EN-TOKEN-VALIDATION"),
	flawed(gateway.FlawNoState, Authenticated,
		"the authorization request carries no state and the response's state is not "+
			"checked, so nothing binds the login to the browser that started it",
		"EN-LOGIN-REDIRECT", "EN-TOKEN-VALIDATION"),
	flawed(gateway.FlawIdPErrorShowsApp, Authenticated,
		"when the provider answers the login with an error, the callback serves the app's "+
			"root page to the anonymous user",
		"EN-IDP-ERROR"),

	// Sessions, logout and redirects.
	flawed(gateway.FlawLogoutKeepsSession, Authenticated,
		"logout clears the session cookie but keeps the session on the server, so a copy "+
			"of the cookie still works",
		"EN-LOGOUT-REPLAY"),
	flawed(gateway.FlawLogoutNoop, Authenticated,
		"the logout route only redirects: the session and the provider's session stay",
		"EN-LOGOUT", "EN-LOGOUT-REPLAY", "EN-IDP-LOGOUT"),
	flawed(gateway.FlawLogoutLocalOnly, Authenticated,
		"logout ends the gateway's session but not the provider's, so the next login is "+
			"silent and a protected page opens again without credentials",
		"EN-IDP-LOGOUT"),
	flawed(gateway.FlawOpenRedirectLogin, Authenticated,
		"after login the browser is sent to whatever next names, other sites included",
		"EN-REDIRECT"),
	flawed(gateway.FlawOpenRedirectLogout, Authenticated,
		"after logout the browser is sent to whatever next or rd names, other sites included",
		"EN-REDIRECT"),
	flawed(gateway.FlawCookieNotHTTPOnly, Authenticated,
		"the session cookie lacks HttpOnly, so page scripts can read it",
		"EN-COOKIE"),
	flawed(gateway.FlawSessionFixation, Authenticated,
		"the session cookie is set when a login starts and keeps its value at login, even "+
			"a value the client chose, so the session id is not rotated",
		"EN-COOKIE"),

	// Access levels and coverage.
	flawed(gateway.FlawRestrictedAdmitsAll, Restricted,
		"the restricted app admits every logged-in user, not only the allowed users and "+
			"groups, so users outside them reach the app and its internals",
		"EN-RESTRICTED", "EN-SPOOF", "EN-COVERAGE"),
	flawed(gateway.FlawUnauthenticatedRequiresLogin, Unauthenticated,
		"the unauthenticated app still sends anonymous users to login and shows the "+
			"logged-in user",
		"EN-UNAUTHENTICATED", "EN-COVERAGE"),
	flawed(gateway.FlawAnonymousXHR, Authenticated,
		"only page requests need a login: anonymous callback and other XHR requests reach "+
			"the app",
		"EN-XHR-ANON", "EN-COVERAGE"),
	flawed(gateway.FlawLayoutPublic, Authenticated,
		"/_dash-layout and /_dash-dependencies are served to anonymous users",
		"EN-COVERAGE", "EN-XHR-ANON"),

	// The app.
	{
		Mutant: Mutant{
			Name: "greeting-shows-email",
			Description: "the app takes the user's email as the username, so the greeting " +
				"and the user data show alice@example.com instead of alice",
			// Every check that compares the probe's username with the user
			// who logged in fails.
			Breaks: []string{"EN-LOGIN", "EN-AUTHENTICATED", "EN-USER-DATA", "EN-ISOLATION",
				"EN-SPOOF"},
			Level: Authenticated,
		},
		apply: func(a *assembly) { a.app.Identify = usernameFromEmail },
	},
}

// usernameFromEmail reads the identity from the user data header and puts
// the email where the username belongs.
func usernameFromEmail(r *http.Request) (refapp.Identity, bool) {
	id, ok := refapp.IdentityFromUserData(r)
	if ok && id.Email != "" {
		id.Username = id.Email
	}
	return id, ok
}
