package basic

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/authconform/authconform/conformance"
)

// checkAccept wants every user admitted to a protected page and, when the
// profile names a greeting, greeted by name.
func checkAccept(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if _, ok := first(t, r); !ok {
		return
	}
	page, ok := firstPage(t, r)
	if !ok {
		return
	}
	for _, u := range t.Profile.Users {
		c := t.NewClient()
		ex := send(ctx, c, page, u.Credentials(), nil)
		r.Checked()
		if !ex.OK() {
			r.Errorf(ex, "user %q with the right password on %s: got %s, want 2xx", u.Username, page, ex.Got())
			continue
		}
		checkGreeting(ctx, t, c, u, r)
	}
}

// checkGreeting runs the profile's greeting callback as u and wants the
// expected text.
func checkGreeting(ctx context.Context, t *conformance.Target, c *conformance.Client, u conformance.User, r *conformance.Result) {
	if t.Dash == nil || t.Profile.Dash.Greeting == nil {
		return
	}
	g := t.Profile.Dash.Greeting
	cb, ok := t.Dash.CallbackFor(g.Output)
	if !ok {
		r.Errorf(nil, "greeting output %q is not among the app's callbacks; fix dash.greeting.output in the profile", g.Output)
		return
	}
	ex := c.Do(ctx, conformance.UpdateRequest(conformance.NewDashUpdate(cb, "/", nil).JSON(), u.Credentials()))
	r.Checked()
	want := strings.ReplaceAll(g.Expect, "{username}", u.Username)
	got, found := conformance.DashOutputs(ex.Body)[g.Output]
	switch {
	case !ex.OK():
		r.Errorf(ex, "greeting callback %s as %q: got %s, want 200", g.Output, u.Username, ex.Got())
	case !found:
		r.Errorf(ex, "greeting callback %s as %q: response has no %s output, want %q", g.Output, u.Username, g.Output, want)
	case conformance.DashOutputText(got) != want:
		r.Errorf(ex, "greeting callback %s as %q: got %q, want %q", g.Output, u.Username, conformance.DashOutputText(got), want)
	}
}

// variant is a set of credentials derived from a real user's.
type variant struct {
	name string
	cred conformance.Credentials
}

// rejectVariants derives credentials that must all be rejected from u's.
func rejectVariants(t *conformance.Target, u conformance.User) []variant {
	pw := u.Secret()
	vs := []variant{
		{"wrong password", conformance.Credentials{Username: u.Username, Password: pw + "-wrong"}},
		{"unknown user", conformance.Credentials{Username: "authconform-unknown", Password: pw}},
		{"empty user", conformance.Credentials{Username: "", Password: pw}},
		{"empty user and password", conformance.Credentials{}},
		{"space before user", conformance.Credentials{Username: " " + u.Username, Password: pw}},
		{"space after user", conformance.Credentials{Username: u.Username + " ", Password: pw}},
		{"space before password", conformance.Credentials{Username: u.Username, Password: " " + pw}},
		{"space after password", conformance.Credentials{Username: u.Username, Password: pw + " "}},
	}
	if pw != "" {
		vs = append(vs, variant{"empty password", conformance.Credentials{Username: u.Username}})
		vs = append(vs, variant{"password prefix", conformance.Credentials{Username: u.Username, Password: pw[:len(pw)/2]}})
	}
	if hasLetters(u.Username) {
		for name, f := range map[string]func(string) string{"upper": strings.ToUpper, "lower": strings.ToLower, "swapped": swapCase} {
			if v := f(u.Username); v != u.Username {
				vs = append(vs, variant{name + "-case user", conformance.Credentials{Username: v, Password: pw}})
			}
		}
	}
	if hasLetters(pw) {
		for name, f := range map[string]func(string) string{"upper": strings.ToUpper, "lower": strings.ToLower, "swapped": swapCase} {
			if v := f(pw); v != pw {
				vs = append(vs, variant{name + "-case password", conformance.Credentials{Username: u.Username, Password: v}})
			}
		}
	}
	// Another user's password must not open this account.
	for _, other := range t.Profile.Users {
		if other.Username != u.Username && other.Secret() != pw {
			vs = append(vs, variant{"password of " + other.Username,
				conformance.Credentials{Username: u.Username, Password: other.Secret()}})
		}
	}
	// A variant that equals another configured user's credentials is valid.
	var out []variant
	for _, v := range vs {
		if other, ok := t.Profile.UserByName(v.cred.Username); ok && other.Secret() == v.cred.Password {
			continue
		}
		t.Redactor.AddCredentials(v.cred)
		out = append(out, v)
	}
	return out
}

