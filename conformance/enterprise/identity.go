package enterprise

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/authconform/authconform/conformance"
)

// checkUserData logs every admitted user in and wants the probe to show
// the username, email, groups and declared extra claims the IdP holds.
func checkUserData(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if !needsLogin(t, r) {
		return
	}
	if t.Profile.SSO.Probe.Format != "json" {
		r.Skip("the probe shows text, not the user's data; declare a json probe to check user data")
		return
	}
	allowed, _ := allowedUsers(t)
	for _, u := range allowed {
		l, ok := login(ctx, t, r, u, "user data")
		if !ok {
			continue
		}
		s := probe(ctx, t, l.Client, nil)
		r.Checked()
		if !s.Served || s.Data == nil {
			r.Errorf(s.Ex, "user %q: the probe shows %s, want the user's data as a JSON object", u.Username, s.describe())
			continue
		}
		compareUserData(r, s, u, t.Profile.SSO.ExtraClaims)
	}
}

// compareUserData records every field of the probe that differs from what
// the IdP holds for u.
func compareUserData(r *conformance.Result, s seen, u conformance.User, extra []string) {
	if s.Username != u.Username {
		r.Errorf(s.Ex, "user %q: the probe shows username %q, want %q", u.Username, s.Username, u.Username)
	}
	if email, _ := s.Data["email"].(string); u.Email != "" && email != u.Email {
		r.Errorf(s.Ex, "user %q: the probe shows email %q, want %q", u.Username, email, u.Email)
	}
	if got := stringsOf(s.Data["groups"]); !sameSet(got, u.Groups) {
		r.Errorf(s.Ex, "user %q: the probe shows groups %v, want exactly %v", u.Username, got, u.Groups)
	}
	for _, claim := range extra {
		want, declared := u.Claims[claim]
		got, shown := s.Data[claim]
		if !declared {
			continue
		}
		wantJSON, _ := json.Marshal(want)
		gotJSON, _ := json.Marshal(got)
		if !shown || string(wantJSON) != string(gotJSON) {
			r.Errorf(s.Ex, "user %q: the probe shows claim %s = %s, want %s", u.Username, claim, gotJSON, wantJSON)
		}
	}
}

// MinIsolationSessions and IsolationRequests size the concurrency check.
const (
	MinIsolationSessions = 8
	IsolationRequests    = 200
	isolationWorkers     = 8
)

// checkIsolation logs several sessions in and sends their probe requests
// concurrently, interleaved, wanting each response to show its own user.
func checkIsolation(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if !needsLogin(t, r) {
		return
	}
	allowed, _ := allowedUsers(t)
	if len(allowed) < 2 {
		r.Skip("the profile declares fewer than two users the app admits, so sessions cannot be told apart")
		return
	}
	var sessions []*conformance.Login
	for i := 0; len(sessions) < MinIsolationSessions && i < 4*MinIsolationSessions; i++ {
		u := allowed[i%len(allowed)]
		if l, ok := login(ctx, t, r, u, "isolation"); ok {
			sessions = append(sessions, l)
		}
	}
	if len(sessions) < 2 {
		return
	}
	if len(allowed) < MinIsolationSessions {
		r.Notef("%d sessions of %d distinct users", len(sessions), len(allowed))
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < isolationWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				l := sessions[i%len(sessions)]
				s := probe(ctx, t, l.Client, nil)
				r.Checked()
				if !s.Served || s.Username != l.User {
					r.Errorf(s.Ex, "request %d of session %d (%q): the probe shows %s, want user %q",
						i+1, i%len(sessions)+1, l.User, s.describe(), l.User)
				}
			}
		}()
	}
	for i := 0; i < IsolationRequests; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// identityHeaders are headers that middlewares and apps read identity from.
var identityHeaders = []string{"Plotly-User-Data", "X-Forwarded-User", "X-Forwarded-Email",
	"X-Forwarded-Groups", "X-Forwarded-Preferred-Username", "X-Auth-Request-User",
	"X-Auth-Request-Email", "X-Auth-Request-Groups", "Remote-User", "X-Remote-User", "X-Webauth-User"}

// identityCookies are cookies that middlewares read identity from, such as
// the ID token cookie of Dash Enterprise 5.
var identityCookies = []string{"kcIdToken", "id_token", "_oauth2_proxy"}

