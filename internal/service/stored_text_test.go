package service

import "testing"

// TestOneLine: a one-line field gets the rule its text breaks, and keeps a
// message it has already.
func TestOneLine(t *testing.T) {
	fields := map[string]string{"title": "Required, at most 200 characters."}
	oneLine(fields, "title", "a\nb")
	oneLine(fields, "name", "Ingrid\tBerg")
	oneLine(fields, "city", "Demostad")
	want := map[string]string{"title": "Required, at most 200 characters.", "name": "Must be one line, without line breaks or tabs."}
	if len(fields) != len(want) || fields["title"] != want["title"] || fields["name"] != want["name"] {
		t.Fatalf("fields %v, want %v", fields, want)
	}
}
