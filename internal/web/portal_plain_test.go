package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/packs"
)

// A citizen never meets technical text: every page of Mina sidor a
// citizen can reach is read as they would read it, and must hold no
// English message of the engine or the services on a Swedish page, no
// raw error of the engine (a decision table's "no rule matches") in any
// language, no code of the definitions where a word belongs (an insats's
// code, a step's id, `single` or `child`), no UUID and no "−0 kr".

// plainWorld is what the scan knows: the codes of the definitions and the
// words of each language, and the English messages that must not reach a
// Swedish page.
type plainWorld struct {
	codes []string // the definitions' codes and ids
	// words are the Swedish words (lower case) of the definitions' and
	// the pages' texts; enWords the English and Swedish ones (Swedish
	// names and titles are shown on English pages too).
	words, enWords map[string]struct{}
	english        []string // fragments of the English messages
	rawError       []string // what the engine's errors say, in no language a citizen reads
}

var (
	uuidRE      = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	minusZeroRE = regexp.MustCompile(`[−-]\s?0(,00)?\s?kr`)
	wordRE      = regexp.MustCompile(`[\p{L}\p{N}_]+`)
	// templateRE cuts a message at its arguments: {{.X}}, %s, %[2]d, %q.
	templateRE = regexp.MustCompile(`\{\{[^}]*\}\}|%(\[\d+\])?[sdqv]`)
	// packTextRE finds the texts of the definitions by language.
	packTextRE = regexp.MustCompile(`\b(sv|en):\s*(?:"((?:[^"\\]|\\.)*)"|([^,}\n]+))`)
)

// loadPlainWorld reads the definitions shipped (packs and the demo city's)
// and the message files.
func loadPlainWorld(t *testing.T) plainWorld {
	t.Helper()
	pw := plainWorld{words: map[string]struct{}{}, enWords: map[string]struct{}{}}
	var files []process.File
	var sources []string
	for _, f := range packs.Files() {
		files = append(files, process.File{Name: f.Name, Data: []byte(f.Content)})
		sources = append(sources, f.Content)
	}
	for _, d := range demo.CityDefinitions() {
		files = append(files, process.File{Name: d.Name, Data: []byte(d.Content)})
		sources = append(sources, d.Content)
	}
	b, probs := process.Load(files)
	if len(probs) > 0 {
		t.Fatalf("loading the definitions: %v", probs)
	}
	codes := map[string]bool{}
	var addCodes func([]process.Code)
	addCodes = func(cs []process.Code) {
		for _, c := range cs {
			codes[c.Code.Value] = true
			addCodes(c.Children)
		}
	}
	for _, cs := range b.CodeSystems {
		codes[cs.ID.Value] = true
		addCodes(cs.Codes)
	}
	for _, ct := range b.CaseTypes {
		codes[ct.ID.Value] = true
		for _, s := range ct.Steps {
			codes[s.ID.Value] = true
		}
		for _, tr := range ct.Transitions {
			codes[tr.ID.Value] = true
		}
	}
	for _, f := range b.Forms {
		codes[f.ID.Value] = true
		for _, sec := range f.Sections {
			codes[sec.ID.Value] = true
			for _, fd := range sec.Fields {
				codes[fd.ID.Value] = true
			}
		}
	}
	for _, tb := range b.Tables {
		codes[tb.ID.Value] = true
	}
	// The values the services keep and the pages should say in words.
	for _, c := range []string{"open", "closed", "draft", "final", "signed", "granted", "refused", "partly_granted",
		"self", "guardian", "representative", "booked", "moved", "cancelled", "sent", "accepted", "returned", "ended",
		"took_part", "declined", "unable", "partly"} {
		codes[c] = true
	}
	for c := range codes {
		if c != "" {
			pw.codes = append(pw.codes, c)
		}
	}
	sort.Strings(pw.codes)

	// The words of each language: the definitions' texts and the pages'
	// messages.
	addWords := func(set map[string]struct{}, text string) {
		for _, w := range wordRE.FindAllString(text, -1) {
			set[strings.ToLower(w)] = struct{}{}
		}
	}
	for _, src := range sources {
		for _, m := range packTextRE.FindAllStringSubmatch(src, -1) {
			text := m[2] + m[3]
			if m[1] == "sv" {
				addWords(pw.words, text)
			}
			addWords(pw.enWords, text) // Swedish text (a unit's name, a title) is shown on English pages too
		}
	}
	for _, dir := range []string{"server", "portal"} {
		for _, lang := range []string{"sv", "en"} {
			for _, text := range messageTexts(t, "./"+dir+"/locales/"+lang+".yaml") {
				if lang == "sv" {
					addWords(pw.words, text)
				}
				addWords(pw.enWords, text)
			}
		}
	}

	// What must not reach a Swedish page: the engine's and the services'
	// English messages, cut at their arguments.
	var english []string
	english = append(english, messageTexts(t, "../process/locales/en.yaml")...)
	errs := map[string]any{}
	readYAML(t, "./server/locales/errors.sv.yaml", errs)
	for k := range errs {
		english = append(english, k)
	}
	seen := map[string]bool{}
	for _, m := range english {
		for _, frag := range templateRE.Split(m, -1) {
			frag = strings.TrimSpace(frag)
			if len([]rune(frag)) >= 12 && !seen[frag] {
				seen[frag] = true
				pw.english = append(pw.english, frag)
			}
		}
	}
	// What the engine's errors say as Go wrote them: technical in every
	// language.
	pw.rawError = []string{"no rule matches", "has no rules valid on", "decision table", "needs the input",
		"rules match, but only one may", "no such key", "no such overload", "no matching overload", "division by zero",
		"could not be computed", "Value could not", "internal error"}
	return pw
}

