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
	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/store"
)

// TestRecoveryPages: the economic-assistance case page has a section
// Återkrav; the officer decides a recovery on the recovery page (above
// the delegation refused, a missing reason shown at its field with what
// was typed), registers a repayment (an overpayment refused at the
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
		"SoL 9 kap. 2 §")

	path := "/cases/" + c + "/recovery"
	w.mustPage("ekonom", "POST", path, url.Values{"amount": {"2 500"}, "legal_basis": {"sol_9_2"}, "reason": {""}}, false,
		http.StatusUnprocessableEntity, `id="recovery-reason-error"`, "Skriv varför beloppet ska betalas tillbaka.", `value="2 500"`,
		`value="sol_9_2" checked`)
	w.mustPage("ekonom", "POST", path, url.Values{"amount": {"40 000"}, "legal_basis": {"sol_9_1"}, "reason": {"För mycket"}}, false,
		http.StatusForbidden, "Du har inte delegation att besluta om återkrav av det här beloppet.")
	body := w.mustPage("ekonom", "POST", path, url.Values{"amount": {"2 500 kr"}, "legal_basis": {"sol_9_1"},
		"reason": {"Hyran för mars betalades två gånger."}}, false, http.StatusOK,
		"Beslutet om återkrav är fattat.", "Återkrav beslutat 2026-03-02", "Hyran för mars betalades två gånger.",
		"<dd><strong>2 500 kr</strong></dd>", "Registrera en återbetalning")
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
		LegalBasis: payments.RecoveryWronglyPaid, DecidedBy: "system"}
	if err := w.db.Update(ctx, func(tx *store.Tx) error { return tx.InsertRecoveryDebt(ctx, demo.TenantID, d) }); err != nil {
		w.t.Fatal(err)
	}
	return d.ID
}
