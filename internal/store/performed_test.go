package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// TestPerformedBatchReads: the reads a batch of performed reports makes
// once for all its entries — the orders, their cases, the stored entries
// on the batch's days and the decisions already executed — find what the
// one-at-a-time reads find, and only in the tenant asked.
func TestPerformedBatchReads(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		ctx := t.Context()
		t1, t2 := trygg.TenantID("t1"), trygg.TenantID("t2")
		seedTenant(t, r.DB, t1, "Norr")
		seedTenant(t, r.DB, t2, "Syd")
		order := func(id string) store.Order {
			return store.Order{ID: id, CaseID: "c-1", DecisionID: "d-" + id, PersonID: "p-1", ProviderID: "prov", UnitID: "unit-a",
				Insats: "x", Status: store.OrderAccepted, Revision: 1}
		}
		visit := func(id, orderID, on, start, end string) store.Performed {
			return store.Performed{ID: id, OrderID: orderID, On: on, Start: start, End: end, Minutes: 30, Activities: []string{"d510"}, ReportedBy: "u-1"}
		}
		update(t, r.DB, func(tx *store.Tx) error {
			for _, id := range []string{"o-1", "o-2", "o-3"} {
				if err := tx.InsertOrder(ctx, t1, order(id)); err != nil {
					return err
				}
			}
			for _, d := range []string{"d-o-1", "d-o-2"} {
				if err := tx.SaveDecisionDraft(ctx, t1, store.Decision{ID: d, CaseID: "c-1", Insats: "x", Outcome: "granted", DraftedBy: "u-1"}); err != nil {
					return err
				}
			}
			if err := tx.InsertExecution(ctx, t1, "c-1", store.Execution{ID: "x-1", DecisionID: "d-o-1", Kind: "executed", On: "2026-01-05", RecordedBy: "u-1"}); err != nil {
				return err
			}
			return tx.InsertPerformed(ctx, t1, "prov", []store.Performed{
				visit("e-1", "o-1", "2026-01-10", "08:00", "08:30"),
				visit("e-2", "o-1", "2026-01-11", "08:00", "08:30"),
				visit("e-3", "o-2", "2026-01-10", "09:00", "09:30"),
				visit("e-4", "o-2", "2026-01-12", "09:00", "09:30"),
				visit("e-5", "o-3", "2026-01-10", "10:00", "10:30"),
			})
		})
		// The same ids in the other tenant must never be found from t1.
		update(t, r.DB, func(tx *store.Tx) error {
			if err := tx.InsertOrder(ctx, t2, order("o-4")); err != nil {
				return err
			}
			if err := tx.SaveDecisionDraft(ctx, t2, store.Decision{ID: "d-o-2", CaseID: "c-1", Insats: "x", Outcome: "granted", DraftedBy: "u-1"}); err != nil {
				return err
			}
			if err := tx.InsertExecution(ctx, t2, "c-1", store.Execution{ID: "x-1", DecisionID: "d-o-2", Kind: "executed", On: "2026-01-05", RecordedBy: "u-1"}); err != nil {
				return err
			}
			return tx.InsertPerformed(ctx, t2, "prov", []store.Performed{visit("e-1", "o-4", "2026-01-10", "08:00", "08:30")})
		})

		t.Run("orders and their cases", func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				ids   []string
				want  []string
				cases []string
			}{
				{"none", nil, nil, nil},
				{"one", []string{"o-2"}, []string{"o-2"}, []string{"c-1"}},
				{"several, one twice, one unknown", []string{"o-3", "o-1", "o-3", "nope"}, []string{"o-1", "o-3"}, []string{"c-1"}},
				{"another tenant's", []string{"o-4"}, nil, nil},
			} {
				orders, err := r.DB.OrdersByIDs(ctx, t1, tc.ids)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				var got []string
				for _, o := range orders {
					got = append(got, o.ID)
					if one, err := r.DB.Order(ctx, t1, o.ID); err != nil || fmt.Sprint(one) != fmt.Sprint(o) {
						t.Errorf("%s: %s read alone is %+v (%v), in the batch %+v", tc.name, o.ID, one, err, o)
					}
				}
				slices.Sort(got)
				if !slices.Equal(got, tc.want) {
					t.Errorf("%s: orders %v, want %v", tc.name, got, tc.want)
				}
				cases, err := r.DB.OrderCases(ctx, t1, orders)
				if err != nil {
					t.Fatalf("%s: cases: %v", tc.name, err)
				}
				var gotCases []string
				for id, c := range cases {
					gotCases = append(gotCases, id)
					if one, err := r.DB.CaseByID(ctx, t1, id); err != nil || fmt.Sprint(one) != fmt.Sprint(c) {
						t.Errorf("%s: case %s read alone is %+v (%v), for the batch %+v", tc.name, id, one, err, c)
					}
				}
				if !slices.Equal(gotCases, tc.cases) {
					t.Errorf("%s: cases %v, want %v", tc.name, gotCases, tc.cases)
				}
			}
		})

		t.Run("stored entries on the batch's days", func(t *testing.T) {
			for _, tc := range []struct {
				name         string
				orders, days []string
				want         []string // in the order returned
			}{
				{"no orders", nil, []string{"2026-01-10"}, nil},
				{"no days", []string{"o-1"}, nil, nil},
				{"one order, one day", []string{"o-1"}, []string{"2026-01-10"}, []string{"e-1"}},
				{"one order, two days", []string{"o-1"}, []string{"2026-01-11", "2026-01-10"}, []string{"e-1", "e-2"}},
				{"orders and days each with each", []string{"o-2", "o-1"}, []string{"2026-01-10", "2026-01-12"}, []string{"e-1", "e-3", "e-4"}},
				{"another tenant's order", []string{"o-4"}, []string{"2026-01-10"}, nil},
			} {
				var got []store.Performed
				update(t, r.DB, func(tx *store.Tx) error {
					var err error
					got, err = tx.PerformedOn(ctx, t1, tc.orders, tc.days)
					return err
				})
				var ids []string
				for _, p := range got {
					ids = append(ids, p.ID)
				}
				if !slices.Equal(ids, tc.want) {
					t.Errorf("%s: %v, want %v", tc.name, ids, tc.want)
				}
			}
		})

		t.Run("decisions executed", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				ids  []string
				want map[string]bool
			}{
				{"none", nil, map[string]bool{}},
				{"executed, not executed, unknown", []string{"d-o-1", "d-o-2", "nope"}, map[string]bool{"d-o-1": true}},
				{"executed only in another tenant", []string{"d-o-2"}, map[string]bool{}},
			} {
				var got map[string]bool
				update(t, r.DB, func(tx *store.Tx) error {
					var err error
					got, err = tx.DecisionsExecuted(ctx, t1, tc.ids)
					return err
				})
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
				}
			}
		})
	})
}

