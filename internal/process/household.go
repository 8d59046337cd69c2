package process

import (
	"slices"
)

// Household lets a group field propose its rows from the population
// registry: one row for each member of the household of the person the
// case is about (the person, a partner registered at the same address,
// the children in their custody living there), for the officer or the
// citizen to confirm or leave out. It is data: the group says which of
// its sub-fields take the member's place in the household (a choice,
// by the codes below), age and name, so no Go code knows a form of a
// pack.
type Household struct {
	// Role is a choice sub-field; it gets Alone for the person living
	// without a partner, Couple for the person and the partner each, and
	// Child for each child.
	Role   Str `yaml:"role"`
	Alone  Str `yaml:"alone"`
	Couple Str `yaml:"couple"`
	Child  Str `yaml:"child"`
	// Age is a number sub-field that gets the member's age in whole
	// years (optional).
	Age Str `yaml:"age,omitempty"`
	// Name is a text sub-field that gets the member's given name
	// (optional).
	Name Str `yaml:"name,omitempty"`
}

// Household member kinds: who a member is to the person the case is
// about.
const (
	MemberSelf    = "self"
	MemberPartner = "partner"
	MemberChild   = "child"
)

// Member is someone of a person's household as the registry knows them:
// Kind is one of the Member constants; Name is a given name ("" when it
// may not be shown); Age is in whole years.
type Member struct {
	Kind string
	Name string
	Age  int
}

// HouseholdRow is a row a group proposes for a member of the household:
// Values the row's sub-fields, Label how the member is shown for the
// person to confirm ("Anna, 34 år – Ensamstående vuxen").
type HouseholdRow struct {
	Values map[string]any
	Label  string
}

// HouseholdFields returns the form's group fields that propose rows from
// the registry, with their settings.
func (c *Compiled) HouseholdFields(formID string) map[string]*Household {
	cf, ok := c.forms[formID]
	if !ok {
		return nil
	}
	var out map[string]*Household
	for _, f := range cf.fields {
		if h := f.def.Household; h != nil && f.def.Type.Value == FieldGroup {
			if out == nil {
				out = map[string]*Household{}
			}
			out[f.def.ID.Value] = h
		}
	}
	return out
}

// HouseholdRows returns the rows the group field of the form proposes for
// the members (the person first), in lang: nil when the field proposes
// none or there is no one to propose.
func (c *Compiled) HouseholdRows(formID, field string, members []Member, lang string) []HouseholdRow {
	cf, ok := c.forms[formID]
	if !ok || cf.byID[field] == nil || cf.byID[field].def.Household == nil || len(members) == 0 {
		return nil
	}
	fd := cf.byID[field].def
	h := fd.Household
	var roleSystem string
	for _, sf := range fd.Fields {
		if sf.ID.Value == h.Role.Value {
			roleSystem = sf.CodeSystem.Value
		}
	}
	partner := slices.ContainsFunc(members, func(m Member) bool { return m.Kind == MemberPartner })
	var out []HouseholdRow
	for _, m := range members {
		code := h.Child.Value
		switch {
		case m.Kind == MemberSelf && !partner:
			code = h.Alone.Value
		case m.Kind == MemberSelf || m.Kind == MemberPartner:
			code = h.Couple.Value
		}
		row := HouseholdRow{Values: map[string]any{h.Role.Value: code}}
		if h.Age.Value != "" {
			row.Values[h.Age.Value] = float64(m.Age)
		}
		if h.Name.Value != "" && m.Name != "" {
			row.Values[h.Name.Value] = m.Name
		}
		who := newNote("form.household.age", "Count", m.Age).in(lang)
		if m.Name != "" {
			who = m.Name + ", " + who
		}
		row.Label = who + " – " + c.CodeLabel(roleSystem, code, lang)
		out = append(out, row)
	}
	return out
}

// household checks a group's household: Role a choice sub-field whose
// code system has the codes Alone, Couple and Child; Age, if given, a
// number sub-field; Name, if given, a text sub-field.
func (v *validator) household(fd *Field) {
	h := fd.Household
	if h == nil {
		return
	}
	if fd.Type.Value != FieldGroup {
		v.add(fd.ID.Pos, "check.household.not_group", "Field", fd.ID.Value)
		return
	}
	sub := func(ref Str, what, want string) *Field {
		if ref.Value == "" {
			v.add(fd.ID.Pos, "check.household.missing", "Key", what, "Field", fd.ID.Value)
			return nil
		}
		for i := range fd.Fields {
			if sf := &fd.Fields[i]; sf.ID.Value == ref.Value {
				if sf.Type.Value != want {
					v.add(ref.Pos, "check.household.sub_type", "Key", what, "Want", want, "Field", ref.Value, "Type", sf.Type.Value)
					return nil
				}
				return sf
			}
		}
		v.add(ref.Pos, "check.household.no_sub", "Key", what, "Field", ref.Value, "Group", fd.ID.Value)
		return nil
	}
	role := sub(h.Role, "role", FieldChoice)
	if h.Age.Value != "" {
		sub(h.Age, "age", FieldNumber)
	}
	if h.Name.Value != "" {
		sub(h.Name, "name", FieldText)
	}
	for _, c := range []struct {
		ref  Str
		what string
	}{{h.Alone, "alone"}, {h.Couple, "couple"}, {h.Child, "child"}} {
		switch {
		case c.ref.Value == "":
			v.add(fd.ID.Pos, "check.household.missing", "Key", c.what, "Field", fd.ID.Value)
		case role != nil && v.codes[role.CodeSystem.Value] != nil && !codeIn(v.codes[role.CodeSystem.Value].Codes, c.ref.Value):
			v.add(c.ref.Pos, "check.household.unknown_code", "Code", c.ref.Value, "CodeSystem", role.CodeSystem.Value)
		}
	}
}

// codeIn reports whether code is among codes or their children.
func codeIn(codes []Code, code string) bool {
	for _, c := range codes {
		if c.Code.Value == code || codeIn(c.Children, code) {
			return true
		}
	}
	return false
}
