package service

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Payments (docs/payments.md): a final decision that grants makes payment
// lines as its case type's decisions.payments says; they wait in the
// payment proposal until someone other than the one who prepared them or
// made their decision attests them within their attest limit; a team lead
// gathers the attested lines into a run, a bank file (pain.001); the
// bank's status report (pain.002) marks them paid or rejected, and each
// rejection is a task for the case's officer.

// TaskPaymentRejected is the kind of the task a payment the bank rejected
// makes for the case's officer.
const TaskPaymentRejected = "payment_rejected"

// rejectedTaskSpace names the ids of payment_rejected tasks.
var rejectedTaskSpace = uuid.MustParse("6f1d3c1e-2b7a-4e55-9a51-0c5b8f0d7a31")

// rejectedTaskID is the id of the task a rejected line makes: made from
// the line's id, so paying the line again (RepayRejected) closes its
// task and no other.
func rejectedTaskID(lineID string) string {
	return uuid.NewSHA1(rejectedTaskSpace, []byte(lineID)).String()
}

// proposePayments makes, inside tx, the payment lines of the final
// decision d of the case being worked: one per item the case type's
// payments pay on its insats (a monthly item's line for the first month),
// prepared by the actor who made the decision.
func proposePayments(ctx context.Context, tx *store.Tx, a trygg.Actor, w *caseWork, d store.Decision) error {
	if d.Outcome == process.OutcomeRefused {
		return nil
	}
	def := w.comp.Payments(w.c.CaseType)
	if def == nil {
		return nil
	}
	var form map[string]any
	if def.Form.Value != "" {
		form = w.ctx.Forms[w.comp.FormFor(w.c.CaseType, w.c.UnitPath, def.Form.Value)]
	}
	dues, err := w.comp.PaymentsDue(w.c.CaseType, process.PaymentDecision{Insats: d.Insats, Outcome: d.Outcome,
		ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, Amount: d.Amount}, w.ctx, form)
	if err != nil || len(dues) == 0 {
		return err
	}
	today := calendar.Today(tx.Now)
	start := max(d.ValidFrom, today)
	personPayee := ""
	for _, due := range dues {
		l := store.PaymentLine{ID: newID(), CaseID: w.c.ID, DecisionID: d.ID, PersonID: w.c.PersonID, UnitID: w.c.UnitID,
			CaseType: w.c.CaseType, Item: due.Item, ItemName: due.Name.SV, Schedule: due.Schedule, Period: start,
			PayeeCategory: due.Payee, Amount: due.Amount, DueDate: start, Account: due.Account, CostCentre: due.CostCentre,
			Status: store.PaymentProposed, PreparedBy: a.UserID, DecidedBy: d.DecidedBy}
		if due.Schedule == process.ScheduleMonthly {
			l.Period = d.ValidFrom[:7]
		}
		if due.Payee == process.PayeePerson {
			if personPayee == "" {
				if personPayee, err = payeeOfPerson(ctx, tx, a.Tenant, w.c.PersonID); err != nil {
					return err
				}
			}
			l.PayeeID = personPayee
		}
		if err := insertLine(ctx, tx, a, l); err != nil {
			return err
		}
	}
	return nil
}

