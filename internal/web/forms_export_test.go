package web

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/web/server"
	"github.com/trygg/trygg/packs"
)

// FormValuesFor is server.FormValues for a form of the shipped packs, written
// "key:value" sorted, for tests outside the package.
func FormValuesFor(t *testing.T, formID string, post url.Values) string {
	t.Helper()
	var files []process.File
	for _, f := range packs.Files() {
		files = append(files, process.File{Name: f.Name, Data: []byte(f.Content)})
	}
	b, probs := process.Load(files)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	for _, f := range b.Forms {
		if f.ID.Value == formID {
			vals := server.FormValues(f, post)
			var parts []string
			for k, v := range vals {
				if l, ok := v.([]any); ok && len(l) == 0 {
					continue
				}
				parts = append(parts, fmt.Sprintf("%s:%v", k, v))
			}
			slices.Sort(parts)
			return strings.Join(parts, " ")
		}
	}
	t.Fatalf("no form %s", formID)
	return ""
}
