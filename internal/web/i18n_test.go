package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// TestCatalogsComplete fails on a message missing in one language, or a
// key a template or handler uses that no catalog has.
func TestCatalogsComplete(t *testing.T) {
	for key := range messages["sv"] {
		if messages["en"][key] == "" {
			t.Errorf("message %q has no English text", key)
		}
	}
	for key := range messages["en"] {
		if messages["sv"][key] == "" {
			t.Errorf("message %q has no Swedish text", key)
		}
	}
	used := map[string][]string{}
	patterns := map[string]*regexp.Regexp{
		"*.html": regexp.MustCompile(`\.T "([^"]+)"`),
		"*.go":   regexp.MustCompile(`\.T\("([^"]+)"\)`),
	}
	for glob, re := range patterns {
		files, _ := filepath.Glob(filepath.Join("templates", glob))
		more, _ := filepath.Glob(glob)
		for _, f := range append(files, more...) {
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
		if messages["sv"][key] == "" {
			slices.Sort(files)
			t.Errorf("%v use the message %q, which no catalog has", slices.Compact(files), key)
		}
	}
}