// payeeOfPerson returns the id of the person's payee inside tx, "" when
// they have none yet (the line then waits for one before it can be
// attested).
func payeeOfPerson(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, personID string) (string, error) {
	p, err := tx.PersonPayee(ctx, tenant, personID)
	if errors.Is(err, trygg.ErrNotFound) || trygg.ErrorCode(err) == trygg.ENotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

// insertLine adds a proposed line and its event inside tx; a line the
// decision already has for the item and period is left as it is.
func insertLine(ctx context.Context, tx *store.Tx, a trygg.Actor, l store.PaymentLine) error {
	added, err := tx.InsertPaymentLine(ctx, a.Tenant, l)
	if err != nil || !added {
		return err
	}
	e := events.New(a, events.PaymentProposed, "payment_line", l.ID, map[string]any{"decision_id": l.DecisionID, "item": l.Item,
		"period": l.Period, "amount": l.Amount, "payee_category": l.PayeeCategory, "due_date": l.DueDate})
	e.PersonID, e.CaseID = l.PersonID, l.CaseID
	_, err = tx.AppendEvent(ctx, e)
	return err
}

// casePaths returns the unit paths where the actor has one of roles.
func casePaths(a trygg.Actor, roles ...trygg.Role) []string {
	var out []string
	for _, g := range a.Grants {
		if slices.Contains(roles, g.Role) && g.UnitPath != "" && !slices.Contains(out, g.UnitPath) {
			out = append(out, g.UnitPath)
		}
	}
	return out
}

// rolesIn returns the actor's roles in the unit with path unitPath (or
// above it).
func rolesIn(a trygg.Actor, unitPath string) []trygg.Role {
	var out []trygg.Role
	for _, g := range a.Grants {
		if org.Contains(g.UnitPath, unitPath) && !slices.Contains(out, g.Role) {
			out = append(out, g.Role)
		}
	}
	return out
}

// ProposeMonth makes the lines of month (YYYY-MM) for the monthly items
// of the final decisions in the unit (and the units under it) that run
// into the month: the same amount and payee as the item's first line,
// due the month's first day (today, if that has passed). A decision that
// already has the month's line is left alone, so calling it again makes
// nothing. The actor must be an officer or team lead of the unit. It
// returns how many lines it made.
func (s *Service) ProposeMonth(ctx context.Context, a trygg.Actor, unitID, month string) (int, error) {
	if _, err := time.Parse("2006-01", month); err != nil || len(month) != 7 {
		return 0, trygg.Invalid("The month is not valid.", map[string]string{"month": "Give a month as YYYY-MM."})
	}
	u, err := s.db.Unit(ctx, a.Tenant, unitID)
	if err != nil {
		return 0, err
	}
	if !slices.ContainsFunc(casePaths(a, trygg.RoleOfficer, trygg.RoleTeamLead), func(p string) bool { return org.Contains(p, u.Path) }) {
		return 0, trygg.Errorf(trygg.EForbidden, "You may not prepare payments in this unit.")
	}
	units, err := s.db.UnitIDsUnder(ctx, a.Tenant, []string{u.Path})
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		first, payees, err := tx.MonthlyLinesToFollow(ctx, a.Tenant, units, month)
		if err != nil {
			return err
		}
		due := max(month+"-01", calendar.Today(tx.Now))
		lines := make([]store.PaymentLine, len(first))
		for i, f := range first {
			l := f
			l.ID, l.Period, l.DueDate, l.Status, l.PreparedBy = newID(), month, due, store.PaymentProposed, a.UserID
			l.AttestedBy, l.RunID, l.BankStatus, l.BankReason, l.Replaces = "", "", "", "", ""
			if l.PayeeCategory == process.PayeePerson {
				l.PayeeID = payees[i]
			}
			lines[i] = l
		}
		// Many lines a statement: a month of a large unit is thousands.
		added, err := tx.InsertPaymentLines(ctx, a.Tenant, lines)
		if err != nil {
			return err
		}
		evs := make([]events.Event, 0, len(added))
		for _, l := range lines {
			if !added[l.ID] {
				continue
			}
			e := events.New(a, events.PaymentProposed, "payment_line", l.ID, map[string]any{"decision_id": l.DecisionID, "item": l.Item,
				"period": l.Period, "amount": l.Amount, "payee_category": l.PayeeCategory, "due_date": l.DueDate})
			e.PersonID, e.CaseID = l.PersonID, l.CaseID
			evs = append(evs, e)
		}
		n = len(evs)
		_, err = tx.AppendEvents(ctx, evs)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// PaymentFilter says which payment lines PaymentProposal lists.
type PaymentFilter struct {
	// Status is proposed (the default), attested, sent, paid, rejected
	// or stopped.
	Status string
	// CaseID and RunID narrow the list to a case's or a run's lines.
	CaseID string
	RunID  string
}

// PaymentProposal returns the payment lines the actor may read (the
// lines of cases they may read as staff) with the status asked for,
// proposed by default, each with the person's name, by due date (at most
// 500). The persons named are access-logged, one entry per person on the
// ground of reading their case.
func (s *Service) PaymentProposal(ctx context.Context, a trygg.Actor, f PaymentFilter) ([]store.PaymentLine, error) {
	switch f.Status {
	case "", store.PaymentProposed, store.PaymentAttested, store.PaymentSent, store.PaymentPaid, store.PaymentRejected, store.PaymentStopped:
	default:
		return nil, trygg.Invalid("The payments cannot be listed that way.", map[string]string{"status": "Choose proposed, attested, sent, paid, rejected or stopped."})
	}
	if len(casePaths(a, trygg.RoleOfficer, trygg.RoleTeamLead)) == 0 {
		return nil, trygg.Errorf(trygg.EForbidden, "You do not have permission to do this.")
	}
	lines, err := s.db.PaymentLines(ctx, a, store.PaymentQuery{Status: f.Status, CaseID: f.CaseID, RunID: f.RunID})
	if err != nil {
		return nil, err
	}
	paths := casePaths(a, trygg.RoleOfficer, trygg.RoleTeamLead)
	seen := map[string]bool{}
	var logs []audit.Entry
	for _, l := range lines {
		if seen[l.PersonID] {
			continue
		}
		seen[l.PersonID] = true
		ground := access.RelEmergency
		switch {
		case l.CaseAssignee == a.UserID:
			ground = access.RelAssigned
		case slices.ContainsFunc(paths, func(p string) bool { return org.Contains(p, l.UnitPath) }):
			ground = access.RelUnit
		}
		logs = append(logs, entry(a, access.ReadPersonName, l.PersonID, l.CaseID, ground, ""))
	}
	if err := s.logAccess(ctx, logs...); err != nil {
		return nil, err
	}
	return lines, nil
}

// lineCase checks that the actor may read the case of line l as staff
// and returns the case's compiled definitions.
func (s *Service) lineCase(ctx context.Context, a trygg.Actor, l store.PaymentLine, work bool) (*process.Compiled, store.Case, access.Relation, error) {
	c, _, ground, err := s.caseFor(ctx, a, l.CaseID, work)
	if err != nil {
		return nil, c, "", err
	}
	comp, err := s.compiled(ctx, a.Tenant, c.DefinitionVersion)
	return comp, c, ground, err
}

// readCase is a case as an access decision left it: the case and the
// ground on which the actor reads it, or the refusal.
type readCase struct {
	c      store.Case
	ground access.Relation
	err    error
}

// readableCases decides for each of the cases ids, as caseFor does
// without work (access.Decide for reading it, on the same relations and
// protection, a citizen's ground not counting), whether the actor may
// read it as staff, reading what the decisions need in one query per 500
// cases instead of three reads per case. A case that does not exist is
// not found. For an actor who is also a citizen (whose relations to
// persons are read person by person) it asks caseFor case by case.
func (s *Service) readableCases(ctx context.Context, a trygg.Actor, ids []string) (map[string]readCase, error) {
	out := make(map[string]readCase, len(ids))
	if access.ReadScope(a).SelfPersonID != "" {
		for _, id := range ids {
			if _, ok := out[id]; ok {
				continue
			}
			c, _, ground, err := s.caseFor(ctx, a, id, false)
			if err != nil && trygg.ErrorCode(err) != trygg.ENotFound && trygg.ErrorCode(err) != trygg.EForbidden {
				return nil, err
			}
			out[id] = readCase{c, ground, err}
		}
		return out, nil
	}
	found, err := s.db.CasesAccess(ctx, a, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		ca, ok := found[id]
		if !ok {
			out[id] = readCase{err: trygg.ErrNotFound}
			continue
		}
		var personRels []access.Relation
		if ca.Emergency {
			personRels = append(personRels, access.RelEmergency)
		}
		subj := access.Subject{Relations: access.CaseRelations(a, ca.Case.AssignedTo, ca.Case.UnitPath, personRels), Protection: ca.Protection}
		ground, err := access.Decide(a, access.ReadCase, subj)
		if err == nil && citizenGround(ground) {
			ground, err = "", trygg.Errorf(trygg.ENotFound, "Not found.")
		}
		out[id] = readCase{ca.Case, ground, err}
	}
	return out, nil
}

// Attest attests the proposed payment lines lineIDs, all or none: each
// must be waiting to be attested, prepared and decided by others than
// the actor (dual control), within the attest limit of the actor's roles
// in the case's unit, and have a payee (a person's payee is looked up
// again). On any refusal nothing is written: an invalid error on lines
// names what is wrong.
func (s *Service) Attest(ctx context.Context, a trygg.Actor, lineIDs []string) error {
	if len(lineIDs) == 0 {
		return trygg.Invalid("Choose the payments to attest.", map[string]string{"lines": "Choose at least one payment."})
	}
	if len(lineIDs) > 1000 {
		return trygg.Invalid("Too many payments at once.", map[string]string{"lines": "At most 1 000 payments at a time."})
	}
	type checked struct {
		line  store.PaymentLine
		entry audit.Entry
	}
	var ok []checked
	type readable struct {
		comp   *process.Compiled
		c      store.Case
		ground access.Relation
	}
	cases := map[string]readable{} // a case's lines are checked once
	byID, err := s.db.PaymentLinesByID(ctx, a.Tenant, lineIDs)
	if err != nil {
		return err
	}
	// The cases' access decisions in one read for the batch, not three
	// reads a case (docs/benchmarks.md, the payment run).
	caseIDs := make([]string, 0, len(byID))
	listed := map[string]bool{}
	for _, l := range byID {
		if !listed[l.CaseID] {
			listed[l.CaseID] = true
			caseIDs = append(caseIDs, l.CaseID)
		}
	}
	decided, err := s.readableCases(ctx, a, caseIDs)
	if err != nil {
		return err
	}
	for _, id := range lineIDs {
		l, found := byID[id]
		if !found {
			return trygg.ErrNotFound
		}
		r, seen := cases[l.CaseID]
		if !seen {
			d := decided[l.CaseID]
			if d.err != nil {
				return d.err
			}
			if r.comp, err = s.compiled(ctx, a.Tenant, d.c.DefinitionVersion); err != nil {
				return err
			}
			r.c, r.ground = d.c, d.ground
			cases[l.CaseID] = r
		}
		comp, c, ground := r.comp, r.c, r.ground
		if l.PreparedBy == a.UserID || l.DecidedBy == a.UserID {
			return trygg.Invalid("You cannot attest a payment you prepared or decided yourself.",
				map[string]string{"lines": "Someone other than the one who prepared or decided the payment must attest it."})
		}
		limit, may := comp.AttestLimit(l.CaseType, rolesIn(a, c.UnitPath))
		if !may {
			return trygg.Errorf(trygg.EForbidden, "You may not attest payments of this kind.")
		}
		if limit > 0 && l.Amount > limit {
			return trygg.Invalid("The payment is above the amount you may attest.",
				map[string]string{"lines": "Someone with a higher attest limit must attest it."})
		}
		ok = append(ok, checked{l, entry(a, access.ReadPersonName, l.PersonID, l.CaseID, ground, "")})
	}
	var logs []audit.Entry
	for _, c := range ok {
		logs = append(logs, c.entry)
	}
	return s.updateLogged(ctx, logs, func(tx *store.Tx) error {
		locked, err := tx.PaymentLinesForUpdate(ctx, a.Tenant, lineIDs)
		if err != nil {
			return err
		}
		var plain []string // lines whose payee is set already
		evs := make([]events.Event, 0, len(locked))
		for i, l := range locked {
			// What was checked above may have changed since: check again
			// under the lock.
			if l.Status != store.PaymentProposed {
				return trygg.Invalid("The payment is no longer waiting to be attested.", map[string]string{"lines": "Reload the payments and try again."})
			}
			if l.PreparedBy == a.UserID || l.DecidedBy == a.UserID || l.Amount != ok[i].line.Amount {
				return trygg.Invalid("You cannot attest a payment you prepared or decided yourself.",
					map[string]string{"lines": "Someone other than the one who prepared or decided the payment must attest it."})
			}
			payee := ""
			if l.PayeeID == "" && l.PayeeCategory == process.PayeePerson {
				if payee, err = payeeOfPerson(ctx, tx, a.Tenant, l.PersonID); err != nil {
					return err
				}
			}
			if l.PayeeID == "" && payee == "" {
				return trygg.Invalid("The payment has no payee.", map[string]string{"lines": "Register the payee and its account before the payment is attested."})
			}
			if payee == "" {
				plain = append(plain, l.ID)
			} else if err := tx.AttestPaymentLine(ctx, a.Tenant, l.ID, a.UserID, payee); err != nil {
				return err
			}
			e := events.New(a, events.PaymentAttested, "payment_line", l.ID, map[string]any{"amount": l.Amount, "item": l.Item, "period": l.Period})
			e.PersonID, e.CaseID = l.PersonID, l.CaseID
			evs = append(evs, e)
		}
		if err := tx.AttestPaymentLines(ctx, a.Tenant, plain, a.UserID); err != nil {
			return err
		}
		_, err = tx.AppendEvents(ctx, evs)
		return err
	})
}

// ChoosePayee gives a proposed line whose payee is not the person (a
// landlord, a contractor, ...) its payee from the register; the actor
// must be able to work the case, and becomes the line's preparer (so
// someone else attests it). A payee of another category than the line's
// is refused, except for a line of category other.
func (s *Service) ChoosePayee(ctx context.Context, a trygg.Actor, lineID, payeeID string) error {
	l, err := s.db.PaymentLine(ctx, a.Tenant, lineID)
	if err != nil {
		return err
	}
	_, _, ground, err := s.lineCase(ctx, a, l, true)
	if err != nil {
		return err
	}
	return s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, l.PersonID, l.CaseID, ground, "")}, func(tx *store.Tx) error {
		p, err := tx.Payee(ctx, a.Tenant, payeeID)
		if err != nil {
			if trygg.ErrorCode(err) == trygg.ENotFound {
				return trygg.Invalid("The payee is not in the register.", map[string]string{"payee_id": "Choose a payee from the register."})
			}
			return err
		}
		if l.PayeeCategory != process.PayeeOther && p.Category != l.PayeeCategory {
			return trygg.Invalid("The payee is of another kind than the payment.", map[string]string{"payee_id": "Choose a payee of the kind the payment is for."})
		}
		if err := tx.ChoosePaymentPayee(ctx, a.Tenant, l.ID, p.ID, a.UserID); err != nil {
			return err
		}
		e := events.New(a, events.PaymentPayeeChosen, "payment_line", l.ID, map[string]any{"payee_id": p.ID, "category": p.Category})
		e.PersonID, e.CaseID = l.PersonID, l.CaseID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
}

// StopPayment stops a line not yet sent to the bank: the line is marked
// stopped and a new line with the negative amount records the stop (an
// amount is never changed). The actor must be able to work the case. It
// returns the stop line; a line already sent or stopped is a conflict.
func (s *Service) StopPayment(ctx context.Context, a trygg.Actor, lineID string) (store.PaymentLine, error) {
	l, err := s.db.PaymentLine(ctx, a.Tenant, lineID)
	if err != nil {
		return store.PaymentLine{}, err
	}
	_, _, ground, err := s.lineCase(ctx, a, l, true)
	if err != nil {
		return store.PaymentLine{}, err
	}
	if l.Reverses != "" {
		return store.PaymentLine{}, trygg.Errorf(trygg.EConflict, "Only a payment not yet sent to the bank can be stopped.")
	}
	stop := l
	stop.ID, stop.Amount, stop.Reverses, stop.Status, stop.PreparedBy = newID(), -l.Amount, l.ID, store.PaymentStopped, a.UserID
	stop.AttestedBy, stop.RunID = "", ""
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, l.PersonID, l.CaseID, ground, "")}, func(tx *store.Tx) error {
		if err := tx.StopPaymentLine(ctx, a.Tenant, l.ID); err != nil {
			return err
		}
		added, err := tx.InsertPaymentLine(ctx, a.Tenant, stop)
		if err != nil {
			return err
		}
		if !added {
			return trygg.Errorf(trygg.EConflict, "Only a payment not yet sent to the bank can be stopped.")
		}
		e := events.New(a, events.PaymentStopped, "payment_line", stop.ID, map[string]any{"reverses": l.ID, "amount": stop.Amount,
			"item": l.Item, "period": l.Period, "status_before": l.Status})
		e.PersonID, e.CaseID = l.PersonID, l.CaseID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return store.PaymentLine{}, err
	}
	return stop, nil
}

