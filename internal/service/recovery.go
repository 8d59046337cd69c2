package service

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Recovery (återkrav, SoL 9 kap. 1-2 §§) of amounts paid wrongly: a
// recovery decision on a case makes a debt, repayments are registered
// against it, and its balance never goes below zero. An officer who may
// work the case registers repayments; the decision needs delegation too
// (recoveryDelegated). Repayments go on after the case is closed, so a
// closed case still takes them.

// RecoveryInput is a recovery decision: the amount in öre, why, on what
// legal basis (the id of one of the case type's decisions.recovery
// legal_bases), and the case's paid payment lines it concerns, if any.
type RecoveryInput struct {
	Amount     int64    `json:"amount"`
	Reason     string   `json:"reason"`
	LegalBasis string   `json:"legal_basis"`
	PaymentIDs []string `json:"payment_ids,omitempty"`
}

// RepaymentInput is a repayment: the day it was paid (YYYY-MM-DD) and the
// amount in öre.
type RepaymentInput struct {
	Date   string `json:"date"`
	Amount int64  `json:"amount"`
}

// CaseRecovery is what the case page and the recovery page show: whether
// the case's type has recovery (Applies: its decisions.recovery), whether
// the actor may decide a recovery (MayDecide: delegation) or register
// repayments (Workable), the legal bases to choose from, the case's paid
// payment lines a recovery may concern (for one who may decide), and the
// case's debts with their balances.
type CaseRecovery struct {
	// CaseTitle and CaseReference name the case.
	CaseTitle     string          `json:"case_title"`
	CaseReference string          `json:"case_reference,omitempty"`
	Applies       bool            `json:"applies"`
	Workable      bool            `json:"workable"`
	MayDecide     bool            `json:"may_decide"`
	LegalBases    []RecoveryBasis `json:"legal_bases"`
	// Payments are the case's paid payment lines, by due date.
	Payments []store.PaymentLine  `json:"payments"`
	Debts    []store.RecoveryDebt `json:"debts"`
	// Balance is what is left to repay of all the debts, in öre.
	Balance int64 `json:"balance"`
}

// RecoveryBasis is a legal basis a recovery may cite, from the case
// type's decisions.recovery: its id and its name.
type RecoveryBasis struct {
	ID   string       `json:"id"`
	Name process.Text `json:"name"`
}

// BasisName returns the name in lang of the legal basis with the id, or
// the id itself when the case type no longer lists it.
func (r CaseRecovery) BasisName(id, lang string) string {
	for _, b := range r.LegalBases {
		if b.ID == id {
			return b.Name.In(lang)
		}
	}
	return id
}

// recoveryCase reads a case for recovery: one the actor may read, or with
// work one they may work on (open or closed), with the actor's roles in
// the case's unit.
func (s *Service) recoveryCase(ctx context.Context, a trygg.Actor, caseID string, work bool) (store.Case, persons.Person, access.Relation, []trygg.Role, error) {
	c, p, ground, err := s.caseFor(ctx, a, caseID, false)
	if err != nil {
		return c, p, "", nil, err
	}
	if work {
		if ground, err = s.mayWork(ctx, a, c, p); err != nil {
			return c, p, "", nil, err
		}
	}
	var roles []trygg.Role
	for _, g := range a.Grants {
		if org.Contains(g.UnitPath, c.UnitPath) && !slices.Contains(roles, g.Role) {
			roles = append(roles, g.Role)
		}
	}
	return c, p, ground, roles, nil
}

// mayWork is access's WorkCase on a case, closed or not.
func (s *Service) mayWork(ctx context.Context, a trygg.Actor, c store.Case, p persons.Person) (access.Relation, error) {
	rels, err := s.db.CaseRelations(ctx, a, c)
	if err != nil {
		return "", err
	}
	return access.Decide(a, access.WorkCase, access.Subject{Relations: rels, Protection: p.Protection})
}