// checkReject wants every altered credential rejected with the challenge
// an anonymous request gets.
func checkReject(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if _, ok := first(t, r); !ok {
		return
	}
	page, ok := firstPage(t, r)
	if !ok {
		return
	}
	c := t.NewClient()
	base := send(ctx, c, page, nil, nil)
	want := challengeValue(base)
	for _, u := range t.Profile.Users {
		for _, v := range rejectVariants(t, u) {
			ex := send(ctx, c, page, &v.cred, nil)
			r.Checked()
			if ex.Err != nil || ex.Status != http.StatusUnauthorized {
				r.Errorf(ex, "credentials of %q altered (%s) on %s: got %s, want 401", u.Username, v.name, page, ex.Got())
				continue
			}
			if got := challengeValue(ex); got != want {
				r.Errorf(ex, "credentials of %q altered (%s) on %s: got WWW-Authenticate %q, want %q as without credentials",
					u.Username, v.name, page, got, want)
			}
		}
	}
}

// checkColon wants a password with a colon accepted, and the part of it
// before the colon rejected.
func checkColon(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	page, ok := firstPage(t, r)
	if !ok {
		return
	}
	c := t.NewClient()
	found := false
	for _, u := range t.Profile.Users {
		pw := u.Secret()
		i := strings.Index(pw, ":")
		if i < 0 {
			continue
		}
		found = true
		ex := send(ctx, c, page, u.Credentials(), nil)
		r.Checked()
		if !ex.OK() {
			r.Errorf(ex, "user %q whose password has a colon: got %s, want 2xx", u.Username, ex.Got())
		}
		short := &conformance.Credentials{Username: u.Username, Password: pw[:i]}
		t.Redactor.Add(short.Password)
		ex = send(ctx, c, page, short, nil)
		r.Checked()
		if ex.OK() {
			r.Errorf(ex, "user %q with the password cut at its colon: got %s, want 401", u.Username, ex.Got())
		}
	}
	if !found {
		r.Skip("the profile declares no user whose password contains a colon")
	}
}

// checkSchemeCase wants the Basic scheme accepted in any letter case.
func checkSchemeCase(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	page, ok := firstPage(t, r)
	if !ok {
		return
	}
	u, ok := probeUser(ctx, t, r, page)
	if !ok {
		return
	}
	c := t.NewClient()
	token := strings.TrimPrefix(u.Credentials().BasicHeader(), "Basic ")
	for _, scheme := range []string{"basic", "BASIC", "bAsIc"} {
		h := http.Header{}
		h.Set("Authorization", scheme+" "+token)
		ex := send(ctx, c, page, nil, h)
		r.Checked()
		if !ex.OK() {
			r.Errorf(ex, "scheme %q with %q's valid credentials: got %s, want 2xx", scheme, u.Username, ex.Got())
		}
	}
}

