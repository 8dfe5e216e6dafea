package basic_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/internal/reftarget"
)

// failing returns the ids whose strict status is fail.
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

func runReference(t *testing.T, opts reftarget.Options, profile string) map[string]*conformance.Result {
	t.Helper()
	p, srv, err := serveReference(opts, profile)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return runChecks(ctx, t, p)
}

func profileOf(private bool) string {
	if private {
		return "reference-private.yaml"
	}
	return "reference.yaml"
}

// TestReferencePasses wants every requirement to pass on both
// configurations of the reference target, INFO rows recorded and only the
// public-route checks skipped where nothing is public.
func TestReferencePasses(t *testing.T) {
	for _, private := range []bool{false, true} {
		t.Run(profileOf(private), func(t *testing.T) {
			results := runReference(t, reftarget.Options{Private: private}, profileOf(private))
			for id, r := range results {
				want := conformance.StatusPass
				if private && (id == "BA-PUBLIC" || id == "BA-PUBLIC-EXACT") {
					want = conformance.StatusSkip
				}
				if got := r.Status(true); got != want {
					t.Errorf("%s: got %s, want %s\n%s", id, got, want, r.Failure())
				}
			}
		})
	}
}

// TestMutantsFailExactly runs every check against every mutant and wants
// exactly the requirements the mutant breaks to fail (SHOULD ones counted
// as failures, as in a strict run). For INFO requirements a mutant breaks,
// the observation must differ from the reference's.
func TestMutantsFailExactly(t *testing.T) {
	reference := map[bool]map[string]*conformance.Result{}
	for _, private := range []bool{false, true} {
		reference[private] = runReference(t, reftarget.Options{Private: private}, profileOf(private))
	}
	for _, m := range reftarget.Mutants() {
		t.Run(m.Name, func(t *testing.T) {
			results := runReference(t, reftarget.Options{Mutant: m.Name}, profileOf(m.Private))
			var want []string
			for _, id := range m.Breaks {
				if conformance.MustLookup(id).Level == conformance.Info {
					ref := reference[m.Private][id].Summary()
					if got := results[id].Summary(); got == ref {
						t.Errorf("%s: observation unchanged by the mutant: %q", id, got)
					}
					continue
				}
				want = append(want, id)
			}
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

// TestEveryRequirementCanFail wants each BA requirement broken by at least
// one mutant, or for BA-CLEARTEXT observed differently over TLS.
func TestEveryRequirementCanFail(t *testing.T) {
	broken := map[string]bool{"BA-CLEARTEXT": true}
	for _, m := range reftarget.Mutants() {
		for _, id := range m.Breaks {
			broken[id] = true
		}
	}
	for _, req := range conformance.Requirements("basic") {
		if !broken[req.ID] {
			t.Errorf("%s: no mutant breaks it, so nothing shows the check can fail", req.ID)
		}
	}
}

// TestCleartextOverTLS wants BA-CLEARTEXT to record HTTPS when the
// reference target is served over TLS, and plain HTTP otherwise.
func TestCleartextOverTLS(t *testing.T) {
	h, err := reftarget.Handler(reftarget.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	p, err := conformance.LoadProfile(targetsDir + "/reference.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p.URL, p.Start = srv.URL+"/", nil
	target, err := conformance.NewTarget(p)
	if err != nil {
		t.Fatal(err)
	}
	target.UseTransport(srv.Client().Transport.(*http.Transport))
	ctx := context.Background()
	if _, err := target.Discover(ctx); err != nil {
		t.Fatal(err)
	}
	r := conformance.NewResult("BA-CLEARTEXT")
	checkByID(t, "BA-CLEARTEXT").Run(ctx, target, r)
	if got := r.Summary(); !strings.Contains(got, "HTTPS") {
		t.Errorf("over TLS: got %q, want it to record HTTPS", got)
	}
	plain := runReference(t, reftarget.Options{}, "reference.yaml")["BA-CLEARTEXT"].Summary()
	if !strings.Contains(plain, "plain HTTP") {
		t.Errorf("over HTTP: got %q, want it to record plain HTTP", plain)
	}
}
