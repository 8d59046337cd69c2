package process

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// legacyBase is what legacy mappings map to: a case type with insatser,
// steps, a form and payment items, and a needs code system. It has 29
// lines, so the mapping below starts on line 30 of m.yaml.
const legacyBase = `kind: code_system
id: ins
name: {sv: Insatser}
codes:
  - {code: hemtjanst, label: {sv: Hemtjänst}, children: [{code: hemtjanst_service, label: {sv: Service}}]}
  - {code: larm, label: {sv: Trygghetslarm}}
---
kind: code_system
id: icf
name: {sv: ICF}
codes: [{code: d510, label: {sv: Tvätta sig}}, {code: d540, label: {sv: Klä sig}}]
---
kind: form
id: utredning
name: {sv: Utredning}
sections: [{id: s, label: {sv: S}, fields: [{id: behov, type: long_text, label: {sv: Behov}}, {id: rader, type: group, label: {sv: Rader}, fields: [{id: x, type: text, label: {sv: X}}]}]}]
---
kind: case_type
id: aldre
name: {sv: Äldre}
field: AO
start: ansokan
steps: [{id: ansokan, name: {sv: Ansökan}}, {id: utredning, name: {sv: Utredning}, forms: [utredning]}, {id: avslutat, name: {sv: Avslutat}, final: true}]
transitions: [{id: utred, name: {sv: Utred}, from: [ansokan], to: utredning, roles: [handlaggare]}, {id: stang, name: {sv: Stäng}, from: [ansokan, utredning], to: avslutat, roles: [handlaggare]}]
decisions:
  insatser: ins
  legal_bases: ["SoL"]
  delegation: [{roles: [handlaggare]}]
  payments: {attest: [{roles: [arbetsledare]}], items: [{id: hyra, name: {sv: Hyra}, insatser: [larm], schedule: once, amount: "decision.amount", payee: person}]}
---
`

const legacyYAML = `kind: legacy_mapping
id: procapita_norra
name: {sv: "Tidigare systemet, Norra"}
source: "Gamla systemet 4.2"
units:
  - {code: "1010", unit: norra-ao}
  - {code: "1020", unit: norra-bou}
case_types:
  - {code: ALD, case_type: aldre, open_step: utredning}
  - {code: ALD2, case_type: aldre, closed_step: avslutat}
insatser:
  - case_type: aldre
    codes:
      - {code: HTJ, insats: hemtjanst}
      - {code: HTJS, insats: hemtjanst_service}
    texts:
      - {text: "hemtjänst service", insats: hemtjanst_service}
      - {text: "Hemtjänst", insats: hemtjanst}
      - {text: "trygghetslarm", insats: larm}
      - {text: "dusch*", insats: hemtjanst}
outcomes:
  - {code: B, outcome: granted}
  - {code: D, outcome: partly}
  - {code: A, outcome: refused}
amount_units:
  - {code: TIM, unit: hours}
  - {code: MIN, unit: hours, factor: 1/60}
  - {code: KR, unit: money, factor: 100}
relations:
  - {code: VH, relation: guardian}
  - {code: GM, relation: god_man}
forms:
  - code: UTR
    form: utredning
    fields:
      - {key: BEHOV, field: behov}
providers:
  - {code: HTN, unit: norra-ht}
  - {code: OMS, org_number: "556677-8899"}
staff:
  - {code: u17, username: handlaggare}
deviations:
  - {code: EJH, deviation: not_home}
payment_items:
  - {code: HYRA, item: hyra}
codes:
  - code_system: icf
    spellings:
      - {spelling: "Tvätt", code: d510}
`

// legacyLine is the line of m.yaml on which the mapping's line n (from
// 1) is.
func legacyLine(n int) int { return strings.Count(legacyBase, "\n") + n }

