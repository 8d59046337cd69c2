package api

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the API's OpenAPI 3.1 document; openapi_test.go keeps it
// equal to the route table and the Go types of the bodies.
//
//go:embed openapi.json
var openAPIDoc []byte

// handleOpenAPI serves the document at /api/openapi.json.
func (s *handlers) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}
