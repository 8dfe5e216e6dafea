package refapp

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
)

// UserDataHeader is the request header that carries the logged-in user from
// an SSO gateway to the app, as Dash Enterprise 4's proxy sets it. Its value
// is a JSON object with "username", "email", "groups" and further claims.
const UserDataHeader = "Plotly-User-Data"

// GuestGreeting is the greeting of SSOCallbacks when no user is logged in.
const GuestGreeting = "Welcome, guest"

// IdentityFromUserData is the IdentityFunc of an app behind an SSO gateway:
// it reads UserDataHeader. A missing or invalid header means no identity.
// The header is valid when it is a JSON object whose "username" is a
// non-empty string, whose "email", if present, is a string and whose
// "groups", if present, is a list of strings. Its other members become
// Identity.Claims.
//
// The app trusts the header as dash-enterprise-auth does, so only a gateway
// that removes the header from client requests may stand in front of it.
func IdentityFromUserData(r *http.Request) (Identity, bool) {
	value := r.Header.Get(UserDataHeader)
	if value == "" {
		return Identity{}, false
	}
	return ParseUserData([]byte(value))
}

// ParseUserData decodes a user data object as IdentityFromUserData does.
func ParseUserData(data []byte) (Identity, bool) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Identity{}, false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(trimmed, &fields) != nil {
		return Identity{}, false
	}
	var id Identity
	if json.Unmarshal(fields["username"], &id.Username) != nil || id.Username == "" {
		return Identity{}, false
	}
	if raw, ok := fields["email"]; ok && !isNull(raw) && json.Unmarshal(raw, &id.Email) != nil {
		return Identity{}, false
	}
	if raw, ok := fields["groups"]; ok && !isNull(raw) && json.Unmarshal(raw, &id.Groups) != nil {
		return Identity{}, false
	}
	for name, raw := range fields {
		if name == "username" || name == "email" || name == "groups" {
			continue
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return Identity{}, false
		}
		if id.Claims == nil {
			id.Claims = map[string]any{}
		}
		id.Claims[name] = v
	}
	return id, true
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// UserData returns the identity as a user data object: its claims plus
// "username", "email" and "groups" (an empty list when there are none). The
// zero Identity, an anonymous user, gives an empty object.
func (id Identity) UserData() map[string]any {
	if id.Username == "" {
		return map[string]any{}
	}
	data := maps.Clone(id.Claims)
	if data == nil {
		data = map[string]any{}
	}
	data["username"] = id.Username
	data["email"] = id.Email
	data["groups"] = slices.Clone(id.Groups)
	if id.Groups == nil {
		data["groups"] = []string{}
	}
	return data
}

// SSOCallbacks returns the callbacks of the app in SSO mode: DefaultCallbacks
// with a greeting that welcomes a guest when no user is logged in, plus
// "user-data.children", which returns Identity.UserData.
func SSOCallbacks() []Callback {
	callbacks := DefaultCallbacks()
	callbacks[0].Run = func(user Identity, _ []json.RawMessage) (any, error) {
		if user.Username == "" {
			return GuestGreeting, nil
		}
		return "Hello " + user.Username, nil
	}
	return append(callbacks, Callback{
		Output: Dependency{ID: "user-data", Property: "children"},
		Inputs: urlPathname,
		Run: func(user Identity, _ []json.RawMessage) (any, error) {
			return user.UserData(), nil
		},
	})
}

// layout returns the app's component tree: the base layout, a Div for each
// callback output whose component the base layout lacks, and the logout
// link when LogoutURL is set.
func (a *App) layout() map[string]any {
	tree := layout()
	props := tree["props"].(map[string]any)
	children := props["children"].([]any)
	ids := map[string]bool{}
	for _, c := range children {
		if id, ok := c.(map[string]any)["props"].(map[string]any)["id"].(string); ok {
			ids[id] = true
		}
	}
	for _, cb := range a.callbacks {
		if !ids[cb.Output.ID] {
			ids[cb.Output.ID] = true
			children = append(children, component("Div", "dash_html_components",
				map[string]any{"id": cb.Output.ID, "children": nil}))
		}
	}
	if a.logoutURL != "" {
		children = append(children, component("A", "dash_html_components", map[string]any{
			"id": "logout", "className": "dash-logout-btn", "href": a.logoutURL,
			"children": "Logout",
		}))
	}
	props["children"] = children
	return tree
}
