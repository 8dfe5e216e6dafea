package conformance

import (
	"fmt"
	"sort"
)

// Level is how binding a requirement is.
type Level string

// The levels a requirement can have.
const (
	// Must marks documented behaviour; a failure fails the run.
	Must Level = "MUST"
	// Should marks robustness and security practice; a failure is a
	// warning unless the run is strict.
	Should Level = "SHOULD"
	// Info marks a documented limitation; the check records what it saw.
	Info Level = "INFO"
)

// Requirement is one entry of the catalogue: a behaviour a target must,
// should or is documented to show.
type Requirement struct {
	// ID is stable across releases; reports, labels and expected-results
	// files refer to it.
	ID string `json:"id"`
	// Area groups requirements by suite: "basic", "enterprise", "ui".
	Area  string `json:"area"`
	Level Level  `json:"level"`
	// Text states the requirement.
	Text string `json:"text"`
	// Source names where the behaviour is documented or observed.
	Source string `json:"source"`
}

// Sources of the requirements.
const (
	srcDocs        = "Dash authentication docs"
	srcDashAuth    = "dash-auth 2.3.0 BasicAuth"
	srcDashAuthPub = "dash-auth 2.3.0 public routes and callbacks"
	srcRFC7617     = "RFC 7617 (Basic)"
	srcRFC9110     = "RFC 9110 section 11 (HTTP authentication)"
	srcDEAuth      = "dash-enterprise-auth 0.2.5 and the Dash Enterprise access levels"
	srcOIDCCore    = "OpenID Connect Core 1.0, section 3.1.3.7 (ID token validation)"
	srcOIDCLogout  = "OpenID Connect RP-Initiated Logout 1.0"
	srcRFC6265bis  = "RFC 6265bis (cookies)"
	srcOAuthSec    = "OAuth 2.0 Security Best Current Practice (open redirectors)"
)

