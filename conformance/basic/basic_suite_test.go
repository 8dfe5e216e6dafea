package basic_test

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
	"github.com/authconform/authconform/conformance/basic"
	"github.com/authconform/authconform/conformance/suite"
	"github.com/authconform/authconform/internal/reftarget"
)

var settings conformance.Settings

func init() { settings.RegisterFlags(flag.CommandLine) }

var env = suite.NewEnv(&settings, builtinReference)

var _ = basic.Define(env)

var _ = suite.ReportTable(&settings, env)

// builtinReference serves the reference target in process when no profile
// is given, so go test runs the whole Ginkgo suite against it.
func builtinReference(context.Context) (*conformance.Profile, func(), error) {
	p, srv, err := serveReference(reftarget.Options{}, "reference.yaml")
	if err != nil {
		return nil, nil, err
	}
	return p, srv.Close, nil
}

// serveReference starts the reference target (or a mutant) on a loopback
// port and returns the profile of its configuration aimed at it.
func serveReference(opts reftarget.Options, profile string) (*conformance.Profile, *httptest.Server, error) {
	h, err := reftarget.Handler(opts)
	if err != nil {
		return nil, nil, err
	}
	p, err := conformance.LoadProfile(targetsDir + "/" + profile)
	if err != nil {
		return nil, nil, err
	}
	srv := httptest.NewServer(h)
	p.URL = srv.URL + "/"
	p.Start = nil
	return p, srv, nil
}

func TestBasicSuite(t *testing.T) {
	if err := env.Preflight(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	RegisterFailHandler(Fail)
	RunSpecs(t, "authconform basic suite")
}
