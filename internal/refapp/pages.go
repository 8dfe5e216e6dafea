package refapp

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"net/http"
)

// Script, stylesheet and image paths the index page links to.
const (
	ReactScript    = "/_dash-component-suites/dash/deps/react.min.js"
	RendererScript = "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js"
	AppScript      = "/assets/app.js"
	StyleSheet     = "/assets/style.css"
	LogoImage      = "/assets/logo.png"
)

// dashConfig is the content of the index page's _dash-config block.
const dashConfig = `{"url_base_pathname": null, "requests_pathname_prefix": "/", ` +
	`"ui": false, "props_check": false, "show_undo_redo": false, ` +
	`"suppress_callback_exceptions": false, "update_title": "Updating..."}`

const indexTemplate = `<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<title>%s</title>
<link rel="icon" type="image/x-icon" href="/_favicon.ico">
<link rel="apple-touch-icon" href="` + LogoImage + `">
<link rel="stylesheet" href="` + StyleSheet + `">
</head>
<body>
<div id="react-entry-point"><div class="_dash-loading">Loading...</div></div>
<footer>
<script id="_dash-config" type="application/json">` + dashConfig + `</script>
<script src="` + ReactScript + `"></script>
<script src="` + RendererScript + `"></script>
<script src="` + AppScript + `"></script>
<script id="_dash-renderer" type="application/javascript">` +
	`var renderer = new DashRenderer();</script>
</footer>
</body>
</html>
`

const publicPage = `<!DOCTYPE html>
<html>
<head><meta charset="UTF-8"><title>Public page</title></head>
<body><h1>Public page</h1><p>Anyone may read this page.</p></body>
</html>
`

// IndexPage returns a handler that serves Dash's index page with the given
// title. It serves every method, so the route or the App must reject methods
// other than GET and HEAD.
func IndexPage(title string) http.Handler {
	page := fmt.Sprintf(indexTemplate, html.EscapeString(title))
	return staticFile("text/html; charset=utf-8", []byte(page))
}

// staticFile returns a handler that serves body with the content type.
func staticFile(contentType string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(body)
	})
}

// staticFiles are the assets, component suites and favicon the App serves.
func staticFiles() map[string]http.Handler {
	logo := pixelPNG()
	return map[string]http.Handler{
		StyleSheet: staticFile("text/css; charset=utf-8",
			[]byte("body { font-family: sans-serif; margin: 2em; }\n")),
		AppScript: staticFile("text/javascript; charset=utf-8",
			[]byte("window.authconformReference = true;\n")),
		LogoImage:       staticFile("image/png", logo),
		"/_favicon.ico": staticFile("image/x-icon", icoWithPNG(logo)),
		ReactScript: staticFile("text/javascript; charset=utf-8",
			[]byte("window.React = window.React || {};\n")),
		RendererScript: staticFile("text/javascript; charset=utf-8", rendererJS),
	}
}

// registerBuiltins adds the routes every Dash app serves and the plain
// public routes of the reference app.
func (a *App) registerBuiltins() error {
	routes := map[string]http.Handler{
		"GET /_dash-layout":            jsonFile(a.layout()),
		"GET /_dash-dependencies":      jsonFile(a.dependencies()),
		"POST /_dash-update-component": http.HandlerFunc(a.serveUpdate),
		"GET /_reload-hash": jsonFile(map[string]any{
			"reloadHash": "authconform-reference", "hard": false,
			"packages": []string{"dash"}, "files": []string{},
		}),
		"GET /public":                staticFile("text/html; charset=utf-8", []byte(publicPage)),
		"GET /user/{user_id}/public": http.HandlerFunc(servePublicProfile),
	}
	for path, h := range staticFiles() {
		routes["GET "+path] = h
	}
	for pattern, h := range routes {
		if err := a.Handle(pattern, h); err != nil {
			return err
		}
	}
	return nil
}

func servePublicProfile(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "Public profile of user %s\n", r.PathValue("user_id"))
}

// jsonFile returns a handler that serves v encoded as JSON.
func jsonFile(v any) http.Handler {
	body, err := json.Marshal(v)
	if err != nil {
		// The values passed here are maps and slices of plain data.
		panic(fmt.Sprintf("encode built-in JSON: %v", err))
	}
	return staticFile("application/json", body)
}

// component is one node of a Dash layout.
func component(kind, namespace string, props map[string]any) map[string]any {
	return map[string]any{"type": kind, "namespace": namespace, "props": props}
}

// layout returns the app's component tree.
func layout() map[string]any {
	const htmlNS, coreNS = "dash_html_components", "dash_core_components"
	return component("Div", htmlNS, map[string]any{
		"id": "page",
		"children": []any{
			component("Location", coreNS, map[string]any{"id": "url", "refresh": false}),
			component("H1", htmlNS, map[string]any{"id": "title", "children": nil}),
			component("Div", htmlNS, map[string]any{"id": "public-note", "children": nil}),
			component("Div", htmlNS, map[string]any{"id": "report", "children": nil}),
		},
	})
}

// pixelPNG encodes a 1x1 transparent PNG.
func pixelPNG() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.NRGBA{})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(fmt.Sprintf("encode PNG: %v", err))
	}
	return buf.Bytes()
}

// icoWithPNG wraps a 1x1 PNG in an ICO container, which may hold PNG data.
func icoWithPNG(pngData []byte) []byte {
	var buf bytes.Buffer
	write := func(v any) { binary.Write(&buf, binary.LittleEndian, v) }
	// ICONDIR: reserved, type 1 (icon), one image.
	write([]uint16{0, 1, 1})
	// ICONDIRENTRY: width, height, colours, reserved, planes, bits per pixel,
	// size and offset of the image data.
	write([]uint8{1, 1, 0, 0})
	write([]uint16{1, 32})
	write([]uint32{uint32(len(pngData)), 6 + 16})
	buf.Write(pngData)
	return buf.Bytes()
}
