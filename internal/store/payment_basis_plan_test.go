package store

import (
	"strings"
	"testing"
)

// TestPaymentBasisPlan: SQLite plans the payment basis from the month's
// entries of the provider and reads each of their orders by key, never
// every order of the tenant, whether the planner has statistics (serve
// gathers them at start) or not (orders written since): scanning the
// tenant's orders made a provider's basis cost what the municipality's
// orders cost.
func TestPaymentBasisPlan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stats []string
	}{
		{"no statistics", nil},
		{"a municipality's statistics", []string{
			// 100,000 orders of one tenant, 20 providers; 1,800,000 entries.
			`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('orders', 'sqlite_autoindex_orders_1', '100000 100000 1'),
			('orders', 'orders_provider', '100000 100000 5000 1000'), ('orders', 'orders_case', '100000 100000 1'),
			('orders', 'orders_decision', '100000 100000 1'),
			('performed', 'performed_order', '1800000 1800000 18 1'),
			('performed', 'performed_provider', '1800000 1800000 90000 250 1 1 1 1'),
			('performed', 'performed_corrects', '1000 1000 1')`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			raw := sqliteWithStatistics(t, append([]string{`DELETE FROM sqlite_stat1 WHERE tbl IN ('orders', 'performed')`}, tc.stats...)...)
			cols := strings.Replace(prefixed("o.", orderCols), "o.protected", protectedNow("o"), 1)
			p := queryPlan(ctx, t, raw, paymentBasisSQL(cols), "demo", "provider", "2026-10-01", "2026-10-31", "demo")
			if !strings.Contains(p, "SEARCH o USING INDEX sqlite_autoindex_orders_1 (tenant_id=? AND id=?)") ||
				!strings.Contains(p, "SEARCH p USING COVERING INDEX performed_provider (tenant_id=? AND provider_id=? AND on_date>? AND on_date<?)") ||
				strings.Contains(p, "SCAN o") || strings.Contains(p, "(tenant_id=?)\n") {
				t.Errorf("the payment basis does not read the month's entries first and their orders by key:\n%s", p)
			}
		})
	}
}
