package service

import (
	"context"
	"math"
	"strings"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// DecisionInput is a decision as the officer writes it.
type DecisionInput struct {
	Insats        string `json:"insats"`
	Outcome       string `json:"outcome"`
	LegalBasis    string `json:"legal_basis"`
	ValidFrom     string `json:"valid_from,omitempty"`
	ValidTo       string `json:"valid_to,omitempty"`
	Amount        int64  `json:"amount,omitempty"`
	Justification string `json:"justification,omitempty"`
	AppealNotice  string `json:"appeal_notice,omitempty"`
	// AmountText is the amount as a person typed it on a page ("40,5",
	// "12 345 kr"), read in the case type's unit (process.Measure.Parse)
	// instead of Amount when given.
	AmountText string `json:"-"`
}

func (in DecisionInput) draft() process.DecisionDraft {
	return process.DecisionDraft{Insats: in.Insats, Outcome: in.Outcome, LegalBasis: in.LegalBasis, ValidFrom: in.ValidFrom,
		ValidTo: in.ValidTo, Amount: in.Amount, Justification: strings.TrimSpace(in.Justification), AppealNotice: strings.TrimSpace(in.AppealNotice)}
}

func decisionDraft(d store.Decision) process.DecisionDraft {
	return process.DecisionDraft{Insats: d.Insats, Outcome: d.Outcome, LegalBasis: d.LegalBasis, ValidFrom: d.ValidFrom,
		ValidTo: d.ValidTo, Amount: d.Amount, Justification: d.Justification, AppealNotice: d.AppealNotice}
}

// Decisions returns the case's decisions, after logging the read.
func (s *Service) Decisions(ctx context.Context, a trygg.Actor, caseID string) ([]store.Decision, error) {
	c, ground, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	ds, err := s.db.Decisions(ctx, a.Tenant, c.ID)
	if err != nil {
		return nil, err
	}
	return ds, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}

// SaveDecision creates (id "") or changes a draft decision on the case. A
// draft may be incomplete; it is checked against the case type's insatser
// and legal bases. A new draft without dates starts with the dates of the
// case's other decisions; a draft that is not fully granted gets the
// standard appeal notice of its legal basis when it has none (see
// appealNotice); the amount of a draft with a calculation is the
// calculation's (a different one is refused: the form is changed
// instead).
func (s *Service) SaveDecision(ctx context.Context, a trygg.Actor, caseID, id string, in DecisionInput) (store.Decision, error) {
	w, ground, err := s.loadWork(ctx, a, caseID, true)
	if err != nil {
		return store.Decision{}, err
	}
	dd := in.draft()
	ct, _ := w.comp.CaseType(w.c.CaseType)
	var def *process.Decisions
	if ct != nil {
		def = ct.Decisions
	}
	if def != nil && dd.LegalBasis == "" && id == "" && len(def.LegalBases) > 0 {
		// A new draft starts on the case type's first legal basis, as
		// create_decisions drafts do.
		dd.LegalBasis = def.LegalBases[0].Value
	}
	if strings.TrimSpace(in.AmountText) != "" {
		if dd.Amount, err = def.Measure().Parse(in.AmountText); err != nil {
			return store.Decision{}, err
		}
	}
	siblings, err := s.db.Decisions(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return store.Decision{}, err
	}
	if id == "" && dd.ValidFrom == "" && dd.ValidTo == "" {
		if sib, ok := siblingDates(siblings, ""); ok {
			dd.ValidFrom, dd.ValidTo = sib.ValidFrom, sib.ValidTo
		}
	}
	for _, old := range siblings {
		if old.ID == id && id != "" && old.Calculation != "" {
			if dd.Amount != 0 && dd.Amount != old.Amount {
				return store.Decision{}, trygg.Invalid("The amount comes from the calculation; change the form to change it.",
					map[string]string{"amount": "The amount is the calculation's."})
			}
			dd.Amount = old.Amount
		}
	}
	dd.AppealNotice = appealNotice(def, dd.Outcome, dd.LegalBasis, dd.AppealNotice)
	if err := w.comp.CheckDecision(w.c.CaseType, dd, w.ctx.Roles, false); err != nil {
		return store.Decision{}, err
	}
	d := store.Decision{ID: id, CaseID: w.c.ID, Insats: dd.Insats, Outcome: dd.Outcome, LegalBasis: dd.LegalBasis, ValidFrom: dd.ValidFrom,
		ValidTo: dd.ValidTo, Amount: dd.Amount, Justification: dd.Justification, AppealNotice: dd.AppealNotice, Status: "draft", DraftedBy: a.UserID}
	if d.ID == "" {
		d.ID = newID()
	}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, w.c.PersonID, w.c.ID, ground, "")}, func(tx *store.Tx) error {
		if id != "" {
			old, err := tx.Decision(ctx, a.Tenant, w.c.ID, id)
			if err != nil {
				return err
			}
			// The calculation comes from the form that drafted the
			// decision; the officer explains any other amount in the
			// justification.
			d.Calculation = old.Calculation
		}
		if err := tx.SaveDecisionDraft(ctx, a.Tenant, d); err != nil {
			return err
		}
		var err error
		if d, err = tx.Decision(ctx, a.Tenant, w.c.ID, d.ID); err != nil {
			return err
		}
		e := events.New(a, events.DecisionDrafted, "decision", d.ID, map[string]any{"insats": d.Insats, "outcome": d.Outcome})
		e.PersonID, e.CaseID = w.c.PersonID, w.c.ID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return store.Decision{}, err
	}
	return d, nil
}