// identityParams are query parameters apps have taken identity from.
var identityParams = []string{"user", "username", "email", "as", "impersonate", "user_id"}

// forgery is a forged identity header, cookie or query parameter.
type forgery struct {
	name   string
	header http.Header
	// cookie marks a forged cookie, which may replace the session's own.
	cookie bool
	// query is a query string that claims an identity.
	query string
}

// forgeries builds every header and cookie that claims the identity of
// victim with extra groups, in several spellings.
func forgeries(t *conformance.Target, victim conformance.User) []forgery {
	groups := append(append([]string{}, victim.Groups...), "authconform-admins")
	data, _ := json.Marshal(map[string]any{"username": victim.Username, "email": victim.Email, "groups": groups})
	value := func(h string) string {
		switch {
		case h == "Plotly-User-Data":
			return string(data)
		case strings.Contains(h, "Email"):
			return victim.Email
		case strings.Contains(h, "Groups"):
			return strings.Join(groups, ",")
		}
		return victim.Username
	}
	var out []forgery
	for _, h := range identityHeaders {
		for _, spelling := range []string{h, strings.ToLower(h), strings.ToUpper(h)} {
			hdr := http.Header{}
			hdr[spelling] = []string{value(h)}
			out = append(out, forgery{name: fmt.Sprintf("header %s: %s", spelling, value(h)), header: hdr})
		}
	}
	for _, param := range identityParams {
		q := url.Values{param: {victim.Username}}
		if param == "email" {
			q.Set(param, victim.Email)
		}
		out = append(out, forgery{name: "query parameter " + q.Encode(), query: q.Encode()})
	}
	cookies := append(append([]string{}, identityCookies...), t.Profile.SSO.IdentityCookies...)
	for _, tok := range []struct{ kind, value string }{
		{"unsigned JWT", unsignedJWT(t, victim, groups)},
		{"self-signed JWT", selfSignedJWT(t, victim, groups)},
	} {
		for _, c := range cookies {
			hdr := http.Header{}
			hdr.Set("Cookie", c+"="+tok.value)
			out = append(out, forgery{name: fmt.Sprintf("cookie %s holding an %s for %q", c, tok.kind, victim.Username), header: hdr, cookie: true})
			enc := base64.StdEncoding.EncodeToString([]byte(tok.value))
			hdr = http.Header{}
			hdr.Set("Cookie", c+"="+enc)
			out = append(out, forgery{name: fmt.Sprintf("cookie %s holding a base64 %s for %q", c, tok.kind, victim.Username), header: hdr, cookie: true})
		}
	}
	return out
}

// checkSpoof sends forged identity headers, cookies and query parameters,
// anonymously and in a logged-in session, and wants the app to see the same
// user as without them, with the same groups. It also rewrites a session
// cookie that carries the user in readable form to name another user.
func checkSpoof(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	users := t.Profile.Users
	if len(users) < 2 {
		r.Skip("the profile declares fewer than two users, so no identity can be forged")
		return
	}
	allowed, denied := allowedUsers(t)
	victim := users[0]
	if len(allowed) > 0 {
		victim = allowed[0]
	}
	// Anonymous: the forgeries must not open the app or name a user.
	anon := t.NewClient()
	for _, f := range forgeries(t, victim) {
		s := probeQuery(ctx, t, anon, f.header, f.query)
		r.Checked()
		if s.Served && s.Username != "" {
			r.Errorf(s.Ex, "anonymous request with forged %s: the probe shows %s, want no user "+
				"(the forged value changed the identity)", f.name, s.describe())
		}
		if level(t) != conformance.AccessUnauthenticated {
			h := conformance.PageHeader()
			for k, v := range f.header {
				h[k] = v
			}
			path := "/"
			if f.query != "" {
				path += "?" + f.query
			}
			ex := anon.Do(ctx, conformance.Request{Path: path, Header: h})
			r.Checked()
			if ex.OK() {
				r.Errorf(ex, "anonymous page request with forged %s: got %s, want the login redirect", f.name, ex.Got())
			}
		}
	}
	if level(t) == conformance.AccessUnauthenticated {
		return
	}
	// Logged in as another user: the identity and groups stay the user's own.
	var actor conformance.User
	for _, u := range allowed {
		if u.Username != victim.Username {
			actor = u
			break
		}
	}
	if actor.Username != "" {
		spoofSession(ctx, t, r, actor, victim, true)
		tamperSession(ctx, t, r, actor, victim)
	}
	if len(denied) > 0 {
		spoofSession(ctx, t, r, denied[0], victim, false)
	}
}

