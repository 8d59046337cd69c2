package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/incomecheck"
)

// TestIncomeCheckOnTheCasePage: the officer of the economic-assistance
// case fetches the income details with a button beside the application (a
// POST, nothing in the URL) and reads the answer per agency with the sums,
// and a note for each income where the application says otherwise; an
// agency that did not answer is named. The log review reads the lookup
// with its legal ground. An officer of another unit is answered as for a
// case that does not exist, and a case type without the income check has
// no button.
func TestIncomeCheckOnTheCasePage(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC), 80)
	jc := w.journeyCase("ekonomiskt_bistand")
	c := jc.ID
	mother := w.demoPerson(jc.PersonID)
	file := incomecheck.NewFile()
	file.Now = func() time.Time { return time.Date(2026, 3, 9, 9, 30, 0, 0, time.UTC) }
	file.Add(incomecheck.Record{Identity: mother.Identity, Payments: []incomecheck.Payment{
		{Source: incomecheck.Forsakringskassan, Benefit: "child_allowance", From: "2025-01", Amount: 250000},
		{Source: incomecheck.Forsakringskassan, Benefit: "housing_allowance", From: "2026-01", Amount: 120000},
		{Source: incomecheck.UnemploymentFund, Benefit: "unemployment_insurance", From: "2026-03", To: "2026-03", Amount: 450000},
	}, Unanswered: []incomecheck.Source{incomecheck.CSN}})
	w.svc.Incomes = file

	action := `<form method="post" action="/cases/` + c + `/income-check#income-h">`
	w.mustPage("ekonom", "GET", "/cases/"+c, nil, false, http.StatusOK, "Inkomstuppgifter från andra myndigheter", action, "Hämta inkomstuppgifter")
	// Without the month applied for, the officer is told to fill it in.
	w.mustPage("ekonom", "POST", "/cases/"+c+"/income-check", url.Values{}, false, http.StatusUnprocessableEntity,
		"Fyll i vilken månad ansökan gäller innan du hämtar inkomstuppgifter.")
	w.fill("ekonom", c, "eb_ansokan", map[string]any{"month": "2026-03-01", "applied_for": []string{"forsorjningsstod"},
		"members":      []map[string]any{{"role": "single", "age": 34}, {"role": "child", "age": 12}},
		"housing_cost": 750000, "child_allowance": 250000, "unemployment_benefit": 300000})

	page := w.mustPage("ekonom", "POST", "/cases/"+c+"/income-check", url.Values{}, false, http.StatusOK,
		"Utbetalt för 2026-03, enligt svaret 2026-03-09 10:30.",
		"<strong class=\"tag warning\">Skiljer sig</strong> Ersättning från a-kassa eller aktivitetsstöd: ansökan anger 3 000 kr, myndigheterna 4 500 kr.",
		"<strong class=\"tag warning\">Skiljer sig</strong> Bostadsbidrag: ansökan anger 0 kr, myndigheterna 1 200 kr.",
		"Barnbidrag: 2 500 kr, samma som i ansökan.",
		"CSN svarade inte.",
		"<td>Försäkringskassan</td><td>Bostadsbidrag</td><td>2026-03</td><td>1 200 kr</td>",
		"Summa Försäkringskassan</th><td>3 700 kr</td>",
		"Summa A-kassan</th><td>4 500 kr</td>",
		"Summa alla myndigheter</th><td><strong>8 200 kr</strong></td>",
		action)
	main := mainOf(page)
	if strings.Index(main, `id="form-eb_ansokan"`) > strings.Index(main, `id="income-h"`) {
		t.Error("the income details are not beside (after) the application")
	}
	if strings.Contains(page, mother.Identity.String()) || strings.Contains(page, mother.Identity.Value) || identityInURL.MatchString(page) {
		t.Error("the page holds the identity number")
	}

	// The log review reads the lookup and its legal ground.
	w.mustPage("granskare", "GET", "/access-log", nil, false, http.StatusOK,
		"Hämtade inkomstuppgifter från andra myndigheter (inkomstkontroll)",
		"11 kap. 11–11 b §§ socialtjänstlagen (2001:453) och förordningen (2008:975)")

	// Another unit's officer: as for a case that does not exist.
	status, other, _ := w.page("handlaggare", "POST", "/cases/"+c+"/income-check", url.Values{}, false)
	missing, none, _ := w.page("handlaggare", "POST", "/cases/no-such-case/income-check", url.Values{}, false)
	if status != http.StatusNotFound || missing != http.StatusNotFound || mainOf(other) != mainOf(none) {
		t.Errorf("another unit's officer: %d\n%s\nwant as a missing case: %d\n%s", status, mainOf(other), missing, mainOf(none))
	}
	home := w.journeyCase("ibic_sol_aldre").ID
	if body := w.mustPage("handlaggare", "GET", "/cases/"+home, nil, false, http.StatusOK); strings.Contains(body, "Hämta inkomstuppgifter") {
		t.Error("a home-care case offers the income check")
	}
}
