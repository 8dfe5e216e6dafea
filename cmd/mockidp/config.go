package main

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/authconform/authconform/mockidp"
	"github.com/authconform/authconform/mockidp/yamlfile"
)

// usageError marks an error in flags or configuration, which exits with 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// fileConfig is the layout of the YAML configuration file.
type fileConfig struct {
	Addr             string           `yaml:"addr"`
	Issuer           string           `yaml:"issuer"`
	UsersFile        string           `yaml:"users_file"`
	DefaultUser      string           `yaml:"default_user"`
	Clients          []mockidp.Client `yaml:"clients"`
	SigningKeyFile   string           `yaml:"signing_key_file"`
	LogLevel         string           `yaml:"log_level"`
	AllowNonLoopback bool             `yaml:"allow_non_loopback"`
	TLS              struct {
		CertFile   string `yaml:"cert_file"`
		KeyFile    string `yaml:"key_file"`
		SelfSigned bool   `yaml:"self_signed"`
	} `yaml:"tls"`
	Tokens struct {
		CodeTTL    time.Duration `yaml:"code_ttl"`
		AccessTTL  time.Duration `yaml:"access_ttl"`
		RefreshTTL time.Duration `yaml:"refresh_ttl"`
		SessionTTL time.Duration `yaml:"session_ttl"`
	} `yaml:"tokens"`
	Control struct {
		Enabled *bool  `yaml:"enabled"`
		Token   string `yaml:"token"`
	} `yaml:"control"`

	// issuerSource names where Issuer was set, for error messages.
	issuerSource string
}

// defaultClient is registered when the configuration names no client. It
// accepts redirect URIs on any loopback port and path.
var defaultClient = mockidp.Client{
	ID:                "mockidp-client",
	Secret:            "mockidp-secret",
	LoopbackRedirects: true,
}

// parseFlags reads the flags into a fileConfig, on top of the config file
// named by --config. Only flags given on the command line override the file.
// -h prints the flags to stdout and returns flag.ErrHelp; a flag error is one
// line, returned as a usageError.
func parseFlags(args []string, stdout io.Writer) (fileConfig, error) {
	fs, cfg, configPath := newFlagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs)
			return fileConfig{}, err
		}
		msg := strings.TrimSuffix(err.Error(), ": parse error") // bool flags
		if msg != err.Error() {
			msg += ": use true or false"
		}
		return fileConfig{}, usagef("%s: run mockidp -h for the flags", msg)
	}
	if fs.NArg() > 0 {
		return fileConfig{}, usagef("unexpected argument %q: all settings are flags; "+
			"run mockidp -h for the flags", fs.Arg(0))
	}
	cfg.issuerSource = "--issuer"
	if *configPath == "" {
		return withEnv(*cfg), nil
	}
	merged, err := readConfigFile(*configPath)
	if err != nil {
		return fileConfig{}, err
	}
	// Flags given on the command line win over the file.
	fs.Visit(func(f *flag.Flag) { overrideFromFlag(&merged, cfg, f.Name) })
	return withEnv(merged), nil
}

