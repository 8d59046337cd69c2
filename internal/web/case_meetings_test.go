package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestBookHomeVisitOnTheCasePage: the officer books a home visit from the
// case page, the place taken from the person's address; a mistake is
// shown next to its field with what was typed; the person's
// representative sees the visit on Mina sidor under Möten.
func TestBookHomeVisitOnTheCasePage(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
	jc := w.journeyCase("ibic_sol_aldre")
	c := jc.ID
	w.mustPage("handlaggare", "GET", "/cases/"+c, nil, false, http.StatusOK,
		`<h2 id="meetings-h">Möten</h2>`, "Inga möten är bokade.", "Boka hembesök eller möte", `value="home" checked`,
		"Lämna tomt för hembesök på personens adress:")
	w.mustPage("handlaggare", "POST", "/cases/"+c+"/meetings", url.Values{"kind": {"home"}, "date": {"2026-02-27"}, "start": {"10:00"},
		"minutes": {"60"}}, false, http.StatusUnprocessableEntity, `id="visit-date-error"`, `value="2026-02-27"`, "<details class=\"visit-book\" open>")
	w.mustPage("handlaggare", "POST", "/cases/"+c+"/meetings", url.Values{"kind": {"home"}, "date": {"2026-03-04"}, "start": {"10:00"},
		"minutes": {"60"}}, false, http.StatusOK, "Mötet är bokat.", "onsdag 2026-03-04", "Hembesök · ")
	w.mustPortal("dotter", jc.PersonID, "GET", "/portal/bookings", nil, http.StatusOK, "onsdag 2026-03-04", "Hembesök · ", jc.Title)
}
