package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/mxschmitt/playwright-go"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/internal/browser"
)

// DefaultActionTimeout bounds each browser action a check takes, such as a
// navigation or waiting for a greeting to appear.
const DefaultActionTimeout = 10 * time.Second

// Session is one UI check's use of the browser: the browser contexts it
// opens, each with its own cookies and credentials and with tracing on, and
// the screenshots and traces it saves into a folder.
type Session struct {
	browser *browser.Browser
	dir     string
	relTo   string
	prefix  string
	timeout time.Duration

	pages     []*sessionPage
	artifacts []string
	errs      []error
}

type sessionPage struct {
	label   string
	context playwright.BrowserContext
	page    playwright.Page
}

// NewSession starts a session for the check of requirement id. Files go
// into dir, named after id; Artifacts returns their paths relative to relTo
// when relTo is not empty, so that a report written in relTo links them.
func NewSession(b *browser.Browser, id, dir, relTo string) *Session {
	return &Session{browser: b, dir: dir, relTo: relTo, prefix: id,
		timeout: DefaultActionTimeout}
}

// NewPage opens a page in a fresh browser context created with opts and
// starts tracing it. label names the page's files (ID-label.png) and must be
// unique within the session.
func (s *Session) NewPage(label string, opts playwright.BrowserNewContextOptions) (
	playwright.Page, error) {
	bctx, err := s.browser.Browser.NewContext(opts)
	if err != nil {
		return nil, fmt.Errorf("opening a browser context for %s: %w", label, err)
	}
	bctx.SetDefaultTimeout(float64(s.timeout.Milliseconds()))
	bctx.SetDefaultNavigationTimeout(float64(s.timeout.Milliseconds()))
	err = bctx.Tracing().Start(playwright.TracingStartOptions{
		Name:        playwright.String(s.prefix + "-" + label),
		Screenshots: playwright.Bool(true),
		Snapshots:   playwright.Bool(true),
	})
	if err != nil {
		_ = bctx.Close()
		return nil, fmt.Errorf("starting a trace for %s: %w", label, err)
	}
	page, err := bctx.NewPage()
	if err != nil {
		_ = bctx.Close()
		return nil, fmt.Errorf("opening a page for %s: %w", label, err)
	}
	s.pages = append(s.pages, &sessionPage{label: label, context: bctx, page: page})
	return page, nil
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (s *Session) path(label, ext string) string {
	return filepath.Join(s.dir, unsafeFileChars.ReplaceAllString(s.prefix+"-"+label, "_")+ext)
}

// Finish saves a full-page screenshot of every page, and its trace when
// keepTraces is set, then closes the contexts. Errors saving files are
// returned together; the files that were saved are in Artifacts.
func (s *Session) Finish(keepTraces bool) error {
	if len(s.pages) > 0 {
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			s.errs = append(s.errs, fmt.Errorf("creating the artifact folder: %w", err))
		}
	}
	for _, p := range s.pages {
		shot := s.path(p.label, ".png")
		if _, err := p.page.Screenshot(playwright.PageScreenshotOptions{
			Path: playwright.String(shot), FullPage: playwright.Bool(true),
		}); err != nil {
			s.errs = append(s.errs, fmt.Errorf("screenshot of %s: %w", p.label, err))
		} else {
			s.addArtifact(shot)
		}
		var stop []string
		trace := s.path(p.label, "-trace.zip")
		if keepTraces {
			stop = append(stop, trace)
		}
		if err := p.context.Tracing().Stop(stop...); err != nil {
			s.errs = append(s.errs, fmt.Errorf("trace of %s: %w", p.label, err))
		} else if keepTraces {
			s.addArtifact(trace)
		}
		if err := p.context.Close(); err != nil {
			s.errs = append(s.errs, fmt.Errorf("closing the context of %s: %w", p.label, err))
		}
	}
	s.pages = nil
	return errors.Join(s.errs...)
}

func (s *Session) addArtifact(path string) {
	if s.relTo != "" {
		if rel, err := filepath.Rel(s.relTo, path); err == nil {
			path = rel
		}
	}
	s.artifacts = append(s.artifacts, path)
}

// Artifacts returns the files Finish saved.
func (s *Session) Artifacts() []string { return append([]string(nil), s.artifacts...) }

// Check is the browser check of one UI requirement.
type Check struct {
	ID string
	// Title is the spec's name: what a passing target does.
	Title string
	Run   func(ctx context.Context, s *Session, t *conformance.Target, r *conformance.Result)
}

// Checks returns the browser checks, in catalogue order.
func Checks() []Check {
	return []Check{
		{"UI-BASIC", "renders for valid credentials and shows only the 401 without",
			checkBasic},
		{"UI-SSO-LOGIN", "logs in on the IdP's page and greets the user", checkSSOLogin},
		{"UI-LOGOUT", "logs out for good, also through the history", checkLogout},
		{"UI-DENIED", "shows users outside a Restricted app a denial only", checkDenied},
	}
}

// Run runs check c in a new Session whose files go into dir, and returns
// its result, with the files it saved as the result's artifacts (relative
// to relTo when set). A failed check keeps its traces. An error saving a
// file is a note in the result.
func Run(ctx context.Context, c Check, b *browser.Browser, t *conformance.Target,
	dir, relTo string) *conformance.Result {
	r := conformance.NewResult(c.ID)
	s := NewSession(b, c.ID, dir, relTo)
	finished := false
	defer func() {
		// A check that panics still closes its browser contexts.
		if !finished {
			_ = s.Finish(true)
		}
	}()
	c.Run(ctx, s, t, r)
	finished = true
	if err := s.Finish(r.Status(true) == conformance.StatusFail); err != nil {
		r.Notef("saving artifacts failed: %v", err)
	}
	r.AddArtifact(s.Artifacts()...)
	return r
}