// RepayRejected pays again a line the bank rejected: a new proposed line
// for the same decision, item, period and amount, replacing the rejected
// one (its Replaces), prepared by the actor, due today at the earliest, to
// the person's payee as registered now (for a person item; typically its
// account has been corrected since) or the same payee. It goes through
// attest and a run like any line. The line's payment_rejected task is
// closed in the same transaction. The actor must be able to work the
// case. A line the bank did not reject, or one already paid again, is a
// conflict: nothing can be paid twice.
func (s *Service) RepayRejected(ctx context.Context, a trygg.Actor, lineID string) (store.PaymentLine, error) {
	l, err := s.db.PaymentLine(ctx, a.Tenant, lineID)
	if err != nil {
		return store.PaymentLine{}, err
	}
	_, _, ground, err := s.lineCase(ctx, a, l, true)
	if err != nil {
		return store.PaymentLine{}, err
	}
	var repay store.PaymentLine
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, l.PersonID, l.CaseID, ground, "")}, func(tx *store.Tx) error {
		locked, err := tx.PaymentLinesForUpdate(ctx, a.Tenant, []string{l.ID})
		if err != nil {
			return err
		}
		l = locked[0]
		if l.Status != store.PaymentRejected {
			return trygg.Errorf(trygg.EConflict, "Only a payment the bank rejected can be paid again.")
		}
		repay = l
		repay.ID, repay.Replaces, repay.Status, repay.PreparedBy, repay.PreparedAt = newID(), l.ID, store.PaymentProposed, a.UserID, tx.Now
		repay.DueDate = max(l.DueDate, calendar.Today(tx.Now))
		repay.AttestedBy, repay.AttestedAt, repay.RunID, repay.BankStatus, repay.BankReason = "", time.Time{}, "", "", ""
		if l.PayeeCategory == process.PayeePerson {
			if repay.PayeeID, err = payeeOfPerson(ctx, tx, a.Tenant, l.PersonID); err != nil {
				return err
			}
		}
		added, err := tx.InsertPaymentLine(ctx, a.Tenant, repay)
		if err != nil {
			return err
		}
		if !added {
			return trygg.Errorf(trygg.EConflict, "The payment has been made again already.")
		}
		if err := tx.CloseTask(ctx, a.Tenant, rejectedTaskID(l.ID)); err != nil {
			return err
		}
		e := events.New(a, events.PaymentReplaced, "payment_line", repay.ID, map[string]any{"replaces": l.ID, "decision_id": l.DecisionID,
			"item": l.Item, "period": l.Period, "amount": l.Amount, "due_date": repay.DueDate})
		e.PersonID, e.CaseID = l.PersonID, l.CaseID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return store.PaymentLine{}, err
	}
	return repay, nil
}

