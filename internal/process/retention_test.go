package process

import (
	"os"
	"strings"
	"testing"
)

// retentionBase is a case type with insatser for retention rules to name.
const retentionBase = `kind: code_system
id: ins
name: {sv: Insatser}
codes:
  - {code: hem, label: {sv: Familjehem}}
  - {code: stod, label: {sv: Stöd}}
---
kind: case_type
id: barn
name: {sv: Barn}
field: IFO
start: a
steps: [{id: a, name: {sv: A}}, {id: b, name: {sv: B}, final: true}]
transitions: [{id: close, name: {sv: Stäng}, from: [a], to: b, roles: [handlaggare]}]
decisions: {insatser: ins, legal_bases: ["SoL"], delegation: [{roles: [handlaggare]}]}
---
`

const retentionYAML = `kind: retention
id: plan
name: {sv: Plan}
rules:
  - id: placering
    name: {sv: Placering}
    basis: "SoL 12 kap. 2 §"
    record: personakt
    case_types: [barn]
    insatser: [hem]
    action: keep
  - id: akt
    name: {sv: Personakt}
    basis: "SoL 16 kap. 4 §"
    record: personakt
    action: purge
    starts: last_entry
    years: 5
  - id: avtal
    name: {sv: Avtal}
    basis: "SoL 12 kap. 2 §"
    record: agreement
    action: purge
    starts: eighteenth_birthday
    years: 0
sample:
  basis: "SoF 13 kap. 1 §"
  days: [5, 15, 25]
deadline: {basis: "SoL", warn_months: 3}
access_log: {basis: "HSLF-FS 2016:40", years: 5}
`

func TestValidateRetention(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"unknown action", "action: keep", "action: spara", []string{`r.yaml:27:13: unknown action "spara": use purge or keep`}},
		{"unknown start", "starts: last_entry", "starts: last_visit", []string{`unknown starts "last_visit"`}},
		{"bad years", "years: 5", "years: fem", []string{`years must be a whole number of years, 0 to 200, not "fem"`}},
		{"no basis", "    basis: \"SoL 16 kap. 4 §\"\n", "", []string{`the retention rule "akt" needs basis`}},
		{"unknown case type and insats", "case_types: [barn]\n    insatser: [hem]", "case_types: [bar]\n    insatser: [hvb]", []string{`unknown case type "bar"`, `the insats "hvb" is not among the case types' insatser`}},
		{"keep with period", "insatser: [hem]\n    action: keep", "insatser: [hem]\n    action: keep\n    years: 5", []string{`the rule "placering" keeps: it takes no starts or years`}},
		{"rule twice", "id: avtal", "id: akt", []string{`a retention rule with id "akt" is defined twice`}},
		{"sample day", "days: [5, 15, 25]", "days: [5, 15, 32]", []string{`a day in sample.days must be 1 to 31, not "32"`}},
		{"record", "record: agreement", "record: avtal", []string{`unknown record "avtal"`}},
		{"access log", "years: 5}", "years: 0}", []string{`access_log.years must be 1 to 100 years`}},
		{"twice", "kind: retention\nid: plan", "kind: retention\nid: plan2\nname: {sv: X}\nrules: []\nsample: {basis: x}\ndeadline: {warn_months: 1}\naccess_log: {years: 1}\n---\nkind: retention\nid: plan", []string{`there are retention rules already`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(retentionYAML, tt.from) {
				t.Fatalf("the base has no %q", tt.from)
			}
			doc := strings.Replace(retentionYAML, tt.from, tt.to, 1)
			b, probs := Load([]File{{Name: "r.yaml", Data: []byte(retentionBase + doc)}})
			probs = append(probs, Validate(b)...)
			all := probs.Error()
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q:\n%s", w, all)
				}
			}
			for _, p := range probs {
				if p.Pos.File != "r.yaml" || p.Pos.Line < 1 || p.Pos.Column < 1 {
					t.Errorf("problem without a place: %v", p)
				}
				if p.ID != "" && p.In("sv") == p.Message {
					t.Errorf("problem %s has no Swedish", p.ID)
				}
			}
		})
	}
	b, probs := Load([]File{{Name: "r.yaml", Data: []byte(retentionBase + retentionYAML)}})
	if probs = append(probs, Validate(b)...); len(probs) > 0 {
		t.Fatalf("the base has problems: %v", probs)
	}
}