// recoveryTerms returns the case type's recovery (nil when it has none:
// no decisions.recovery) and whether roles may decide a recovery of
// amount öre: a delegation of the case type for every insats (one that
// names no insatser) to one of the roles, up to its max_amount. With
// amount 0 it says whether they may decide any recovery.
func (s *Service) recoveryTerms(ctx context.Context, a trygg.Actor, c store.Case, roles []trygg.Role, amount int64) (rec *process.Recovery, may bool, err error) {
	if c.DefinitionVersion == 0 {
		return nil, false, nil
	}
	comp, err := s.compiled(ctx, a.Tenant, c.DefinitionVersion)
	if err != nil {
		return nil, false, err
	}
	ct, ok := comp.CaseType(c.CaseType)
	if !ok || ct.Recovery() == nil {
		return nil, false, nil
	}
	rec = ct.Recovery()
	for _, dl := range ct.Decisions.Delegation {
		if len(dl.Insatser) > 0 || (dl.MaxAmount > 0 && amount > dl.MaxAmount) {
			continue
		}
		for _, r := range dl.Roles {
			if slices.Contains(roles, trygg.Role(r.Value)) {
				return rec, true, nil
			}
		}
	}
	return rec, false, nil
}

// casePaidLines returns the case's paid payment lines the actor may read.
func (s *Service) casePaidLines(ctx context.Context, a trygg.Actor, caseID string) ([]store.PaymentLine, error) {
	return s.db.PaymentLines(ctx, a, store.PaymentQuery{Status: store.PaymentPaid, CaseID: caseID})
}

// CaseRecovery returns the case's recovery debts with their repayments
// and balances, and what the actor may do. The read is access-logged.
func (s *Service) CaseRecovery(ctx context.Context, a trygg.Actor, caseID string) (CaseRecovery, error) {
	out := CaseRecovery{LegalBases: []RecoveryBasis{}, Payments: []store.PaymentLine{}, Debts: []store.RecoveryDebt{}}
	c, p, ground, roles, err := s.recoveryCase(ctx, a, caseID, false)
	if err != nil {
		return out, err
	}
	out.CaseTitle, out.CaseReference = c.Title, c.Reference
	rec, may, err := s.recoveryTerms(ctx, a, c, roles, 0)
	if err != nil {
		return out, err
	}
	out.Applies = rec != nil
	if rec != nil {
		for _, b := range rec.LegalBases {
			out.LegalBases = append(out.LegalBases, RecoveryBasis{ID: b.ID.Value, Name: b.Name})
		}
	}
	if _, err := s.mayWork(ctx, a, c, p); err == nil {
		out.Workable = true
	}
	out.MayDecide = may && out.Workable
	if out.MayDecide {
		if out.Payments, err = s.casePaidLines(ctx, a, c.ID); err != nil {
			return out, err
		}
	}
	if out.Debts, err = s.db.CaseRecoveryDebts(ctx, a.Tenant, c.ID); err != nil {
		return out, err
	}
	for _, d := range out.Debts {
		out.Balance += d.Balance()
	}
	return out, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}

// DecideRecovery decides that the case's person repays an amount paid
// wrongly: a debt of in.Amount öre (more than 0, at most
// payments.MaxRecoveryAmount), with a reason and one of the case type's
// recovery legal bases, naming the case's paid payment lines it concerns
// if in.PaymentIDs has any. The actor must be able to work the case and
// have delegation for the amount (a forbidden error otherwise); a case
// type without recovery is a conflict error; a mistake is an invalid
// error on its field and nothing is written. The decision is the event
// recovery.decided.
func (s *Service) DecideRecovery(ctx context.Context, a trygg.Actor, caseID string, in RecoveryInput) (store.RecoveryDebt, error) {
	c, _, ground, roles, err := s.recoveryCase(ctx, a, caseID, true)
	if err != nil {
		return store.RecoveryDebt{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	rec, may, err := s.recoveryTerms(ctx, a, c, roles, in.Amount)
	if err != nil {
		return store.RecoveryDebt{}, err
	}
	if rec == nil {
		return store.RecoveryDebt{}, trygg.Errorf(trygg.EConflict, "Cases of this type have no recovery, so nothing can be recovered.")
	}
	fields := map[string]string{}
	switch {
	case in.Amount <= 0:
		fields["amount"] = "Give the amount to be repaid, more than 0 kronor."
	case in.Amount > payments.MaxRecoveryAmount:
		fields["amount"] = "The amount is larger than 10 000 000 kronor."
	}
	switch {
	case in.Reason == "":
		fields["reason"] = "Write why the amount is to be repaid."
	case utf8.RuneCountInString(in.Reason) > 4000:
		fields["reason"] = "The reason is longer than 4000 characters."
	}
	if _, ok := rec.Basis(in.LegalBasis); !ok {
		fields["legal_basis"] = "Choose the legal basis of the recovery."
	}
	ids := []string{}
	for _, id := range in.PaymentIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) > 500 {
		fields["payment_ids"] = "A recovery decision names at most 500 payments."
	}
	for _, id := range ids {
		oneLine(fields, "payment_ids", id)
	}
	if len(ids) > 0 && fields["payment_ids"] == "" {
		paid, err := s.casePaidLines(ctx, a, c.ID)
		if err != nil {
			return store.RecoveryDebt{}, err
		}
		for _, id := range ids {
			if !slices.ContainsFunc(paid, func(l store.PaymentLine) bool { return l.ID == id }) {
				fields["payment_ids"] = "Choose among the case's paid payments."
			}
		}
	}
	if len(fields) > 0 {
		return store.RecoveryDebt{}, trygg.Invalid("The recovery decision is not complete.", fields)
	}
	if !may {
		return store.RecoveryDebt{}, trygg.Errorf(trygg.EForbidden, "You have no delegation to decide a recovery of this amount; a colleague with delegation must decide.")
	}
	d := store.RecoveryDebt{ID: newID(), CaseID: c.ID, PersonID: c.PersonID, Amount: in.Amount, Reason: in.Reason,
		LegalBasis: in.LegalBasis, PaymentIDs: ids, DecidedBy: a.UserID, Repayments: []store.Repayment{}}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		if err := tx.InsertRecoveryDebt(ctx, a.Tenant, d); err != nil {
			return err
		}
		d.DecidedAt = tx.Now
		// The reason's text stays on the debt: the event log copies no
		// texts of decisions.
		e := events.New(a, events.RecoveryDecided, "recovery_debt", d.ID, map[string]any{"amount": d.Amount,
			"legal_basis": d.LegalBasis, "payment_ids": d.PaymentIDs})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return store.RecoveryDebt{}, err
	}
	return d, nil
}

