package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/authconform/authconform/internal/gateway"
	"github.com/authconform/authconform/internal/reftarget"
	"github.com/authconform/authconform/internal/ssotarget"
)

// Modes of the command.
const (
	modeBasic = "basic"
	modeSSO   = "sso"
)

// clientSecretEnv names the environment variable read for the client secret
// when --client-secret is not given, to keep the secret out of process lists.
const clientSecretEnv = "REFTARGET_CLIENT_SECRET"

// ssoConfig is the part of the command line that configures SSO mode.
type ssoConfig struct {
	level         string
	issuer        string
	clientID      string
	clientSecret  string
	allowedUsers  string
	allowedGroups string
}

// ssoFlags are the flags that only SSO mode accepts.
var ssoFlags = []string{"level", "issuer", "client-id", "client-secret", "allowed-users",
	"allowed-groups"}

// addSSOFlags registers the SSO mode flags on fs.
func addSSOFlags(fs *flag.FlagSet, cfg *ssoConfig) {
	fs.StringVar(&cfg.level, "level", "", "SSO mode: access `LEVEL`, restricted, "+
		"authenticated or unauthenticated (default: the mutant's level)")
	fs.StringVar(&cfg.issuer, "issuer", "", "SSO mode: the OpenID Connect issuer `URL`")
	fs.StringVar(&cfg.clientID, "client-id", "", "SSO mode: the client `ID` at the issuer")
	fs.StringVar(&cfg.clientSecret, "client-secret", "", "SSO mode: the client `SECRET` "+
		"(default $"+clientSecretEnv+")")
	fs.StringVar(&cfg.allowedUsers, "allowed-users", "", "SSO mode: comma-separated `USERS` "+
		"a restricted app admits")
	fs.StringVar(&cfg.allowedGroups, "allowed-groups", "", "SSO mode: comma-separated "+
		"`GROUPS` whose members a restricted app admits")
}

// checkMode checks the mode and that the flags set belong to it.
func checkMode(fs *flag.FlagSet, cfg *config) error {
	if cfg.mode != modeBasic && cfg.mode != modeSSO {
		return &usageError{fmt.Sprintf("invalid --mode %q; use basic, sso or upstream", cfg.mode)}
	}
	var misplaced []string
	fs.Visit(func(f *flag.Flag) {
		switch {
		case cfg.mode == modeBasic && slices.Contains(ssoFlags, f.Name):
			misplaced = append(misplaced, "--"+f.Name)
		case cfg.mode == modeSSO && f.Name == "private":
			misplaced = append(misplaced, "--private")
		}
	})
	if len(misplaced) > 0 && cfg.mode == modeBasic {
		return &usageError{fmt.Sprintf("%s needs --mode sso", strings.Join(misplaced, ", "))}
	}
	if len(misplaced) > 0 {
		return &usageError{"--private applies to --mode basic only; an SSO target has no " +
			"public routes"}
	}
	if cfg.mode == modeSSO && cfg.sso.clientSecret == "" {
		cfg.sso.clientSecret = os.Getenv(clientSecretEnv)
	}
	return nil
}

// mutantNames returns the mutant names of the mode.
func mutantNames(mode string) []string {
	if mode == modeSSO {
		return ssotarget.MutantNames()
	}
	return reftarget.MutantNames()
}

// checkSSO checks the SSO mode flags, unless the command only lists mutants.
func checkSSO(cfg *config) error {
	if cfg.mode != modeSSO || cfg.listMutants {
		return nil
	}
	s := &cfg.sso
	if s.level == "" && cfg.mutant == "" {
		return &usageError{"missing --level; use restricted, authenticated or unauthenticated"}
	}
	level := s.level
	if level == "" {
		level = mutantLevel(cfg.mutant)
	}
	if _, err := gateway.ParseLevel(level); err != nil {
		return &usageError{fmt.Sprintf("invalid --level: %v", err)}
	}
	if level == ssotarget.Restricted && s.allowedUsers == "" && s.allowedGroups == "" {
		return &usageError{"a restricted app needs --allowed-users or --allowed-groups"}
	}

	// An unauthenticated app has no login, unless the mutant adds one.
	if level == ssotarget.Unauthenticated && s.issuer == "" &&
		cfg.mutant != string(gateway.FlawUnauthenticatedRequiresLogin) {
		return nil
	}
	if s.issuer == "" {
		return &usageError{"missing --issuer; set the OpenID Connect issuer URL, such as " +
			"http://127.0.0.1:9400"}
	}
	if err := checkIssuer(s.issuer, cfg.allowRemote); err != nil {
		return err
	}
	if s.clientID == "" {
		return &usageError{"missing --client-id; set the client id registered at the issuer"}
	}
	return nil
}

// checkIssuer rejects an issuer that is not an http or https URL and, unless
// allowRemote, one whose host is not loopback.
func checkIssuer(issuer string, allowRemote bool) error {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &usageError{fmt.Sprintf("invalid --issuer %q; use an http or https URL such "+
			"as http://127.0.0.1:9400", issuer)}
	}
	ip := net.ParseIP(u.Hostname())
	if allowRemote || u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return &usageError{fmt.Sprintf("--issuer %q is not on a loopback address; use "+
		"127.0.0.1 or ::1, or pass --allow-remote", issuer)}
}

// mutantLevel returns the level of the named SSO mutant, or "".
func mutantLevel(name string) string {
	for _, m := range ssotarget.Mutants() {
		if m.Name == name {
			return m.Level
		}
	}
	return ""
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var list []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			list = append(list, item)
		}
	}
	return list
}

// ssoHandler builds the SSO target served at baseURL.
func ssoHandler(cfg config, baseURL string, logger *slog.Logger) (http.Handler, error) {
	return ssotarget.Handler(ssotarget.Options{
		Level:         cfg.sso.level,
		Issuer:        cfg.sso.issuer,
		ClientID:      cfg.sso.clientID,
		ClientSecret:  cfg.sso.clientSecret,
		AllowedUsers:  splitList(cfg.sso.allowedUsers),
		AllowedGroups: splitList(cfg.sso.allowedGroups),
		Mutant:        cfg.mutant,
		PublicURL:     strings.TrimSuffix(baseURL, "/"),
		Logger:        logger,
	})
}

func listSSOMutants(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLEVEL\tBREAKS\tDESCRIPTION")
	for _, m := range ssotarget.Mutants() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Name, m.Level, strings.Join(m.Breaks, ","),
			m.Description)
	}
	tw.Flush()
}
