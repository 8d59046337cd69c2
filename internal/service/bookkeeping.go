package service

import (
	"context"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// RunBookkeeping returns the bookkeeping file of a payment run for the
// finance system, in the layout s.BookkeepingLayout (the one shipped if
// none is set): each payment line's account, cost centre, unit and amount,
// summed or one per payment as the layout says (docs/payments.md). A
// payment the bank rejected left no money, so it is not in the file. A
// team lead of the run's units reads it, as they make runs (forbidden to
// one who is team lead nowhere); an unknown run, or another's, is not
// found. A layout that names each payment (per_payment) is access-logged
// like the bank file; a summed one names no one.
func (s *Service) RunBookkeeping(ctx context.Context, a trygg.Actor, runID string) ([]byte, error) {
	run, err := s.teamLeadRun(ctx, a, runID)
	if err != nil {
		return nil, err
	}
	lines, err := s.db.RunBookkeepingLines(ctx, a.Tenant, run.ID)
	if err != nil {
		return nil, err
	}
	layout := s.BookkeepingLayout
	if len(layout.Columns) == 0 {
		layout = payments.DefaultBookkeepingLayout()
	}
	entries := make([]payments.BookkeepingEntry, 0, len(lines))
	var logs []audit.Entry
	for _, l := range lines {
		if l.Status == store.PaymentRejected {
			continue
		}
		entries = append(entries, payments.BookkeepingEntry{Account: l.Account, CostCentre: l.CostCentre, Unit: l.UnitID,
			UnitName: l.UnitName, Amount: l.Amount, Date: dateOf(l.DueDate), Period: l.Period, Run: run.MessageID, Reference: l.ID})
		if layout.Grouping == payments.GroupingPerPayment {
			logs = append(logs, entry(a, access.ReadPersonName, l.PersonID, l.CaseID, access.RelUnit, ""))
		}
	}
	file, err := payments.WriteBookkeeping(layout, entries)
	if err != nil {
		return nil, err
	}
	if len(logs) > 0 {
		if err := s.logAccess(ctx, logs...); err != nil {
			return nil, err
		}
	}
	return file, nil
}
