package suite

import (
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/authconform/authconform/conformance"
)

var failureStates = types.SpecStateFailureStates

// severity orders statuses from best to worst for merging rows.
var severity = map[conformance.Status]int{
	conformance.StatusSkip: 0, conformance.StatusPass: 2,
	conformance.StatusWarn: 3, conformance.StatusFail: 4,
}

func merge(rows map[string]conformance.Row, row conformance.Row) {
	old, ok := rows[row.ID]
	if !ok {
		rows[row.ID] = row
		return
	}
	if severity[row.Status] > severity[old.Status] {
		row.Artifacts = append(old.Artifacts, row.Artifacts...)
		rows[row.ID] = row
		return
	}
	old.Artifacts = append(old.Artifacts, row.Artifacts...)
	rows[row.ID] = old
}

func requirementLabel(labels []string) string {
	for _, l := range labels {
		if _, err := conformance.Lookup(l); err == nil {
			return l
		}
	}
	return ""
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