// FinaliseDecision makes a draft decision final: it must be complete (a
// justification, a start date when granted, the appeal notice when not
// fully granted) and the actor must have delegation for the insats and
// amount. The last day to appeal is recorded. A final decision never
// changes.
func (s *Service) FinaliseDecision(ctx context.Context, a trygg.Actor, caseID, id string) (store.Decision, error) {
	w, ground, err := s.loadWork(ctx, a, caseID, true)
	if err != nil {
		return store.Decision{}, err
	}
	var d store.Decision
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, w.c.PersonID, w.c.ID, ground, "")}, func(tx *store.Tx) error {
		var err error
		if d, err = tx.Decision(ctx, a.Tenant, w.c.ID, id); err != nil {
			return err
		}
		if d.Status != "draft" {
			return trygg.Errorf(trygg.EConflict, "The decision is already final.")
		}
		if err := w.comp.CheckDecision(w.c.CaseType, decisionDraft(d), w.ctx.Roles, true); err != nil {
			return err
		}
		appealBy := ""
		if d.Outcome != process.OutcomeGranted {
			if appealBy, err = w.comp.AppealBy(w.c.CaseType, tx.Now); err != nil {
				return err
			}
		}
		if err := tx.FinaliseDecision(ctx, a.Tenant, d.ID, a.UserID, appealBy); err != nil {
			return err
		}
		if err := tx.BumpCase(ctx, a.Tenant, w.c.ID); err != nil {
			return err
		}
		if d, err = tx.Decision(ctx, a.Tenant, w.c.ID, id); err != nil {
			return err
		}
		// What the amount counts (analysis reads it from the event).
		measure := process.Measure{Unit: process.UnitCount}
		if ct, ok := w.comp.CaseType(w.c.CaseType); ok {
			measure = amountUnit(ct)
		}
		e := events.New(a, events.DecisionMade, "decision", d.ID, map[string]any{"insats": d.Insats, "outcome": d.Outcome,
			"legal_basis": d.LegalBasis, "valid_from": d.ValidFrom, "valid_to": d.ValidTo, "amount": d.Amount, "appeal_by": d.AppealBy,
			"amount_unit": measure.Unit, "amount_period": measure.Period})
		e.PersonID, e.CaseID = w.c.PersonID, w.c.ID
		if _, err = tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		// Its letter goes out after commit (letters_out.go).
		if err := letterDue(ctx, tx, a, w.c, d); err != nil {
			return err
		}
		// A decision that grants makes its payments as a proposal.
		if err := proposePayments(ctx, tx, a, w, d); err != nil {
			return err
		}
		// A new decision on an insats being carried out changes (or
		// ends) its order, and the provider hears of it.
		if err := followDecision(ctx, tx, a, d); err != nil {
			return err
		}
		// A decision not executed in time gives the officer a task.
		return warnIfNotExecuted(ctx, tx, a.Tenant, w.comp, w.c, d, "")
	})
	if err != nil {
		return store.Decision{}, err
	}
	return d, nil
}

// draftDecisions carries out create_decisions actions inside tx: a draft
// decision, granted by default, for each insats chosen in the signed form
// that has no decision on the case yet, for the officer to complete.
func draftDecisions(ctx context.Context, tx *store.Tx, a trygg.Actor, w *caseWork, move process.Move, existing []store.Decision) error {
	ct, ok := w.comp.CaseType(w.c.CaseType)
	if !ok || ct.Decisions == nil {
		return nil
	}
	has := map[string]bool{}
	for _, d := range existing {
		has[d.Insats] = true
	}
	for _, act := range move.Details {
		if act.Type.Value != process.ActionCreateDecisions {
			continue
		}
		var chosen []string
		switch v := w.ctx.Forms[act.Form.Value][act.Field.Value].(type) {
		case string:
			chosen = []string{v}
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok {
					chosen = append(chosen, s)
				}
			}
		}
		for _, insats := range chosen {
			if insats == "" || has[insats] {
				continue
			}
			has[insats] = true
			d := store.Decision{ID: newID(), CaseID: w.c.ID, Insats: insats, Outcome: process.OutcomeGranted,
				LegalBasis: ct.Decisions.LegalBases[0].Value, Status: "draft", DraftedBy: a.UserID}
			draftFromForm(&d, w.comp, ct.Decisions, act, w.ctx.Forms[act.Form.Value])
			if err := tx.SaveDecisionDraft(ctx, a.Tenant, d); err != nil {
				return err
			}
			e := events.New(a, events.DecisionDrafted, "decision", d.ID, map[string]any{"insats": d.Insats, "outcome": d.Outcome, "by": "create_decisions"})
			e.PersonID, e.CaseID = w.c.PersonID, w.c.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// draftAmount is a form value as a decision amount: a money field's öre as
// they are, a number field's value in hundredths (40.5 hours: 4050), the
// unit delegation limits use.
func draftAmount(comp *process.Compiled, form, field string, v any) int64 {
	n, ok := v.(float64)
	if !ok {
		return 0
	}
	if comp.FieldType(form, field) == process.FieldNumber {
		n *= 100
	}
	return int64(math.Round(n))
}
