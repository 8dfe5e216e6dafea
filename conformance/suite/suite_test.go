package suite

import (
	"slices"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/authconform/authconform/conformance"
)

// TestEntryReachesReport wants the entry Record adds to come back from
// BuildReport with its status and artifacts, so the requirement table links
// screenshots.
func TestEntryReachesReport(t *testing.T) {
	r := conformance.NewResult("UI-BASIC")
	r.Checked()
	artifacts := []string{"artifacts/UI-BASIC-1-alice.png", "artifacts/UI-BASIC-anonymous.png"}
	r.AddArtifact(artifacts...)
	_, entry := entryOf(r, false)
	report := types.Report{SpecReports: types.SpecReports{{
		State: types.SpecStatePassed,
		ReportEntries: types.ReportEntries{{
			Name:  entryName,
			Value: types.WrapEntryValue(entry),
		}},
	}}}
	rep := BuildReport(report, &conformance.Settings{}, "test target")
	if len(rep.Rows) != 1 {
		t.Fatalf("rows: got %d, want 1: %+v", len(rep.Rows), rep.Rows)
	}
	row := rep.Rows[0]
	if row.ID != "UI-BASIC" || row.Status != conformance.StatusPass {
		t.Errorf("row: got %s %s, want UI-BASIC pass", row.ID, row.Status)
	}
	if !slices.Equal(row.Artifacts, artifacts) {
		t.Errorf("artifacts: got %q, want %q", row.Artifacts, artifacts)
	}
}

// TestFailedSetupCountsAsFailure wants a spec that failed outside its check
// to fail its requirement's row.
func TestFailedSetupCountsAsFailure(t *testing.T) {
	report := types.Report{SpecReports: types.SpecReports{{
		State:          types.SpecStateFailed,
		LeafNodeLabels: []string{"BA-COLON", "basic", "MUST"},
		Failure:        types.Failure{Message: "setup failed\nmore"},
	}}}
	rep := BuildReport(report, &conformance.Settings{}, "t")
	if len(rep.Rows) != 1 || rep.Rows[0].Status != conformance.StatusFail || rep.Rows[0].Reason != "setup failed" {
		t.Errorf("got %+v, want one failed BA-COLON row", rep.Rows)
	}
}
