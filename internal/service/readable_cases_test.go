package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestReadableCasesMatchCaseFor checks that the access decisions Attest
// makes for a batch of cases in one read are those it made case by case
// (caseFor: the case, the person, the relations, access.Decide): the same
// ground, or the same refusal, for every case and every demo user, staff
// and citizens, with emergency openings in force and expired, protected
// persons and a case that does not exist. On both engines.
func TestReadableCasesMatchCaseFor(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			db := storetest.Open(t, engine, clock)
			world := newDemoWorld(t, db, 120, 30, clock.Now())
			svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
			open := func(user string, p persons.Person) {
				t.Helper()
				if _, err := svc.EmergencyOpen(ctx, actor(user), service.EmergencyInput{IdentityNumber: p.Identity.String(),
					Reason: "Akut ärende, brukaren nås inte"}); err != nil {
					t.Fatalf("%s opens %s: %v", user, p.ID, err)
				}
			}
			var plain, hidden []persons.Person
			for _, p := range ds.Persons[12:] { // past the journeys' people
				if p.Protection == persons.ProtectionNone {
					plain = append(plain, p)
				} else {
					hidden = append(hidden, p)
				}
			}
			open("lss", plain[0]) // expires before the check
			clock.Advance(5 * time.Hour)
			open("handlaggare", plain[1])
			open("utredare", plain[2])
			if len(hidden) > 0 {
				open("skyddad", hidden[0])
			}
			ids, err := db.AllCaseIDs(ctx, demo.TenantID)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, "00000000-0000-0000-0000-000000000000")
			readers := 0
			for _, u := range ds.Users {
				a := actor(u.Username)
				grounds, refusals, err := svc.ReadableCasesForTest(ctx, a, ids)
				if err != nil {
					t.Fatal(err)
				}
				reads := 0
				for _, id := range ids {
					_, _, ground, err := svc.CaseForTest(ctx, a, id)
					if ground != grounds[id] || trygg.ErrorCode(err) != trygg.ErrorCode(refusals[id]) ||
						trygg.ErrorMessage(err) != trygg.ErrorMessage(refusals[id]) {
						t.Errorf("%s, case %s: one by one %q %v, in a batch %q %v", u.Username, id, ground, err, grounds[id], refusals[id])
					}
					if err == nil {
						reads++
					}
				}
				if reads > 0 {
					readers++
				}
			}
			if readers < 10 {
				t.Fatalf("only %d users read any case", readers)
			}
		})
	}
}
