package service

import (
	"context"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Controls of a payment run (docs/payments.md#controls): when a run is
// made, its lines are checked, in the run's transaction, for what
// auditors look for; each finding is made once (per kind and what it is
// about), becomes a task for the team leads of the line's unit (no
// assignee: the team inbox) and an event.

// TaskPaymentControl is the kind of the task a control finding makes.
const TaskPaymentControl = "payment_control"

// The controls, by the kind of their findings.
const (
	// ControlSharedAccount: the payee's account is also the account of
	// another person's payee.
	ControlSharedAccount = "shared_account"
	// ControlAccountChanged: the payee's account was changed shortly
	// before the line was attested (the case type's
	// decisions.payments.controls.account_changed_within, 30 days by
	// default), or after.
	ControlAccountChanged = "account_changed"
	// ControlAboveDecided: the lines of a decision and period pay more
	// than the decision's amount.
	ControlAboveDecided = "above_decided"
	// ControlTwoUnits: the person is paid from two units or more in the
	// same month.
	ControlTwoUnits = "two_units"
)

// controlTitles are the findings' task titles: plain Swedish naming no
// one (the task is on the line's case, which names the person to those
// who may read it).
var controlTitles = map[string]string{
	ControlSharedAccount:  "Kontroll: samma konto hos flera personer",
	ControlAccountChanged: "Kontroll: kontot ändrades strax före utbetalningen",
	ControlAboveDecided:   "Kontroll: mer utbetalt än beslutat belopp",
	ControlTwoUnits:       "Kontroll: utbetalningar från två enheter samma månad",
}

// runControls checks the lines of run, inside the run's transaction tx
// after they are marked sent, and records what it finds once: a finding,
// a task for the unit's team and an event each. It returns how many
// findings are new.
func (s *Service) runControls(ctx context.Context, tx *store.Tx, a trygg.Actor, run store.PaymentRun) (int, error) {
	comps := map[int64]*process.Compiled{}
	compiled := func(version int64) (*process.Compiled, error) {
		if c, ok := comps[version]; ok {
			return c, nil
		}
		c, err := s.compiled(ctx, a.Tenant, version)
		comps[version] = c
		return c, err
	}
	var found []store.ControlFinding
	add := func(kind string, h store.ControlHit) {
		found = append(found, store.ControlFinding{Kind: kind, Subject: h.Subject, LineID: h.LineID, CaseID: h.CaseID, PersonID: h.PersonID,
			UnitID: h.UnitID, Decided: h.Decided, Paid: h.Paid, Count: h.Count})
	}

	shared, err := tx.RunSharedAccounts(ctx, a.Tenant, run.ID)
	if err != nil {
		return 0, err
	}
	for _, h := range shared {
		add(ControlSharedAccount, h)
	}

	changes, err := tx.RunAccountChanges(ctx, a.Tenant, run.ID, time.Unix(0, 0))
	if err != nil {
		return 0, err
	}
	for _, h := range changes {
		comp, err := compiled(h.DefinitionVersion)
		if err != nil {
			return 0, err
		}
		changed, attested := dayOf(h.ChangedAt), dayOf(h.AttestedAt)
		if !comp.AccountChangedWithin(h.CaseType).After(changed).Before(attested) {
			h.Count = int64(attested.Sub(changed).Hours() / 24)
			add(ControlAccountChanged, h)
		}
	}

	above, err := tx.RunAboveDecided(ctx, a.Tenant, run.ID)
	if err != nil {
		return 0, err
	}
	for _, h := range above {
		if h.Paid <= h.Decided {
			continue
		}
		comp, err := compiled(h.DefinitionVersion)
		if err != nil {
			return 0, err
		}
		// Only an amount in money is compared with what is paid.
		if ct, ok := comp.CaseType(h.CaseType); ok && ct.Decisions != nil && ct.Decisions.AmountUnit.Value == process.UnitMoney {
			add(ControlAboveDecided, h)
		}
	}

	units, err := tx.RunTwoUnits(ctx, a.Tenant, run.ID)
	if err != nil {
		return 0, err
	}
	for _, h := range units {
		if h.Count > 1 {
			add(ControlTwoUnits, h)
		}
	}

	n := 0
	var evs []events.Event
	for _, f := range found {
		f.ID, f.TaskID, f.RunID = newID(), newID(), run.ID
		added, err := tx.InsertControlFinding(ctx, a.Tenant, f)
		if err != nil {
			return 0, err
		}
		if !added {
			continue
		}
		n++
		if err := tx.InsertTask(ctx, a.Tenant, store.Task{ID: f.TaskID, CaseID: f.CaseID, UnitID: f.UnitID, Kind: TaskPaymentControl,
			Title: controlTitles[f.Kind]}); err != nil {
			return 0, err
		}
		e := events.New(a, events.PaymentControlFinding, "payment_line", f.LineID, map[string]any{"finding_id": f.ID, "kind": f.Kind,
			"run_id": run.ID, "task_id": f.TaskID})
		e.PersonID, e.CaseID = f.PersonID, f.CaseID
		evs = append(evs, e)
	}
	if _, err := tx.AppendEvents(ctx, evs); err != nil {
		return 0, err
	}
	return n, nil
}

// dayOf is the day (in Sweden) of a moment, at midnight UTC, as
// calendar.Period counts days.
func dayOf(t time.Time) time.Time {
	y, m, d := t.In(calendar.Sweden).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// RunFindings returns what the controls found when run runID was made,
// each with its task's title and whether it is done, for a team lead of
// the run's units (who makes runs; another's run is not found). The
// findings name no one; the pages link to the line's case.
func (s *Service) RunFindings(ctx context.Context, a trygg.Actor, runID string) ([]store.ControlFinding, error) {
	if _, err := s.teamLeadRun(ctx, a, runID); err != nil {
		return nil, err
	}
	return s.db.RunFindings(ctx, a.Tenant, runID)
}
