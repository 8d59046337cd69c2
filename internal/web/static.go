package web

import (
	_ "embed"
	"net/http"
)

// The static files every surface's pages load, served from the binary.

//go:embed static/style.css
var styleCSS []byte

//go:embed static/htmx.min.js
var htmxJS []byte

//go:embed static/trygg.js
var tryggJS []byte

// handleCSS serves the one style sheet of every page (static/style.css).
func handleCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(styleCSS)
}

// handleHTMX serves the vendored htmx (2.x, from npm; see static/VENDOR.md).
func handleHTMX(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(htmxJS)
}

// handleTryggJS serves the one small script of our own (static/trygg.js).
func handleTryggJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(tryggJS)
}
