package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// signedNote writes and signs a journal note on the case; it returns its id.
func (w *packWorld) signedNote(user, caseID, body string) string {
	w.t.Helper()
	var n struct{ ID string }
	w.call(user, "POST", "/api/v1/cases/"+caseID+"/notes", map[string]string{"body": body}, http.StatusCreated, &n)
	w.call(user, "POST", "/api/v1/cases/"+caseID+"/notes/"+n.ID+"/signature", nil, http.StatusOK, nil)
	return n.ID
}

// extract posts for a register extract as user and returns the answer.
func (w *packWorld) extract(user, personID, as string) (*http.Response, string) {
	w.t.Helper()
	req := w.pageRequest(user, "POST", "/portal/records/extract", url.Values{"person_id": {personID}, "as": {as}}, false)
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestRecordsExtract: the daughter of journey 1, her mother's
// representative, gets her mother's register extract with the case, its
// steps, the decisions with their justification, the signed forms'
// answers and notes, and who has read the data; a note the officer marked
// as secret towards the person is listed as withheld with its ground and
// without its content. Every record read is access-logged with the
// ground, and an event without content records the extract. A guardian
// gets a child's extract (a protected child's address withheld), nobody
// gets that of a person they do not act for, and staff have no such page.
func TestRecordsExtract(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			jc := w.journeyCase("ibic_sol_aldre")
			c := jc.ID
			w.applyForHomeCare(c)
			w.investigateHomeCare(c, "Behöver stöd i duschen.")
			w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
				return map[string]any{"justification": "Utredningen visar behovet av stöd i duschen."}
			})
			open := w.signedNote("handlaggare", c, "Hembesök: Anna visade badrummet.")
			secret := w.signedNote("handlaggare", c, "HEMLIG UPPGIFT från grannen.")

			// The officer marks the second note as secret towards the person.
			w.mustPage("handlaggare", "GET", "/cases/"+c, nil, false, http.StatusOK, "Sekretess mot den enskilde", "Markera sekretess mot den enskilde")
			mark := url.Values{"kind": {"journal_note"}, "record_id": {secret}, "legal_ground": {"OSL 26 kap. 5 §"}}
			w.mustPage("handlaggare", "POST", "/cases/"+c+"/secrecy", mark, false, http.StatusOK, "Markerad som sekretess mot den enskilde")
			w.mustPage("handlaggare", "POST", "/cases/"+c+"/secrecy", mark, false, http.StatusConflict, "redan markerad")
			w.mustPage("handlaggare", "POST", "/cases/"+c+"/secrecy", url.Values{"kind": {"journal_note"}, "record_id": {open}}, false,
				http.StatusUnprocessableEntity, "Ange lagrummet")
			w.mustPage("handlaggare", "POST", "/cases/"+c+"/secrecy", url.Values{"kind": {"journal_note"}, "record_id": {"no-such"},
				"legal_ground": {"OSL"}}, false, http.StatusNotFound)

			// The page, and the extract shown and downloaded.
			w.mustPage("dotter", "GET", "/portal/records", nil, false, http.StatusOK, "Mina uppgifter (registerutdrag)", "Ladda ner")
			resp, body := w.extract("dotter", jc.PersonID, "view")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("the mother's extract: %d\n%s", resp.StatusCode, body)
			}
			mother := persons.Person{}
			for _, p := range w.ds.Persons {
				if p.ID == jc.PersonID {
					mother = p
				}
			}
			for _, want := range []string{"Registerutdrag", mother.GivenName, mother.Identity.String(), mother.Address.Street,
				"Ansökan om hemtjänst och trygghetslarm", "Utredningen visar behovet av stöd i duschen.", "Klarar inte duschen efter fallet.",
				"Duschar tryggt två gånger i veckan.", "Hembesök: Anna visade badrummet.", "Undantagna uppgifter", "OSL 26 kap. 5 §",
				"Vilka som har läst uppgifterna", "Ombud, god man eller förvaltare", "@media print"} {
				if !strings.Contains(body, want) {
					t.Errorf("the extract lacks %q", want)
				}
			}
			if strings.Contains(body, "HEMLIG") {
				t.Errorf("the extract holds the secret note's content")
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'sha256-") || strings.Contains(csp, "unsafe-inline") ||
				strings.Contains(body, "<script") {
				t.Errorf("the extract's CSP %q (or it has a script)", csp)
			}
			resp, _ = w.extract("dotter", jc.PersonID, "download")
			if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != http.StatusOK || cd != `attachment; filename="registerutdrag-2026-01-05.html"` {
				t.Errorf("download: %d, Content-Disposition %q", resp.StatusCode, cd)
			}

			// Logged: the person and the case, as the representative, with
			// the reason; an event without content.
			var me struct{ User struct{ ID string } }
			w.call("dotter", "GET", "/api/v1/me", nil, http.StatusOK, &me)
			entries, err := w.db.AccessLog(context.Background(), demo.TenantID, store.AccessLogFilter{PersonID: jc.PersonID, ActorID: me.User.ID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			logged := map[string]int{}
			for _, e := range entries {
				if e.Reason == service.ExtractReason {
					logged[e.Action+" "+e.Ground+" "+e.CaseID]++
				}
			}
			if logged["read_person representative "] != 2 || logged["read_case representative "+c] != 2 {
				t.Errorf("access log of the two extracts: %v", logged)
			}
			all, _ := w.db.Events(context.Background(), demo.TenantID, 0, 100000)
			var extracted []events.Event
			for _, e := range all {
				if e.Type == events.RecordsExtracted {
					extracted = append(extracted, e)
				}
			}
			if len(extracted) != 2 || extracted[0].PersonID != jc.PersonID || extracted[0].ActorID != me.User.ID ||
				strings.Contains(string(extracted[0].Payload), "Anna") || !strings.Contains(string(extracted[0].Payload), `"withheld":1`) {
				t.Errorf("extract events: %+v", extracted)
			}

			// Lifting the mark gives the note back.
			w.mustPage("handlaggare", "POST", "/cases/"+c+"/secrecy", url.Values{"kind": {"journal_note"}, "record_id": {secret},
				"action": {"lift"}}, false, http.StatusOK, "Markeringen är borttagen")
			if _, body := w.extract("dotter", jc.PersonID, "view"); !strings.Contains(body, "HEMLIG UPPGIFT") || !strings.Contains(body, "Inga uppgifter är undantagna") {
				t.Errorf("after lifting the mark the note is still withheld")
			}

			// A guardian: her child's extract; a protected child's address
			// is withheld from her.
			mum, mumNumber := "", ""
			for _, u := range w.ds.Users {
				if u.Username == "invanare" {
					mum = u.PersonID
				}
			}
			for _, p := range w.ds.Persons {
				if p.ID == mum {
					mumNumber = p.Identity.String()
				}
			}
			var child, hidden persons.Person
			for _, r := range w.ds.Relations {
				if r.FromPersonID == mum && r.Kind == persons.RelGuardian {
					for _, p := range w.ds.Persons {
						if p.ID == r.ToPersonID {
							child = p
						}
					}
				}
			}
			for _, dc := range w.ds.Cases {
				for _, p := range w.ds.Persons {
					if dc.Journey && p.ID == dc.PersonID && p.Protection == persons.ProtectionProtected {
						hidden = p
					}
				}
			}
			if resp, body := w.extract("invanare", child.ID, "view"); resp.StatusCode != http.StatusOK || !strings.Contains(body, child.GivenName) ||
				!strings.Contains(body, "Vårdnadshavare: ") {
				t.Errorf("the guardian's extract of her child: %d", resp.StatusCode)
			}
			w.call("skyddad", "POST", "/api/v1/relations", map[string]string{"from_identity_number": mumNumber, "to_person_id": hidden.ID, "kind": "guardian"},
				http.StatusCreated, nil)
			if resp, body := w.extract("invanare", hidden.ID, "view"); resp.StatusCode != http.StatusOK || strings.Contains(body, hidden.Address.Street) ||
				!strings.Contains(body, "Visas inte: personen har skyddade personuppgifter") {
				t.Errorf("the protected child's extract: %d, street shown: %v", resp.StatusCode, strings.Contains(body, hidden.Address.Street))
			}

			// Nobody else's records; staff have no such page.
			if resp, body := w.extract("invanare", jc.PersonID, "view"); resp.StatusCode != http.StatusNotFound || strings.Contains(body, mother.GivenName) {
				t.Errorf("an unrelated person's extract: %d", resp.StatusCode)
			}
			if resp, _ := w.extract("invanare", "no-such-person", "view"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("a made-up person's extract: %d", resp.StatusCode)
			}
			w.mustPage("handlaggare", "GET", "/portal/records", nil, false, http.StatusForbidden)
			if resp, _ := w.extract("handlaggare", jc.PersonID, "view"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("staff asking for an extract: %d", resp.StatusCode)
			}
		})
	}
}

