package conformance

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// DefaultTimeout bounds each request when a profile sets no timeout.
const DefaultTimeout = 10 * time.Second

// DefaultStartTimeout bounds the wait for a started target.
const DefaultStartTimeout = 30 * time.Second

// PortPlaceholder in a profile's url and start command is replaced by a
// free loopback port.
const PortPlaceholder = "{port}"

// validator collects profile mistakes with the line of the key they concern.
type validator struct {
	file string
	root *yaml.Node
	errs []error
}

// line returns the line of the value at a path of mapping keys and sequence
// indexes, or of the nearest ancestor that exists.
func (v *validator) line(path ...any) int {
	if v.root == nil || len(v.root.Content) == 0 {
		return 0
	}
	n := v.root.Content[0]
	best := n.Line
	for _, step := range path {
		var next *yaml.Node
		switch s := step.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s {
						next = n.Content[i+1]
						best = n.Content[i].Line
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && s < len(n.Content) {
				next = n.Content[s]
				best = next.Line
			}
		}
		if next == nil {
			return best
		}
		n = next
	}
	return best
}

func (v *validator) add(msg string, path ...any) {
	v.errs = append(v.errs, &ProfileError{File: v.file, Line: v.line(path...), Msg: msg})
}

func (p *Profile) validate(root *yaml.Node) error {
	v := &validator{file: p.Path, root: root}
	p.applyDefaults()
	p.check(v)
	return errors.Join(v.errs...)
}

// Validate checks a profile built in code; errors match ErrProfile.
func (p *Profile) Validate() error {
	return p.validate(nil)
}

func (p *Profile) applyDefaults() {
	if p.Auth == "" {
		p.Auth = "basic"
	}
	if p.Timeout == 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Start != nil && p.Start.Timeout == 0 {
		p.Start.Timeout = DefaultStartTimeout
	}
	if p.Logout != nil && p.Logout.Method == "" {
		p.Logout.Method = "GET"
	}
}

func (p *Profile) check(v *validator) {
	p.checkURL(v)
	if p.Auth != "basic" && p.Auth != "sso" {
		v.add(fmt.Sprintf("auth %q is not supported; use basic or sso", p.Auth), "auth")
	}
	p.checkUsers(v)
	if p.Auth == "basic" && len(p.Users) == 0 {
		v.add("users is empty; list at least one account the target accepts, so that "+
			"admitting and rejecting users can be checked", "users")
	}
	p.checkSSO(v)
	if p.Dash != nil && p.Dash.Greeting != nil {
		g := p.Dash.Greeting
		if !validOutputID(g.Output) {
			v.add(fmt.Sprintf("dash.greeting.output %q is not a callback output id; "+
				"write it as component.property, e.g. title.children", g.Output),
				"dash", "greeting", "output")
		}
		if !strings.Contains(g.Expect, "{username}") {
			v.add(fmt.Sprintf("dash.greeting.expect %q does not contain {username}; "+
				"write the text the app shows, e.g. \"Hello {username}\"", g.Expect),
				"dash", "greeting", "expect")
		}
	}
	for i, r := range p.Public.Routes {
		if _, err := ParseRule(r); err != nil {
			v.add(fmt.Sprintf("public.routes[%d]: %v", i, err), "public", "routes", i)
		}
	}
	for i, c := range p.Public.Callbacks {
		if !validOutputID(c) {
			v.add(fmt.Sprintf("public.callbacks[%d] %q is not a callback output id; "+
				"write it as component.property", i, c), "public", "callbacks", i)
		}
	}
	if (len(p.Public.Callbacks) > 0 || len(p.Groups) > 0) && p.Dash == nil {
		v.add("public callbacks and groups need a Dash app; add a dash: section or remove them",
			"public")
	}
	for i, g := range p.Groups {
		if !validOutputID(g.Callback) {
			v.add(fmt.Sprintf("groups[%d].callback %q is not a callback output id; "+
				"write it as component.property", i, g.Callback), "groups", i, "callback")
		}
		if len(g.Allowed) == 0 {
			v.add(fmt.Sprintf("groups[%d] allows no group; list them under allowed", i),
				"groups", i)
		}
	}
	for i, r := range p.Routes {
		if !strings.HasPrefix(r, "/") {
			v.add(fmt.Sprintf("routes[%d] %q must be a path starting with /", i, r), "routes", i)
		}
	}
	if p.Logout != nil && !strings.HasPrefix(p.Logout.URL, "/") {
		v.add(fmt.Sprintf("logout.url %q must be a path starting with /", p.Logout.URL),
			"logout", "url")
	}
	p.checkStart(v)
	if p.TLS.CAFile != "" {
		if _, err := os.Stat(p.Resolve(p.TLS.CAFile)); err != nil {
			v.add(fmt.Sprintf("tls.ca_file %q: %v; give a readable PEM file", p.TLS.CAFile,
				unwrapPathErr(err)), "tls", "ca_file")
		}
	}
	if p.Timeout < 0 {
		v.add(fmt.Sprintf("timeout %v is negative; use a duration such as 10s", p.Timeout),
			"timeout")
	}
}

