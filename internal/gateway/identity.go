package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// UserDataHeader carries the logged-in user's data to the app, as JSON.
const UserDataHeader = "Plotly-User-Data"

// IdentityHeaders are the request headers through which gateways and proxies
// tell an app who is logged in. The gateway removes each of them, in any
// letter case and with underscores in place of dashes, from every request
// before it reaches the app, and then sets UserDataHeader itself.
var IdentityHeaders = []string{
	UserDataHeader,
	"X-Forwarded-User",
	"X-Forwarded-Email",
	"X-Forwarded-Groups",
	"X-Forwarded-Preferred-Username",
	"X-Auth-Request-User",
	"X-Auth-Request-Email",
	"X-Auth-Request-Groups",
	"X-Auth-Request-Preferred-Username",
	"Remote-User",
	"X-Remote-User",
	"X-Webauth-User",
}

// protocolClaims are ID token claims about the token, not the user. They
// never reach the app.
var protocolClaims = []string{
	"iss", "sub", "aud", "exp", "iat", "nbf", "auth_time", "nonce", "azp",
	"at_hash", "c_hash", "s_hash", "acr", "amr", "sid", "jti",
}

// standardClaims are the OpenID Connect standard claims and groups. The user
// data carries preferred_username, email and groups under its own names and
// leaves out the other standard claims.
var standardClaims = []string{
	"name", "given_name", "family_name", "middle_name", "nickname",
	"preferred_username", "profile", "picture", "website", "email", "email_verified",
	"gender", "birthdate", "zoneinfo", "locale", "phone_number",
	"phone_number_verified", "address", "updated_at", "groups",
}

// user is a logged-in user, from the ID token's claims.
type user struct {
	Username string
	Email    string
	Groups   []string
	// Extra are the claims that are neither protocol nor standard claims.
	Extra map[string]any
}

// errNoUsername is returned for an ID token without preferred_username.
var errNoUsername = errors.New("ID token has no preferred_username claim")

// userFromClaims reads the user from ID token claims: username from
// preferred_username, email, groups (a list of strings, or one string), and
// the extra claims.
func userFromClaims(claims map[string]any) (*user, error) {
	u := &user{Extra: map[string]any{}}
	name, ok := claims["preferred_username"].(string)
	if !ok || name == "" {
		return nil, errNoUsername
	}
	u.Username = name
	switch email := claims["email"].(type) {
	case nil:
	case string:
		u.Email = email
	default:
		return nil, fmt.Errorf("invalid email claim in the ID token: a %T, want a string", email)
	}
	groups, err := groupsClaim(claims["groups"])
	if err != nil {
		return nil, err
	}
	u.Groups = groups
	for name, value := range claims {
		if !slices.Contains(protocolClaims, name) && !slices.Contains(standardClaims, name) {
			u.Extra[name] = value
		}
	}
	return u, nil
}

func groupsClaim(v any) ([]string, error) {
	switch groups := v.(type) {
	case nil:
		return []string{}, nil
	case string:
		return []string{groups}, nil
	case []any:
		list := make([]string, 0, len(groups))
		for _, g := range groups {
			s, ok := g.(string)
			if !ok {
				return nil, fmt.Errorf("invalid groups claim in the ID token: an item is a %T, want a string", g)
			}
			list = append(list, s)
		}
		return list, nil
	default:
		return nil, fmt.Errorf("invalid groups claim in the ID token: a %T, want a list of strings", v)
	}
}

// data returns the user data object: the extra claims plus "username",
// "email" and "groups".
func (u *user) data() map[string]any {
	data := make(map[string]any, len(u.Extra)+3)
	for k, v := range u.Extra {
		data[k] = v
	}
	data["username"] = u.Username
	data["email"] = u.Email
	data["groups"] = slices.Clone(u.Groups)
	return data
}

// encodeUserData returns the JSON of a user data object.
func encodeUserData(data map[string]any) ([]byte, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("encode user data: %w", err)
	}
	return b, nil
}

// isIdentityHeader reports whether name is one of IdentityHeaders, ignoring
// letter case and treating "_" as "-", as CGI-style servers do.
func isIdentityHeader(name string) bool {
	normal := strings.ReplaceAll(name, "_", "-")
	for _, h := range IdentityHeaders {
		if strings.EqualFold(normal, h) {
			return true
		}
	}
	return false
}

// stripIdentityHeaders removes every identity header from h.
func stripIdentityHeaders(h http.Header) {
	for name := range h {
		if isIdentityHeader(name) {
			delete(h, name)
		}
	}
}

// stripGatewayCookies removes the gateway's cookies from the Cookie header,
// so session ids never reach the app.
func stripGatewayCookies(r *http.Request) {
	cookies := r.Cookies()
	r.Header.Del("Cookie")
	var appCookies []string
	for _, c := range cookies {
		if c.Name == SessionCookie || c.Name == LoginCookie {
			continue
		}
		appCookies = append(appCookies, (&http.Cookie{Name: c.Name, Value: c.Value}).String())
	}
	if len(appCookies) > 0 {
		r.Header.Set("Cookie", strings.Join(appCookies, "; "))
	}
}

// forward passes the request to the app, as the user of s or, with s nil,
// as an anonymous user. The app gets a copy without identity headers or
// gateway cookies, with UserDataHeader set from the session.
func (g *Gateway) forward(w http.ResponseWriter, r *http.Request, s *session) {
	out := r.Clone(r.Context())
	stripIdentityHeaders(out.Header)
	stripGatewayCookies(out)
	if data := g.steps.userData(r, s); data != nil {
		out.Header.Set(UserDataHeader, string(data))
	}
	g.upstream.ServeHTTP(&noStoreWriter{ResponseWriter: w}, out)
}

// sessionUserData is the careful userData step: the session's user data, or
// none for an anonymous request.
func sessionUserData(_ *http.Request, s *session) []byte {
	if s == nil {
		return nil
	}
	return s.userData
}
