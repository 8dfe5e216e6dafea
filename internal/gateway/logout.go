package gateway

import (
	"net/http"
	"net/url"
)

// handleLogout ends the browser's session and, when it had one, the
// provider's session: it redirects to the provider's end_session_endpoint,
// which sends the browser back to the app's root. A "next" or "rd" parameter
// that is a same-origin path is where the browser goes in the end.
func (g *Gateway) handleLogout(w http.ResponseWriter, r *http.Request) {
	next := r.FormValue("next")
	if next == "" {
		next = r.FormValue("rd")
	}
	target := g.steps.logoutTarget(next)
	s := g.lookupSession(r)
	g.steps.logout(w, r)
	if s == nil || !g.steps.idpLogout || g.endSessionURL == "" {
		if s != nil {
			g.logger.Info("logout", "user", s.user.Username, "provider_logout", false)
		}
		http.Redirect(w, r, target, http.StatusFound)
		return
	}

	state := newID()
	if target != "/" {
		g.logouts.put(state, target)
	}
	params := url.Values{
		"id_token_hint":            {s.idToken},
		"client_id":                {g.clientID},
		"post_logout_redirect_uri": {g.origin(r) + "/"},
		"state":                    {state},
	}
	g.logger.Info("logout", "user", s.user.Username, "provider_logout", true)
	http.Redirect(w, r, addQuery(g.endSessionURL, params), http.StatusFound)
}

// servePostLogout handles the provider's redirect back to the app's root
// after logout. When the request's state belongs to a logout with a target
// other than "/", it redirects there and reports true.
func (g *Gateway) servePostLogout(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != "/" || r.Method != http.MethodGet || !r.URL.Query().Has("state") {
		return false
	}
	target, ok := g.logouts.take(r.URL.Query().Get("state"))
	if !ok {
		return false
	}
	http.Redirect(w, r, target, http.StatusFound)
	return true
}

// logout is the careful logout step: it deletes the session and clears the
// cookie.
func (g *Gateway) logout(w http.ResponseWriter, r *http.Request) {
	g.endSession(w, r)
}

// addQuery returns endpoint with params added to its query.
func addQuery(endpoint string, params url.Values) string {
	// discover has checked that the endpoint parses.
	u, _ := url.Parse(endpoint)
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}