// readYAML reads a message file.
func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// messageTexts returns every text of a message file, each plural form
// apart.
func messageTexts(t *testing.T, path string) []string {
	t.Helper()
	m := map[string]any{}
	readYAML(t, path, m)
	var out []string
	for _, v := range m {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			for _, f := range x {
				if s, ok := f.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

var (
	scriptRE   = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>`)
	markupRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	spokenRE   = regexp.MustCompile(`(?i)\b(?:aria-label|title|alt|placeholder)="([^"]*)"`)
	hrefRE     = regexp.MustCompile(`(?i)<a\b[^>]*\bhref="([^"]*)"`)
	extractFor = regexp.MustCompile(`(?s)<form method="post" action="/portal/records/extract"[^>]*>.*?name="person_id" value="([^"]*)"`)
)

// readable is what a page says to its reader: its text (without markup,
// scripts or styles) and what a screen reader says from its attributes.
func readable(page string) string {
	page = scriptRE.ReplaceAllString(page, " ")
	var spoken []string
	for _, m := range spokenRE.FindAllStringSubmatch(page, -1) {
		spoken = append(spoken, m[1])
	}
	text := markupRE.ReplaceAllString(page, " ")
	return html.UnescapeString(text + " " + strings.Join(spoken, " "))
}

// problems returns what is technical in the text of a page in lang.
func (pw plainWorld) problems(text, lang string) []string {
	var out []string
	if m := uuidRE.FindString(text); m != "" {
		out = append(out, "a UUID: "+m)
	}
	if m := minusZeroRE.FindString(text); m != "" {
		out = append(out, "an amount of "+m)
	}
	lower := strings.ToLower(text)
	for _, e := range pw.rawError {
		if strings.Contains(lower, strings.ToLower(e)) {
			out = append(out, "an error of the engine: "+context40(text, lower, strings.ToLower(e)))
		}
	}
	if lang == "sv" {
		for _, e := range pw.english {
			if strings.Contains(text, e) {
				out = append(out, "English on a Swedish page: "+e)
			}
		}
	}
	words := pw.words
	if lang == "en" {
		words = pw.enWords
	}
	present := map[string]bool{}
	for _, w := range wordRE.FindAllString(text, -1) {
		present[w] = true
	}
	for _, c := range pw.codes {
		if !present[c] {
			continue
		}
		if _, word := words[strings.ToLower(c)]; word && !strings.Contains(c, "_") {
			continue // a word of the language, as its texts use it
		}
		out = append(out, "the code "+c+": "+context40(text, text, c))
	}
	return out
}

// context40 is the text around the first occurrence of what.
func context40(text, in, what string) string {
	i := strings.Index(in, what)
	if i < 0 {
		return what
	}
	from, to := max(0, i-40), min(len(text), i+len(what)+40)
	for from > 0 && !isStart(text[from]) {
		from--
	}
	for to < len(text) && !isStart(text[to]) {
		to++
	}
	return strings.Join(strings.Fields(text[from:to]), " ")
}

func isStart(b byte) bool { return b < 0x80 || b >= 0xC0 }

// citizenScan reads every page of Mina sidor reachable by links from
// /portal (and from starts) as user acting for forID in lang, and the
// register extracts offered there; it returns how many pages it read and
// the problems found, by path.
func (w *packWorld) citizenScan(pw plainWorld, user, forID, lang string, starts ...string) (int, map[string][]string) {
	w.t.Helper()
	fetch := func(method, path string, form url.Values) (int, string, string) {
		req := w.pageRequest(user, method, path, form, false)
		if forID != "" {
			req.AddCookie(&http.Cookie{Name: "trygg_for", Value: forID})
		}
		req.AddCookie(&http.Cookie{Name: "trygg_lang", Value: lang})
		resp, err := w.srv.Client().Do(req)
		if err != nil {
			w.t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	found := map[string][]string{}
	seen := map[string]bool{}
	queue := append([]string{"/portal"}, starts...)
	pages := 0
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		status, ctype, body := fetch("GET", path, nil)
		if !strings.HasPrefix(ctype, "text/html") {
			continue // a document the citizen attached
		}
		pages++
		if status != http.StatusOK {
			found[path] = append(found[path], "status "+http.StatusText(status))
		}
		if p := pw.problems(readable(body), lang); len(p) > 0 {
			found[path] = append(found[path], p...)
		}
		for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
			u, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/portal") || u.Query().Has("lang") {
				continue
			}
			u.Fragment = ""
			if !seen[u.String()] {
				queue = append(queue, u.String())
			}
		}
		for _, m := range extractFor.FindAllStringSubmatch(body, -1) {
			key := "extract " + m[1]
			if seen[key] {
				continue
			}
			seen[key] = true
			pages++
			_, _, x := fetch("POST", "/portal/records/extract", url.Values{"person_id": {m[1]}, "as": {"view"}})
			if p := pw.problems(readable(x), lang); len(p) > 0 {
				found["the register extract of "+m[1]] = p
			}
		}
	}
	return pages, found
}

