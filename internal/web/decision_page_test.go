package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDecisionPageEconomicAssistance: the officer's decision page for
// economic assistance. The amount is the calculation's (shown in kronor,
// not typed); a refused cost is marked in the calculation and makes the
// decision partly granted with the standard appeal notice prefilled; the
// letter and Mina sidor say the same amount, in kronor; closing the case
// is not a main button.
func TestDecisionPageEconomicAssistance(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC), 80)
	jc := w.journeyCase("ekonomiskt_bistand")
	c := jc.ID
	values := map[string]any{"month": "2026-03-01", "applied_for": []string{"forsorjningsstod"},
		"members":      []map[string]any{{"role": "single", "age": 34}, {"role": "child", "age": 12}},
		"housing_cost": 750000, "electricity": 45000, "child_allowance": 125000}
	w.fill("ekonom", c, "eb_ansokan", values)
	body := w.mustPage("ekonom", "GET", "/cases/"+c, nil, false, http.StatusOK, `<ul class="actions closing">`)
	main, closing, _ := strings.Cut(mainOf(body), `<ul class="actions closing">`)
	if !strings.Contains(closing, `class="secondary">Avsluta</button>`) || strings.Contains(main, ">Avsluta</button>") {
		t.Errorf("Avsluta is not apart as a secondary button:\n%s", mainOf(body))
	}
	w.move("ekonom", c, "assess")

	// The officer refuses the electricity in the application and signs it
	// again: the draft follows.
	values["refused_costs"] = []string{"electricity"}
	w.fill("ekonom", c, "eb_ansokan", values)
	d := w.decisions("ekonom", c)[0]
	dpath := "/cases/" + c + "/decisions/" + d.ID
	page := w.mustPage("ekonom", "GET", dpath, nil, false, http.StatusOK,
		`value="partly" checked`, "Hushållsel: 450 kr (avslag)", "Beloppet är beräkningens.",
		"Om du inte är nöjd med beslutet kan du överklaga det till förvaltningsrätten.", `data-appeal-texts="`)
	amount := "15 980 kr" // 16 430 kr less the electricity, 450 kr
	if !strings.Contains(page, `<span id="amount-text">`+amount+`</span>`) || strings.Contains(page, `id="amount"`) {
		t.Errorf("the amount is shown as the calculation's %s, not typed:\n%s", amount, mainOf(page))
	}
	// The appeal notice is prefilled in the field, editable.
	if !strings.Contains(html.UnescapeString(page), `aria-describedby="appeal-hint" data-appeal-texts=`) {
		t.Errorf("the appeal field carries the standard texts:\n%s", mainOf(page))
	}
	form := url.Values{"insats": {d.Insats}, "outcome": {"partly"}, "legal_basis": {d.LegalBasis}, "valid_from": {"2026-03-01"},
		"justification": {"Hushållsel ingår i riksnormen."}, "appeal_notice": {d.AppealNotice}, "finalise": {"1"}}
	w.mustPage("ekonom", "POST", dpath, form, false, http.StatusOK, "<dt>Belopp</dt><dd>"+amount+"</dd>", "Hushållsel: 450 kr (avslag)")
	letter := w.mustPage("ekonom", "GET", dpath+"/letter", nil, false, http.StatusOK,
		`Du beviljas delvis <strong>Försörjningsstöd</strong> med <strong class="amount">`+amount+`</strong> från 2026-03-01.`,
		"Beräknat bistånd: "+amount, "Så överklagar du", "förvaltningsrätten")
	if strings.Contains(letter, " öre") || strings.Contains(letter, "1598000") {
		t.Errorf("the letter shows öre:\n%s", mainOf(letter))
	}
	portal := w.mustPortal("invanare", jc.PersonID, "GET", "/portal/cases/"+c, nil, http.StatusOK,
		`med <strong class="amount">`+amount+`</strong>`, "Hushållsel: 450 kr (avslag)", "Beräknat bistånd: "+amount)
	// The letter and Mina sidor show the stored calculation line by line,
	// every line the same, the refused one marked.
	stored := w.decisions("ekonom", c)[0].Calculation
	lines := strings.Split(stored, "\n")
	if len(lines) < 13 || !strings.Contains(stored, "(avslag)") {
		t.Fatalf("the stored calculation: %q", stored)
	}
	for _, line := range lines {
		esc := html.EscapeString(line)
		if !strings.Contains(letter, esc) {
			t.Errorf("the letter lacks the calculation's line %q", line)
		}
		if !strings.Contains(portal, esc) {
			t.Errorf("Mina sidor lacks the calculation's line %q", line)
		}
	}
}

