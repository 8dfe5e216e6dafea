package conformance

import (
	"fmt"
	"strings"
)

// Access levels of an app behind SSO, as Dash Enterprise names them.
const (
	AccessRestricted      = "restricted"
	AccessAuthenticated   = "authenticated"
	AccessUnauthenticated = "unauthenticated"
)

// SSOSpec describes an app behind a single sign-on middleware.
type SSOSpec struct {
	// Access is restricted, authenticated or unauthenticated.
	Access string `yaml:"access" json:"access"`
	// AllowedUsers and AllowedGroups are who a restricted app admits.
	AllowedUsers  []string `yaml:"allowed_users" json:"allowed_users,omitempty"`
	AllowedGroups []string `yaml:"allowed_groups" json:"allowed_groups,omitempty"`
	// LoginPath is the path an anonymous user starts at; default "/".
	LoginPath string `yaml:"login_path" json:"login_path,omitempty"`
	// Probe is the request that shows the logged-in user.
	Probe ProbeSpec `yaml:"probe" json:"probe"`
	// ExtraClaims are claims besides username, email and groups that the
	// probe must show.
	ExtraClaims []string `yaml:"extra_claims" json:"extra_claims,omitempty"`
	// SessionCookie names the middleware's session cookie; by default the
	// cookies set during login are taken.
	SessionCookie string `yaml:"session_cookie" json:"session_cookie,omitempty"`
	// IdentityCookies are cookies the middleware reads identity from, such
	// as Dash Enterprise 5's kcIdToken; forged values are sent in them.
	IdentityCookies []string `yaml:"identity_cookies" json:"identity_cookies,omitempty"`
	// RedirectParams are the query parameters that carry a post-login or
	// post-logout target; default next and rd.
	RedirectParams []string `yaml:"redirect_params" json:"redirect_params,omitempty"`
}

// ProbeSpec is the request that shows the logged-in user: a Dash callback
// output or an HTTP path.
type ProbeSpec struct {
	// Callback is a Dash output id, such as user-data.children.
	Callback string `yaml:"callback" json:"callback,omitempty"`
	// Path is an HTTP path whose response holds the user's data.
	Path string `yaml:"path" json:"path,omitempty"`
	// Format is json (an object with username, email, groups and claims)
	// or text (matched against Expect).
	Format string `yaml:"format" json:"format,omitempty"`
	// Expect is the text shown for a user, with {username}; format text.
	Expect string `yaml:"expect" json:"expect,omitempty"`
	// Anonymous is the text shown with no user logged in.
	Anonymous string `yaml:"anonymous" json:"anonymous,omitempty"`
}

// IdPSpec says which mock IdP an SSO run uses.
type IdPSpec struct {
	// Mode is embedded (the suite starts mockidp) or external (a running
	// mockidp reached through its control API).
	Mode string `yaml:"mode" json:"mode"`
	// Address is an embedded IdP's listen address; default a free loopback port.
	Address string `yaml:"address" json:"address,omitempty"`
	// Issuer is the embedded IdP's public issuer URL; default its address.
	Issuer string `yaml:"issuer" json:"issuer,omitempty"`
	// URL is the base URL of an external mockidp.
	URL string `yaml:"url" json:"url,omitempty"`
	// ControlToken is the bearer token of the control API, if it needs one.
	ControlToken string `yaml:"control_token" json:"-"`
	// Client is the app's registration at the IdP.
	Client IdPClient `yaml:"client" json:"client"`
}

// IdPClient is the app's client registration.
type IdPClient struct {
	ID                     string   `yaml:"id" json:"id"`
	Secret                 string   `yaml:"secret" json:"-"`
	RedirectURIs           []string `yaml:"redirect_uris" json:"redirect_uris"`
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris" json:"post_logout_redirect_uris,omitempty"`
}

// Allowed reports whether a restricted app must admit the user.
func (s *SSOSpec) Allowed(u User) bool {
	switch s.Access {
	case AccessAuthenticated, AccessUnauthenticated:
		return true
	}
	for _, name := range s.AllowedUsers {
		if name == u.Username {
			return true
		}
	}
	return u.InGroups(s.AllowedGroups)
}

// Params returns the redirect parameters to try.
func (s *SSOSpec) Params() []string {
	if len(s.RedirectParams) > 0 {
		return s.RedirectParams
	}
	return []string{"next", "rd"}
}

