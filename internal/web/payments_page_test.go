package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
)

// payingYAML is a case type that pays income support monthly to the
// person and a rent once to a landlord chosen from the register.
const payingYAML = `
kind: code_system
id: betalt_insatser
version: "1"
name: {sv: Betalt stöd}
codes:
  - {code: manad, label: {sv: Stöd per månad}}
  - {code: hyra, label: {sv: Hyra}}
---
kind: form
id: betalt_ansokan
name: {sv: Ansökan}
sections:
  - id: s
    label: {sv: Ansökan}
    fields:
      - {id: extra, type: money, label: {sv: Extra kostnad}}
---
kind: case_type
id: betalt
name: {sv: Betalt stöd}
field: IFO
start: open
steps:
  - {id: open, name: {sv: Öppen}, forms: [betalt_ansokan]}
  - {id: done, name: {sv: Klar}, final: true}
transitions:
  - {id: close, name: {sv: Avsluta}, from: [open], to: done, roles: [handlaggare, arbetsledare], actions: [{type: close_case}]}
decisions:
  insatser: betalt_insatser
  legal_bases: ["SoL 4 kap. 1 §"]
  amount_unit: money
  delegation:
    - {roles: [handlaggare]}
  payments:
    attest:
      - {roles: [handlaggare], max_amount: 3000000}
      - {roles: [arbetsledare]}
    items:
      - {id: living, name: {sv: Försörjningsstöd}, insatser: [manad], schedule: monthly, amount: "decision.amount", payee: person, account: "4711", cost_centre: "7310"}
      - {id: rent, name: {sv: Hyra}, insatser: [hyra], schedule: once, amount: "decision.amount", payee: landlord, account: "4712", cost_centre: "7310"}
`

// payingCase publishes the paying case type (once), opens a case of it for
// the person in the unit as the officer and makes final decisions: income
// support of 5 000 kr a month from the first day of the month of from to
// the end of the third month, and, when rent is true, a rent of 8 000 kr
// paid once to a landlord. It returns the case id.
func (w *packWorld) payingCase(officer, personID, unit, from string, rent bool) string {
	w.t.Helper()
	ctx := context.Background()
	if _, err := w.svc.PublishDefinitions(ctx, w.actor("designer"), service.DefinitionsInput{
		Files: []store.DefinitionFile{{Name: "betalt.yaml", Content: payingYAML}}}); err != nil && !strings.Contains(err.Error(), "unchanged") {
		w.t.Fatal(err)
	}
	a := w.actor(officer)
	p := w.demoPerson(personID)
	c, err := w.svc.OpenCase(ctx, a, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: p.Identity.String()},
		UnitID: unit, CaseType: "betalt", Title: "Betalt stöd"})
	if err != nil {
		w.t.Fatal(err)
	}
	start, _ := time.Parse("2006-01-02", from)
	end := start.AddDate(0, 3, -start.Day()).Format("2006-01-02")
	decide := func(in service.DecisionInput) {
		in.LegalBasis, in.Justification, in.Outcome = "SoL 4 kap. 1 §", "Behovet är styrkt.", "granted"
		d, err := w.svc.SaveDecision(ctx, a, c.ID, "", in)
		if err != nil {
			w.t.Fatal(err)
		}
		if _, err := w.svc.FinaliseDecision(ctx, a, c.ID, d.ID); err != nil {
			w.t.Fatal(err)
		}
	}
	decide(service.DecisionInput{Insats: "manad", ValidFrom: from, ValidTo: end, Amount: 500000})
	if rent {
		decide(service.DecisionInput{Insats: "hyra", ValidFrom: from, Amount: 800000})
	}
	return c.ID
}

