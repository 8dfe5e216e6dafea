// Package enterprise checks an app behind a single sign-on middleware
// against the EN requirements of the conformance catalogue: the access
// levels of Dash Enterprise (restricted, authenticated, unauthenticated),
// the user data that reaches the app, isolation between sessions, forged
// identity headers, ID token validation, IdP errors, logout, the session
// cookie and redirect targets.
//
// The checks log users in through mockidp, the project's mock IdP, which
// the profile's idp section embeds or names. Like package basic, each check
// is a plain function over a discovered conformance.Target that records
// every violation; Define turns them into Ginkgo specs.
package enterprise
