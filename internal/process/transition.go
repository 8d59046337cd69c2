package process

import (
	"fmt"
	"slices"

	"github.com/trygg/trygg/internal/trygg"
)

// Move is the outcome of a transition: the step the case goes to and the
// actions the service must carry out in the same transaction.
type Move struct {
	Transition string   `json:"transition"`
	From       string   `json:"from"`
	To         string   `json:"to"`
	Final      bool     `json:"final"`
	Actions    []string `json:"actions"`
	// Details are the actions as defined, for the service to carry out.
	Details []Action `json:"-"`
}

// Available describes a transition the actor could take now, or why not.
type Available struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	To      string `json:"to"`
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"`
	// Closes says the transition closes the case (to a final step, or
	// with close_case), so pages keep it apart from the main actions;
	// SendsOrders that it sends the granted decisions to their providers
	// (create_orders), so the decision page can send them.
	Closes      bool `json:"closes,omitempty"`
	SendsOrders bool `json:"sends_orders,omitempty"`
}

// Transition decides whether the actor may take transition id of case type
// ct from ctx.CaseStep: the step must be one of its sources, the actor must
// have one of its roles, its forms must be signed (signed holds the ids of
// the case's signed forms) and its guard must hold. It returns the move, or
// an error whose message says which condition failed.
func (c *Compiled) Transition(ct, id string, ctx Context, signed map[string]bool, lang string) (Move, error) {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return Move{}, trygg.Errorf(trygg.ENotFound, "The case type %q is not in the case's process version.", ct)
	}
	t, ok := cct.transitions[id]
	if !ok {
		return Move{}, trygg.Invalid("The case type has no such transition.", map[string]string{"transition": "Unknown transition."})
	}
	if reason := c.blocked(t, ctx, signed, lang); reason != "" {
		return Move{}, trygg.Errorf(trygg.EConflict, "%s", reason)
	}
	to := cct.steps[t.def.To.Value]
	m := Move{Transition: id, From: ctx.CaseStep, To: to.ID.Value, Final: to.Final}
	for _, a := range t.def.Actions {
		m.Actions = append(m.Actions, a.Type.Value)
		m.Details = append(m.Details, a)
	}
	return m, nil
}

// blocked returns why t cannot be taken now, or "".
func (c *Compiled) blocked(t *compiledTransition, ctx Context, signed map[string]bool, lang string) string {
	if !slices.ContainsFunc(t.def.From, func(s Str) bool { return s.Value == ctx.CaseStep }) {
		return newNote("transition.wrong_step", "Transition", t.def.ID.Value, "Step", ctx.CaseStep).in(lang)
	}
	if !roleAllowed(t.def.Roles, ctx.Roles) {
		return newNote("transition.role").in(lang)
	}
	for _, f := range t.def.Forms {
		if !signed[f.Value] {
			name := f.Value
			if cf := c.forms[f.Value]; cf != nil {
				name = cf.def.Name.In(lang)
			}
			return newNote("transition.form_unsigned", "Form", name).in(lang)
		}
	}
	ok, err := evalBool(t.guard, c.activation(ctx, "", nil))
	if err != nil {
		return newNote("transition.guard_failed", "Detail", err.Error()).in(lang)
	}
	if !ok {
		if m := t.def.GuardMessage.In(lang); m != "" {
			return m
		}
		return newNote("transition.guard_not_met").in(lang)
	}
	return ""
}

// Available lists the transitions out of the case's step with whether the
// actor may take them now.
func (c *Compiled) Available(ct string, ctx Context, signed map[string]bool, lang string) []Available {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return nil
	}
	var out []Available
	for i := range cct.def.Transitions {
		t := cct.transitions[cct.def.Transitions[i].ID.Value]
		if !slices.ContainsFunc(t.def.From, func(s Str) bool { return s.Value == ctx.CaseStep }) {
			continue
		}
		reason := c.blocked(t, ctx, signed, lang)
		av := Available{ID: t.def.ID.Value, Name: t.def.Name.In(lang), To: t.def.To.Value, Allowed: reason == "", Reason: reason}
		if to := cct.steps[t.def.To.Value]; to != nil && to.Final {
			av.Closes = true
		}
		for _, a := range t.def.Actions {
			av.Closes = av.Closes || a.Type.Value == ActionCloseCase
			av.SendsOrders = av.SendsOrders || a.Type.Value == ActionCreateOrders
		}
		out = append(out, av)
	}
	return out
}

// Start returns the start step of case type ct.
func (c *Compiled) Start(ct string) (string, bool) {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return "", false
	}
	return cct.def.Start.Value, true
}

// FollowUpKey names the timer of the i-th action of a transition, so the
// follow-up can be found again when it fires.
func FollowUpKey(transition string, i int) string {
	return fmt.Sprintf("follow_up/%s/%d", transition, i)
}

// FollowUpName returns the name of the follow-up a timer key names, in
// lang, or "" if the case type has no such action.
func (c *Compiled) FollowUpName(ct, key, lang string) string {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return ""
	}
	for _, t := range cct.def.Transitions {
		for i, a := range t.Actions {
			if a.Type.Value == ActionScheduleFollowUp && FollowUpKey(t.ID.Value, i) == key {
				return a.Name.In(lang)
			}
		}
	}
	return ""
}
