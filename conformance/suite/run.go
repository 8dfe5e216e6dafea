package suite

import (
	"errors"
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/authconform/authconform/conformance"
)

// Preflight loads the profile the settings name, so that a usage mistake is
// reported in one line before any spec runs. A missing target is fine when
// the suite has a built-in one.
func (e *Env) Preflight() error {
	_, err := e.Settings.LoadProfile()
	if errors.Is(err, conformance.ErrNoTarget) && e.builtin != nil {
		return nil
	}
	return err
}

// TargetURL returns the URL of the prepared target, "" before Setup.
func (e *Env) TargetURL() string {
	if e.Target == nil {
		return ""
	}
	return e.Target.Base.String()
}

// ReportTable registers a ReportAfterSuite node that prints the
// requirement table of envs and writes the report files. Call it once per
// suite at package level:
//
//	var _ = suite.ReportTable(&settings, env)
func ReportTable(s *conformance.Settings, envs ...*Env) bool {
	return ReportAfterSuite("authconform requirement table", func(r Report) {
		target := ""
		for _, e := range envs {
			if u := e.TargetURL(); u != "" {
				target = u
				break
			}
		}
		if target == "" && s.ProfilePath != "" {
			target = fmt.Sprintf("profile %s", s.ProfilePath)
		}
		rep := BuildReport(r, s, target)
		rep.LabelFilter = s.LabelFilter
		PrintReport(rep, s)
	})
}
