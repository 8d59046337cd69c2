package process

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/trygg/trygg/internal/persons"
)

// KindLegacyMapping is a legacy mapping document: how the codes of the
// old system a district moves in from (its units, case types, insatser,
// outcomes, forms and the rest) become trygg's, as data the import reads.
const KindLegacyMapping = "legacy_mapping"

// LegacyMapping maps the codes of one old system's export to trygg's.
// Every table is a list of rows, each with the old system's Code and
// what it becomes; a code the tables do not name is refused by the
// import (reported per record), never guessed. The checker checks every
// target the definitions know (case types, steps, insatser, forms and
// their fields, code systems, payment items and the fixed values);
// units, providers and staff are the municipality's data and are
// checked by the import, against the organisation it runs in.
type LegacyMapping struct {
	Kind string `yaml:"kind"`
	ID   Str    `yaml:"id"`
	Name Text   `yaml:"name"`
	// Source names the old system (its name as the export's manifest
	// gives it), for people and the import's report.
	Source Str `yaml:"source"`
	// Units maps the old system's units to trygg's unit ids.
	Units []LegacyUnit `yaml:"units"`
	// CaseTypes maps the old system's case types to case types, with
	// the step an imported case is placed in.
	CaseTypes []LegacyCaseType `yaml:"case_types"`
	// Insatser maps, per case type, the old system's insats codes and
	// free texts to the case type's insatser.
	Insatser     []LegacyInsatser   `yaml:"insatser,omitempty"`
	Outcomes     []LegacyOutcome    `yaml:"outcomes"`
	AmountUnits  []LegacyAmountUnit `yaml:"amount_units,omitempty"`
	Relations    []LegacyRelation   `yaml:"relations,omitempty"`
	Forms        []LegacyForm       `yaml:"forms,omitempty"`
	Providers    []LegacyProvider   `yaml:"providers,omitempty"`
	Staff        []LegacyStaff      `yaml:"staff,omitempty"`
	Deviations   []LegacyDeviation  `yaml:"deviations,omitempty"`
	PaymentItems []LegacyPayment    `yaml:"payment_items,omitempty"`
	// Codes are spellings of codes the old system wrote in forms' values
	// ("D 510", "d510.") and the code of a code system each is.
	Codes []LegacyCodes `yaml:"codes,omitempty"`
}

// LegacyUnit maps a unit's legacy id to a unit id of the municipality.
type LegacyUnit struct {
	Code Str `yaml:"code"`
	Unit Str `yaml:"unit"`
}

// LegacyCaseType maps a legacy case type to CaseType. An open case is
// placed in OpenStep (default: the case type's start step), a closed
// one in ClosedStep (default: its first final step).
type LegacyCaseType struct {
	Code       Str `yaml:"code"`
	CaseType   Str `yaml:"case_type"`
	OpenStep   Str `yaml:"open_step,omitempty"`
	ClosedStep Str `yaml:"closed_step,omitempty"`
}

// LegacyInsatser maps insatser of decisions in cases of CaseType: Codes
// first (the old system's insats codes), then Texts, free-text rules
// tried in order on what the old system has instead of a code.
type LegacyInsatser struct {
	CaseType Str                `yaml:"case_type"`
	Codes    []LegacyInsatsCode `yaml:"codes,omitempty"`
	Texts    []LegacyInsatsText `yaml:"texts,omitempty"`
}

// LegacyInsatsCode maps an insats code to Insats, a code of the case
// type's insatser code system.
type LegacyInsatsCode struct {
	Code   Str `yaml:"code"`
	Insats Str `yaml:"insats"`
}

// LegacyInsatsText is a free-text rule: a text that has the words of
// Text, in this order and next to each other (whole words, any case,
// any punctuation between them), is Insats. A word of Text ending in *
// matches every word that starts with it ("dusch*" matches
// "Duschhjälp"), for Swedish compounds.
type LegacyInsatsText struct {
	Text   Str `yaml:"text"`
	Insats Str `yaml:"insats"`
}

// LegacyOutcome maps a decision's outcome code to granted, partly or
// refused.
type LegacyOutcome struct {
	Code    Str `yaml:"code"`
	Outcome Str `yaml:"outcome"`
}

