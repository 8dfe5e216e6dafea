package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/authconform/authconform/internal/refapp"
)

// modeUpstream serves the app alone, for a real SSO proxy in front of it.
const modeUpstream = "upstream"

// upstreamLogoutPath is oauth2-proxy's sign-out route under its default
// proxy prefix /oauth2. The app's logout link points there.
const upstreamLogoutPath = "/oauth2/sign_out"

// upstreamFlags are the flags that upstream mode accepts.
var upstreamFlags = []string{"mode", "addr", "allow-remote"}

// checkUpstream rejects the flags set on fs that upstream mode does not take.
func checkUpstream(fs *flag.FlagSet) error {
	var misplaced []string
	fs.Visit(func(f *flag.Flag) {
		if !slices.Contains(upstreamFlags, f.Name) {
			misplaced = append(misplaced, "--"+f.Name)
		}
	})
	if len(misplaced) > 0 {
		return &usageError{fmt.Sprintf("%s does not apply to --mode upstream, which takes "+
			"only --addr and --allow-remote", strings.Join(misplaced, ", "))}
	}
	return nil
}

// upstreamHandler builds the app in SSO shape with no authentication of its
// own. It takes the user from oauth2-proxy's X-Forwarded-* request headers
// and trusts them, so it must only be reachable through the proxy.
func upstreamHandler(logger *slog.Logger) (http.Handler, error) {
	logger.Warn("upstream mode trusts the X-Forwarded-User, -Preferred-Username, -Email " +
		"and -Groups request headers; serve it only behind a proxy that sets them")
	app, err := refapp.New(refapp.Options{
		Identify:  refapp.IdentityFromForwardedHeaders,
		Callbacks: refapp.SSOCallbacks(),
		LogoutURL: upstreamLogoutPath,
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("build app: %w", err)
	}
	return app, nil
}
