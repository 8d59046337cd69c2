package web_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/mailbox"
	"github.com/trygg/trygg/internal/service"
)

// TestLetterPages: after a final decision on journey 4's case, the case
// page says, in Swedish and English, that the letter went to the digital
// mailbox with the delivery's id; a later one to someone without a mailbox
// is in the print queue (Utskrifter), which links the printable letter,
// shows no identity number, and takes it off once marked posted.
func TestLetterPages(t *testing.T) {
	ctx := context.Background()
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), 120)
	c := w.journeyCase(demo.CaseType("fs"))
	officer := w.actor("lss")
	var person string
	for _, p := range w.ds.Persons {
		if p.ID == c.PersonID {
			person = p.Identity.String()
		}
	}
	decide := func() {
		t.Helper()
		d, err := w.svc.SaveDecision(ctx, officer, c.ID, "", service.DecisionInput{Insats: "lss_4_kontaktperson", Outcome: "granted",
			LegalBasis: "LSS 9 §", ValidFrom: "2026-03-16", Justification: "Behöver en kontaktperson."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.FinaliseDecision(ctx, officer, c.ID, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	send := func(mb mailbox.Mailbox) {
		t.Helper()
		for {
			n, err := w.svc.SendLetters(ctx, demo.TenantID, mb, "2120001234", "test", 100)
			if err != nil {
				t.Fatal(err)
			}
			if n.Digital+n.Print == 0 {
				return
			}
		}
	}
	dir := t.TempDir()
	withMailbox, err := mailbox.LoadFile(filepath.Join(dir, "none.json"), filepath.Join(dir, "sent"))
	if err != nil {
		t.Fatal(err)
	}
	withMailbox.Add(person, "Kivra")
	decide()
	send(withMailbox)
	sent, err := withMailbox.Sent()
	if err != nil || len(sent) != 1 {
		t.Fatalf("the mailbox: %+v %v", sent, err)
	}
	delivery := sent[0].DeliveryID
	w.mustPage("lss", "GET", "/cases/"+c.ID, nil, false, http.StatusOK,
		"Beslutsbrev skickat till digital brevlåda</strong>: Kontaktperson (9 § 4) · Kivra · "+delivery)
	w.mustPage("lss", "GET", "/cases/"+c.ID+"?lang=en", nil, false, http.StatusOK,
		"Decision letter sent to the digital mailbox</strong>: Contact person")

	// The person's mailbox is gone: the next letter is printed.
	without, err := mailbox.LoadFile(filepath.Join(dir, "none.json"), filepath.Join(dir, "sent2"))
	if err != nil {
		t.Fatal(err)
	}
	decide()
	send(without)
	w.mustPage("lss", "GET", "/cases/"+c.ID, nil, false, http.StatusOK,
		"Beslutsbrev lagt i utskriftskön (ingen digital brevlåda)</strong>: Kontaktperson (9 § 4)", `<a href="/letters/print">Till utskriftskön</a>`)
	q, err := w.svc.PrintQueue(ctx, officer, "sv")
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, l := range q {
		if l.CaseID == c.ID {
			id = l.ID
		}
	}
	if id == "" {
		t.Fatalf("the letter is not in the print queue: %+v", q)
	}
	body := w.mustPage("lss", "GET", "/letters/print", nil, false, http.StatusOK, `href="/letters/print" aria-current="page"`,
		"<h1>Brev att skriva ut</h1>", `action="/letters/`+id+`/printed"`, "/decisions/")
	if person == "" || strings.Contains(body, person) || strings.Contains(body, strings.ReplaceAll(person, "-", "")) {
		t.Error("the print queue shows an identity number")
	}
	w.mustPage("lss", "GET", "/letters/print?lang=en", nil, false, http.StatusOK, "<h1>Letters to print</h1>", "Mark as posted")
	w.mustPage("lss", "POST", "/letters/"+id+"/printed", url.Values{}, false, http.StatusOK, "Brevet är markerat som utskrivet och postat.")
	w.mustPage("lss", "POST", "/letters/"+id+"/printed", url.Values{}, false, http.StatusConflict, "Brevet finns inte i utskriftskön.")
	w.mustPage("lss", "GET", "/cases/"+c.ID, nil, false, http.StatusOK, "Beslutsbrev utskrivet och postat</strong>: Kontaktperson (9 § 4)")
	// Another unit's officer cannot mark it.
	w.mustPage("utredare", "POST", "/letters/"+id+"/printed", url.Values{}, false, http.StatusNotFound)
}

// letterAuthzIDs sends the letters of the final decisions made so far,
// with no one having a digital mailbox, and returns a letter of caseID in
// the print queue, for the tests that try every route as outsiders
// (classes_test.go).
func (w *packWorld) letterAuthzIDs(officer, caseID string) map[string]string {
	w.t.Helper()
	ctx := context.Background()
	dir := w.t.TempDir()
	none, err := mailbox.LoadFile(filepath.Join(dir, "none.json"), filepath.Join(dir, "sent"))
	if err != nil {
		w.t.Fatal(err)
	}
	for {
		n, err := w.svc.SendLetters(ctx, demo.TenantID, none, "2120001234", "test", 100)
		if err != nil {
			w.t.Fatal(err)
		}
		if n.Digital+n.Print == 0 {
			break
		}
	}
	q, err := w.svc.PrintQueue(ctx, w.actor(officer), "sv")
	if err != nil {
		w.t.Fatal(err)
	}
	for _, l := range q {
		if l.CaseID == caseID {
			return map[string]string{"letters": l.ID}
		}
	}
	w.t.Fatalf("no letter of the case in the print queue: %+v", q)
	return nil
}