// spoofSession logs actor in and sends forgeries naming victim.
func spoofSession(ctx context.Context, t *conformance.Target, r *conformance.Result, actor, victim conformance.User, admitted bool) {
	l, err := t.LoginAs(ctx, t.IdP, actor.Username)
	if admitted && err != nil {
		r.Errorf(l.Final(), "logging in as %q to forge identities failed: %v\nlogin hops:\n%s", actor.Username, err, l.Evidence())
		return
	}
	for _, f := range forgeries(t, victim) {
		client := l.Client
		if f.cookie {
			// A forged cookie may displace the session's own, and a middleware
			// may clear both. Each forgery gets a new session, so every one
			// starts logged in.
			fresh, err := t.LoginAs(ctx, t.IdP, actor.Username)
			if admitted && err != nil {
				r.Errorf(fresh.Final(), "logging in as %q to forge %s failed: %v", actor.Username, f.name, err)
				continue
			}
			client = fresh.Client
		}
		s := probeQuery(ctx, t, client, f.header, f.query)
		r.Checked()
		switch {
		case f.cookie && admitted && (!s.Served || s.Username == ""):
			// The forged cookie displaced the session, so the request is
			// refused or anonymous: nobody's identity changed.
		case !admitted && s.Served:
			r.Errorf(s.Ex, "user %q outside the allowed set with forged %s: the probe responded (%s), "+
				"want it still refused", actor.Username, f.name, s.describe())
		case admitted && (!s.Served || s.Username != actor.Username):
			r.Errorf(s.Ex, "user %q with forged %s: the probe shows %s, want user %q "+
				"(the forged value changed the identity)", actor.Username, f.name, s.describe(), actor.Username)
		case admitted && s.Data != nil && !sameSet(stringsOf(s.Data["groups"]), actor.Groups):
			r.Errorf(s.Ex, "user %q with forged %s: the probe shows groups %v, want exactly %v "+
				"(groups must be replaced, never appended to)", actor.Username, f.name,
				stringsOf(s.Data["groups"]), actor.Groups)
		}
	}
}

// tamperSession logs actor in, rewrites each session cookie whose value
// holds base64 JSON naming actor to name victim, and wants the app not to
// take the request for victim's.
func tamperSession(ctx context.Context, t *conformance.Target, r *conformance.Result, actor, victim conformance.User) {
	l, err := t.LoginAs(ctx, t.IdP, actor.Username)
	if err != nil {
		r.Errorf(l.Final(), "logging in as %q to rewrite its session cookie failed: %v", actor.Username, err)
		return
	}
	cookies := l.Client.Jar().Cookies(t.Base)
	for i, c := range cookies {
		forged, ok := renamed(c.Value, actor.Username, victim.Username)
		if !ok {
			continue
		}
		jar := append([]*http.Cookie(nil), cookies...)
		jar[i] = &http.Cookie{Name: c.Name, Value: forged}
		client := t.NewClient()
		client.Jar().SetCookies(t.Base, jar)
		s := probe(ctx, t, client, nil)
		r.Checked()
		if s.Served && s.Username == victim.Username {
			r.Errorf(s.Ex, "session cookie %s of %q rewritten to name %q: the probe shows %s, want "+
				"the cookie rejected (the app trusts a session cookie it did not sign)",
				c.Name, actor.Username, victim.Username, s.describe())
		}
	}
}

// renamed rewrites a cookie value: each dot-separated part that is base64
// of JSON naming from is re-encoded naming to. It returns false when no
// part names from.
func renamed(value, from, to string) (string, bool) {
	parts := strings.Split(value, ".")
	changed := false
	for i, part := range parts {
		for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding,
			base64.StdEncoding, base64.RawStdEncoding} {
			raw, err := enc.DecodeString(part)
			quoted := []byte(`"` + from + `"`)
			if err != nil || !json.Valid(raw) || !bytes.Contains(raw, quoted) {
				continue
			}
			parts[i] = enc.EncodeToString(bytes.ReplaceAll(raw, quoted, []byte(`"`+to+`"`)))
			changed = true
			break
		}
	}
	return strings.Join(parts, "."), changed
}