func TestRetentionDecide(t *testing.T) {
	b, probs := Load([]File{{Name: "r.yaml", Data: []byte(retentionBase + retentionYAML)}})
	if probs = append(probs, Validate(b)...); len(probs) > 0 {
		t.Fatal(probs)
	}
	r := b.Retentions[0]
	tests := []struct {
		name string
		p    RetentionPerson
		asOf string
		want string // case:action:rule:duty:deadline, space separated
	}{
		{"five years after the last entry", RetentionPerson{ID: "p", BirthDate: "1980-03-04", Cases: []RetentionCase{
			{ID: "a", CaseType: "barn", Closed: "2019-05-01", LastEntry: "2019-05-02"}}}, "2025-01-01",
			"a:purge:akt:2024-05-02:2025-12-31"},
		{"not yet due", RetentionPerson{ID: "p", BirthDate: "1980-03-04", Cases: []RetentionCase{
			{ID: "a", CaseType: "barn", Closed: "2019-05-01", LastEntry: "2019-05-02"}}}, "2024-05-01", ""},
		{"the personakt waits for the person's newest entry", RetentionPerson{ID: "p", BirthDate: "1980-03-04", Cases: []RetentionCase{
			{ID: "a", CaseType: "barn", Closed: "2012-05-01", LastEntry: "2012-05-02"},
			{ID: "b", CaseType: "barn", Closed: "2022-01-01", LastEntry: "2022-01-01"}}}, "2025-01-01", ""},
		{"an open case holds the personakt", RetentionPerson{ID: "p", BirthDate: "1980-03-04", Cases: []RetentionCase{
			{ID: "a", CaseType: "barn", Closed: "2012-05-01", LastEntry: "2012-05-02"},
			{ID: "b", CaseType: "barn", LastEntry: "2013-01-01"}}}, "2025-01-01", ""},
		{"born on the 15th: archived", RetentionPerson{ID: "p", BirthDate: "1980-03-15", Cases: []RetentionCase{
			{ID: "a", CaseType: "barn", Closed: "2019-05-01", LastEntry: "2019-05-02"}}}, "2025-01-01",
			"a:archive:akt:2024-05-02:2025-12-31"},
		{"born on the 5th: archived", RetentionPerson{ID: "p", BirthDate: "1980-03-05", Cases: []RetentionCase{
			{ID: "a", CaseType: "barn", Closed: "2019-05-01", LastEntry: "2019-05-02"}}}, "2025-01-01",
			"a:archive:akt:2024-05-02:2025-12-31"},
		{"a placement is kept", RetentionPerson{ID: "p", BirthDate: "2010-03-04", Cases: []RetentionCase{
			{ID: "a", CaseType: "barn", Closed: "2012-05-01", LastEntry: "2012-05-02", Insatser: []string{"hem"}},
			{ID: "b", CaseType: "barn", Closed: "2012-05-01", LastEntry: "2012-05-02", Insatser: []string{"stod"}}}}, "2025-01-01",
			"a:keep:placering:: b:purge:akt:2017-05-02:2018-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, o := range r.Decide(tt.p, tt.asOf) {
				got = append(got, strings.Join([]string{o.CaseID, o.Action, o.Rule, o.DutyFrom, o.Deadline}, ":"))
			}
			if s := strings.Join(got, " "); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
	if got := addYears("2020-02-29", 1); got != "2021-02-28" {
		t.Errorf("29 February plus a year: %s", got)
	}
	if got := r.WarnFrom("2025-12-31"); got != "2025-09-30" {
		t.Errorf("warn from %s", got)
	}
}

// TestRetentionDocumented: the definition guide has the retention section.
func TestRetentionDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/definitions.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"## Retention (`kind: retention`)", "`last_entry`", "`eighteenth_birthday`", "`sample`", "`access_log`"} {
		if !strings.Contains(string(doc), k) {
			t.Errorf("docs/definitions.md lacks %s", k)
		}
	}
}
