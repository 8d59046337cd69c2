package process

import (
	"strings"
	"unicode/utf8"
)

// What the citizen portal (Mina sidor) reads from a case type: each
// step's "what happens now" in plain words (a step's optional citizen
// text) and where the case can go from there.

// citizenTextMax bounds a step's citizen text, per language: a few
// sentences a person reads on a phone.
const citizenTextMax = 600

// citizenText checks a step's citizen text: optional, but when given it
// needs Swedish, and stays short.
func (v *validator) citizenText(s *Step) {
	t := s.Citizen
	if t.SV == "" && t.EN == "" {
		return
	}
	if strings.TrimSpace(t.SV) == "" {
		v.add(s.ID.Pos, "check.text.step_citizen", "Step", s.ID.Value)
	}
	for _, x := range []string{t.SV, t.EN} {
		if utf8.RuneCountInString(x) > citizenTextMax {
			v.add(s.ID.Pos, "check.step.citizen_long", "Step", s.ID.Value, "Max", citizenTextMax)
			return
		}
	}
}

// StepCitizen returns the citizen text of a step of case type ct in lang
// ("" when the step has none).
func (c *Compiled) StepCitizen(ct, step, lang string) string {
	if cct, ok := c.caseTypes[ct]; ok {
		if st, ok := cct.steps[step]; ok {
			return strings.TrimSpace(st.Citizen.In(lang))
		}
	}
	return ""
}

// NextSteps returns the steps the transitions out of step lead to, in the
// order the case type lists its steps, without step itself.
func (c *Compiled) NextSteps(ct, step string) []string {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return nil
	}
	to := map[string]bool{}
	for _, t := range cct.def.Transitions {
		for _, f := range t.From {
			if f.Value == step && t.To.Value != step {
				to[t.To.Value] = true
			}
		}
	}
	var out []string
	for _, st := range cct.def.Steps {
		if to[st.ID.Value] {
			out = append(out, st.ID.Value)
		}
	}
	return out
}

// StepFinal reports whether step of case type ct is final.
func (c *Compiled) StepFinal(ct, step string) bool {
	if cct, ok := c.caseTypes[ct]; ok {
		if st, ok := cct.steps[step]; ok {
			return st.Final
		}
	}
	return false
}

// DeadlineMetBy returns the first step that meets deadline id of case type
// ct ("" when there is none), to word the deadline for the citizen as
// "<step> expected by <date>".
func (c *Compiled) DeadlineMetBy(ct, id string) string {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return ""
	}
	for _, d := range cct.def.Deadlines {
		if d.ID.Value == id && len(d.MetBy) > 0 {
			return d.MetBy[0].Value
		}
	}
	return ""
}