// correction writes and signs a correction of a signed note; it returns
// its id.
func (w *packWorld) correction(user, caseID, corrects, body string) string {
	w.t.Helper()
	var n struct{ ID string }
	w.call(user, "POST", "/api/v1/cases/"+caseID+"/notes", map[string]string{"body": body, "corrects": corrects}, http.StatusCreated, &n)
	w.call(user, "POST", "/api/v1/cases/"+caseID+"/notes/"+n.ID+"/signature", nil, http.StatusOK, nil)
	return n.ID
}

// latestSigned returns the id of the newest signed entry of a form of the
// case.
func (w *packWorld) latestSigned(caseID, formID string) string {
	w.t.Helper()
	entries, err := w.db.FormEntries(context.Background(), demo.TenantID, caseID)
	if err != nil {
		w.t.Fatal(err)
	}
	superseded := map[string]bool{}
	for _, e := range entries {
		superseded[e.Supersedes] = true
	}
	id := ""
	for _, e := range entries {
		if e.FormID == formID && e.Status == "signed" && !superseded[e.ID] {
			id = e.ID
		}
	}
	if id == "" {
		w.t.Fatalf("no signed %s on the case", formID)
	}
	return id
}

// TestSecrecyCoversCorrectionsAndVersions (issue 13, finding 3): a note
// marked as secret towards the person is withheld from the register
// extract (shown and downloaded) together with its correction and the
// correction's correction, and a marked form together with every later
// signing of it. The case page says why the later ones are withheld and
// offers to release one version explicitly, with a reason: that gives the
// version and nothing else (not the marked one, not a later one), and it
// is an event with who and why. Lifting the mark gives the chain back.
func TestSecrecyCoversCorrectionsAndVersions(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
			jc := w.journeyCase("ibic_sol_aldre")
			c := jc.ID
			secrecy := func(want int, form url.Values, contains ...string) {
				t.Helper()
				w.mustPage("handlaggare", "POST", "/cases/"+c+"/secrecy", form, false, want, contains...)
			}
			const ground = "OSL 26 kap. 5 §"
			extract := func(as string, shown, hidden []string, withheld int) {
				t.Helper()
				resp, body := w.extract("dotter", jc.PersonID, as)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("the extract (%s): %d\n%s", as, resp.StatusCode, body)
				}
				for _, s := range shown {
					if !strings.Contains(body, s) {
						t.Errorf("the extract (%s) lacks %q", as, s)
					}
				}
				for _, s := range hidden {
					if strings.Contains(body, s) {
						t.Errorf("the extract (%s) holds %q", as, s)
					}
				}
				if n := strings.Count(body, `class="withheld-row"`); n != withheld {
					t.Errorf("the extract (%s) lists %d records as withheld, want %d", as, n, withheld)
				}
			}

			// A note marked secret, then corrected, and the correction
			// corrected.
			w.applyForHomeCare(c)
			note := w.signedNote("handlaggare", c, "HEMLIG UPPGIFT från grannen.")
			secrecy(http.StatusOK, url.Values{"kind": {"journal_note"}, "record_id": {note}, "legal_ground": {ground}})
			fix := w.correction("handlaggare", c, note, "HEMLIG RÄTTELSE: grannen, inte brodern.")
			w.correction("handlaggare", c, fix, "HEMLIG ANDRA RÄTTELSE: grannen på tredje våningen.")

			// The application form marked secret, then signed twice more.
			first := w.latestSigned(c, "ibic_ansokan")
			secrecy(http.StatusOK, url.Values{"kind": {"form_entry"}, "record_id": {first}, "legal_ground": {ground}})
			again := func(text string) string {
				w.fill("handlaggare", c, "ibic_ansokan", map[string]any{"applicant_kind": "self",
					"applied_sol": []string{"hemtjanst_omvardnad"}, "own_description": text})
				return w.latestSigned(c, "ibic_ansokan")
			}
			second := again("HEMLIGT I ANDRA VERSIONEN.")
			again("HEMLIGT I TREDJE VERSIONEN.")

			all := []string{"HEMLIG UPPGIFT", "HEMLIG RÄTTELSE", "HEMLIG ANDRA RÄTTELSE", "Klarar inte duschen", "HEMLIGT I ANDRA", "HEMLIGT I TREDJE"}
			extract("view", []string{"Undantagna uppgifter", ground}, all, 6)
			extract("download", nil, all, 6)

			// The case page says why, and offers to release a later version.
			w.mustPage("handlaggare", "GET", "/cases/"+c, nil, false, http.StatusOK, "Omfattas av en tidigare markering",
				"Lämna ut den här versionen")
			secrecy(http.StatusUnprocessableEntity, url.Values{"action": {"release"}, "kind": {"journal_note"}, "record_id": {fix}},
				"Ange varför")
			secrecy(http.StatusConflict, url.Values{"action": {"release"}, "kind": {"journal_note"}, "record_id": {note},
				"reason": {"Inget att lämna ut."}}, "Inget tidigare")
			secrecy(http.StatusOK, url.Values{"action": {"release"}, "kind": {"journal_note"}, "record_id": {fix},
				"reason": {"Rättelsen röjer inte uppgiftslämnaren."}}, "Versionen lämnas ut")
			secrecy(http.StatusConflict, url.Values{"action": {"release"}, "kind": {"journal_note"}, "record_id": {fix},
				"reason": {"En gång till."}})
			secrecy(http.StatusOK, url.Values{"action": {"release"}, "kind": {"form_entry"}, "record_id": {second},
				"reason": {"Den andra versionen är omskriven."}})
			w.mustPage("handlaggare", "GET", "/cases/"+c, nil, false, http.StatusOK, "Rättelsen röjer inte uppgiftslämnaren.",
				"Den andra versionen är omskriven.")

			// The released versions, and only they, are given.
			released := []string{"HEMLIG RÄTTELSE: grannen", "HEMLIGT I ANDRA"}
			still := []string{"HEMLIG UPPGIFT", "HEMLIG ANDRA RÄTTELSE", "Klarar inte duschen", "HEMLIGT I TREDJE"}
			extract("view", released, still, 4)
			extract("download", released, still, 4)

			// Each release is an event with who and why.
			officer := w.actor("handlaggare")
			var got []string
			for _, e := range w.caseEvents(c) {
				if e.Type == "record.secrecy_released" {
					if e.ActorID != officer.UserID || e.PersonID != jc.PersonID {
						t.Errorf("a release event by %q about %q", e.ActorID, e.PersonID)
					}
					got = append(got, e.SubjectType+" "+e.SubjectID+" "+string(e.Payload))
				}
			}
			slices.Sort(got)
			if len(got) != 2 || !strings.HasPrefix(got[0], "form_entry "+second) || !strings.Contains(got[0], "Den andra versionen är omskriven.") ||
				!strings.HasPrefix(got[1], "journal_note "+fix) || !strings.Contains(got[1], "Rättelsen röjer inte") ||
				strings.Contains(strings.Join(got, " "), "HEMLIG") {
				t.Errorf("release events: %q", got)
			}

			// Lifting the marks gives the chains back.
			secrecy(http.StatusOK, url.Values{"action": {"lift"}, "kind": {"journal_note"}, "record_id": {note}})
			secrecy(http.StatusOK, url.Values{"action": {"lift"}, "kind": {"form_entry"}, "record_id": {first}})
			extract("view", all, nil, 0)
		})
	}
}
