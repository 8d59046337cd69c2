package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// upload posts a file to the application's attachments as a browser's
// multipart form, and returns the status and the body of the page it ends
// on.
func (w *packWorld) upload(user, caseType, name string, content []byte) (int, string) {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		w.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req := w.pageRequest(user, "POST", "/portal/apply/"+caseType+"/attachments", nil, false)
	req.Body, req.ContentLength = io.NopCloser(&body), int64(body.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// get fetches path as user without following redirects, returning the
// whole response (body read).
func (w *packWorld) get(user, path string) (*http.Response, []byte) {
	w.t.Helper()
	req := w.pageRequest(user, "GET", path, nil, false)
	resp, err := w.srv.Client().Transport.RoundTrip(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// caseEvents returns the types of a case's events.
func (w *packWorld) caseEvents(caseID string) []events.Event {
	w.t.Helper()
	evs, err := w.db.CaseEvents(context.Background(), demo.TenantID, caseID, 1000)
	if err != nil {
		w.t.Fatal(err)
	}
	return evs
}

func (w *packWorld) actor(username string) trygg.Actor {
	w.t.Helper()
	a, err := w.svc.ActorByUsername(context.Background(), demo.TenantID, username)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// ebApplication is a complete monthly application of the single mother
// of journey 3 and her two children.
func ebApplication() url.Values {
	return url.Values{
		"month": {"2026-03-01"}, "applied_for": {"forsorjningsstod", ""},
		"members.0._row": {"1"}, "members.0.role": {"single"}, "members.0.age": {"34"},
		"members.1._row": {"1"}, "members.1.role": {"child"}, "members.1.age": {"12"},
		"members.2._row": {"1"}, "members.2.role": {"child"}, "members.2.age": {"4"},
		"housing_cost": {"7500"}, "child_allowance": {"2500"},
	}
}

var (
	pdfFile = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	exeFile = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
	pngFile = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 64)...)
)

// TestPortalApply: the single mother of journey 3 applies for economic
// assistance on Mina sidor. The draft is saved and resumed; a PDF is
// attached, an .exe named .pdf and a file over the limit are refused; a
// send with mistakes shows them and creates nothing; the sent application
// opens the case in the case type and unit of her earlier case, assigned
// to its officer, with the form signed by her, the attachment and a
// notice; the officer sees it in the inbox and its attachment on the
// case page; the receipt shows what was sent. Another citizen sees none
// of it.
func TestPortalApply(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			ctx := context.Background()
			journey := w.journeyCase("ekonomiskt_bistand")
			mother := journey.PersonID
			const path = "/portal/apply/ekonomiskt_bistand"

			w.mustPage("invanare", "GET", "/portal/apply", nil, false, http.StatusOK, "Ansökan om ekonomiskt bistånd", `href="`+path+`"`)
			// The first of six steps: the form's four sections, the
			// attachments, the summary.
			w.mustPage("invanare", "GET", path, nil, false, http.StatusOK, "Ekonomiskt bistånd Norra", `id="f-eb_ansokan-month"`,
				"Steg 1 av 6", `aria-current="step"`, `name="step" value="period"`, ">Nästa<", `href="`+path+`?step=household"`,
				`href="`+path+`/attachments"`, `href="`+path+`/summary"`)

			// A step is saved as she types (htmx), and is there next time;
			// saving another step keeps it.
			frag := w.mustPage("invanare", "POST", path, url.Values{"step": {"period"}, "month": {"2026-03-01"}}, true, http.StatusOK, "Utkastet är sparat")
			if strings.Contains(frag, "<html") {
				t.Errorf("the autosave answered with a whole page")
			}
			w.mustPage("invanare", "POST", path, url.Values{"step": {"costs"}, "housing_cost": {"7500"}}, true, http.StatusOK, "Utkastet är sparat")
			w.mustPage("invanare", "GET", path, nil, false, http.StatusOK, `value="2026-03-01"`)
			w.mustPage("invanare", "GET", path+"?step=costs", nil, false, http.StatusOK, `value="7500"`, "Steg 3 av 6")
			w.mustPage("invanare", "GET", "/portal/apply", nil, false, http.StatusOK, "Fortsätt med ansökan")

			// "Nästa" goes on from a step without mistakes, and stays on
			// one with mistakes, listing them with links to the fields.
			status, _, loc := w.portalPage("invanare", "", "POST", path, url.Values{"step": {"period"}, "month": {"2026-03-01"},
				"applied_for": {"forsorjningsstod", ""}, "go": {"next"}})
			if status != http.StatusSeeOther || loc != path+"?step=household" {
				t.Errorf("Nästa from the first step: %d to %q", status, loc)
			}
			req := w.pageRequest("invanare", "POST", path, url.Values{"step": {"period"}, "month": {"2026-03-01"},
				"applied_for": {"forsorjningsstod", ""}, "go": {"next"}}, true)
			if resp, err := w.srv.Client().Transport.RoundTrip(req); err != nil {
				t.Fatal(err)
			} else if resp.Body.Close(); resp.StatusCode != http.StatusOK || resp.Header.Get("HX-Redirect") != path+"?step=household" {
				t.Errorf("Nästa by htmx: %d, HX-Redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
			}
			stay := w.mustPage("invanare", "POST", path, url.Values{"step": {"household"}, "go": {"next"}}, false, http.StatusUnprocessableEntity,
				"Steg 2 av 6", "Rätta det här innan du går vidare", `href="#f-eb_ansokan-members-error"`, "Minst 1 rad.")
			if !strings.Contains(stay, `role="alert" tabindex="-1" autofocus`) {
				t.Errorf("the mistakes do not take the focus:\n%s", mainOf(stay))
			}
			w.mustPage("invanare", "POST", path, url.Values{"step": {"household"}, "go": {"next"}}, true, http.StatusOK,
				"Rätta det här innan du går vidare")
			// "Tillbaka" goes back, saving what was typed.
			if status, _, loc := w.portalPage("invanare", "", "POST", path, url.Values{"step": {"household"}, "go": {"back"}}); status != http.StatusSeeOther ||
				loc != path+"?step=period" {
				t.Errorf("Tillbaka: %d to %q", status, loc)
			}
			// A section the form does not have is not found.
			w.mustPage("invanare", "POST", path, url.Values{"step": {"no_such_section"}}, false, http.StatusNotFound)

			// Attachments: a PDF is taken; an .exe named .pdf, a file over
			// the limit and the 3rd of 2 allowed are not.
			if status, body := w.upload("invanare", "ekonomiskt_bistand", "hyreskontrakt.pdf", pdfFile); status != http.StatusOK || !strings.Contains(body, "hyreskontrakt.pdf") {
				t.Fatalf("the PDF: %d\n%s", status, mainOf(body))
			}
			if status, body := w.upload("invanare", "ekonomiskt_bistand", "hyra.pdf", exeFile); status != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "Bara PDF-, JPEG- och PNG-filer") || strings.Contains(body, "hyra.pdf") {
				t.Errorf("the .exe named .pdf: %d\n%s", status, mainOf(body))
			}
			w.svc.AttachmentMaxBytes = 1 << 20
			big := append(append([]byte{}, pdfFile...), bytes.Repeat([]byte("0"), 1<<20)...)
			if status, body := w.upload("invanare", "ekonomiskt_bistand", "stor.pdf", big); status != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "Högst 1 MB per fil") {
				t.Errorf("the file over the limit: %d\n%s", status, mainOf(body))
			}
			w.svc.AttachmentMaxBytes = service.DefaultAttachmentMaxBytes
			w.svc.AttachmentMaxFiles = 2
			if status, _ := w.upload("invanare", "ekonomiskt_bistand", "bild.png", pngFile); status != http.StatusOK {
				t.Errorf("the PNG: %d", status)
			}
			if status, body := w.upload("invanare", "ekonomiskt_bistand", "tredje.pdf", pdfFile); status != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "Högst 2 filer") {
				t.Errorf("the third file: %d\n%s", status, mainOf(body))
			}
			w.svc.AttachmentMaxFiles = service.DefaultAttachmentMaxFiles
			view, err := w.svc.ApplicationForm(ctx, w.actor("invanare"), mother, "ekonomiskt_bistand", "sv")
			if err != nil || len(view.Attachments) != 2 {
				t.Fatalf("attachments on the draft: %v %+v", err, view.Attachments)
			}
			att, pic := view.Attachments[0], view.Attachments[1]
			if att.Name != "hyreskontrakt.pdf" {
				att, pic = pic, att
			}
			if att.ContentType != "application/pdf" || att.Name != "hyreskontrakt.pdf" || pic.ContentType != "image/png" {
				t.Errorf("the files are kept as %+v and %+v", att, pic)
			}
			// She removes the picture again.
			w.mustPage("invanare", "POST", path+"/attachments/"+pic.ID+"/removal", nil, false, http.StatusOK)
			resp, body := w.get("invanare", "/portal/attachments/"+att.ID)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, pdfFile) || resp.Header.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("her own attachment: %d %v", resp.StatusCode, resp.Header)
			}

			// Another citizen sees neither the draft nor its attachments,
			// not even with her id in the acting-for cookie.
			for _, p := range []string{"/portal/attachments/" + att.ID} {
				if resp, _ := w.get("dotter", p); resp.StatusCode != http.StatusNotFound {
					t.Errorf("dotter GET %s: %d", p, resp.StatusCode)
				}
			}
			w.mustPage("dotter", "POST", path+"/attachments/"+att.ID+"/removal", nil, false, http.StatusNotFound)
			req = w.pageRequest("dotter", "GET", path+"?step=costs", nil, false)
			req.AddCookie(&http.Cookie{Name: "trygg_for", Value: mother})
			if resp, err := w.srv.Client().Do(req); err != nil {
				t.Fatal(err)
			} else {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if strings.Contains(string(b), "hyreskontrakt") || strings.Contains(string(b), `value="7500"`) {
					t.Errorf("dotter sees the mother's draft: %d\n%s", resp.StatusCode, mainOf(string(b)))
				}
			}
			if _, err := w.svc.CitizenAttachment(ctx, w.actor("dotter"), mother, att.ID); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("dotter asking the service for the mother's attachment: %v", err)
			}
			if _, err := w.svc.ApplicationForm(ctx, w.actor("dotter"), mother, "ekonomiskt_bistand", "sv"); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("dotter asking for the mother's draft: %v", err)
			}

			// The summary: every answer in words, a way to change each
			// step, the attachment, the preliminary calculation.
			for _, step := range []url.Values{
				{"step": {"household"}, "members.0._row": {"1"}, "members.0.role": {"single"}, "members.0.age": {"34"},
					"members.1._row": {"1"}, "members.1.role": {"child"}, "members.1.age": {"12"},
					"members.2._row": {"1"}, "members.2.role": {"child"}, "members.2.age": {"4"}},
				{"step": {"incomes"}, "child_allowance": {"2500"}},
			} {
				w.mustPage("invanare", "POST", path, step, true, http.StatusOK, "Utkastet är sparat")
			}
			summary := w.mustPage("invanare", "GET", path+"/summary", nil, false, http.StatusOK, "Steg 6 av 6", "Kontrollera och skicka",
				": Ensamstående", ": Barn", "7 500 kr", "2 500 kr", "Försörjningsstöd",
				`href="`+path+`?step=household">Ändra`, "hyreskontrakt.pdf", "Preliminär beräkning", "Beräknat bistånd",
				`action="`+path+`/submission"`, "Skicka ansökan")
			for _, code := range []string{">single", ">child", "forsorjningsstod<"} {
				if strings.Contains(summary, code) {
					t.Errorf("the summary shows the code %q:\n%s", code, mainOf(summary))
				}
			}

			// Sent with mistakes: each is shown, nothing is created.
			casesBefore, err := w.db.CasesOfPerson(ctx, demo.TenantID, mother)
			if err != nil {
				t.Fatal(err)
			}
			w.mustPage("invanare", "POST", path, url.Values{"step": {"period"}, "month": {"2026-03-02"}, "applied_for": {"forsorjningsstod", ""}},
				true, http.StatusOK, "Ange månadens första dag")
			body422 := w.mustPage("invanare", "POST", path+"/submission", url.Values{}, false, http.StatusUnprocessableEntity,
				"Ansökan är inte komplett", "Ange månadens första dag", `href="`+path+`?step=period&check=1">Ändra`)
			// Ändra leads to the step with its mistakes shown.
			w.mustPage("invanare", "GET", path+"?step=period&check=1", nil, false, http.StatusOK, "Steg 1 av 6",
				"Rätta det här innan du går vidare", "Ange månadens första dag")
			if !strings.Contains(body422, `role="alert"`) {
				t.Errorf("the refusal is not announced:\n%s", mainOf(body422))
			}
			if casesAfter, _ := w.db.CasesOfPerson(ctx, demo.TenantID, mother); len(casesAfter) != len(casesBefore) {
				t.Fatalf("a send with mistakes created a case: %d → %d", len(casesBefore), len(casesAfter))
			}
			// A page of an older version posting the whole form by htmx
			// still has it saved, and its mistakes shown.
			w.mustPage("invanare", "POST", path, url.Values{"month": {"2026-03-02"}, "housing_cost": {"7500"}, "send": {"1"}}, true,
				http.StatusOK, "Ansökan är inte komplett")

			// Sent complete: to the receipt.
			complete := ebApplication()
			complete.Del("send")
			w.mustPage("invanare", "POST", path, complete, true, http.StatusOK, "Utkastet är sparat")
			status, _, receiptPath := w.portalPage("invanare", "", "POST", path+"/submission", url.Values{})
			m := regexp.MustCompile(`^/portal/applications/([0-9a-f-]{36})$`).FindStringSubmatch(receiptPath)
			if status != http.StatusSeeOther || m == nil {
				t.Fatalf("sending: %d, to %q", status, receiptPath)
			}
			caseID := m[1]
			c, err := w.db.CaseByID(ctx, demo.TenantID, caseID)
			if err != nil {
				t.Fatal(err)
			}
			ekonom := w.actor("ekonom")
			if c.CaseType != "ekonomiskt_bistand" || c.UnitID != "norra-eb" || c.PersonID != mother || c.AssignedTo != ekonom.UserID ||
				c.Step != "application" || c.Status != "open" || c.Title != "Ansökan om ekonomiskt bistånd" {
				t.Errorf("the case: %+v", c)
			}
			entries, err := w.db.FormEntries(ctx, demo.TenantID, caseID)
			if err != nil || len(entries) != 1 || entries[0].Status != "signed" || entries[0].FormID != "eb_ansokan" || entries[0].SignedBy != w.actor("invanare").UserID {
				t.Fatalf("the form: %v %+v", err, entries)
			}
			var signed map[string]any
			json.Unmarshal([]byte(entries[0].Values), &signed)
			if signed["assistance"] == nil || signed["month"] != "2026-03-01" {
				t.Errorf("the signed values: %v", signed)
			}
			types := map[string]int{}
			for _, e := range w.caseEvents(caseID) {
				types[e.Type]++
				if e.Type == events.CitizenNotice && !strings.Contains(string(e.Payload), "Vi har tagit emot din ansökan") {
					t.Errorf("the notice: %s", e.Payload)
				}
			}
			for _, typ := range []string{events.CaseOpened, events.FormSigned, events.ApplicationSubmitted, events.CitizenNotice} {
				if types[typ] != 1 {
					t.Errorf("events of the case: %v, want one %s", types, typ)
				}
			}
			if _, err := w.db.ApplicationDraft(ctx, demo.TenantID, mother, "ekonomiskt_bistand"); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("the draft is still there: %v", err)
			}
			receipt := w.mustPage("invanare", "GET", receiptPath, nil, false, http.StatusOK, "Ansökan är skickad", `<span class="ref">EB-2026-`,
				"Ekonomiskt bistånd Norra", "hyreskontrakt.pdf", "Det här händer nu", "Handläggaren går igenom ansökan", "2026-03-01",
				": Ensamstående", `href="/portal/cases/`+caseID+`"`)
			if strings.Count(receipt, caseID) != strings.Count(receipt, "/"+caseID+`"`) {
				t.Errorf("the receipt shows the case's id outside its links")
			}
			// The case's page links back to what she sent.
			w.mustPage("invanare", "GET", "/portal/cases/"+caseID, nil, false, http.StatusOK, `href="`+receiptPath+`"`, "Referens")
			if body := w.mustPage("invanare", "GET", "/portal/apply", nil, false, http.StatusOK); strings.Contains(body, "Fortsätt med ansökan") {
				t.Errorf("the sent draft is still offered")
			}
			// The attachment went with the case: hers still, and the
			// officer's through the case.
			if resp, _ := w.get("invanare", "/portal/attachments/"+att.ID); resp.StatusCode != http.StatusOK {
				t.Errorf("her attachment after sending: %d", resp.StatusCode)
			}
			w.mustPage("ekonom", "GET", "/inbox", nil, false, http.StatusOK, `href="/cases/`+caseID+`"`)
			w.mustPage("ekonom", "GET", "/cases/"+caseID, nil, false, http.StatusOK, "Underlag från ansökan", "/cases/"+caseID+"/attachments/"+att.ID)
			resp, body = w.get("ekonom", "/cases/"+caseID+"/attachments/"+att.ID)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, pdfFile) || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("the officer's download: %d %v", resp.StatusCode, resp.Header)
			}
			// Through another case, or as someone who may not read it: not found.
			if resp, _ := w.get("ekonom", "/cases/"+journey.ID+"/attachments/"+att.ID); resp.StatusCode != http.StatusNotFound {
				t.Errorf("through another case: %d", resp.StatusCode)
			}
			if resp, _ := w.get("handlaggare", "/cases/"+caseID+"/attachments/"+att.ID); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another unit's officer: %d", resp.StatusCode)
			}
			// The officer works it as any case: the form is signed, so the
			// assessment can start.
			w.move("ekonom", caseID, "assess")

			// Receipts are the person's own, and only of applications.
			for _, p := range []string{receiptPath, "/portal/attachments/" + att.ID} {
				if resp, _ := w.get("dotter", p); resp.StatusCode != http.StatusNotFound {
					t.Errorf("dotter GET %s: %d", p, resp.StatusCode)
				}
			}
			w.mustPage("invanare", "GET", "/portal/applications/"+journey.ID, nil, false, http.StatusNotFound)
			w.mustPage("invanare", "GET", "/portal/apply/bbic_barn", nil, false, http.StatusNotFound)
		})
	}
}

