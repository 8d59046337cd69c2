package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// How a decision is made in one flow: a new decision starts with the
// dates of the case's others and, when not fully granted, with the
// standard appeal notice of its legal basis; a draft drafted from a form
// follows the form while it is a draft (its amount is the form's
// calculation); and a provider chosen for a granted decision is chosen
// for the case's other granted decisions it provides and the orders go
// out in the same step, where the process has a transition that sends
// them.

// siblingDates returns the decision whose dates a new decision on the
// case starts with: of the case's decisions other than except that have a
// date and are not refused, the latest final one, or else the latest
// draft.
func siblingDates(ds []store.Decision, except string) (store.Decision, bool) {
	var best store.Decision
	found := false
	for _, d := range ds {
		if d.ID == except || d.Outcome == process.OutcomeRefused || (d.ValidFrom == "" && d.ValidTo == "") {
			continue
		}
		better := !found ||
			(d.Status == "final" && best.Status != "final") ||
			(d.Status == best.Status && (d.DecidedAt.After(best.DecidedAt) || d.DecidedAt.Equal(best.DecidedAt) && !d.CreatedAt.Before(best.CreatedAt)))
		if better {
			best, found = d, true
		}
	}
	return best, found
}

// appealNotice returns the appeal notice a draft decision is saved with:
// one that is not fully granted gets the standard text of its legal basis
// (the case type's appeal_texts, in Swedish) when it has none or has the
// standard text of another basis; a fully granted one loses a standard
// text it was given. A text the officer wrote stays.
func appealNotice(def *process.Decisions, outcome, basis, notice string) string {
	notice = strings.TrimSpace(notice)
	if def == nil {
		return notice
	}
	standard := notice == ""
	for _, at := range def.AppealTexts {
		if notice != "" && (notice == strings.TrimSpace(at.Text.SV) || notice == strings.TrimSpace(at.Text.EN)) {
			if at.LegalBasis.Value == basis && outcome != process.OutcomeGranted {
				return notice // this basis's own text, in either language
			}
			standard = true
		}
	}
	if !standard {
		return notice
	}
	if outcome == process.OutcomeGranted {
		return ""
	}
	return strings.TrimSpace(def.AppealText(basis, "sv"))
}

// draftFromForm sets what the create_decisions action act takes from the
// form's values on the draft d: the amount, the start date and the
// calculation the action names, and, with partly, whether the draft is
// partly granted (a refused draft stays refused); and the appeal notice
// that goes with the outcome.
func draftFromForm(d *store.Decision, comp *process.Compiled, def *process.Decisions, act process.Action, vals map[string]any) {
	if act.Amount.Value != "" {
		d.Amount = draftAmount(comp, act.Form.Value, act.Amount.Value, vals[act.Amount.Value])
	}
	if from, _ := vals[act.ValidFrom.Value].(string); from != "" {
		d.ValidFrom = from
	}
	switch act.ValidTo.Value {
	case "":
	case process.ValidToMonthEnd:
		if from, err := time.Parse("2006-01-02", d.ValidFrom); err == nil {
			d.ValidTo = from.AddDate(0, 1, -from.Day()).Format("2006-01-02")
		}
	default:
		if to, _ := vals[act.ValidTo.Value].(string); to != "" {
			d.ValidTo = to
		}
	}
	if act.Calculation.Value != "" {
		d.Calculation, _ = vals[act.Calculation.Value].(string)
	}
	if act.Partly.Value != "" && d.Outcome != process.OutcomeRefused {
		d.Outcome = process.OutcomeGranted
		if hasValue(vals[act.Partly.Value]) {
			d.Outcome = process.OutcomePartly
		}
	}
	d.AppealNotice = appealNotice(def, d.Outcome, d.LegalBasis, d.AppealNotice)
}

// hasValue reports whether a form value holds anything: yes, a text or
// code, a list with something in it.
func hasValue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.TrimSpace(v) != ""
	case []any:
		return len(v) > 0
	case []string:
		return len(v) > 0
	}
	return false
}

