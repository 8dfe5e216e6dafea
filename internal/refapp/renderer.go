package refapp

import _ "embed"

// rendererJS is the app's front end, served as Dash's renderer bundle at
// RendererScript: it renders the layout and runs the callbacks in a browser.
//
//go:embed renderer.js
var rendererJS []byte
