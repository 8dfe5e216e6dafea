// Command mockidp runs the mock OpenID Connect identity provider for tests
// and CI. It listens only on a loopback address unless --allow-non-loopback
// is set, prints the issuer, the discovery URL and the registered clients,
// and stops cleanly on SIGINT or SIGTERM.
//
// Usage:
//
//	mockidp --users testdata/users.yaml [--addr 127.0.0.1:9400] [--config FILE]
//
// Exit status: 0 after a clean stop, 1 on a runtime error such as an
// unreadable file or a port in use, 2 on invalid flags or configuration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/authconform/authconform/mockidp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run starts the server, waits for ctx to end and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	idp, logger, err := start(args, stdout, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		// Joined errors have one problem a line; each line gets the prefix.
		msg := strings.ReplaceAll(err.Error(), "\n", "\nmockidp: ")
		fmt.Fprintf(stderr, "mockidp: %s\n", msg)
		var usage usageError
		if errors.As(err, &usage) {
			return 2
		}
		return 1
	}
	<-ctx.Done()
	logger.Info("mockidp stopping", "cause", context.Cause(ctx))
	if err := idp.Close(); err != nil {
		logger.Error("mockidp stop failed", "err", err)
		return 1
	}
	logger.Info("mockidp stopped")
	return 0
}

// start parses the configuration, starts the server and prints its summary.
func start(args []string, stdout, stderr io.Writer) (*mockidp.Server, *slog.Logger, error) {
	fc, err := parseFlags(args, stdout)
	if err != nil {
		return nil, nil, err
	}
	level, err := parseLevel(fc.LogLevel)
	if err != nil {
		return nil, nil, err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := buildConfig(fc, logger)
	if err != nil {
		return nil, nil, err
	}
	idp, err := mockidp.Start(cfg)
	if err != nil {
		if errors.Is(err, mockidp.ErrInvalidConfig) {
			return nil, nil, usageError{err}
		}
		return nil, nil, err
	}
	printSummary(stdout, idp, cfg)
	logger.Info("mockidp started", "issuer", idp.Issuer(), "listen", idp.URL(),
		"users", len(cfg.Users), "clients", len(cfg.Clients))
	return idp, logger, nil
}

// printSummary writes what a relying party needs to be configured with.
func printSummary(w io.Writer, idp *mockidp.Server, cfg mockidp.Config) {
	fmt.Fprintf(w, "issuer:    %s\n", idp.Issuer())
	fmt.Fprintf(w, "discovery: %s\n", idp.DiscoveryURL())
	if idp.URL() != idp.Issuer() {
		fmt.Fprintf(w, "listening: %s\n", idp.URL())
	}
	for _, c := range idp.Clients() {
		secret := "none (public client, PKCE required)"
		if !c.Public() {
			secret = "set in the config file"
		}
		if c.ID == defaultClient.ID && c.Secret == defaultClient.Secret {
			secret = c.Secret
		}
		fmt.Fprintf(w, "client:    id=%s secret=%s\n", c.ID, secret)
		for _, uri := range c.RedirectURIs {
			fmt.Fprintf(w, "           redirect_uri=%s\n", uri)
		}
		for _, uri := range c.PostLogoutRedirectURIs {
			fmt.Fprintf(w, "           post_logout_redirect_uri=%s\n", uri)
		}
		if c.LoopbackRedirects {
			fmt.Fprintf(w, "           redirect URIs: any http URL on 127.0.0.1, [::1] or localhost\n")
		}
	}
	if cfg.ControlDisabled {
		fmt.Fprintf(w, "control:   off\n")
		return
	}
	auth := "no token"
	if cfg.ControlToken != "" {
		auth = "bearer token required"
	}
	fmt.Fprintf(w, "control:   %s%s (%s)\n", idp.URL(), mockidp.ControlPrefix, auth)
}
