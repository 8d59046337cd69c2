package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// TestProviderOrdersPaged: a provider's list of orders comes a page at a
// time, newest first, in the API (limit, and next as the cursor of the
// page after) and on the provider's page (50, "Visa fler uppdrag" to the
// next page, "Till de nyaste uppdragen" back); the pages together are
// the whole list, each order once, where the list used to stop at 500.
// A cursor trygg did not make, or a limit above 500, is refused.
func TestProviderOrdersPaged(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			type page struct {
				Orders []apiOrder
				Next   string
			}
			var base page
			w.call("utforare", "GET", "/api/v1/orders?limit=500", nil, http.StatusOK, &base)
			// 55 accepted orders of journey 1's woman, some made at one moment.
			jc := w.journeyCase("ibic_sol_aldre")
			for i := range 55 {
				if i%10 == 0 {
					w.advance(time.Minute)
				}
				o := store.Order{ID: fmt.Sprintf("00000000-page-%02d", i), CaseID: jc.ID, DecisionID: "d-page", PersonID: jc.PersonID,
					ProviderID: w.actor("utforare").ProviderID, UnitID: jc.UnitID, Insats: "hemtjanst_omvardnad", AmountUnit: "hours",
					Status: store.OrderAccepted, StartDate: "2026-03-02", Revision: 1,
					Content: store.OrderContent{Person: store.OrderPerson{Name: "Person på sida"}, InsatsLabel: "Hemtjänst"}}
				if err := w.db.Update(t.Context(), func(tx *store.Tx) error { return tx.InsertOrder(t.Context(), demo.TenantID, o) }); err != nil {
					t.Fatal(err)
				}
			}
			ids := func(os []apiOrder) []string {
				var out []string
				for _, o := range os {
					out = append(out, o.ID)
				}
				return out
			}
			var all page
			w.call("utforare", "GET", "/api/v1/orders?limit=500", nil, http.StatusOK, &all)
			if len(all.Orders) != len(base.Orders)+55 || all.Next != "" {
				t.Fatalf("one page of 500: %d orders, next %q", len(all.Orders), all.Next)
			}
			var pages [][]string
			for cursor := ""; len(pages) < 10; {
				var p page
				w.call("utforare", "GET", "/api/v1/orders?limit=20&cursor="+cursor, nil, http.StatusOK, &p)
				pages = append(pages, ids(p.Orders))
				if cursor = p.Next; cursor == "" {
					break
				}
			}
			want := ids(all.Orders)
			if len(pages) < 2 || !slices.Equal(pages[1], want[20:40]) || !slices.Equal(slices.Concat(pages...), want) {
				t.Errorf("pages of 20: %v, want %v", pages, want)
			}
			for _, q := range []string{"cursor=nonsense", "limit=501", "limit=-1"} {
				w.call("utforare", "GET", "/api/v1/orders?"+q, nil, http.StatusUnprocessableEntity, nil)
			}

			// The page: 50 orders, the next page with the rest.
			link := regexp.MustCompile(`<a href="/provider/orders/([^"/]+)">`)
			listed := func(body string) []string {
				var out []string
				for _, m := range link.FindAllStringSubmatch(body, -1) {
					out = append(out, m[1])
				}
				return out
			}
			first := w.mustPage("utforare", "GET", "/provider/orders", nil, false, http.StatusOK, "Visa fler uppdrag")
			next := regexp.MustCompile(`<a href="(/provider/orders\?cursor=[^"]+)" rel="next">`).FindStringSubmatch(first)
			if next == nil || len(listed(first)) != 50 {
				t.Fatalf("the first page lists %d orders, next %v", len(listed(first)), next)
			}
			second := w.mustPage("utforare", "GET", html.UnescapeString(next[1]), nil, false, http.StatusOK,
				`<a href="/provider/orders">Till de nyaste uppdragen</a>`)
			got := append(listed(first), listed(second)...)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) || strings.Contains(second, `rel="next"`) {
				t.Errorf("the two pages list %d orders, want %d; a link further: %v", len(got), len(want), strings.Contains(second, `rel="next"`))
			}
			// The heading's count says the first page is not all of them.
			if !strings.Contains(first, `<span class="count">(50+)</span>`) || strings.Contains(second, `+)</span>`) {
				t.Errorf("the first page's heading does not say more follow, or the last page's does")
			}
		})
	}
}
