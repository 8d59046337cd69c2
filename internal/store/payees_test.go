package store_test

import (
	"testing"

	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// TestPersonPayee: the contract the payment engine reads payees by — a
// person's payee by person, a payee by id, a person without one not
// found — and an account read back as the bank file needs it.
func TestPersonPayee(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		r := openRaw(t, engine, true)
		ctx := t.Context()
		tenant := trygg.TenantID("t1")
		seedTenant(t, r.DB, tenant, "Norr")
		acc, err := payments.ParseAccount(payments.KindBankAccount, "8424-4", "983 189 224-6")
		if err != nil {
			t.Fatal(err)
		}
		p := store.Payee{ID: "y-1", Category: store.PayeePerson, Name: "Anna Andersson", PersonID: "p-1",
			AccountKind: string(acc.Kind), Account: store.StoredAccount(acc), CreatedBy: "u-1"}
		update(t, r.DB, func(tx *store.Tx) error { return tx.InsertPayee(ctx, tenant, p) })
		update(t, r.DB, func(tx *store.Tx) error {
			got, err := tx.PersonPayee(ctx, tenant, "p-1")
			if err != nil || got.ID != "y-1" || got.AccountChangedAt.IsZero() {
				t.Errorf("PersonPayee = %+v, %v", got, err)
			}
			back, err := got.PaymentAccount()
			if err != nil || back != acc {
				t.Errorf("PaymentAccount = %+v, %v; want %+v", back, err, acc)
			}
			if got, err := tx.Payee(ctx, tenant, "y-1"); err != nil || got.PersonID != "p-1" {
				t.Errorf("Payee = %+v, %v", got, err)
			}
			if _, err := tx.PersonPayee(ctx, tenant, "p-2"); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("a person without a payee: %v", err)
			}
			if _, err := tx.Payee(ctx, "other", "y-1"); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("another tenant's payee: %v", err)
			}
			return nil
		})
		second := p
		second.ID = "y-2"
		err = r.DB.Update(ctx, func(tx *store.Tx) error { return tx.InsertPayee(ctx, tenant, second) })
		if trygg.ErrorCode(err) != trygg.EConflict {
			t.Errorf("a second payee for the person: %v", err)
		}
	})
}
