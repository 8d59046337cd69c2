package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// manyRows is a group of n empty rows: small to send, large to show.
func manyRows(n int) []any {
	rows := make([]any, n)
	for i := range rows {
		rows[i] = map[string]any{}
	}
	return rows
}

// pageLimit is more than any case or application page of the demo needs;
// a page over it shows something no form allows.
const pageLimit = 1 << 20

// TestFormDraftObeysDefinition: a form draft stored 100 000 group rows
// where the form allows 12, and the case page grew to 146 MB. Now such a
// draft is refused, with the limit at its field (in Swedish, the API's
// language unless Accept-Language asks for English), and the draft saved
// before stays as it was (no event either); a partial draft still saves;
// and a draft stored before the limits were checked does not blow up the
// case page.
func TestFormDraftObeysDefinition(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			ctx := context.Background()
			jc := w.journeyCase("ekonomiskt_bistand")
			formPath := "/api/v1/cases/" + jc.ID + "/forms/eb_ansokan"

			// A partial draft (required fields empty) saves.
			w.call("ekonom", "PUT", formPath, map[string]any{"values": map[string]any{"month": "2026-03-01"}}, http.StatusOK, nil)
			before := w.formDraft(jc.ID, "eb_ansokan")
			saved := countEvents(w.caseEvents(jc.ID), events.FormDraftSaved)

			// 100 000 rows where the form allows 12: refused at the field.
			p := w.problem("ekonom", "PUT", formPath, map[string]any{"values": map[string]any{"month": "2026-03-01", "members": manyRows(100000)}},
				http.StatusUnprocessableEntity)
			if !strings.Contains(p, "values.members: Högst 12 rader.") {
				t.Errorf("the refusal does not say the limit at the field: %s", p)
			}
			if after := w.formDraft(jc.ID, "eb_ansokan"); after != before {
				t.Errorf("the stored draft changed:\n before %.200s\n after  %.200s", before, after)
			}
			if n := countEvents(w.caseEvents(jc.ID), events.FormDraftSaved); n != saved {
				t.Errorf("a refused draft left %d form.draft_saved events", n-saved)
			}
			if body := w.mustPage("ekonom", "GET", "/cases/"+jc.ID, nil, false, http.StatusOK); len(body) > pageLimit {
				t.Errorf("the case page is %d bytes", len(body))
			}

			// A draft stored before the limits were checked (written to the
			// store directly, as an older version did) shows without its
			// rows; it cannot be signed.
			old := `{"month":"2026-03-01","members":` + mustJSON(t, manyRows(100000)) + `}`
			entries, err := w.db.FormEntries(ctx, demo.TenantID, jc.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.FormID == "eb_ansokan" && e.Status == "draft" {
					e.Values = old
					if err := w.db.Update(ctx, func(tx *store.Tx) error { return tx.SaveFormDraft(ctx, demo.TenantID, e) }); err != nil {
						t.Fatal(err)
					}
				}
			}
			start := time.Now()
			body := w.mustPage("ekonom", "GET", "/cases/"+jc.ID, nil, false, http.StatusOK, "Högst 12 rader.")
			if len(body) > pageLimit {
				t.Errorf("the case page with an old oversized draft is %d bytes (%s)", len(body), time.Since(start))
			}
			p = w.problem("ekonom", "POST", formPath+"/signature", nil, http.StatusUnprocessableEntity)
			if !strings.Contains(p, "values.members: Högst 12 rader.") {
				t.Errorf("signing the old oversized draft: %s", p)
			}
		})
	}
}

// formDraft returns the values of the case's draft of a form, or "".
func (w *packWorld) formDraft(caseID, formID string) string {
	w.t.Helper()
	entries, err := w.db.FormEntries(context.Background(), demo.TenantID, caseID)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, e := range entries {
		if e.FormID == formID && e.Status == "draft" {
			return e.Values
		}
	}
	return ""
}

func countEvents(evs []events.Event, typ string) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// fieldsOf returns an invalid error's field messages.
func fieldsOf(err error) map[string]string {
	var te *trygg.Error
	if errors.As(err, &te) {
		return te.Fields
	}
	return nil
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFormPageRefusedSave: a value typed into a form that its field
// cannot hold ("75 00,5x" in a money field) is not saved; the officer's
// form (autosaved by htmx) shows it as typed with its message and says the
// form was not saved, and the draft stays as it was.
func TestFormPageRefusedSave(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			jc := w.journeyCase("ekonomiskt_bistand")
			path := "/cases/" + jc.ID + "/forms/eb_ansokan"
			w.mustPage("ekonom", "POST", path, url.Values{"month": {"2026-03-01"}, "housing_cost": {"7500"}}, true, http.StatusOK, "Utkastet är sparat")
			before := w.formDraft(jc.ID, "eb_ansokan")
			typo := url.Values{"month": {"2026-03-01"}, "housing_cost": {"75 00,5x"}}
			frag := w.mustPage("ekonom", "POST", path, typo, true, http.StatusOK,
				"Formuläret sparades inte", `value="75 00,5x"`, "Ska vara ett helt antal öre.", `aria-invalid="true"`)
			if strings.Contains(frag, "<html") || strings.Contains(frag, "Utkastet är sparat") {
				t.Errorf("the refused autosave answered with a whole page or as saved:\n%s", frag)
			}
			w.mustPage("ekonom", "POST", path, typo, false, http.StatusUnprocessableEntity, "Formuläret sparades inte", "Ska vara ett helt antal öre.")
			if after := w.formDraft(jc.ID, "eb_ansokan"); after != before {
				t.Errorf("the refused save changed the draft: %s", after)
			}
		})
	}
}
