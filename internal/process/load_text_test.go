package process

import (
	"strings"
	"testing"
)

// TestLoadRefusesControlAndDirectionCharacters: a name, a label or any
// other text of a definition with a control character or a character that
// changes the text direction (YAML decodes "\u202e" and "\0" in quoted
// text) is a problem at its position; line breaks and tabs in block text
// are not.
func TestLoadRefusesControlAndDirectionCharacters(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "override in a name",
			src: `kind: code_system
id: cs
name: {sv: "Kod\u202esystem"}
`,
			want: []string{`d.yaml:3:12: the text has a character that changes the text direction (U+202E)`},
		},
		{
			name: "NUL in a field label",
			src: `kind: form
id: f
name: {sv: Formulär}
sections:
  - id: s
    fields:
      - id: a
        type: text
        label: {sv: "Namn\0"}
`,
			want: []string{`d.yaml:9:21: the text has a control character (U+0000)`},
		},
		{
			name: "isolate in a key",
			src: `kind: form
id: f
"\u2066name": {sv: Formulär}
`,
			want: []string{`d.yaml:3:1: the text has a character that changes the text direction (U+2066)`},
		},
		{
			name: "bell in a plain value",
			src:  "kind: form\nid: \"f\\a\"\n",
			want: []string{`d.yaml:2:5: the text has a control character (U+0007)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := Load([]File{{Name: "d.yaml", Data: []byte(tt.src)}})
			checkProblems(t, probs, tt.want)
		})
	}

	// Block text keeps its line breaks and tabs.
	_, probs := Load([]File{{Name: "d.yaml", Data: []byte("kind: code_system\nid: cs\nname: {sv: Kodsystem}\ndescription: |\n  one\n  \ttwo\n")}})
	for _, p := range probs {
		if p.Pos.Line >= 4 && (strings.Contains(p.Message, "control character") || strings.Contains(p.Message, "direction")) {
			t.Errorf("block text refused: %s", p)
		}
	}
}