// TestApplicationSummaryCalculation: the summary before sending shows the
// preliminary calculation line by line once every step is answered; for
// a month the norm tables do not cover, it says so in plain words — never
// a decision table's id or an engine message — and nothing is sent.
func TestApplicationSummaryCalculation(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
	const path = "/portal/apply/ekonomiskt_bistand"
	draft := ebApplication()
	draft.Del("send")
	draft.Set("month", "2026-03-01")
	w.mustPage("invanare", "POST", path, url.Values{"step": {"period"}, "month": {"2026-03-01"}}, true, http.StatusOK)
	if body := w.mustPage("invanare", "GET", path+"/summary", nil, false, http.StatusOK); strings.Contains(body, "Preliminär beräkning") {
		t.Errorf("a calculation of an application not filled in:\n%s", mainOf(body))
	}
	w.mustPage("invanare", "POST", path, draft, true, http.StatusOK, "Utkastet är sparat")
	w.mustPage("invanare", "GET", path+"/summary", nil, false, http.StatusOK, "Preliminär beräkning",
		`<dt>Boendekostnad</dt><dd>7 500 kr</dd>`, `<div class="calc-line last"><dt>Beräknat bistånd</dt><dd>18 150 kr</dd></div>`)

	draft.Set("month", "2016-03-01")
	w.mustPage("invanare", "POST", path, draft, true, http.StatusOK, "Utkastet är sparat")
	body := w.mustPage("invanare", "GET", path+"/summary", nil, false, http.StatusOK, "Preliminär beräkning",
		"Det finns ingen riksnorm för mars 2016 än. Beräkningen görs när kommunen har lagt in normen.")
	for _, technical := range []string{"beslutstabell", "riksnorm_", "Värdet kunde inte"} {
		if strings.Contains(body, technical) {
			t.Errorf("the summary says %q:\n%s", technical, mainOf(body))
		}
	}
	// Nothing computed from another year, or from a zero.
	if _, calc, _ := strings.Cut(body, `id="ans-calc"`); strings.Contains(strings.SplitN(calc, "</section>", 2)[0], " kr") {
		t.Errorf("the calculation shows an amount for a month without a norm:\n%s", calc)
	}
	if n := strings.Count(body, "Det finns ingen riksnorm"); n != 1 {
		t.Errorf("the reason is said %d times", n)
	}
	w.mustPage("invanare", "POST", path+"/submission", url.Values{}, false, http.StatusUnprocessableEntity, "Ansökan är inte komplett")
}