// CreateRunInput asks for a payment run.
type CreateRunInput struct {
	// ExecutionDate is the day the bank pays (YYYY-MM-DD), today or
	// later; empty: today. A line due later is paid its own day.
	ExecutionDate string `json:"execution_date,omitempty"`
}

// e2eID is a line's end-to-end id in the bank file: its id without the
// hyphens (32 characters; the bank allows 35).
func e2eID(lineID string) string { return strings.ReplaceAll(lineID, "-", "") }

// lineDate is the day a line is paid in a run executed on exec: its due
// day, or the run's day when that is later.
func lineDate(l store.PaymentLine, exec string) string { return max(l.DueDate, exec) }

// CreateRun gathers the attested lines not yet sent in the units where
// the actor is a team lead into one payment run: the bank file (pain.001)
// from the municipality's account (Service.Payer), stored as made, its
// lines marked sent. Nothing attested is an invalid error, and so is a
// payer not configured or a file the bank would refuse; nothing is
// written then.
func (s *Service) CreateRun(ctx context.Context, a trygg.Actor, in CreateRunInput) (store.PaymentRun, error) {
	paths := casePaths(a, trygg.RoleTeamLead)
	if len(paths) == 0 {
		return store.PaymentRun{}, trygg.Errorf(trygg.EForbidden, "Only a team lead may make a payment run.")
	}
	if s.Payer.Name == "" || s.Payer.Account.Kind == "" {
		return store.PaymentRun{}, trygg.Errorf(trygg.EConflict, "The municipality's own bank account for payments is not configured.")
	}
	now := s.db.Now()
	today := calendar.Today(now)
	exec := in.ExecutionDate
	if exec == "" {
		exec = today
	}
	if _, err := time.Parse("2006-01-02", exec); err != nil || exec < today {
		return store.PaymentRun{}, trygg.Invalid("The day of payment is not valid.", map[string]string{"execution_date": "Give a day, today or later, as YYYY-MM-DD."})
	}
	units, err := s.db.UnitIDsUnder(ctx, a.Tenant, paths)
	if err != nil {
		return store.PaymentRun{}, err
	}
	var run store.PaymentRun
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		lines, err := tx.AttestedLines(ctx, a.Tenant, units)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return trygg.Invalid("Nothing is attested, so there is nothing to pay.", map[string]string{"lines": "Attest the payments first."})
		}
		run = store.PaymentRun{ID: newID(), ExecutionDate: exec, CreatedBy: a.UserID, CreatedAt: tx.Now, Lines: len(lines)}
		run.MessageID = "TRYGG-" + tx.Now.Format("20060102150405") + "-" + strings.ReplaceAll(run.ID, "-", "")[24:32]
		pr := payments.Run{MessageID: run.MessageID, CreatedAt: tx.Now, ExecutionDate: dateOf(exec), Debtor: s.Payer}
		ids := make([]string, len(lines))
		for i, l := range lines {
			acc, err := store.ParseStoredAccount(l.PayeeAccountKind, l.PayeeAccount)
			if err != nil {
				return trygg.Invalid("A payee's account is not valid.", map[string]string{"lines": "Correct the payee's account, then make the run again."})
			}
			pr.Payments = append(pr.Payments, payments.Payment{EndToEndID: e2eID(l.ID), Creditor: l.PayeeName, Account: acc,
				Amount: l.Amount, Message: message(l.PaymentLine), ExecutionDate: dateOf(lineDate(l.PaymentLine, exec))})
			run.Total += l.Amount
			ids[i] = l.ID
		}
		if run.File, err = payments.CreditTransfer(pr); err != nil {
			return err
		}
		if err := tx.InsertPaymentRun(ctx, a.Tenant, run, ids); err != nil {
			return err
		}
		if _, err := s.runControls(ctx, tx, a, run); err != nil {
			return err
		}
		e := events.New(a, events.PaymentRun, "payment_run", run.ID, map[string]any{"message_id": run.MessageID,
			"execution_date": exec, "lines": run.Lines, "total": run.Total})
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return store.PaymentRun{}, err
	}
	return run, nil
}