func TestValidateLegacyMapping(t *testing.T) {
	// at is the problem msg at line n of the mapping, in the column
	// where point is written on that line of the mapping the test made.
	at := func(n int, point, msg string) string { return fmt.Sprintf("%d\x00%s\x00%s", n, point, msg) }
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"unknown case type", "{code: ALD, case_type: aldre,", "{code: ALD, case_type: aldr,",
			[]string{at(9, `aldr,`, `unknown case type "aldr"`)}},
		{"unknown step", "open_step: utredning}", "open_step: utredningen}",
			[]string{at(9, `utredningen`, `the case type "aldre" has no step "utredningen"`)}},
		{"open step final", "open_step: utredning}", "open_step: avslutat}",
			[]string{at(9, `avslutat}`, `the step "avslutat" closes the case`)}},
		{"closed step not final", "closed_step: avslutat}", "closed_step: ansokan}",
			[]string{at(10, `ansokan}`, `the step "ansokan" does not close the case`)}},
		{"duplicate legacy code", `{code: "1020", unit: norra-bou}`, `{code: "1010", unit: norra-bou}`,
			[]string{at(7, `"1010", unit: norra-bou`, `the code "1010" is under units already`)}},
		{"duplicate case type code", "{code: ALD2,", "{code: ALD,",
			[]string{at(10, `ALD,`, `the code "ALD" is under case_types already`)}},
		{"unit without target", "{code: \"1020\", unit: norra-bou}", "{code: \"1020\"}",
			[]string{at(7, `"1020"`, `the code "1020" under units needs unit`)}},
		{"no units", "units:\n  - {code: \"1010\", unit: norra-ao}\n  - {code: \"1020\", unit: norra-bou}\n", "units: []\n",
			[]string{at(2, `procapita_norra`, `the legacy mapping needs at least one row under units`)}},
		{"no outcomes", "outcomes:\n  - {code: B, outcome: granted}\n  - {code: D, outcome: partly}\n  - {code: A, outcome: refused}\n", "",
			[]string{at(2, `procapita_norra`, `the legacy mapping needs at least one row under outcomes`)}},
		{"unknown insats by code", "{code: HTJ, insats: hemtjanst}", "{code: HTJ, insats: hemtjänst}",
			[]string{at(14, `hemtjänst}`, `the insats "hemtjänst" is not in the code system "ins", the insatser of the case type "aldre"`)}},
		{"unknown insats by text", "{text: \"trygghetslarm\", insats: larm}", "{text: \"trygghetslarm\", insats: alarm}",
			[]string{at(19, `alarm}`, `the insats "alarm" is not in the code system "ins"`)}},
		{"insatser of an unknown case type", "  - case_type: aldre\n    codes:", "  - case_type: barn\n    codes:",
			[]string{at(12, `barn`, `unknown case type "barn"`)}},
		{"insatser group twice", "outcomes:\n", "  - case_type: aldre\n    texts: [{text: larm, insats: larm}]\noutcomes:\n",
			[]string{`the case type "aldre" has a group under insatser already`}},
		{"rule without words", "{text: \"trygghetslarm\",", "{text: \" -- \",",
			[]string{at(19, `" -- "`, `the text " -- " has no words to recognise`)}},
		{"star inside a word", "{text: \"dusch*\",", "{text: \"du*sch\",",
			[]string{at(20, `"du*sch"`, `the text "du*sch": * may only end a word`)}},
		{"star alone", "{text: \"dusch*\",", "{text: \"dusch *\",",
			[]string{at(20, `"dusch *"`, `the text "dusch *": * may only end a word`)}},
		{"rule twice", "{text: \"Hemtjänst\",", "{text: \"hemtjänst, service\",",
			[]string{at(18, `"hemtjänst, service"`, `the text "hemtjänst, service" is earlier in the group already`)}},
		{"unknown outcome", "{code: D, outcome: partly}", "{code: D, outcome: delvis}",
			[]string{at(23, `delvis`, `unknown outcome "delvis": use granted, partly or refused`)}},
		{"unknown amount unit", "{code: TIM, unit: hours}", "{code: TIM, unit: timmar}",
			[]string{at(26, `timmar`, `unknown unit "timmar": use hours, money or count`)}},
		{"bad factor", "factor: 1/60}", "factor: \"0,5\"}",
			[]string{at(27, `"0,5"`, `factor must be a positive whole number or a fraction such as 1/60, not "0,5"`)}},
		{"zero factor", "factor: 1/60}", "factor: 1/0}",
			[]string{at(27, `1/0`, `factor must be a positive whole number or a fraction such as 1/60, not "1/0"`)}},
		{"unknown relation", "{code: VH, relation: guardian}", "{code: VH, relation: vardnadshavare}",
			[]string{at(30, `vardnadshavare`, `unknown relation "vardnadshavare": use guardian, representative, god_man or forvaltare`)}},
		{"unknown form", "    form: utredning\n", "    form: utredningen\n",
			[]string{at(34, `utredningen`, `unknown form "utredningen"`)}},
		{"unknown field", "{key: BEHOV, field: behov}", "{key: BEHOV, field: behoven}",
			[]string{at(36, `behoven`, `the form "utredning" has no field "behoven"`)}},
		{"group field", "{key: BEHOV, field: behov}", "{key: BEHOV, field: rader}",
			[]string{at(36, `rader`, `the field "rader" is a group of rows`)}},
		{"duplicate key", "      - {key: BEHOV, field: behov}\n", "      - {key: BEHOV, field: behov}\n      - {key: BEHOV, field: behov}\n",
			[]string{at(37, `BEHOV`, `the key "BEHOV" is in the form "UTR" already`)}},
		{"form without fields", "    fields:\n      - {key: BEHOV, field: behov}\n", "    fields: []\n",
			[]string{at(34, `utredning`, `the form "UTR" needs fields`)}},
		{"provider without target", "{code: HTN, unit: norra-ht}", "{code: HTN}",
			[]string{at(38, `HTN`, `the provider "HTN" needs org_number`)}},
		{"bad org number", `org_number: "556677-8899"`, `org_number: "5566778"`,
			[]string{at(39, `"5566778"`, `org_number must be an organisation number of ten digits`)}},
		{"unknown deviation", "deviation: not_home}", "deviation: ej_hemma}",
			[]string{at(43, `ej_hemma`, `unknown deviation "ej_hemma": use not_home, declined or other`)}},
		{"unknown payment item", "{code: HYRA, item: hyra}", "{code: HYRA, item: rent}",
			[]string{at(45, `rent`, `the payment item "rent" is not in any case type's decisions.payments.items`)}},
		{"unknown code system", "  - code_system: icf", "  - code_system: icd",
			[]string{at(47, `icd`, `unknown code system "icd"`)}},
		{"unknown code", "{spelling: \"Tvätt\", code: d510}", "{spelling: \"Tvätt\", code: d5100}",
			[]string{at(49, `d5100`, `the code "d5100" is not in the code system "icf"`)}},
		{"staff without username", "{code: u17, username: handlaggare}", "{code: u17}",
			[]string{at(41, `u17`, `the code "u17" under staff needs username`)}},
		{"no source", "source: \"Gamla systemet 4.2\"\n", "",
			[]string{at(2, `procapita_norra`, `the legacy mapping needs source`)}},
		{"bad id", "id: procapita_norra", "id: Procapita",
			[]string{at(2, `Procapita`, `the legacy mapping id "Procapita" must start with a lower-case letter`)}},
		{"twice", "kind: legacy_mapping\nid: procapita_norra", legacyYAML + "---\nkind: legacy_mapping\nid: procapita_norra",
			[]string{`a legacy mapping with id "procapita_norra" is defined twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(legacyYAML, tt.from) {
				t.Fatalf("the mapping has no %q", tt.from)
			}
			doc := strings.Replace(legacyYAML, tt.from, tt.to, 1)
			b, probs := Load([]File{{Name: "m.yaml", Data: []byte(legacyBase + doc)}})
			if len(probs) == 0 {
				probs = Validate(b)
			}
			all := probs.Error()
			lines := strings.Split(doc, "\n")
			for _, w := range tt.want {
				if p := strings.Split(w, "\x00"); len(p) == 3 {
					n, _ := strconv.Atoi(p[0])
					col := strings.Index(lines[n-1], p[1])
					if col < 0 {
						t.Fatalf("line %d of the mapping has no %q: %q", n, p[1], lines[n-1])
					}
					w = fmt.Sprintf("m.yaml:%d:%d: %s", legacyLine(n), utf8.RuneCountInString(lines[n-1][:col])+1, p[2])
				}
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q:\n%s", w, all)
				}
			}
			if len(probs) != len(tt.want) {
				t.Errorf("want %d problems, got:\n%s", len(tt.want), all)
			}
			for _, p := range probs {
				if p.Pos.File != "m.yaml" || p.Pos.Line < 1 || p.Pos.Column < 1 {
					t.Errorf("problem without a place: %v", p)
				}
				if p.ID != "" && p.In("sv") == p.Message {
					t.Errorf("problem %s has no Swedish", p.ID)
				}
			}
		})
	}
	b, probs := Load([]File{{Name: "m.yaml", Data: []byte(legacyBase + legacyYAML)}})
	if probs = append(probs, Validate(b)...); len(probs) > 0 {
		t.Fatalf("the base has problems: %v", probs)
	}
}

// TestLegacyMappingInSwedish: the checker's problems read in Swedish.
func TestLegacyMappingInSwedish(t *testing.T) {
	doc := strings.Replace(legacyYAML, "{code: HTJ, insats: hemtjanst}", "{code: HTJ, insats: hemtjänst}", 1)
	doc = strings.Replace(doc, `{code: "1020", unit: norra-bou}`, `{code: "1010", unit: norra-bou}`, 1)
	b, probs := Load([]File{{Name: "m.yaml", Data: []byte(legacyBase + doc)}})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	var got []string
	for _, p := range Validate(b) {
		got = append(got, p.In("sv"))
	}
	want := []string{`Koden "1010" finns redan under units`,
		`Insatsen "hemtjänst" finns inte i kodverket "ins" med insatserna för ärendetypen "aldre"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestLegacyNoInsatser: a case type that takes decisions needs insatser
// to map them to, and one with no final step needs closed_step.
func TestLegacyNoInsatser(t *testing.T) {
	i := strings.Index(legacyYAML, "insatser:\n")
	j := strings.Index(legacyYAML, "outcomes:\n")
	doc := legacyYAML[:i] + legacyYAML[j:]
	b, probs := Load([]File{{Name: "m.yaml", Data: []byte(legacyBase + doc)}})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if got, want := Validate(b).Error(), fmt.Sprintf("m.yaml:%d:5: the legacy mapping needs at least one row under insatser", legacyLine(2)); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func compiledLegacy(t *testing.T) *LegacyMap {
	t.Helper()
	b, probs := Load([]File{{Name: "m.yaml", Data: []byte(legacyBase + legacyYAML)}})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	c, probs := Compile(b)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if c.LegacyMapping("nope") != nil {
		t.Error("an unknown mapping id was found")
	}
	if got := c.LegacyMappings(); len(got) != 1 || got[0] != "procapita_norra" {
		t.Errorf("LegacyMappings: %v", got)
	}
	m := c.LegacyMapping("")
	if m == nil || m != c.LegacyMapping("procapita_norra") {
		t.Fatal("the only mapping is not found by \"\" and its id")
	}
	return m
}

func TestLegacyInsats(t *testing.T) {
	m := compiledLegacy(t)
	tests := []struct {
		caseType, in string
		want         string
		rule         int
		ok           bool
	}{
		{"aldre", "HTJ", "hemtjanst", 0, true},
		{"aldre", " HTJS ", "hemtjanst_service", 0, true},
		{"aldre", "htj", "", 0, false}, // codes are as written
		{"aldre", "Hemtjänst, service 3 ggr/v", "hemtjanst_service", 1, true},
		{"aldre", "HEMTJÄNST SERVICE", "hemtjanst_service", 1, true},
		{"aldre", "hemtjänst – service", "hemtjanst_service", 1, true},
		{"aldre", "Hemtja\u0308nst", "hemtjanst", 2, true}, // decomposed ä
		{"aldre", "Beviljad hemtjänst (omvårdnad)", "hemtjanst", 2, true},
		{"aldre", "hemtjänstinsats", "", 0, false}, // whole words only
		{"aldre", "service och hemtjänst", "hemtjanst", 2, true},
		{"aldre", "Trygghetslarm.", "larm", 3, true},
		{"aldre", "larm", "", 0, false},
		{"aldre", "Duschhjälp morgon", "hemtjanst", 4, true},
		{"aldre", "hjälp att duscha", "hemtjanst", 4, true},
		{"aldre", "Hjälp med dusch", "hemtjanst", 4, true},
		{"aldre", "snabbdusch", "", 0, false},
		{"aldre", "", "", 0, false},
		{"barn", "HTJ", "", 0, false},
	}
	for _, tt := range tests {
		in, rule, ok := m.Insats(tt.caseType, tt.in)
		if in != tt.want || rule != tt.rule || ok != tt.ok {
			t.Errorf("Insats(%q, %q) = %q, %d, %v; want %q, %d, %v", tt.caseType, tt.in, in, rule, ok, tt.want, tt.rule, tt.ok)
		}
	}
	if got := m.InsatsText("aldre", 2); got != "Hemtjänst" {
		t.Errorf("InsatsText: %q", got)
	}
	if got := m.InsatsText("aldre", 5); got != "" {
		t.Errorf("InsatsText past the rules: %q", got)
	}
}

func TestLegacyLookups(t *testing.T) {
	m := compiledLegacy(t)
	str := func(v string, ok bool) string { return fmt.Sprintf("%s/%v", v, ok) }
	tests := []struct{ name, got, want string }{
		{"unit", str(m.Unit("1010")), "norra-ao/true"},
		{"unit with spaces", str(m.Unit(" 1020 ")), "norra-bou/true"},
		{"unknown unit", str(m.Unit("9999")), "/false"},
		{"outcome", str(m.Outcome("D")), "partly/true"},
		{"unknown outcome", str(m.Outcome("X")), "/false"},
		{"relation", str(m.Relation("GM")), "god_man/true"},
		{"staff", str(m.Staff("u17")), "handlaggare/true"},
		{"unknown staff", str(m.Staff("u18")), "/false"},
		{"deviation", str(m.Deviation("EJH")), "not_home/true"},
		{"payment item", str(m.PaymentItem("HYRA")), "hyra/true"},
		{"amount unit", str(m.AmountUnit("MIN")), "hours/true"},
		{"unknown amount unit", str(m.AmountUnit("DAG")), "/false"},
		{"code spelt in the table", str(m.Code("icf", " tvätt")), "d510/true"},
		{"code spelt otherwise", str(m.Code("icf", "D 540.")), "d540/true"},
		{"unknown code", str(m.Code("icf", "D999")), "/false"},
		{"code of an unknown code system", str(m.Code("icd", "d510")), "/false"},
		{"empty code", str(m.Code("icf", " . ")), "/false"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, tt.got, tt.want)
		}
	}

	cases := []struct {
		code string
		want LegacyCase
		ok   bool
	}{
		{"ALD", LegacyCase{CaseType: "aldre", OpenStep: "utredning", ClosedStep: "avslutat"}, true},
		{"ALD2", LegacyCase{CaseType: "aldre", OpenStep: "ansokan", ClosedStep: "avslutat"}, true},
		{"BOU", LegacyCase{}, false},
	}
	for _, tt := range cases {
		if got, ok := m.CaseType(tt.code); got != tt.want || ok != tt.ok {
			t.Errorf("CaseType(%q) = %+v, %v", tt.code, got, ok)
		}
	}

	amounts := []struct {
		unit   string
		amount int64
		want   string
	}{
		{"TIM", 1250, "hours 1250 true"},
		{"MIN", 9000, "hours 150 true"},  // 90 minutes: 1.5 hours
		{"MIN", 1000, "hours 17 true"},   // 10 minutes: 0.1666… hours, rounded
		{"MIN", -1000, "hours -17 true"}, // halves and more away from zero
		{"MIN", 30, "hours 1 true"},      // 0.5: away from zero
		{"KR", 1234, "money 123400 true"},
		{"KR", 1 << 62, " 0 false"}, // too large
		{"DAG", 1, " 0 false"},
	}
	for _, tt := range amounts {
		u, v, ok := m.Amount(tt.unit, tt.amount)
		if got := fmt.Sprintf("%s %d %v", u, v, ok); got != tt.want {
			t.Errorf("Amount(%q, %d) = %s, want %s", tt.unit, tt.amount, got, tt.want)
		}
	}

	form, field, ok := m.Form("UTR")
	if form != "utredning" || !ok {
		t.Fatalf("Form(UTR) = %q, %v", form, ok)
	}
	if f, ok := field("BEHOV"); f != "behov" || !ok {
		t.Errorf("field BEHOV = %q, %v", f, ok)
	}
	if f, ok := field("OKAND"); f != "" || ok {
		t.Errorf("an unmapped key gave %q, %v", f, ok)
	}
	if _, field, ok := m.Form("BBIC"); ok || field != nil {
		t.Error("an unknown form was found")
	}
	if f, ok := m.FormField("UTR", " BEHOV"); f != (LegacyField{Form: "utredning", Field: "behov", Type: FieldLongText}) || !ok {
		t.Errorf("FormField(UTR, BEHOV) = %+v, %v", f, ok)
	}
	if _, ok := m.FormField("UTR", "OKAND"); ok {
		t.Error("an unmapped key was found")
	}
	if p, ok := m.Provider("OMS"); p != (LegacyProviderRef{OrgNumber: "556677-8899"}) || !ok {
		t.Errorf("Provider(OMS) = %+v, %v", p, ok)
	}
	if p, ok := m.Provider("HTN"); p != (LegacyProviderRef{Unit: "norra-ht"}) || !ok {
		t.Errorf("Provider(HTN) = %+v, %v", p, ok)
	}
	if _, ok := m.Provider("X"); ok {
		t.Error("an unknown provider was found")
	}
}

// TestLegacyMappingDocumented: the definition guide has the section, and
// its example checks against the guide's complete example.
func TestLegacyMappingDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/definitions.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"## Legacy mappings (`kind: legacy_mapping`)", "`open_step`", "`texts`", "`factor`", "`spellings`", "checked by the import"} {
		if !strings.Contains(string(doc), k) {
			t.Errorf("docs/definitions.md lacks %s", k)
		}
	}
}
