// Package mockidp is a mock OpenID Connect identity provider for tests and
// CI. It starts in milliseconds on a loopback port, logs in exactly the user
// a test requests, and follows OpenID Connect where relying parties depend on
// it.
//
// # What it implements
//
//   - Discovery, JWKS, authorization, token, userinfo and end-session
//     (RP-initiated logout) endpoints under the issuer URL, which may differ
//     from the listen address.
//   - The authorization code flow for confidential clients
//     (client_secret_basic, client_secret_post) and public clients with PKCE
//     (S256 or plain). Redirect URIs must be registered; codes are single-use
//     and expire after Config.CodeTTL. A code presented again revokes the
//     refresh tokens issued for it. A code presented by another client is
//     rejected and stays usable by its own client.
//   - RS256 ID and access tokens, expires_in in seconds, and refresh tokens
//     that work once and rotate on use. Refresh tokens end with the IdP
//     session unless the offline_access scope was granted.
//   - An IdP session cookie: a second login is silent; prompt=login and
//     max_age force a new login; prompt=none without a session returns
//     login_required. prompt is parsed as a space-separated list, and an
//     unknown value returns invalid_request. The sid claim is a random id of
//     the session, not the cookie value.
//   - Users as data, from a YAML file (LoadUsersFile) or Go values. The same
//     claims go into the ID token, the access token and userinfo, whatever
//     scopes were requested.
//   - Three ways to pick who logs in, in this order: a queue of users
//     (QueueUser), a default user (SetDefaultUser), and an HTML login page
//     that lists the users and takes a username and password. Picking a
//     user from the list needs no password; the username and password form
//     checks User.Password. A forced login (prompt=login, max_age) skips
//     the default user and shows the page unless a user is queued.
//   - Test control in Go and over HTTP under ControlPrefix: queue users, set
//     the default user, inject and list faults (OAuth errors, delays,
//     poisoned ID tokens, a missing or wrong state; first-in, first-out per
//     endpoint), read the request log, advance the clock, reset. GET
//     ControlPrefix lists the control endpoints, and every control response,
//     errors included, is JSON.
//
// # What comes from mockoidc
//
// github.com/oauth2-proxy/mockoidc provides the RSA key pair type, its key
// id, JWKS encoding and RS256 JWT signing (mockoidc.Keypair), and the PKCE
// challenge computation (mockoidc.GenerateCodeChallenge). Everything else is
// written here, because mockoidc reports expires_in in nanoseconds, rejects
// client_secret_basic and public PKCE clients, skips redirect URI checks,
// accepts any valid token as a refresh token, has no login page, IdP session
// or logout, keeps every session forever in a map without a lock, and keeps
// its clock in a package-level variable.
//
// # Concurrency and memory
//
// A Server is safe for concurrent use, and each Server has its own clock and
// state. Pending logins, codes, sessions and refresh tokens expire by the
// server's clock and are swept as new ones are stored; the request log keeps
// the latest Config.RequestLogSize entries.
//
// # Typical use
//
//	idp, err := mockidp.Start(mockidp.Config{
//		Clients: []mockidp.Client{{ID: "app", Secret: "app-secret",
//			RedirectURIs: []string{appURL + "/oauth2/callback"}}},
//		Users:       []mockidp.User{{Username: "alice", Groups: []string{"admins"}}},
//		DefaultUser: "alice",
//	})
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer idp.Close()
//	// Point the application's OIDC issuer at idp.Issuer().
package mockidp
