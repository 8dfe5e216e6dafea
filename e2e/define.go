package e2e

import (
	"fmt"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/conformance/suite"
	"github.com/authconform/authconform/internal/browser"
)

// Config sets how Define runs the browser checks.
type Config struct {
	// Browser configures the launch; the zero value finds the Playwright
	// driver and Chromium on its own.
	Browser browser.Options
	// ArtifactDir is the folder for screenshots and traces. "" means the
	// folder "artifacts" in the settings' report folder, or a new temporary
	// folder when no report folder is set.
	ArtifactDir string
}

// specs is the state the UI specs of one Define call share.
type specs struct {
	env     *suite.Env
	cfg     Config
	browser *browser.Browser
	dir     string
	relTo   string
}

// Define adds the UI specs to the Ginkgo tree: one spec per check, labelled
// with its requirement id, "ui" and its level. They run in order against the
// target env prepares, in one browser, which is closed after the last spec
// even when a spec fails. Call it at package level:
//
//	var _ = e2e.Define(env, e2e.Config{})
func Define(env *suite.Env, cfg Config) bool {
	s := &specs{env: env, cfg: cfg}
	return Describe("In a real browser", Ordered, ContinueOnFailure, Label("ui"), func() {
		BeforeAll(env.Setup)
		BeforeAll(s.launch)
		for _, c := range Checks() {
			s.it(c)
		}
	})
}

func (s *specs) launch() {
	GinkgoHelper()
	if err := s.prepareDir(); err != nil {
		Fail(err.Error())
	}
	By("saving screenshots and traces in " + s.dir)
	b, err := browser.Launch(s.cfg.Browser)
	if err != nil {
		Fail(err.Error())
	}
	By(fmt.Sprintf("launched %s with the driver in %s", b.Executable, b.DriverDir))
	s.browser = b
	DeferCleanup(b.Close)
}

// prepareDir picks the artifact folder and the folder report links are
// relative to.
func (s *specs) prepareDir() error {
	reportDir := s.env.Settings.ReportDir
	s.dir, s.relTo = s.cfg.ArtifactDir, reportDir
	switch {
	case s.dir != "":
	case reportDir != "":
		s.dir = filepath.Join(reportDir, "artifacts")
	default:
		dir, err := os.MkdirTemp("", "authconform-ui-")
		if err != nil {
			return fmt.Errorf("creating a folder for screenshots: %w", err)
		}
		s.dir = dir
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("creating the artifact folder: %w", err)
	}
	return nil
}

func (s *specs) it(c Check) {
	req := conformance.MustLookup(c.ID)
	It(fmt.Sprintf("%s: %s", c.ID, c.Title), Label(req.ID, req.Area, string(req.Level)),
		func(ctx SpecContext) {
			r := Run(ctx, c, s.browser, s.env.Target, s.dir, s.relTo)
			for _, a := range r.Artifacts() {
				By("saved " + a)
			}
			suite.Record(r, s.env.Settings.Strict)
		})
}
