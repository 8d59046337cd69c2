package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/storetest"
)

// TestCountsOnPages: a count on a page is said in the form for its number:
// a person search with one hit says "1 träff" ("1 found"), the access log
// narrowed to that one search says "1 rad." ("1 row."), and after the same
// search again, one row that holds "2 poster".
func TestCountsOnPages(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			jc := w.journeyCase("ibic_sol_aldre")
			i := slices.IndexFunc(w.ds.Persons, func(p persons.Person) bool { return p.ID == jc.PersonID })
			search := url.Values{"query": {w.ds.Persons[i].Identity.String()}}
			body := w.mustPage("handlaggare", "POST", "/persons/search", search, false, http.StatusOK, ">1 träff</h2>")
			if strings.Contains(body, "träffar") {
				t.Errorf("one hit is called träffar")
			}
			// The search is the officer's one entry about the person today.
			log := "/access-log?user=handlaggare&person=" + jc.PersonID + "&from=2026-03-02&to=2026-03-02"
			w.mustPage("granskare", "GET", log, nil, false, http.StatusOK, `class="alog-count">1 rad.</p>`)
			w.mustPage("granskare", "GET", log+"&lang=en", nil, false, http.StatusOK, `class="alog-count">1 row.</p>`)
			w.mustPage("handlaggare", "POST", "/persons/search?lang=en", search, false, http.StatusOK, ">1 found</h2>")
			w.mustPage("granskare", "GET", log, nil, false, http.StatusOK, `class="alog-count">1 rad. De rymmer 2 poster:`, ">2 poster</span>")
		})
	}
}
