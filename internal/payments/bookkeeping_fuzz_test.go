package payments

import (
	"errors"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

// FuzzBookkeepingLayout: ParseBookkeepingLayout never panics; it either
// refuses with an EInvalid *trygg.Error naming at least one field, or
// returns a layout that is valid and writes a run without error (in
// UTF-8, whatever the values).
func FuzzBookkeepingLayout(f *testing.F) {
	f.Add(DefaultBookkeepingLayoutFile())
	for _, s := range []string{
		"", "columns: [", "columns: []", "separator: '\\t'\ncolumns: [{header: A, source: amount_ore}]",
		"grouping: per_payment\nheader: false\ncolumns: [{header: '', source: reference}, {header: B, source: amount}]",
		"columns: [{header: D, source: date, format: YY.MM.DD}, {header: A, source: amount}, {header: T, source: text, value: 'x;\"y'}]",
		"encoding: windows-1252\ncolumns: [{header: Å, source: amount}]",
		"columns: [{header: A, source: nope}]", "decimal_mark: '.'\nseparator: '.'\ncolumns: [{header: A, source: amount}]",
		"columns:\n  - &a {header: A, source: amount}\n  - *a\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseBookkeepingLayout(data)
		if err != nil {
			var e *trygg.Error
			if !errors.As(err, &e) || e.Code != trygg.EInvalid || len(e.Fields) == 0 {
				t.Fatalf("error %v is not an EInvalid *trygg.Error with fields", err)
			}
			return
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("a parsed layout does not validate: %v", err)
		}
		l.Encoding = EncodingUTF8
		if _, err := WriteBookkeeping(l, runEntries()); err != nil {
			t.Fatalf("a parsed layout cannot write a run: %v", err)
		}
	})
}
