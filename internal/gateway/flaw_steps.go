package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// This file contains the steps that flaws put in place of careful ones.

// sharedUserDelay is the time FlawSharedLastUser waits between storing the
// user data in its shared variable and reading it back, standing for the
// work a handler does in between.
const sharedUserDelay = 2 * time.Millisecond

// trustUserDataHeader passes the client's UserDataHeader on unchanged when
// there is one.
func trustUserDataHeader(r *http.Request, s *session) []byte {
	if v := r.Header.Get(UserDataHeader); v != "" {
		return []byte(v)
	}
	return sessionUserData(r, s)
}

// trustForwardedUser makes X-Forwarded-User log the request in.
func (g *Gateway) trustForwardedUser(next func(*http.Request) *session) func(
	*http.Request) *session {
	return func(r *http.Request) *session {
		name := r.Header.Get("X-Forwarded-User")
		if name == "" {
			return next(r)
		}
		u := &user{Username: name, Email: r.Header.Get("X-Forwarded-Email"),
			Groups: splitGroups(r.Header.Get("X-Forwarded-Groups")), Extra: map[string]any{}}
		data, err := encodeUserData(u.data())
		if err != nil {
			return next(r)
		}
		return &session{user: u, userData: data}
	}
}

// appendClientGroups adds the client's claimed groups to the session's.
func appendClientGroups(r *http.Request, s *session) []byte {
	if s == nil {
		return nil
	}
	data := s.user.data()
	claimed := splitGroups(r.Header.Get("X-Forwarded-Groups"))
	groups := append(slices.Clone(s.user.Groups), claimed...)
	var userData struct {
		Groups []string `json:"groups"`
	}
	if json.Unmarshal([]byte(r.Header.Get(UserDataHeader)), &userData) == nil {
		groups = append(groups, userData.Groups...)
	}
	data["groups"] = groups
	encoded, err := encodeUserData(data)
	if err != nil {
		return s.userData
	}
	return encoded
}

// splitGroups splits a comma-separated group list.
func splitGroups(v string) []string {
	groups := []string{}
	for g := range strings.SplitSeq(v, ",") {
		if g = strings.TrimSpace(g); g != "" {
			groups = append(groups, g)
		}
	}
	return groups
}

// dropGroups returns the user data without "groups".
func dropGroups(u *user) map[string]any {
	data := u.data()
	delete(data, "groups")
	return data
}

// sharedLastUser routes every request's user data through one shared
// variable. The variable is atomic, so the race detector stays quiet, but
// concurrent requests overwrite each other's value.
func sharedLastUser(next func(*http.Request, *session) []byte) func(
	*http.Request, *session) []byte {
	var last atomic.Pointer[[]byte]
	return func(r *http.Request, s *session) []byte {
		data := next(r, s)
		last.Store(&data)
		time.Sleep(sharedUserDelay)
		return *last.Load()
	}
}

// acceptAlgNone verifies an unsigned ID token by hand, checking issuer,
// audience and expiry but no signature, and passes every other token to next.
func (g *Gateway) acceptAlgNone(next func(context.Context, string) (map[string]any, error),
) func(context.Context, string) (map[string]any, error) {
	return func(ctx context.Context, raw string) (map[string]any, error) {
		parts := strings.Split(raw, ".")
		if len(parts) != 3 {
			return next(ctx, raw)
		}
		var header struct {
			Alg string `json:"alg"`
		}
		if err := decodeSegment(parts[0], &header); err != nil ||
			!strings.EqualFold(header.Alg, "none") {
			return next(ctx, raw)
		}
		var claims map[string]any
		if err := decodeSegment(parts[1], &claims); err != nil {
			return nil, err
		}
		if iss, _ := claims["iss"].(string); iss != g.issuer {
			return nil, fmt.Errorf("issuer %q is not %q", iss, g.issuer)
		}
		if !hasAudience(claims["aud"], g.clientID) {
			return nil, fmt.Errorf("audience %v does not contain %q", claims["aud"], g.clientID)
		}
		exp, ok := claims["exp"].(float64)
		if !ok || !g.now().Before(time.Unix(int64(exp), 0)) {
			return nil, errors.New("token has expired or has no exp")
		}
		return claims, nil
	}
}

func decodeSegment(segment string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(segment, "="))
	if err != nil {
		return fmt.Errorf("decode JWT segment: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode JWT segment: %w", err)
	}
	return nil
}

func hasAudience(aud any, clientID string) bool {
	switch a := aud.(type) {
	case string:
		return a == clientID
	case []any:
		return slices.Contains(a, any(clientID))
	}
	return false
}

// showAppOnIdPError serves the app's root page to the browser as an
// anonymous user.
func (g *Gateway) showAppOnIdPError(w http.ResponseWriter, r *http.Request, _ string) {
	out := r.Clone(r.Context())
	out.URL.Path, out.URL.RawPath, out.URL.RawQuery = "/", "", ""
	out.RequestURI = "/"
	g.forward(w, out, nil)
}

// anyRedirectTarget accepts every target.
func anyRedirectTarget(next string) string {
	if next == "" {
		return "/"
	}
	return next
}

// issuePreLoginSession gives a browser without one a session cookie when it
// starts a login.
func (g *Gateway) issuePreLoginSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return
	}
	g.setSessionCookie(w, r, newID(), g.now().Add(LoginTimeout))
}

// keepSessionID reuses the browser's session id at login.
func keepSessionID(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return c.Value
	}
	return newID()
}

// sessionFromCookie is the authenticate step of FlawSessionInCookie: it
// decodes the user from the session cookie and checks nothing.
func sessionFromCookie(r *http.Request) *session {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	var d struct {
		Username string   `json:"username"`
		Email    string   `json:"email"`
		Groups   []string `json:"groups"`
	}
	if json.Unmarshal(raw, &d) != nil || d.Username == "" {
		return nil
	}
	u := &user{Username: d.Username, Email: d.Email, Groups: d.Groups, Extra: map[string]any{}}
	// The app gets the cookie's user data as it is, extra claims included.
	return &session{user: u, userData: raw}
}