// TestPortalApplyNotRoutable: without an earlier case of the type, and
// with no receiving unit in the definitions, the application is offered
// as "contact the municipality", and the form cannot be used.
func TestPortalApplyNotRoutable(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
	w.mustPage("dotter", "GET", "/portal/apply", nil, false, http.StatusOK, "Kontakta socialtjänsten")
	w.mustPage("dotter", "GET", "/portal/apply/ekonomiskt_bistand", nil, false, http.StatusConflict, "kontakta kommunen")
	if status, _ := w.upload("dotter", "ekonomiskt_bistand", "a.pdf", pdfFile); status != http.StatusConflict {
		t.Errorf("uploading for an application that cannot be made: %d", status)
	}
}

// TestPortalBooking: the officer of journey 3 publishes times; the
// mother books one on her case, moves it and cancels it; a time is never
// booked twice; the officer gets tasks and she notices; another citizen
// reaches none of it.
func TestPortalBooking(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			ctx := context.Background()
			journey := w.journeyCase("ekonomiskt_bistand")
			mother := journey.PersonID

			// The officer publishes three times; a time in the past and an
			// overlapping one are refused.
			for _, start := range []string{"10:00", "11:00", "13:00"} {
				w.mustPage("ekonom", "POST", "/slots", url.Values{"date": {"2026-03-04"}, "start": {start}, "minutes": {"45"},
					"kind": {"place"}, "place": {"Storgatan 1, rum 4"}}, false, http.StatusOK, "Tiden är utlagd")
			}
			w.mustPage("ekonom", "POST", "/slots", url.Values{"date": {"2026-03-01"}, "start": {"10:00"}, "minutes": {"30"}, "kind": {"phone"}},
				false, http.StatusUnprocessableEntity, "Tiden har passerat", `id="slot-date-error"`)
			w.mustPage("ekonom", "POST", "/slots", url.Values{"date": {"2026-03-04"}, "start": {"10:30"}, "minutes": {"30"}, "kind": {"phone"}},
				false, http.StatusConflict, "överlappar")
			w.mustPage("invanare", "GET", "/slots", nil, false, http.StatusForbidden)
			slots, err := w.svc.MySlots(ctx, w.actor("ekonom"))
			if err != nil || len(slots) != 3 {
				t.Fatalf("the officer's slots: %v %d", err, len(slots))
			}
			w.mustPage("ekonom", "GET", "/slots", nil, false, http.StatusOK, "onsdag 2026-03-04, kl. 10.00–10.45", "Ledig")

			// She books the first on her case, named by its reference.
			jcase, err := w.db.CaseByID(ctx, demo.TenantID, journey.ID)
			if err != nil || jcase.Reference == "" {
				t.Fatalf("the journey case's reference: %v %q", err, jcase.Reference)
			}
			w.mustPage("invanare", "GET", "/portal/bookings", nil, false, http.StatusOK, journey.Title, jcase.Reference+" · ",
				"/portal/bookings/new?case="+journey.ID)
			w.mustPage("invanare", "GET", "/portal/bookings/new?case="+journey.ID, nil, false, http.StatusOK, "onsdag 2026-03-04, kl. 11.00–11.45",
				"Storgatan 1, rum 4", "("+jcase.Reference+")")
			book := url.Values{"case": {journey.ID}, "slot": {slots[0].ID}}
			w.mustPage("invanare", "POST", "/portal/bookings", book, false, http.StatusOK, "Mötet är bokat", "kl. 10.00–10.45")
			list, err := w.svc.PersonBookings(ctx, w.actor("invanare"), mother)
			if err != nil || len(list) != 1 || list[0].Status != store.BookingBooked {
				t.Fatalf("her bookings: %v %+v", err, list)
			}
			first := list[0].ID
			if got := w.tasks("ekonom", journey.ID); !containsPrefix(got, "booking ") {
				t.Errorf("the officer's tasks: %v", got)
			}
			// The same time again: refused, nothing booked.
			w.mustPage("invanare", "POST", "/portal/bookings", book, false, http.StatusConflict, "Ett möte är redan bokat i ärendet")
			w.mustPage("invanare", "GET", "/portal/bookings/new?case="+journey.ID, nil, false, http.StatusOK)
			// A booked time cannot be withdrawn.
			w.mustPage("ekonom", "POST", "/slots/"+slots[0].ID+"/withdrawal", nil, false, http.StatusConflict, "bokad")

			// Another citizen: not found, whatever they try.
			for _, p := range []string{"/portal/bookings/" + first, "/portal/bookings/new?case=" + journey.ID} {
				w.mustPage("dotter", "GET", p, nil, false, http.StatusNotFound)
			}
			w.mustPage("dotter", "POST", "/portal/bookings/"+first+"/move", url.Values{"slot": {slots[1].ID}}, false, http.StatusNotFound)
			w.mustPage("dotter", "POST", "/portal/bookings/"+first+"/cancellation", nil, false, http.StatusNotFound)
			w.mustPage("dotter", "POST", "/portal/bookings", url.Values{"case": {journey.ID}, "slot": {slots[1].ID}}, false, http.StatusNotFound)
			// Another officer cannot withdraw her times.
			w.mustPage("handlaggare", "POST", "/slots/"+slots[2].ID+"/withdrawal", nil, false, http.StatusNotFound)

			// She moves it to the second time.
			w.mustPage("invanare", "POST", "/portal/bookings/"+first+"/move", url.Values{"slot": {slots[1].ID}}, false, http.StatusOK,
				"Mötet är flyttat", "kl. 11.00–11.45")
			old, err := w.db.BookingByID(ctx, demo.TenantID, first)
			if err != nil || old.Status != store.BookingMoved || old.MovedTo == "" {
				t.Fatalf("the moved booking: %v %+v", err, old)
			}
			// The first time is free again; the second is not.
			bc, err := w.svc.BookingOptions(ctx, w.actor("invanare"), mother, journey.ID)
			if err != nil || len(bc.Free) != 2 || bc.Free[0].ID != slots[0].ID || bc.Free[1].ID != slots[2].ID {
				t.Errorf("free after the move: %v %+v", err, bc.Free)
			}
			// And cancels it.
			w.mustPage("invanare", "POST", "/portal/bookings/"+old.MovedTo+"/cancellation", nil, false, http.StatusOK, "Mötet är avbokat")
			w.mustPage("invanare", "POST", "/portal/bookings/"+old.MovedTo+"/cancellation", nil, false, http.StatusConflict)
			got := w.tasks("ekonom", journey.ID)
			if len(got) != 1 || got[0] != "booking_cancelled " {
				t.Errorf("the officer's open tasks after the cancellation: %v", got)
			}
			notices := 0
			for _, e := range w.caseEvents(journey.ID) {
				if e.Type == events.CitizenNotice && strings.Contains(string(e.Payload), "booking_") {
					notices++
				}
			}
			if notices != 3 {
				t.Errorf("%d notices to her about the meeting, want 3 (booked, moved, cancelled)", notices)
			}
			// The free time can now be withdrawn.
			w.mustPage("ekonom", "POST", "/slots/"+slots[2].ID+"/withdrawal", nil, false, http.StatusOK, "Tiden är tillbakadragen")
		})
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// TestBookingNeverDoubleBooked: many bookings of one time at the same
// moment, through the service and straight into the store: exactly one
// succeeds, the others are conflicts.
func TestBookingNeverDoubleBooked(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			ctx := context.Background()
			journey := w.journeyCase("ekonomiskt_bistand")
			citizen := w.actor("invanare")
			slot := func(start string) string {
				sl, err := w.svc.PublishSlot(ctx, w.actor("ekonom"), service.SlotInput{Date: "2026-03-05", Start: start, Minutes: 30, Kind: "phone"})
				if err != nil {
					t.Fatal(err)
				}
				return sl.ID
			}

			// Through the service.
			id := slot("09:00")
			const n = 8
			results := make(chan error, n)
			start := make(chan struct{})
			for range n {
				go func() {
					<-start
					_, err := w.svc.BookSlot(ctx, citizen, journey.PersonID, journey.ID, id)
					results <- err
				}()
			}
			close(start)
			ok, conflicts := 0, 0
			for range n {
				switch err := <-results; {
				case err == nil:
					ok++
				case trygg.ErrorCode(err) == trygg.EConflict:
					conflicts++
				default:
					t.Errorf("booking: %v", err)
				}
			}
			if ok != 1 || conflicts != n-1 {
				t.Errorf("through the service: %d booked, %d conflicts", ok, conflicts)
			}

			// Straight into the store, without the service's lock: the
			// unique index alone decides. The first transaction holds its
			// booking while the second tries.
			id = slot("10:00")
			inserted := make(chan struct{})
			first := make(chan error, 1)
			go func() {
				first <- w.db.Update(ctx, func(tx *store.Tx) error {
					err := tx.InsertBooking(ctx, demo.TenantID, store.Booking{ID: "b-first", SlotID: id, CaseID: journey.ID,
						PersonID: journey.PersonID, BookedBy: citizen.UserID})
					close(inserted)
					time.Sleep(150 * time.Millisecond)
					return err
				})
			}()
			<-inserted
			second := w.db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertBooking(ctx, demo.TenantID, store.Booking{ID: "b-second", SlotID: id, CaseID: journey.ID,
					PersonID: journey.PersonID, BookedBy: citizen.UserID})
			})
			if err := <-first; err != nil {
				t.Errorf("the first booking: %v", err)
			}
			if trygg.ErrorCode(second) != trygg.EConflict {
				t.Errorf("the second booking of the same time: %v", second)
			}
		})
	}
}