// message is the text to the payee on a line's payment: the item's name
// and the month or day paid for.
func message(l store.PaymentLine) string {
	m := l.ItemName + " " + l.Period
	if r := []rune(m); len(r) > 140 {
		m = string(r[:140])
	}
	return m
}

// dateOf reads a YYYY-MM-DD day as a time in Sweden.
func dateOf(day string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02", day, calendar.Sweden)
	return t
}

// PaymentRuns returns the payment runs of the actor's units, newest
// first: those that pay only from units where the actor is team lead (a
// run names the persons of all its lines). Forbidden to anyone who is
// team lead nowhere.
func (s *Service) PaymentRuns(ctx context.Context, a trygg.Actor) ([]store.PaymentRun, error) {
	paths := casePaths(a, trygg.RoleTeamLead)
	if len(paths) == 0 {
		return nil, trygg.Errorf(trygg.EForbidden, "Only a team lead may make a payment run.")
	}
	return s.db.PaymentRuns(ctx, a.Tenant, paths, 100)
}

// teamLeadRun returns run runID with its file when every unit it pays from
// is within the units where the actor is team lead. Another's run is not
// found, like one that does not exist; someone who is team lead nowhere is
// forbidden.
func (s *Service) teamLeadRun(ctx context.Context, a trygg.Actor, runID string) (store.PaymentRun, error) {
	paths := casePaths(a, trygg.RoleTeamLead)
	if len(paths) == 0 {
		return store.PaymentRun{}, trygg.Errorf(trygg.EForbidden, "Only a team lead may make a payment run.")
	}
	return s.db.PaymentRun(ctx, a.Tenant, paths, runID)
}

