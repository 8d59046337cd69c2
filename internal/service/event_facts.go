package service

import (
	"maps"
	"slices"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
)

// withTraits adds to a person.registered payload what analysis counts by
// and the identity number shows: the month of birth ("2012-03", for an
// age band at any later date) and the sex ("F" or "M"). Never the day of
// birth or the number itself; either is left out when the number does not
// tell it (a reserve number without a date).
func withTraits(payload map[string]any, id persons.Identity) map[string]any {
	if b, ok := id.BirthDate(); ok {
		payload["birth_month"] = b.Format("2006-01")
	}
	if s := id.Sex(); s != "" {
		payload["sex"] = s
	}
	return payload
}

// assessedCode is a code assessed in a signed form, as form.signed
// carries it for analysis: the field, its code system, the code and its
// qualifier (0–4), never the text written beside it.
type assessedCode struct {
	Field      string `json:"field"`
	CodeSystem string `json:"code_system"`
	Code       string `json:"code"`
	Qualifier  int    `json:"qualifier"`
}

// assessedCodes returns the codes of the assessment fields (ICF for IBIC,
// BBIC's areas) among a signed form's values, fields in name order; an
// empty list when the form has none.
func assessedCodes(comp *process.Compiled, formID string, values map[string]any) []assessedCode {
	out := []assessedCode{}
	if comp == nil {
		return out
	}
	for _, field := range slices.Sorted(maps.Keys(values)) {
		if comp.FieldType(formID, field) != process.FieldAssessment {
			continue
		}
		cs := comp.FieldCodeSystem(formID, field)
		for _, r := range rowsOf(values[field]) {
			code, _ := r["code"].(string)
			if code == "" {
				continue
			}
			q, _ := r["qualifier"].(float64)
			out = append(out, assessedCode{Field: field, CodeSystem: cs, Code: code, Qualifier: int(q)})
		}
	}
	return out
}
