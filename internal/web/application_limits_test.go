package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestApplicationDraftObeysDefinition: a citizen's application draft of
// 13 or 100 000 household members, where the form allows 12, is refused
// with the limit at its field; the draft saved before stays as it was, and the
// application page stays small.
func TestApplicationDraftObeysDefinition(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			ctx := context.Background()
			mother := w.journeyCase("ekonomiskt_bistand").PersonID
			citizen := w.actor("invanare")
			if _, err := w.svc.SaveApplicationDraft(ctx, citizen, mother, "ekonomiskt_bistand",
				service.FormInput{Values: map[string]any{"month": "2026-03-01"}}, "en"); err != nil {
				t.Fatalf("a partial application draft: %v", err)
			}
			draftBefore, err := w.db.ApplicationDraft(ctx, demo.TenantID, mother, "ekonomiskt_bistand")
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{13, 100000} {
				_, err = w.svc.SaveApplicationDraft(ctx, citizen, mother, "ekonomiskt_bistand",
					service.FormInput{Values: map[string]any{"month": "2026-03-01", "members": manyRows(n)}}, "en")
				if got := fieldsOf(err)["values.members"]; trygg.ErrorCode(err) != trygg.EInvalid || got != "At most 12 rows." {
					t.Errorf("an application draft of %d rows: %v (values.members: %q)", n, err, got)
				}
			}
			draftAfter, err := w.db.ApplicationDraft(ctx, demo.TenantID, mother, "ekonomiskt_bistand")
			if err != nil {
				t.Fatal(err)
			}
			if draftAfter.Values != draftBefore.Values || !draftAfter.UpdatedAt.Equal(draftBefore.UpdatedAt) {
				t.Errorf("the stored application draft changed: %.200s", draftAfter.Values)
			}
			if body := w.mustPage("invanare", "GET", "/portal/apply/ekonomiskt_bistand", nil, false, http.StatusOK); len(body) > pageLimit {
				t.Errorf("the application page is %d bytes", len(body))
			}
		})
	}
}

// TestApplicationPageRefusedSave: a value typed into the application that
// its field cannot hold ("75 00,5x" in a money field) is neither saved nor
// sent; the page (autosaved by htmx, or sent) shows it as typed with its
// message and says the form was not saved, and the draft stays as it was.
func TestApplicationPageRefusedSave(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			ctx := context.Background()
			mother := w.journeyCase("ekonomiskt_bistand").PersonID
			const apply = "/portal/apply/ekonomiskt_bistand"
			w.mustPage("invanare", "POST", apply, url.Values{"month": {"2026-03-01"}, "housing_cost": {"7500"}}, true, http.StatusOK, "Utkastet är sparat")
			draft, err := w.db.ApplicationDraft(ctx, demo.TenantID, mother, "ekonomiskt_bistand")
			if err != nil {
				t.Fatal(err)
			}
			for _, typo := range []url.Values{
				{"step": {"costs"}, "housing_cost": {"75 00,5x"}},       // a step of the application
				{"month": {"2026-03-01"}, "housing_cost": {"75 00,5x"}}, // the whole form, from an older page
			} {
				frag := w.mustPage("invanare", "POST", apply, typo, true, http.StatusOK,
					"Formuläret sparades inte", `value="75 00,5x"`, "Ska vara ett helt antal öre.")
				if strings.Contains(frag, "<html") || strings.Contains(frag, "Utkastet är sparat") {
					t.Errorf("the refused autosave answered with a whole page or as saved:\n%s", frag)
				}
			}
			send := ebApplication()
			send.Set("housing_cost", "75 00,5x")
			send.Set("send", "1")
			casesBefore, _ := w.db.CasesOfPerson(ctx, demo.TenantID, mother)
			w.mustPage("invanare", "POST", apply, send, false, http.StatusUnprocessableEntity,
				"Formuläret sparades inte", `value="75 00,5x"`, "Ska vara ett helt antal öre.", "Ansökan om ekonomiskt bistånd", "Steg 3 av 6")
			if casesAfter, _ := w.db.CasesOfPerson(ctx, demo.TenantID, mother); len(casesAfter) != len(casesBefore) {
				t.Errorf("a send with a value the form cannot hold opened a case")
			}
			if after, err := w.db.ApplicationDraft(ctx, demo.TenantID, mother, "ekonomiskt_bistand"); err != nil || after.Values != draft.Values {
				t.Errorf("the refused save changed the application draft: %v %s", err, after.Values)
			}
		})
	}
}
