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
)

// TestPayeePages: from the person page the officer reaches the journey-3
// mother's payee, changes her account (a clearing number no bank has and
// a wrong Bankgiro check digit refused in Swedish, next to their fields
// and in the error summary, nothing written), and sees the change waiting
// in the log; the team lead reviews it on "Kontoändringar att granska",
// where her own change has no button; an organisation is registered from
// the list. No account number is ever in a URL (they are posted).
func TestPayeePages(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), 120)
	mother := w.journeyCase(demo.CaseType("eb")).PersonID
	var bodies []string
	page := func(user, method, path string, form url.Values, want int, contains ...string) string {
		t.Helper()
		b := w.mustPage(user, method, path, form, false, want, contains...)
		bodies = append(bodies, b)
		return b
	}
	page("ekonom", "GET", "/persons/"+mother, nil, http.StatusOK, `href="/persons/`+mother+`/payee">Betalningsmottagare</a>`)
	status, body, final := w.page("ekonom", "GET", "/persons/"+mother+"/payee", nil, false)
	if status != http.StatusOK || !strings.HasPrefix(final, "/payees/") || !strings.Contains(body, "Kontoändringar") {
		t.Fatalf("the person's payee link: %d %s", status, final)
	}
	payeePath := final
	page("ekonom", "GET", payeePath, nil, http.StatusOK, "<h1>", "Bankkonto", "(SEB)", `action="`+payeePath+`/account"`,
		`<label for="acc-kind">Typ av konto</label>`, `<label for="acc-clearing">Clearingnummer</label>`)

	changes := func() int {
		v, err := w.svc.Payee(context.Background(), w.actor("ekonom"), strings.TrimPrefix(payeePath, "/payees/"))
		if err != nil {
			t.Fatal(err)
		}
		return len(v.Changes)
	}
	before := changes()
	page("ekonom", "POST", payeePath+"/account", url.Values{"kind": {"bank_account"}, "clearing_number": {"1000"}, "account_number": {"1234567"}},
		http.StatusUnprocessableEntity, `<a href="#acc-clearing">Ingen bank har clearingnummer 1000.</a>`,
		`id="acc-clearing-error">Ingen bank har clearingnummer 1000.`, `aria-invalid="true"`, "Kontonumret är inte giltigt.")
	page("ekonom", "POST", payeePath+"/account", url.Values{"kind": {"bankgiro"}, "account_number": {"5402-9682"}},
		http.StatusUnprocessableEntity, `id="acc-number-error">Kontrollsiffran stämmer inte. Kontrollera numret.`)
	if changes() != before {
		t.Fatal("a refused change was written")
	}
	page("ekonom", "POST", payeePath+"/account", url.Values{"kind": {"bankgiro"}, "account_number": {"5402-9681"}},
		http.StatusOK, "Kontot är ändrat. Ändringen väntar på granskning.", "5402-9681", "Väntar på granskning", "Emir Ekonom")

	// The team lead's review: the officer's change has a button.
	review := page("arbetsledare", "GET", "/payees/review", nil, http.StatusOK, "Kontoändringar att granska", "5402-9681", "Ändrat av Emir Ekonom")
	i := strings.Index(review, "5402-9681")
	j := strings.LastIndex(review[:i], `<li class="row">`)
	k := strings.Index(review[i:], `</li>`)
	row := review[j : i+k]
	start := strings.Index(row, `action="/payees/changes/`)
	if start < 0 {
		t.Fatalf("no review button on the officer's change:\n%s", row)
	}
	action := row[start+len(`action="`):]
	action = action[:strings.Index(action, `"`)]
	page("ekonom", "POST", action, url.Values{}, http.StatusForbidden, "Bara en arbetsledare granskar")
	page("arbetsledare", "POST", action, url.Values{}, http.StatusOK, "Ändringen är granskad.")
	page("ekonom", "GET", payeePath, nil, http.StatusOK, "Aina Arbetsledare")

	// An organisation registered from the list, by the team lead; her
	// own registration has no button on her review page.
	page("arbetsledare", "GET", "/payees", nil, http.StatusOK, "Norrbo Bostäder AB", "Norra Energi AB", `href="/payees/new"`)
	page("arbetsledare", "POST", "/payees", url.Values{"category": {"landlord"}, "name": {""}, "org_number": {"556036-0794"},
		"kind": {"bankgiro"}, "account_number": {"5402-9681"}}, http.StatusUnprocessableEntity,
		`<a href="#payee-name">Skriv namnet, högst 70 tecken, som banken ska visa det.</a>`, `id="payee-org-error"`)
	page("arbetsledare", "POST", "/payees", url.Values{"category": {"landlord"}, "name": {"Södra Hem AB"}, "org_number": {"556036-0793"},
		"kind": {"bankgiro"}, "account_number": {"5402-9681"}}, http.StatusOK, "Betalningsmottagaren är registrerad.", "556036-0793")
	page("arbetsledare", "GET", "/payees/review", nil, http.StatusOK, "Södra Hem AB", "Din ändring: någon annan granskar")
	page("arbetsledare", "GET", "/payees?q=s%C3%B6dra", nil, http.StatusOK, "1 betalningsmottagare", "Södra Hem AB")

	for _, b := range bodies {
		for _, n := range []string{"5402-9681", "54029681"} {
			if strings.Contains(b, "?"+n) || strings.Contains(b, "="+n+"&") {
				t.Errorf("an account number in a URL")
			}
		}
	}
}

// payeeAuthzIDs registers the person's payee as the officer who may read
// her and returns its id and its account change's, for the tests that try
// every route as someone who may not see them.
func (w *packWorld) payeeAuthzIDs(personID string) map[string]string {
	w.t.Helper()
	ctx := context.Background()
	y, err := w.svc.RegisterPayee(ctx, w.actor("handlaggare"), service.PayeeInput{Category: "person", PersonID: personID,
		AccountInput: service.AccountInput{Kind: "bankgiro", Number: "5402-9681"}})
	if err != nil {
		w.t.Fatal(err)
	}
	v, err := w.svc.Payee(ctx, w.actor("handlaggare"), y.ID)
	if err != nil || len(v.Changes) == 0 {
		w.t.Fatal(err)
	}
	return map[string]string{"payees": y.ID, "changes": v.Changes[0].ID}
}
