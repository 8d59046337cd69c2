package process

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"cel.dev/cel-go/cel"

	"github.com/trygg/trygg/internal/trygg"
)

// Compiled is a validated bundle with its expressions compiled, ready to
// run. It is immutable and safe for concurrent use.
type Compiled struct {
	Bundle    *Bundle
	Checksum  string
	forms     map[string]*compiledForm
	caseTypes map[string]*compiledCaseType
	codes     map[string]map[string]string // code system → code → parent code
	tables    map[string]*compiledTable
	reports   map[string]*compiledReport
	registers map[string]*compiledRegister
	labels    map[string]map[string]Text // code system → code → label
	// dateFrom holds, by form (a slot and its variants), the date fields
	// deadlines count from: such a date may not be after today.
	dateFrom map[string]map[string]bool
	// legacy holds the legacy mappings by id (legacy_mapping.go).
	legacy map[string]*LegacyMap
}

// CodeLabel returns the label of code in code system cs in lang, or the
// code itself when it is unknown.
func (c *Compiled) CodeLabel(cs, code, lang string) string {
	if t, ok := c.labels[cs][code]; ok {
		return t.In(lang)
	}
	return code
}

type compiledForm struct {
	def         *Form
	fields      []*compiledField // top-level fields in order
	byID        map[string]*compiledField
	sections    map[string]*compiledSection
	validations []compiledValidation
}

type compiledSection struct {
	def     *Section
	visible cel.Program
}

type compiledField struct {
	def                        *Field
	section                    *compiledSection
	visible, required, compute cel.Program
	// summary is a group's row summary, over row.<field>.
	summary cel.Program
}

type compiledValidation struct {
	def  *Validation
	rule cel.Program
}

type compiledCaseType struct {
	def          *CaseType
	steps        map[string]*Step
	transitions  map[string]*compiledTransition
	registration *compiledRegistration
	payments     *compiledPayments
}

type compiledTransition struct {
	def   *Transition
	guard cel.Program
}

// Compile validates the bundle and compiles it. It returns the problems
// instead when there are any.
func Compile(b *Bundle) (*Compiled, Problems) {
	if probs := Validate(b); len(probs) > 0 {
		return nil, probs
	}
	c := &Compiled{Bundle: b, Checksum: Checksum(b.Sources), forms: map[string]*compiledForm{},
		caseTypes: map[string]*compiledCaseType{}, codes: map[string]map[string]string{}, tables: map[string]*compiledTable{},
		reports: map[string]*compiledReport{}, labels: map[string]map[string]Text{}, dateFrom: map[string]map[string]bool{}}
	for _, r := range b.Reports {
		c.reports[r.ID.Value] = compileReport(r)
	}
	for _, t := range b.Tables {
		ct, _ := compileTable(t) // Validate reported any problem
		c.tables[t.ID.Value] = ct
	}
	for _, cs := range b.CodeSystems {
		m := map[string]string{}
		labels := map[string]Text{}
		var walk func(parent string, codes []Code)
		walk = func(parent string, codes []Code) {
			for _, code := range codes {
				m[code.Code.Value] = parent
				labels[code.Code.Value] = code.Label
				walk(code.Code.Value, code.Children)
			}
		}
		walk("", cs.Codes)
		c.codes[cs.ID.Value] = m
		c.labels[cs.ID.Value] = labels
	}
	must := func(env *cel.Env, s Str, t *cel.Type) cel.Program {
		if s.Value == "" {
			return nil
		}
		p, err := compile(env, s.Value, t)
		if err != nil { // Validate compiled the same expression already
			panic(fmt.Sprintf("process: %s: %v", s.Value, err))
		}
		return p
	}
	for _, f := range b.Forms {
		env, _ := newEnv(b.Forms, f.ID.Value, c.tables)
		cf := &compiledForm{def: f, byID: map[string]*compiledField{}, sections: map[string]*compiledSection{}}
		for si := range f.Sections {
			s := &f.Sections[si]
			cs := &compiledSection{def: s, visible: must(env, s.VisibleIf, cel.BoolType)}
			cf.sections[s.ID.Value] = cs
			for fi := range s.Fields {
				fd := &s.Fields[fi]
				field := &compiledField{def: fd, section: cs, visible: must(env, fd.VisibleIf, cel.BoolType),
					required: must(env, fd.RequiredIf, cel.BoolType), compute: must(env, fd.Compute, celType(fd.Type.Value))}
				if fd.RowSummary.Value != "" {
					renv, _ := rowEnv(fd)
					field.summary = must(renv, fd.RowSummary, cel.StringType)
				}
				cf.fields = append(cf.fields, field)
				cf.byID[fd.ID.Value] = field
			}
		}
		for i := range f.Validations {
			cf.validations = append(cf.validations, compiledValidation{def: &f.Validations[i], rule: must(env, f.Validations[i].Rule, cel.BoolType)})
		}
		c.forms[f.ID.Value] = cf
	}
	c.registers = map[string]*compiledRegister{}
	if len(b.Registers) > 0 {
		renv, err := registerEnv(b.Forms, c.tables)
		if err != nil { // Validate made the same environment already
			panic("process: register environment: " + err.Error())
		}
		for _, r := range b.Registers {
			c.registers[r.ID.Value] = compileRegister(r, renv)
		}
	}
	env, _ := newEnv(b.Forms, "", c.tables)
	for _, ct := range b.CaseTypes {
		cc := &compiledCaseType{def: ct, steps: map[string]*Step{}, transitions: map[string]*compiledTransition{},
			registration: compileRegistration(ct), payments: compilePayments(ct, b.Forms, c.tables)}
		for i := range ct.Steps {
			cc.steps[ct.Steps[i].ID.Value] = &ct.Steps[i]
		}
		for i := range ct.Transitions {
			t := &ct.Transitions[i]
			cc.transitions[t.ID.Value] = &compiledTransition{def: t, guard: must(env, t.Guard, cel.BoolType)}
		}
		c.caseTypes[ct.ID.Value] = cc
		for _, d := range ct.Deadlines {
			if d.From == nil {
				continue
			}
			forms := []string{d.From.Form.Value}
			for _, vr := range ct.Variants {
				if local, ok := vr.Forms[d.From.Form.Value]; ok {
					forms = append(forms, local.Value)
				}
			}
			for _, f := range forms {
				if c.dateFrom[f] == nil {
					c.dateFrom[f] = map[string]bool{}
				}
				c.dateFrom[f][d.From.Field.Value] = true
			}
		}
	}
	c.legacy = map[string]*LegacyMap{}
	for _, m := range b.LegacyMappings {
		c.legacy[m.ID.Value] = compileLegacyMapping(b, m, c.codes)
	}
	return c, nil
}

