package service_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// reportWorld is a provider with accepted home-care orders from 1
// October 2026, decided in September, on 23 November 2026.
type reportWorld struct {
	ctx   context.Context
	db    *store.DB
	svc   *service.Service
	staff trygg.Actor
	// orders[i] is the order id; executed[i] whether its decision's
	// execution is recorded already.
	orders   []string
	executed []bool
}

// newReportWorld publishes the shipped packs and inserts n cases, each
// with a final decision and an accepted order, straight through the
// store; the decisions of the first executed of them are executed.
func newReportWorld(t *testing.T, engine string, n, executed int) *reportWorld {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 9, 14, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, engine, clock)
	dw := newDemoWorld(t, db, 20, 5, clock.Now())
	actor := dw.actorFunc(t)
	var files []store.DefinitionFile
	for _, f := range packs.Files() {
		files = append(files, store.DefinitionFile{Name: f.Name, Content: f.Content})
	}
	dv, err := dw.svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{Files: files})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := dw.svc.CreateProvider(ctx, actor("admin"), service.ProviderInput{Name: "Test Omsorg AB", Kind: service.ProviderExternal,
		OrgNumber: "5598765435", Insatser: []string{"hemtjanst_omvardnad"}})
	if err != nil {
		t.Fatal(err)
	}
	w := &reportWorld{ctx: ctx, db: db, svc: dw.svc, staff: trygg.Actor{Tenant: demo.TenantID, UserID: "test-provider-staff", ProviderID: prov.ID,
		Grants: []trygg.Grant{{Role: trygg.RoleProvider, UnitID: "soc"}}}}
	var officer demo.User
	for _, u := range dw.ds.Users {
		if len(u.Grants) == 1 && u.Grants[0].Role == trygg.RoleOfficer {
			officer = u
			break
		}
	}
	var people []string
	for _, p := range dw.ds.Persons {
		if p.Protection == persons.ProtectionNone {
			people = append(people, p.ID)
		}
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		for i := range n {
			c := store.Case{ID: uuid.NewString(), PersonID: people[i%len(people)], UnitID: officer.Grants[0].UnitID, CaseType: "ibic_sol_aldre",
				Title: "Hemtjänst", Status: "open", DefinitionVersion: dv.Version, Step: "implementation", AssignedTo: officer.ID, OpenedAt: tx.Now}
			if err := tx.InsertCase(ctx, demo.TenantID, c); err != nil {
				return err
			}
			d := store.Decision{ID: uuid.NewString(), CaseID: c.ID, Insats: "hemtjanst_omvardnad", Outcome: process.OutcomeGranted,
				LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-10-01", Amount: 2400, Justification: "Behov.", DraftedBy: officer.ID}
			if err := tx.SaveDecisionDraft(ctx, demo.TenantID, d); err != nil {
				return err
			}
			if err := tx.FinaliseDecision(ctx, demo.TenantID, d.ID, officer.ID, ""); err != nil {
				return err
			}
			if i < executed {
				if err := tx.InsertExecution(ctx, demo.TenantID, c.ID, store.Execution{ID: uuid.NewString(), DecisionID: d.ID,
					Kind: process.ExecExecuted, On: "2026-10-01", RecordedBy: officer.ID}); err != nil {
					return err
				}
			}
			o := store.Order{ID: uuid.NewString(), CaseID: c.ID, DecisionID: d.ID, PersonID: c.PersonID, ProviderID: prov.ID,
				UnitID: c.UnitID, Insats: d.Insats, Amount: d.Amount, AmountUnit: process.UnitHours, ValidFrom: d.ValidFrom,
				Status: store.OrderAccepted, StartDate: "2026-10-01", Revision: 1,
				Content: store.OrderContent{InsatsLabel: "Hemtjänst", Needs: []store.OrderNeed{}, Goals: []store.OrderGoal{}}}
			if err := tx.InsertOrder(ctx, demo.TenantID, o); err != nil {
				return err
			}
			w.orders = append(w.orders, o.ID)
			w.executed = append(w.executed, i < executed)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(70 * 24 * time.Hour) // Monday 23 November
	return w
}

// eventsAfter returns the events after seq as "type subject".
func (w *reportWorld) eventsAfter(t *testing.T, seq int64) []string {
	t.Helper()
	evs, err := w.db.Events(w.ctx, demo.TenantID, seq, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Type+" "+e.SubjectID)
	}
	return out
}

func (w *reportWorld) lastSeq(t *testing.T) int64 { return lastSeq(t, w.ctx, w.db) }

// TestReportPerformedBatch: a batch over several orders is checked entry
// by entry against each entry's own order and day — the stored entries of
// another order or another day never overlap it — and writes one event
// per order, a decision's first execution right after its order's event,
// and one access-log row per order; a retry gets the first answer, the
// key with another batch a conflict, and a bad entry names its place and
// writes nothing.
func TestReportPerformedBatch(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newReportWorld(t, engine, 4, 2) // orders 0 and 1 executed, 2 and 3 not
			a, b, c, d := w.orders[0], w.orders[1], w.orders[2], w.orders[3]
			visit := func(order, on, start, end string) service.PerformedInput {
				return service.PerformedInput{OrderID: order, On: on, Start: start, End: end, Activities: []string{"d510"}}
			}
			if _, err := w.svc.ReportPerformedBatch(w.ctx, w.staff, service.BatchInput{Key: "stored", Entries: []service.PerformedInput{
				visit(a, "2026-11-02", "08:00", "09:00"), visit(b, "2026-11-03", "08:00", "09:00")}}); err != nil {
				t.Fatal(err)
			}
			var accessBefore int
			if log, err := w.db.AccessLog(w.ctx, demo.TenantID, store.AccessLogFilter{ActorID: w.staff.UserID, Limit: 1000}); err != nil {
				t.Fatal(err)
			} else {
				accessBefore = len(log)
			}
			seq := w.lastSeq(t)

			in := service.BatchInput{Key: "mixed", Entries: []service.PerformedInput{
				visit(a, "2026-11-03", "08:00", "08:30"), // a has nothing on the 3rd; b has
				visit(b, "2026-11-02", "08:15", "08:45"), // b has nothing on the 2nd; a has
				visit(a, "2026-11-02", "09:00", "09:30"), // right after a's stored visit
				{OrderID: d, On: "2026-11-02", Minutes: 20, Activities: []string{"d510"}},
				{OrderID: c, On: "2026-11-02", Deviation: "not_home"},
				visit(b, "2026-11-03", "09:00", "09:15"), // right after b's stored visit
			}}
			res, err := w.svc.ReportPerformedBatch(w.ctx, w.staff, in)
			if err != nil {
				t.Fatalf("the batch: %v", err)
			}
			if len(res.IDs) != len(in.Entries) || res.Replayed {
				t.Fatalf("the batch: %+v", res)
			}
			// One event per order in the batch's order; d's decision had no
			// execution, so d's first work records it; c's deviation does not.
			dec := func(order string) string {
				o, err := w.db.Order(w.ctx, demo.TenantID, order)
				if err != nil {
					t.Fatal(err)
				}
				return o.DecisionID
			}
			want := []string{events.OrderPerformed + " " + a, events.OrderPerformed + " " + b, events.OrderPerformed + " " + d,
				events.DecisionExecution + " " + dec(d), events.OrderPerformed + " " + c}
			if got := w.eventsAfter(t, seq); !slices.Equal(got, want) {
				t.Errorf("events:\n got %v\nwant %v", got, want)
			}
			log, err := w.db.AccessLog(w.ctx, demo.TenantID, store.AccessLogFilter{ActorID: w.staff.UserID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(log) - accessBefore; n != 4 {
				t.Errorf("%d access-log rows, want one per order (4)", n)
			}
			for _, order := range []string{a, b} {
				ps, err := w.svc.PerformedList(w.ctx, w.staff, order, "2026-11")
				if err != nil {
					t.Fatal(err)
				}
				if len(ps) != 3 {
					t.Errorf("order %s: %d entries, want 3", order, len(ps))
				}
			}

			again, err := w.svc.ReportPerformedBatch(w.ctx, w.staff, in)
			if err != nil || !again.Replayed || !slices.Equal(again.IDs, res.IDs) {
				t.Errorf("the retry: %+v %v, want the first ids replayed", again, err)
			}
			other := service.BatchInput{Key: "mixed", Entries: in.Entries[:1]}
			if _, err := w.svc.ReportPerformedBatch(w.ctx, w.staff, other); trygg.ErrorCode(err) != trygg.EConflict {
				t.Errorf("the key with another batch: %v, want a conflict", err)
			}

			seq = w.lastSeq(t)
			for i, tc := range []struct {
				name    string
				entries []service.PerformedInput
				fields  map[string]string
			}{
				{"an overlap with a stored visit of the same order and day", []service.PerformedInput{
					visit(b, "2026-11-05", "08:00", "08:30"), visit(a, "2026-11-02", "08:30", "08:45")},
					map[string]string{"entries.1.start": "Overlaps another report on the same day (08:00–09:00)."}},
				{"an overlap within the batch, another order the same time", []service.PerformedInput{
					visit(b, "2026-11-05", "08:00", "08:30"), visit(a, "2026-11-05", "08:00", "08:30"), visit(b, "2026-11-05", "08:20", "08:40")},
					map[string]string{"entries.2.start": "Overlaps another report on the same day (08:00–08:30)."}},
				{"an unknown order among known ones", []service.PerformedInput{
					visit(b, "2026-11-06", "08:00", "08:30"), visit("no-such-order", "2026-11-06", "08:00", "08:30"), visit("no-such-order", "2026-11-07", "08:00", "08:30")},
					map[string]string{"entries.1.order_id": "No such order of yours, or it takes no reports.", "entries.2.order_id": "No such order of yours, or it takes no reports."}},
			} {
				_, err := w.svc.ReportPerformedBatch(w.ctx, w.staff, service.BatchInput{Key: fmt.Sprintf("bad-%d", i), Entries: tc.entries})
				var te *trygg.Error
				if !errors.As(err, &te) || te.Code != trygg.EInvalid || fmt.Sprint(te.Fields) != fmt.Sprint(tc.fields) {
					t.Errorf("%s: %v %+v, want fields %v", tc.name, err, te, tc.fields)
				}
			}
			if got := w.eventsAfter(t, seq); len(got) != 0 {
				t.Errorf("bad batches wrote events: %v", got)
			}
			if _, err := w.svc.ReportPerformed(w.ctx, w.staff, "no-such-order", service.PerformedInput{On: "2026-11-06", Minutes: 5,
				Activities: []string{"d510"}}); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("one report on an unknown order: %v, want not found", err)
			}
		})
	}
}

// TestReportPerformedBatchStatements: a batch costs the same statements
// whatever number of entries and orders it has. (A batch of one entry
// saves the access log's subjects row, so sizes from two up are compared.)
func TestReportPerformedBatchStatements(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newReportWorld(t, engine, 40, 40)
			var stmts []int64
			for n, size := range []int{1, 2, 10, 40} { // the first compiles the definitions
				in := service.BatchInput{Key: fmt.Sprintf("size-%d-%d", n, size)}
				for i := range size {
					in.Entries = append(in.Entries, service.PerformedInput{OrderID: w.orders[i], On: fmt.Sprintf("2026-11-%02d", 2+n),
						Start: "08:00", End: "08:30", Activities: []string{"d510"}})
				}
				s0 := w.db.Statements()
				if _, err := w.svc.ReportPerformedBatch(w.ctx, w.staff, in); err != nil {
					t.Fatal(err)
				}
				stmts = append(stmts, w.db.Statements()-s0)
			}
			if stmts[1] != stmts[2] || stmts[2] != stmts[3] {
				t.Errorf("statements for batches of 2, 10 and 40 entries: %v, want the same", stmts[1:])
			}
		})
	}
}