// checkUTF8 wants users with non-ASCII names or passwords admitted with
// their credentials encoded as UTF-8.
func checkUTF8(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	page, ok := firstPage(t, r)
	if !ok {
		return
	}
	found := false
	for _, u := range t.Profile.Users {
		if isASCII(u.Username) && isASCII(u.Secret()) {
			continue
		}
		found = true
		ex := send(ctx, t.NewClient(), page, u.Credentials(), nil)
		r.Checked()
		if !ex.OK() {
			r.Errorf(ex, "user %q with non-ASCII credentials in UTF-8: got %s, want 2xx", u.Username, ex.Got())
		}
	}
	if !found {
		r.Skip("the profile declares no user with a non-ASCII name or password")
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// malformedValue is an Authorization value no server may accept.
type malformedValue struct {
	name string
	// lines are raw header lines, for values sent byte for byte.
	lines []string
	// allowed lists statuses accepted besides 401 and 400.
	allowed []int
}

func malformedValues(u conformance.User) []malformedValue {
	token := strings.TrimPrefix(u.Credentials().BasicHeader(), "Basic ")
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	auth := func(v string) []string { return []string{"Authorization: " + v} }
	unpadded := strings.TrimRight(token, "=")
	if unpadded == token {
		unpadded = strings.TrimRight(b64(u.Username+":"+u.Secret()+"x"), "=")
		if unpadded == b64(u.Username+":"+u.Secret()+"x") {
			unpadded = "YQ"
		}
	}
	big := "Basic " + b64(u.Username+":"+strings.Repeat("a", 12*1024))
	return []malformedValue{
		{name: "no scheme", lines: auth(token)},
		{name: "Bearer scheme", lines: auth("Bearer " + token)},
		{name: "Bearer x", lines: auth("Bearer x")},
		{name: "scheme alone", lines: auth("Basic")},
		{name: "scheme and a space", lines: auth("Basic ")},
		{name: "invalid base64", lines: auth("Basic !!not-base64!!")},
		{name: "missing base64 padding", lines: auth("Basic " + unpadded)},
		{name: "no colon after decoding", lines: auth("Basic " + b64(u.Username+u.Secret()))},
		{name: "non-UTF-8 user", lines: auth("Basic " + b64("\xff\xfe:"+u.Secret()))},
		{name: "non-UTF-8 password", lines: auth("Basic " + b64(u.Username+":\xff\xfe"))},
		{name: "raw non-UTF-8 bytes", lines: auth("Basic \xff\xfe\xfd")},
		{name: "16 KiB value", lines: auth(big), allowed: []int{http.StatusRequestHeaderFieldsTooLarge}},
		{name: "two Authorization headers, valid first", lines: []string{"Authorization: Basic " + token, "Authorization: Basic " + b64("authconform-nobody:x")}},
		{name: "two Authorization headers, valid second", lines: []string{"Authorization: Basic " + b64("authconform-nobody:x"), "Authorization: Basic " + token}},
		{name: "junk before the scheme", lines: auth("XBasic " + token)},
		{name: "word before the scheme", lines: auth("junk Basic " + token)},
	}
}

// checkMalformed wants 401 or 400 for every malformed Authorization value.
func checkMalformed(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	page, ok := firstPage(t, r)
	if !ok {
		return
	}
	u, ok := probeUser(ctx, t, r, page)
	if !ok {
		return
	}
	c := t.NewClient()
	for _, v := range malformedValues(u) {
		ex := c.Raw(ctx, http.MethodGet, page.Path, v.lines)
		r.Checked()
		if ex.Err != nil {
			r.Errorf(ex, "%s: got no response (%v), want 401 or 400", v.name, ex.Err)
			continue
		}
		okStatus := ex.Status == http.StatusUnauthorized || ex.Status == http.StatusBadRequest
		for _, s := range v.allowed {
			okStatus = okStatus || ex.Status == s
		}
		if !okStatus {
			kind := ""
			switch {
			case ex.Status >= 500:
				kind = ": the server failed on it"
			case ex.OK():
				kind = ": the malformed value was accepted"
			}
			r.Errorf(ex, "%s on %s: got %s, want 401 or 400%s", v.name, page, ex.Got(), kind)
		}
	}
}

// Repeats is how many authorised requests in a row BA-STATELESS sends.
const Repeats = 50

// checkStateless wants a session cookie alone to be no credential, and a
// long run of authorised requests to keep succeeding.
func checkStateless(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	page, ok := firstPage(t, r)
	if !ok {
		return
	}
	u, ok := probeUser(ctx, t, r, page)
	if !ok {
		return
	}
	c := t.NewClient()
	var cookies int
	for _, route := range t.ProtectedRoutes() {
		if ex := send(ctx, c, route, u.Credentials(), nil); ex.Header != nil {
			cookies += len(ex.Header.Values("Set-Cookie"))
		}
	}
	if cookies == 0 {
		r.Notef("no authorised response set a cookie")
	}
	anon := t.NewClient()
	for _, route := range t.ProtectedRoutes() {
		// A route served to anyone says nothing about the cookie.
		if plain := send(ctx, anon, route, nil, nil); plain.OK() {
			continue
		}
		ex := send(ctx, c, route, nil, nil)
		r.Checked()
		if ex.OK() {
			r.Errorf(ex, "%s with the cookies of an authorised response and no Authorization header: "+
				"got %s, want 401 as without the cookies", route, ex.Got())
		}
	}

	repeat, label := page, page.String()
	if t.Dash != nil {
		for _, route := range t.ProtectedRoutes() {
			if route.Kind == "callback" {
				repeat, label = route, "callback "+route.Path
				break
			}
		}
	}
	fresh := t.NewClient()
	for i := 1; i <= Repeats; i++ {
		ex := send(ctx, fresh, repeat, u.Credentials(), nil)
		r.Checked()
		if !ex.OK() {
			r.Errorf(ex, "authorised request %d of %d in a row to %s: got %s, want 2xx", i, Repeats, label, ex.Got())
			return
		}
	}
	r.Notef("%d authorised requests in a row succeeded", Repeats)
}