// LegacyAmountUnit says what a decision's amount with the unit Code
// counts (hours, money or count) and the Factor (a whole number or a
// fraction such as 1/60; default 1) that turns the export's amount into
// trygg's: hundredths of an hour, öre or a plain number.
type LegacyAmountUnit struct {
	Code   Str `yaml:"code"`
	Unit   Str `yaml:"unit"`
	Factor Str `yaml:"factor,omitempty"`
}

// LegacyRelation maps a relation's kind to guardian, representative,
// god_man or forvaltare.
type LegacyRelation struct {
	Code     Str `yaml:"code"`
	Relation Str `yaml:"relation"`
}

// LegacyForm maps a legacy form to Form and its keys to the form's
// fields; a key not in Fields is reported by the import, not guessed.
type LegacyForm struct {
	Code   Str               `yaml:"code"`
	Form   Str               `yaml:"form"`
	Fields []LegacyFormField `yaml:"fields"`
}

// LegacyFormField maps a legacy form's Key to a field of the form.
type LegacyFormField struct {
	Key   Str `yaml:"key"`
	Field Str `yaml:"field"`
}

// LegacyProvider maps a provider code to a registered provider: a
// company by its OrgNumber, the municipality's own by its Unit, or a
// provider with both.
type LegacyProvider struct {
	Code      Str `yaml:"code"`
	OrgNumber Str `yaml:"org_number,omitempty"`
	Unit      Str `yaml:"unit,omitempty"`
}

// LegacyStaff maps a legacy user id to the Username of a trygg user.
type LegacyStaff struct {
	Code     Str `yaml:"code"`
	Username Str `yaml:"username"`
}

// LegacyDeviation maps a performed insats's deviation code to one of
// Deviations.
type LegacyDeviation struct {
	Code      Str `yaml:"code"`
	Deviation Str `yaml:"deviation"`
}

// LegacyPayment maps a payment's item code to the id of a payment item
// of a case type's decisions.payments.
type LegacyPayment struct {
	Code Str `yaml:"code"`
	Item Str `yaml:"item"`
}

// LegacyCodes are the old system's spellings of codes of CodeSystem.
type LegacyCodes struct {
	CodeSystem Str              `yaml:"code_system"`
	Spellings  []LegacySpelling `yaml:"spellings"`
}

// LegacySpelling says Spelling is the code Code.
type LegacySpelling struct {
	Spelling Str `yaml:"spelling"`
	Code     Str `yaml:"code"`
}

// Deviations are why a provider did not give an insats as planned, as
// the provider's reports say it.
var Deviations = []string{"not_home", "declined", "other"}

var (
	legacyOutcomes    = []string{OutcomeGranted, OutcomePartly, OutcomeRefused}
	legacyAmountUnits = []string{UnitHours, UnitMoney, UnitCount}
	orgNumberPattern  = regexp.MustCompile(`^[0-9]{6}-?[0-9]{4}$`)
	factorPattern     = regexp.MustCompile(`^([0-9]{1,7})(?:/([0-9]{1,7}))?$`)
)

// legacyMappings checks the bundle's legacy mappings.
func (v *validator) legacyMappings(b *Bundle) {
	ids := map[string]bool{}
	for _, m := range b.LegacyMappings {
		if v.id(m.ID, "check.noun.legacy_mapping") {
			if ids[m.ID.Value] {
				v.add(m.ID.Pos, "check.legacy.twice", "Mapping", m.ID.Value)
			}
			ids[m.ID.Value] = true
		}
		v.legacyMapping(b, m)
	}
}

// legacyCode checks a row's code: present and not already in the table
// (seen, named table in the problems). It reports whether the row is
// worth checking further.
func (v *validator) legacyCode(code Str, table string, seen map[string]bool) bool {
	c := strings.TrimSpace(code.Value)
	switch {
	case c == "":
		v.add(code.Pos, "check.legacy.no_code", "Table", table)
		return false
	case seen[c]:
		v.add(code.Pos, "check.legacy.code_twice", "Code", c, "Table", table)
	}
	seen[c] = true
	return true
}

