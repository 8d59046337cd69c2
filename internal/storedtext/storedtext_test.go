package storedtext

import (
	"errors"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		kind Kind
		want string // the stored text, when no rule is broken
		rule error
	}{
		{"plain name", "Ingrid Berg", Line, "Ingrid Berg", nil},
		{"Swedish letters", "Åsa Öberg-Ärlig", Line, "Åsa Öberg-Ärlig", nil},
		{"decomposed becomes composed", "a\u0308", Line, "ä", nil},
		{"decomposed in a name", "A\u030asa O\u0308berg", Line, "Åsa Öberg", nil},
		{"right-to-left script is text", "مريم", Line, "مريم", nil},
		{"left-to-right mark is allowed", "abc\u200edef", Line, "abc\u200edef", nil},
		{"newline in long text", "first line\nsecond line\r\n\tindented", Multiline, "first line\nsecond line\r\n\tindented", nil},
		{"empty", "", Line, "", nil},

		{"NUL", "Ingrid\x00Berg", Multiline, "", ErrControl},
		{"bell", "ring\u0007", Multiline, "", ErrControl},
		{"escape", "\x1b[31mred", Multiline, "", ErrControl},
		{"DEL", "abc\u007f", Multiline, "", ErrControl},
		{"NEL (C1)", "one\u0085two", Multiline, "", ErrControl},
		{"last C1", "x\u009f", Multiline, "", ErrControl},
		{"vertical tab", "a\vb", Multiline, "", ErrControl},
		{"right-to-left override", "invoice\u202efdp.exe", Line, "", ErrDirection},
		{"override in long text", "note\u202e", Multiline, "", ErrDirection},
		{"left-to-right embedding", "\u202aabc", Multiline, "", ErrDirection},
		{"pop directional formatting", "abc\u202c", Multiline, "", ErrDirection},
		{"left-to-right isolate", "\u2066abc", Multiline, "", ErrDirection},
		{"pop directional isolate", "abc\u2069", Multiline, "", ErrDirection},
		{"invalid UTF-8", "Berg\xff", Multiline, "", ErrInvalidUTF8},
		{"cut UTF-8", "Ber\xc3", Line, "", ErrInvalidUTF8},
		{"newline in a name", "Ingrid\nBerg", Line, "", ErrLineBreak},
		{"carriage return in a name", "Ingrid\rBerg", Line, "", ErrLineBreak},
		{"tab in a name", "Ingrid\tBerg", Line, "", ErrLineBreak},
		{"line separator in a name", "Ingrid\u2028Berg", Line, "", ErrLineBreak},
		{"control before a break", "a\x00\n", Line, "", ErrControl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in, tt.kind)
			if !errors.Is(err, tt.rule) || (err == nil) != (tt.rule == nil) {
				t.Fatalf("Normalize(%q) error = %v, want %v", tt.in, err, tt.rule)
			}
			if got != tt.want {
				t.Fatalf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if cerr := Check(tt.in, tt.kind); !errors.Is(cerr, tt.rule) || (cerr == nil) != (tt.rule == nil) {
				t.Fatalf("Check(%q) = %v, want %v", tt.in, cerr, tt.rule)
			}
		})
	}
}

// TestRulesSayWhichRule keeps the messages distinct, so a user reads
// which rule their text broke.
func TestRulesSayWhichRule(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if r.Error() == "" || seen[r.Error()] {
			t.Errorf("rule message %q is empty or repeated", r.Error())
		}
		seen[r.Error()] = true
	}
}

func TestIndex(t *testing.T) {
	tests := []struct {
		in   string
		kind Kind
		at   int
		rule error
	}{
		{"abc", Line, -1, nil},
		{"ab\u202ec", Line, 2, ErrDirection},
		{"åb\x00c", Multiline, 3, ErrControl},
		{"a\x00b\xffc", Multiline, 3, ErrInvalidUTF8}, // bad bytes first: nothing else can be read right
		{"a\nb", Line, 1, ErrLineBreak},
		{"a\nb", Multiline, -1, nil},
	}
	for _, tt := range tests {
		at, err := Index(tt.in, tt.kind)
		if at != tt.at || err != tt.rule {
			t.Errorf("Index(%q) = %d, %v; want %d, %v", tt.in, at, err, tt.at, tt.rule)
		}
	}
}

func TestIsNormal(t *testing.T) {
	if IsNormal("a\u0308") || !IsNormal("ä") {
		t.Fatal("IsNormal does not tell decomposed from composed text")
	}
}
