package process

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

// TestStoredValues: a form keeps only values that fit their fields, drafts
// included; a draft may be incomplete. What does not fit is named at its
// field, keyed as the API and the pages name form fields.
func TestStoredValues(t *testing.T) {
	c := supportCompiled(t)
	long := func(n int) string { return strings.Repeat("å", n) }
	rows := func(n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat(`{"what": "Hyra"},`, n), ",") + "]"
	}
	tests := []struct {
		name      string
		submitted string
		lang      string
		// errors is every field error, exactly; none: the values are kept.
		errors map[string]string
		// kept is what is stored, when there are no errors (nil: the
		// values as submitted).
		kept map[string]any
	}{
		{name: "nothing", submitted: `{}`},
		{name: "a partial draft: required fields empty, too few rows, a row without its required sub-field",
			submitted: `{"relatives": "", "costs": [{"amount": 500}]}`},
		{name: "no rows at all where min_rows is 1", submitted: `{"costs": []}`},
		{name: "null is not given", submitted: `{"hours": null, "costs": null}`},
		{name: "a cascading choice not yet matching its parent", submitted: `{"housing": "own", "housing_detail": "nursing"}`},
		{name: "an assessment row waiting for its code and qualifier", submitted: `{"adl": [{"text": "Behöver hjälp"}, {}]}`},
		{name: "an assessment's code twice, while it is worked on", submitted: `{"adl": [{"code": "d510"}, {"code": "d510"}]}`},
		{name: "a field hidden from the actor's role", submitted: `{"lead_note": "Sedd", "internal_note": "Intern"}`},
		{name: "limits exactly", submitted: fmt.Sprintf(`{"note": %q, "internal_note": %q, "relatives": %q, "hours": 24, "rent": 0, "costs": %s}`,
			long(10), long(500), long(20000), rows(2))},
		{name: "a computed field's value is not kept", submitted: `{"total": 99, "summary": "x", "hours": 2}`,
			kept: map[string]any{"hours": 2.0}},

		{name: "too many rows: the finding", submitted: `{"costs": [` + strings.TrimSuffix(strings.Repeat(`{},`, 100000), ",") + `]}`,
			errors: map[string]string{"values.costs": "At most 2 rows."}},
		{name: "too many rows, in Swedish", submitted: `{"costs": ` + rows(3) + `}`, lang: "sv",
			errors: map[string]string{"values.costs": "Högst 2 rader."}},
		{name: "rows that are not rows", submitted: `{"costs": {"what": "Hyra"}}`,
			errors: map[string]string{"values.costs": "Must be a list of rows."}},
		{name: "a row with an unknown field", submitted: `{"costs": [{"what": "Hyra", "x": 1}]}`,
			errors: map[string]string{"values.costs": `Row 1 has an unknown field "x".`}},
		{name: "a row's sub-field of another type", submitted: `{"costs": [{"what": "Hyra"}, {"what": 5}]}`,
			errors: map[string]string{"values.costs": "Row 2, Vad: Must be text."}},
		{name: "a row's text too long", submitted: `{"costs": [{"what": "` + long(501) + `"}]}`,
			errors: map[string]string{"values.costs": "Row 1, Vad: At most 500 characters."}},
		{name: "text over max_length, over the default, long text over its default",
			submitted: fmt.Sprintf(`{"note": %q, "internal_note": %q, "relatives": %q}`, long(11), long(501), long(20001)),
			errors: map[string]string{"values.note": "At most 10 characters.", "values.internal_note": "At most 500 characters.",
				"values.relatives": "At most 20000 characters."}},
		{name: "types", submitted: `{"hours": "ten", "rent": 10.5, "lives_alone": "yes", "note": 7, "start": 20270315, "needs": "d510", "adl": {}}`,
			errors: map[string]string{"values.hours": "Must be a number.", "values.rent": "Must be a whole number of öre.",
				"values.lives_alone": "Must be yes or no.", "values.note": "Must be text.", "values.start": "Must be a date (YYYY-MM-DD).",
				"values.needs": "Must be a list of options.", "values.adl": "Must be a list of assessments."}},
		{name: "numbers out of range", submitted: `{"hours": 24.5, "rent": -100}`,
			errors: map[string]string{"values.hours": "Must be at most 24.", "values.rent": "Must be at least 0."}},
		{name: "choices not among the options", submitted: `{"housing": "castle", "needs": ["d510", "d999"]}`,
			errors: map[string]string{"values.housing": "Not one of the options.", "values.needs": "Not one of the options."}},
		{name: "an option chosen twice", submitted: `{"needs": ["d510", "d510"]}`,
			errors: map[string]string{"values.needs": "Each option at most once."}},
		{name: "dates that are not dates", submitted: `{"start": "2027-02-30", "end": "15/3/2027"}`,
			errors: map[string]string{"values.start": "Must be a date (YYYY-MM-DD).", "values.end": "Must be a date (YYYY-MM-DD)."}},
		{name: "a field the form does not have", submitted: `{"hours": 2, "bogus": "x"}`,
			errors: map[string]string{"values.bogus": "The form has no such field."}},
		{name: "a hidden field's value must fit too", submitted: `{"has_income": false, "income": "lots"}`,
			errors: map[string]string{"values.income": "Must be a whole number of öre."}},
		{name: "a computed field's value must be JSON at least", submitted: `{"total": 1, "hours": -1}`,
			errors: map[string]string{"values.hours": "Must be at least 0."}},
		{name: "assessments: unknown code, qualifier, text of another type, more rows than codes",
			submitted: `{"adl": [{"code": "d999", "qualifier": 1}]}`,
			errors:    map[string]string{"values.adl": "Row 1: the code is not in the code system."}},
		{name: "assessment qualifier", submitted: `{"adl": [{"code": "d510", "qualifier": 5}]}`,
			errors: map[string]string{"values.adl": "Row 1: the qualifier must be 0–4, 8 or 9."}},
		{name: "assessment text of another type", submitted: `{"adl": [{"code": "d510", "text": ["x"]}]}`,
			errors: map[string]string{"values.adl": "Row 1: the text must be text."}},
		{name: "assessment text too long", submitted: `{"adl": [{"code": "d510", "text": "` + long(5001) + `"}]}`,
			errors: map[string]string{"values.adl": "Row 1: the text is longer than 5000 characters."}},
		{name: "more assessment rows than codes", submitted: `{"adl": [{}, {}, {}, {}]}`,
			errors: map[string]string{"values.adl": "At most 3 rows."}},
		{name: "the whole over 1 MB", submitted: `{"bogus": "` + strings.Repeat("x", MaxValuesBytes) + `"}`,
			errors: map[string]string{"values": "At most 1 MB in all."}},
		{name: "the whole over 1 MB, in Swedish", submitted: `{"bogus": "` + strings.Repeat("x", MaxValuesBytes) + `"}`, lang: "sv",
			errors: map[string]string{"values": "Högst 1 MB sammanlagt."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lang := tt.lang
			if lang == "" {
				lang = "en"
			}
			submitted := values(t, tt.submitted)
			kept, err := c.StoredValues("support", submitted, lang)
			if len(tt.errors) == 0 {
				if err != nil {
					t.Fatalf("refused: %v %v", err, fieldErrors(err))
				}
				want := tt.kept
				if want == nil {
					want = submitted
				}
				if !equalJSON(kept, want) {
					t.Errorf("kept %.300v, want %.300v", kept, want)
				}
				return
			}
			if trygg.ErrorCode(err) != trygg.EInvalid || kept != nil {
				t.Fatalf("got %v (kept %.100v), want an invalid error", err, kept)
			}
			if got := fieldErrors(err); !maps.Equal(got, tt.errors) {
				t.Errorf("field errors\n got %.400v\nwant %v", got, tt.errors)
			}
		})
	}
	t.Run("an unknown form", func(t *testing.T) {
		if _, err := c.StoredValues("nope", map[string]any{}, "en"); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("got %v", err)
		}
	})
	t.Run("at most 20 fields are named", func(t *testing.T) {
		many := map[string]any{}
		for i := range 50 {
			many[fmt.Sprintf("bogus%d", i)] = i
		}
		if _, err := c.StoredValues("support", many, "en"); len(fieldErrors(err)) != 20 {
			t.Errorf("%d fields named", len(fieldErrors(err)))
		}
	})
}

