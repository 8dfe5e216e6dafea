package e2e

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/mxschmitt/playwright-go"

	"github.com/authconform/authconform/conformance"
)

// frontEndRequest sends one request with fetch from the page, as a Dash
// front end does, and returns the status and the body text.
// A request that gets no response within timeoutMS resolves with status 0
// and timedOut set.
const frontEndRequest = `async ({url, method, body, timeoutMS}) => {
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), timeoutMS);
	const init = {method, credentials: 'same-origin', signal: controller.signal,
		headers: {'Accept': 'application/json', 'X-Requested-With': 'XMLHttpRequest'}};
	if (body !== '') {
		init.body = body;
		init.headers['Content-Type'] = 'application/json';
	}
	try {
		const response = await fetch(url, init);
		return {status: response.status, body: await response.text(), timedOut: false};
	} catch (err) {
		if (err.name === 'AbortError') {
			return {status: 0, body: '', timedOut: true};
		}
		throw err;
	} finally {
		clearTimeout(timer);
	}
}`

// probeTimeout bounds each request sent from the page. When a response is
// a Basic challenge, full Chromium keeps the request open while it waits for
// credentials that a headless browser never gets, so such a request ends
// only by this timeout.
const probeTimeout = 5 * time.Second

// fetchResult is what frontEndRequest returns.
type fetchResult struct {
	Status   int    `json:"status"`
	Body     string `json:"body"`
	TimedOut bool   `json:"timedOut"`
}

// probeAnonymousRequests sends, from the page opened without credentials,
// the requests a Dash front end sends for the protected layout,
// dependencies and callbacks. None may give app data: a 2xx for the layout
// or the dependencies, or a callback response that carries an output, is a
// violation.
func probeAnonymousRequests(page playwright.Page, t *conformance.Target, r *conformance.Result) {
	for _, route := range t.ProtectedRoutes() {
		if route.Kind != "layout" && route.Kind != "dependencies" && route.Kind != "callback" {
			continue
		}
		what := route.String()
		if route.Kind == "callback" {
			var u conformance.DashUpdate
			if json.Unmarshal(route.Body, &u) == nil {
				what = fmt.Sprintf("%s (callback %s)", what, u.Output)
			}
		}
		got, err := sendFromPage(page, t.URL(route.Path), route.Method, string(route.Body))
		if err != nil {
			r.Errorf(nil, "%s from the page shown without credentials: fetch failed: %v",
				what, err)
			continue
		}
		if got.TimedOut {
			r.Notef("%s from the page shown without credentials got no answer within %s, "+
				"as happens when the browser waits for credentials", what, probeTimeout)
			r.Checked()
			continue
		}
		if got.Status < 200 || got.Status > 299 {
			r.Checked()
			continue
		}
		if route.Kind == "callback" {
			outputs := conformance.DashOutputs([]byte(got.Body))
			if len(outputs) == 0 {
				r.Checked()
				continue
			}
			r.Errorf(nil, "%s from the page shown without credentials: got %d with "+
				"outputs %s, want no output", what, got.Status, excerpt(got.Body, 160))
			continue
		}
		r.Errorf(nil, "%s from the page shown without credentials: got %d with %s, "+
			"want no app data", what, got.Status, excerpt(got.Body, 160))
	}
}

func sendFromPage(page playwright.Page, url, method, body string) (fetchResult, error) {
	v, err := page.Evaluate(frontEndRequest, map[string]any{
		"url": url, "method": method, "body": body, "timeoutMS": probeTimeout.Milliseconds(),
	})
	if err != nil {
		return fetchResult{}, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fetchResult{}, fmt.Errorf("encoding the fetch result %v: %w", v, err)
	}
	var res fetchResult
	if err := json.Unmarshal(data, &res); err != nil {
		return fetchResult{}, fmt.Errorf("decoding the fetch result %s: %w", data, err)
	}
	return res, nil
}
