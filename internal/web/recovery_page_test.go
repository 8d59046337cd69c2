package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/store"
)

// TestRecoveryPages: the economic-assistance case page has a section
// Återkrav; the officer decides a recovery on the recovery page (above
// the delegation refused, a missing reason shown at its field with what
// was typed and ticked; the legal bases named as the pack names them; the
// case's paid payments offered as checkboxes, a proposed one not), registers a repayment (an overpayment refused at the
// amount field), and the case page shows the balance; an elderly-care
// case has no such section, and an officer of another unit reaches no
// recovery page.
func TestRecoveryPages(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
	c := w.journeyCase("ekonomiskt_bistand").ID
	w.mustPage("ekonom", "GET", "/cases/"+c, nil, false, http.StatusOK,
		`<h2 id="recovery-h">Återkrav</h2>`, "Inga beslut om återkrav finns i ärendet.",
		`href="/cases/`+c+`/recovery">Besluta om återkrav eller registrera återbetalningar`)
	if body := w.mustPage("handlaggare", "GET", "/cases/"+w.journeyCase("ibic_sol_aldre").ID, nil, false, http.StatusOK); strings.Contains(body, `id="recovery-h"`) {
		t.Error("an elderly-care case page shows recovery")
	}
	w.mustPage("handlaggare", "GET", "/cases/"+c+"/recovery", nil, false, http.StatusNotFound)
	w.mustPage("ekonom", "GET", "/cases/"+c+"/recovery", nil, false, http.StatusOK,
		"<h1>Återkrav</h1>", `<h2 id="decide-h">Besluta om återkrav</h2>`, `name="legal_basis" value="sol_9_1" checked`,
		"SoL 9 kap. 2 § – utbetalt som förskott", "Inga utbetalningar i ärendet har betalats ut än.")
	lines := w.paymentLines(c, store.PaymentPaid, store.PaymentPaid, store.PaymentProposed)
	page := w.mustPage("ekonom", "GET", "/cases/"+c+"/recovery", nil, false, http.StatusOK,
		"<legend>Gäller utbetalningarna</legend>",
		`name="payment" value="`+lines[0]+`"> Försörjningsstöd för 2026-01: 10 000 kr, betalningsdag 2026-01-25</label>`,
		`name="payment" value="`+lines[1]+`"> Försörjningsstöd för 2026-02`)
	if strings.Contains(page, lines[2]) {
		t.Error("a payment not yet paid is offered")
	}

	path := "/cases/" + c + "/recovery"
	w.mustPage("ekonom", "POST", path, url.Values{"amount": {"2 500"}, "legal_basis": {"sol_9_2"}, "reason": {""}, "payment": {lines[1]}}, false,
		http.StatusUnprocessableEntity, `id="recovery-reason-error"`, "Skriv varför beloppet ska betalas tillbaka.", `value="2 500"`,
		`value="sol_9_2" checked`, `value="`+lines[1]+`" checked`)
	w.mustPage("ekonom", "POST", path, url.Values{"amount": {"2 500"}, "legal_basis": {"sol_9_1"}, "reason": {"x"}, "payment": {lines[2]}}, false,
		http.StatusUnprocessableEntity, `id="recovery-payments-error">Välj bland ärendets utbetalningar som har betalats ut.`)
	w.mustPage("ekonom", "POST", path, url.Values{"amount": {"40 000"}, "legal_basis": {"sol_9_1"}, "reason": {"För mycket"}}, false,
		http.StatusForbidden, "Du har inte delegation att besluta om återkrav av det här beloppet.")
	body := w.mustPage("ekonom", "POST", path, url.Values{"amount": {"2 500 kr"}, "legal_basis": {"sol_9_1"},
		"reason": {"Hyran för mars betalades två gånger."}, "payment": {lines[0], lines[1]}}, false, http.StatusOK,
		"Beslutet om återkrav är fattat.", "Återkrav beslutat 2026-03-02", "Hyran för mars betalades två gånger.",
		"<dd><strong>2 500 kr</strong></dd>", "Registrera en återbetalning", "<dd>SoL 9 kap. 1 § – utbetalt på grund av oriktiga uppgifter",
		"<dt>Gäller utbetalningar</dt><dd>2 utbetalningar</dd>")
	m := regexp.MustCompile(`action="/cases/[^/"]+/recovery/([^/"]+)/repayments"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no repayment form:\n%s", body)
	}
	debt := m[1]
	repay := path + "/" + debt + "/repayments"
	w.mustPage("ekonom", "POST", repay, url.Values{"date": {"2026-03-01"}, "amount": {"2 600"}}, false,
		http.StatusUnprocessableEntity, `id="repay-amount-`+debt+`-error"`, "Beloppet är större än det som är kvar av skulden.", `value="2 600"`)
	w.mustPage("ekonom", "POST", repay, url.Values{"date": {"2026-03-09"}, "amount": {"100"}}, false,
		http.StatusUnprocessableEntity, `id="repay-date-`+debt+`-error"`)
	w.mustPage("ekonom", "POST", repay, url.Values{"date": {"2026-03-01"}, "amount": {"1000,50"}}, false, http.StatusOK,
		"Återbetalningen är registrerad.", "<strong>2026-03-01</strong><span>1 000,50 kr</span>", "<dd><strong>1 499,50 kr</strong></dd>")
	w.mustPage("ekonom", "GET", "/cases/"+c, nil, false, http.StatusOK, "Belopp: 2 500 kr · Kvar att betala: 1 499,50 kr")
	w.mustPage("handlaggare", "POST", repay, url.Values{"date": {"2026-03-01"}, "amount": {"1"}}, false, http.StatusNotFound)
	if n := w.eventCount("recovery.repayment_registered"); n != 1 {
		t.Errorf("%d repayment events, want 1", n)
	}
}

// recoveryDebt puts a recovery debt of 100 kr on the case straight into
// the store (a case of any type), for the tests of routes that name one,
// and returns its id.
func (w *packWorld) recoveryDebt(caseID string) string {
	w.t.Helper()
	ctx := context.Background()
	c, err := w.db.CaseByID(ctx, demo.TenantID, caseID)
	if err != nil {
		w.t.Fatal(err)
	}
	d := store.RecoveryDebt{ID: "debt-" + caseID, CaseID: c.ID, PersonID: c.PersonID, Amount: 10000, Reason: "x",
		LegalBasis: "sol_9_1", DecidedBy: "system"}
	if err := w.db.Update(ctx, func(tx *store.Tx) error { return tx.InsertRecoveryDebt(ctx, demo.TenantID, d) }); err != nil {
		w.t.Fatal(err)
	}
	return d.ID
}

// paymentLines puts payment lines of 10 000 kr of the case, with the
// statuses, straight into the store under a final decision, one a month
// from January 2026 (due the 25th), and returns their ids.
func (w *packWorld) paymentLines(caseID string, statuses ...string) []string {
	w.t.Helper()
	ctx := context.Background()
	c, err := w.db.CaseByID(ctx, demo.TenantID, caseID)
	if err != nil {
		w.t.Fatal(err)
	}
	var ids []string
	err = w.db.Update(ctx, func(tx *store.Tx) error {
		d := store.Decision{ID: "decision-" + caseID, CaseID: c.ID, Insats: "forsorjningsstod", Outcome: "granted",
			LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-01-01", Amount: 1_000_000, Justification: "x", Status: "draft", DraftedBy: "system"}
		if err := tx.SaveDecisionDraft(ctx, demo.TenantID, d); err != nil {
			return err
		}
		if err := tx.FinaliseDecision(ctx, demo.TenantID, d.ID, "system", "2026-01-22"); err != nil {
			return err
		}
		for i, st := range statuses {
			month := fmt.Sprintf("2026-%02d", i+1)
			l := store.PaymentLine{ID: "line-" + caseID + "-" + month, CaseID: c.ID, DecisionID: d.ID, PersonID: c.PersonID,
				UnitID: c.UnitID, CaseType: c.CaseType, Item: "living", ItemName: "Försörjningsstöd", Schedule: "monthly", Period: month,
				PayeeCategory: "person", Amount: 1_000_000, DueDate: month + "-25", Status: st, PreparedBy: "system"}
			if _, err := tx.InsertPaymentLine(ctx, demo.TenantID, l); err != nil {
				return err
			}
			ids = append(ids, l.ID)
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return ids
}