// TestGivenValues: what a page shows as given leaves out values stored
// before the limits were checked, except one small value typed into a
// field that cannot hold it, which is shown as typed.
func TestGivenValues(t *testing.T) {
	c := supportCompiled(t)
	stored := values(t, `{"note": "Kort", "hours": "ten", "rent": 10.5, "lives_alone": "yes", "has_income": 3, "housing": "own",
		"housing_detail": "nursing", "bogus": 1, "start": {"y": 2027},
		"relatives": "`+strings.Repeat("9", DefaultLongTextLength+1)+`", "needs": ["d510", "d510"],
		"costs": [`+strings.TrimSuffix(strings.Repeat(`{},`, 1000), ",")+`]}`)
	got := c.GivenValues("support", stored)
	want := values(t, `{"note": "Kort", "hours": "ten", "rent": 10.5, "lives_alone": "yes", "has_income": 3, "housing": "own",
		"housing_detail": "nursing"}`)
	if !equalJSON(got, want) {
		t.Errorf("got %.300v, want %v", got, want)
	}
	if len(c.GivenValues("nope", stored)) != 0 {
		t.Errorf("an unknown form's values are given")
	}
}

// TestEvaluateFormLimits: the limits drafts are kept to hold for signing
// too: a group without max_rows holds DefaultMaxRows, an option is chosen
// once.
func TestEvaluateFormLimits(t *testing.T) {
	c := compileSrc(t, File{Name: "f.yaml", Data: []byte(`kind: code_system
id: cs
name: {sv: C}
codes: [{code: a, label: {sv: A}}, {code: b, label: {sv: B}}]
---
kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: rows, type: group, label: {sv: R}, fields: [{id: x, type: text, label: {sv: X}}]}
      - {id: many, type: multi_choice, code_system: cs, label: {sv: M}}
`)})
	rows := func(n int) string { return "[" + strings.TrimSuffix(strings.Repeat(`{"x": "y"},`, n), ",") + "]" }
	for _, tt := range []struct {
		submitted string
		errors    map[string]string
	}{
		{`{"rows": ` + rows(DefaultMaxRows) + `, "many": ["a", "b"]}`, map[string]string{}},
		{`{"rows": ` + rows(DefaultMaxRows+1) + `}`, map[string]string{"rows": "At most 100 rows."}},
		{`{"many": ["a", "a"]}`, map[string]string{"many": "Each option at most once."}},
	} {
		st, err := c.EvaluateForm("f", values(t, tt.submitted), officer(40), "en")
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(st.Errors, tt.errors) {
			t.Errorf("%.80s: errors %v, want %v", tt.submitted, st.Errors, tt.errors)
		}
		_, err = c.StoredValues("f", values(t, tt.submitted), "en")
		if want := len(tt.errors) == 0; (err == nil) != want {
			t.Errorf("%.80s: stored as a draft: %v", tt.submitted, err)
		}
	}
}

