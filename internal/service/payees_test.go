package service_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// fieldError reports whether err is an invalid-input error with msg on
// field.
func fieldError(err error, field, msg string) bool {
	var te *trygg.Error
	return errors.As(err, &te) && te.Code == trygg.EInvalid && te.Fields[field] == msg
}

// TestPayeesAndReviewedAccountChanges: an officer registers the journey-3
// mother as a payee and a landlord; changes the mother's account; each
// account given is a row in the change log and an event without the
// number; a team lead other than the changer reviews it, the changer
// may not; bad input of every kind is a field error that writes nothing.
func TestPayeesAndReviewedAccountChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// The demo without its payees: this test registers them.
		svc := storetest.Service(t, db, nil)
		ds := demo.Generate(demo.Options{Persons: 40, Staff: 30})
		ds.Payees = nil
		if _, err := svc.LoadDemo(t.Context(), ds); err != nil {
			t.Fatal(err)
		}
		w := &demoWorld{svc: svc, ds: ds}
		ctx := t.Context()
		actor := w.actorFunc(t)
		officer, lead := actor("ekonom"), actor("arbetsledare")
		mother := journeyPerson(t, w.ds, demo.CaseType("eb"))
		elderly := journeyPerson(t, w.ds, demo.CaseType("ao")) // not the officer's to read

		eventsOf := func(typ string) []events.Event {
			t.Helper()
			all, err := db.Events(ctx, demo.TenantID, 0, 100000)
			if err != nil {
				t.Fatal(err)
			}
			var out []events.Event
			for _, e := range all {
				if e.Type == typ {
					out = append(out, e)
				}
			}
			return out
		}

		// Bad input writes nothing: each a field error of its own.
		for _, tc := range []struct {
			name  string
			in    service.PayeeInput
			field string
			msg   string
		}{
			{"an invalid Bankgiro number", service.PayeeInput{Category: "landlord", Name: "Norrbo Bostäder AB", OrgNumber: "556036-0793",
				AccountInput: service.AccountInput{Kind: "bankgiro", Number: "5402-9682"}}, "account_number", "The check digit does not match: check the number."},
			{"a clearing number no bank has", service.PayeeInput{Category: "person", PersonID: mother.ID,
				AccountInput: service.AccountInput{Kind: "bank_account", Clearing: "1000", Number: "1234567"}}, "clearing_number", "No bank has clearing number 1000."},
			{"a wrong check digit", service.PayeeInput{Category: "person", PersonID: mother.ID,
				AccountInput: service.AccountInput{Kind: "bank_account", Clearing: "5000", Number: "1234561"}}, "account_number", "The check digit does not match: check the number."},
			{"no kind", service.PayeeInput{Category: "person", PersonID: mother.ID,
				AccountInput: service.AccountInput{Number: "1234567"}}, "kind", "Choose bank account, Bankgiro, Plusgiro or IBAN."},
			{"a wrong organisation number", service.PayeeInput{Category: "landlord", Name: "Norrbo Bostäder AB", OrgNumber: "556036-0794",
				AccountInput: service.AccountInput{Kind: "bankgiro", Number: "5402-9681"}}, "org_number", "The organisation number's check digit is wrong."},
			{"no name", service.PayeeInput{Category: "energy_company", OrgNumber: "556036-0793",
				AccountInput: service.AccountInput{Kind: "bankgiro", Number: "5402-9681"}}, "name", "Give the name, at most 70 characters, as the bank should show it."},
			{"a person the officer may not read", service.PayeeInput{Category: "person", PersonID: elderly.ID,
				AccountInput: service.AccountInput{Kind: "bankgiro", Number: "5402-9681"}}, "person_id", "Choose a person in the register you may read."},
			{"no category", service.PayeeInput{AccountInput: service.AccountInput{Kind: "bankgiro", Number: "5402-9681"}},
				"category", "Choose a person, a landlord, an energy company, a provider or another organisation."},
		} {
			_, err := w.svc.RegisterPayee(ctx, officer, tc.in)
			if !fieldError(err, tc.field, tc.msg) {
				t.Errorf("%s: %v, want %s: %q", tc.name, err, tc.field, tc.msg)
			}
			if err != nil && strings.Contains(err.Error(), "1234") {
				t.Errorf("%s: the error repeats the number: %v", tc.name, err)
			}
		}
		if found, err := w.svc.SearchPayees(ctx, lead, service.PayeeSearch{}); err != nil || len(found) != 0 {
			t.Fatalf("after refused registrations: %d payees, %v", len(found), err)
		}
		if n := len(eventsOf(events.PayeeAccountChanged)) + len(eventsOf(events.PayeeRegistered)); n != 0 {
			t.Fatalf("after refused registrations: %d events", n)
		}

		// Registered: the mother with her bank account, a landlord with a Bankgiro number.
		y, err := w.svc.RegisterPayee(ctx, officer, service.PayeeInput{Category: "person", PersonID: mother.ID,
			AccountInput: service.AccountInput{Kind: "bank_account", Clearing: "8424-4", Number: "983 189 224-6"}})
		if err != nil {
			t.Fatal(err)
		}
		if y.Name != mother.GivenName+" "+mother.FamilyName || y.AccountKind != "bank_account" {
			t.Errorf("the mother's payee: %+v", y)
		}
		if _, err := w.svc.RegisterPayee(ctx, officer, service.PayeeInput{Category: "person", PersonID: mother.ID,
			AccountInput: service.AccountInput{Kind: "bankgiro", Number: "5402-9681"}}); trygg.ErrorCode(err) != trygg.EConflict {
			t.Errorf("a second payee for the mother: %v", err)
		}
		landlord, err := w.svc.RegisterPayee(ctx, officer, service.PayeeInput{Category: "landlord", Name: "Norrbo Bostäder AB",
			OrgNumber: "5560360793", AccountInput: service.AccountInput{Kind: "bankgiro", Number: "5402-9681"}})
		if err != nil || landlord.OrgNumber != "556036-0793" {
			t.Fatalf("landlord: %+v %v", landlord, err)
		}
		if id, err := w.svc.PersonPayee(ctx, officer, mother.ID); err != nil || id != y.ID {
			t.Errorf("PersonPayee = %q, %v", id, err)
		}
		if _, err := w.svc.PersonPayee(ctx, officer, elderly.ID); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("PersonPayee of a person the officer may not read: %v", err)
		}

		// Changing: a bad account or the same one writes nothing.
		for _, tc := range []struct {
			name  string
			in    service.AccountInput
			field string
			msg   string
		}{
			{"an invalid Bankgiro number", service.AccountInput{Kind: "bankgiro", Number: "123"}, "account_number", "A Bankgiro number has 7 or 8 digits."},
			{"a clearing number no bank has", service.AccountInput{Kind: "bank_account", Clearing: "9999", Number: "1234567"}, "clearing_number", "No bank has clearing number 9999."},
			{"the same account", service.AccountInput{Kind: "bank_account", Clearing: "84244", Number: "9831892246"}, "account_number", "This is the payee's account already: nothing was changed."},
		} {
			if _, err := w.svc.ChangePayeeAccount(ctx, officer, y.ID, tc.in); !fieldError(err, tc.field, tc.msg) {
				t.Errorf("change, %s: %v", tc.name, err)
			}
		}
		if v, err := w.svc.Payee(ctx, officer, y.ID); err != nil || len(v.Changes) != 1 || v.Account != "8424-4, 9831892246" {
			t.Fatalf("after refused changes: %+v %v", v, err)
		}

		ch, err := w.svc.ChangePayeeAccount(ctx, officer, y.ID, service.AccountInput{Kind: "bank_account", Clearing: "5000", Number: "1000004"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.svc.Payee(ctx, officer, y.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Account != "5000, 1000004" || v.Bank != "SEB" || len(v.Changes) != 2 {
			t.Fatalf("after the change: %q %q, %d changes", v.Account, v.Bank, len(v.Changes))
		}
		if c := v.Changes[0]; c.ID != ch.ID || c.Old != "8424-4, 9831892246" || c.New != "5000, 1000004" || c.ChangedBy != officer.UserID ||
			c.ReviewedBy != "" || v.Names[officer.UserID] != "Emir Ekonom" {
			t.Errorf("the newest change: %+v, names %v", c, v.Names)
		}
		changed := eventsOf(events.PayeeAccountChanged)
		if len(changed) != 3 {
			t.Fatalf("%d payee.account_changed events, want 3 (two registrations, one change)", len(changed))
		}
		last := changed[len(changed)-1]
		var payload map[string]any
		_ = json.Unmarshal(last.Payload, &payload)
		if last.PersonID != mother.ID || last.SubjectID != y.ID || payload["change_id"] != ch.ID || payload["new_kind"] != "bank_account" {
			t.Errorf("the change's event: %+v %v", last, payload)
		}
		for _, e := range changed {
			if strings.Contains(string(e.Payload), "1000004") || strings.Contains(string(e.Payload), "9831892246") {
				t.Errorf("an event holds the account number: %s", e.Payload)
			}
		}

		// Review: not by an officer, not by the changer, by a team lead once.
		if err := w.svc.ReviewPayeeAccountChange(ctx, officer, ch.ID); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Errorf("an officer reviews: %v", err)
		}
		if _, err := w.svc.ChangePayeeAccount(ctx, lead, landlord.ID, service.AccountInput{Kind: "plusgiro", Number: "410 54 68-5"}); err != nil {
			t.Fatal(err)
		}
		todo, err := w.svc.AccountChangesToReview(ctx, lead)
		if err != nil || len(todo.Changes) != 4 {
			t.Fatalf("to review: %d, %v", len(todo.Changes), err)
		}
		var leadsOwn string
		for _, c := range todo.Changes {
			if c.ChangedBy == lead.UserID {
				leadsOwn = c.ID
			}
		}
		err = w.svc.ReviewPayeeAccountChange(ctx, lead, leadsOwn)
		if trygg.ErrorCode(err) != trygg.EForbidden || trygg.ErrorMessage(err) != "You made this change, so someone else must review it." {
			t.Errorf("the changer reviews: %v", err)
		}
		if err := w.svc.ReviewPayeeAccountChange(ctx, lead, ch.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.ReviewPayeeAccountChange(ctx, lead, ch.ID); trygg.ErrorCode(err) != trygg.EConflict {
			t.Errorf("reviewed twice: %v", err)
		}
		v, _ = w.svc.Payee(ctx, officer, y.ID)
		if c := v.Changes[0]; c.ReviewedBy != lead.UserID || c.ReviewedAt.IsZero() || v.Names[lead.UserID] != "Aina Arbetsledare" {
			t.Errorf("after review: %+v", c)
		}
		if todo, _ := w.svc.AccountChangesToReview(ctx, lead); len(todo.Changes) != 3 {
			t.Errorf("to review after one: %d", len(todo.Changes))
		}
		if n := len(eventsOf(events.PayeeAccountReviewed)); n != 1 {
			t.Errorf("%d review events", n)
		}

		// Reading the mother's payee is access-logged as reading her.
		entries, err := db.AccessLog(ctx, demo.TenantID, store.AccessLogFilter{PersonID: mother.ID, ActorID: officer.UserID})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) < 3 {
			t.Errorf("%d access-log entries of the officer on the mother", len(entries))
		}
		// The payee list: the officer sees the mother and the landlord,
		// another officer without her case only the landlord.
		if found, _ := w.svc.SearchPayees(ctx, officer, service.PayeeSearch{}); len(found) != 2 {
			t.Errorf("the officer's list: %d", len(found))
		}
		if found, _ := w.svc.SearchPayees(ctx, actor("handlaggare"), service.PayeeSearch{}); len(found) != 1 || found[0].ID != landlord.ID {
			t.Errorf("another unit's officer's list: %+v", found)
		}
		if _, err := w.svc.Payee(ctx, actor("handlaggare"), y.ID); trygg.ErrorCode(err) != trygg.ENotFound {
			t.Errorf("another unit's officer reads the mother's payee: %v", err)
		}
		if found, _ := w.svc.SearchPayees(ctx, officer, service.PayeeSearch{Query: "norrbo"}); len(found) != 1 {
			t.Errorf("search by name: %d", len(found))
		}
	})
}