// caseLines returns a case's payment lines by item as the team lead sees
// them, of every status.
func (w *packWorld) caseLines(caseID string) map[string]store.PaymentLine {
	w.t.Helper()
	v, err := w.svc.CasePayments(context.Background(), w.actor("arbetsledare"), caseID)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]store.PaymentLine{}
	for _, l := range v.Lines {
		key := l.Item + " " + l.Period
		if l.Reverses != "" {
			key += " stop"
		}
		out[key] = l
	}
	return out
}

// demoPayer is the municipality's account the tests pay from.
func demoPayer(t testing.TB) payments.Debtor {
	acc, err := payments.ParseAccount(payments.KindBankgiro, "", "5402-9681")
	if err != nil {
		t.Fatal(err)
	}
	return payments.Debtor{Name: "Demo kommun", Account: acc, BIC: "ESSESESS"}
}

// uploadTo posts content as the multipart form's file to path, and
// returns the status and the body of the page it ends on.
func (w *packWorld) uploadTo(user, path, name string, content []byte) (int, string) {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		w.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req := w.pageRequest(user, "POST", path, nil, false)
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

// bankAnswer is a bank's pain.002 on the file messageID: each end-to-end
// id with its status, a rejection with the reason AC04 (account closed).
func bankAnswer(id, messageID string, status map[string]string) []byte {
	var txs strings.Builder
	for e2e, st := range status {
		reason := ""
		if st == "RJCT" {
			reason = "<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>"
		}
		fmt.Fprintf(&txs, "<TxInfAndSts><OrgnlEndToEndId>%s</OrgnlEndToEndId><TxSts>%s</TxSts>%s</TxInfAndSts>", e2e, st, reason)
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>
<GrpHdr><MsgId>` + id + `</MsgId><CreDtTm>2026-03-11T07:00:00+01:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>` + messageID + `</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.10</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>` + messageID + `-1</OrgnlPmtInfId>` + txs.String() + `</OrgnlPmtInfAndSts>
</CstmrPmtStsRpt></Document>`)
}

var runLink = regexp.MustCompile(`href="(/payments/runs/[0-9a-f-]{36})"`)

// TestPaymentPages walks the money through the staff pages: the officer
// who decided sees the proposal but is refused attesting it (in Swedish,
// in the error summary, nothing written) and without a landlord the rent
// cannot be attested; he chooses the landlord from the register (one of
// another kind refused); the team lead attests both, proposes the next
// month (once), stops that line after a second step, makes a run (a day
// passed and a second run with nothing attested refused), downloads the
// bank file and the bookkeeping file (attachments named by the run, no
// one's data), and uploads the bank's answer (a file that is not one
// refused at the field) rejecting the income support: the second upload
// says it was read already. The officer then has the task in his inbox,
// linking to the case, whose page shows the rejection and its reason.
func TestPaymentPages(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), 120)
	w.svc.Payer = demoPayer(t)
	mother := w.journeyCase(demo.CaseType("eb")).PersonID
	caseID := w.payingCase("ekonom", mother, "norra-eb", "2026-03-01", true)
	lines := w.caseLines(caseID)
	living, rent := lines["living 2026-03"], lines["rent 2026-03-10"]
	if living.ID == "" || rent.ID == "" {
		t.Fatalf("the decisions' lines: %+v", lines)
	}

	// The proposal, as the officer who decided.
	body := w.mustPage("ekonom", "GET", "/payments", nil, false, http.StatusOK, "<h1>Utbetalningar att attestera</h1>",
		`href="/payments" aria-current="page">Utbetalningar</a>`, "Försörjningsstöd", "5 000 kr", "8 000 kr", "2026-03", "Emir Ekonom", "Du förberedde",
		`value="`+living.ID+`" aria-label="Markera utbetalningen till`, `<th scope="col">Belopp</th>`,
		"Attestera markerade", `href="/payments/lines/`+living.ID+`/stop"`, `<label for="payee-`+rent.ID+`">Välj betalningsmottagare</label>`,
		"Hyresvärd: Saknas", "Norrbo Bostäder AB", `form="payee-form-`+rent.ID+`"`)
	if strings.Contains(body, "Betalningskörningar") {
		t.Error("an officer is offered the payment runs")
	}
	events := len(w.caseEvents(caseID))
	w.mustPage("ekonom", "POST", "/payments/attest", url.Values{"lines": {living.ID}}, false, http.StatusUnprocessableEntity,
		`id="error-summary"`, "Du kan inte attestera en utbetalning som du själv har förberett eller beslutat.",
		`<a href="#payment-lines">Någon annan än den som förberett eller beslutat utbetalningen måste attestera den.</a>`,
		`value="`+living.ID+`" aria-label="Markera utbetalningen till `+living.PersonName+`: Försörjningsstöd 2026-03" checked`)
	w.mustPage("arbetsledare", "POST", "/payments/attest", url.Values{}, false, http.StatusUnprocessableEntity, "Välj vilka utbetalningar du vill attestera.")
	w.mustPage("arbetsledare", "POST", "/payments/attest", url.Values{"lines": {living.ID, rent.ID}}, false, http.StatusUnprocessableEntity,
		"Betalningsmottagare saknas.")
	if n := len(w.caseEvents(caseID)); n != events || w.caseLines(caseID)["living 2026-03"].Status != store.PaymentProposed {
		t.Fatalf("a refused attest wrote something: %d events, then %d", events, n)
	}

	// The landlord chosen from the register.
	payees := func(cat string) string {
		found, err := w.svc.SearchPayees(context.Background(), w.actor("ekonom"), service.PayeeSearch{Category: cat})
		if err != nil || len(found) == 0 {
			t.Fatalf("no %s in the register: %v", cat, err)
		}
		return found[0].ID
	}
	w.mustPage("ekonom", "POST", "/payments/lines/"+rent.ID+"/payee", url.Values{"payee_id": {payees("energy_company")}}, false,
		http.StatusUnprocessableEntity, "Betalningsmottagaren är av ett annat slag än utbetalningen.")
	w.mustPage("ekonom", "POST", "/payments/lines/"+rent.ID+"/payee", url.Values{"payee_id": {"ingen"}}, false,
		http.StatusUnprocessableEntity, "Betalningsmottagaren finns inte i registret.")
	w.mustPage("ekonom", "POST", "/payments/lines/"+rent.ID+"/payee", url.Values{"payee_id": {payees("landlord")}}, false,
		http.StatusOK, "Betalningsmottagaren är vald.")

	// The team lead attests both and proposes April.
	w.mustPage("arbetsledare", "GET", "/payments", nil, false, http.StatusOK, `href="/payments/runs">Betalningskörningar</a>`)
	w.mustPage("arbetsledare", "POST", "/payments/attest", url.Values{"lines": {living.ID, rent.ID}}, false, http.StatusOK,
		"2 utbetalningar är attesterade.", "Attesterade, väntar på betalningskörning", "Aina Arbetsledare")
	w.mustPage("ekonom", "GET", "/payments/runs", nil, false, http.StatusForbidden)
	w.mustPage("arbetsledare", "GET", "/payments/runs", nil, false, http.StatusOK, "<h1>Betalningskörningar</h1>",
		`<label for="month">Månad</label>`, `<label for="run-date">Betalningsdag</label>`, "2 attesterade utbetalningar väntar, sammanlagt 13 000 kr.",
		"Inga betalningskörningar är gjorda.")
	w.mustPage("arbetsledare", "POST", "/payments/month", url.Values{"unit_id": {"norra-omr"}, "month": {"april"}}, false,
		http.StatusUnprocessableEntity, `<a href="#month">Ange en månad som ÅÅÅÅ-MM.</a>`, `id="month-error"`, `value="april"`)
	w.mustPage("arbetsledare", "POST", "/payments/month", url.Values{"unit_id": {"norra-omr"}, "month": {"2026-04"}}, false,
		http.StatusOK, "1 utbetalning föreslogs för 2026-04.")
	w.mustPage("arbetsledare", "POST", "/payments/month", url.Values{"unit_id": {"norra-omr"}, "month": {"2026-04"}}, false,
		http.StatusOK, "0 utbetalningar föreslogs för 2026-04.")
	april := w.caseLines(caseID)["living 2026-04"]
	if april.ID == "" || april.Status != store.PaymentProposed {
		t.Fatalf("April's line: %+v", april)
	}

	// April stopped after a second step.
	w.mustPage("ekonom", "GET", "/payments/lines/"+april.ID+"/stop", nil, false, http.StatusOK, "<h1>Stoppa utbetalningen</h1>",
		"Ja, stoppa utbetalningen", `action="/payments/lines/`+april.ID+`/stop"`, "2026-04")
	w.mustPage("ekonom", "POST", "/payments/lines/"+april.ID+"/stop", url.Values{}, false, http.StatusOK, "Utbetalningen är stoppad.")
	w.mustPage("ekonom", "POST", "/payments/lines/"+april.ID+"/stop", url.Values{}, false, http.StatusConflict,
		"Bara en utbetalning som inte har skickats till banken kan stoppas.")
	if l := w.caseLines(caseID); l["living 2026-04"].Status != store.PaymentStopped || l["living 2026-04 stop"].Amount != -500000 {
		t.Fatalf("the stop: %+v", l)
	}

	// The run.
	w.mustPage("arbetsledare", "POST", "/payments/runs", url.Values{"execution_date": {"2026-03-01"}}, false, http.StatusUnprocessableEntity,
		`<a href="#run-date">`, `id="run-date-error"`, "Betalningsdagen är inte giltig.")
	status, runBody, runPath := w.page("arbetsledare", "POST", "/payments/runs", url.Values{"execution_date": {"2026-03-12"}}, false)
	if status != http.StatusOK || !strings.HasPrefix(runPath, "/payments/runs/") || !strings.Contains(runBody, "Betalningskörningen är skapad.") {
		t.Fatalf("the run: %d %s\n%s", status, runPath, mainOf(runBody))
	}
	for _, want := range []string{"13 000 kr", "Skickad till banken", `href="` + runPath + `/file"`, `href="` + runPath + `/bookkeeping"`,
		`<label for="report-file">Bankens statusrapport (XML-fil)</label>`, `enctype="multipart/form-data"`} {
		if !strings.Contains(runBody, want) {
			t.Errorf("the run's page lacks %q", want)
		}
	}
	w.mustPage("arbetsledare", "POST", "/payments/runs", url.Values{"execution_date": {"2026-03-12"}}, false, http.StatusUnprocessableEntity,
		"Inget är attesterat, så det finns inget att betala ut.")
	w.mustPage("arbetsledare", "GET", "/payments/runs", nil, false, http.StatusOK, `href="`+runPath+`"`, "2026-03-12", "13 000 kr")

	// The files.
	resp, file := w.get("arbetsledare", runPath+"/file")
	cd := resp.Header.Get("Content-Disposition")
	if resp.StatusCode != http.StatusOK || !regexp.MustCompile(`^attachment; filename="TRYGG-[0-9A-Za-z-]+\.xml"$`).MatchString(cd) ||
		!bytes.Contains(file, []byte("pain.001.001.10")) {
		t.Fatalf("the bank file: %d %q", resp.StatusCode, cd)
	}
	msgID := regexp.MustCompile(`<MsgId>([^<]+)</MsgId>`).FindSubmatch(file)[1]
	resp, book := w.get("arbetsledare", runPath+"/bookkeeping")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="bokforing-TRYGG-`) ||
		!bytes.Contains(book, []byte("4711")) {
		t.Fatalf("the bookkeeping file: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Disposition"), book)
	}
	if resp, _ := w.get("ekonom", runPath+"/file"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an officer downloads the bank file: %d", resp.StatusCode)
	}

	// The bank's answer.
	status, page := w.uploadTo("arbetsledare", runPath+"/status-report", "svar.xml", []byte("inte xml"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, `id="report-file-error"`) || !strings.Contains(page, `<a href="#report-file">`) ||
		!strings.Contains(page, "Filen är inte en statusrapport från banken (pain.002)") {
		t.Fatalf("a file that is not a status report: %d\n%s", status, mainOf(page))
	}
	answer := bankAnswer("BANK-1", string(msgID), map[string]string{
		strings.ReplaceAll(living.ID, "-", ""): "RJCT", strings.ReplaceAll(rent.ID, "-", ""): "ACSC"})
	status, page = w.uploadTo("arbetsledare", runPath+"/status-report", "svar.xml", answer)
	for _, want := range []string{"Statusrapporten är inläst.", "1 utbetald", "1 avvisad", "0 väntar på besked", "Avvisad av banken", "Kontot är avslutat."} {
		if status != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("the status report read: %d, lacks %q", status, want)
		}
	}
	status, page = w.uploadTo("arbetsledare", runPath+"/status-report", "svar.xml", answer)
	if status != http.StatusOK || !strings.Contains(page, "Den här statusrapporten var redan inläst. Inget ändrades.") {
		t.Errorf("the same report again: %d\n%s", status, mainOf(page))
	}

	// The officer's task, and the case page.
	w.mustPage("ekonom", "GET", "/inbox", nil, false, http.StatusOK,
		`<a href="/cases/`+caseID+`">Utbetalningen avvisades av banken: Försörjningsstöd 2026-03</a>`)
	w.mustPage("ekonom", "GET", "/cases/"+caseID, nil, false, http.StatusOK, `<h2 id="payments-h">Utbetalningar</h2>`,
		"Avvisad av banken", "Kontot är avslutat.", "Utbetald", "Stoppad", "Stopp (minusbelopp)", "−5 000 kr")
}

