package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Performed insatser: the provider's staff report what was done on a day
// (start and end, or minutes; the activities, coded; a short note) or why
// it was not (a deviation). Reports come one at a time from the phone page
// or in batches from a provider's own system; a batch carries a key of the
// client's choosing, and a retried batch is answered from the first time,
// never counted twice. Nothing is ever changed: a correction is a new
// entry naming the one it replaces.

// PerformedInput is one report of work done on an order.
type PerformedInput struct {
	OrderID string `json:"order_id"`
	On      string `json:"on"`
	// Start and End ("08:15") or Minutes: one of them.
	Start      string   `json:"start,omitempty"`
	End        string   `json:"end,omitempty"`
	Minutes    int      `json:"minutes,omitempty"`
	Activities []string `json:"activities"`
	// Deviation is why the insats was not given as planned: not_home,
	// declined or other (say what in the note).
	Deviation string `json:"deviation,omitempty"`
	Note      string `json:"note,omitempty"`
	// Corrects is the id of an earlier entry this one replaces.
	Corrects string `json:"corrects,omitempty"`
}

// BatchInput is a batch of reports with the client's key for it.
type BatchInput struct {
	Key     string           `json:"key"`
	Entries []PerformedInput `json:"entries"`
}

// errNoOrderOfYours is the field message for an order a batch names that
// does not exist, is another provider's or takes no reports: the same
// words for all, so a batch tells no one which.
const errNoOrderOfYours = "No such order of yours, or it takes no reports."

// BatchResult answers a batch: the ids of the entries written, in the
// batch's order. Replayed is true when the batch was already received and
// this is the first answer again.
type BatchResult struct {
	Key      string   `json:"key"`
	IDs      []string `json:"ids"`
	Replayed bool     `json:"replayed"`
}

// Deviations.
var deviations = []string{"not_home", "declined", "other"}