// TestPerformedBatchWrites: entries and events written many at a time,
// past the rows one INSERT takes, are all stored, the events numbered on
// from the tenant's sequence without gaps; a second correction anywhere
// in a batch is a conflict that stores nothing.
func TestPerformedBatchWrites(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		ctx := t.Context()
		t1 := trygg.TenantID("t1")
		seedTenant(t, r.DB, t1, "Norr") // appends the tenant's first event
		entries := func(prefix string, n int) []store.Performed {
			ps := make([]store.Performed, n)
			for i := range ps {
				ps[i] = store.Performed{ID: fmt.Sprintf("%s-%04d", prefix, i), OrderID: "o-1", On: fmt.Sprintf("2026-01-%02d", 1+i%28),
					Minutes: 30, Activities: []string{"d510"}, ReportedBy: "u-1", BatchKey: prefix}
			}
			return ps
		}
		count := func(q string, args ...any) int64 {
			t.Helper()
			return r.queryInt(t, q, args...)
		}

		for _, tc := range []struct {
			name    string
			ps      []store.Performed
			wantErr string // error code; "" for none
			stored  int64  // rows of the batch stored after
		}{
			{"one", entries("a", 1), "", 1},
			{"more than one INSERT takes", entries("b", 1201), "", 1201},
			{"two corrections of one entry in the third INSERT", append(entries("c", 1100),
				store.Performed{ID: "c-x1", OrderID: "o-1", On: "2026-01-02", Minutes: 5, Activities: []string{}, Corrects: "a-0000", ReportedBy: "u-1", BatchKey: "c"},
				store.Performed{ID: "c-x2", OrderID: "o-1", On: "2026-01-02", Minutes: 5, Activities: []string{}, Corrects: "a-0000", ReportedBy: "u-1", BatchKey: "c"}),
				trygg.EConflict, 0},
		} {
			err := r.DB.Update(ctx, func(tx *store.Tx) error { return tx.InsertPerformed(ctx, t1, "prov", tc.ps) })
			if tc.wantErr == "" && err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else if tc.wantErr != "" {
				wantCode(t, err, tc.wantErr, tc.name)
			}
			key := tc.ps[0].BatchKey
			if n := count(`SELECT COUNT(*) FROM performed WHERE tenant_id = ? AND batch_key = ?`, string(t1), key); n != tc.stored {
				t.Errorf("%s: %d rows stored, want %d", tc.name, n, tc.stored)
			}
		}
		// Every column as written, read back.
		var got []store.Performed
		update(t, r.DB, func(tx *store.Tx) error {
			var err error
			got, err = tx.PerformedByIDs(ctx, t1, []string{"b-0000", "b-1200"})
			return err
		})
		if len(got) != 2 || got[0].On == "" || got[0].Minutes != 30 || !slices.Equal(got[0].Activities, []string{"d510"}) || got[0].ReportedAt.IsZero() {
			t.Errorf("read back: %+v", got)
		}

		ev := func(i int) events.Event {
			return events.Event{Tenant: t1, ActorID: "u-1", Type: "test.batch", SubjectType: "order", SubjectID: fmt.Sprintf("o-%d", i),
				PersonID: "p-1", CaseID: "c-1", Payload: []byte(fmt.Sprintf(`{"i":%d}`, i))}
		}
		var single events.Event
		var batch []events.Event
		update(t, r.DB, func(tx *store.Tx) error {
			var err error
			if single, err = tx.AppendEvent(ctx, ev(0)); err != nil {
				return err
			}
			es := make([]events.Event, 1201)
			for i := range es {
				es[i] = ev(i + 1)
			}
			if batch, err = tx.AppendEvents(ctx, es); err != nil {
				return err
			}
			if none, err := tx.AppendEvents(ctx, nil); err != nil || len(none) != 0 {
				return fmt.Errorf("no events: %v %v", none, err)
			}
			_, err = tx.AppendEvent(ctx, ev(1202))
			return err
		})
		stored, err := r.DB.Events(ctx, t1, single.Seq-1, 1000)
		if err != nil {
			t.Fatal(err)
		}
		more, err := r.DB.Events(ctx, t1, stored[len(stored)-1].Seq, 1000)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, more...)
		if len(stored) != 1203 || len(batch) != 1201 {
			t.Fatalf("%d events stored, %d returned, want 1203 and 1201", len(stored), len(batch))
		}
		for i, e := range stored {
			if e.Seq != single.Seq+int64(i) || e.SubjectID != fmt.Sprintf("o-%d", i) || string(e.Payload) != fmt.Sprintf(`{"i":%d}`, i) ||
				e.CaseID != "c-1" || e.PersonID != "p-1" || !e.At.Equal(single.At) {
				t.Fatalf("event %d: %+v (seq want %d)", i, e, single.Seq+int64(i))
			}
			if i >= 1 && i <= 1201 && batch[i-1].Seq != e.Seq {
				t.Fatalf("event %d returned with seq %d, stored with %d", i, batch[i-1].Seq, e.Seq)
			}
		}
		err = r.DB.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendEvents(ctx, []events.Event{ev(1), {Tenant: "t2", Type: "test.batch"}})
			return err
		})
		if err == nil {
			t.Error("events of two tenants in one call were appended")
		}
	})
}