// paymentAuthzIDs gives the person a paying case in the unit, decided by
// the officer, its line attested by the team lead and sent in a run, and
// returns the line's and the run's ids for the tests that try every route
// as someone who may not see them. The person must have a payee.
func (w *packWorld) paymentAuthzIDs(officer, personID, unit string) map[string]string {
	w.t.Helper()
	w.svc.Payer = demoPayer(w.t)
	c := w.payingCase(officer, personID, unit, w.today(), false)
	var line string
	for _, l := range w.caseLines(c) {
		line = l.ID
	}
	ctx := context.Background()
	if err := w.svc.Attest(ctx, w.actor("arbetsledare"), []string{line}); err != nil {
		w.t.Fatal(err)
	}
	run, err := w.svc.CreateRun(ctx, w.actor("arbetsledare"), service.CreateRunInput{})
	if err != nil {
		w.t.Fatal(err)
	}
	return map[string]string{"lines": line, "line": line, "runs": run.ID}
}

// TestRunFindingsAndRepayPages has the mother's account changed just
// before the team lead attests and runs her income support: the run's
// page lists the control's finding in Swedish with the case's reference
// linking to the case, and no account number or name in the list. The
// bank rejects the payment; the case page offers "Betala igen" at the
// rejected line, the officer presses it, the line is proposed again, the
// button is gone and so is his task; pressing it again, on the case page
// or the run's, is refused at the line.
func TestRunFindingsAndRepayPages(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), 120)
	w.svc.Payer = demoPayer(t)
	ctx := context.Background()
	mother := w.journeyCase(demo.CaseType("eb")).PersonID
	caseID := w.payingCase("ekonom", mother, "norra-eb", "2026-03-01", false)
	living := w.caseLines(caseID)["living 2026-03"]
	payee, err := w.db.PersonPayee(ctx, demo.TenantID, mother)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ChangePayeeAccount(ctx, w.actor("ekonom"), payee.ID, service.AccountInput{Kind: "bankgiro", Number: "5050-1055"}); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Attest(ctx, w.actor("arbetsledare"), []string{living.ID}); err != nil {
		t.Fatal(err)
	}
	run, err := w.svc.CreateRun(ctx, w.actor("arbetsledare"), service.CreateRunInput{})
	if err != nil {
		t.Fatal(err)
	}
	runPath := "/payments/runs/" + run.ID
	ref := w.caseLines(caseID)["living 2026-03"].CaseReference
	page := w.mustPage("arbetsledare", "GET", runPath, nil, false, http.StatusOK, `<h2 id="findings-h">Kontroller</h2>`,
		"Kontot ändrades strax före utbetalningen", `<a href="/cases/`+caseID+`">`+ref+`</a>`,
		"Ändrat 0 dagar före attesten", "Att hantera")
	findings := page[strings.Index(page, `id="findings-h"`):strings.Index(page, `id="report-h"`)]
	name := w.demoPerson(mother)
	for _, secret := range []string{"5050", "1055", name.GivenName, name.FamilyName} {
		if strings.Contains(findings, secret) {
			t.Errorf("the run's findings show %q", secret)
		}
	}

	// The bank rejects it: "Betala igen" at the line, on the case page.
	answer := bankAnswer("BANK-1", run.MessageID, map[string]string{strings.ReplaceAll(living.ID, "-", ""): "RJCT"})
	if status, page := w.uploadTo("arbetsledare", runPath+"/status-report", "svar.xml", answer); status != http.StatusOK {
		t.Fatalf("the bank's answer: %d\n%s", status, mainOf(page))
	}
	repay := `action="/cases/` + caseID + `/payments/` + living.ID + `/repay"`
	w.mustPage("ekonom", "GET", "/cases/"+caseID, nil, false, http.StatusOK, "Avvisad av banken", repay,
		`aria-label="Betala igen Försörjningsstöd 2026-03"`)
	w.mustPage("arbetsledare", "GET", runPath, nil, false, http.StatusOK, `action="`+runPath+`/lines/`+living.ID+`/repay"`)
	w.mustPage("ekonom", "GET", "/inbox", nil, false, http.StatusOK, "Utbetalningen avvisades av banken: Försörjningsstöd 2026-03")
	page = w.mustPage("ekonom", "POST", "/cases/"+caseID+"/payments/"+living.ID+"/repay", url.Values{}, false, http.StatusOK,
		"Väntar på attest", "Avvisad av banken")
	if strings.Contains(page, repay) {
		t.Error("the line paid again still offers Betala igen")
	}
	v, err := w.svc.CasePayments(ctx, w.actor("arbetsledare"), caseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Lines) != 2 || v.Lines[0].Status != store.PaymentProposed || v.Lines[0].Replaces != living.ID {
		t.Fatalf("the line paid again: %+v", v.Lines)
	}
	if page := w.mustPage("ekonom", "GET", "/inbox", nil, false, http.StatusOK); strings.Contains(page, "Utbetalningen avvisades av banken") {
		t.Error("the rejection's task is still in the officer's inbox")
	}

	// Again: refused at the line, on both pages.
	w.mustPage("ekonom", "POST", "/cases/"+caseID+"/payments/"+living.ID+"/repay", url.Values{}, false, http.StatusConflict,
		`<p class="field-error" id="repay-`+living.ID+`-error" role="alert">Utbetalningen har redan gjorts om.</p>`)
	w.mustPage("arbetsledare", "POST", runPath+"/lines/"+living.ID+"/repay", url.Values{}, false, http.StatusConflict,
		`aria-describedby="repay-`+living.ID+`-error"`, `<p class="field-error" id="repay-`+living.ID+`-error" role="alert">Utbetalningen har redan gjorts om.</p>`)
}
