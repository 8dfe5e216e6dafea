package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Profile describes a target: where it is, how it authenticates, who may
// log in and what the app declares public or restricted. Profiles are YAML
// files; see docs/profiles.md for every key.
type Profile struct {
	// URL is the base URL of the app. With a start block it may contain
	// "{port}", replaced by a free loopback port.
	URL string `yaml:"url" json:"url"`
	// Auth is the authentication the target uses: "basic" or "sso".
	Auth  string `yaml:"auth" json:"auth"`
	Users []User `yaml:"users" json:"users"`
	// Dash is present when the target speaks Dash's HTTP protocol.
	Dash   *DashSpec   `yaml:"dash" json:"dash,omitempty"`
	Public PublicSpec  `yaml:"public" json:"public"`
	Groups []GroupRule `yaml:"groups" json:"groups,omitempty"`
	// Routes lists more protected paths to check, besides those found.
	Routes []string `yaml:"routes" json:"routes,omitempty"`
	// Logout names a route the target offers to end a session, if any.
	Logout *LogoutSpec `yaml:"logout" json:"logout,omitempty"`
	// SSO describes an app behind a single sign-on middleware.
	SSO *SSOSpec `yaml:"sso" json:"sso,omitempty"`
	// IdP is the mock IdP the SSO target logs users in through.
	IdP *IdPSpec `yaml:"idp" json:"idp,omitempty"`
	// Start, when present, starts the target for the run.
	Start *StartSpec `yaml:"start" json:"start,omitempty"`
	TLS   TLSSpec    `yaml:"tls" json:"tls"`
	// Timeout bounds each HTTP request; the default is 10s.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`

	// Path is the file the profile was read from, "" when built in code.
	Path string `yaml:"-" json:"path,omitempty"`
}

// User is an account the target accepts.
type User struct {
	Username string `yaml:"username" json:"username"`
	// Password is required for Basic auth; an explicit "" declares an
	// empty password. For SSO it is what the IdP's login form accepts.
	Password *string  `yaml:"password" json:"-"`
	Groups   []string `yaml:"groups" json:"groups,omitempty"`
	// Email, Name and Claims are what the IdP holds about an SSO user.
	Email  string         `yaml:"email" json:"email,omitempty"`
	Name   string         `yaml:"name" json:"name,omitempty"`
	Claims map[string]any `yaml:"claims" json:"claims,omitempty"`
}

// Secret returns the user's password, "" when none is set.
func (u User) Secret() string {
	if u.Password == nil {
		return ""
	}
	return *u.Password
}

// DashSpec describes what a Dash app shows.
type DashSpec struct {
	Greeting *GreetingSpec `yaml:"greeting" json:"greeting,omitempty"`
}

// GreetingSpec names the callback output that shows the logged-in user.
type GreetingSpec struct {
	// Output is the callback output id, as "component.property".
	Output string `yaml:"output" json:"output"`
	// Expect is the text shown, with "{username}" for the user's name.
	Expect string `yaml:"expect" json:"expect"`
}

// PublicSpec lists what the target serves without credentials.
type PublicSpec struct {
	// Routes are Flask rules such as "/user/<user_id>/public".
	Routes []string `yaml:"routes" json:"routes,omitempty"`
	// Callbacks are output ids of callbacks anyone may run.
	Callbacks []string `yaml:"callbacks" json:"callbacks,omitempty"`
	// DashInternals declares that public routes also open Dash's
	// internals (layout, dependencies, component suites, favicon, reload
	// hash) and .js and .css assets, as dash-auth does.
	DashInternals bool `yaml:"dash_internals" json:"dash_internals,omitempty"`
}

// GroupRule restricts a callback to members of groups.
type GroupRule struct {
	Callback string   `yaml:"callback" json:"callback"`
	Allowed  []string `yaml:"allowed" json:"allowed"`
}

// LogoutSpec names the route that ends a session.
type LogoutSpec struct {
	URL    string `yaml:"url" json:"url"`
	Method string `yaml:"method" json:"method,omitempty"`
}

// StartSpec is a command that serves the target for the length of a run.
type StartSpec struct {
	// Command is the program and its arguments; "{port}" is replaced.
	Command []string `yaml:"command" json:"command"`
	// Dir is the working directory, relative to the profile's folder.
	Dir string `yaml:"dir" json:"dir,omitempty"`
	// Timeout bounds the wait for the first HTTP response; default 30s.
	Timeout time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// TLSSpec sets how HTTPS targets are verified.
type TLSSpec struct {
	// CAFile is a PEM bundle of extra roots, relative to the profile.
	CAFile string `yaml:"ca_file" json:"ca_file,omitempty"`
	// InsecureSkipVerify accepts any certificate (self-signed test targets).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify" json:"insecure_skip_verify,omitempty"`
}

// ErrProfile marks an invalid profile; callers exit with status 2.
var ErrProfile = errors.New("invalid profile")

// ProfileError is one mistake in a profile, with its place.
type ProfileError struct {
	File string
	Line int
	Msg  string
}

func (e *ProfileError) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return e.File + ": " + e.Msg
	}
	return e.Msg
}

// Unwrap lets errors.Is(err, ErrProfile) hold.
func (e *ProfileError) Unwrap() error { return ErrProfile }

// LoadProfile reads and validates a profile file. Errors name the file, the
// line and the fix, and match ErrProfile.
func LoadProfile(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ProfileError{File: path,
			Msg: fmt.Sprintf("cannot read profile: %v; pass an existing file to --profile", unwrapPathErr(err))}
	}
	return ParseProfile(path, data)
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ParseProfile parses and validates profile text; file names it in errors.
func ParseProfile(file string, data []byte) (*Profile, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(file, err)
	}
	if len(root.Content) == 0 {
		return nil, &ProfileError{File: file, Msg: "profile is empty; add at least a url key"}
	}
	if root.Content[0].Kind != yaml.MappingNode {
		return nil, &ProfileError{File: file, Line: root.Content[0].Line,
			Msg: "profile must be a mapping of keys such as url, auth and users"}
	}
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, yamlError(file, err)
	}
	p.Path = file
	if err := p.validate(&root); err != nil {
		return nil, err
	}
	return &p, nil
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)
var unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// yamlError rewrites a YAML decoding error as a ProfileError per problem.
func yamlError(file string, err error) error {
	var te *yaml.TypeError
	msgs := []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var errs []error
	for _, m := range msgs {
		pe := &ProfileError{File: file, Msg: m}
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			fmt.Sscan(g[1], &pe.Line)
			pe.Msg = g[2]
		}
		if g := unknownField.FindStringSubmatch(pe.Msg); g != nil {
			pe.Msg = fmt.Sprintf("unknown key %q; check its spelling against docs/profiles.md", g[1])
		} else if strings.Contains(pe.Msg, "cannot unmarshal") {
			pe.Msg = "wrong type: " + pe.Msg + "; see docs/profiles.md for the expected shape"
		}
		errs = append(errs, pe)
	}
	return errors.Join(errs...)
}
