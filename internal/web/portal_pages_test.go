package web_test

import (
	"cmp"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// TestPortalCasesPaged: Mina sidor's home lists the person's cases a page
// at a time, newest first: ten, and a link to the older ones ("Visa
// äldre ärenden"), whose page has the rest and a link back to the newest
// but none further; together the pages list every case once, cases
// opened at the same moment included. A cursor trygg did not make is
// refused.
func TestPortalCasesPaged(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			jc := w.journeyCase("ekonomiskt_bistand")
			for i := range 11 {
				w.openCase("ekonom", jc.PersonID, jc.UnitID, "ekonomiskt_bistand")
				if i%3 == 0 {
					w.advance(time.Minute)
				}
			}
			all, err := w.db.CasesOfPerson(t.Context(), demo.TenantID, jc.PersonID)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(all, func(a, b store.Case) int {
				return cmp.Or(b.OpenedAt.Compare(a.OpenedAt), strings.Compare(b.ID, a.ID))
			})
			var want []string
			for _, c := range all {
				want = append(want, c.ID)
			}
			if len(want) <= service.CitizenCasesPerPage || len(want) > 2*service.CitizenCasesPerPage {
				t.Fatalf("the mother has %d cases", len(want))
			}
			caseLink := regexp.MustCompile(`href="/portal/cases/([^"/]+)"`)
			listed := func(page string) []string {
				var ids []string
				for _, m := range caseLink.FindAllStringSubmatch(page, -1) {
					if !slices.Contains(ids, m[1]) {
						ids = append(ids, m[1])
					}
				}
				return ids
			}
			home := w.mustPortal("invanare", "", "GET", "/portal", nil, http.StatusOK, "Visa äldre ärenden")
			next := regexp.MustCompile(`<a href="(/portal\?cursor=[^"]+)" rel="next">`).FindStringSubmatch(home)
			if got := listed(home); !slices.Equal(got, want[:service.CitizenCasesPerPage]) || next == nil {
				t.Fatalf("the first page lists %v (next %v), want %v", got, next, want[:service.CitizenCasesPerPage])
			}
			older := w.mustPortal("invanare", "", "GET", html.UnescapeString(next[1]), nil, http.StatusOK,
				`<a href="/portal">Till de senaste ärendena</a>`)
			if got := listed(older); !slices.Equal(got, want[service.CitizenCasesPerPage:]) || strings.Contains(older, `rel="next"`) {
				t.Errorf("the page of older cases lists %v, want %v; a link further: %v", got, want[service.CitizenCasesPerPage:],
					strings.Contains(older, `rel="next"`))
			}
			if status, _, _ := w.portalPage("invanare", "", "GET", "/portal?cursor=nonsense", nil); status != http.StatusUnprocessableEntity {
				t.Errorf("a cursor trygg did not make: %d", status)
			}
		})
	}
}