// draftsFollowForm carries a form signed again over to the case's draft
// decisions drafted from it, inside tx: for each create_decisions action
// of the case type on formID, the drafts on insatser chosen in its field
// take the form's amount, start date, calculation and outcome
// (draftFromForm). Final decisions never change.
func draftsFollowForm(ctx context.Context, tx *store.Tx, a trygg.Actor, w *caseWork, formID string, vals map[string]any, ds []store.Decision) error {
	ct, ok := w.comp.CaseType(w.c.CaseType)
	if !ok || ct.Decisions == nil {
		return nil
	}
	for _, t := range ct.Transitions {
		for _, act := range t.Actions {
			if act.Type.Value != process.ActionCreateDecisions || act.Form.Value != formID {
				continue
			}
			var chosen []string
			switch v := vals[act.Field.Value].(type) {
			case string:
				chosen = []string{v}
			case []any:
				for _, x := range v {
					if s, ok := x.(string); ok {
						chosen = append(chosen, s)
					}
				}
			}
			for _, d := range ds {
				if d.Status != "draft" || !slices.Contains(chosen, d.Insats) {
					continue
				}
				before := d
				draftFromForm(&d, w.comp, ct.Decisions, act, vals)
				if d == before {
					continue
				}
				if err := tx.SaveDecisionDraft(ctx, a.Tenant, d); err != nil {
					return err
				}
				e := events.New(a, events.DecisionDrafted, "decision", d.ID, map[string]any{"insats": d.Insats, "outcome": d.Outcome, "by": "form_signed"})
				e.PersonID, e.CaseID = w.c.PersonID, w.c.ID
				if _, err := tx.AppendEvent(ctx, e); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// OrderFlow is what choosing a provider on a decision's page goes on to
// do: the transition that sends the orders, when the case can take it
// once this decision has its provider, and the other granted decisions
// still without one.
type OrderFlow struct {
	// Transition is the id and name of the transition out of the case's
	// step that sends orders (create_orders), when the actor may take it
	// now; empty otherwise.
	Transition     string `json:"transition,omitempty"`
	TransitionName string `json:"transition_name,omitempty"`
	// Waiting names the case's other final granted decisions that have no
	// provider and no order yet: the provider chosen here is chosen for
	// those of them it provides.
	Waiting []string `json:"waiting,omitempty"`
	// SameProvider names the case's other granted decisions carried out
	// by this decision's provider; Ordered says this decision has an
	// order in force.
	SameProvider []string `json:"same_provider,omitempty"`
	Ordered      bool     `json:"ordered,omitempty"`
	// Undecided names the insatser of the case's draft decisions: the
	// orders wait for them, so they go out together.
	Undecided []string `json:"undecided,omitempty"`
	// Proposed is the provider of the case's other granted decisions, for
	// a decision without one: chosen once, it is offered again.
	Proposed string `json:"proposed,omitempty"`
}

// orderFlow returns the order flow of decision d of the case in w, in lang.
func (s *Service) orderFlow(ctx context.Context, a trygg.Actor, w *caseWork, d store.Decision, lang string) (OrderFlow, error) {
	var out OrderFlow
	ds, err := s.db.Decisions(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return out, err
	}
	orders, err := s.db.CaseOrders(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return out, err
	}
	out.Ordered = slices.ContainsFunc(orders, func(x store.Order) bool { return x.DecisionID == d.ID && x.Active() })
	decided := map[string]bool{}
	for _, o := range ds {
		if o.Status == "final" {
			decided[o.Insats] = true
		}
	}
	for _, o := range ds {
		if o.Status == "draft" && !decided[o.Insats] {
			out.Undecided = append(out.Undecided, w.comp.InsatsLabel(w.c.CaseType, o.Insats, lang))
		}
	}
	for _, o := range currentDecisions(ds) {
		if o.ID == d.ID || o.Outcome == process.OutcomeRefused {
			continue
		}
		if o.ProviderID != "" && o.ProviderID == d.ProviderID {
			out.SameProvider = append(out.SameProvider, w.comp.InsatsLabel(w.c.CaseType, o.Insats, lang))
		}
		if o.ProviderID != "" && d.ProviderID == "" {
			out.Proposed = o.ProviderID
		}
		if o.ProviderID != "" || slices.ContainsFunc(orders, func(x store.Order) bool { return x.DecisionID == o.ID && x.Active() }) {
			continue
		}
		out.Waiting = append(out.Waiting, w.comp.InsatsLabel(w.c.CaseType, o.Insats, lang))
	}
	if w.c.Status != "open" {
		return out, nil
	}
	for _, t := range w.comp.Available(w.c.CaseType, w.ctx, w.signed, lang) {
		if t.SendsOrders && t.Allowed {
			out.Transition, out.TransitionName = t.ID, t.Name
			break
		}
	}
	return out, nil
}

// ProviderOrdered is what ChooseProviderAndOrder did: the insatser the
// provider was chosen for, whether the orders were sent (the case moved
// on by Transition), and the granted decisions still waiting for a
// provider of their own.
type ProviderOrdered struct {
	Provider string   `json:"provider"`
	Chosen   []string `json:"chosen"`
	Ordered  bool     `json:"ordered"`
	Waiting  []string `json:"waiting,omitempty"`
	Step     string   `json:"step,omitempty"`
}

// ChooseProviderAndOrder chooses the provider for a final granted
// decision (ChooseProvider), then for each other granted decision of the
// case that has no provider and no order and whose insats the provider
// gives in the case's area; and, when no granted decision is left
// without a provider, none is still a draft, and the case's step has a
// transition that sends orders (create_orders) the actor may take now,
// takes it. Each of these
// is its own transaction: a refusal along the way leaves what was done
// before it, and is returned.
func (s *Service) ChooseProviderAndOrder(ctx context.Context, a trygg.Actor, caseID, decisionID string, in ChooseProviderInput, lang string) (ProviderOrdered, error) {
	var out ProviderOrdered
	d, err := s.ChooseProvider(ctx, a, caseID, decisionID, in)
	if err != nil {
		return out, err
	}
	w, _, err := s.loadWork(ctx, a, caseID, true)
	if err != nil {
		return out, err
	}
	p, err := s.db.ProviderByID(ctx, a.Tenant, d.ProviderID)
	if err != nil {
		return out, err
	}
	out.Provider = p.Name
	out.Chosen = append(out.Chosen, w.comp.InsatsLabel(w.c.CaseType, d.Insats, lang))
	ds, err := s.db.Decisions(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return out, err
	}
	orders, err := s.db.CaseOrders(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return out, err
	}
	for _, o := range currentDecisions(ds) {
		if o.ID == d.ID || o.Outcome == process.OutcomeRefused || o.ProviderID != "" ||
			slices.ContainsFunc(orders, func(x store.Order) bool { return x.DecisionID == o.ID && x.Active() }) {
			continue
		}
		if _, err := s.providerServing(ctx, a.Tenant, p.ID, o.Insats, w.c.UnitID); err != nil {
			if trygg.ErrorCode(err) != trygg.EInvalid {
				return out, err
			}
			out.Waiting = append(out.Waiting, w.comp.InsatsLabel(w.c.CaseType, o.Insats, lang))
			continue
		}
		if _, err := s.ChooseProvider(ctx, a, caseID, o.ID, in); err != nil {
			return out, err
		}
		out.Chosen = append(out.Chosen, w.comp.InsatsLabel(w.c.CaseType, o.Insats, lang))
	}
	if len(out.Waiting) > 0 {
		return out, nil
	}
	flow, err := s.orderFlow(ctx, a, w, d, lang)
	if err != nil || flow.Transition == "" || len(flow.Undecided) > 0 {
		return out, err
	}
	c, err := s.Transition(ctx, a, caseID, TransitionInput{Transition: flow.Transition}, lang)
	if err != nil {
		return out, err
	}
	out.Ordered, out.Step = true, c.Step
	return out, nil
}
