// Command reftarget serves the reference target of the Basic auth
// conformance suite or, with --mode sso, of the SSO suite, or one of their
// mutants, on a loopback address. With --mode upstream it serves the SSO
// app alone, to sit behind a real SSO proxy such as oauth2-proxy.
//
// Usage:
//
//	reftarget [--addr 127.0.0.1:8050] [--mutant NAME] [--private] [--allow-remote]
//	reftarget --mode sso --level LEVEL --issuer URL --client-id ID [--client-secret S]
//	          [--allowed-users a,b] [--allowed-groups g] [--mutant NAME] [--addr ...]
//	reftarget [--mode sso] --list-mutants
//	reftarget --mode upstream [--addr ...]
//
// In upstream mode the app does no authentication: it takes the user from
// the X-Forwarded-User, X-Forwarded-Preferred-Username, X-Forwarded-Email
// and X-Forwarded-Groups request headers that oauth2-proxy sets, and trusts
// them, so only that proxy may reach it. Its logout link is /oauth2/sign_out.
//
// In SSO mode the identity provider must accept the redirect URI
// URL_auth/callback and the post-logout redirect URI URL, where URL is the
// printed URL. The client secret may come from $REFTARGET_CLIENT_SECRET.
//
// It prints the URL it listens on as the first line of standard output, so
// a script can start it with --addr 127.0.0.1:0 and read the chosen port.
// It logs requests and errors to standard error and stops on SIGINT or
// SIGTERM. Usage errors exit with status 2, runtime errors with status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/authconform/authconform/internal/reftarget"
)

// shutdownTimeout bounds the wait for requests in flight when stopping.
const shutdownTimeout = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// config is the parsed command line.
type config struct {
	mode        string
	sso         ssoConfig
	addr        string
	mutant      string
	private     bool
	listMutants bool
	allowRemote bool
}

// usageError is a command-line mistake; run exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// run executes the command and returns its exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "reftarget: %v\n", err)
		var usage *usageError
		if errors.As(err, &usage) {
			return 2
		}
		return 1
	}
	if cfg.listMutants && cfg.mode == modeSSO {
		listSSOMutants(stdout)
		return 0
	}
	if cfg.listMutants {
		listMutants(stdout)
		return 0
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if err := serve(ctx, cfg, stdout, logger); err != nil {
		logger.Error("reftarget failed", "err", err)
		return 1
	}
	return 0
}

// parseArgs parses and checks the flags. It prints the help text to stdout
// for -h and returns flag.ErrHelp.
func parseArgs(args []string, stdout io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("reftarget", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.mode, "mode", modeBasic, "`MODE` of the target: basic (Basic auth), "+
		"sso (an OpenID Connect gateway) or upstream (the SSO app with no authentication, "+
		"trusting oauth2-proxy's X-Forwarded-* headers; serve it only behind that proxy)")
	addSSOFlags(fs, &cfg.sso)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8050",
		"`host:port` to listen on; port 0 picks a free port")
	fs.StringVar(&cfg.mutant, "mutant", "", "serve the mutant `NAME` instead of the reference")
	fs.BoolVar(&cfg.private, "private", false,
		"declare no public routes and no public callbacks")
	fs.BoolVar(&cfg.listMutants, "list-mutants", false, "print the mutants and exit")
	fs.BoolVar(&cfg.allowRemote, "allow-remote", false,
		"allow an --addr that is not a loopback address")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(fs, stdout)
			return cfg, err
		}
		return cfg, &usageError{fmt.Sprintf("%v; run reftarget -h for the flags", err)}
	}

	if fs.NArg() > 0 {
		return cfg, &usageError{fmt.Sprintf("unexpected argument %q; reftarget takes "+
			"only flags", fs.Arg(0))}
	}
	if cfg.mode == modeUpstream {
		if err := checkUpstream(fs); err != nil {
			return cfg, err
		}
		return cfg, checkAddr(cfg.addr, cfg.allowRemote)
	}
	if err := checkMode(fs, &cfg); err != nil {
		return cfg, err
	}
	if cfg.mutant != "" && !slices.Contains(mutantNames(cfg.mode), cfg.mutant) {
		list := "--list-mutants"
		if cfg.mode == modeSSO {
			list = "--mode sso --list-mutants"
		}
		return cfg, &usageError{fmt.Sprintf("unknown mutant %q; run reftarget "+
			"%s for the valid names", cfg.mutant, list)}
	}
	if err := checkAddr(cfg.addr, cfg.allowRemote); err != nil {
		return cfg, err
	}
	if err := checkSSO(&cfg); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// checkAddr rejects a malformed address and, unless allowRemote, one that
