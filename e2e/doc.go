// Package e2e checks the UI requirements of the conformance catalogue in a
// real browser: headless Chromium driven through Playwright, started by
// internal/browser without any download.
//
// UI-BASIC opens a Basic-auth target as each profile user, with the
// browser answering the challenge, and wants the app rendered and its
// greeting shown. It then opens the target without credentials and wants the
// browser to get the 401 response and show no app content, and wants the
// callback and XHR requests the page could send to give no app data.
//
// Each check saves a screenshot of every page it ends on, and a Playwright
// trace of each page when the check fails, and lists them in its report
// row's Artifacts.
//
// Checks are plain functions over a Session and a discovered
// conformance.Target, so they run under Ginkgo (see Define) or in a Go test:
//
//	b, _ := browser.Launch(browser.Options{})
//	defer b.Close()
//	for _, c := range e2e.Checks() {
//		r := e2e.Run(ctx, c, b, target, dir, "")
//		fmt.Println(c.ID, r.Status(false), r.Summary(), r.Artifacts())
//	}
package e2e