var (
	batchKeyRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,100}$`)
	clockRe    = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

const (
	maxBatch         = 500
	maxPerformedNote = 500
)

// ReportPerformed records one report of work done on an order.
func (s *Service) ReportPerformed(ctx context.Context, a trygg.Actor, orderID string, in PerformedInput) (store.Performed, error) {
	if in.OrderID != "" && in.OrderID != orderID {
		return store.Performed{}, trygg.Invalid("The report is not valid; nothing was saved.", map[string]string{"order_id": "Leave it out, or give the order of the address."})
	}
	in.OrderID = orderID
	ps, err := s.reportPerformed(ctx, a, "", "", []PerformedInput{in})
	if err != nil {
		return store.Performed{}, err
	}
	return ps[0], nil
}

// ReportPerformedBatch records a batch of reports, on one or more of the
// provider's orders, all or none. A batch whose key was seen before gets
// the first answer again if it is the same batch, and a conflict if it is
// another.
func (s *Service) ReportPerformedBatch(ctx context.Context, a trygg.Actor, in BatchInput) (BatchResult, error) {
	if a.ProviderID == "" || !a.HasRole(trygg.RoleProvider) {
		return BatchResult{}, trygg.Errorf(trygg.EForbidden, "Only a provider's staff and systems report performed insatser.")
	}
	if !batchKeyRe.MatchString(in.Key) {
		return BatchResult{}, trygg.Invalid("The batch is not valid.", map[string]string{"key": "Required: 1–100 letters, digits or . _ : -, unique per batch."})
	}
	if len(in.Entries) == 0 || len(in.Entries) > maxBatch {
		return BatchResult{}, trygg.Invalid("The batch is not valid.", map[string]string{"entries": fmt.Sprintf("Give between 1 and %d entries.", maxBatch)})
	}
	hash := batchHash(in.Entries)
	// A retry is answered before anything else is checked, so it gets
	// the same answer even if an order has ended since.
	if b, found, err := s.batchByKey(ctx, a, in.Key); err != nil {
		return BatchResult{}, err
	} else if found {
		return replay(b, hash)
	}
	ps, err := s.reportPerformed(ctx, a, in.Key, hash, in.Entries)
	if trygg.ErrorCode(err) == trygg.EConflict {
		// The same key may have been stored by a concurrent retry.
		if b, found, err2 := s.batchByKey(ctx, a, in.Key); err2 == nil && found {
			return replay(b, hash)
		}
	}
	if err != nil {
		return BatchResult{}, err
	}
	res := BatchResult{Key: in.Key, IDs: make([]string, len(ps))}
	for i, p := range ps {
		res.IDs[i] = p.ID
	}
	return res, nil
}

// batchHash identifies a batch's body, to tell a retry from another batch
// under the same key.
func batchHash(es []PerformedInput) string {
	body, _ := json.Marshal(es)
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func (s *Service) batchByKey(ctx context.Context, a trygg.Actor, key string) (store.Batch, bool, error) {
	return s.db.BatchByKey(ctx, a.Tenant, a.ProviderID, key)
}

// ErrBatchKeyReused answers a batch whose key came with another body
// before. A page that sends a form as a batch under the key it was shown
// with gets it when the form was sent, changed and sent again.
var ErrBatchKeyReused = trygg.Errorf(trygg.EConflict, "This batch key was already used for a different batch; use a new key for new reports.")

func replay(b store.Batch, hash string) (BatchResult, error) {
	if b.BodyHash != hash {
		return BatchResult{}, ErrBatchKeyReused
	}
	var res BatchResult
	if err := json.Unmarshal(b.Result, &res); err != nil {
		return BatchResult{}, err
	}
	res.Replayed = true
	return res, nil
}

// orderCheck is what checking reports on one order needs.
type orderCheck struct {
	order store.Order
	comp  *process.Compiled
	def   *process.Orders
	entry audit.Entry
}

// reportPerformed checks and writes entries (with the batch key and its
// body's hash, if any) in one transaction. The orders named, their cases and the stored
// entries they are checked against are each read once for all entries,
// and the entries and events written with one statement each, so a batch
// costs a few statements however many entries it has.
func (s *Service) reportPerformed(ctx context.Context, a trygg.Actor, key, hash string, ins []PerformedInput) ([]store.Performed, error) {
	today := calendar.Today(s.db.Now())
	fields := map[string]string{}
	at := func(i int, f string) string {
		if key == "" {
			return f
		}
		return fmt.Sprintf("entries.%d.%s", i, f)
	}
	read, err := s.readOrders(ctx, a, ins)
	if err != nil {
		return nil, err
	}
	orders := map[string]*orderCheck{}
	var ids []string // the orders checked, in the batch's order
	var notFoundErr error
	ps := make([]store.Performed, len(ins))
	for i, in := range ins {
		oc, ok := orders[in.OrderID]
		if !ok {
			o, ground, err := s.readOrder(ctx, a, read, in.OrderID)
			switch {
			case err == nil:
				comp, def, err := s.readDefinition(ctx, a.Tenant, read, o)
				if err != nil {
					return nil, err
				}
				oc = &orderCheck{order: o, comp: comp, def: def, entry: entry(a, access.WorkOrder, o.PersonID, o.CaseID, ground, "")}
				ids = append(ids, in.OrderID)
			case key != "" && trygg.ErrorCode(err) == trygg.ENotFound:
				fields[at(i, "order_id")] = errNoOrderOfYours
			case key != "" && trygg.ErrorCode(err) != trygg.EInternal:
				fields[at(i, "order_id")] = trygg.ErrorMessage(err)
			default:
				notFoundErr = err
			}
			orders[in.OrderID] = oc
		}
		if notFoundErr != nil {
			return nil, notFoundErr
		}
		if oc == nil {
			if _, done := fields[at(i, "order_id")]; !done {
				fields[at(i, "order_id")] = errNoOrderOfYours
			}
			continue
		}
		p, msgs := checkPerformed(oc, in, today)
		for f, m := range msgs {
			fields[at(i, f)] = m
		}
		p.ID, p.BatchKey, p.ReportedBy = newID(), key, a.UserID
		ps[i] = p
	}
	if len(fields) > 0 {
		return nil, trygg.Invalid("The report is not valid; nothing was saved.", fields)
	}
	entries := make([]audit.Entry, 0, len(ids))
	for _, id := range ids {
		entries = append(entries, orders[id].entry)
	}
	err = s.updateLogged(ctx, entries, func(tx *store.Tx) error {
		if err := checkAgainstStored(ctx, tx, a, ps, at); err != nil {
			return err
		}
		if err := tx.InsertPerformed(ctx, a.Tenant, a.ProviderID, ps); err != nil {
			return err
		}
		byOrder := map[string][]store.Performed{}
		for i := range ps {
			ps[i].ReportedAt = tx.Now
			byOrder[ps[i].OrderID] = append(byOrder[ps[i].OrderID], ps[i])
		}
		// The first work done on an order records its decision's
		// execution, unless that is recorded already.
		var toCheck []string
		for _, id := range ids {
			if firstWorked(byOrder[id]) != "" {
				toCheck = append(toCheck, orders[id].order.DecisionID)
			}
		}
		executed, err := tx.DecisionsExecuted(ctx, a.Tenant, toCheck)
		if err != nil {
			return err
		}
		// The orders' events go in one statement, except that an
		// execution recorded on the way keeps its place after its
		// order's event.
		var pending []events.Event
		flush := func() error {
			_, err := tx.AppendEvents(ctx, pending)
			pending = pending[:0]
			return err
		}
		for _, id := range ids {
			oc := orders[id]
			// The entries without their notes: texts stay in the reports.
			type logged struct {
				ID         string   `json:"id"`
				On         string   `json:"on"`
				Minutes    int      `json:"minutes"`
				Activities []string `json:"activities"`
				Deviation  string   `json:"deviation,omitempty"`
				Corrects   string   `json:"corrects,omitempty"`
			}
			var list []logged
			for _, p := range byOrder[id] {
				list = append(list, logged{p.ID, p.On, p.Minutes, p.Activities, p.Deviation, p.Corrects})
			}
			e := events.New(a, events.OrderPerformed, "order", id, map[string]any{"batch_key": key, "entries": list})
			e.PersonID, e.CaseID = oc.order.PersonID, oc.order.CaseID
			pending = append(pending, e)
			if first := firstWorked(byOrder[id]); first != "" && !executed[oc.order.DecisionID] {
				if err := flush(); err != nil {
					return err
				}
				if err := executeOnce(ctx, tx, a, oc.order, first); err != nil {
					return err
				}
			}
			if err := deviationTasks(ctx, tx, a, oc, byOrder[id]); err != nil {
				return err
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if key != "" {
			res := BatchResult{Key: key, IDs: make([]string, len(ps))}
			for i, p := range ps {
				res.IDs[i] = p.ID
			}
			result, _ := json.Marshal(res)
			return tx.InsertBatch(ctx, a.Tenant, a.ProviderID, key, store.Batch{BodyHash: hash, Result: result})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ps, nil
}

// ordersRead is the orders a batch names and their cases, by id.
type ordersRead struct {
	orders map[string]store.Order
	cases  map[string]store.Case
}

// readOrders reads the orders the reports name and their cases, with one
// query each.
func (s *Service) readOrders(ctx context.Context, a trygg.Actor, ins []PerformedInput) (ordersRead, error) {
	var ids []string
	seen := map[string]bool{}
	for _, in := range ins {
		if !seen[in.OrderID] {
			seen[in.OrderID] = true
			ids = append(ids, in.OrderID)
		}
	}
	found, err := s.db.OrdersByIDs(ctx, a.Tenant, ids)
	if err != nil {
		return ordersRead{}, err
	}
	cases, err := s.db.OrderCases(ctx, a.Tenant, found)
	if err != nil {
		return ordersRead{}, err
	}
	r := ordersRead{orders: make(map[string]store.Order, len(found)), cases: cases}
	for _, o := range found {
		r.orders[o.ID] = o
	}
	return r, nil
}

// readOrder is orderFor(id) for work on the orders read. One not read is
// looked up again by orderFor, which fails as for a single report.
func (s *Service) readOrder(ctx context.Context, a trygg.Actor, r ordersRead, id string) (store.Order, access.Relation, error) {
	o, ok := r.orders[id]
	if !ok {
		return s.orderFor(ctx, a, id, true)
	}
	var c *store.Case
	if cc, ok := r.cases[o.CaseID]; ok {
		c = &cc
	}
	return s.orderAccess(ctx, a, o, c, true)
}

// readDefinition is orderDefinition on the cases read; the compiled
// definitions are cached per tenant and version.
func (s *Service) readDefinition(ctx context.Context, tenant trygg.TenantID, r ordersRead, o store.Order) (*process.Compiled, *process.Orders, error) {
	c, ok := r.cases[o.CaseID]
	if !ok {
		return s.orderDefinition(ctx, tenant, o)
	}
	return s.caseOrdersDefinition(ctx, tenant, c)
}

// checkPerformed checks one report against its order, without the stored
// reports; it returns the entry and the messages by field.
func checkPerformed(oc *orderCheck, in PerformedInput, today string) (store.Performed, map[string]string) {
	o := oc.order
	msgs := map[string]string{}
	p := store.Performed{OrderID: o.ID, On: in.On, Start: in.Start, End: in.End, Minutes: in.Minutes, Deviation: in.Deviation,
		Note: strings.TrimSpace(in.Note), Corrects: strings.TrimSpace(in.Corrects), Activities: []string{}}
	if o.Status != store.OrderAccepted {
		msgs["order_id"] = "Accept the order before reporting on it."
		return p, msgs
	}
	if _, err := time.Parse(time.DateOnly, in.On); err != nil {
		msgs["on"] = "Must be a date YYYY-MM-DD."
	} else {
		switch {
		case in.On > today:
			msgs["on"] = "Cannot be in the future."
		case in.On < o.StartDate:
			msgs["on"] = fmt.Sprintf("Cannot be before the order's start (%s).", o.StartDate)
		case o.ValidTo != "" && in.On > o.ValidTo:
			msgs["on"] = fmt.Sprintf("Cannot be after the decision's period ends (%s).", o.ValidTo)
		}
	}
	if in.Deviation != "" && !slices.Contains(deviations, in.Deviation) {
		msgs["deviation"] = "Must be not_home, declined or other."
	}
	if in.Deviation == "other" && p.Note == "" {
		msgs["note"] = "Say what happened."
	}
	if len([]rune(p.Note)) > maxPerformedNote {
		msgs["note"] = fmt.Sprintf("At most %d characters.", maxPerformedNote)
	}
	switch {
	case in.Start != "" || in.End != "":
		if !clockRe.MatchString(in.Start) || !clockRe.MatchString(in.End) {
			msgs["start"] = "Give both start and end as HH:MM."
			break
		}
		if in.End <= in.Start {
			msgs["end"] = "Must be after the start."
			break
		}
		mins := clockMinutes(in.End) - clockMinutes(in.Start)
		if in.Minutes != 0 && in.Minutes != mins {
			msgs["minutes"] = fmt.Sprintf("Does not match the start and end (%d minutes).", mins)
		}
		p.Minutes = mins
	case in.Minutes < 0 || in.Minutes > 24*60:
		msgs["minutes"] = "Must be between 1 and 1440."
	case in.Minutes == 0 && in.Deviation == "":
		msgs["minutes"] = "Give the time spent: start and end, or minutes."
	}
	if in.Deviation == "" && len(in.Activities) == 0 {
		msgs["activities"] = "Name at least one activity."
	}
	for _, code := range in.Activities {
		if !oc.comp.KnownCode(oc.def.Activities.Value, code) {
			msgs["activities"] = fmt.Sprintf("Unknown activity code %q.", code)
			break
		}
		if !slices.Contains(p.Activities, code) {
			p.Activities = append(p.Activities, code)
		}
	}
	return p, msgs
}

func clockMinutes(hhmm string) int {
	var h, m int
	fmt.Sscanf(hhmm, "%d:%d", &h, &m)
	return h*60 + m
}

// checkAgainstStored checks the entries against what is stored, inside
// tx: a corrected entry must be one of the same order and not corrected
// before, and no two entries in force on an order may overlap in time.
func checkAgainstStored(ctx context.Context, tx *store.Tx, a trygg.Actor, ps []store.Performed, at func(int, string) string) error {
	fields := map[string]string{}
	var corrected []string
	for _, p := range ps {
		if p.Corrects != "" {
			corrected = append(corrected, p.Corrects)
		}
	}
	replaced := map[string]bool{}
	if len(corrected) > 0 {
		olds, err := tx.PerformedByIDs(ctx, a.Tenant, corrected)
		if err != nil {
			return err
		}
		byID := map[string]store.Performed{}
		for _, o := range olds {
			byID[o.ID] = o
		}
		for i, p := range ps {
			if p.Corrects == "" {
				continue
			}
			old, ok := byID[p.Corrects]
			switch {
			case !ok || old.OrderID != p.OrderID:
				fields[at(i, "corrects")] = "Not an entry of this order."
			case old.CorrectedBy != "" || replaced[p.Corrects]:
				fields[at(i, "corrects")] = "The entry has already been corrected; correct the newest entry instead."
			}
			replaced[p.Corrects] = true
		}
	}
	// Overlaps: the stored entries in force on the same days, and the
	// batch's own.
	type span struct {
		start, end int
		what       string
	}
	days := map[string][]string{}
	for _, p := range ps {
		if p.Start != "" && !slices.Contains(days[p.OrderID], p.On) {
			days[p.OrderID] = append(days[p.OrderID], p.On)
		}
	}
	spans := map[string][]span{} // order|day → spans in force
	if len(days) > 0 {
		var orderIDs, allDays []string
		for orderID, ds := range days {
			orderIDs = append(orderIDs, orderID)
			for _, d := range ds {
				if !slices.Contains(allDays, d) {
					allDays = append(allDays, d)
				}
			}
		}
		// One read for the batch: it may hold an order's entries on another
		// order's days, whose spans no entry here is checked against.
		stored, err := tx.PerformedOn(ctx, a.Tenant, orderIDs, allDays)
		if err != nil {
			return err
		}
		for _, s := range stored {
			if s.Start == "" || s.CorrectedBy != "" || replaced[s.ID] {
				continue
			}
			k := s.OrderID + "|" + s.On
			spans[k] = append(spans[k], span{clockMinutes(s.Start), clockMinutes(s.End), s.Start + "–" + s.End})
		}
	}
	for i, p := range ps {
		if p.Start == "" {
			continue
		}
		k := p.OrderID + "|" + p.On
		st, en := clockMinutes(p.Start), clockMinutes(p.End)
		for _, o := range spans[k] {
			if st < o.end && o.start < en {
				fields[at(i, "start")] = fmt.Sprintf("Overlaps another report on the same day (%s).", o.what)
				break
			}
		}
		spans[k] = append(spans[k], span{st, en, p.Start + "–" + p.End})
	}
	if len(fields) > 0 {
		return trygg.Invalid("The report is not valid; nothing was saved.", fields)
	}
	return nil
}

// firstWorked returns the earliest day of work done (not a deviation)
// among an order's new reports, or "".
func firstWorked(ps []store.Performed) string {
	first := ""
	for _, p := range ps {
		if p.Deviation == "" && (first == "" || p.On < first) {
			first = p.On
		}
	}
	return first
}

// deviationTasks follows up an order's new reports inside tx: deviations
// reaching the case type's threshold in a month give the case's officer a
// task (once per order and month).
func deviationTasks(ctx context.Context, tx *store.Tx, a trygg.Actor, oc *orderCheck, ps []store.Performed) error {
	o := oc.order
	months := map[string]bool{}
	for _, p := range ps {
		if p.Deviation != "" {
			months[p.On[:7]] = true
		}
	}
	limit := oc.def.DeviationTaskAfter
	if limit <= 0 || len(months) == 0 {
		return nil
	}
	var c *store.Case
	for _, m := range slices.Sorted(maps.Keys(months)) {
		n, err := tx.CountDeviations(ctx, a.Tenant, o.ID, m+"-01", m+"-31")
		if err != nil {
			return err
		}
		if n < limit {
			continue
		}
		marker := "deviations:" + o.ID + ":" + m
		exists, err := tx.TaskExists(ctx, a.Tenant, o.CaseID, marker)
		if err != nil || exists {
			return err
		}
		if c == nil {
			cc, err := tx.CaseByID(ctx, a.Tenant, o.CaseID)
			if err != nil {
				return err
			}
			c = &cc
		}
		title := fmt.Sprintf("Avvikelser i utförandet (%s): %d i %s", o.Content.InsatsLabel, n, m)
		if err := tx.InsertTask(ctx, a.Tenant, store.Task{ID: newID(), CaseID: c.ID, UnitID: c.UnitID, Assignee: c.AssignedTo,
			Kind: "order_deviations", DeadlineID: marker, Title: title}); err != nil {
			return err
		}
	}
	return nil
}

// PerformedList returns the order's reports dated in the month ("2026-03"),
// corrected ones marked; the read is access-logged.
func (s *Service) PerformedList(ctx context.Context, a trygg.Actor, orderID, month string) ([]store.Performed, error) {
	if _, err := time.Parse("2006-01", month); err != nil {
		return nil, trygg.Invalid("The month is not valid.", map[string]string{"month": "Must be a month YYYY-MM."})
	}
	o, ground, err := s.orderFor(ctx, a, orderID, false)
	if err != nil {
		return nil, err
	}
	ps, err := s.db.PerformedBetween(ctx, a.Tenant, o.ID, month+"-01", month+"-31")
	if err != nil {
		return nil, err
	}
	if err := s.logAccess(ctx, entry(a, access.ReadOrder, o.PersonID, o.CaseID, ground, "")); err != nil {
		return nil, err
	}
	return ps, nil
}

// PaymentRow is an order's line in a provider's basis for payment
// (ersättningsunderlag) for a month.
type PaymentRow struct {
	OrderID        string `json:"order_id"`
	Name           string `json:"name"`
	IdentityNumber string `json:"identity_number"`
	Insats         string `json:"insats"`
	InsatsLabel    string `json:"insats_label"`
	PlannedMinutes int    `json:"planned_minutes"`
	Minutes        int    `json:"minutes"`
	Visits         int    `json:"visits"`
	Deviations     int    `json:"deviations"`
}

// PaymentBasis is a provider's basis for payment for a month.
type PaymentBasis struct {
	Provider store.Provider `json:"provider"`
	Month    string         `json:"month"`
	Rows     []PaymentRow   `json:"rows"`
	Minutes  int            `json:"minutes"`
}

// PaymentBasis returns the provider's basis for payment for the month
// ("2026-03"), from the performed time in force: one row per order with
// reports that month. The provider's own staff read it, and team leads
// for the orders of their units. Rows about persons with protected
// identity name no one unless the reader may see them. Each person in it
// is access-logged.
func (s *Service) PaymentBasis(ctx context.Context, a trygg.Actor, providerID, month string) (PaymentBasis, error) {
	first, err := time.Parse("2006-01", month)
	if err != nil {
		return PaymentBasis{}, trygg.Invalid("The month is not valid.", map[string]string{"month": "Must be a month YYYY-MM."})
	}
	var rels []access.Relation
	if a.ProviderID != "" && a.ProviderID == providerID {
		rels = append(rels, access.RelProvider)
	}
	ground, err := access.Decide(a, access.ReadPaymentBasis, access.Subject{Relations: rels})
	if err != nil {
		return PaymentBasis{}, err
	}
	p, err := s.db.ProviderByID(ctx, a.Tenant, providerID)
	if err != nil {
		return PaymentBasis{}, err
	}
	last := first.AddDate(0, 1, -1).Format(time.DateOnly)
	rows, err := s.db.PaymentBasis(ctx, a.Tenant, providerID, first.Format(time.DateOnly), last)
	if err != nil {
		return PaymentBasis{}, err
	}
	out := PaymentBasis{Provider: p, Month: month, Rows: []PaymentRow{}}
	paths := map[string]string{}
	var entries []audit.Entry
	for _, r := range rows {
		o := r.Order
		if ground != access.RelProvider {
			path, ok := paths[o.UnitID]
			if !ok {
				u, err := s.db.Unit(ctx, a.Tenant, o.UnitID)
				if err != nil {
					return PaymentBasis{}, err
				}
				path, paths[o.UnitID] = u.Path, u.Path
			}
			if !teamLeadOf(a, path) {
				continue
			}
		}
		from, to := o.StartDate, last
		if from == "" || from < first.Format(time.DateOnly) {
			from = first.Format(time.DateOnly)
		}
		for _, e := range []string{o.ValidTo, o.EndedOn} {
			if e != "" && e < to {
				to = e
			}
		}
		row := PaymentRow{OrderID: o.ID, Name: o.Content.Person.Name, IdentityNumber: o.Content.Person.IdentityNumber, Insats: o.Insats,
			InsatsLabel: o.Content.InsatsLabel, PlannedMinutes: plannedMinutes(o, month, from, to), Minutes: r.Minutes, Visits: r.Visits, Deviations: r.Deviations}
		if o.Protected && !a.ProtectedIdentity {
			row.Name, row.IdentityNumber = "", ""
		} else {
			entries = append(entries, entry(a, access.ReadPaymentBasis, o.PersonID, o.CaseID, ground, ""))
		}
		out.Rows = append(out.Rows, row)
		out.Minutes += r.Minutes
	}
	if err := s.logAccess(ctx, entries...); err != nil {
		return PaymentBasis{}, err
	}
	return out, nil
}

// teamLeadOf reports whether the actor is a team lead of a unit whose
// subtree holds unitPath.
func teamLeadOf(a trygg.Actor, unitPath string) bool {
	for _, g := range a.Grants {
		if g.Role == trygg.RoleTeamLead && org.Contains(g.UnitPath, unitPath) {
			return true
		}
	}
	return false
}