// legacyTarget checks that the row of code in table has its target key.
func (v *validator) legacyTarget(target, code Str, table, key string) bool {
	if target.Value == "" {
		v.add(posOr(target.Pos, code.Pos), "check.legacy.no_target", "Code", code.Value, "Table", table, "Key", key)
		return false
	}
	return true
}

func (v *validator) legacyMapping(b *Bundle, m *LegacyMapping) {
	v.text(m.Name, m.ID.Pos, "check.text.legacy_name")
	if strings.TrimSpace(m.Source.Value) == "" {
		v.add(posOr(m.Source.Pos, m.ID.Pos), "check.legacy.no_source")
	}
	empty := func(n int, table string) bool {
		if n == 0 {
			v.add(m.ID.Pos, "check.legacy.empty", "Table", table)
		}
		return n == 0
	}
	caseTypes := map[string]*CaseType{}
	for _, ct := range b.CaseTypes {
		caseTypes[ct.ID.Value] = ct
	}

	empty(len(m.Units), "units")
	seen := map[string]bool{}
	for _, u := range m.Units {
		if v.legacyCode(u.Code, "units", seen) {
			v.legacyTarget(u.Unit, u.Code, "units", "unit")
		}
	}

	empty(len(m.CaseTypes), "case_types")
	seen = map[string]bool{}
	decides := false
	for _, lc := range m.CaseTypes {
		if !v.legacyCode(lc.Code, "case_types", seen) || !v.legacyTarget(lc.CaseType, lc.Code, "case_types", "case_type") {
			continue
		}
		ct := caseTypes[lc.CaseType.Value]
		if ct == nil {
			v.add(lc.CaseType.Pos, "check.case_type.unknown", "CaseType", lc.CaseType.Value)
			continue
		}
		decides = decides || ct.Decisions != nil
		v.legacyStep(ct, lc.OpenStep, false)
		if lc.ClosedStep.Value != "" {
			v.legacyStep(ct, lc.ClosedStep, true)
		} else if !slices.ContainsFunc(ct.Steps, func(s Step) bool { return s.Final }) {
			v.add(lc.CaseType.Pos, "check.legacy.no_final_step", "CaseType", ct.ID.Value)
		}
	}

	if decides {
		empty(len(m.Insatser), "insatser")
	}
	groups := map[string]bool{}
	for _, g := range m.Insatser {
		if g.CaseType.Value == "" {
			v.add(g.CaseType.Pos, "check.legacy.insatser_no_case_type")
			continue
		}
		ct := caseTypes[g.CaseType.Value]
		if ct == nil {
			v.add(g.CaseType.Pos, "check.case_type.unknown", "CaseType", g.CaseType.Value)
			continue
		}
		if groups[ct.ID.Value] {
			v.add(g.CaseType.Pos, "check.legacy.insatser_twice", "CaseType", ct.ID.Value)
		}
		groups[ct.ID.Value] = true
		if ct.Decisions == nil {
			v.add(g.CaseType.Pos, "check.legacy.no_decisions", "CaseType", ct.ID.Value)
			continue
		}
		if len(g.Codes) == 0 && len(g.Texts) == 0 {
			v.add(g.CaseType.Pos, "check.legacy.insatser_empty", "CaseType", ct.ID.Value)
		}
		cs := ct.Decisions.Insatser.Value
		known := func(in Str) {
			if !v.codeIn(cs, in.Value) {
				v.add(in.Pos, "check.legacy.insats", "Insats", in.Value, "CodeSystem", cs, "CaseType", ct.ID.Value)
			}
		}
		seen = map[string]bool{}
		for _, c := range g.Codes {
			if v.legacyCode(c.Code, "insatser", seen) && v.legacyTarget(c.Insats, c.Code, "insatser", "insats") {
				known(c.Insats)
			}
		}
		texts := map[string]bool{}
		for _, t := range g.Texts {
			words, ok := ruleWords(t.Text.Value)
			switch {
			case !ok:
				v.add(t.Text.Pos, "check.legacy.text_star", "Text", t.Text.Value)
				continue
			case len(words) == 0:
				v.add(t.Text.Pos, "check.legacy.text_no_words", "Text", t.Text.Value)
				continue
			}
			if k := strings.Join(words, " "); texts[k] {
				v.add(t.Text.Pos, "check.legacy.text_twice", "Text", t.Text.Value)
			} else {
				texts[k] = true
			}
			if v.legacyTarget(t.Insats, t.Text, "insatser", "insats") {
				known(t.Insats)
			}
		}
	}

	empty(len(m.Outcomes), "outcomes")
	seen = map[string]bool{}
	for _, o := range m.Outcomes {
		if v.legacyCode(o.Code, "outcomes", seen) && !slices.Contains(legacyOutcomes, o.Outcome.Value) {
			v.add(posOr(o.Outcome.Pos, o.Code.Pos), "check.legacy.outcome", "Value", o.Outcome.Value)
		}
	}

	seen = map[string]bool{}
	for _, a := range m.AmountUnits {
		if !v.legacyCode(a.Code, "amount_units", seen) {
			continue
		}
		if !slices.Contains(legacyAmountUnits, a.Unit.Value) {
			v.add(posOr(a.Unit.Pos, a.Code.Pos), "check.legacy.amount_unit", "Value", a.Unit.Value)
		}
		if _, _, ok := parseFactor(a.Factor.Value); !ok {
			v.add(a.Factor.Pos, "check.legacy.factor", "Value", a.Factor.Value)
		}
	}

	seen = map[string]bool{}
	for _, r := range m.Relations {
		if v.legacyCode(r.Code, "relations", seen) && !persons.RelationKind(r.Relation.Value).Valid() {
			v.add(posOr(r.Relation.Pos, r.Code.Pos), "check.legacy.relation", "Value", r.Relation.Value)
		}
	}

	seen = map[string]bool{}
	for _, lf := range m.Forms {
		if !v.legacyCode(lf.Code, "forms", seen) || !v.legacyTarget(lf.Form, lf.Code, "forms", "form") {
			continue
		}
		f := v.forms[lf.Form.Value]
		if f == nil {
			v.add(lf.Form.Pos, "check.form.unknown", "Form", lf.Form.Value)
			continue
		}
		if len(lf.Fields) == 0 {
			v.add(lf.Form.Pos, "check.legacy.no_fields", "Code", lf.Code.Value)
		}
		keys := map[string]bool{}
		for _, ff := range lf.Fields {
			k := strings.TrimSpace(ff.Key.Value)
			switch {
			case k == "":
				v.add(ff.Key.Pos, "check.legacy.no_key", "Code", lf.Code.Value)
				continue
			case keys[k]:
				v.add(ff.Key.Pos, "check.legacy.key_twice", "Key", k, "Code", lf.Code.Value)
			}
			keys[k] = true
			if !v.legacyTarget(ff.Field, ff.Key, "fields", "field") {
				continue
			}
			if fd := v.formField(f, ff.Field, ff.Key.Pos, "check.legacy.field"); fd != nil && fd.Type.Value == FieldGroup {
				v.add(ff.Field.Pos, "check.legacy.field_group", "Field", fd.ID.Value)
			}
		}
	}

	seen = map[string]bool{}
	for _, p := range m.Providers {
		if !v.legacyCode(p.Code, "providers", seen) {
			continue
		}
		if p.OrgNumber.Value == "" && p.Unit.Value == "" {
			v.add(p.Code.Pos, "check.legacy.provider", "Code", p.Code.Value)
		}
		if p.OrgNumber.Value != "" && !orgNumberPattern.MatchString(p.OrgNumber.Value) {
			v.add(p.OrgNumber.Pos, "check.legacy.org_number", "Value", p.OrgNumber.Value)
		}
	}

	seen = map[string]bool{}
	for _, s := range m.Staff {
		if v.legacyCode(s.Code, "staff", seen) {
			v.legacyTarget(s.Username, s.Code, "staff", "username")
		}
	}

	seen = map[string]bool{}
	for _, d := range m.Deviations {
		if v.legacyCode(d.Code, "deviations", seen) && !slices.Contains(Deviations, d.Deviation.Value) {
			v.add(posOr(d.Deviation.Pos, d.Code.Pos), "check.legacy.deviation", "Value", d.Deviation.Value)
		}
	}

	items := map[string]bool{}
	for _, ct := range b.CaseTypes {
		if ct.Decisions != nil && ct.Decisions.Payments != nil {
			for _, it := range ct.Decisions.Payments.Items {
				items[it.ID.Value] = true
			}
		}
	}
	seen = map[string]bool{}
	for _, p := range m.PaymentItems {
		if v.legacyCode(p.Code, "payment_items", seen) && v.legacyTarget(p.Item, p.Code, "payment_items", "item") && !items[p.Item.Value] {
			v.add(p.Item.Pos, "check.legacy.payment_item", "Item", p.Item.Value)
		}
	}

	systems := map[string]bool{}
	for _, g := range m.Codes {
		cs := v.codes[g.CodeSystem.Value]
		if cs == nil {
			v.add(g.CodeSystem.Pos, "check.code_system.unknown", "CodeSystem", g.CodeSystem.Value)
			continue
		}
		if systems[cs.ID.Value] {
			v.add(g.CodeSystem.Pos, "check.legacy.codes_twice", "CodeSystem", cs.ID.Value)
		}
		systems[cs.ID.Value] = true
		if len(g.Spellings) == 0 {
			v.add(g.CodeSystem.Pos, "check.legacy.no_spellings", "CodeSystem", cs.ID.Value)
		}
		spelt := map[string]bool{}
		for _, s := range g.Spellings {
			k := spellingKey(s.Spelling.Value)
			switch {
			case k == "":
				v.add(s.Spelling.Pos, "check.legacy.no_spelling", "CodeSystem", cs.ID.Value)
				continue
			case spelt[k]:
				v.add(s.Spelling.Pos, "check.legacy.spelling_twice", "Spelling", s.Spelling.Value)
			}
			spelt[k] = true
			if !v.codeIn(cs.ID.Value, s.Code.Value) {
				v.add(posOr(s.Code.Pos, s.Spelling.Pos), "check.legacy.code", "Code", s.Code.Value, "CodeSystem", cs.ID.Value)
			}
		}
	}
}

