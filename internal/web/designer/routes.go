package designer

import (
	"embed"

	"github.com/trygg/trygg/internal/web/server"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the designer pages' templates.
var pages = server.ParsePages(templateFiles)

// handlers are the process designer's handlers, on the shared server.
type handlers struct{ *server.Server }

// Routes returns the whole route table of the process designer.
func Routes(srv *server.Server) []server.Route {
	s := &handlers{srv}
	return []server.Route{
		// The published versions and their case types, the working draft
		// with live validation, a case type's diagram, the changes between
		// two versions, and a form's preview as an officer would see it.
		{Method: "GET", Path: "/designer", Handler: s.SignedIn(s.handleDesignerHome)},
		{Method: "GET", Path: "/designer/draft", Handler: s.SignedIn(s.handleDesignerDraft)},
		{Method: "POST", Path: "/designer/draft", Handler: s.SignedIn(s.handleDesignerSave)},
		{Method: "POST", Path: "/designer/draft/validation", Handler: s.SignedIn(s.handleDesignerValidate)},
		{Method: "POST", Path: "/designer/draft/publication", Handler: s.SignedIn(s.handleDesignerPublish)},
		{Method: "GET", Path: "/designer/versions/{version}/case-types/{id}", Handler: s.SignedIn(s.handleDesignerCaseType)},
		{Method: "GET", Path: "/designer/diff", Handler: s.SignedIn(s.handleDesignerDiff)},
		{Method: "GET", Path: "/designer/preview", Handler: s.SignedIn(s.handlePreviewPage)},
		{Method: "POST", Path: "/designer/preview", Handler: s.SignedIn(s.handlePreviewPage)},
	}
}
