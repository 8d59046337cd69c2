package store_test

import (
	"testing"

	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// TestOrderProtectionIsThePersonsNow: an order's person who gets a
// protected identity after the order was sent is protected in every read
// of the order at once — the provider's list leaves it out, the order and
// the feed say so — whatever the order row said when it was sent.
func TestOrderProtectionIsThePersonsNow(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		ctx := t.Context()
		tenant := trygg.TenantID("t1")
		seedTenant(t, r.DB, tenant, "Norr")
		o := store.Order{ID: "o-1", CaseID: "c-1", DecisionID: "d-1", PersonID: "p-1", ProviderID: "prov", UnitID: "unit-a",
			Insats: "x", Status: store.OrderSent, Revision: 1}
		update(t, r.DB, func(tx *store.Tx) error { return tx.InsertOrder(ctx, tenant, o) })
		list := func() int {
			orders, err := r.DB.ProviderOrders(ctx, tenant, "prov", nil, false, 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(orders)
		}
		if got, err := r.DB.Order(ctx, tenant, "o-1"); err != nil || got.Protected || list() != 1 {
			t.Fatalf("before: %+v %v, listed %d", got, err, list())
		}
		r.exec(t, `UPDATE persons SET protection = 2 WHERE tenant_id = ? AND id = ?`, string(tenant), "p-1")
		if got, err := r.DB.Order(ctx, tenant, "o-1"); err != nil || !got.Protected {
			t.Errorf("the order after the person became protected: %+v %v", got, err)
		}
		if n := list(); n != 0 {
			t.Errorf("the provider's list without permission still has %d orders", n)
		}
		if orders, _ := r.DB.ProviderOrders(ctx, tenant, "prov", nil, true, 10); len(orders) != 1 {
			t.Errorf("with permission: %d orders", len(orders))
		}
	})
}
