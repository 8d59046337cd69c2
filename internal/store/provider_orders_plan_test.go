package store

import (
	"strings"
	"testing"
)

// TestProviderOrdersPlan: SQLite reads a page of a provider's orders from
// the orders_provider index in the list's order, a status at a time,
// starting at the cursor, with no sort of the provider's orders: a page
// costs its own rows, not the provider's or the municipality's orders.
func TestProviderOrdersPlan(t *testing.T) {
	ctx := t.Context()
	// A municipality's statistics: 100,000 orders, 20 providers.
	raw := sqliteWithStatistics(t, `DELETE FROM sqlite_stat1 WHERE tbl = 'orders'`,
		`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('orders', 'sqlite_autoindex_orders_1', '100000 100000 1'),
		('orders', 'orders_provider', '100000 100000 5000 1300 1 1'), ('orders', 'orders_case', '100000 100000 1'),
		('orders', 'orders_decision', '100000 100000 1')`)
	for _, tc := range []struct {
		name     string
		statuses []string
		after    OrderKey
	}{
		{"first page, one status", []string{OrderEnded}, OrderKey{}},
		{"next page, one status", []string{OrderAccepted}, OrderKey{CreatedAt: 1, ID: "o"}},
		{"next page, the active ones", []string{OrderSent, OrderAccepted}, OrderKey{CreatedAt: 1, ID: "o"}},
	} {
		q, args := providerOrdersQuery("demo", "provider", tc.statuses, false, tc.after, 51)
		p := queryPlan(ctx, t, raw, q, args...)
		uses := strings.Count(p, "SEARCH orders USING INDEX orders_provider (tenant_id=? AND provider_id=? AND status=?")
		if uses != len(tc.statuses) || strings.Contains(p, "SCAN orders") ||
			(len(tc.statuses) == 1 && strings.Contains(p, "TEMP B-TREE")) {
			t.Errorf("%s: the page is not read from orders_provider in its order:\n%s", tc.name, p)
		}
		if tc.after.ID != "" && strings.Count(p, "status=? AND (created_at,id)<(?,?))") != len(tc.statuses) {
			t.Errorf("%s: the page does not start at the cursor in the index:\n%s", tc.name, p)
		}
	}
}