// Checksum returns a SHA-256 over the files' names and contents, in name
// order: the identity of a bundle across installations.
func Checksum(sources map[string][]byte) string {
	names := make([]string, 0, len(sources))
	for n := range sources {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%d:%s%d:", len(n), n, len(sources[n]))
		h.Write(sources[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// CaseType returns the case type with id.
func (c *Compiled) CaseType(id string) (*CaseType, bool) {
	ct, ok := c.caseTypes[id]
	if !ok {
		return nil, false
	}
	return ct.def, true
}

// Form returns the form with id.
func (c *Compiled) Form(id string) (*Form, bool) {
	f, ok := c.forms[id]
	if !ok {
		return nil, false
	}
	return f.def, true
}

// FormFor returns the form a case of type ct in the unit with path
// unitPath ("/a/b/c/") fills for the case type's form slot: the variant's
// form when a variant names the unit or one above it, else slot itself.
func (c *Compiled) FormFor(ct, unitPath, slot string) string {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return slot
	}
	for _, vr := range cct.def.Variants {
		local, ok := vr.Forms[slot]
		if !ok {
			continue
		}
		for _, u := range vr.Units {
			if strings.Contains(unitPath, "/"+u.Value+"/") {
				return local.Value
			}
		}
	}
	return slot
}

// UnitAllowed reports whether a case of type ct may be opened in the unit
// with path unitPath: the case type names no units, or one of them is the
// unit or above it.
func (c *Compiled) UnitAllowed(ct, unitPath string) bool {
	cct, ok := c.caseTypes[ct]
	if !ok || len(cct.def.Units) == 0 {
		return true
	}
	for _, u := range cct.def.Units {
		if strings.Contains(unitPath, "/"+u.Value+"/") {
			return true
		}
	}
	return false
}

// PersonFields returns the ids of the form's top-level person fields.
func (c *Compiled) PersonFields(formID string) []string {
	cf, ok := c.forms[formID]
	if !ok {
		return nil
	}
	var out []string
	for _, f := range cf.fields {
		if f.def.Type.Value == FieldPerson {
			out = append(out, f.def.ID.Value)
		}
	}
	return out
}

// RoleHiddenFields returns the ids of the form's fields that actors with
// roles may not see (by a field's or its section's roles). Their values
// are kept as others left them.
func (c *Compiled) RoleHiddenFields(formID string, roles []trygg.Role) []string {
	cf, ok := c.forms[formID]
	if !ok {
		return nil
	}
	var out []string
	for _, f := range cf.fields {
		if !roleAllowed(f.section.def.Roles, roles) || !roleAllowed(f.def.Roles, roles) {
			out = append(out, f.def.ID.Value)
		}
	}
	return out
}

// FieldType returns the type of a top-level field of a form, or "".
func (c *Compiled) FieldType(form, field string) string {
	if f, ok := c.forms[form]; ok {
		if fd, ok := f.byID[field]; ok {
			return fd.def.Type.Value
		}
	}
	return ""
}

// FieldCodeSystem returns the code system of a top-level field of a
// form, or "".
func (c *Compiled) FieldCodeSystem(form, field string) string {
	if f, ok := c.forms[form]; ok {
		if fd, ok := f.byID[field]; ok {
			return fd.def.CodeSystem.Value
		}
	}
	return ""
}

// Codes returns the top-level codes of code system cs with their children
// flattened after them, in the order written.
func (c *Compiled) Codes(cs string) []Code {
	for _, sys := range c.Bundle.CodeSystems {
		if sys.ID.Value != cs {
			continue
		}
		var out []Code
		var walk func([]Code)
		walk = func(codes []Code) {
			for _, code := range codes {
				out = append(out, code)
				walk(code.Children)
			}
		}
		walk(sys.Codes)
		return out
	}
	return nil
}

// StepName returns the name of a step of case type ct in lang, or the id.
func (c *Compiled) StepName(ct, step, lang string) string {
	if cct, ok := c.caseTypes[ct]; ok {
		if st, ok := cct.steps[step]; ok {
			return st.Name.In(lang)
		}
	}
	return step
}

// InsatsLabel returns the label of an insats of case type ct's decisions
// in lang, or the code.
func (c *Compiled) InsatsLabel(ct, insats, lang string) string {
	if cct, ok := c.caseTypes[ct]; ok && cct.def.Decisions != nil {
		return c.CodeLabel(cct.def.Decisions.Insatser.Value, insats, lang)
	}
	return insats
}

// KnownCode reports whether code is in code system cs.
func (c *Compiled) KnownCode(cs, code string) bool {
	_, ok := c.codes[cs][code]
	return ok
}

// CodeParent returns the parent of code in code system cs ("" at the top).
func (c *Compiled) CodeParent(cs, code string) string { return c.codes[cs][code] }
