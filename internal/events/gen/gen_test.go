package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/trygg/trygg/internal/events"
)

var (
	analysisOnce sync.Once
	analysis     *result
	analysisErr  error
)

// analyzed runs the analysis of the module once for the package's tests.
func analyzed(t *testing.T) *result {
	t.Helper()
	analysisOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			analysisErr = err
			return
		}
		analysis, analysisErr = analyze(root)
	})
	if analysisErr != nil {
		t.Fatal(analysisErr)
	}
	return analysis
}

// TestEventsDocUpToDate fails when docs/events.md is not what the
// generator writes from the code now.
func TestEventsDocUpToDate(t *testing.T) {
	res := analyzed(t)
	root, _ := moduleRoot()
	want := render(res)
	got, err := os.ReadFile(filepath.Join(root, "docs", "events.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := "", ""
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("docs/events.md differs from the code (first at line %d):\n have: %s\n want: %s\nrun: go generate ./internal/events", i+1, g, w)
			}
		}
	}
}

// TestEveryAppendedTypeIsCatalogued fails when the code appends an event
// whose type is not a constant of internal/events, or one the analysis
// cannot follow to a constant.
func TestEveryAppendedTypeIsCatalogued(t *testing.T) {
	res := analyzed(t)
	known := map[string]bool{}
	for _, c := range res.Consts {
		known[c.Value] = true
	}
	if len(res.Sites) < 100 {
		t.Fatalf("found only %d places that append events: the analysis misses some", len(res.Sites))
	}
	for _, s := range res.Sites {
		if s.Problem != "" {
			t.Errorf("%s (%s): %s; pass an events constant (or a variable or parameter given only constants)", s.Pos, s.Func, s.Problem)
		}
		for _, typ := range s.Types {
			if !known[typ] {
				t.Errorf("%s (%s) appends %q, which is no constant of internal/events: add one there with a doc comment saying what happened", s.Pos, s.Func, typ)
			}
		}
	}
}

// TestEveryTypeHasDocComment fails when an event type constant says
// nothing about what happened.
func TestEveryTypeHasDocComment(t *testing.T) {
	seen := map[string]string{}
	for _, c := range analyzed(t).Consts {
		if c.Doc == "" {
			t.Errorf("internal/events/%s: %s (%q) has no doc comment saying what happened", c.File, c.Name, c.Value)
		}
		if other, ok := seen[c.Value]; ok {
			t.Errorf("internal/events: %s and %s are both %q", other, c.Name, c.Value)
		}
		seen[c.Value] = c.Name
	}
}

// personalWords are the words of a payload field's name that suggest it
// says something about a person.
var personalWords = []string{"name", "username", "address", "email", "phone", "birth", "sex", "identity",
	"text", "comment", "reason", "note", "message", "body", "description"}

// TestPersonalDataDeclared fails when a payload has a field whose name
// suggests personal data and its type is not in events.PersonalData, or
// when PersonalData names a type that does not exist.
func TestPersonalDataDeclared(t *testing.T) {
	res := analyzed(t)
	types := catalog(res)
	for _, et := range types {
		if _, ok := events.PersonalData[et.Value]; ok {
			continue
		}
		for _, f := range et.Fields {
			if personalName(f.Name) {
				t.Errorf("%s's payload has %q: say in events.PersonalData (internal/events/docs.go) whether it is personal data", et.Value, f.Name)
			}
		}
	}
	for typ := range events.PersonalData {
		if !slices.ContainsFunc(types, func(et eventType) bool { return et.Value == typ }) {
			t.Errorf("events.PersonalData names %q, which is no event type", typ)
		}
	}
}

func personalName(name string) bool {
	words := strings.Split(name, "_")
	switch words[len(words)-1] {
	case "id", "ids", "seq", "key", "kind", "type", "count", "code", "codes":
		return false
	}
	for _, w := range words {
		if slices.Contains(personalWords, w) {
			return true
		}
	}
	return false
}

func TestPersonalName(t *testing.T) {
	for name, want := range map[string]bool{"display_name": true, "username": true, "birth_month": true, "message_id": false,
		"message_seq": false, "reason": true, "case_type": false, "unit_id": false, "end_reason": true} {
		if got := personalName(name); got != want {
			t.Errorf("personalName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestFieldMeaningsNameFields fails when events.FieldMeaning has a key
// that names no payload field, so it cannot outlive what it describes.
func TestFieldMeaningsNameFields(t *testing.T) {
	names := map[string]bool{}
	for _, et := range catalog(analyzed(t)) {
		for _, f := range et.Fields {
			names[f.Name] = true
			names[et.Value+"."+f.Name] = true
		}
	}
	for key := range events.FieldMeaning {
		if !names[key] {
			t.Errorf("events.FieldMeaning has %q, which names no payload field", key)
		}
	}
}
