package process

import (
	"testing"
)

// Snippets that are valid except for what each test breaks. The code
// system and form are prepended to case type tests, the code system to
// form tests, so their lines count from those.
const (
	// 7 lines.
	okCodes = `kind: code_system
id: cs
name: {sv: C}
codes:
  - {code: a, label: {sv: A}, children: [{code: a1, label: {sv: A1}}]}
  - {code: b, label: {sv: B}}
---
`
	// 9 lines.
	okForm = `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: n, type: money, label: {sv: N}}
---
`
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		// Code systems.
		{
			name: "code system: no id, no name, no codes",
			src: `kind: code_system
version: "1"
`,
			want: []string{`v.yaml:1:1: the code system has no id`},
		},
		{
			name: "code system: bad id, missing sv, no codes",
			src: `kind: code_system
id: Purpose
`,
			want: []string{`v.yaml:2:5: the code system id "Purpose" must start with a lower-case letter`},
		},
		{
			name: "code system: name without sv and no codes",
			src: `kind: code_system
id: cs
name: {en: Purpose}
`,
			want: []string{
				`v.yaml:2:5: the code system's name needs a Swedish text (sv)`,
				`v.yaml:2:5: the code system "cs" has no codes`,
			},
		},
		{
			name: "code system: defined twice",
			src: okCodes + `kind: code_system
id: cs
name: {sv: C}
codes: [{code: x, label: {sv: X}}]
`,
			want: []string{`v.yaml:9:5: a code system with id "cs" is defined twice`},
		},
		{
			name: "code system: codes without code, duplicate codes in the hierarchy, label without sv",
			src: `kind: code_system
id: cs
name: {sv: C}
codes:
  - code: a
    label: {sv: A}
    children:
      - {code: a, label: {sv: A again}}
      - {label: {sv: No code}}
  - {code: b, label: {en: B}}
`,
			want: []string{
				// A code without code points at the code it belongs under.
				`v.yaml:5:11: a code in "cs" has no code`,
				`v.yaml:8:16: the code "a" appears twice in "cs"`,
				`v.yaml:10:12: the code "b" needs a Swedish text (sv)`,
			},
		},

		// Forms.
		{
			name: "form: no id",
			src: `kind: form
name: {sv: F}
`,
			want: []string{`v.yaml:1:1: the form has no id`},
		},
		{
			name: "form: bad id",
			src: `kind: form
id: 1form
name: {sv: F}
sections: []
`,
			want: []string{`v.yaml:2:5: the form id "1form" must start with a lower-case letter`},
		},
		{
			name: "form: defined twice and missing sv name",
			src: okForm + `kind: form
id: f
name: {en: F}
sections: []
`,
			want: []string{
				`v.yaml:11:5: a form with id "f" is defined twice`,
				`v.yaml:11:5: the form's name needs a Swedish text (sv)`,
			},
		},
		{
			name: "section: duplicate id, bad id, missing label, no fields",
			src: `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields: [{id: a, type: text, label: {sv: A}}]
  - id: s
    label: {sv: S}
    fields: [{id: b, type: text, label: {sv: B}}]
  - id: Bad
    label: {en: Bad}
    fields: [{id: c, type: text, label: {sv: C}}]
  - id: empty
    label: {sv: E}
`,
			want: []string{
				`v.yaml:8:9: the section id "s" is used twice in the form`,
				`v.yaml:11:9: the section id "Bad" must start with a lower-case letter`,
				`v.yaml:11:9: the section's label needs a Swedish text (sv)`,
				`v.yaml:14:9: the section "empty" has no fields`,
			},
		},
		{
			name: "section: unknown role and visible_if that is not true/false",
			src: `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    roles: [handlaggare, chef]
    visible_if: form.a
    fields: [{id: a, type: text, label: {sv: A}}]
`,
			want: []string{
				`v.yaml:7:26: unknown role "chef"`,
				`v.yaml:8:17: expression gives text but true/false is needed here`,
			},
		},
		{
			name: "field: duplicate id across sections, bad id, no label, unknown type, no type",
			src: `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: a, type: text, label: {sv: A}}
      - {id: B, type: text, label: {sv: B}}
      - {id: c, type: dropdown, label: {sv: C}}
      - {id: d, label: {sv: D}}
  - id: t
    label: {sv: T}
    fields:
      - {id: a, type: text, label: {en: A}}
`,
			want: []string{
				`v.yaml:9:14: the field id "B" must start with a lower-case letter`,
				`v.yaml:10:23: unknown field type "dropdown"`,
				`v.yaml:11:14: unknown field type ""`,
				`v.yaml:15:14: the field id "a" is used twice in the form`,
				`v.yaml:15:14: the field "a"'s label needs a Swedish text (sv)`,
			},
		},
		{
			name: "field: unknown role, required together with required_if",
			src: `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - id: a
        type: yes_no
        label: {sv: A}
        roles: [utforare, boss]
      - id: b
        type: text
        label: {sv: B}
        required: true
        required_if: form.a
`,
			want: []string{
				`v.yaml:11:27: unknown role "boss"`,
				`v.yaml:16:22: the field is both required and required_if: keep one`,
			},
		},
		{
			name: "field: choice without code system and with an unknown one",
			src: okCodes + `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: a, type: choice, label: {sv: A}}
      - {id: b, type: multi_choice, label: {sv: B}, code_system: nope}
      - {id: c, type: assessment, label: {sv: C}, code_system: icf}
      - {id: d, type: choice, label: {sv: D}, code_system: cs}
`,
			want: []string{
				`v.yaml:15:14: the choice field "a" needs a code_system`,
				`v.yaml:16:66: unknown code system "nope"`,
				`v.yaml:17:64: unknown code system "icf"`,
			},
		},
		{
			name: "cascading choice: parent missing, itself, later, not a choice, other code system",
			src: okCodes + `kind: code_system
id: other
name: {sv: O}
codes: [{code: x, label: {sv: X}}]
---
kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: kind, type: choice, label: {sv: K}, code_system: cs}
      - {id: note, type: text, label: {sv: N}}
      - {id: a, type: choice, label: {sv: A}, code_system: cs, parent_field: nope}
      - {id: b, type: choice, label: {sv: B}, code_system: cs, parent_field: b}
      - {id: c, type: choice, label: {sv: C}, code_system: cs, parent_field: later}
      - {id: d, type: choice, label: {sv: D}, code_system: cs, parent_field: note}
      - {id: e, type: choice, label: {sv: E}, code_system: other, parent_field: kind}
      - {id: later, type: choice, label: {sv: L}, code_system: cs}
      - {id: ok, type: choice, label: {sv: OK}, code_system: cs, parent_field: kind}
`,
			want: []string{
				`v.yaml:22:78: parent_field "nope" must name a choice field earlier in the form`,
				`v.yaml:23:78: parent_field "b" must name a choice field earlier in the form`,
				`v.yaml:24:78: parent_field "later" must name a choice field earlier in the form`,
				`v.yaml:25:78: parent_field "note" is not a choice field`,
				`v.yaml:26:81: a cascading choice must use the same code system as its parent field "kind"`,
			},
		},
		{
			name: "field: min larger than max, rows on a field that is not a group",
			src: `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: a, type: number, label: {sv: A}, min: 10, max: 1}
      - {id: b, type: text, label: {sv: B}, min_rows: 1}
`,
			want: []string{
				`v.yaml:8:14: min is larger than max`,
				`v.yaml:9:14: fields, min_rows and max_rows belong only to group fields`,
			},
		},
		{
			name: "limits: max_length on a number, out of range; max_rows out of range; min_rows over the default max_rows",
			src: `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: a, type: number, label: {sv: A}, max_length: 10}
      - {id: b, type: text, label: {sv: B}, max_length: -1}
      - {id: c, type: long_text, label: {sv: C}, max_length: 100001}
      - {id: d, type: group, label: {sv: D}, max_rows: 1001, fields: [{id: x, type: text, label: {sv: X}}]}
      - {id: e, type: group, label: {sv: E}, min_rows: 101, fields: [{id: x, type: text, label: {sv: X}}]}
      - {id: ok, type: group, label: {sv: OK}, min_rows: 101, max_rows: 1000, fields: [{id: x, type: text, label: {sv: X}, max_length: 100000}]}
`,
			want: []string{
				`v.yaml:8:14: max_length belongs only to text, long_text and person fields`,
				`v.yaml:9:14: max_length must be between 1 and 100000`,
				`v.yaml:10:14: max_length must be between 1 and 100000`,
				`v.yaml:11:14: min_rows and max_rows must be between 0 and 1000`,
				`v.yaml:12:14: min_rows is larger than 100, the most rows of a group without max_rows`,
			},
		},
		{
			name: "group: no fields, min_rows over max_rows, nested group, duplicate and conditional sub-fields",
			src: `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: empty, type: group, label: {sv: E}}
      - id: rows
        type: group
        label: {sv: R}
        min_rows: 3
        max_rows: 2
        fields:
          - {id: a, type: text, label: {sv: A}}
          - {id: a, type: text, label: {sv: A}}
          - {id: inner, type: group, label: {sv: I}, fields: [{id: x, type: text, label: {sv: X}}]}
          - {id: b, type: text, label: {sv: B}, visible_if: "true"}
          - {id: c, type: money, label: {sv: C}, compute: "1"}
`,
			want: []string{
				`v.yaml:8:14: the group "empty" has no fields`,
				`v.yaml:9:13: min_rows is larger than max_rows`,
				`v.yaml:16:18: the field id "a" is used twice in the group`,
				`v.yaml:17:18: a group cannot contain another group`,
				`v.yaml:18:18: fields inside a group cannot have visible_if, required_if or compute yet`,
				`v.yaml:19:18: fields inside a group cannot have visible_if, required_if or compute yet`,
			},
		},
		{
			name: "group: row_summary must be text over the row's fields",
			src: `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - id: good
        type: group
        label: {sv: G}
        fields: [{id: what, type: text, label: {sv: W}}, {id: cost, type: money, label: {sv: C}}]
        row_summary: "row.what + ': ' + string(row.cost)"
      - id: number
        type: group
        label: {sv: N}
        fields: [{id: cost, type: money, label: {sv: C}}]
        row_summary: row.cost
      - id: unknown
        type: group
        label: {sv: U}
        fields: [{id: cost, type: money, label: {sv: C}}]
        row_summary: row.price
`,
			want: []string{
				`v.yaml:17:22: expression gives a whole number but text is needed here`,
				`v.yaml:22:22: undeclared reference to 'row'`,
			},
		},
		{
			name: "expressions: syntax error, type error, non-bool condition, compute type mismatch, unknown field",
			src: `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: a, type: money, label: {sv: A}}
      - {id: b, type: text, label: {sv: B}, visible_if: "form.a >"}
      - {id: c, type: text, label: {sv: C}, visible_if: "form.a + 'kr' == ''"}
      - {id: d, type: text, label: {sv: D}, required_if: "form.a"}
      - {id: e, type: money, label: {sv: E}, compute: "form.b"}
      - {id: g, type: money, label: {sv: G}, compute: "form.a * 1.5"}
      - {id: h, type: text, label: {sv: H}, visible_if: "form.zz"}
      - {id: i, type: number, label: {sv: I}, compute: "form.a * 2"}
      - {id: j, type: yes_no, label: {sv: J}, visible_if: "person.age >= 18 && person.sex != 'F' && case.type == 'c' && case.step != 'x' && case.days_open < 14 && 'handlaggare' in actor.roles && today >= '2027-01-01' && forms.f.a > 0"}
`,
			want: []string{
				`v.yaml:9:57: expression error: 1:9: Syntax error`,
				`v.yaml:10:57: found no matching overload for '_+_' applied to '(int, string)'`,
				`v.yaml:11:58: expression gives a whole number but true/false is needed here`,
				`v.yaml:12:55: expression gives text but a whole number is needed here`,
				`v.yaml:13:55: found no matching overload for '_*_' applied to '(int, double)'`,
				`v.yaml:14:57: undeclared reference to 'form.zz'`,
			},
		},
		{
			name: "validations: no rule, not true/false, no sv message, unknown field",
			src: `kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields: [{id: a, type: money, label: {sv: A}}]
validations:
  - {field: a, message: {sv: M}}
  - {rule: "form.a", field: a, message: {sv: M}}
  - {rule: "form.a > 0", message: {en: M}}
  - {rule: "form.a > 0", field: b, message: {sv: M}}
`,
			want: []string{
				`v.yaml:9:13: the validation has no rule`,
				`v.yaml:10:12: expression gives a whole number but true/false is needed here`,
				`v.yaml:11:12: the validation's message needs a Swedish text (sv)`,
				`v.yaml:12:33: the validation points at field "b", which the form does not have`,
			},
		},
		{
			name: "expressions see other forms as forms.<form>.<field> but not as form.<field>",
			src: okForm + `kind: form
id: g
name: {sv: G}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: x, type: yes_no, label: {sv: X}, visible_if: "forms.f.n > 0"}
      - {id: y, type: yes_no, label: {sv: Y}, visible_if: "form.n > 0"}
`,
			want: []string{`v.yaml:18:59: undeclared reference to 'form.n'`},
		},

		// Case types.
		{
			name: "case type: no id",
			src: `kind: case_type
field: IFO
`,
			want: []string{`v.yaml:2:8: the case type has no id`},
		},
		{
			name: "case type: bad id, no name, unknown field of social services, no steps",
			src: `kind: case_type
id: Grant
field: SOC
`,
			want: []string{
				`v.yaml:2:5: the case type id "Grant" must start with a lower-case letter`,
				`v.yaml:2:5: the case type's name needs a Swedish text (sv)`,
				`v.yaml:2:5: the case type has no steps`,
				`v.yaml:3:8: field must be one of AO, IFO, FH, HSL (got "SOC")`,
			},
		},
		{
			name: "case type: defined twice",
			src: `kind: case_type
id: c
name: {sv: C}
field: AO
start: a
steps: [{id: a, name: {sv: A}, final: true}]
---
kind: case_type
id: c
name: {sv: C}
field: FH
start: a
steps: [{id: a, name: {sv: A}, final: true}]
`,
			want: []string{`v.yaml:9:5: a case type with id "c" is defined twice`},
		},
		{
			name: "case type: no field and no start step",
			src: `kind: case_type
id: c
name: {sv: C}
steps: [{id: a, name: {sv: A}, final: true}]
`,
			want: []string{
				`v.yaml:2:5: field must be one of AO, IFO, FH, HSL (got "")`,
				`v.yaml:2:5: the case type has no start step`,
			},
		},
		{
			name: "case type: a reference prefix in lower case, and one too long",
			src: `kind: case_type
id: c
name: {sv: C}
field: HSL
start: a
reference: eb
steps: [{id: a, name: {sv: A}, final: true}]
---
kind: case_type
id: d
name: {sv: D}
field: HSL
start: a
reference: ABCDEFG
steps: [{id: a, name: {sv: A}, final: true}]
`,
			want: []string{
				`v.yaml:6:12: reference must be 1 to 6 capital letters A–Z, Å, Ä or Ö, such as EB (got "eb")`,
				`v.yaml:14:12: reference must be 1 to 6 capital letters A–Z, Å, Ä or Ö, such as EB (got "ABCDEFG")`,
			},
		},
		{
			name: "case type: unknown start step",
			src: `kind: case_type
id: c
name: {sv: C}
field: HSL
start: begin
steps: [{id: a, name: {sv: A}, final: true}]
`,
			want: []string{`v.yaml:5:8: the start step "begin" is not one of the steps`},
		},
		{
			name: "steps: duplicate id, bad id, no name, unknown form",
			src: okForm + `kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - {id: a, name: {sv: A}, forms: [f, nope]}
  - {id: a, name: {sv: A}}
  - {id: B, name: {en: B}, final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: B, roles: [handlaggare]}
`,
			want: []string{
				`v.yaml:16:39: unknown form "nope"`,
				`v.yaml:17:10: the step id "a" is used twice`,
				`v.yaml:18:10: the step id "B" must start with a lower-case letter`,
				`v.yaml:18:10: the step "B"'s name needs a Swedish text (sv)`,
			},
		},
		{
			name: "transitions: duplicate and bad ids, no name, no from, no to",
			src: `kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - {id: a, name: {sv: A}}
  - {id: b, name: {sv: B}, final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare]}
  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare]}
  - {id: T2, name: {en: T}, from: [a], to: b, roles: [handlaggare]}
  - {id: t3, name: {sv: T}, to: b, roles: [handlaggare]}
  - {id: t4, name: {sv: T}, from: [a], roles: [handlaggare]}
`,
			want: []string{
				`v.yaml:11:10: the transition id "t" is used twice`,
				`v.yaml:12:10: the transition id "T2" must start with a lower-case letter`,
				`v.yaml:12:10: the transition "T2"'s name needs a Swedish text (sv)`,
				`v.yaml:13:10: the transition "t3" has no from step`,
				`v.yaml:14:10: the transition "t4" goes nowhere`,
			},
		},
		{
			name: "transitions: from and to unknown steps, from a final step",
			src: `kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - {id: a, name: {sv: A}}
  - {id: b, name: {sv: B}, final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare]}
  - {id: u, name: {sv: U}, from: [a, nowhere], to: b, roles: [handlaggare]}
  - {id: v, name: {sv: V}, from: [a], to: limbo, roles: [handlaggare]}
  - {id: w, name: {sv: W}, from: [b], to: a, roles: [handlaggare]}
`,
			want: []string{
				`v.yaml:11:38: the transition "u" starts from an unknown step "nowhere"`,
				`v.yaml:12:43: the transition "v" goes to an unknown step "limbo"`,
				`v.yaml:13:35: the transition "w" leaves the final step "b"`,
			},
		},
		{
			name: "transitions: no roles, unknown role, unknown form, unknown action",
			src: okForm + `kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - {id: a, name: {sv: A}}
  - {id: b, name: {sv: B}, final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: b}
  - {id: u, name: {sv: U}, from: [a], to: b, roles: [handlaggare, admin], forms: [f, g]}
  - {id: v, name: {sv: V}, from: [a], to: b, roles: [arbetsledare], actions: [{type: close_case}, {type: send_fax}]}
`,
			want: []string{
				`v.yaml:19:10: the transition "t" names no roles that may take it`,
				`v.yaml:20:67: unknown role "admin"`,
				`v.yaml:20:86: unknown form "g"`,
				`v.yaml:21:106: unknown action "send_fax"`,
			},
		},
		{
			name: "transitions: guards must be true/false and well typed",
			src: okForm + `kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - {id: a, name: {sv: A}}
  - {id: b, name: {sv: B}, final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare], guard: "person.age"}
  - {id: u, name: {sv: U}, from: [a], to: b, roles: [handlaggare], guard: "forms.f.n + 'kr' == ''"}
  - {id: v, name: {sv: V}, from: [a], to: b, roles: [handlaggare], guard: "(person.age"}
  - {id: w, name: {sv: W}, from: [a], to: b, roles: [handlaggare], guard: "form.n > 0"}
  - {id: x, name: {sv: X}, from: [a], to: b, roles: [handlaggare], guard: "forms.f.n > 0 && case.days_open < 14"}
`,
			want: []string{
				`v.yaml:19:75: expression gives a whole number but true/false is needed here`,
				`v.yaml:20:75: found no matching overload for '_+_' applied to '(int, string)'`,
				`v.yaml:21:75: expression error: 1:12: Syntax error`,
				// A case type has no form of its own.
				`v.yaml:22:75: undeclared reference to 'form'`,
			},
		},
		{
			name: "steps: unreachable and dead end",
			src: `kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - {id: a, name: {sv: A}}
  - {id: stuck, name: {sv: S}}
  - {id: island, name: {sv: I}}
  - {id: done, name: {sv: D}, final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: stuck, roles: [handlaggare]}
  - {id: u, name: {sv: U}, from: [a, island], to: done, roles: [handlaggare]}
`,
			want: []string{
				`v.yaml:8:10: the step "stuck" is a dead end`,
				`v.yaml:9:10: the step "island" cannot be reached from the start step "a"`,
			},
		},
		{
			name: "units: an empty unit id",
			src: `kind: case_type
id: c
name: {sv: C}
field: IFO
units: [north, ""]
start: a
steps: [{id: a, name: {sv: A}, final: true}]
`,
			want: []string{`v.yaml:5:16: an empty unit id`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(tt.src)}})
			checkProblems(t, probs, nil)
			checkProblems(t, Validate(b), tt.want)
		})
	}
}

// Compile refuses a bundle with problems and returns the same problems
// Validate does.
func TestCompileReturnsValidateProblems(t *testing.T) {
	b, _ := Load([]File{{Name: "v.yaml", Data: []byte(okForm + `kind: case_type
id: c
name: {sv: C}
field: IFO
start: nope
steps: [{id: a, name: {sv: A}, final: true}]
`)}})
	c, probs := Compile(b)
	if c != nil {
		t.Fatal("Compile returned a bundle with problems")
	}
	checkProblems(t, probs, []string{`v.yaml:14:8: the start step "nope" is not one of the steps`})
}

// A problem in one file is reported with that file's name even when the
// definitions it refers to are in another file.
func TestValidateAcrossFiles(t *testing.T) {
	b, probs := Load([]File{
		{Name: "codes.yaml", Data: []byte(okCodes)},
		{Name: "form.yaml", Data: []byte(`kind: form
id: f
name: {sv: F}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: a, type: choice, label: {sv: A}, code_system: cs}
      - {id: b, type: choice, label: {sv: B}, code_system: other}
`)},
	})
	checkProblems(t, probs, nil)
	checkProblems(t, Validate(b), []string{`form.yaml:9:60: unknown code system "other"`})
}
