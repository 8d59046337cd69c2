package process

import (
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/trygg"
)

// Limits of the values a form keeps, drafts included, where its
// definition says nothing else (docs/definitions.md, "Limits").
const (
	// DefaultTextLength and DefaultLongTextLength are the most characters
	// of a text (or person) and a long_text field without max_length.
	DefaultTextLength     = 500
	DefaultLongTextLength = 20000
	// DefaultMaxRows is the most rows of a group without max_rows.
	DefaultMaxRows = 100
	// MaxValuesBytes is the most a form's values may take as JSON, all
	// fields together: a backstop behind the limits of each field.
	MaxValuesBytes = 1 << 20
	// MaxFieldLength and MaxFieldRows are the largest max_length and
	// max_rows a definition may declare.
	MaxFieldLength = 100000
	MaxFieldRows   = 1000
	// maxAssessmentText is the most characters of an assessment row's text.
	maxAssessmentText = 5000
	// maxFieldErrors is how many fields a refusal names at most.
	maxFieldErrors = 20
)

// maxLength is the most characters a text, long_text or person field holds.
func maxLength(fd *Field) int {
	switch {
	case fd.MaxLength > 0:
		return fd.MaxLength
	case fd.Type.Value == FieldLongText:
		return DefaultLongTextLength
	}
	return DefaultTextLength
}

// maxRows is the most rows a group holds.
func maxRows(fd *Field) int {
	if fd.MaxRows > 0 {
		return fd.MaxRows
	}
	return DefaultMaxRows
}

// StoredValues returns submitted values of form formID as the form keeps
// them, a draft included: as JSON gives them back, without what was sent
// for a computed field (the server works that out). A draft may be
// incomplete, with required fields empty and rows missing, but every value
// must fit its field: its type, length, rows, options, date and range, and
// all of them together at most MaxValuesBytes of JSON. Otherwise it
// returns an invalid error with a message in lang for each field that does
// not fit, keyed "values.<field>" (the whole: "values"), and nothing is to
// be stored. It returns a not-found error for an unknown form.
func (c *Compiled) StoredValues(formID string, submitted map[string]any, lang string) (map[string]any, error) {
	cf, ok := c.forms[formID]
	if !ok {
		return nil, trygg.Errorf(trygg.ENotFound, "The form %q does not exist in this version.", formID)
	}
	b, err := json.Marshal(submitted)
	if err != nil {
		return nil, fmt.Errorf("process: form values: %w", err)
	}
	if len(b) > MaxValuesBytes {
		return nil, trygg.Invalid("The form was not saved: correct what is marked.", map[string]string{
			"values": newNote("form.values.too_large").in(lang)})
	}
	values := map[string]any{}
	if err := json.Unmarshal(b, &values); err != nil {
		return nil, fmt.Errorf("process: form values: %w", err)
	}
	if values == nil {
		values = map[string]any{}
	}
	fields := map[string]string{}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if len(fields) == maxFieldErrors {
			break
		}
		if m := c.fitMsg(cf, k, values[k]); m.id != "" {
			fields["values."+k] = m.in(lang)
		} else if f := cf.byID[k]; f != nil && f.compute != nil {
			delete(values, k)
		}
	}
	if len(fields) > 0 {
		return nil, trygg.Invalid("The form was not saved: correct what is marked.", fields)
	}
	return values, nil
}

// GivenValues returns what a page may show of a form's values as given (a
// draft as typed, or values a save refused, decoded from JSON): those that
// fit their fields as StoredValues checks them, and those of the form's
// fields that do not but are one small value ("abc" in a money field, 10.5
// öre, text of at most DefaultLongTextLength characters), which are shown
// as typed next to their message. Anything else (a value kept before the
// limits were checked, thousands of rows, say) is left out: the field
// shows as empty, with its message, never in full.
func (c *Compiled) GivenValues(formID string, values map[string]any) map[string]any {
	cf, ok := c.forms[formID]
	if !ok {
		return map[string]any{}
	}
	out := make(map[string]any, len(values))
	for k, v := range values {
		if c.fitMsg(cf, k, v).id == "" {
			out[k] = v
			continue
		}
		switch x := v.(type) {
		case string:
			if cf.byID[k] != nil && utf8.RuneCountInString(x) <= DefaultLongTextLength {
				out[k] = v
			}
		case float64, bool:
			if cf.byID[k] != nil {
				out[k] = v
			}
		}
	}
	return out
}

// fitMsg says why value v cannot be kept in field k of the form, or
// returns no note.
func (c *Compiled) fitMsg(cf *compiledForm, k string, v any) note {
	f := cf.byID[k]
	switch {
	case f == nil:
		return newNote("form.no_such_field")
	case v == nil || f.compute != nil:
		return note{}
	}
	_, m := c.normalise(f.def, v, true)
	return m
}
