package service_test

import (
	"testing"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/storetest"
)

// TestPaymentBasisStatements: a provider's basis for payment is one row
// per order with reports that month, summing them, and it costs the same
// number of statements for two orders as for 40: its cost follows the rows
// it returns, with no statement per order. (A basis of one order logs its
// read without the access log's subjects row, so two are compared.)
func TestPaymentBasisStatements(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newReportWorld(t, engine, 40, 40)
			report := func(key, on string, orders int) {
				t.Helper()
				in := service.BatchInput{Key: key}
				for i := range orders {
					in.Entries = append(in.Entries, service.PerformedInput{OrderID: w.orders[i], On: on, Start: "08:00", End: "08:30",
						Activities: []string{"d510"}})
				}
				if _, err := w.svc.ReportPerformedBatch(w.ctx, w.staff, in); err != nil {
					t.Fatal(err)
				}
			}
			report("october", "2026-10-05", 2)
			report("november", "2026-11-02", 40)
			report("november-again", "2026-11-03", 40)
			var stmts []int64
			for _, tc := range []struct {
				month         string
				rows, minutes int
			}{
				{"2026-10", 2, 30}, // the first compiles the statements
				{"2026-10", 2, 30},
				{"2026-11", 40, 60},
				{"2026-09", 0, 0},
			} {
				s0 := w.db.Statements()
				pb, err := w.svc.PaymentBasis(w.ctx, w.staff, w.staff.ProviderID, tc.month)
				if err != nil {
					t.Fatal(err)
				}
				stmts = append(stmts, w.db.Statements()-s0)
				if len(pb.Rows) != tc.rows || pb.Minutes != tc.rows*tc.minutes {
					t.Errorf("%s: %d rows, %d minutes, want %d rows of %d minutes", tc.month, len(pb.Rows), pb.Minutes, tc.rows, tc.minutes)
				}
				reported := map[string]bool{}
				for _, id := range w.orders[:tc.rows] {
					reported[id] = true
				}
				for _, r := range pb.Rows {
					if !reported[r.OrderID] || r.Minutes != tc.minutes || r.Visits != tc.minutes/30 || r.Deviations != 0 {
						t.Errorf("%s: row %+v, want one of the orders reported with %d minutes in %d visits", tc.month, r, tc.minutes, tc.minutes/30)
					}
					delete(reported, r.OrderID)
				}
			}
			if stmts[1] != stmts[2] {
				t.Errorf("statements for a basis of 2 and of 40 orders: %v, want the same", stmts[1:3])
			}
		})
	}
}
