package process

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// checkProblems compares problems with want, in order. Each wanted problem
// is "file:line:col: text" where text must occur in the message.
func checkProblems(t *testing.T, got Problems, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		pos, text, _ := strings.Cut(want[i], ": ")
		p := got[i]
		ok = fmt.Sprintf("%s:%d:%d", p.Pos.File, p.Pos.Line, p.Pos.Column) == pos && strings.Contains(p.Message, text)
	}
	if !ok {
		t.Errorf("problems:\n%s\nwant:\n%s", got.Error(), strings.Join(want, "\n"))
	}
}

func loadValid(t *testing.T) []File {
	t.Helper()
	data, err := os.ReadFile("../../examples/definitions/grant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return []File{{Name: "grant.yaml", Data: data}}
}

func TestLoadValidExample(t *testing.T) {
	b, probs := Load(loadValid(t))
	checkProblems(t, probs, nil)
	checkProblems(t, Validate(b), nil)
	if len(b.CodeSystems) != 1 || len(b.Forms) != 1 || len(b.CaseTypes) != 1 {
		t.Fatalf("loaded %d code systems, %d forms, %d case types; want 1 of each", len(b.CodeSystems), len(b.Forms), len(b.CaseTypes))
	}
	// Positions are in the file's numbering, also in later documents.
	ct := b.CaseTypes[0]
	if got := ct.ID.Pos; got != (Pos{"grant.yaml", 46, 5}) {
		t.Errorf("case type id at %+v, want grant.yaml:46:5", got)
	}
	if got := ct.Transitions[1].Guard.Pos; got != (Pos{"grant.yaml", 72, 12}) {
		t.Errorf("guard at %+v, want grant.yaml:72:12", got)
	}
	if got := b.Forms[0].Sections[0].Fields[3].VisibleIf.Pos; got != (Pos{"grant.yaml", 38, 21}) {
		t.Errorf("visible_if at %+v, want grant.yaml:38:21", got)
	}
	c, probs := Compile(b)
	checkProblems(t, probs, nil)
	if c == nil || len(c.Checksum) != 64 {
		t.Fatalf("Compile = %v", c)
	}
	if start, ok := c.Start("grant"); !ok || start != "received" {
		t.Errorf("Start = %q, %v", start, ok)
	}
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "unknown key at top level",
			src: `kind: form
id: f
colour: red
`,
			want: []string{`d.yaml:3:1: unknown key "colour"`},
		},
		{
			name: "unknown key in a section",
			src: `kind: form
id: f
sections:
  - id: s
    colour: red
`,
			want: []string{`d.yaml:5:5: unknown key "colour"`},
		},
		{
			name: "unknown key in a flow mapping",
			src: `kind: code_system
id: cs
name: {sv: C, fr: X}
`,
			want: []string{`d.yaml:3:15: unknown key "fr"`},
		},
		{
			name: "a boolean that is not true or false",
			src: `kind: case_type
id: c
steps:
  - id: s
    final: maybe
`,
			want: []string{`d.yaml:5:12: "maybe" is not valid here: expected true or false`},
		},
		{
			name: "a number that is not a number",
			src: `kind: form
id: f
sections:
  - id: s
    fields:
      - id: a
        min: lots
        max_rows: many
`,
			want: []string{
				`d.yaml:7:14: "lots" is not valid here: expected a number`,
				`d.yaml:8:19: "many" is not valid here: expected a whole number`,
			},
		},
		{
			name: "a single value where a list belongs",
			src: `kind: case_type
id: c
transitions:
  - id: t
    from: received
`,
			want: []string{`d.yaml:5:11: "received" is not valid here: expected a list`},
		},
		{
			name: "a list or keys where text belongs",
			src: `kind: case_type
id: [a, b]
start: {a: 1}
`,
			want: []string{
				`d.yaml:2:5: a list is not valid here: expected text`,
				`d.yaml:3:8: a set of keys is not valid here: expected text`,
			},
		},
		{
			name: "keys where a list belongs",
			src: `kind: case_type
id: c
steps: {a: 1}
`,
			want: []string{`d.yaml:3:8: a set of keys is not valid here: expected a list`},
		},
		{
			name: "missing kind",
			src: `# a comment first
id: f
name: {sv: F}
`,
			want: []string{`d.yaml:1:1: the document has no kind`},
		},
		{
			name: "unknown kind",
			src: `kind: widget
id: w
`,
			want: []string{`d.yaml:1:1: unknown kind "widget"`},
		},
		{
			name: "kind is not text",
			src: `kind: [form]
`,
			want: []string{`d.yaml:1:7: a list is not valid here: expected text`},
		},
		{
			name: "a document that is a list",
			src: `- kind: form
- id: f
`,
			want: []string{`d.yaml:1:1: a definition must be keys and values`},
		},
		{
			name: "a document that is a single value",
			src: `kind: form
id: f
---
just words
`,
			want: []string{`d.yaml:4:1: a definition must be keys and values`},
		},
		{
			name: "YAML syntax error",
			src: `kind: form
id: f
name: {sv: F
`,
			want: []string{`d.yaml:3:1: the YAML is broken here`},
		},
		{
			name: "tab indentation",
			src:  "kind: form\n\tid: f\n",
			want: []string{`d.yaml:2:1: found a tab character`},
		},
		{
			name: "multi-document: lines in the second and third documents",
			src: `# grants
kind: code_system
id: cs
name: {sv: C}
codes:
  - {code: a, label: {sv: A}}
---
kind: form
id: f
sections:
  - id: s
    colour: red
--- # the case type
kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
bogus: 1
steps:
  - id: a
    final: perhaps
`,
			want: []string{
				`d.yaml:12:5: unknown key "colour"`,
				`d.yaml:19:1: unknown key "bogus"`,
				`d.yaml:22:12: "perhaps" is not valid here: expected true or false`,
			},
		},
		{
			name: "multi-document: a key given twice points at both lines in the file",
			src: `kind: code_system
id: cs
name: {sv: C}
codes: [{code: a, label: {sv: A}}]
---
kind: form
id: f
name: {sv: F}
id: g
`,
			want: []string{`d.yaml:9:1: mapping key "id" already defined at line 7`},
		},
		{
			name: "multi-document: a missing kind in the third document",
			src: `---
kind: form
id: f
---
# only a comment
---

---
id: g
`,
			want: []string{`d.yaml:9:1: the document has no kind`},
		},
		{
			// Found by FuzzLoad: looking for the empty key's column never ended.
			name: "an empty key given twice",
			src:  "kind: form\n\"\": 1\n\"\": 2\n",
			want: []string{`d.yaml:3:1: mapping key "" already defined at line 2`},
		},
		{
			name: "empty file",
			src:  "",
			want: nil,
		},
		{
			name: "only separators and comments",
			src:  "---\n# nothing\n---\n",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := Load([]File{{Name: "d.yaml", Data: []byte(tt.src)}})
			checkProblems(t, probs, tt.want)
		})
	}
}