// legacyStep checks a case type's step an imported case is placed in:
// one of its steps, final for a closed case and not for an open one.
// An empty step is the default and fine.
func (v *validator) legacyStep(ct *CaseType, step Str, closed bool) {
	if step.Value == "" {
		return
	}
	i := slices.IndexFunc(ct.Steps, func(s Step) bool { return s.ID.Value == step.Value })
	switch {
	case i < 0:
		v.add(step.Pos, "check.legacy.step", "CaseType", ct.ID.Value, "Step", step.Value)
	case closed && !ct.Steps[i].Final:
		v.add(step.Pos, "check.legacy.closed_step", "Step", step.Value)
	case !closed && ct.Steps[i].Final:
		v.add(step.Pos, "check.legacy.open_step", "Step", step.Value)
	}
}

// codeIn reports whether code is a code (at any depth) of the code
// system cs.
func (v *validator) codeIn(cs, code string) bool {
	s := v.codes[cs]
	if s == nil || code == "" {
		return false
	}
	var in func([]Code) bool
	in = func(codes []Code) bool {
		for _, c := range codes {
			if c.Code.Value == code || in(c.Children) {
				return true
			}
		}
		return false
	}
	return in(s.Codes)
}

// parseFactor reads an amount unit's factor: "" (1), a whole number or
// num/den, neither zero.
func parseFactor(s string) (num, den int64, ok bool) {
	if s == "" {
		return 1, 1, true
	}
	sm := factorPattern.FindStringSubmatch(strings.TrimSpace(s))
	if sm == nil {
		return 0, 0, false
	}
	num, _ = strconv.ParseInt(sm[1], 10, 64)
	den = 1
	if sm[2] != "" {
		den, _ = strconv.ParseInt(sm[2], 10, 64)
	}
	return num, den, num > 0 && den > 0
}

