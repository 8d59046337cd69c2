package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// TestSlotsShowOnlyReadableCases: the officer's /slots page names the case
// booked on a time only when the officer may read that case, and that
// read is access-logged like any other read of a case. A booking on a
// case the officer may not read (as when the case has gone to another
// unit, or its person has got protected identity, since it was booked)
// shows as "Bokad", without the case's title or a link to it, and
// nothing is logged for it.
func TestSlotsShowOnlyReadableCases(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			ctx := context.Background()
			own := w.journeyCase("ekonomiskt_bistand")   // journey 3, the officer's
			other := w.journeyCase(demo.CaseType("bou")) // journey 2, in another unit
			if own.Title == other.Title {
				t.Fatal("the journeys' cases have the same title")
			}
			for _, start := range []string{"10:00", "11:00"} {
				w.mustPage("ekonom", "POST", "/slots", url.Values{"date": {"2026-03-04"}, "start": {start}, "minutes": {"45"},
					"kind": {"phone"}}, false, http.StatusOK, "Tiden är utlagd")
			}
			ekonom := w.actor("ekonom")
			slots, err := w.svc.MySlots(ctx, ekonom)
			if err != nil || len(slots) != 2 {
				t.Fatalf("the officer's slots: %v %d", err, len(slots))
			}
			// The mother books the first on her case, as on Mina sidor.
			w.mustPage("invanare", "POST", "/portal/bookings", url.Values{"case": {own.ID}, "slot": {slots[0].ID}}, false, http.StatusOK, "Mötet är bokat")
			// The second is booked on a case the officer may not read.
			if err := w.db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertBooking(ctx, demo.TenantID, store.Booking{ID: "b-other", SlotID: slots[1].ID, CaseID: other.ID,
					PersonID: other.PersonID, BookedBy: w.actor("dotter").UserID})
			}); err != nil {
				t.Fatal(err)
			}

			page := w.mustPage("ekonom", "GET", "/slots", nil, false, http.StatusOK,
				own.Title, `href="/cases/`+own.ID+`"`)
			if strings.Contains(page, other.Title) || strings.Contains(page, other.ID) {
				t.Errorf("the slots page shows the case the officer may not read\n%s", mainOf(page))
			}
			if n := strings.Count(page, ">Bokad<"); n != 2 {
				t.Errorf("%d times marked booked, want 2\n%s", n, mainOf(page))
			}
			list, err := w.svc.MySlots(ctx, ekonom)
			if err != nil {
				t.Fatal(err)
			}
			for _, sl := range list {
				if sl.Booking != nil && sl.Booking.CaseID == other.ID && sl.CaseTitle != "" {
					t.Errorf("MySlots gives the unreadable case's title %q", sl.CaseTitle)
				}
			}

			// The reads of the readable case are logged, on the officer's
			// ground; none of the other.
			logged, err := w.db.AccessLog(ctx, demo.TenantID, store.AccessLogFilter{ActorID: ekonom.UserID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			reads := map[string]int{}
			for _, e := range logged {
				if e.Action == "read_case" {
					reads[e.CaseID+" "+e.Ground]++
				}
			}
			if reads[own.ID+" assigned"] < 2 {
				t.Errorf("the slots page's reads of the officer's case are not logged: %v", reads)
			}
			for k := range reads {
				if strings.HasPrefix(k, other.ID) {
					t.Errorf("a read of the unreadable case is logged: %v", reads)
				}
			}
		})
	}
}
