package dashboards

import (
	"embed"

	"github.com/trygg/trygg/internal/web/server"
)

// localeFiles are the dashboards' UI text, locales/sv.yaml and
// locales/en.yaml, loaded into the catalog when the program starts (see
// server.AddMessages).
//
//go:embed locales/*.yaml
var localeFiles embed.FS

var _ = server.AddMessages(localeFiles)
