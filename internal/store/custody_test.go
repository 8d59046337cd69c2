package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestGuardianLapsesAt18: custody ends on the child's 18th birthday
// (Föräldrabalken 6 kap. 2 §). Up to the day before it the guardian sees
// the 17-year-old on Mina sidor, reads them and their register extract, is
// notified about their cases, and lists and searches show them; on the
// birthday none of that, and the relation shows the day before as its
// end. This holds for a relation loaded without an end date (the demo, as
// from a registry) and for one recorded through the service, which stores
// the end. Recording a guardian relation over an adult is refused with a
// field error and writes nothing.
func TestGuardianLapsesAt18(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := t.Context()
			start := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
			clock := storetest.NewClock(start)
			db := storetest.Open(t, engine, clock)
			ds := demo.Generate(demo.Options{Persons: 40, Staff: 30, Seed: 1, Today: start})
			svc := storetest.Service(t, db, ds.Registry())
			if ok, err := svc.LoadDemo(ctx, ds); err != nil || !ok {
				t.Fatalf("load demo: %v, %v", ok, err)
			}
			w := demoWorld{t: t, db: db, svc: svc, ds: ds, byID: map[string]persons.Person{}}
			for _, p := range ds.Persons {
				w.byID[p.ID] = p
			}
			single, daughter := w.personOf("invanare"), w.personOf("dotter")
			mother := w.person(ds.Cases[0].PersonID) // 84, journey 1, assigned to handlaggare
			schoolChild := w.person(ds.Cases[1].PersonID)
			if ds.Cases[1].AssignedTo == "" || w.person(ds.Cases[1].PersonID).BirthDate == "" {
				t.Fatal("journey case 2 has no child or officer")
			}
			var older persons.Person // the elder of the single mother's children
			for _, r := range ds.Relations {
				if r.FromPersonID == single.ID && r.Kind == persons.RelGuardian {
					if k := w.person(r.ToPersonID); older.ID == "" || k.BirthDate < older.BirthDate {
						older = k
					}
				}
			}
			userOf := func(username string) string {
				for _, u := range ds.Users {
					if u.Username == username {
						return u.ID
					}
				}
				t.Fatalf("no user %s", username)
				return ""
			}
			usernameOf := func(id string) string {
				for _, u := range ds.Users {
					if u.ID == id {
						return u.Username
					}
				}
				t.Fatalf("no user %s", id)
				return ""
			}

			// Over an adult: refused, nothing written.
			handlaggare := w.signIn(t, "handlaggare")
			eventsBefore, err := db.Events(ctx, demo.TenantID, 0, 1_000_000)
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.AddRelation(ctx, handlaggare, service.RelationInput{FromIdentityNumber: daughter.Identity.String(), ToPersonID: mother.ID,
				Kind: persons.RelGuardian})
			var te *trygg.Error
			if trygg.ErrorCode(err) != trygg.EInvalid || !errors.As(err, &te) || te.Fields["to_person_id"] == "" {
				t.Errorf("a guardian over an 84-year-old: %v, want a field error on to_person_id", err)
			}
			if rels, err := db.Relations(ctx, demo.TenantID, mother.ID); err != nil || len(rels) != 1 {
				t.Errorf("the mother's relations after the refusal: %v, %v, want only her daughter's representation", rels, err)
			}
			if after, _ := db.Events(ctx, demo.TenantID, 0, 1_000_000); len(after) != len(eventsBefore) {
				t.Errorf("the refusal wrote %d events", len(after)-len(eventsBefore))
			}
			// The same officer may still record a representative for her.
			if _, err := svc.AddRelation(ctx, handlaggare, service.RelationInput{FromIdentityNumber: daughter.Identity.String(), ToPersonID: mother.ID,
				Kind: persons.RelGodMan}); err != nil {
				t.Errorf("a god man for an adult: %v", err)
			}

			// Over a child: recorded with the day before the 18th birthday
			// as its end, whatever later end was asked for.
			lastDay := func(p persons.Person) string {
				b, _ := time.Parse(time.DateOnly, p.BirthDate)
				return b.AddDate(18, 0, -1).Format(time.DateOnly)
			}
			r, err := svc.AddRelation(ctx, w.signIn(t, usernameOf(ds.Cases[1].AssignedTo)), service.RelationInput{FromIdentityNumber: daughter.Identity.String(),
				ToPersonID: schoolChild.ID, Kind: persons.RelGuardian, ValidTo: "2099-12-31"})
			if err != nil || r.ValidTo != lastDay(schoolChild) {
				t.Fatalf("a guardian over a 9-year-old: %+v, %v, want valid_to %s", r, err, lastDay(schoolChild))
			}
			// One beginning on the 18th birthday is refused.
			_, err = svc.AddRelation(ctx, w.signIn(t, usernameOf(ds.Cases[1].AssignedTo)), service.RelationInput{FromIdentityNumber: single.Identity.String(),
				ToPersonID: schoolChild.ID, Kind: persons.RelGuardian, ValidFrom: addDays(lastDay(schoolChild), 1)})
			if !errors.As(err, &te) || te.Fields["valid_from"] == "" {
				t.Errorf("a guardian from the 18th birthday: %v, want a field error on valid_from", err)
			}

			// A person without a known birth date (a reserve number): a
			// guardian relation needs an end, and ends there.
			noBirth := persons.Person{ID: "p-reserve", Identity: persons.Identity{Type: persons.IDReserve, Value: "R-1", Issuer: "test"},
				GivenName: "Ung", FamilyName: "Okänd"}
			if err := db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.InsertPerson(ctx, demo.TenantID, noBirth); err != nil {
					return err
				}
				return tx.InsertCase(ctx, demo.TenantID, store.Case{ID: "c-reserve", PersonID: noBirth.ID, UnitID: "norra-bou",
					CaseType: ds.Cases[1].CaseType, Title: "Orosanmälan", Status: "open", AssignedTo: userOf("utredare"), OpenedAt: start})
			}); err != nil {
				t.Fatal(err)
			}
			utredare := w.signIn(t, "utredare")
			_, err = svc.AddRelation(ctx, utredare, service.RelationInput{FromIdentityNumber: daughter.Identity.String(), ToPersonID: noBirth.ID, Kind: persons.RelGuardian})
			if !errors.As(err, &te) || te.Fields["valid_to"] == "" {
				t.Errorf("a guardian without an end over a person without a birth date: %v, want a field error on valid_to", err)
			}
			reserveEnd := addDays(start.Format(time.DateOnly), 1)
			if _, err = svc.AddRelation(ctx, utredare, service.RelationInput{FromIdentityNumber: daughter.Identity.String(), ToPersonID: noBirth.ID,
				Kind: persons.RelGuardian, ValidTo: reserveEnd}); err != nil {
				t.Fatalf("a guardian with an end over a person without a birth date: %v", err)
			}
			guardedNoBirth := func() bool {
				t.Helper()
				rels, err := db.PersonRelations(ctx, w.signIn(t, "dotter"), noBirth.ID)
				if err != nil {
					t.Fatal(err)
				}
				return slices.Contains(rels, access.RelGuardian)
			}
			if !guardedNoBirth() {
				t.Errorf("the guardian of a person without a birth date does not act for them before the end")
			}

			for _, c := range []struct {
				name     string
				guardian string // username
				child    persons.Person
			}{
				{"loaded without an end", "invanare", older},
				{"recorded", "dotter", schoolChild},
			} {
				t.Run(c.name, func(t *testing.T) {
					last := lastDay(c.child)
					at := func(day string) {
						d, _ := time.Parse(time.DateOnly, day)
						clock.Advance(d.Add(12 * time.Hour).Sub(clock.Now()))
					}
					acts := func(want bool) {
						t.Helper()
						a := w.signIn(t, c.guardian)
						subjects, err := svc.CitizenSubjects(ctx, a)
						if err != nil {
							t.Fatal(err)
						}
						listed := slices.ContainsFunc(subjects, func(s service.Subject) bool { return s.PersonID == c.child.ID })
						_, readErr := svc.Person(ctx, a, c.child.ID)
						_, extractErr := svc.RecordsExtract(ctx, a, c.child.ID, "sv")
						rels, err := db.PersonRelations(ctx, a, c.child.ID)
						if err != nil {
							t.Fatal(err)
						}
						visible, err := db.VisiblePersonIDs(ctx, a)
						if err != nil {
							t.Fatal(err)
						}
						recipients, err := db.NoticeRecipients(ctx, demo.TenantID, c.child.ID, clock.Now().Format(time.DateOnly))
						if err != nil {
							t.Fatal(err)
						}
						notified := slices.ContainsFunc(recipients, func(r store.NoticeRecipient) bool { return r.UserID == userOf(c.guardian) })
						got := []bool{listed, readErr == nil, extractErr == nil, slices.Contains(rels, access.RelGuardian), visible[c.child.ID], notified}
						if slices.Contains(got, !want) {
							t.Errorf("on %s (born %s) the guardian acts for the child: listed on Mina sidor, reads, "+
								"gets the extract, has the relation, sees in lists, is notified = %v, want all %v (read: %v, extract: %v)",
								clock.Now().Format(time.DateOnly), c.child.BirthDate, got, want, readErr, extractErr)
						}
						if !want && (trygg.ErrorCode(readErr) != trygg.ENotFound || trygg.ErrorCode(extractErr) != trygg.ENotFound) {
							t.Errorf("after the 18th birthday: read %v, extract %v, want not found", readErr, extractErr)
						}
						checkUser(t, w, c.guardian)
					}

					at(last)
					acts(true)
					at(addDays(last, 1)) // the 18th birthday
					acts(false)

					rels, err := db.Relations(ctx, demo.TenantID, c.child.ID)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range rels {
						if r.Kind == persons.RelGuardian && r.ValidTo != last {
							t.Errorf("the guardian relation %s shows valid_to %q, want %s", r.ID, r.ValidTo, last)
						}
					}
				})
			}
			if guardedNoBirth() {
				t.Errorf("the guardian of a person without a birth date acts for them after the end")
			}
		})
	}
}

func addDays(day string, n int) string {
	d, _ := time.Parse(time.DateOnly, day)
	return d.AddDate(0, 0, n).Format(time.DateOnly)
}
