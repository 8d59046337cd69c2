package server

import (
	"net/http"
	"strconv"

	"github.com/trygg/trygg/internal/trygg"
)

// VersionParam reads the path's {version}: a definition version, 1 or
// more (the API's definition operations, the designer's pages). Anything
// else is not found.
func VersionParam(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue("version"), 10, 64)
	if err != nil || v < 1 {
		return 0, trygg.Errorf(trygg.ENotFound, "No such definition version.")
	}
	return v, nil
}