// textWords splits s into its words, lower case: runs of letters, digits
// and combining marks in any script, after NFC (so "Hemtjänst" written
// with a separate ring matches), everything else a separator.
func textWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(norm.NFC.String(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// ruleWords splits a free-text rule's text as textWords does, keeping
// a * at the end of a word; it reports false for a * elsewhere.
func ruleWords(s string) ([]string, bool) {
	words := strings.FieldsFunc(strings.ToLower(norm.NFC.String(s)), func(r rune) bool {
		return r != '*' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
	for _, w := range words {
		if i := strings.IndexByte(w, '*'); i >= 0 && (i == 0 || i != len(w)-1) {
			return nil, false
		}
	}
	return words, true
}

// spellingKey is how a spelling of a code is compared: lower case,
// without spaces, dots and hyphens ("D 510." and "d510" are the same).
func spellingKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '.' || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, norm.NFC.String(s))
}

// LegacyMap is a checked legacy mapping ready for an import to look codes
// up in. Its lookups are pure and safe for concurrent use. Codes are
// compared as written, without surrounding spaces; a lookup of a code the
// mapping does not name reports false.
type LegacyMap struct {
	// Def is the mapping as written.
	Def *LegacyMapping

	units, outcomes, relations, staff, deviations, payments map[string]string
	caseTypes                                               map[string]LegacyCase
	insatser                                                map[string]*legacyInsatser
	amounts                                                 map[string]legacyAmount
	forms                                                   map[string]*legacyForm
	providers                                               map[string]LegacyProviderRef
	spellings                                               map[string]map[string]string // code system → spelling key → code
	codes                                                   map[string]map[string]string // code system → spelling key → code
}

// LegacyCase is where a legacy case type goes: its case type, and the
// step an open and a closed case are placed in.
type LegacyCase struct {
	CaseType   string
	OpenStep   string
	ClosedStep string
}

// LegacyProviderRef names a registered provider by its organisation
// number, its unit, or both (as providers are registered: one provider
// per organisation number and unit).
type LegacyProviderRef struct {
	OrgNumber string
	Unit      string
}

type legacyInsatser struct {
	codes map[string]string
	texts []legacyText
}

type legacyText struct {
	words  []string
	insats string
}

type legacyAmount struct {
	unit     string
	num, den int64
}

type legacyForm struct {
	id     string
	fields map[string]LegacyField
}

// LegacyField is where a legacy form's key goes: the form and its field,
// with the field's type and code system (for a choice, whose values
// Code reads), so the import can read the value as the field keeps it.
type LegacyField struct {
	Form, Field, Type, CodeSystem string
}

// compileLegacyMapping indexes a checked mapping; codes holds the
// bundle's code systems (code → parent).
func compileLegacyMapping(b *Bundle, m *LegacyMapping, codes map[string]map[string]string) *LegacyMap {
	lm := &LegacyMap{Def: m, units: map[string]string{}, outcomes: map[string]string{}, relations: map[string]string{},
		staff: map[string]string{}, deviations: map[string]string{}, payments: map[string]string{},
		caseTypes: map[string]LegacyCase{}, insatser: map[string]*legacyInsatser{}, amounts: map[string]legacyAmount{},
		forms: map[string]*legacyForm{}, providers: map[string]LegacyProviderRef{}, spellings: map[string]map[string]string{},
		codes: map[string]map[string]string{}}
	key := func(s Str) string { return strings.TrimSpace(s.Value) }
	for _, u := range m.Units {
		lm.units[key(u.Code)] = u.Unit.Value
	}
	for _, lc := range m.CaseTypes {
		c := LegacyCase{CaseType: lc.CaseType.Value, OpenStep: lc.OpenStep.Value, ClosedStep: lc.ClosedStep.Value}
		for _, ct := range b.CaseTypes {
			if ct.ID.Value != c.CaseType {
				continue
			}
			if c.OpenStep == "" {
				c.OpenStep = ct.Start.Value
			}
			if i := slices.IndexFunc(ct.Steps, func(s Step) bool { return s.Final }); c.ClosedStep == "" && i >= 0 {
				c.ClosedStep = ct.Steps[i].ID.Value
			}
		}
		lm.caseTypes[key(lc.Code)] = c
	}
	for _, g := range m.Insatser {
		li := &legacyInsatser{codes: map[string]string{}}
		for _, c := range g.Codes {
			li.codes[key(c.Code)] = c.Insats.Value
		}
		for _, t := range g.Texts {
			words, _ := ruleWords(t.Text.Value)
			li.texts = append(li.texts, legacyText{words: words, insats: t.Insats.Value})
		}
		lm.insatser[g.CaseType.Value] = li
	}
	for _, o := range m.Outcomes {
		lm.outcomes[key(o.Code)] = o.Outcome.Value
	}
	for _, a := range m.AmountUnits {
		num, den, _ := parseFactor(a.Factor.Value)
		lm.amounts[key(a.Code)] = legacyAmount{a.Unit.Value, num, den}
	}
	for _, r := range m.Relations {
		lm.relations[key(r.Code)] = r.Relation.Value
	}
	for _, f := range m.Forms {
		lf := &legacyForm{id: f.Form.Value, fields: map[string]LegacyField{}}
		var def *Form
		for _, bf := range b.Forms {
			if bf.ID.Value == f.Form.Value {
				def = bf
			}
		}
		for _, ff := range f.Fields {
			fd := LegacyField{Form: f.Form.Value, Field: ff.Field.Value}
			if def != nil {
				for _, d := range def.allFields() {
					if d.ID.Value == ff.Field.Value {
						fd.Type, fd.CodeSystem = d.Type.Value, d.CodeSystem.Value
					}
				}
			}
			lf.fields[key(ff.Key)] = fd
		}
		lm.forms[key(f.Code)] = lf
	}
	for _, p := range m.Providers {
		lm.providers[key(p.Code)] = LegacyProviderRef{OrgNumber: p.OrgNumber.Value, Unit: p.Unit.Value}
	}
	for _, s := range m.Staff {
		lm.staff[key(s.Code)] = s.Username.Value
	}
	for _, d := range m.Deviations {
		lm.deviations[key(d.Code)] = d.Deviation.Value
	}
	for _, p := range m.PaymentItems {
		lm.payments[key(p.Code)] = p.Item.Value
	}
	for _, g := range m.Codes {
		sp := map[string]string{}
		for _, s := range g.Spellings {
			sp[spellingKey(s.Spelling.Value)] = s.Code.Value
		}
		lm.spellings[g.CodeSystem.Value] = sp
	}
	for cs, all := range codes {
		byKey := map[string]string{}
		for code := range all {
			byKey[spellingKey(code)] = code
		}
		lm.codes[cs] = byKey
	}
	return lm
}

// LegacyMapping returns the legacy mapping with id, or nil when the
// bundle has none by that id. The id "" names the bundle's only mapping
// (nil when it has none or several).
func (c *Compiled) LegacyMapping(id string) *LegacyMap {
	if id == "" {
		if len(c.legacy) == 1 {
			for _, m := range c.legacy {
				return m
			}
		}
		return nil
	}
	return c.legacy[id]
}

// LegacyMappings returns the ids of the bundle's legacy mappings, in the
// order they were written.
func (c *Compiled) LegacyMappings() []string {
	var out []string
	for _, m := range c.Bundle.LegacyMappings {
		out = append(out, m.ID.Value)
	}
	return out
}

func lookup(m map[string]string, code string) (string, bool) {
	v, ok := m[strings.TrimSpace(code)]
	return v, ok
}

// Unit returns the unit id of the legacy unit code, or false.
func (m *LegacyMap) Unit(code string) (string, bool) { return lookup(m.units, code) }

// CaseType returns where cases of the legacy case type code go, or false.
func (m *LegacyMap) CaseType(code string) (LegacyCase, bool) {
	c, ok := m.caseTypes[strings.TrimSpace(code)]
	return c, ok
}

// Insats returns the insats of a decision in a case of caseType whose
// legacy insats is codeOrText: the insats of that code, else of the
// first free-text rule whose words the text has. rule is 0 for a code
// and n for the n-th free-text rule (from 1), so a report can say
// "mapped from free text by rule n". It returns false when neither
// matches or the mapping has nothing for caseType.
func (m *LegacyMap) Insats(caseType, codeOrText string) (insats string, rule int, ok bool) {
	g := m.insatser[caseType]
	if g == nil {
		return "", 0, false
	}
	if in, ok := lookup(g.codes, codeOrText); ok {
		return in, 0, true
	}
	words := textWords(codeOrText)
	for i, t := range g.texts {
		if hasPhrase(words, t.words) {
			return t.insats, i + 1, true
		}
	}
	return "", 0, false
}

// hasPhrase reports whether phrase occurs in words, word for word (a
// phrase word ending in * matching a word it starts).
func hasPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		if slices.EqualFunc(words[i:i+len(phrase)], phrase, func(w, p string) bool {
			if prefix, ok := strings.CutSuffix(p, "*"); ok {
				return strings.HasPrefix(w, prefix)
			}
			return w == p
		}) {
			return true
		}
	}
	return false
}