// TestCitizenPagesSayNothingTechnical: journey 3's mother applies for
// economic assistance on Mina sidor (a rent contract attached), the
// officer decides it, and she starts next month's application; journey
// 1's daughter follows her mother's decided home care with its plan.
// Then every page each of them can reach from Mina sidor — for
// themselves and for each person they act for, in Swedish and in English,
// with the register extracts — is read as the citizen reads it, and none
// holds technical text.
func TestCitizenPagesSayNothingTechnical(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
			pw := loadPlainWorld(t)

			// Journey 3: the application, sent from Mina sidor and decided.
			const apply = "/portal/apply/ekonomiskt_bistand"
			if status, body := w.upload("invanare", "ekonomiskt_bistand", "hyreskontrakt.pdf", pdfFile); status != http.StatusOK {
				t.Fatalf("attaching: %d\n%s", status, mainOf(body))
			}
			app := ebApplication()
			app.Set("electricity", "450")
			app.Set("send", "1")
			status, _, receipt := w.page("invanare", "POST", apply, app, false)
			if status != http.StatusOK || !strings.HasPrefix(receipt, "/portal/applications/") {
				t.Fatalf("sending the application: %d, to %s", status, receipt)
			}
			var sent string
			cases, err := w.db.CasesOfPerson(context.Background(), demo.TenantID, w.journeyCase("ekonomiskt_bistand").PersonID)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				if c.ID != w.journeyCase("ekonomiskt_bistand").ID && c.CaseType == "ekonomiskt_bistand" {
					sent = c.ID
				}
			}
			if sent == "" {
				t.Fatal("the application opened no case")
			}
			w.move("ekonom", sent, "assess")
			w.decide("ekonom", sent, func(d *apiDecision) map[string]any {
				return map[string]any{"justification": "Hushållets behov enligt riksnormen och boendekostnaden överstiger inkomsterna."}
			})
			w.move("ekonom", sent, "decide")
			w.mustPage("ekonom", "POST", "/cases/"+sent+"/messages", url.Values{"body": {"Beslutet är klart."}}, false, http.StatusOK)
			// Next month's application, filled in but not sent: no income
			// this time.
			april := ebApplication()
			april.Set("month", "2026-04-01")
			april.Del("child_allowance")
			w.mustPage("invanare", "POST", apply, april, false, http.StatusOK)

			// Journey 1: the mother's home care, decided (the alarm
			// refused), ordered, planned and commented on.
			jc := w.journeyCase("ibic_sol_aldre")
			c := decidedHomeCare(t, w)
			w.investigateHomeCare(c, "Behöver hjälp i duschen.")
			final := w.decide("handlaggare", c, func(d *apiDecision) map[string]any {
				if d.Insats == "hemtjanst_omvardnad" {
					return map[string]any{"amount": 2400}
				}
				return map[string]any{"outcome": "refused", "amount": 0, "justification": "Du klarar larmet med grannens hjälp.",
					"appeal_notice": "Skriv till socialnämnden och tala om vilket beslut du vill ändra."}
			})
			prov := w.registerProvider(map[string]any{"name": "Testomsorg Norr AB", "kind": "external", "org_number": "5598765435",
				"insatser": []string{"hemtjanst_omvardnad"}, "areas": []string{"norra-omr"}})
			w.providerStaff("omsorg.anna", prov)
			for _, d := range final {
				if d.Outcome == "granted" {
					w.call("handlaggare", "PUT", "/api/v1/cases/"+c+"/decisions/"+d.ID+"/provider", map[string]string{"provider_id": prov}, http.StatusOK, nil)
				}
			}
			w.move("handlaggare", c, "order")
			var list struct{ Orders []apiOrder }
			w.call("omsorg.anna", "GET", "/api/v1/orders", nil, http.StatusOK, &list)
			if len(list.Orders) != 1 {
				t.Fatalf("orders: %+v", list.Orders)
			}
			order := list.Orders[0].ID
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+order+"/acceptance", map[string]string{"start_date": w.today()}, http.StatusOK, nil)
			w.call("omsorg.anna", "POST", "/api/v1/orders/"+order+"/plans", map[string]any{"participation": "took_part", "items": []map[string]any{
				{"goal": 0, "activity": "Hjälp i duschen", "when": "tisdag och fredag morgon", "who": "hemtjänsten"},
				{"goal": 1, "activity": "Stöd med strumporna", "when": "varje morgon", "who": "hemtjänsten"}}}, http.StatusCreated, nil)
			w.mustPortal("dotter", jc.PersonID, "POST", "/portal/cases/"+c+"/comments",
				url.Values{"order": {order}, "goal": {"0"}, "body": {"Mamma vill hellre duscha på kvällen."}}, http.StatusSeeOther)

			type who struct {
				user, forID, as string
				starts          []string
			}
			var people []who
			for _, user := range []string{"invanare", "dotter"} {
				var starts []string
				if user == "invanare" {
					starts = []string{receipt} // where sending led
				}
				people = append(people, who{user, "", "herself", starts})
				for _, id := range w.citizenSubjects(user) {
					people = append(people, who{user, id, "for " + id, nil})
				}
			}
			total := 0
			for _, p := range people {
				for _, lang := range []string{"sv", "en"} {
					n, found := w.citizenScan(pw, p.user, p.forID, lang, p.starts...)
					total += n
					paths := make([]string, 0, len(found))
					for path := range found {
						paths = append(paths, path)
					}
					slices.Sort(paths)
					for _, path := range paths {
						t.Errorf("%s acting %s, in %s: %s: %s", p.user, p.as, lang, path, strings.Join(found[path], "; "))
					}
				}
			}
			if total < 40 {
				t.Errorf("only %d pages read: the scan does not reach Mina sidor's pages", total)
			}
		})
	}
}
