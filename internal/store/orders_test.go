package store_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
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

// TestProviderOrdersPages: a provider's list of orders comes a page at a
// time, newest first, each page starting where the one before ended, with
// the statuses asked for and no other provider's orders; together the
// pages are the whole list, each order once. Orders made at the same
// moment are told apart by their ids.
func TestProviderOrdersPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		ctx := t.Context()
		tenant := trygg.TenantID("t1")
		seedTenant(t, r.DB, tenant, "Norr")
		statuses := []string{store.OrderSent, store.OrderAccepted, store.OrderSent, store.OrderEnded, store.OrderAccepted,
			store.OrderAccepted, store.OrderReturned, store.OrderAccepted, store.OrderSent}
		for i := 0; i < len(statuses); i += 3 { // three orders a transaction: three at one moment
			update(t, r.DB, func(tx *store.Tx) error {
				for j := i; j < i+3; j++ {
					for _, prov := range []string{"prov", "other"} {
						o := store.Order{ID: fmt.Sprintf("%s-%d", prov, j), CaseID: "c-1", DecisionID: "d-1", PersonID: "p-1", ProviderID: prov,
							UnitID: "unit-a", Insats: "x", Status: statuses[j], Revision: 1}
						if err := tx.InsertOrder(ctx, tenant, o); err != nil {
							return err
						}
					}
				}
				return nil
			})
		}
		want := func(keep ...string) []string {
			var os []store.Order
			for j, st := range statuses {
				if slices.Contains(keep, st) {
					o, err := r.DB.Order(ctx, tenant, fmt.Sprintf("prov-%d", j))
					if err != nil {
						t.Fatal(err)
					}
					os = append(os, o)
				}
			}
			slices.SortFunc(os, func(a, b store.Order) int {
				return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
			})
			var ids []string
			for _, o := range os {
				ids = append(ids, o.ID)
			}
			return ids
		}
		for _, tc := range []struct {
			statuses []string
			size     int
		}{
			{[]string{store.OrderSent, store.OrderAccepted}, 2},
			{[]string{store.OrderAccepted}, 3},
			{nil, 4},
		} {
			var pages [][]string
			var after store.OrderKey
			for len(pages) < 10 {
				got, err := r.DB.ProviderOrdersAfter(ctx, tenant, "prov", tc.statuses, false, after, tc.size)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) == 0 {
					break
				}
				var ids []string
				for _, o := range got {
					ids = append(ids, o.ID)
				}
				pages = append(pages, ids)
				after = got[len(got)-1].Key()
			}
			all := want(tc.statuses...)
			if tc.statuses == nil {
				all = want(store.OrderSent, store.OrderAccepted, store.OrderReturned, store.OrderEnded)
			}
			if len(pages) < 2 || !slices.Equal(pages[1], all[tc.size:min(2*tc.size, len(all))]) || !slices.Equal(slices.Concat(pages...), all) {
				t.Errorf("%v in pages of %d: %v, want %v", tc.statuses, tc.size, pages, all)
			}
		}
	})
}
