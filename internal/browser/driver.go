package browser

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mxschmitt/playwright-go"
)

// Environment variables that name a driver folder, a node binary for it,
// and a Chromium binary installed outside `make browsers`. The first two
// are playwright-go's own.
const (
	EnvDriverPath = "PLAYWRIGHT_DRIVER_PATH"
	EnvNodePath   = "PLAYWRIGHT_NODEJS_PATH"
	EnvChromium   = "AUTHCONFORM_CHROMIUM"
)

// playwrightMu serialises calls into playwright-go that set its
// package-level logger (NewDriver and Run do).
var playwrightMu sync.Mutex

// DriverVersion returns the playwright-core version that the playwright-go
// module pins. Run accepts only a driver folder of this version.
func DriverVersion() string {
	playwrightMu.Lock()
	defer playwrightMu.Unlock()
	d, err := playwright.NewDriver(quietRunOptions(os.TempDir(), nil))
	if err != nil {
		// In playwright-go v0.6401.0, NewDriver fails only for contradictory
		// install options or a missing home folder when no driver folder is
		// given, and quietRunOptions sets neither.
		panic(fmt.Sprintf("browser: playwright.NewDriver: %v", err))
	}
	return d.Version
}

// quietRunOptions returns driver options that download nothing and write
// nothing to the process's standard streams. Setting Logger also keeps
// playwright-go from redirecting the standard log package to stderr.
func quietRunOptions(dir string, logger *slog.Logger) *playwright.RunOptions {
	var stderr io.Writer = io.Discard
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	} else {
		stderr = &logWriter{logger: logger}
	}
	return &playwright.RunOptions{
		DriverDirectory:     dir,
		SkipInstallBrowsers: true,
		Verbose:             false,
		Stdout:              io.Discard,
		Stderr:              stderr,
		Logger:              logger,
	}
}

// DefaultDriverDir returns the folder `make browsers` builds the driver in:
// the user cache folder, then authconform/playwright-driver/VERSION.
func DefaultDriverDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache folder: %w", err)
	}
	return filepath.Join(cache, "authconform", "playwright-driver", DriverVersion()), nil
}

// playwrightGoDriverDir returns the folder playwright-go's Install uses.
func playwrightGoDriverDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".cache", "ms-playwright-go", DriverVersion()), nil
}

// ErrNoDriver means no Playwright driver folder was found.
var ErrNoDriver = errors.New("playwright driver not found")

// FindDriver returns the driver folder to use: dir when it is not empty,
// else $PLAYWRIGHT_DRIVER_PATH, else the first of DefaultDriverDir and
// playwright-go's default folder that holds package/cli.js. It checks that
// the folder holds package/cli.js and a node binary (or that
// $PLAYWRIGHT_NODEJS_PATH is set), but not the driver's version, which Run
// checks.
func FindDriver(dir string) (string, error) {
	if dir != "" {
		return dir, checkDriver(dir, "the configured driver folder")
	}
	if env := os.Getenv(EnvDriverPath); env != "" {
		return env, checkDriver(env, EnvDriverPath)
	}
	var tried []string
	for _, candidate := range []func() (string, error){DefaultDriverDir, playwrightGoDriverDir} {
		d, err := candidate()
		if err != nil {
			continue
		}
		tried = append(tried, d)
		if _, err := os.Stat(filepath.Join(d, "package", "cli.js")); err == nil {
			return d, checkDriver(d, "the driver folder")
		}
	}
	return "", fmt.Errorf("%w in %s; run make browsers, or set %s to a playwright-core %s "+
		"driver folder", ErrNoDriver, strings.Join(tried, " or "), EnvDriverPath, DriverVersion())
}

// checkDriver reports what a driver folder lacks, naming it by source.
func checkDriver(dir, source string) error {
	cli := filepath.Join(dir, "package", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		return fmt.Errorf("%w: %s %s has no package/cli.js; run make browsers, or point it "+
			"at an unpacked playwright-core %s package", ErrNoDriver, source, dir, DriverVersion())
	}
	if os.Getenv(EnvNodePath) != "" {
		return nil
	}
	node := filepath.Join(dir, "node")
	if info, err := os.Stat(node); err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
		return fmt.Errorf("%w: %s %s has no executable node; link the machine's node there "+
			"(make browsers does) or set %s", ErrNoDriver, source, dir, EnvNodePath)
	}
	return nil
}

// logWriter turns the driver's stderr into debug records, one per line.
type logWriter struct {
	logger *slog.Logger
	mu     sync.Mutex
	buf    []byte
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.logger.Debug("playwright driver", "stderr", string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}
