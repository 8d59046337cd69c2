package server

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/trygg/trygg/internal/store"
)

// ServeAttachment writes a document sent with an application as a
// download (to the citizen on Mina sidor, to the officer from the case
// page): its type as found from its content, never sniffed again by the
// browser, never shown in the page, and sandboxed should a browser open
// it anyway.
func ServeAttachment(w http.ResponseWriter, at store.Attachment) {
	h := w.Header()
	h.Set("Content-Type", at.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": at.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.Itoa(len(at.Content)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(at.Content)
}