// TestDecisionPageProposals: a decision page starts with what the case
// already knows: the dates of the case's other decisions, and for a
// refusal the standard appeal notice of the legal basis.
func TestDecisionPageProposals(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), 80)
	c := w.journeyCase("ibic_sol_aldre").ID
	w.applyForHomeCare(c)
	w.investigateHomeCare(c, "Behöver hjälp i duschen.")
	dec := map[string]string{}
	for _, d := range w.decisions("handlaggare", c) {
		dec[d.Insats] = d.ID
	}
	home := "/cases/" + c + "/decisions/" + dec["hemtjanst_omvardnad"]
	w.mustPage("handlaggare", "POST", home, url.Values{"insats": {"hemtjanst_omvardnad"}, "outcome": {"granted"}, "legal_basis": {"SoL 4 kap. 1 §"},
		"valid_from": {"2026-01-12"}, "valid_to": {"2026-07-31"}, "amount": {"24"}, "justification": {"Behöver hjälp."}}, false, http.StatusOK)
	alarm := "/cases/" + c + "/decisions/" + dec["trygghetslarm"]
	w.mustPage("handlaggare", "GET", alarm, nil, false, http.StatusOK, `id="valid_from" name="valid_from" value="2026-01-12"`,
		`id="valid_to" name="valid_to" value="2026-07-31"`, "Samma datum som beslutet om Hemtjänst – personlig omvårdnad.")
	w.mustPage("handlaggare", "POST", alarm, url.Values{"insats": {"trygghetslarm"}, "outcome": {"refused"}, "legal_basis": {"SoL 4 kap. 1 §"},
		"valid_from": {"2026-01-12"}, "justification": {"Grannen hjälper till."}}, false, http.StatusOK,
		`value="refused" checked`, ">Om du inte är nöjd med beslutet kan du överklaga det till förvaltningsrätten.")
}

// TestHouseholdOnThePages: the economic-assistance application proposes
// the household the registry knows, in Swedish, each member ticked to
// confirm, on the officer's case page and on the citizen's application;
// confirming adds the rows, which read in Swedish, never as codes.
func TestHouseholdOnThePages(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC), 80)
	jc := w.journeyCase("ekonomiskt_bistand")
	c := jc.ID
	body := w.mustPage("ekonom", "GET", "/cases/"+c, nil, false, http.StatusOK,
		"Förslag från folkbokföringen", `name="members._household"`, "34 år – Ensamstående", "12 år – Barn (0–20 år, bor hemma)",
		"4 år – Barn (0–20 år, bor hemma)", `name="add_household" value="members"`)
	// The boxes as the page has them, all ticked: confirmed at once.
	post := url.Values{"add_household": {"members"}, "month": {"2026-03-01"}}
	for _, m := range regexp.MustCompile(`name="members\._household" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		post.Add("members._household", html.UnescapeString(m[1]))
	}
	if len(post["members._household"]) != 3 {
		t.Fatalf("proposed rows: %v", post["members._household"])
	}
	// The officer leaves the twelve-year-old out.
	post["members._household"] = append(post["members._household"][:1], post["members._household"][2])
	frag := w.mustPage("ekonom", "POST", "/cases/"+c+"/forms/eb_ansokan", post, true, http.StatusOK,
		"34 år", "Ensamstående, 34 år", "Barn (0–20 år, bor hemma), 4 år")
	for _, bad := range []string{"Förslag från folkbokföringen", "single,", "child,", "12 år"} {
		if strings.Contains(frag, bad) {
			t.Errorf("after confirming, the form shows %q:\n%s", bad, frag)
		}
	}
	// The citizen's application proposes the same household.
	w.mustPortal("invanare", jc.PersonID, "GET", "/portal/apply/ekonomiskt_bistand?step=household", nil, http.StatusOK,
		"Förslag från folkbokföringen", "34 år – Ensamstående", "4 år – Barn (0–20 år, bor hemma)")
}

// TestDecisionPageCount: a case type whose amounts count items (the
// default) asks for "Antal" and reads "2 st".
func TestDecisionPageCount(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC), 80)
	c := w.journeyCase("bbic_barn").ID
	page := w.mustPage("utredare", "POST", "/cases/"+c+"/decisions", url.Values{"insats": {"kontaktperson_barn"}}, false, http.StatusOK,
		`<label for="amount">Antal</label>`, "Skriv ett heltal, till exempel 3.")
	if strings.Contains(page, `class="unit"`) {
		t.Errorf("a count has no unit beside it:\n%s", mainOf(page))
	}
}
