package service

import (
	"context"
	"errors"
	"slices"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// DecisionOverview is a decision as its page and its letter show it.
type DecisionOverview struct {
	Decision     store.Decision    `json:"decision"`
	Case         store.Case        `json:"case"`
	CaseTypeName string            `json:"case_type_name"`
	InsatsName   string            `json:"insats_name"`
	AmountUnit   process.Measure   `json:"amount_unit"`
	Insatser     []Choice          `json:"insatser"`
	LegalBases   []string          `json:"legal_bases"`
	Executions   []store.Execution `json:"executions"`
	// Person is whom the decision is about; the letter is addressed to
	// them (a protected person's address is left out).
	PersonName    string          `json:"person_name"`
	PersonAddress persons.Address `json:"person_address"`
	Identity      string          `json:"identity"`
	UnitName      string          `json:"unit_name"`
	Municipality  string          `json:"municipality"`
	DecidedByName string          `json:"decided_by_name,omitempty"`
	// Workable says the actor may change the draft; Ready whether they
	// may make it final as it stands. If not, Missing names the fields
	// still needed, or NoDelegation says the actor lacks delegation.
	Workable     bool     `json:"workable"`
	Ready        bool     `json:"ready"`
	Missing      []string `json:"missing,omitempty"`
	NoDelegation bool     `json:"no_delegation,omitempty"`
	// A draft is shown with what it would start with: DatesFrom names the
	// decision whose dates it is given when it has none (siblingDates),
	// AppealProposed says its appeal notice is its legal basis's standard
	// text; AppealTexts are those texts by legal basis, in the page's
	// language, for the page to follow a change of outcome or basis.
	DatesFrom      string            `json:"dates_from,omitempty"`
	AppealProposed bool              `json:"appeal_proposed,omitempty"`
	AppealTexts    map[string]string `json:"appeal_texts,omitempty"`
	// AmountFixed says the draft's amount is its calculation's: it is
	// changed in the form, not on the decision.
	AmountFixed bool `json:"amount_fixed,omitempty"`
	// Flow is where choosing a provider for a final granted decision goes
	// on to: the transition that sends the orders.
	Flow OrderFlow `json:"flow"`
}

// DecisionOverview reads one decision of a case with what its page and
// letter need. The read is access-logged.
func (s *Service) DecisionOverview(ctx context.Context, a trygg.Actor, caseID, decisionID, lang string) (DecisionOverview, error) {
	w, ground, err := s.loadWork(ctx, a, caseID, false)
	if err != nil {
		return DecisionOverview{}, err
	}
	var out DecisionOverview
	ds, err := s.db.Decisions(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return out, err
	}
	found := false
	for _, d := range ds {
		if d.ID == decisionID {
			out.Decision, found = d, true
		}
	}
	if !found {
		return out, trygg.Errorf(trygg.ENotFound, "The case has no such decision.")
	}
	out.Case = w.c
	ct, _ := w.comp.CaseType(w.c.CaseType)
	out.CaseTypeName = ct.Name.In(lang)
	out.InsatsName = w.comp.InsatsLabel(w.c.CaseType, out.Decision.Insats, lang)
	out.Insatser, out.LegalBases = decisionChoices(w.comp, ct, lang)
	out.AmountUnit = amountUnit(ct)
	execs, err := s.db.CaseExecutions(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return out, err
	}
	for _, e := range execs {
		if e.DecisionID == decisionID {
			out.Executions = append(out.Executions, e)
		}
	}
	p, err := s.db.PersonByID(ctx, a.Tenant, w.c.PersonID)
	if err != nil {
		return out, err
	}
	out.PersonName, out.Identity = p.GivenName+" "+p.FamilyName, p.Identity.String()
	if p.Protection == persons.ProtectionNone {
		out.PersonAddress = p.Address
	}
	if u, err := s.db.Unit(ctx, a.Tenant, w.c.UnitID); err == nil {
		out.UnitName = u.Name
	}
	if t, err := s.db.Tenant(ctx, a.Tenant); err == nil {
		out.Municipality = t.Name
	}
	names := map[string]string{}
	if err := s.names(ctx, a.Tenant, []string{out.Decision.DecidedBy}, names); err != nil {
		return out, err
	}
	out.DecidedByName = names[out.Decision.DecidedBy]
	rels, err := s.db.CaseRelations(ctx, a, w.c)
	if err != nil {
		return out, err
	}
	_, werr := access.Decide(a, access.WorkCase, access.Subject{Relations: rels, Protection: p.Protection})
	out.Workable = werr == nil && w.c.Status == "open"
	if def := ct.Decisions; def != nil && len(def.AppealTexts) > 0 {
		out.AppealTexts = map[string]string{}
		for _, at := range def.AppealTexts {
			out.AppealTexts[at.LegalBasis.Value] = at.Text.In(lang)
		}
	}
	if d := &out.Decision; d.Status == "draft" {
		out.AmountFixed = d.Calculation != ""
		if d.ValidFrom == "" && d.ValidTo == "" {
			if sib, ok := siblingDates(ds, d.ID); ok {
				d.ValidFrom, d.ValidTo = sib.ValidFrom, sib.ValidTo
				out.DatesFrom = w.comp.InsatsLabel(w.c.CaseType, sib.Insats, lang)
			}
		}
		if d.Outcome != process.OutcomeGranted && d.AppealNotice == "" {
			if t := ct.Decisions.AppealText(d.LegalBasis, lang); t != "" {
				d.AppealNotice, out.AppealProposed = t, true
			}
		}
	} else if out.Workable && d.Outcome != process.OutcomeRefused && ordersOf(w.comp, w.c.CaseType) != nil {
		if out.Flow, err = s.orderFlow(ctx, a, w, *d, lang); err != nil {
			return out, err
		}
	}
	if out.Decision.Status == "draft" {
		err := w.comp.CheckDecision(w.c.CaseType, decisionDraft(out.Decision), w.ctx.Roles, true)
		var e *trygg.Error
		switch {
		case err == nil:
			out.Ready = true
		case trygg.ErrorCode(err) == trygg.EForbidden:
			out.NoDelegation = true
		case errors.As(err, &e):
			for k := range e.Fields {
				out.Missing = append(out.Missing, k)
			}
			slices.Sort(out.Missing)
		}
	}
	return out, s.logAccess(ctx, entry(a, access.ReadCase, w.c.PersonID, w.c.ID, ground, ""))
}
