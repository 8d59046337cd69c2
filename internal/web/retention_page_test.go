package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

var previewPath = regexp.MustCompile(`^/retention/previews/([0-9a-f-]{36})$`)

// TestRetentionPages has the demo's archivist (arkivarie) run a retention
// from "Gallring" six years after the demo's past: she lands there, the
// protocol is empty and the missing retention key is said; a preview
// lists its counts per rule and its cases per person and case (ids, no
// identity numbers in any link); a run before approval, a second
// approval, a run after a case changed and a second run are each refused
// with a clear message and nothing purged; the approved preview runs and
// the protocol lists it with who approved it; a new preview with nothing
// due says so. An officer is refused the page and the preview.
func TestRetentionPages(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			w := newPackWorld(t, engine, start, 40)
			ctx := context.Background()
			walks, err := demo.Walks()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.LoadDemoHistory(ctx, w.ds, walks, demo.HistoryOptions{Weeks: 4, PerWeek: 1, Today: start}); err != nil {
				t.Fatal(err)
			}
			w.advance(6 * 366 * 24 * time.Hour)
			live := func() int {
				cs, err := w.db.RetentionCases(ctx, demo.TenantID, "")
				if err != nil {
					t.Fatal(err)
				}
				return len(cs)
			}
			before := live()

			// She lands on Gallring; the menu leads there; no key yet.
			status, page, where := w.page("arkivarie", "GET", "/", nil, false)
			if status != http.StatusOK || where != "/retention" {
				t.Fatalf("the archivist lands on %s (%d), want /retention", where, status)
			}
			for _, want := range []string{`href="/retention" aria-current="page"`, "<h1>Gallring</h1>", "Protokollet är tomt",
				`action="/retention/previews"`, "Åtkomstloggen gallras inte: ingen gallringsnyckel är inställd"} {
				if !strings.Contains(page, want) {
					t.Errorf("/retention lacks %q\n%s", want, mainOf(page))
				}
			}
			w.db.SetAccessLogKey([]byte("test retention key, 32 bytes ..."))
			if page := w.mustPage("arkivarie", "GET", "/retention", nil, false, http.StatusOK); strings.Contains(page, "ingen gallringsnyckel") {
				t.Error("with the key set the page still says there is none")
			}

			// An officer: neither the page nor a preview.
			w.mustPage("handlaggare", "GET", "/retention", nil, false, http.StatusForbidden, "Bara en arkivarie kan förhandsgranska")
			w.mustPage("handlaggare", "POST", "/retention/previews", url.Values{}, false, http.StatusForbidden, "Bara en arkivarie")
			if page := w.mustPage("handlaggare", "GET", "/me", nil, false, http.StatusOK); strings.Contains(page, `href="/retention"`) {
				t.Error("an officer's menu offers Gallring")
			}

			// A preview that is then changed: its run is refused.
			preview := func() (string, string) {
				status, page, where := w.page("arkivarie", "POST", "/retention/previews", url.Values{}, false)
				m := previewPath.FindStringSubmatch(where)
				if status != http.StatusOK || m == nil {
					t.Fatalf("a preview: %d at %s\n%s", status, where, mainOf(page))
				}
				return m[1], page
			}
			first, _ := preview()
			w.mustPage("arkivarie", "POST", "/retention/previews/"+first+"/run", url.Values{}, false, http.StatusConflict,
				`role="alert"`, "Den här förhandsgranskningen är inte godkänd")
			w.mustPage("arkivarie", "POST", "/retention/previews/"+first+"/approval", url.Values{}, false, http.StatusOK,
				"Förhandsgranskningen är godkänd.", "Kör gallringen nu")
			w.mustPage("arkivarie", "POST", "/retention/previews/"+first+"/approval", url.Values{}, false, http.StatusConflict,
				"Den här förhandsgranskningen är redan godkänd.")
			rep, err := w.svc.RetentionPreviewByID(ctx, w.actor("arkivarie"), first)
			if err != nil {
				t.Fatal(err)
			}
			var changed string
			for _, it := range rep.Items {
				if it.Action == process.RetentionPurge {
					changed = it.CaseID
					break
				}
			}
			err = w.db.Update(ctx, func(tx *store.Tx) error {
				ev := events.New(w.actor("handlaggare"), "journal.note_added", "case", changed, map[string]any{})
				ev.CaseID = changed
				_, err := tx.AppendEvent(ctx, ev)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			w.mustPage("arkivarie", "POST", "/retention/previews/"+first+"/run", url.Values{}, false, http.StatusConflict,
				"1 av förhandsgranskningens ärenden har ändrats sedan förhandsgranskningen", "inget gallrades")
			if n := live(); n != before {
				t.Fatalf("refused steps purged %d cases", before-n)
			}

			// A fresh preview: counts per rule, each case with its rule.
			id, page := preview()
			rep, err = w.svc.RetentionPreviewByID(ctx, w.actor("arkivarie"), id)
			if err != nil {
				t.Fatal(err)
			}
			if rep.PurgeCount == 0 {
				t.Fatalf("nothing to purge: %+v", rep.RetentionPreview)
			}
			for _, want := range []string{"Förhandsgranskning av gallring", "Förhandsgranskad, inte godkänd", "<code>personakt</code>",
				`action="/retention/previews/` + id + `/approval"`, ">Godkänn förhandsgranskningen</button>", rep.Items[0].CaseID, rep.Items[0].PersonID} {
				if !strings.Contains(page, want) {
					t.Errorf("the preview lacks %q\n%s", want, mainOf(page))
				}
			}
			if strings.Contains(page, `/run"`) {
				t.Error("a preview not approved offers the run")
			}
			if m := identityInURL.FindString(page); m != "" {
				t.Errorf("an identity number in a link: %s", m)
			}
			if len(rep.Items) > 50 {
				w.mustPage("arkivarie", "GET", "/retention/previews/"+id+"?page=2", nil, false, http.StatusOK, "Sida 2 av", `rel="prev"`)
			}

			// Approved and run; the protocol lists it.
			w.mustPage("arkivarie", "POST", "/retention/previews/"+id+"/approval", url.Values{}, false, http.StatusOK, "Godkänd, inte körd")
			page = w.mustPage("arkivarie", "POST", "/retention/previews/"+id+"/run", url.Values{}, false, http.StatusOK,
				"Gallringen är körd.", "<dd>Körd</dd>", "Rader i åtkomstloggen som gallrades", "Arvid Arkivarie")
			if got, want := before-live(), rep.PurgeCount+rep.ArchiveCount; got != want {
				t.Errorf("%d cases purged, the preview listed %d", got, want)
			}
			if verify, err := w.db.VerifyAccessLog(ctx, demo.TenantID); err != nil || !verify.OK() {
				t.Errorf("the access log after the run: %v %v", verify, err)
			}
			w.mustPage("arkivarie", "POST", "/retention/previews/"+id+"/run", url.Values{}, false, http.StatusConflict,
				"Den här förhandsgranskningen är redan körd; gör en ny förhandsgranskning.")
			w.mustPage("arkivarie", "GET", "/retention", nil, false, http.StatusOK,
				`href="/retention/previews/`+id+`"`, "<td>Körd</td>", `href="/retention/previews/`+first+`"`, "Godkänd, inte körd")

			// Nothing left due: said plainly.
			w.mustPage("arkivarie", "POST", "/retention/previews", url.Values{}, false, http.StatusConflict,
				"Inget ska gallras eller levereras till arkivet i dag.")
		})
	}
}

// retentionAuthzIDs is a retention preview of the world's tenant, stored
// as a run would store it, for the tests that try routes as outsiders.
func (w *packWorld) retentionAuthzIDs() map[string]string {
	w.t.Helper()
	id := newUUID()
	err := w.db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.InsertRetentionPreview(context.Background(), demo.TenantID, store.RetentionPreview{ID: id, AsOf: w.today(),
			DefinitionVersion: 1, Fingerprint: "x", CreatedBy: "arkivarie", Status: store.RetentionPreviewed}, nil)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return map[string]string{"previews": id}
}
