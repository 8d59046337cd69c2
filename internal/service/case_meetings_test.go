package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestBookVisitFromTheCase: the officer books a home visit on the case,
// at a time they choose and the person's address; no free time is
// published; the citizen who acts for the person sees it under Möten;
// one meeting ahead per case; a person with protected identity's visit
// needs a place written; only those who work on the case book on it.
func TestBookVisitFromTheCase(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine, storetest.NewClock(flowDay))
			w := packsWorld(t, db, flowDay)
			svc, actor := w.svc, w.actorFunc(t)
			officer := actor("handlaggare")
			c := journeyCaseID(t, w.ds, "ibic_sol_aldre")
			mother := journeyPerson(t, w.ds, "ibic_sol_aldre")
			address := mother.Address.Street + ", " + mother.Address.PostalCode + " " + mother.Address.City

			m, err := svc.CaseMeetings(ctx, officer, c)
			if err != nil || len(m.Upcoming) != 0 || m.HomeAddress != address {
				t.Fatalf("before: %+v %v", m, err)
			}
			in := service.SlotInput{Date: "2026-03-04", Start: "10:00", Minutes: 60}
			if _, err := svc.BookVisit(ctx, officer, c, service.SlotInput{Date: "2026-03-01", Start: "10:00", Minutes: 60}); !hasField(err, "date") {
				t.Fatalf("a day that has passed: %v", err)
			}
			b, err := svc.BookVisit(ctx, officer, c, in)
			if err != nil || b.Status != store.BookingBooked || b.PersonID != mother.ID {
				t.Fatalf("book: %+v %v", b, err)
			}
			m, err = svc.CaseMeetings(ctx, officer, c)
			if err != nil || len(m.Upcoming) != 1 || m.Upcoming[0].Slot.Kind != store.MeetingHome || m.Upcoming[0].Slot.Place != address {
				t.Fatalf("after: %+v %v", m, err)
			}
			if _, err := svc.BookVisit(ctx, officer, c, service.SlotInput{Date: "2026-03-05", Start: "10:00", Minutes: 30}); trygg.ErrorCode(err) != trygg.EConflict {
				t.Fatalf("a second meeting ahead: %v", err)
			}
			// The officer's time is booked, never offered.
			slots, err := svc.MySlots(ctx, officer)
			if err != nil || len(slots) != 1 || slots[0].Booking == nil || slots[0].CaseTitle == "" {
				t.Fatalf("the officer's times: %+v %v", slots, err)
			}
			// The daughter, who acts for her mother, sees the home visit.
			daughter := actor("dotter")
			seen, err := svc.PersonBookings(ctx, daughter, mother.ID)
			if err != nil || len(seen) != 1 || seen[0].Slot.Kind != store.MeetingHome || seen[0].Slot.Place != address || seen[0].OfficerName == "" {
				t.Fatalf("on Mina sidor: %+v %v", seen, err)
			}
			evs, err := db.CaseEvents(ctx, demo.TenantID, c, 1000)
			if err != nil {
				t.Fatal(err)
			}
			notified := false
			for _, e := range evs {
				if e.Type == "citizen.notice" && strings.Contains(string(e.Payload), "booking_made") {
					notified = true
				}
				if e.Type == "booking.made" && strings.Contains(string(e.Payload), mother.Address.Street) {
					t.Errorf("the event log copies the address: %s", e.Payload)
				}
			}
			if !notified {
				t.Error("no notice to the person")
			}

			// Another unit's officer cannot book on the case.
			if _, err := svc.BookVisit(ctx, actor("ekonom"), c, in); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Fatalf("another unit's officer: %v", err)
			}
			// A free time is never a home visit: that is booked on its case.
			if _, err := svc.PublishSlot(ctx, officer, service.SlotInput{Date: "2026-03-06", Start: "10:00", Minutes: 30, Kind: store.MeetingHome}); !hasField(err, "kind") {
				t.Fatalf("publishing a home visit: %v", err)
			}

			// A person with protected identity: no address to take.
			var hidden string
			for _, dc := range w.ds.Cases {
				for _, p := range w.ds.Persons {
					if dc.Journey && dc.PersonID == p.ID && p.Protection == persons.ProtectionProtected {
						hidden = dc.ID
					}
				}
			}
			protectedOfficer := actor("skyddad")
			if m, err := svc.CaseMeetings(ctx, protectedOfficer, hidden); err != nil || m.HomeAddress != "" {
				t.Fatalf("protected: %+v %v", m, err)
			}
			if _, err := svc.BookVisit(ctx, protectedOfficer, hidden, in); !hasField(err, "place") {
				t.Fatalf("a home visit without a place: %v", err)
			}
			in.Place = "Socialkontoret, rum 3"
			in.Start = "13:00"
			if _, err := svc.BookVisit(ctx, protectedOfficer, hidden, in); err != nil {
				t.Fatalf("with a place: %v", err)
			}
		})
	}
}
