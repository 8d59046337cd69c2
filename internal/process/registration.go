package process

import (
	"fmt"
	"slices"
	"sort"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
)

// Registration says what trygg fills in when an officer registers a
// report or an application of the case type in the staff pages: the form
// of the start step that gets a draft with what trygg already knows (the
// person, their representative or guardians, the address), the date
// field the day it was received goes in, and the new case's title. It is
// data, so each case type decides which of its fields are filled and how,
// and no Go code knows a form of a pack.
type Registration struct {
	// Form is the form that gets the draft: one of the start step's
	// forms.
	Form Str `yaml:"form"`
	// ReceivedDate is a date field of Form that gets the day the report
	// or application was received (today unless the officer says an
	// earlier day). A deadline that counts from this field (from) counts
	// from that day as soon as the case is opened.
	ReceivedDate Str `yaml:"received_date,omitempty"`
	// Title is the new case's title; the case type's name without it.
	Title Text `yaml:"title,omitempty"`
	// Values maps fields of Form to expressions over what is known when
	// the case is registered (see RegistrationFacts): each field gets
	// its expression's value in the draft.
	Values map[string]Str `yaml:"values,omitempty"`
}

// RegistrationFacts are what trygg knows as an officer registers a report
// or application, the values of a Registration's expressions:
//
//	person.name, person.given_name, person.family_name (string)
//	person.address (string: "street, postal code city", or "")
//	person.age (int), person.sex (string: "M", "F" or "")
//	representative.name (string: who acts for the person, "" for no one;
//	  a child's guardians are named together, "A, B")
//	representative.kind (string: guardian, representative, god_man,
//	  forvaltare, or "")
//	representative.role (string: the kind in Swedish, "Vårdnadshavare",
//	  "God man" …, or "")
//	received_date, today (string, YYYY-MM-DD)
//
// Identity numbers are never among them.
type RegistrationFacts struct {
	PersonName, GivenName, FamilyName, Address string
	Age                                        int
	Sex                                        string
	RepresentativeName, RepresentativeKind     string
	ReceivedDate, Today                        string
}

// registrationVars are the variables of a Registration's expressions.
var registrationVars = []cel.EnvOption{
	cel.Variable("person.name", cel.StringType),
	cel.Variable("person.given_name", cel.StringType),
	cel.Variable("person.family_name", cel.StringType),
	cel.Variable("person.address", cel.StringType),
	cel.Variable("person.age", cel.IntType),
	cel.Variable("person.sex", cel.StringType),
	cel.Variable("representative.name", cel.StringType),
	cel.Variable("representative.kind", cel.StringType),
	cel.Variable("representative.role", cel.StringType),
	cel.Variable("received_date", cel.StringType),
	cel.Variable("today", cel.StringType),
}

// registrationEnv is the environment of a Registration's expressions.
func registrationEnv() (*cel.Env, error) {
	return cel.NewEnv(append(append([]cel.EnvOption{}, registrationVars...), helperFunctions...)...)
}

// registrationFieldTypes are the field types a registration may fill.
var registrationFieldTypes = map[string]bool{FieldText: true, FieldLongText: true, FieldChoice: true, FieldDate: true, FieldYesNo: true}

// relationRoles are the kinds a representative may be of, each with the
// id of its name in the message files.
var relationRoles = map[string]string{"guardian": "form.relation.guardian", "representative": "form.relation.representative",
	"god_man": "form.relation.god_man", "forvaltare": "form.relation.forvaltare"}