// newFlagSet defines the flags, which fill the returned fileConfig. The flag
// set prints nothing itself, so that parseFlags decides what to print.
func newFlagSet() (*flag.FlagSet, *fileConfig, *string) {
	fs := flag.NewFlagSet("mockidp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	cfg := &fileConfig{}
	configPath := fs.String("config", "", "YAML configuration `file`; flags override it")
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:0",
		"listen `address` (host:port; port 0 picks a free port)")
	fs.StringVar(&cfg.Issuer, "issuer", "", "public issuer `URL` (default: the listen URL)")
	fs.StringVar(&cfg.UsersFile, "users", "", "users YAML `file`")
	fs.StringVar(&cfg.DefaultUser, "default-user", "", "`username` logged in without the login page")
	fs.StringVar(&cfg.TLS.CertFile, "tls-cert", "", "TLS certificate PEM `file`")
	fs.StringVar(&cfg.TLS.KeyFile, "tls-key", "", "TLS private key PEM `file`")
	fs.BoolVar(&cfg.TLS.SelfSigned, "tls-self-signed", false, "serve HTTPS with a generated self-signed certificate")
	fs.StringVar(&cfg.SigningKeyFile, "signing-key", "", "RSA signing key PEM `file` (default: generated at start)")
	durationVar(fs, &cfg.Tokens.CodeTTL, "code-ttl", mockidp.DefaultCodeTTL, "authorization code lifetime")
	durationVar(fs, &cfg.Tokens.AccessTTL, "access-ttl", mockidp.DefaultAccessTTL, "access and ID token lifetime")
	durationVar(fs, &cfg.Tokens.RefreshTTL, "refresh-ttl", mockidp.DefaultRefreshTTL, "refresh token lifetime")
	durationVar(fs, &cfg.Tokens.SessionTTL, "session-ttl", mockidp.DefaultSessionTTL, "IdP session lifetime")
	fs.StringVar(&cfg.LogLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	cfg.Control.Enabled = fs.Bool("control", true, "serve the control API under "+mockidp.ControlPrefix)
	fs.StringVar(&cfg.Control.Token, "control-token", "", "bearer `token` the control API requires "+
		"(default: $MOCKIDP_CONTROL_TOKEN)")
	fs.BoolVar(&cfg.AllowNonLoopback, "allow-non-loopback", false,
		"allow a listen address other than loopback (the keys and users are for tests)")
	return fs, cfg, configPath
}

// printUsage writes the synopsis and every flag.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "Usage: mockidp --users FILE [flags]")
	fmt.Fprintln(w, "       mockidp --config FILE [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Flags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// durationFlag is a time.Duration flag whose error names the expected form.
type durationFlag struct{ d *time.Duration }

func durationVar(fs *flag.FlagSet, d *time.Duration, name string, value time.Duration,
	usage string) {
	*d = value
	fs.Var(durationFlag{d}, name, usage+" (`duration` such as 90s, 10m or 1h)")
}

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(value string) error {
	d, err := time.ParseDuration(value)
	if err != nil {
		return errors.New("use a duration such as 90s, 10m or 1h")
	}
	*f.d = d
	return nil
}

// overrideFromFlag copies the setting of one flag from flags into dst.
func overrideFromFlag(dst, flags *fileConfig, name string) {
	switch name {
	case "addr":
		dst.Addr = flags.Addr
	case "issuer":
		dst.Issuer = flags.Issuer
		dst.issuerSource = flags.issuerSource
	case "users":
		dst.UsersFile = flags.UsersFile
	case "default-user":
		dst.DefaultUser = flags.DefaultUser
	case "tls-cert":
		dst.TLS.CertFile = flags.TLS.CertFile
	case "tls-key":
		dst.TLS.KeyFile = flags.TLS.KeyFile
	case "tls-self-signed":
		dst.TLS.SelfSigned = flags.TLS.SelfSigned
	case "signing-key":
		dst.SigningKeyFile = flags.SigningKeyFile
	case "code-ttl":
		dst.Tokens.CodeTTL = flags.Tokens.CodeTTL
	case "access-ttl":
		dst.Tokens.AccessTTL = flags.Tokens.AccessTTL
	case "refresh-ttl":
		dst.Tokens.RefreshTTL = flags.Tokens.RefreshTTL
	case "session-ttl":
		dst.Tokens.SessionTTL = flags.Tokens.SessionTTL
	case "log-level":
		dst.LogLevel = flags.LogLevel
	case "control":
		dst.Control.Enabled = flags.Control.Enabled
	case "control-token":
		dst.Control.Token = flags.Control.Token
	case "allow-non-loopback":
		dst.AllowNonLoopback = flags.AllowNonLoopback
	}
}

func withEnv(cfg fileConfig) fileConfig {
	if cfg.Control.Token == "" {
		cfg.Control.Token = os.Getenv("MOCKIDP_CONTROL_TOKEN")
	}
	return cfg
}

// readConfigFile decodes a configuration file strictly. Relative paths in
// it are resolved against the file's directory.
func readConfigFile(path string) (fileConfig, error) {
	data, err := yamlfile.ReadFile(path)
	if err != nil {
		return fileConfig{}, classify(fmt.Errorf("reading config file: %w", err))
	}
	var cfg fileConfig
	if err := yamlfile.Decode(path, data, &cfg); err != nil {
		return fileConfig{}, usageError{err}
	}
	cfg.issuerSource = path + ": issuer"
	dir := filepath.Dir(path)
	for _, p := range []*string{&cfg.UsersFile, &cfg.SigningKeyFile, &cfg.TLS.CertFile,
		&cfg.TLS.KeyFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.LogLevel == "" {
		cfg.LogLevel = "info"
	}
	return cfg, nil
}

// checkLoopback rejects a listen address that is not on a loopback host.
func checkLoopback(addr string, allow bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("listen address %q: %w: use host:port such as 127.0.0.1:9400", addr, err)
	}
	if allow || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return usagef("listen address %q is not a loopback address: mockidp's keys and users are "+
		"for tests; pass --allow-non-loopback if you mean it", addr)
}

// buildConfig turns the file and flag settings into a mockidp.Config.
func buildConfig(fc fileConfig, logger *slog.Logger) (mockidp.Config, error) {
	if err := checkLoopback(fc.Addr, fc.AllowNonLoopback); err != nil {
		return mockidp.Config{}, err
	}
	if fc.UsersFile == "" {
		return mockidp.Config{}, usagef("no users: pass --users FILE or set users_file in the config")
	}
	if fc.Issuer != "" {
		if err := mockidp.ValidateIssuer(fc.Issuer); err != nil {
			// The message starts with `issuer "VALUE"`, so the source replaces "issuer".
			msg := strings.TrimPrefix(err.Error(), "issuer ")
			return mockidp.Config{}, usagef("%s %s", fc.issuerSource, msg)
		}
	}
	users, err := mockidp.LoadUsersFile(fc.UsersFile)
	if err != nil {
		return mockidp.Config{}, classify(err)
	}
	if len(users.Users) == 0 {
		return mockidp.Config{}, usagef("no users in %s: add at least one user under users:",
			fc.UsersFile)
	}
	cfg := mockidp.Config{
		Addr: fc.Addr, Issuer: fc.Issuer, Clients: fc.Clients, Users: users.Users,
		DefaultUser: cmpOr(fc.DefaultUser, users.DefaultUser),
		CodeTTL:     fc.Tokens.CodeTTL, AccessTTL: fc.Tokens.AccessTTL,
		RefreshTTL: fc.Tokens.RefreshTTL, SessionTTL: fc.Tokens.SessionTTL,
		ControlDisabled: fc.Control.Enabled != nil && !*fc.Control.Enabled,
		ControlToken:    fc.Control.Token,
		Logger:          logger,
	}
	if len(cfg.Clients) == 0 {
		cfg.Clients = []mockidp.Client{defaultClient}
	}
	if fc.SigningKeyFile != "" {
		if cfg.SigningKey, err = readRSAKey(fc.SigningKeyFile); err != nil {
			return mockidp.Config{}, err
		}
	}
	if cfg.TLS, err = tlsConfig(fc); err != nil {
		return mockidp.Config{}, err
	}
	return cfg, nil
}

// classify makes a file-content error, such as a file above
// yamlfile.MaxFileSize, a usage error and leaves I/O errors.
func classify(err error) error {
	var pathErr *os.PathError
	if errors.As(err, &pathErr) && !errors.Is(err, yamlfile.ErrTooLarge) {
		return err
	}
	return usageError{err}
}

func tlsConfig(fc fileConfig) (*tls.Config, error) {
	switch {
	case fc.TLS.SelfSigned && (fc.TLS.CertFile != "" || fc.TLS.KeyFile != ""):
		return nil, usagef("--tls-self-signed conflicts with --tls-cert and --tls-key: choose one")
	case fc.TLS.SelfSigned:
		host, _, _ := net.SplitHostPort(fc.Addr)
		cert, _, err := mockidp.SelfSignedCertificate("127.0.0.1", "::1", "localhost", host)
		if err != nil {
			return nil, err
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	case fc.TLS.CertFile == "" && fc.TLS.KeyFile == "":
		return nil, nil
	case fc.TLS.CertFile == "" || fc.TLS.KeyFile == "":
		return nil, usagef("TLS needs both --tls-cert and --tls-key")
	}
	cert, err := tls.LoadX509KeyPair(fc.TLS.CertFile, fc.TLS.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("loading TLS certificate %s and key %s: %w",
			fc.TLS.CertFile, fc.TLS.KeyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// readRSAKey reads an RSA private key in PKCS #1 or PKCS #8 PEM.
func readRSAKey(path string) (*rsa.PrivateKey, error) {
	data, err := yamlfile.ReadFile(path)
	if err != nil {
		return nil, classify(fmt.Errorf("reading signing key: %w", err))
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, usagef("signing key %s is not PEM: use an RSA private key in PEM", path)
	}
	if key, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return key, nil
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, usagef("signing key %s: %w: use an RSA private key (PKCS #1 or #8)", path, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, usagef("signing key %s is a %T, not RSA: tokens are signed with RS256", path, parsed)
	}
	return key, nil
}

func parseLevel(name string) (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(name))); err != nil {
		return 0, usagef("log level %q: use debug, info, warn or error", name)
	}
	return level, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