func (p *Profile) checkURL(v *validator) {
	if p.URL == "" {
		v.add("missing url; add the target's address, e.g. url: http://127.0.0.1:8050/ "+
			"(or pass --target-url)", "url")
		return
	}
	raw := p.URL
	if p.Start != nil && !strings.Contains(raw, PortPlaceholder) {
		v.add(fmt.Sprintf("url %q has no %s although start is given; write the url with %s so "+
			"the suite probes the target it starts", raw, PortPlaceholder, PortPlaceholder), "url")
		return
	}
	if strings.Contains(raw, PortPlaceholder) {
		if p.Start == nil {
			v.add(fmt.Sprintf("url %q uses %s but the profile has no start command "+
				"to choose the port; give a real port", raw, PortPlaceholder), "url")
			return
		}
		raw = strings.ReplaceAll(raw, PortPlaceholder, "1")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		v.add(fmt.Sprintf("url %q is malformed (%v); write it as http://host:port/path",
			p.URL, errors.Unwrap(err)), "url")
	case u.Scheme != "http" && u.Scheme != "https":
		v.add(fmt.Sprintf("url %q must start with http:// or https://", p.URL), "url")
	case u.Host == "":
		v.add(fmt.Sprintf("url %q has no host; write it as http://host:port/", p.URL), "url")
	case u.User != nil:
		v.add(fmt.Sprintf("url %q carries credentials; remove them and list users "+
			"under users", redactURL(u)), "url")
	case u.RawQuery != "" || u.Fragment != "":
		v.add(fmt.Sprintf("url %q has a query or fragment; give the app's base URL", p.URL), "url")
	}
}

func (p *Profile) checkUsers(v *validator) {
	seen := map[string]bool{}
	for i, u := range p.Users {
		switch {
		case u.Username == "":
			v.add(fmt.Sprintf("users[%d] has no username; add username: NAME", i), "users", i)
		case strings.Contains(u.Username, ":") && p.Auth == "basic":
			v.add(fmt.Sprintf("users[%d] username %q contains a colon, which Basic auth "+
				"cannot carry; rename the user", i, u.Username), "users", i, "username")
		case seen[u.Username]:
			v.add(fmt.Sprintf("users[%d] repeats username %q; list each user once", i,
				u.Username), "users", i, "username")
		}
		seen[u.Username] = true
		if u.Password == nil && p.Auth == "basic" {
			v.add(fmt.Sprintf("users[%d] (%s) has no password; add password: ... "+
				"(write password: \"\" for an empty one)", i, u.Username), "users", i)
		}
	}
}

func (p *Profile) checkStart(v *validator) {
	if p.Start == nil {
		return
	}
	if len(p.Start.Command) == 0 || p.Start.Command[0] == "" {
		v.add("start.command is empty; give the program and its arguments as a list",
			"start", "command")
	}
	if p.Start.Timeout < 0 {
		v.add(fmt.Sprintf("start.timeout %v is negative; use a duration such as 30s",
			p.Start.Timeout), "start", "timeout")
	}
	if p.Start.Dir != "" {
		if fi, err := os.Stat(p.Resolve(p.Start.Dir)); err != nil || !fi.IsDir() {
			v.add(fmt.Sprintf("start.dir %q is not a folder; give a path relative to "+
				"the profile", p.Start.Dir), "start", "dir")
		}
	}
}

// Resolve returns path relative to the profile's folder; absolute paths and
// profiles built in code leave it unchanged.
func (p *Profile) Resolve(path string) string {
	if filepath.IsAbs(path) || p.Path == "" {
		return path
	}
	return filepath.Join(filepath.Dir(p.Path), path)
}

func validOutputID(id string) bool {
	i := strings.LastIndex(id, ".")
	return i > 0 && i < len(id)-1 && !strings.ContainsAny(id, " \t")
}

// redactURL hides the password in a URL's user info.
func redactURL(u *url.URL) string {
	c := *u
	if _, ok := c.User.Password(); ok {
		c.User = url.UserPassword(c.User.Username(), "redacted")
	}
	return c.String()
}

// UserByName returns the profile's user with that name.
func (p *Profile) UserByName(name string) (User, bool) {
	for _, u := range p.Users {
		if u.Username == name {
			return u, true
		}
	}
	return User{}, false
}

// InGroups reports whether a user belongs to any of the groups.
func (u User) InGroups(groups []string) bool {
	for _, g := range u.Groups {
		for _, a := range groups {
			if g == a {
				return true
			}
		}
	}
	return false
}
