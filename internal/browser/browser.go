package browser

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/mxschmitt/playwright-go"
)

// DefaultLaunchTimeout bounds a browser launch when Options.Timeout is zero.
const DefaultLaunchTimeout = 30 * time.Second

// Options configures Launch. The zero value finds everything on its own.
type Options struct {
	// DriverDir is the Playwright driver folder; "" lets FindDriver choose.
	DriverDir string
	// Executable is the Chromium binary; "" lets FindChromium choose.
	Executable string
	// Args are flags passed to Chromium after LaunchArgs.
	Args []string
	// Timeout bounds the browser launch; zero means DefaultLaunchTimeout.
	Timeout time.Duration
	// Logger receives the launch steps and the driver's stderr at debug
	// level; nil discards them.
	Logger *slog.Logger
}

// Browser is a headless Chromium and the Playwright driver that runs it.
// Close stops both.
type Browser struct {
	// Browser is the Playwright handle of the running browser.
	Browser playwright.Browser
	// DriverDir and Executable are the driver folder and the binary used.
	DriverDir  string
	Executable string

	pw        *playwright.Playwright
	closeOnce sync.Once
	closeErr  error
}

// Launch starts the Playwright driver and a headless Chromium. It never
// downloads: a missing driver or browser is an error that names the fix.
// The caller must call Close, also when a test fails.
func Launch(opts Options) (*Browser, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dir, err := FindDriver(opts.DriverDir)
	if err != nil {
		return nil, err
	}
	exe, err := FindChromium(opts.Executable)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultLaunchTimeout
	}

	logger.Debug("starting the playwright driver", "dir", dir)
	playwrightMu.Lock()
	pw, err := playwright.Run(quietRunOptions(dir, opts.Logger))
	playwrightMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("starting the playwright driver in %s: %w; run make browsers "+
			"to build a driver of version %s", dir, err, DriverVersion())
	}

	args := append(LaunchArgs(os.Geteuid() == 0), opts.Args...)
	logger.Debug("launching chromium", "executable", exe, "args", args)
	b, err := pw.Chromium.Launch(playwright.BrowserTypeLaunchOptions{
		ExecutablePath: playwright.String(exe),
		Headless:       playwright.Bool(true),
		Args:           args,
		Timeout:        playwright.Float(float64(timeout.Milliseconds())),
	})
	if err != nil {
		stopErr := pw.Stop()
		return nil, errors.Join(fmt.Errorf("launching %s: %w", exe, err), stopErr)
	}
	logger.Debug("chromium launched", "version", b.Version())
	return &Browser{Browser: b, DriverDir: dir, Executable: exe, pw: pw}, nil
}

// Close closes the browser and stops the driver, waiting for the driver
// process to exit. It is safe to call more than once; later calls return
// the first call's error.
func (b *Browser) Close() error {
	b.closeOnce.Do(func() {
		var errs []error
		if err := b.Browser.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing the browser: %w", err))
		}
		if err := b.pw.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stopping the playwright driver: %w", err))
		}
		b.closeErr = errors.Join(errs...)
	})
	return b.closeErr
}

// DriverPID returns the process id of the Playwright driver, 0 when unknown.
// Chromium runs as the driver's child.
func (b *Browser) DriverPID() int { return b.pw.Pid() }
