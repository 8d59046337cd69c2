package process

import (
	"strings"
	"testing"
	"time"
)

const ceilingYAML = `kind: decision_table
id: ceiling
name: {sv: Bidragstak, en: Grant ceiling}
hit_policy: unique
inputs:
  - {id: size, type: number}
  - {id: area, type: text}
outputs:
  - {id: amount, type: number}
rule_sets:
  - valid_from: "2026-01-01"
    valid_to: "2026-12-31"
    rules:
      - when: {size: "< 3"}
        then: {amount: "1000"}
      - when: {size: ">= 3", area: "city"}
        then: {amount: "2000"}
      - when: {size: ">= 3", area: "-"}
        then: {amount: "1500"}
  - valid_from: "2027-01-01"
    rules:
      - when: {size: "-"}
        then: {amount: "3000"}
---
kind: decision_table
id: extras
name: {sv: Tillägg}
hit_policy: collect_sum
inputs:
  - {id: children, type: number}
  - {id: disabled, type: yes_no}
outputs:
  - {id: sek, type: number}
rule_sets:
  - valid_from: "2020-01-01"
    rules:
      - when: {children: ">= 1"}
        then: {sek: "500"}
      - when: {disabled: "true"}
        then: {sek: "250"}
---
kind: form
id: calc
name: {sv: Beräkning}
sections:
  - id: s
    label: {sv: Uppgifter}
    fields:
      - {id: date, type: date, label: {sv: Datum}, required: true}
      - {id: size, type: number, label: {sv: Hushållets storlek}, required: true}
      - {id: ceiling, type: number, label: {sv: Tak}, compute: "decide('ceiling', form.date, {'size': form.size, 'area': 'rural'}).amount"}
`

func TestDecisionTables(t *testing.T) {
	b, probs := Load([]File{{Name: "tables.yaml", Data: []byte(ceilingYAML)}})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	// Under a unique hit policy, "area: -" after "area: city" overlaps:
	// validation says so. As a first-hit table it is a fallback row.
	if probs := Validate(b); len(probs) == 0 || !strings.Contains(probs.Error(), "overlap: rules [2 3]") {
		t.Fatalf("unique table with overlapping rules: %v", probs)
	}
	b.Tables[0].HitPolicy.Value = HitFirst
	c, probs := Compile(b)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	tests := []struct {
		table, date string
		in          map[string]any
		want        float64
		err         string
	}{
		{"ceiling", "2026-06-01", map[string]any{"size": 2.0, "area": "city"}, 1000, ""},
		{"ceiling", "2026-06-01", map[string]any{"size": 4.0, "area": "city"}, 2000, ""},
		{"ceiling", "2026-06-01", map[string]any{"size": 4.0, "area": "rural"}, 1500, ""},
		{"ceiling", "2027-02-01", map[string]any{"size": 4.0, "area": "city"}, 3000, ""}, // the new year's rules
		{"ceiling", "2025-12-31", map[string]any{"size": 1.0, "area": "city"}, 0, "no rules valid on 2025-12-31"},
		{"ceiling", "2026-06-01", map[string]any{"size": 1.0}, 0, `needs the input "area"`},
		{"ceiling", "June", map[string]any{"size": 1.0, "area": "x"}, 0, "YYYY-MM-DD"},
		{"extras", "2026-06-01", map[string]any{"children": 2.0, "disabled": true}, 750, ""},
		{"extras", "2026-06-01", map[string]any{"children": 0.0, "disabled": false}, 0, ""},
		{"nope", "2026-06-01", nil, 0, "no decision table"},
	}
	for _, tt := range tests {
		out, err := c.Decide(tt.table, tt.date, tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s %s %v: want error %q, got %v %v", tt.table, tt.date, tt.in, tt.err, out, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s %v: %v", tt.table, tt.date, tt.in, err)
			continue
		}
		for _, v := range out {
			if v != tt.want {
				t.Errorf("%s %s %v = %v, want %v", tt.table, tt.date, tt.in, out, tt.want)
			}
		}
	}
	// A computed form field calls the table for the form's own date.
	st, err := c.EvaluateForm("calc", map[string]any{"date": "2027-03-01", "size": 5.0}, Context{Today: time.Now()}, "sv")
	if err != nil || st.Values["ceiling"] != 3000.0 {
		t.Fatalf("computed from the table: %v %v %v", st.Values, st.Errors, err)
	}
	st, _ = c.EvaluateForm("calc", map[string]any{"date": "2026-03-01", "size": 5.0}, Context{Today: time.Now()}, "sv")
	if st.Values["ceiling"] != 1500.0 {
		t.Fatalf("a past date uses the rules valid then: %v", st.Values)
	}
	// Before the date is filled in, the value is simply not there yet: no
	// message for the officer or citizen filling in the form.
	st, _ = c.EvaluateForm("calc", map[string]any{"size": 5.0}, Context{Today: time.Now()}, "sv")
	if _, ok := st.Values["ceiling"]; ok || st.Errors["ceiling"] != "" {
		t.Fatalf("no date yet: value %v, message %q; want neither", st.Values["ceiling"], st.Errors["ceiling"])
	}
}