// is not loopback.
func checkAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return &usageError{fmt.Sprintf("invalid --addr %q: %v; use host:port such as "+
			"127.0.0.1:8050", addr, err)}
	}
	if allowRemote {
		return nil
	}
	ip := net.ParseIP(host)
	if host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return &usageError{fmt.Sprintf("--addr %q is not a loopback address; use 127.0.0.1 "+
		"or ::1, or pass --allow-remote", addr)}
}

func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintln(w, "Usage: reftarget [--addr 127.0.0.1:8050] [--mutant NAME] [--private] "+
		"[--allow-remote]")
	fmt.Fprintln(w, "       reftarget --mode sso --level LEVEL --issuer URL --client-id ID "+
		"[--client-secret S]")
	fmt.Fprintln(w, "                 [--allowed-users a,b] [--allowed-groups g] [--mutant NAME]")
	fmt.Fprintln(w, "       reftarget [--mode sso] --list-mutants")
	fmt.Fprintln(w, "       reftarget --mode upstream [--addr 127.0.0.1:8050] [--allow-remote]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Serves the Basic auth reference target or, with --mode sso, the SSO "+
		"reference target, or one of their mutants.")
	fmt.Fprintln(w, "With --mode upstream it serves the SSO app with no authentication of its "+
		"own: it trusts the\nX-Forwarded-User, X-Forwarded-Preferred-Username, "+
		"X-Forwarded-Email and X-Forwarded-Groups\nrequest headers, so serve it only "+
		"behind oauth2-proxy, which sets them and strips client copies.")
	fmt.Fprintln(w)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func listMutants(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCONFIG\tBREAKS\tDESCRIPTION")
	for _, m := range reftarget.Mutants() {
		config := "default"
		if m.Private {
			config = "private"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Name, config, strings.Join(m.Breaks, ","),
			m.Description)
	}
	tw.Flush()
}

// serve listens on cfg.addr, prints the URL and serves until ctx is done.
func serve(ctx context.Context, cfg config, stdout io.Writer, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	url := "http://" + ln.Addr().String() + "/"
	handler, err := buildHandler(cfg, url, logger)
	if err != nil {
		ln.Close()
		return fmt.Errorf("build target: %w", err)
	}
	srv := &http.Server{
		Handler:           logRequests(handler, logger),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintln(stdout, url)
	if cfg.mode == modeUpstream {
		logger.Info("listening", "url", url, "mode", cfg.mode, "logout", upstreamLogoutPath)
	} else if cfg.mode == modeSSO {
		level := cfg.sso.level
		if level == "" {
			level = mutantLevel(cfg.mutant)
		}
		logger.Info("listening", "url", url, "mode", cfg.mode, "level", level,
			"mutant", cfg.mutant, "issuer", cfg.sso.issuer)
	} else {
		logger.Info("listening", "url", url, "mutant", cfg.mutant,
			"private", cfg.private || mutantIsPrivate(cfg.mutant))
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("stopping", "reason", context.Cause(ctx))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// buildHandler builds the target of the configured mode, served at url.
func buildHandler(cfg config, url string, logger *slog.Logger) (http.Handler, error) {
	if cfg.mode == modeUpstream {
		return upstreamHandler(logger)
	}
	if cfg.mode == modeSSO {
		return ssoHandler(cfg, url, logger)
	}
	return reftarget.Handler(reftarget.Options{
		Mutant: cfg.mutant, Private: cfg.private, Logger: logger,
	})
}

// mutantIsPrivate reports whether the named mutant uses the private
// configuration regardless of --private.
func mutantIsPrivate(name string) bool {
	for _, m := range reftarget.Mutants() {
		if m.Name == name {
			return m.Private
		}
	}
	return false
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// logRequests logs each request's method, path, status and duration. It
// leaves out the query string and every header, so no credentials reach the
// log.
func logRequests(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		logger.Info("request", "method", r.Method, "path", r.URL.EscapedPath(),
			"status", rec.status, "duration", time.Since(start), "remote", r.RemoteAddr)
	})
}
