package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/trygg/trygg/internal/web/server"
)

// webDirs are the packages of the web edge: this one, the shared server
// and the surfaces, each with its templates.
var webDirs = []string{".", "server", "api", "staff", "portal", "provider", "designer"}

// TestCatalogsComplete fails on a message missing in one language, or a
// key a template or handler uses that no catalog has.
func TestCatalogsComplete(t *testing.T) {
	sv, en := server.Messages("sv"), server.Messages("en")
	for key := range sv {
		if en[key] == "" {
			t.Errorf("message %q has no English text", key)
		}
	}
	for key := range en {
		if sv[key] == "" {
			t.Errorf("message %q has no Swedish text", key)
		}
	}
	used := map[string][]string{}
	patterns := map[string]*regexp.Regexp{
		"*.html": regexp.MustCompile(`\.T "([^"]+)"`),
		"*.go":   regexp.MustCompile(`\.T\("([^"]+)"\)`),
	}
	for glob, re := range patterns {
		var files []string
		for _, dir := range webDirs {
			pages, _ := filepath.Glob(filepath.Join(dir, "templates", glob))
			code, _ := filepath.Glob(filepath.Join(dir, glob))
			files = append(append(files, pages...), code...)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = append(used[m[1]], f)
			}
		}
	}
	if len(used) < 20 {
		t.Fatalf("found only %d message keys in use: is the scan looking in the right place?", len(used))
	}
	for key, files := range used {
		if sv[key] == "" {
			slices.Sort(files)
			t.Errorf("%v use the message %q, which no catalog has", slices.Compact(files), key)
		}
	}
}
