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
	"text", "comment", "reason", "note", "message", "body", "description", "died", "death", "protection", "health", "diagnosis"}

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

// TestAnalyzeFixture reads a small module (testdata/mod) with each way
// the code appends events.
func TestAnalyzeFixture(t *testing.T) {
	res, err := analyze(filepath.Join("testdata", "mod"))
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{}
	for _, c := range res.Consts {
		docs[c.Value] = c.Doc
	}
	wantDocs := map[string]string{"thing.made": "ThingMade is a thing made.", "thing.changed": "ThingChanged, ThingEnded: a thing changed, or ended.",
		"thing.ended": "ThingChanged, ThingEnded: a thing changed, or ended.", "thing.undocumented": ""}
	for typ, want := range wantDocs {
		if got, ok := docs[typ]; !ok || got != want {
			t.Errorf("doc of %s = %q, want %q", typ, got, want)
		}
	}
	byFunc := map[string][]site{}
	for _, s := range res.Sites {
		byFunc[s.Func] = append(byFunc[s.Func], s)
	}
	fields := func(s site) string {
		var out []string
		for _, f := range s.Fields {
			o := f.Name + ":" + f.JSONType
			if f.Optional {
				o += "?"
			}
			if f.Doc != "" {
				o += "(" + f.Doc + ")"
			}
			out = append(out, o)
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		fn, types, fields, problem string
		person                     bool
	}{
		{fn: "made", types: "thing.made", fields: "size:number(how big it was made) id:string(ID is the thing's id.)", person: true},
		{fn: "changed", types: "thing.changed thing.ended", fields: "size:number(Size is how big it is.) big:boolean?"},
		{fn: "viaHelper via helper", types: "thing.ended", fields: "id:string(ID is the thing's id.) size:number?(Size is how big it is.) at:string (date and time, RFC 3339)"},
		{fn: "raw", types: "thing.raw"},
		{fn: "unknown", problem: "the event type is not a constant this analysis can follow"},
	} {
		ss := byFunc[tc.fn]
		if len(ss) == 0 {
			t.Errorf("%s: no site found", tc.fn)
			continue
		}
		s := ss[0]
		if got := strings.Join(s.Types, " "); got != tc.types {
			t.Errorf("%s: types %q, want %q", tc.fn, got, tc.types)
		}
		if got := fields(s); got != tc.fields {
			t.Errorf("%s: fields %q, want %q", tc.fn, got, tc.fields)
		}
		if s.Problem != tc.problem || s.Person != tc.person {
			t.Errorf("%s: problem %q person %v, want %q %v", tc.fn, s.Problem, s.Person, tc.problem, tc.person)
		}
	}
	if n := len(byFunc["viaHelper via helper"]); n != 2 {
		t.Errorf("the helper's two calls made %d sites, want 2", n)
	}
}