func fieldErrors(err error) map[string]string {
	var te *trygg.Error
	if errors.As(err, &te) {
		return te.Fields
	}
	return nil
}

func equalJSON(a, b map[string]any) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// TestCheckDecisionLengths: a decision's texts have limits, drafts
// included.
func TestCheckDecisionLengths(t *testing.T) {
	c := compileSrc(t, File{Name: "r.yaml", Data: []byte(reportYAML)})
	ok := DecisionDraft{Insats: "a", Outcome: OutcomeRefused, LegalBasis: "L 1 §"}
	for _, tt := range []struct {
		name   string
		change func(d *DecisionDraft)
		field  string
	}{
		{"limits exactly", func(d *DecisionDraft) {
			d.Justification, d.AppealNotice = strings.Repeat("å", 20000), strings.Repeat("å", 20000)
		}, ""},
		{"justification", func(d *DecisionDraft) { d.Justification = strings.Repeat("å", 20001) }, "justification"},
		{"appeal notice", func(d *DecisionDraft) { d.AppealNotice = strings.Repeat("å", 20001) }, "appeal_notice"},
	} {
		d := ok
		tt.change(&d)
		err := c.CheckDecision("t", d, nil, false)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if got := fieldErrors(err)[tt.field]; got != "At most 20 000 characters." {
			t.Errorf("%s: %v %v", tt.name, err, fieldErrors(err))
		}
	}
}