func TestLoadSortsProblemsByFile(t *testing.T) {
	_, probs := Load([]File{
		{Name: "b.yaml", Data: []byte("kind: form\nid: f\nx: 1\n")},
		{Name: "a.yaml", Data: []byte("id: f\n")},
	})
	checkProblems(t, probs, []string{
		`a.yaml:1:1: the document has no kind`,
		`b.yaml:3:1: unknown key "x"`,
	})
}

func TestLoadRejectsLargeFiles(t *testing.T) {
	big := []byte("kind: form\nid: f\n# " + strings.Repeat("x", maxFileSize) + "\n")
	b, probs := Load([]File{{Name: "big.yaml", Data: big}})
	checkProblems(t, probs, []string{"big.yaml:1:1: the file is larger than"})
	if len(b.Forms) != 0 {
		t.Errorf("a too large file was loaded")
	}
}

// A key that is not written gets the position of what it belongs to, so a
// problem about it never points at line 0.
func TestLoadPositionsOfMissingKeys(t *testing.T) {
	src := `kind: code_system
id: cs
---
kind: case_type
name: {sv: C}
field: IFO
`
	b, _ := Load([]File{{Name: "m.yaml", Data: []byte(src)}})
	if got := b.CodeSystems[0].Version; got != "" {
		t.Fatalf("version %q", got)
	}
	ct := b.CaseTypes[0]
	if ct.ID.Pos != (Pos{"m.yaml", 6, 8}) {
		t.Errorf("missing id at %+v, want the case type's first written key, m.yaml:6:8", ct.ID.Pos)
	}
	checkProblems(t, Validate(b), []string{
		`m.yaml:2:5: the code system's name needs a Swedish text`,
		`m.yaml:2:5: the code system "cs" has no codes`,
		`m.yaml:6:8: the case type has no id`,
	})
}
