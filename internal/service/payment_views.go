package service

import (
	"context"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// What the staff pages show of payments (docs/payments.md): lists of
// payment lines with the names of the staff who prepared, decided and
// attested them, a case's lines of every status, and one line.

// PaymentsView is a list of payment lines with the display names of the
// staff they name (prepared_by, decided_by, attested_by).
type PaymentsView struct {
	Lines []store.PaymentLine `json:"lines"`
	Names map[string]string   `json:"names"`
	// Applies is true when the case's type pays money (CasePayments).
	Applies bool `json:"applies,omitempty"`
}

// paymentStatuses are the statuses a line may have, in the order a case
// page lists them.
var paymentStatuses = []string{store.PaymentProposed, store.PaymentAttested, store.PaymentSent, store.PaymentPaid,
	store.PaymentRejected, store.PaymentStopped}

// PaymentList is PaymentProposal for each of the statuses asked for (the
// proposal's when none), with the staff's names.
func (s *Service) PaymentList(ctx context.Context, a trygg.Actor, f PaymentFilter, statuses ...string) (PaymentsView, error) {
	if len(statuses) == 0 {
		statuses = []string{f.Status}
	}
	v := PaymentsView{Lines: []store.PaymentLine{}, Names: map[string]string{}}
	for _, st := range statuses {
		f.Status = st
		lines, err := s.PaymentProposal(ctx, a, f)
		if err != nil {
			return v, err
		}
		v.Lines = append(v.Lines, lines...)
	}
	return v, s.staffNames(ctx, a, &v)
}

func (s *Service) staffNames(ctx context.Context, a trygg.Actor, v *PaymentsView) error {
	var ids []string
	for _, l := range v.Lines {
		ids = append(ids, l.PreparedBy, l.DecidedBy, l.AttestedBy)
	}
	_, err := s.shownNames(ctx, a, ids, v.Names)
	return err
}

// CasePayments returns the payment lines of a case, of every status (a
// stop's negative line too), for staff who may read the case; the read is
// access-logged as a read of the case. Applies says whether the case's
// type pays money at all.
func (s *Service) CasePayments(ctx context.Context, a trygg.Actor, caseID string) (PaymentsView, error) {
	v := PaymentsView{Lines: []store.PaymentLine{}, Names: map[string]string{}}
	c, _, ground, err := s.caseFor(ctx, a, caseID, false)
	if err != nil {
		return v, err
	}
	comp, err := s.compiled(ctx, a.Tenant, c.DefinitionVersion)
	if err != nil {
		return v, err
	}
	if v.Applies = comp.Payments(c.CaseType) != nil; !v.Applies {
		return v, nil
	}
	for _, st := range paymentStatuses {
		lines, err := s.db.PaymentLines(ctx, a, store.PaymentQuery{Status: st, CaseID: c.ID})
		if err != nil {
			return v, err
		}
		v.Lines = append(v.Lines, lines...)
	}
	if err := s.staffNames(ctx, a, &v); err != nil {
		return v, err
	}
	return v, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}

// PaymentLineOf returns one payment line for staff who may read its case
// (not found otherwise, as for a line that does not exist), with the
// staff's names; the read is access-logged as a read of the case.
func (s *Service) PaymentLineOf(ctx context.Context, a trygg.Actor, lineID string) (PaymentsView, error) {
	v := PaymentsView{Names: map[string]string{}}
	l, err := s.db.PaymentLine(ctx, a.Tenant, lineID)
	if err != nil {
		return v, err
	}
	if _, _, ground, err := s.lineCase(ctx, a, l, false); err != nil {
		return v, err
	} else if err := s.logAccess(ctx, entry(a, access.ReadCase, l.PersonID, l.CaseID, ground, "")); err != nil {
		return v, err
	}
	v.Lines = []store.PaymentLine{l}
	return v, s.staffNames(ctx, a, &v)
}