// InsatsText returns the text of the n-th free-text rule (from 1) of
// caseType's insatser, as written, or "".
func (m *LegacyMap) InsatsText(caseType string, rule int) string {
	for _, g := range m.Def.Insatser {
		if g.CaseType.Value == caseType && rule >= 1 && rule <= len(g.Texts) {
			return g.Texts[rule-1].Text.Value
		}
	}
	return ""
}

// Outcome returns granted, partly or refused for the legacy outcome
// code, or false.
func (m *LegacyMap) Outcome(code string) (string, bool) { return lookup(m.outcomes, code) }

// AmountUnit returns what an amount of the legacy unit code counts
// (hours, money or count), or false.
func (m *LegacyMap) AmountUnit(code string) (string, bool) {
	a, ok := m.amounts[strings.TrimSpace(code)]
	return a.unit, ok
}

// Amount returns the legacy amount in the legacy unit code as trygg
// counts it: the unit and the amount times the unit's factor, rounded
// to the nearest (halves away from zero). It returns false for an
// unknown unit or an amount too large to convert.
func (m *LegacyMap) Amount(code string, amount int64) (unit string, v int64, ok bool) {
	a, ok := m.amounts[strings.TrimSpace(code)]
	if !ok {
		return "", 0, false
	}
	p := amount * a.num
	if amount != 0 && p/amount != a.num {
		return "", 0, false
	}
	q, r := p/a.den, p%a.den
	if 2*abs64(r) >= a.den {
		if p < 0 {
			q--
		} else {
			q++
		}
	}
	return a.unit, q, true
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// Relation returns the relation kind of the legacy relation code, or
// false.
func (m *LegacyMap) Relation(code string) (string, bool) { return lookup(m.relations, code) }

// Form returns the form of the legacy form code and a function that
// gives the form's field of a legacy key (false: the key is not mapped,
// for the import to report), or false for an unknown form code.
func (m *LegacyMap) Form(code string) (form string, field func(key string) (string, bool), ok bool) {
	f := m.forms[strings.TrimSpace(code)]
	if f == nil {
		return "", nil, false
	}
	return f.id, func(key string) (string, bool) {
		fd, ok := f.fields[strings.TrimSpace(key)]
		return fd.Field, ok
	}, true
}

// FormField returns where the key of the legacy form code goes, or false
// when the form or the key is not mapped.
func (m *LegacyMap) FormField(code, key string) (LegacyField, bool) {
	f := m.forms[strings.TrimSpace(code)]
	if f == nil {
		return LegacyField{}, false
	}
	fd, ok := f.fields[strings.TrimSpace(key)]
	return fd, ok
}

// Provider returns the provider of the legacy provider code, or false.
func (m *LegacyMap) Provider(code string) (LegacyProviderRef, bool) {
	p, ok := m.providers[strings.TrimSpace(code)]
	return p, ok
}

// Staff returns the username of the legacy user id, or false.
func (m *LegacyMap) Staff(legacyID string) (string, bool) { return lookup(m.staff, legacyID) }

// Deviation returns the deviation (one of Deviations) of the legacy
// deviation code, or false.
func (m *LegacyMap) Deviation(code string) (string, bool) { return lookup(m.deviations, code) }

// PaymentItem returns the payment item id of the legacy item code, or
// false.
func (m *LegacyMap) PaymentItem(code string) (string, bool) { return lookup(m.payments, code) }

// Code returns the code of the code system cs that the legacy spelling
// is: the mapping's spellings first, then a code of cs written in
// another case or with spaces, dots or hyphens ("D 510." is d510). It
// returns false when neither knows the spelling.
func (m *LegacyMap) Code(cs, spelling string) (string, bool) {
	k := spellingKey(spelling)
	if k == "" {
		return "", false
	}
	if c, ok := m.spellings[cs][k]; ok {
		return c, true
	}
	c, ok := m.codes[cs][k]
	return c, ok
}
