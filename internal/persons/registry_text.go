package persons

import (
	"fmt"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/storedtext"
)

// normalText puts the names and address of the record read from raw in
// normalisation form C, or returns which field breaks a rule of stored
// text (a control character, a text-direction override, a line break:
// each is one line), naming the field and never its value. Bytes that are
// not UTF-8 are looked for in raw, as the JSON decoder replaces them.
func (fr *fileRecord) normalText(raw []byte) error {
	if !utf8.Valid(raw) {
		return storedtext.ErrInvalidUTF8
	}
	for _, f := range []struct {
		name  string
		value *string
	}{
		{"given_name", &fr.GivenName}, {"family_name", &fr.FamilyName},
		{"street", &fr.Street}, {"postal_code", &fr.PostalCode}, {"city", &fr.City},
	} {
		n, err := storedtext.Normalize(*f.value, storedtext.Line)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		*f.value = n
	}
	return nil
}