// RunFile returns a run and its bank file as made, for a team lead of its
// units to send to the bank (teamLeadRun: another's run is not found). The
// persons paid in it are access-logged.
func (s *Service) RunFile(ctx context.Context, a trygg.Actor, runID string) (store.PaymentRun, error) {
	run, err := s.teamLeadRun(ctx, a, runID)
	if err != nil {
		return store.PaymentRun{}, err
	}
	who, err := s.db.RunPersons(ctx, a.Tenant, runID)
	if err != nil {
		return store.PaymentRun{}, err
	}
	logs := make([]audit.Entry, 0, len(who))
	for _, pc := range who {
		logs = append(logs, entry(a, access.ReadPersonName, pc[0], pc[1], access.RelUnit, ""))
	}
	if err := s.logAccess(ctx, logs...); err != nil {
		return store.PaymentRun{}, err
	}
	return run, nil
}

// StatusReportResult is what reading a bank's status report did.
type StatusReportResult struct {
	// AlreadyRead is true when the run already had this report: nothing
	// was changed.
	AlreadyRead bool `json:"already_read,omitempty"`
	Paid        int  `json:"paid"`
	Rejected    int  `json:"rejected"`
	// Pending counts the payments the report leaves undecided.
	Pending int `json:"pending"`
}

// maxStatusReport bounds the status report read.
const maxStatusReport = 64 << 20

