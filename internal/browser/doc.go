// Package browser starts headless Chromium through Playwright without
// downloading anything: it finds a Playwright driver folder and a Chromium
// binary that are already on the machine, launches the browser with flags
// that keep it on loopback, and stops both again.
//
// `make browsers` installs Debian's chromium and chromium-headless-shell and
// builds the driver folder from the playwright-core npm package and the
// machine's node. PLAYWRIGHT_DRIVER_PATH and AUTHCONFORM_CHROMIUM point at a
// driver and a browser installed some other way.
//
// Typical use in a test:
//
//	b, err := browser.Launch(browser.Options{})
//	if err != nil {
//		t.Fatal(err)
//	}
//	t.Cleanup(func() { _ = b.Close() })
//	page, err := b.Browser.NewPage()
package browser