// TestDemoPayees: the demo's journey-3 mother and a few others have a
// payee with a valid account, a landlord and an energy company exist, and
// one account change waits for the team lead's review.
func TestDemoPayees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDemoWorld(t, db, 200, 40, time.Time{})
		ctx := t.Context()
		lead := w.actorFunc(t)("arbetsledare")
		mother := journeyPerson(t, w.ds, demo.CaseType("eb"))
		id, err := w.svc.PersonPayee(ctx, w.actorFunc(t)("ekonom"), mother.ID)
		if err != nil {
			t.Fatalf("the mother's payee: %v", err)
		}
		v, err := w.svc.Payee(ctx, lead, id)
		if err != nil || v.Bank == "" || len(v.Changes) != 1 || v.Changes[0].ReviewedBy != lead.UserID {
			t.Errorf("the mother's payee: %+v %v", v, err)
		}
		found, err := w.svc.SearchPayees(ctx, lead, service.PayeeSearch{})
		if err != nil {
			t.Fatal(err)
		}
		cats := map[string]int{}
		for _, y := range found {
			cats[y.Category]++
		}
		if cats["person"] < 2 || cats["landlord"] != 1 || cats["energy_company"] != 1 {
			t.Errorf("demo payees by category: %v", cats)
		}
		todo, err := w.svc.AccountChangesToReview(ctx, lead)
		if err != nil || len(todo.Changes) != 1 || todo.Changes[0].PayeeCategory != "landlord" || todo.Changes[0].Old == "" {
			t.Errorf("waiting for review: %+v %v", todo, err)
		}
	})
}
