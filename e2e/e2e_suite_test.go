package e2e_test

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/authconform/authconform/conformance"
	"github.com/authconform/authconform/conformance/suite"
	"github.com/authconform/authconform/e2e"
	"github.com/authconform/authconform/internal/reftarget"
)

// targetsDir holds the targets' profiles.
const targetsDir = "../testdata/targets"

var settings conformance.Settings

func init() { settings.RegisterFlags(flag.CommandLine) }

var env = suite.NewEnv(&settings, builtinReference)

var _ = e2e.Define(env, e2e.Config{})

// ssoEnv runs the checks against the built-in SSO target too, when no
// target is given.
var ssoEnv = suite.NewEnv(&settings, builtinSSO)

var _ = suite.ReportTable(&settings, env, ssoEnv)

// builtinReference serves the Basic-auth reference target in process when
// no target is given, so go test runs the browser suite against it.
func builtinReference(context.Context) (*conformance.Profile, func(), error) {
	p, srv, err := serveReference(reftarget.Options{})
	if err != nil {
		return nil, nil, err
	}
	return p, srv.Close, nil
}

// serveReference starts the reference target (or a mutant) on a loopback
// port and returns the reference profile aimed at it.
func serveReference(opts reftarget.Options) (*conformance.Profile, *httptest.Server, error) {
	h, err := reftarget.Handler(opts)
	if err != nil {
		return nil, nil, err
	}
	p, err := conformance.LoadProfile(targetsDir + "/reference.yaml")
	if err != nil {
		return nil, nil, err
	}
	srv := httptest.NewServer(h)
	p.URL = srv.URL + "/"
	p.Start = nil
	return p, srv, nil
}

func TestE2ESuite(t *testing.T) {
	if err := env.Preflight(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// Flags are parsed by now. A given target gets one run of the checks.
	if settings.ProfilePath == "" && settings.TargetURL == "" {
		e2e.Define(ssoEnv, e2e.Config{})
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "authconform browser suite")
}