// ReadStatusReport reads the bank's status report (pain.002) on a run: a
// payment the bank accepted is marked paid, one it rejected is marked
// rejected with the reason in plain words and becomes a task for the
// case's officer. A team lead of the run's units reads it (another's run
// is not found). A file that is not a report on this run is an invalid
// error; reading the same report again changes nothing (AlreadyRead).
func (s *Service) ReadStatusReport(ctx context.Context, a trygg.Actor, runID string, r io.Reader) (StatusReportResult, error) {
	run, err := s.teamLeadRun(ctx, a, runID)
	if err != nil {
		return StatusReportResult{}, err
	}
	data, err := io.ReadAll(io.LimitReader(r, maxStatusReport+1))
	if err != nil {
		return StatusReportResult{}, err
	}
	if len(data) > maxStatusReport {
		return StatusReportResult{}, trygg.Invalid("The status report is too large.", map[string]string{"file": "Choose the bank's status report for the run."})
	}
	rep, err := payments.ReadStatusReport(bytes.NewReader(data))
	if err != nil {
		return StatusReportResult{}, err
	}
	var res StatusReportResult
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		lines, err := tx.RunLines(ctx, a.Tenant, run.ID)
		if err != nil {
			return err
		}
		pr := payments.Run{MessageID: run.MessageID}
		byE2E := make(map[string]store.PaymentLine, len(lines))
		for _, l := range lines {
			pr.Payments = append(pr.Payments, payments.Payment{EndToEndID: e2eID(l.ID), ExecutionDate: dateOf(lineDate(l, run.ExecutionDate))})
			byE2E[e2eID(l.ID)] = l
		}
		statuses, err := rep.Match(pr)
		if err != nil {
			return err
		}
		reportID := newID()
		added, err := tx.InsertStatusReport(ctx, a.Tenant, store.StatusReport{ID: reportID, RunID: run.ID, MessageID: rep.MessageID, ReadBy: a.UserID, File: data})
		if err != nil {
			return err
		}
		if !added {
			res = StatusReportResult{AlreadyRead: true}
			return nil
		}
		var evs []events.Event
		for _, st := range statuses {
			l := byE2E[st.EndToEndID]
			var status, typ string
			switch st.Outcome {
			case payments.OutcomeAccepted:
				status, typ = store.PaymentPaid, events.PaymentPaid
			case payments.OutcomeRejected:
				status, typ = store.PaymentRejected, events.PaymentRejected
			default:
				res.Pending++
				continue
			}
			changed, err := tx.SetPaymentOutcome(ctx, a.Tenant, l.ID, status, st.Status, reasonText(st.Reasons))
			if err != nil {
				return err
			}
			if !changed {
				continue
			}
			codes := []string{}
			for _, r := range st.Reasons {
				codes = append(codes, r.Code)
			}
			e := events.New(a, typ, "payment_line", l.ID, map[string]any{"run_id": run.ID, "status": st.Status, "reasons": codes, "amount": l.Amount})
			e.PersonID, e.CaseID = l.PersonID, l.CaseID
			evs = append(evs, e)
			if status == store.PaymentPaid {
				res.Paid++
				continue
			}
			res.Rejected++
			if err := tx.InsertTask(ctx, a.Tenant, store.Task{ID: rejectedTaskID(l.ID), CaseID: l.CaseID, UnitID: l.UnitID, Assignee: l.CaseAssignee,
				Kind: TaskPaymentRejected, Title: "Utbetalningen avvisades av banken: " + l.ItemName + " " + l.Period}); err != nil {
				return err
			}
		}
		if err := tx.UpdateStatusReportCounts(ctx, a.Tenant, reportID, res.Paid, res.Rejected); err != nil {
			return err
		}
		_, err = tx.AppendEvents(ctx, evs)
		return err
	})
	if err != nil {
		return StatusReportResult{}, err
	}
	return res, nil
}

// reasonText is the bank's reasons in plain Swedish: each code's meaning
// (payments.ReasonText), or the code and the bank's own words when the
// table does not have it.
func reasonText(reasons []payments.Reason) string {
	var parts []string
	for _, r := range reasons {
		if t := r.Text("sv"); t != "" {
			parts = append(parts, t)
			continue
		}
		code := r.Code
		if code == "" {
			code = r.Proprietary
		}
		parts = append(parts, strings.TrimSpace(code+" "+strings.Join(r.Info, " ")))
	}
	return strings.Join(parts, " ")
}