var catalogue = []Requirement{
	{"BA-CHALLENGE", "basic", Must,
		"A request without credentials to any protected resource gets 401 with a " +
			"WWW-Authenticate header naming the Basic scheme and a realm; the body holds " +
			"none of the protected content.",
		srcRFC7617 + "; " + srcDashAuth},
	{"BA-ACCEPT", "basic", Must,
		"Every configured user with the right password gets the resource with a 2xx status.",
		srcDocs + "; " + srcDashAuth},
	{"BA-REJECT", "basic", Must,
		"A wrong password, an unknown or empty user, an empty password, case variants of " +
			"user or password and surrounding spaces all get the same 401 challenge.",
		srcDashAuth},
	{"BA-COVERAGE", "basic", Must,
		"Every route not declared public is protected: the index, unknown paths (401 " +
			"before 404), every method (401 before 405), and the Dash internals, assets " +
			"and callback endpoint.",
		srcDashAuth},
	{"BA-SAME-CHALLENGE", "basic", Must,
		"XHR and callback requests get the same 401 challenge as pages, never a bare 403 " +
			"or a redirect, so a browser holding credentials can retry them.",
		srcDashAuth},
	{"BA-COLON", "basic", Must,
		"A password containing a colon works, because only the first colon separates " +
			"user and password.",
		srcRFC7617},
	{"BA-STATELESS", "basic", Should,
		"Credentials are checked on every request: a session cookie alone does not " +
			"authenticate, and 50 authorised requests in a row all succeed.",
		srcDashAuth},
	{"BA-MALFORMED", "basic", Should,
		"A malformed Authorization header gets 401 or 400, never a 5xx or a 2xx.",
		srcRFC7617 + "; " + srcRFC9110},
	{"BA-SCHEME-CASE", "basic", Should,
		"The authentication scheme is case-insensitive: basic and BASIC are accepted.",
		srcRFC9110},
	{"BA-UTF8", "basic", Should,
		"A user whose name or password has non-ASCII characters logs in with UTF-8 " +
			"credentials.",
		srcRFC7617},
	{"BA-NO-ECHO", "basic", Must,
		"No response echoes a submitted password, in its body, a header or a cookie.",
		srcRFC7617},
	{"BA-PUBLIC", "basic", Must,
		"Routes declared public are served without credentials, for the exact route and " +
			"for its Flask rule pattern.",
		srcDashAuthPub},
	{"BA-PUBLIC-EXACT", "basic", Must,
		"Nothing beyond the declared public routes opens up: case variants, trailing " +
			"slashes, dot segments, encoded slashes, query strings and path-rewriting " +
			"headers expose no protected route.",
		srcDashAuthPub},
	{"BA-PUBLIC-CALLBACK", "basic", Must,
		"Callbacks declared public run without credentials; every other callback is " +
			"refused without credentials whatever the request body claims.",
		srcDashAuthPub},
	{"BA-GROUPS", "basic", Must,
		"A group-restricted callback gives no output to users outside its groups and " +
			"its output to users inside them.",
		srcDashAuthPub},
	{"BA-NO-LOGOUT", "basic", Info,
		"Basic auth users cannot log out; the check records any logout route and whether " +
			"credentials stay valid.",
		srcDocs},
	{"BA-CLEARTEXT", "basic", Info,
		"Over plain HTTP, Basic credentials travel in clear; the check records the scheme.",
		srcDocs + "; " + srcRFC7617},
	{"EN-LOGIN-REDIRECT", "enterprise", Must,
		"At the Restricted and Authenticated levels an anonymous page request is sent to the " +
			"IdP's authorization endpoint with response_type=code, the registered client_id and " +
			"redirect_uri, and a state; no app content is served.",
		srcDocs + "; " + srcDEAuth},
	{"EN-XHR-ANON", "enterprise", Must,
		"An anonymous callback or XHR request gets 401, 403 or a redirect, never app data.",
		srcDEAuth},
	{"EN-LOGIN", "enterprise", Must,
		"After an allowed user logs in at the IdP, the app is served and shows that user's name.",
		srcDocs},
	{"EN-AUTHENTICATED", "enterprise", Must,
		"An Authenticated app admits every user the IdP can log in.",
		srcDocs + "; " + srcDEAuth},
	{"EN-RESTRICTED", "enterprise", Must,
		"A Restricted app admits exactly the allowed users and members of the allowed groups; " +
			"any other logged-in user gets a 4xx without app content on every route, every time.",
		srcDocs + "; " + srcDEAuth},
	{"EN-UNAUTHENTICATED", "enterprise", Must,
		"An Unauthenticated app serves everyone without a login and shows no user name.",
		srcDocs + "; " + srcDEAuth},
	{"EN-USER-DATA", "enterprise", Must,
		"The app shows the user name and the data the IdP holds for the user (email, groups, " +
			"declared extra claims), exactly, for every configured user.",
		srcDocs + "; " + srcDEAuth},
	{"EN-ISOLATION", "enterprise", Must,
		"With several users logged in and their callback requests interleaved concurrently, " +
			"every response shows its own user.",
		srcDocs},
	{"EN-SPOOF", "enterprise", Must,
		"Identity headers and cookies sent by the client never change who the app sees, " +
			"anonymous or logged in; groups are replaced, never appended to.",
		srcDEAuth},
	{"EN-TOKEN-VALIDATION", "enterprise", Must,
		"The middleware rejects an unsigned, wrongly signed, foreign-issuer, foreign-audience, " +
			"expired or wrong-nonce ID token, and a missing or wrong state; no session results.",
		srcOIDCCore},
	{"EN-IDP-ERROR", "enterprise", Must,
		"An error from the IdP leaves the user logged out with an error page, not the app.",
		srcOIDCCore},
	{"EN-LOGOUT", "enterprise", Must,
		"The logout control ends the session: afterwards a protected page leads to login again.",
		srcDocs + "; " + srcDEAuth},
	{"EN-LOGOUT-REPLAY", "enterprise", Should,
		"The session cookie from before logout, replayed, no longer gives access.",
		srcOIDCLogout},
	{"EN-IDP-LOGOUT", "enterprise", Should,
		"Logout also ends the IdP session through its end_session_endpoint, so the next login " +
			"asks for credentials again.",
		srcOIDCLogout},
	{"EN-COOKIE", "enterprise", Should,
		"The session cookie is HttpOnly, SameSite=Lax or Strict, Secure over HTTPS, and gets a " +
			"new value at login.",
		srcRFC6265bis},
	{"EN-REDIRECT", "enterprise", Must,
		"Post-login and post-logout redirect targets stay on the app's own origin.",
		srcOAuthSec},
	{"EN-COVERAGE", "enterprise", Must,
		"Dash internals and assets follow the same access rule as pages, except declared public routes.",
		srcDEAuth},
	{"UI-BASIC", "ui", Must,
		"In a browser, with the right credentials the app renders and its greeting appears; " +
			"without, the browser shows the 401 answer and no app content.",
		srcDocs + "; " + srcDashAuth},
	{"UI-SSO-LOGIN", "ui", Must,
		"In a browser, opening the app leads to the IdP's login page; choosing a user there " +
			"returns to the app, which greets that user.",
		srcDocs},
	{"UI-LOGOUT", "ui", Must,
		"In a browser, the logout control logs the user out, reopening the app leads to login, " +
			"and going back in history shows no protected content from the server.",
		srcDocs + "; " + srcDEAuth},
	{"UI-DENIED", "ui", Must,
		"In a browser, a user outside a Restricted app's allowed set sees a denial and no app content.",
		srcDocs + "; " + srcDEAuth},
}

var byID = func() map[string]Requirement {
	m := make(map[string]Requirement, len(catalogue))
	for _, r := range catalogue {
		if _, dup := m[r.ID]; dup {
			panic("conformance: duplicate requirement id " + r.ID)
		}
		m[r.ID] = r
	}
	return m
}()

// Requirements returns the catalogue entries of an area ("" for all), in
// catalogue order.
func Requirements(area string) []Requirement {
	var out []Requirement
	for _, r := range catalogue {
		if area == "" || r.Area == area {
			out = append(out, r)
		}
	}
	return out
}

// Lookup returns the requirement with the given id.
func Lookup(id string) (Requirement, error) {
	r, ok := byID[id]
	if !ok {
		ids := make([]string, 0, len(byID))
		for k := range byID {
			ids = append(ids, k)
		}
		sort.Strings(ids)
		return Requirement{}, fmt.Errorf("unknown requirement id %q (known: %v)", id, ids)
	}
	return r, nil
}

// MustLookup is Lookup for ids written in code; it panics on an unknown id.
func MustLookup(id string) Requirement {
	r, err := Lookup(id)
	if err != nil {
		panic("conformance: " + err.Error())
	}
	return r
}