func (p *Profile) checkSSO(v *validator) {
	if p.Auth != "sso" {
		if p.SSO != nil || p.IdP != nil {
			v.add("sso and idp sections need auth: sso", "auth")
		}
		return
	}
	if p.SSO == nil {
		v.add("auth: sso needs an sso section with at least access and probe", "auth")
		return
	}
	s := p.SSO
	switch s.Access {
	case AccessRestricted, AccessAuthenticated, AccessUnauthenticated:
	default:
		v.add(fmt.Sprintf("sso.access %q is not an access level; use restricted, authenticated "+
			"or unauthenticated", s.Access), "sso", "access")
	}
	if s.Access == AccessRestricted && len(s.AllowedUsers)+len(s.AllowedGroups) == 0 {
		v.add("a restricted app needs sso.allowed_users or sso.allowed_groups", "sso")
	}
	for i, name := range s.AllowedUsers {
		if _, ok := p.UserByName(name); !ok {
			v.add(fmt.Sprintf("sso.allowed_users[%d] %q is not among users; add the user or "+
				"fix the name", i, name), "sso", "allowed_users", i)
		}
	}
	if s.LoginPath == "" {
		s.LoginPath = "/"
	} else if !strings.HasPrefix(s.LoginPath, "/") {
		v.add(fmt.Sprintf("sso.login_path %q must be a path starting with /", s.LoginPath), "sso", "login_path")
	}
	pr := &s.Probe
	switch {
	case pr.Callback == "" && pr.Path == "":
		v.add("sso.probe needs callback (a Dash output id) or path (an HTTP path)", "sso", "probe")
	case pr.Callback != "" && pr.Path != "":
		v.add("sso.probe takes callback or path, not both", "sso", "probe")
	case pr.Callback != "" && !validOutputID(pr.Callback):
		v.add(fmt.Sprintf("sso.probe.callback %q is not a callback output id; write it as "+
			"component.property", pr.Callback), "sso", "probe", "callback")
	case pr.Callback != "" && p.Dash == nil:
		v.add("sso.probe.callback needs a Dash app; add a dash: section or use probe.path", "sso", "probe")
	case pr.Path != "" && !strings.HasPrefix(pr.Path, "/"):
		v.add(fmt.Sprintf("sso.probe.path %q must be a path starting with /", pr.Path), "sso", "probe", "path")
	}
	if pr.Format == "" {
		pr.Format = "json"
	}
	switch pr.Format {
	case "json":
	case "text":
		if !strings.Contains(pr.Expect, "{username}") {
			v.add("sso.probe.expect must contain {username} for format text", "sso", "probe", "expect")
		}
	default:
		v.add(fmt.Sprintf("sso.probe.format %q is not json or text", pr.Format), "sso", "probe", "format")
	}
	for i, claim := range s.ExtraClaims {
		declared := false
		for _, u := range p.Users {
			_, ok := u.Claims[claim]
			declared = declared || ok
		}
		if !declared {
			v.add(fmt.Sprintf("sso.extra_claims[%d] %q is a claim no user declares; add it to a "+
				"user's claims or fix the name", i, claim), "sso", "extra_claims", i)
		}
	}
	if p.Logout == nil && s.Access != AccessUnauthenticated {
		v.add("an SSO app needs logout: {url: PATH} so the logout checks can run", "sso")
	}
	p.checkIdP(v)
}

func (p *Profile) checkIdP(v *validator) {
	if p.IdP == nil {
		v.add("auth: sso needs an idp section (mode embedded or external)", "auth")
		return
	}
	idp := p.IdP
	switch idp.Mode {
	case "embedded":
		if idp.URL != "" {
			v.add("idp.url is for mode external; an embedded IdP takes address and issuer", "idp", "url")
		}
	case "external":
		if idp.URL == "" {
			v.add("idp mode external needs url, the base URL of the running mockidp", "idp")
		}
	default:
		v.add(fmt.Sprintf("idp.mode %q is not embedded or external", idp.Mode), "idp", "mode")
	}
	if idp.Client.ID == "" {
		v.add("idp.client.id is missing; give the client id the app is registered with", "idp", "client")
	}
	if idp.Mode == "embedded" && len(idp.Client.RedirectURIs) == 0 {
		v.add("idp.client.redirect_uris is empty; list the app's OIDC callback URL", "idp", "client")
	}
}

// RedirectURIs returns the app's registered redirect URIs with the port
// filled in.
func (t *Target) RedirectURIs() []string {
	if t.Profile.IdP == nil {
		return nil
	}
	port := t.Base.Port()
	out := make([]string, 0, len(t.Profile.IdP.Client.RedirectURIs))
	for _, u := range t.Profile.IdP.Client.RedirectURIs {
		out = append(out, strings.ReplaceAll(u, PortPlaceholder, port))
	}
	return out
}
