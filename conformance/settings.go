package conformance

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
)

// Environment variables that set what the flags set; a flag wins.
const (
	EnvProfile   = "AUTHCONFORM_PROFILE"
	EnvTargetURL = "AUTHCONFORM_TARGET_URL"
	EnvStrict    = "AUTHCONFORM_STRICT"
	EnvReportDir = "AUTHCONFORM_REPORT_DIR"
)

// Settings are a run's options from flags and the environment.
type Settings struct {
	ProfilePath string
	TargetURL   string
	Strict      bool
	ReportDir   string
	// LabelFilter is recorded in the report when the run is filtered.
	LabelFilter string

	envErr error
}

// ErrNoTarget means neither a profile nor a target URL was given.
var ErrNoTarget = errors.New("no target: pass --profile FILE or --target-url URL")

// RegisterFlags adds --profile, --target-url, --strict and --report-dir to
// fs, with defaults from the environment.
func (s *Settings) RegisterFlags(fs *flag.FlagSet) {
	strict, err := strconv.ParseBool(os.Getenv(EnvStrict))
	if err != nil && os.Getenv(EnvStrict) != "" {
		s.envErr = fmt.Errorf("%s=%q is not a boolean; use true or false", EnvStrict, os.Getenv(EnvStrict))
	}
	fs.StringVar(&s.ProfilePath, "profile", os.Getenv(EnvProfile),
		"target profile `file` (YAML); env "+EnvProfile)
	fs.StringVar(&s.TargetURL, "target-url", os.Getenv(EnvTargetURL),
		"target base `URL`, overriding the profile's url; env "+EnvTargetURL)
	fs.BoolVar(&s.Strict, "strict", strict,
		"fail the run on SHOULD violations too; env "+EnvStrict)
	fs.StringVar(&s.ReportDir, "report-dir", os.Getenv(EnvReportDir),
		"`folder` for report.md and report.json (none written when empty); env "+EnvReportDir)
}

// LoadProfile returns the profile the settings name, with the target URL
// override applied. It returns ErrNoTarget when neither is set, and an
// error matching ErrProfile for a bad profile or URL.
func (s *Settings) LoadProfile() (*Profile, error) {
	if s.envErr != nil {
		return nil, &ProfileError{Msg: s.envErr.Error()}
	}
	var p *Profile
	switch {
	case s.ProfilePath != "":
		loaded, err := LoadProfile(s.ProfilePath)
		if err != nil {
			return nil, err
		}
		p = loaded
	case s.TargetURL != "":
		p = &Profile{}
	default:
		return nil, ErrNoTarget
	}
	if s.TargetURL != "" {
		p.URL = s.TargetURL
		p.Start = nil
		// Mistakes in the URL are the flag's, not the file's.
		path := p.Path
		p.Path = ""
		err := p.Validate()
		p.Path = path
		if err != nil {
			return nil, fmt.Errorf("--target-url: %w", err)
		}
	}
	return p, nil
}