// RegisterRepayment registers a repayment against a debt of the case:
// paid on in.Date (not after today), in.Amount öre, more than 0 and no
// more than the debt's balance, so the debt never goes below zero. A
// mistake is an invalid error on its field (amount, date) and nothing is
// written. The repayment is the event recovery.repayment_registered. It
// returns the debt after the repayment.
func (s *Service) RegisterRepayment(ctx context.Context, a trygg.Actor, caseID, debtID string, in RepaymentInput) (store.RecoveryDebt, error) {
	c, _, ground, _, err := s.recoveryCase(ctx, a, caseID, true)
	if err != nil {
		return store.RecoveryDebt{}, err
	}
	fields := map[string]string{}
	if in.Amount <= 0 {
		fields["amount"] = "Give the amount repaid, more than 0 kronor."
	} else if in.Amount > payments.MaxRecoveryAmount {
		fields["amount"] = "The amount is larger than 10 000 000 kronor."
	}
	day, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(in.Date), calendar.Sweden)
	switch {
	case err != nil:
		fields["date"] = "Give the day the amount was paid, as YYYY-MM-DD."
	case day.Format(time.DateOnly) > calendar.Today(s.db.Now()):
		fields["date"] = "The day the amount was paid cannot be in the future."
	case day.Year() < 2000:
		fields["date"] = "Give the day the amount was paid, as YYYY-MM-DD."
	}
	if len(fields) > 0 {
		return store.RecoveryDebt{}, trygg.Invalid("The repayment could not be registered.", fields)
	}
	var d store.RecoveryDebt
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		var err error
		if d, err = tx.RecoveryDebt(ctx, a.Tenant, c.ID, debtID); err != nil {
			return err
		}
		r := store.Repayment{ID: newID(), DebtID: d.ID, PaidOn: day.Format(time.DateOnly), Amount: in.Amount, RegisteredBy: a.UserID}
		ok, err := tx.AddRepayment(ctx, a.Tenant, r)
		if err != nil {
			return err
		}
		if !ok {
			if d.Balance() == 0 {
				return trygg.Invalid("The repayment could not be registered.", map[string]string{"amount": "The debt is already repaid in full."})
			}
			return trygg.Invalid("The repayment could not be registered.", map[string]string{"amount": "The amount is more than is left of the debt."})
		}
		if d, err = tx.RecoveryDebt(ctx, a.Tenant, c.ID, debtID); err != nil {
			return err
		}
		e := events.New(a, events.RepaymentRegistered, "recovery_debt", d.ID, map[string]any{"repayment_id": r.ID,
			"paid_on": r.PaidOn, "amount": r.Amount, "balance": d.Balance()})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return store.RecoveryDebt{}, err
	}
	return d, nil
}
