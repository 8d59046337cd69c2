package process

import (
	"slices"
	"unicode/utf8"
)

// CitizenApplication lets citizens apply for a case type online, on Mina
// sidor: which form they fill in, what the application is called, what
// happens after it is sent, and which unit receives it. It is data, so a
// municipality decides what can be applied for online by publishing
// definitions, not by changing code.
type CitizenApplication struct {
	// Form is the form the citizen fills in: one of the start step's
	// forms. Sent, it is the case's signed form, signed by the citizen.
	Form Str `yaml:"form"`
	// Title is what the application is called on the portal, and the
	// new case's title (in Swedish).
	Title Text `yaml:"title"`
	// Intro is shown above the form: who may apply, what to attach.
	Intro Text `yaml:"intro,omitempty"`
	// Next says what happens after the application is sent; the receipt
	// shows it.
	Next Text `yaml:"next"`
	// EarlierCaseUnit sends the application to the unit of the person's
	// most recent case of this case type, if there is one (and to its
	// officer, if they still work there): whoever knows the person gets
	// it.
	EarlierCaseUnit bool `yaml:"earlier_case_unit,omitempty"`
	// Unit is the unit that receives the applications otherwise (the
	// municipality's intake, mottagning). Pack definitions leave it out:
	// unit ids are the municipality's.
	Unit Str `yaml:"unit,omitempty"`
}

// citizenApplicationTextMax bounds the texts a person reads on a phone.
const citizenApplicationTextMax = 1000

// citizenApplication checks a case type's citizen_application: a form of
// the start step, a title and what happens next in Swedish, and a way to
// route the applications to a unit.
func (v *validator) citizenApplication(ct *CaseType, steps map[string]*Step) {
	ca := ct.CitizenApplication
	if ca == nil {
		return
	}
	switch start := steps[ct.Start.Value]; {
	case ca.Form.Value == "":
		v.add(ct.ID.Pos, "check.citizen_application.no_form")
	case v.forms[ca.Form.Value] == nil:
		v.add(ca.Form.Pos, "check.form.unknown", "Form", ca.Form.Value)
	case start != nil && !slices.ContainsFunc(start.Forms, func(s Str) bool { return s.Value == ca.Form.Value }):
		v.add(ca.Form.Pos, "check.citizen_application.not_start_form", "Form", ca.Form.Value, "Step", ct.Start.Value)
	}
	if f := v.forms[ca.Form.Value]; f != nil {
		for _, fd := range f.allFields() {
			person := fd.Type.Value == FieldPerson
			for _, sub := range fd.Fields {
				person = person || sub.Type.Value == FieldPerson
			}
			if person {
				v.add(ca.Form.Pos, "check.citizen_application.person_field", "Form", ca.Form.Value, "Field", fd.ID.Value)
			}
		}
	}
	pos := ca.Form.Pos
	if pos.Line == 0 {
		pos = ct.ID.Pos
	}
	v.text(ca.Title, pos, "check.text.citizen_title")
	v.text(ca.Next, pos, "check.text.citizen_next")
	for _, t := range []Text{ca.Title, ca.Intro, ca.Next} {
		if utf8.RuneCountInString(t.SV) > citizenApplicationTextMax || utf8.RuneCountInString(t.EN) > citizenApplicationTextMax {
			v.add(pos, "check.citizen_application.texts_long", "Max", citizenApplicationTextMax)
			break
		}
	}
	if utf8.RuneCountInString(ca.Title.SV) > 200 {
		v.add(pos, "check.citizen_application.title_long", "Max", 200)
	}
	if !ca.EarlierCaseUnit && ca.Unit.Value == "" {
		v.add(pos, "check.citizen_application.no_unit")
	}
}

// CitizenApplications returns the case types citizens may apply for on
// Mina sidor, in the order the definitions give them.
func (c *Compiled) CitizenApplications() []*CaseType {
	var out []*CaseType
	for _, ct := range c.Bundle.CaseTypes {
		if ct.CitizenApplication != nil {
			out = append(out, ct)
		}
	}
	return out
}