func TestDecisionTableProblems(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"gap", `kind: decision_table
id: t
name: {sv: T}
hit_policy: unique
inputs: [{id: n, type: number}]
outputs: [{id: o, type: text}]
rule_sets:
  - valid_from: "2026-01-01"
    rules:
      - {when: {n: "< 3"}, then: {o: a}}
      - {when: {n: "> 3"}, then: {o: b}}
`, "t.yaml:8:17: gap: no rule matches n = 3"},
		{"overlapping validity", `kind: decision_table
id: t
name: {sv: T}
hit_policy: first
inputs: [{id: n, type: number}]
outputs: [{id: o, type: number}]
rule_sets:
  - valid_from: "2026-01-01"
    rules: [{when: {}, then: {o: "1"}}]
  - valid_from: "2026-06-01"
    rules: [{when: {}, then: {o: "2"}}]
`, "t.yaml:10:17: this rule set's validity overlaps the one at line 8"},
		{"bad condition", `kind: decision_table
id: t
name: {sv: T}
hit_policy: first
inputs: [{id: n, type: number}]
outputs: [{id: o, type: number}]
rule_sets:
  - valid_from: "2026-01-01"
    rules: [{when: {n: "[5..1]"}, then: {o: "1"}}]
`, `t.yaml:9:24: the range "[5..1]" is empty`},
		{"unknown input and missing output", `kind: decision_table
id: t
name: {sv: T}
hit_policy: first
inputs: [{id: n, type: number}]
outputs: [{id: o, type: number}]
rule_sets:
  - valid_from: "2026-01-01"
    rules:
      - when: {x: "1"}
        then: {}
`, `the rule tests "x", which is not an input`},
		{"collect_sum needs numbers", `kind: decision_table
id: t
name: {sv: T}
hit_policy: collect_sum
inputs: [{id: n, type: number}]
outputs: [{id: o, type: text}]
rule_sets:
  - valid_from: "2026-01-01"
    rules: [{when: {}, then: {o: a}}]
`, `collect_sum adds outputs up, so "o" must be a number`},
		{"unknown rule key", `kind: decision_table
id: t
name: {sv: T}
hit_policy: first
inputs: [{id: n, type: number}]
outputs: [{id: o, type: number}]
rule_sets:
  - valid_from: "2026-01-01"
    rules: [{when: {}, then: {o: "1"}, otherwise: {}}]
`, `unknown key "otherwise"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Load([]File{{Name: "t.yaml", Data: []byte(tt.yaml)}})
			if len(probs) == 0 {
				probs = Validate(b)
			}
			if !strings.Contains(probs.Error(), tt.want) {
				t.Fatalf("want %q in\n%v", tt.want, probs)
			}
		})
	}
}

func TestUniqueTableWithTextFallback(t *testing.T) {
	src := `kind: decision_table
id: t
name: {sv: T}
hit_policy: unique
inputs: [{id: kind, type: text}]
outputs: [{id: o, type: number}]
rule_sets:
  - valid_from: "2026-01-01"
    rules:
      - {when: {kind: "bil, mc"}, then: {o: "1"}}
      - {when: {kind: "not bil, mc"}, then: {o: "2"}}
`
	b, probs := Load([]File{{Name: "t.yaml", Data: []byte(src)}})
	if len(probs) == 0 {
		probs = Validate(b)
	}
	if len(probs) > 0 {
		t.Fatalf("a unique table with a 'not' row has no gap or overlap: %v", probs)
	}
	c, _ := Compile(b)
	for in, want := range map[string]float64{"bil": 1, "mc": 1, "traktor": 2} {
		out, err := c.Decide("t", "2026-05-01", map[string]any{"kind": in})
		if err != nil || out["o"] != want {
			t.Errorf("%s: %v %v, want %v", in, out, err, want)
		}
	}
}

func TestDecideCallsAreChecked(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"decide('ceilling', form.date, {'size': form.size, 'area': 'x'}).amount", `decision table "ceilling", which is not in the set`},
		{"decide('ceiling', form.date, {'sise': form.size, 'area': 'x'}).amount", `has no input "sise"`},
		{"decide('ceiling', form.date, {'size': form.size}).amount", `does not give the input "area"`},
		{"decide('ceiling', form.date, {'size': form.size, 'area': 'x'}).amont", `has no output "amont"`},
		{"decide('ceiling', form.date, {'size': form.size, 'area': 'x'}).amount", ""},
	}
	for _, tt := range tests {
		src := strings.Replace(ceilingYAML, `compute: "decide('ceiling', form.date, {'size': form.size, 'area': 'rural'}).amount"`, `compute: "`+tt.expr+`"`, 1)
		b, probs := Load([]File{{Name: "tables.yaml", Data: []byte(src)}})
		if len(probs) == 0 {
			probs = Validate(b)
		}
		var msgs []string
		for _, p := range probs {
			if !strings.Contains(p.Message, "overlap") && !strings.Contains(p.Message, "gap") {
				msgs = append(msgs, p.Message)
			}
		}
		got := strings.Join(msgs, "; ")
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("%s: problems %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// A rule set in a file of its own joins its table; one for an unknown
// table, or overlapping the table's own, is refused with its file and line.
func TestRuleSetDocuments(t *testing.T) {
	table := `kind: decision_table
id: norm
name: {sv: Norm}
hit_policy: first
inputs: [{id: size, type: number}]
outputs: [{id: sek, type: number}]
rule_sets:
  - valid_from: "2024-01-01"
    valid_to: "2024-12-31"
    rules: [{when: {size: "-"}, then: {sek: "100"}}]
`
	later := func(table, from string) string {
		return "kind: rule_set\ntable: " + table + "\nvalid_from: \"" + from + "\"\nvalid_to: \"2026-12-31\"\nrules: [{when: {size: \"-\"}, then: {sek: \"200\"}}]\n"
	}
	b, probs := Load([]File{{Name: "norm.yaml", Data: []byte(table)}, {Name: "city.yaml", Data: []byte(later("norm", "2026-01-01"))}})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	c, probs := Compile(b)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	for date, want := range map[string]float64{"2024-06-01": 100, "2026-06-01": 200} {
		out, err := c.Decide("norm", date, map[string]any{"size": 1.0})
		if err != nil || out["sek"] != want {
			t.Errorf("%s: %v, %v; want %v", date, out, err, want)
		}
	}
	if _, err := c.Decide("norm", "2025-06-01", map[string]any{"size": 1.0}); err == nil {
		t.Error("2025 has no rule set but got an answer")
	}
	for name, tc := range map[string]struct{ file, want string }{
		"unknown table": {later("nrom", "2026-01-01"), `city.yaml:2:8: the rule set is for an unknown decision table "nrom"`},
		"overlap":       {later("norm", "2024-06-01"), `city.yaml:3:13: this rule set's validity overlaps the one at norm.yaml:8`},
		"no end date": {strings.Replace(later("norm", "2026-01-01"), "valid_to: \"2026-12-31\"\n", "", 1),
			`city.yaml:3:13: a rule set in a file of its own needs an end date (valid_to: YYYY-MM-DD)`},
	} {
		b, probs := Load([]File{{Name: "norm.yaml", Data: []byte(table)}, {Name: "city.yaml", Data: []byte(tc.file)}})
		probs = append(probs, Validate(b)...)
		if !strings.Contains(probs.Error(), tc.want) {
			t.Errorf("%s: problems %q, want %q", name, probs.Error(), tc.want)
		}
	}
}