// registration checks a case type's registration: a form of the start
// step; a received_date that is a date field of it; and values that fill
// fields of it a registration may fill (text, long_text, choice, date,
// yes_no, not computed), each with an expression of the field's type.
func (v *validator) registration(ct *CaseType, steps map[string]*Step) {
	r := ct.Registration
	if r == nil {
		return
	}
	pos := r.Form.Pos
	if pos.Line == 0 {
		pos = ct.ID.Pos
	}
	if r.Title.SV == "" && r.Title.EN != "" {
		v.add(pos, "check.text.registration_title")
	}
	if utf8.RuneCountInString(r.Title.SV) > 200 || utf8.RuneCountInString(r.Title.EN) > 200 {
		v.add(pos, "check.registration.title_long", "Max", 200)
	}
	var f *Form
	switch start := steps[ct.Start.Value]; {
	case r.Form.Value == "":
		v.add(pos, "check.registration.no_form")
		return
	case v.forms[r.Form.Value] == nil:
		v.add(r.Form.Pos, "check.form.unknown", "Form", r.Form.Value)
		return
	case start != nil && !slices.ContainsFunc(start.Forms, func(s Str) bool { return s.Value == r.Form.Value }):
		v.add(r.Form.Pos, "check.registration.not_start_form", "Form", r.Form.Value, "Step", ct.Start.Value)
	}
	f = v.forms[r.Form.Value]
	if r.ReceivedDate.Value != "" {
		if fd := v.formField(f, r.ReceivedDate, pos, "check.registration.received_field"); fd != nil && fd.Type.Value != FieldDate {
			v.add(r.ReceivedDate.Pos, "check.registration.received_not_date", "Field", fd.ID.Value, "Type", fd.Type.Value)
		}
	}
	env, err := registrationEnv()
	if err != nil {
		v.add(pos, "check.expr.env", "Detail", err.Error())
		return
	}
	for _, id := range sortedKeys(r.Values) {
		expr := r.Values[id]
		at := expr.Pos
		if at.Line == 0 {
			at = pos
		}
		fd := v.formField(f, Str{Value: id, Pos: at}, at, "check.registration.values_field")
		if fd == nil {
			continue
		}
		switch {
		case id == r.ReceivedDate.Value:
			v.add(at, "check.registration.values_received", "Field", id)
		case !registrationFieldTypes[fd.Type.Value]:
			v.add(at, "check.registration.values_type", "Field", id, "Type", fd.Type.Value)
		case fd.Compute.Value != "":
			v.add(at, "check.registration.values_computed", "Field", id)
		case expr.Value == "":
			v.add(at, "check.registration.values_empty", "Field", id)
		default:
			v.expr(env, Str{Value: expr.Value, Pos: at}, celType(fd.Type.Value))
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// compiledRegistration is a Registration with its expressions compiled.
type compiledRegistration struct {
	def    *Registration
	values map[string]cel.Program
}

// compileRegistration compiles a validated case type's registration.
func compileRegistration(ct *CaseType) *compiledRegistration {
	r := ct.Registration
	if r == nil {
		return nil
	}
	env, err := registrationEnv()
	if err != nil {
		panic("process: registration environment: " + err.Error())
	}
	cr := &compiledRegistration{def: r, values: map[string]cel.Program{}}
	for id, expr := range r.Values {
		prg, err := compile(env, expr.Value, nil)
		if err != nil { // Validate compiled the same expression already
			panic(fmt.Sprintf("process: %s: %v", expr.Value, err))
		}
		cr.values[id] = prg
	}
	return cr
}

// Registration returns the case type's registration (nil when it has
// none).
func (c *Compiled) Registration(caseType string) *Registration {
	if cct, ok := c.caseTypes[caseType]; ok {
		return cct.def.Registration
	}
	return nil
}

// RegistrationTitle returns the title of a case of the type registered
// by an officer, in lang: its registration's title, or else the case
// type's name.
func (c *Compiled) RegistrationTitle(caseType, lang string) string {
	cct, ok := c.caseTypes[caseType]
	if !ok {
		return caseType
	}
	if r := cct.def.Registration; r != nil && r.Title.SV != "" {
		return r.Title.In(lang)
	}
	return cct.def.Name.In(lang)
}

// RegistrationDraft returns the form of the start step that a case of
// the type registered by an officer gets a draft of, and the draft's
// values from facts: the received date in its field and each of the
// registration's values. ok is false when the case type has no
// registration. An expression that fails to evaluate leaves its field
// empty: the draft is the officer's to finish.
func (c *Compiled) RegistrationDraft(caseType string, facts RegistrationFacts) (form string, values map[string]any, ok bool) {
	cct, found := c.caseTypes[caseType]
	if !found || cct.registration == nil {
		return "", nil, false
	}
	r := cct.registration
	values = map[string]any{}
	if r.def.ReceivedDate.Value != "" && facts.ReceivedDate != "" {
		values[r.def.ReceivedDate.Value] = facts.ReceivedDate
	}
	role := ""
	if id, ok := relationRoles[facts.RepresentativeKind]; ok {
		role = newNote(id).in("sv")
	}
	act := map[string]any{
		"person.name": facts.PersonName, "person.given_name": facts.GivenName, "person.family_name": facts.FamilyName,
		"person.address": facts.Address, "person.age": int64(facts.Age), "person.sex": facts.Sex,
		"representative.name": facts.RepresentativeName, "representative.kind": facts.RepresentativeKind,
		"representative.role": role, "received_date": facts.ReceivedDate, "today": facts.Today,
	}
	for _, id := range sortedKeys(r.values) {
		out, _, err := r.values[id].Eval(act)
		if err != nil {
			continue
		}
		v := out.Value()
		if s, isString := v.(string); isString && s == "" {
			continue
		}
		values[id] = v
	}
	return r.def.Form.Value, values, true
}

// Registrable reports whether officers register reports and applications
// of case type ct in the unit with path unitPath ("/a/b/c/") working in
// field: the case type's units name the unit or one above it, or, when it
// names none, the unit works in the case type's field (a home-care
// application is registered in elderly care, a report about a child in
// individual and family care).
func (c *Compiled) Registrable(ct, unitPath, field string) bool {
	cct, ok := c.caseTypes[ct]
	if !ok || !c.UnitAllowed(ct, unitPath) {
		return false
	}
	return len(cct.def.Units) > 0 || cct.def.Field.Value == field
}
