# browsers.mk: the headless browser and the Playwright driver that the
# browser suites (e2e/) and internal/browser use, built from Debian and npm
# packages only, because Playwright's own install step downloads from a site
# these machines cannot reach. The Makefile includes this file.
#
#   make browsers     install what is missing; quick and offline when all is there
#
# Overrides, for a machine that already has a driver or a browser:
#   PLAYWRIGHT_DRIVER_PATH  a driver folder holding package/cli.js and node
#                           (or with PLAYWRIGHT_NODEJS_PATH set); used as is
#   AUTHCONFORM_CHROMIUM    a Chromium executable; Debian's chromium is then
#                           not installed
#
# Without PLAYWRIGHT_DRIVER_PATH the driver folder is
# $(BROWSERS_CACHE)/playwright-driver/VERSION, where VERSION is the
# playwright-core version that the Go module pins. internal/browser looks for
# it there, through os.UserCacheDir, so keep the two in step.

GO ?= go

# PLAYWRIGHT_GO_MODULE is the Go binding; its driver version is read from its
# source so that a module upgrade moves the driver along with it.
PLAYWRIGHT_GO_MODULE := github.com/mxschmitt/playwright-go
BROWSERS_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/authconform
BROWSERS_NODE ?= $(shell command -v node 2>/dev/null)

.PHONY: browsers browsers-apt browsers-driver

browsers: browsers-apt browsers-driver

# browsers-apt installs Debian's chromium (unless AUTHCONFORM_CHROMIUM names
# another one), chromium-headless-shell where Debian has it, and tini, which
# reaps the short-lived processes a browser leaves when it exits. apt is asked
# only for packages that are missing.
browsers-apt:
	@set -e; \
	want="tini"; \
	if [ -n "$$AUTHCONFORM_CHROMIUM" ]; then \
		[ -x "$$AUTHCONFORM_CHROMIUM" ] || { \
			echo "AUTHCONFORM_CHROMIUM=$$AUTHCONFORM_CHROMIUM is not an executable file;" \
				"point it at a Chromium binary or unset it" >&2; exit 1; }; \
	else \
		want="$$want chromium"; \
		if apt-cache policy chromium-headless-shell 2>/dev/null | grep -q 'Candidate: [0-9]'; then \
			want="$$want chromium-headless-shell"; \
		fi; \
	fi; \
	missing=""; \
	for p in $$want; do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null; then sudo=sudo; \
	else echo "missing Debian packages:$$missing; install them as root" >&2; exit 1; fi; \
	echo "installing Debian packages:$$missing"; \
	$$sudo apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing

# browsers-driver builds the driver folder: playwright-core from the npm
# registry unpacked as package/, the machine's node linked as node, and
# coreBundle.js made null-safe where it reads a page error's location, which
# tracing needs. It ends by checking that the driver reports the pinned
# version, as playwright.Run does before it starts the driver.
browsers-driver:
	@set -e; \
	$(GO) mod download $(PLAYWRIGHT_GO_MODULE); \
	src=$$($(GO) list -m -f '{{.Dir}}' $(PLAYWRIGHT_GO_MODULE)); \
	version=$$(sed -n 's/^[[:space:]]*playwrightCliVersion = "\([0-9.]*\)"/\1/p' "$$src/run.go"); \
	if [ -z "$$version" ]; then \
		echo "no playwrightCliVersion found in $$src/run.go; update browsers.mk" \
			"for this version of $(PLAYWRIGHT_GO_MODULE)" >&2; exit 1; \
	fi; \
	if [ -n "$$PLAYWRIGHT_DRIVER_PATH" ]; then \
		dir="$$PLAYWRIGHT_DRIVER_PATH"; node="$${PLAYWRIGHT_NODEJS_PATH:-$$dir/node}"; \
		got=$$(cd "$$dir" 2>/dev/null && "$$node" package/cli.js --version 2>&1) || true; \
		case "$$got" in *"Version $$version"*) exit 0;; esac; \
		echo "PLAYWRIGHT_DRIVER_PATH=$$dir: driver reports '$$got', want Version $$version;" \
			"point it at a playwright-core $$version driver or unset it" >&2; exit 1; \
	fi; \
	dir="$(BROWSERS_CACHE)/playwright-driver/$$version"; \
	if [ -x "$$dir/node" ] && [ -f "$$dir/package/cli.js" ] && \
		! grep -qF 'pageError.location.url' "$$dir/package/lib/coreBundle.js" && \
		(cd "$$dir" && ./node package/cli.js --version) | grep -qF "Version $$version"; then \
		exit 0; \
	fi; \
	if [ -z "$(BROWSERS_NODE)" ]; then \
		echo "node not found; install Debian's nodejs or set BROWSERS_NODE" >&2; exit 1; \
	fi; \
	echo "building the Playwright driver $$version in $$dir"; \
	mkdir -p "$(BROWSERS_CACHE)/playwright-driver"; \
	tmp=$$(mktemp -d "$(BROWSERS_CACHE)/playwright-driver/.build.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent "playwright-core@$$version" >/dev/null); \
	tar -xzf "$$tmp/playwright-core-$$version.tgz" -C "$$tmp"; \
	rm "$$tmp/playwright-core-$$version.tgz"; \
	ln -s "$(BROWSERS_NODE)" "$$tmp/node"; \
	bundle="$$tmp/package/lib/coreBundle.js"; \
	for field in url lineNumber columnNumber; do \
		if ! grep -qF "pageError.location.$$field" "$$bundle" && \
			! grep -qF "pageError.location?.$$field" "$$bundle"; then \
			echo "$$bundle has no pageError.location.$$field to patch;" \
				"check the patch in browsers.mk against playwright-core $$version" >&2; exit 1; \
		fi; \
	done; \
	sed -i -e 's/pageError\.location\.url/pageError.location?.url || ""/g' \
		-e 's/pageError\.location\.lineNumber/pageError.location?.lineNumber || 0/g' \
		-e 's/pageError\.location\.columnNumber/pageError.location?.columnNumber || 0/g' \
		"$$bundle"; \
	got=$$(cd "$$tmp" && ./node package/cli.js --version); \
	case "$$got" in *"Version $$version"*) ;; *) \
		echo "the built driver reports '$$got', want Version $$version" >&2; exit 1;; esac; \
	rm -rf "$$dir"; \
	mv "$$tmp" "$$dir"; \
	echo "$$got ready in $$dir"

# BROWSER_TEST_PACKAGES start a browser each. e2e runs them one package at a
# time, because two browsers on two cores slow page loads tenfold, and under
# tini -s where tini exists, which reaps the short-lived processes each
# browser exit leaves behind.
BROWSER_TEST_PACKAGES := ./internal/browser/... ./e2e/...
BROWSERS_TINI = $(if $(shell command -v tini 2>/dev/null),tini -s --)

.PHONY: e2e
e2e: browsers
	$(BROWSERS_TINI) $(GO) test -race -count=1 -p 1 -timeout 10m $(BROWSER_TEST_PACKAGES)
