// Package gateway is an OpenID Connect authentication gateway for a Dash app,
// built the way Dash Enterprise 4 puts its SSO middleware in front of an app.
//
// The gateway is a relying party of an OpenID Connect provider. It logs users
// in with the authorization code flow (state, nonce and PKCE S256, scopes
// Scopes), verifies the ID token with coreos/go-oidc (RS256 signature against
// the provider's JWKS, issuer, audience, expiry) and then checks the nonce.
// It keeps sessions on the server, keyed by a random 32-byte id in the
// HttpOnly cookie SessionCookie, and gives every login a new id.
//
// It serves its own routes under Prefix: LoginPath?next=PATH starts a login,
// CallbackPath finishes it, and LogoutPath (GET or POST) ends the session and
// the provider's session through its end_session_endpoint. Every other path
// belongs to the app. At the Restricted and Authenticated levels an anonymous
// page request (GET or HEAD that accepts text/html, not an XHR) is redirected
// to the login route, and every other anonymous request gets 401 with a JSON
// body. At the Restricted level a logged-in user outside the allowed users
// and groups gets 403 on every route. At the Unauthenticated level everyone is
// served and the app receives no identity.
//
// The app learns who is logged in the way Dash Enterprise 4 apps do: from the
// request header UserDataHeader, a JSON object with "username", "email",
// "groups" and the ID token's non-standard claims. The gateway removes every
// identity header the client sent (IdentityHeaders, in any letter case and
// with underscores for dashes) and its own cookies before the request reaches
// the app, and marks every response with Cache-Control: no-store.
//
// Config.Flaw turns on one deliberate defect from Flaws, each imitating a
// real middleware failure, so that conformance checks can be shown to catch
// it. The zero Flaw is the careful gateway.
//
// Typical use:
//
//	gw, err := gateway.New(ctx, gateway.Config{
//		Level:         gateway.Restricted,
//		Issuer:        "http://127.0.0.1:9400",
//		ClientID:      "dashboard",
//		ClientSecret:  "dashboard-secret",
//		AllowedGroups: []string{"analysts"},
//	}, app)
//	if err != nil {
//		return err
//	}
//	http.ListenAndServe("127.0.0.1:8050", gw)
//
// The provider must accept the redirect URI ORIGIN/_auth/callback and the
// post-logout redirect URI ORIGIN/, where ORIGIN is Config.PublicURL or the
// scheme and host of each request.
package gateway
