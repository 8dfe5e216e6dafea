package basic

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/authconform/authconform/conformance"
)

// spoof is an anonymous update request built to trick the target into
// running a protected callback.
type spoof struct {
	name string
	body []byte
}

// spoofs builds bodies from a public callback pub and a protected one prot.
func spoofs(pub, prot conformance.DashCallback, publicPaths []string) []spoof {
	var out []spoof
	add := func(name string, v any) {
		b, _ := json.Marshal(v) // Built from decoded JSON values.
		out = append(out, spoof{name, b})
	}
	pubBody := conformance.NewDashUpdate(pub, "/", nil)
	protBody := conformance.NewDashUpdate(prot, "/", nil)

	mixed := protBody
	mixed.Output = ".." + pub.Output + "..." + prot.Output + ".."
	mixed.Outputs = append(pub.Outputs(), prot.Outputs()...)
	mixed.Inputs = append(append([]conformance.DashInput{}, pubBody.Inputs...), protBody.Inputs...)
	add("multi-output id mixing "+pub.Output+" with "+prot.Output, mixed)

	withPubInputs := protBody
	withPubInputs.Inputs = pubBody.Inputs
	withPubInputs.ChangedPropIDs = pubBody.ChangedPropIDs
	add("protected output "+prot.Output+" with the public callback's inputs", withPubInputs)

	outputPub := protBody
	outputPub.Output = pub.Output
	add("output naming "+pub.Output+" while outputs name "+prot.Output, outputPub)

	outputsPub := protBody
	outputsPub.Outputs = pubBody.Outputs
	add("outputs naming "+pub.Output+" while output names "+prot.Output, outputsPub)

	for _, p := range publicPaths {
		add("protected callback with the pathname of public route "+p, conformance.NewDashUpdate(prot, p, nil))
	}
	return out
}

// malformedBodies are update bodies that are not valid Dash requests.
var malformedBodies = []spoof{
	{"body that is not JSON", []byte("output=title.children")},
	{"body that is a JSON list", []byte(`[{"output": "title.children"}]`)},
	{"empty JSON object", []byte(`{}`)},
	{"null output", []byte(`{"output": null, "inputs": []}`)},
}

// checkPublicCallback wants public callbacks to run anonymously and every
// other callback refused, also when the body is forged.
func checkPublicCallback(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if !isDash(t, r) {
		return
	}
	c := t.NewClient()
	var public, protected []conformance.DashCallback
	for _, cb := range t.Dash.Callbacks {
		if !cb.Serverside() {
			continue
		}
		if t.IsPublicCallback(cb.Output) {
			public = append(public, cb)
		} else {
			protected = append(protected, cb)
		}
	}
	for _, id := range t.Profile.Public.Callbacks {
		if _, ok := t.Dash.CallbackFor(id); !ok {
			r.Errorf(nil, "public callback %q is not among the app's callbacks; fix public.callbacks in the profile", id)
		}
	}
	for _, cb := range public {
		ex := c.Do(ctx, conformance.UpdateRequest(conformance.NewDashUpdate(cb, "/", nil).JSON(), nil))
		r.Checked()
		if !ex.OK() {
			r.Errorf(ex, "public callback %s without credentials: got %s, want 2xx", cb.Output, ex.Got())
		}
	}
	protectedOutputs := map[string]bool{}
	for _, cb := range protected {
		for _, o := range cb.Outputs() {
			protectedOutputs[o.IDString()+"."+o.Property] = true
		}
	}
	leaked := func(ex *conformance.Exchange) string {
		if !ex.OK() {
			return ""
		}
		for key := range conformance.DashOutputs(ex.Body) {
			if protectedOutputs[key] {
				return key
			}
		}
		return ""
	}
	for _, cb := range protected {
		ex := c.Do(ctx, conformance.UpdateRequest(conformance.NewDashUpdate(cb, "/", nil).JSON(), nil))
		r.Checked()
		if ex.OK() {
			r.Errorf(ex, "protected callback %s without credentials: got %s, want it rejected", cb.Output, ex.Got())
		}
	}
	var publicPaths []string
	for _, rule := range t.Profile.Public.Routes {
		publicPaths = append(publicPaths, conformance.MustParseRule(rule).Example())
	}
	var forged []spoof
	for _, pub := range public {
		for _, prot := range protected {
			forged = append(forged, spoofs(pub, prot, publicPaths)...)
		}
	}
	if len(public) == 0 {
		for _, prot := range protected {
			for _, p := range publicPaths {
				forged = append(forged, spoof{"protected callback with the pathname of public route " + p,
					conformance.NewDashUpdate(prot, p, nil).JSON()})
			}
		}
	}
	forged = append(forged, malformedBodies...)
	for _, s := range forged {
		ex := c.Do(ctx, conformance.UpdateRequest(s.body, nil))
		r.Checked()
		if key := leaked(ex); key != "" {
			r.Errorf(ex, "forged update without credentials (%s): got %s carrying protected output %s, "+
				"want it refused", s.name, ex.Got(), key)
		}
	}
	if len(public) == 0 {
		r.Notef("no public callbacks declared; every callback was tried anonymously")
	}
}

// checkGroups runs each group-restricted callback as members and
// non-members and wants output only for members.
func checkGroups(ctx context.Context, t *conformance.Target, r *conformance.Result) {
	if !isDash(t, r) {
		return
	}
	if len(t.Profile.Groups) == 0 {
		r.Skip("the profile declares no group-restricted callbacks")
		return
	}
	for _, g := range t.Profile.Groups {
		cb, ok := t.Dash.CallbackFor(g.Callback)
		if !ok {
			r.Errorf(nil, "group-restricted callback %q is not among the app's callbacks; fix groups in the profile", g.Callback)
			continue
		}
		page, hasPage := pageRoute(t)
		var inside, outside int
		for _, u := range t.Profile.Users {
			if hasPage && !admitted(ctx, t, page, u) {
				r.Notef("user %q is not admitted at all (BA-ACCEPT reports it), so its groups were not tried", u.Username)
				continue
			}
			ex := t.NewClient().Do(ctx, conformance.UpdateRequest(conformance.NewDashUpdate(cb, "/", nil).JSON(), u.Credentials()))
			r.Checked()
			_, got := conformance.DashOutputs(ex.Body)[g.Callback]
			got = got && ex.OK()
			if u.InGroups(g.Allowed) {
				inside++
				if !got {
					r.Errorf(ex, "user %q in groups %v runs %s: got %s without its output, want 200 with it",
						u.Username, u.Groups, g.Callback, ex.Got())
				}
				continue
			}
			outside++
			if got {
				r.Errorf(ex, "user %q outside groups %v runs %s: got its output, want none (dash-auth returns 204)",
					u.Username, g.Allowed, g.Callback)
			} else if ex.Err == nil && ex.Status == http.StatusUnauthorized {
				r.Notef("user %q outside the groups got 401 from %s, which makes browsers ask for credentials again", u.Username, g.Callback)
			}
		}
		if inside == 0 || outside == 0 {
			r.Notef("%s: %d users inside and %d outside groups %v; declare both kinds for a full check",
				g.Callback, inside, outside, g.Allowed)
		}
	}
}
