# authconform: conformance suites for dashboard authentication.
#
#   make demo         run the suites against the built-in reference targets
#   make test         install what the tests need, then run every check and test
#   make conformance PROFILE=path/to/profile.yaml [ARGS="--strict"]

GO        ?= go
BIN       := bin
REPORTS   := reports
PROFILE   ?=
ARGS      ?=
# Debian packages the tests start as real targets.
APT_PACKAGES := nginx apache2-utils python3-flask-httpauth tini

.PHONY: all build deps test check fmt vet staticcheck unit soak demo conformance clean

# browsers.mk builds the headless browser set-up offline and runs the
# browser packages one at a time (make browsers, make e2e).
include browsers.mk

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

# deps installs the Debian packages the real-target tests run. It asks apt
# only for what is missing, so a second run is quick and offline.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	$(GO) mod download

test: deps browsers check unit e2e $(if $(CI),soak)

check: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

# unit runs every package but the browser ones, which e2e runs serially.
unit:
	$(GO) test -race -count=1 -timeout 40m $$($(GO) list ./... | grep -v -e /e2e -e /internal/browser)

# DEMO_PROFILES are the built-in reference targets: Basic auth with and
# without public routes, and the SSO gateway at the three access levels.
DEMO_PROFILES := reference reference-private sso-restricted sso-authenticated sso-unauthenticated

# soak runs mockidp's long tests: 64 concurrent clients logging in for 30
# seconds under the race detector, and heap growth over 100,000 logins
# (without the race detector, which would take too long). make test runs it
# when CI is set.
soak:
	AUTHCONFORM_SOAK=1 $(GO) test -race -count=1 -run TestSoakConcurrentLogins -timeout 20m ./mockidp/
	AUTHCONFORM_SOAK=1 $(GO) test -count=1 -run TestSoakMemoryStaysFlat -timeout 30m ./mockidp/

demo: build browsers
	@status=0; \
	for p in $(DEMO_PROFILES); do \
		echo "== $$p: testdata/targets/$$p.yaml"; \
		$(BROWSERS_TINI) $(BIN)/authconform --profile testdata/targets/$$p.yaml --report-dir $(REPORTS)/$$p \
			--browser --ginkgo.no-color --ginkgo.succinct || status=1; \
	done; \
	echo "== every requirement across the reference targets"; \
	$(BIN)/authconform summary $(addprefix $(REPORTS)/,$(DEMO_PROFILES)) || status=1; \
	exit $$status

conformance: build
	@if [ -z "$(PROFILE)" ]; then echo "usage: make conformance PROFILE=path/to/profile.yaml [ARGS=--strict]"; exit 2; fi
	$(BIN)/authconform --profile "$(PROFILE)" --report-dir "$(REPORTS)/$(basename $(notdir $(PROFILE)))" --ginkgo.no-color $(ARGS)

clean:
	rm -rf $(BIN) $(REPORTS)
