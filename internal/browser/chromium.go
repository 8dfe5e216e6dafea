package browser

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Chromium binaries Debian installs, fastest first. The headless shell
// starts quicker than the full browser and shows a 401 response as a page,
// where the full browser reports net::ERR_INVALID_AUTH_CREDENTIALS.
var debianChromium = []string{
	"/usr/lib/chromium/chromium-headless-shell",
	"/usr/bin/chromium",
}

// ErrNoChromium means no Chromium binary was found.
var ErrNoChromium = errors.New("chromium not found")

// FindChromium returns the Chromium binary to launch: path when it is not
// empty, else $AUTHCONFORM_CHROMIUM, else Debian's chromium-headless-shell,
// /usr/bin/chromium, or chromium on PATH.
func FindChromium(path string) (string, error) {
	if path != "" {
		return path, checkExecutable(path, "the configured browser")
	}
	if env := os.Getenv(EnvChromium); env != "" {
		return env, checkExecutable(env, EnvChromium)
	}
	for _, p := range debianChromium {
		if checkExecutable(p, "") == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%w at %s or on PATH; run make browsers (Debian's chromium and "+
		"chromium-headless-shell), or set %s to a Chromium binary", ErrNoChromium,
		strings.Join(debianChromium, " or "), EnvChromium)
}

func checkExecutable(path, source string) error {
	info, err := os.Stat(path)
	if err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
		return nil
	}
	return fmt.Errorf("%w: %s %s is not an executable file; point it at a Chromium binary",
		ErrNoChromium, source, path)
}

// LoopbackResolverRule maps every host name to NOTFOUND except loopback
// ones, so the browser looks up no outside host.
const LoopbackResolverRule = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"

// LaunchArgs returns the Chromium flags Launch passes: no background
// traffic, no QUIC, no GPU, host names resolved only for loopback, and
// --no-sandbox when the process runs as root, where Chromium's sandbox
// refuses to start. Playwright makes its own profile folder per launch, so
// there is no --user-data-dir.
func LaunchArgs(root bool) []string {
	args := []string{
		"--disable-gpu",
		"--disable-quic",
		"--no-first-run",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--host-resolver-rules=" + LoopbackResolverRule,
	}
	if root {
		args = append(args, "--no-sandbox")
	}
	return args
}