// applyAuthzIDs makes, for the authorization test, the records of
// applying online and booking that belong to the journey-1 mother: an
// application the daughter sent for her with an attachment, a time of the
// officer and a booking on the mother's case. It returns their ids by the
// route segment before them.
func (w *packWorld) applyAuthzIDs(journey demo.Case) map[string]string {
	w.t.Helper()
	ctx := context.Background()
	dotter := w.actor("dotter")
	mother := journey.PersonID
	if _, err := w.svc.SaveApplicationDraft(ctx, dotter, mother, "ibic_sol_aldre", service.FormInput{Values: map[string]any{
		"applicant_kind": "representative", "representative_name": "Dottern", "representative_role": "Fullmakt",
		"applied_sol": []any{"hemtjanst_service"}, "own_description": "Behöver hjälp med städning."}}, "sv"); err != nil {
		w.t.Fatal(err)
	}
	att, err := w.svc.AddAttachment(ctx, dotter, mother, "ibic_sol_aldre", service.AttachmentInput{Name: "intyg.pdf", Content: pdfFile}, "sv")
	if err != nil {
		w.t.Fatal(err)
	}
	rc, err := w.svc.SubmitApplication(ctx, dotter, mother, "ibic_sol_aldre", "sv")
	if err != nil {
		w.t.Fatal(err)
	}
	officer := w.actor("handlaggare")
	var slots []string
	for _, start := range []string{"10:00", "11:00"} {
		sl, err := w.svc.PublishSlot(ctx, officer, service.SlotInput{Date: w.clock.Now().AddDate(0, 0, 2).Format(time.DateOnly), Start: start,
			Minutes: 30, Kind: "phone"})
		if err != nil {
			w.t.Fatal(err)
		}
		slots = append(slots, sl.ID)
	}
	b, err := w.svc.BookSlot(ctx, dotter, mother, journey.ID, slots[0])
	if err != nil {
		w.t.Fatal(err)
	}
	return map[string]string{"attachments": att.ID, "att": att.ID, "applications": rc.Case.ID, "bookings": b.ID, "slots": slots[1]}
}
