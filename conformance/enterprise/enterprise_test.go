package enterprise_test

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/conformance/enterprise"
	"github.com/authconform/authconform/conformance/suite"
	"github.com/authconform/authconform/internal/ssotarget"
	"github.com/authconform/authconform/mockidp"
)

const targetsDir = "../../testdata/targets"

// serveSSO serves the reference SSO target (or a mutant) at a level in
// process, with its own mockidp, and returns the level's profile aimed at
// both. The IdP is external to the suite, as a running mockidp would be.
func serveSSO(level, mutant string) (*conformance.Profile, func(), error) {
	p, err := conformance.LoadProfile(fmt.Sprintf("%s/sso-%s.yaml", targetsDir, level))
	if err != nil {
		return nil, nil, err
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	client := p.IdP.Client
	idp, err := mockidp.Start(mockidp.Config{Clients: []mockidp.Client{{ID: client.ID, Secret: client.Secret,
		RedirectURIs: []string{base + "/_auth/callback"}, PostLogoutRedirectURIs: []string{base + "/"}}}})
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	h, err := ssotarget.Handler(ssotarget.Options{Level: level, Issuer: idp.Issuer(), ClientID: client.ID,
		ClientSecret: client.Secret, AllowedUsers: []string{"alice"}, AllowedGroups: []string{"analysts"},
		Mutant: mutant, PublicURL: base})
	if err != nil {
		srv.Close()
		_ = idp.Close()
		return nil, nil, err
	}
	srv.Config.Handler = h
	srv.Start()
	p.URL, p.Start = base+"/", nil
	p.IdP = &conformance.IdPSpec{Mode: "external", URL: idp.URL(), Client: client}
	return p, func() { srv.Close(); _ = idp.Close() }, nil
}

// runSSO runs every EN check against the reference at a level, or a mutant.
func runSSO(t *testing.T, level, mutant string) map[string]*conformance.Result {
	t.Helper()
	p, stop, err := serveSSO(level, mutant)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l, exs, err := conformance.Launch(ctx, p, nil)
	if err != nil {
		t.Fatal(conformance.ErrorWithEvidence(err, exs))
	}
	defer l.Close()
	out := map[string]*conformance.Result{}
	for _, r := range enterprise.Run(ctx, l.Target) {
		out[r.Requirement.ID] = r
	}
	return out
}

func failing(results map[string]*conformance.Result) []string {
	var ids []string
	for id, r := range results {
		if r.Status(true) == conformance.StatusFail {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// applies lists the requirements each level checks; the others skip.
var applies = map[string][]string{
	ssotarget.Restricted: {"EN-LOGIN-REDIRECT", "EN-XHR-ANON", "EN-LOGIN", "EN-RESTRICTED", "EN-USER-DATA",
		"EN-ISOLATION", "EN-SPOOF", "EN-TOKEN-VALIDATION", "EN-IDP-ERROR", "EN-LOGOUT", "EN-LOGOUT-REPLAY",
		"EN-IDP-LOGOUT", "EN-COOKIE", "EN-REDIRECT", "EN-COVERAGE"},
	ssotarget.Authenticated: {"EN-LOGIN-REDIRECT", "EN-XHR-ANON", "EN-LOGIN", "EN-AUTHENTICATED",
		"EN-USER-DATA", "EN-ISOLATION", "EN-SPOOF", "EN-TOKEN-VALIDATION", "EN-IDP-ERROR", "EN-LOGOUT",
		"EN-LOGOUT-REPLAY", "EN-IDP-LOGOUT", "EN-COOKIE", "EN-REDIRECT", "EN-COVERAGE"},
	ssotarget.Unauthenticated: {"EN-UNAUTHENTICATED", "EN-SPOOF", "EN-COVERAGE"},
}

// TestSSOReferencePasses wants every requirement that applies at a level to
// pass on the reference, and the rest skipped.
func TestSSOReferencePasses(t *testing.T) {
	for level, ids := range applies {
		t.Run(level, func(t *testing.T) {
			results := runSSO(t, level, "")
			for id, r := range results {
				want := conformance.StatusSkip
				for _, a := range ids {
					if a == id {
						want = conformance.StatusPass
					}
				}
				if got := r.Status(true); got != want {
					t.Errorf("%s: got %s, want %s: %s\n%s", id, got, want, r.Summary(), r.Failure())
				}
			}
		})
	}
}

// TestGatewayMutantsFailExactly runs every EN check against every gateway
// mutant and wants exactly the requirements it breaks to fail.
func TestGatewayMutantsFailExactly(t *testing.T) {
	for _, m := range ssotarget.Mutants() {
		t.Run(m.Name, func(t *testing.T) {
			results := runSSO(t, m.Level, m.Name)
			want := append([]string(nil), m.Breaks...)
			sort.Strings(want)
			got := failing(results)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				var detail strings.Builder
				for _, id := range got {
					detail.WriteString("\n" + results[id].Failure())
				}
				t.Errorf("failing requirements: got %v, want %v%s", got, want, detail.String())
			}
		})
	}
}

// TestEveryENRequirementCanFail wants each EN requirement broken by at
// least one gateway mutant.
func TestEveryENRequirementCanFail(t *testing.T) {
	broken := map[string]bool{}
	for _, m := range ssotarget.Mutants() {
		for _, id := range m.Breaks {
			broken[id] = true
		}
	}
	for _, req := range conformance.Requirements("enterprise") {
		if !broken[req.ID] {
			t.Errorf("%s: no mutant breaks it, so nothing shows the check can fail", req.ID)
		}
	}
}

var settings conformance.Settings

func init() { settings.RegisterFlags(flag.CommandLine) }

var env = suite.NewEnv(&settings, func(context.Context) (*conformance.Profile, func(), error) {
	return serveSSO(ssotarget.Restricted, "")
})

var _ = enterprise.Define(env)

var _ = suite.ReportTable(&settings, env)

// TestEnterpriseSuite runs the Ginkgo suite, by default against the
// restricted reference target served in process.
func TestEnterpriseSuite(t *testing.T) {
	if err := env.Preflight(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "authconform enterprise suite")
}

// TestStateBindingCanFail wants the login-CSRF probe of EN-TOKEN-VALIDATION
// to fire on a gateway that finds a pending login by its state alone.
func TestStateBindingCanFail(t *testing.T) {
	r := runSSO(t, ssotarget.Authenticated, "state-not-bound")["EN-TOKEN-VALIDATION"]
	if !strings.Contains(r.FailureAll(), "not bound to the browser that started the login") {
		t.Errorf("state-not-bound: no login-CSRF violation in:\n%s", r.FailureAll())
	}
	ref := runSSO(t, ssotarget.Authenticated, "")["EN-TOKEN-VALIDATION"]
	if got := ref.Status(true); got != conformance.StatusPass {
		t.Errorf("reference: got %s, want pass\n%s", got, ref.Failure())
	}
}
