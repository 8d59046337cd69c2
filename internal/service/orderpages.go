package service

import (
	"context"
	"slices"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// What the staff pages about orders need beside the orders API: whether a
// decision is carried out by a provider (and by whom), and the codes an
// order's plan and reports are written with, in the reader's language.

// DecisionProviders is the choice of provider for a decision, for its
// page.
type DecisionProviders struct {
	// SendsOrders says the decision is final, grants something and its
	// case type sends orders: only then is a provider chosen.
	SendsOrders bool `json:"sends_orders"`
	// Providers are those that provide the insats in the case's area.
	Providers []store.Provider `json:"providers"`
	// Chosen is the provider chosen, if any.
	Chosen *store.Provider `json:"chosen,omitempty"`
}

// DecisionProviders returns whether the decision of a case the actor may
// read goes to a provider, and the providers to choose from. A case or
// decision the actor may not read is not found.
func (s *Service) DecisionProviders(ctx context.Context, a trygg.Actor, caseID, decisionID string) (DecisionProviders, error) {
	var out DecisionProviders
	c, _, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return out, err
	}
	ds, err := s.db.Decisions(ctx, a.Tenant, c.ID)
	if err != nil {
		return out, err
	}
	i := slices.IndexFunc(ds, func(d store.Decision) bool { return d.ID == decisionID })
	if i < 0 {
		return out, trygg.Errorf(trygg.ENotFound, "Decision not found.")
	}
	d := ds[i]
	if c.DefinitionVersion == 0 || d.Status != "final" || d.Outcome == process.OutcomeRefused {
		return out, nil
	}
	comp, err := s.compiled(ctx, a.Tenant, c.DefinitionVersion)
	if err != nil {
		return out, err
	}
	if ordersOf(comp, c.CaseType) == nil {
		return out, nil
	}
	out.SendsOrders = true
	if out.Providers, err = s.ProvidersFor(ctx, a, c.ID, d.Insats); err != nil {
		return out, err
	}
	if d.ProviderID != "" {
		p, err := s.db.ProviderByID(ctx, a.Tenant, d.ProviderID)
		if err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
			return out, err
		}
		if err == nil {
			out.Chosen = &p
		}
	}
	return out, nil
}

// OrderTerms are the words of an order in the reader's language.
type OrderTerms struct {
	InsatsLabel string `json:"insats_label"`
	// Activities are the codes plans and reports are written with.
	Activities []Choice `json:"activities"`
	// Groups are Activities by their top-level code, for a long list.
	Groups []ChoiceGroup `json:"groups"`
}

// ChoiceGroup is a top-level code and the codes under it.
type ChoiceGroup struct {
	Choice
	Codes []Choice `json:"codes"`
}

// Label returns the label of an activity code, or the code.
func (t OrderTerms) Label(code string) string {
	for _, c := range t.Activities {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

// OrderTerms returns the insats label and the activity codes of an order
// the actor may read, in lang; an order the actor may not read is not
// found. Codes are no personal data: the read is not access-logged.
func (s *Service) OrderTerms(ctx context.Context, a trygg.Actor, orderID, lang string) (OrderTerms, error) {
	o, _, err := s.orderFor(ctx, a, orderID, false)
	if err != nil {
		return OrderTerms{}, err
	}
	c, err := s.db.CaseByID(ctx, a.Tenant, o.CaseID)
	if err != nil {
		return OrderTerms{}, err
	}
	comp, err := s.compiled(ctx, a.Tenant, c.DefinitionVersion)
	if err != nil {
		return OrderTerms{}, err
	}
	t := OrderTerms{InsatsLabel: comp.InsatsLabel(c.CaseType, o.Insats, lang), Activities: []Choice{}, Groups: []ChoiceGroup{}}
	def := ordersOf(comp, c.CaseType)
	if def == nil {
		return t, nil
	}
	cs := def.Activities.Value
	for _, code := range comp.Codes(cs) {
		ch := Choice{Code: code.Code.Value, Label: code.Label.In(lang)}
		t.Activities = append(t.Activities, ch)
		if comp.CodeParent(cs, ch.Code) == "" || len(t.Groups) == 0 {
			t.Groups = append(t.Groups, ChoiceGroup{Choice: ch})
		}
		g := &t.Groups[len(t.Groups)-1]
		g.Codes = append(g.Codes, ch)
	}
	return t, nil
}

// Today is today's date in Sweden on the service's clock, the day the
// pages offer by default (reports dated later are refused).
func (s *Service) Today() string { return calendar.Today(s.db.Now()) }
