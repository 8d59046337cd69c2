package web_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/packs"
)

// designerPage sends a page request as the demo user, a form when form is
// not nil, without following redirects, and returns the status, the
// Location header and the body.
func designerPage(w *packWorld, user, method, path string, form url.Values, htmx bool) (int, string, string) {
	w.t.Helper()
	req := w.pageRequest(user, method, path, form, htmx)
	client := *w.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// designerDraftForm is the editor's form with the files given as name, content
// pairs.
func designerDraftForm(files ...string) url.Values {
	f := url.Values{}
	for i := 0; i+1 < len(files); i += 2 {
		f.Add("name", files[i])
		// Browsers send a textarea's line breaks as CRLF.
		f.Add("content", strings.ReplaceAll(files[i+1], "\n", "\r\n"))
	}
	return f
}

// designerVersionFiles are a published version's files as name, content
// pairs.
func designerVersionFiles(w *packWorld, version string) []string {
	w.t.Helper()
	var v struct {
		Files []struct{ Name, Content string }
	}
	w.call("designer", "GET", "/api/v1/definitions/"+version, nil, http.StatusOK, &v)
	var out []string
	for _, f := range v.Files {
		out = append(out, f.Name, f.Content)
	}
	return out
}

// TestDesignerPages: the process designer's pages, as the designer and as
// others see them.
func TestDesignerPages(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC), 20)
			var files []process.File
			for _, f := range packs.Files() {
				files = append(files, process.File{Name: f.Name, Data: []byte(f.Content)})
			}
			b, probs := process.Load(files)
			if len(probs) > 0 {
				t.Fatal(probs)
			}
			var bbic *process.CaseType
			for _, ct := range b.CaseTypes {
				if ct.ID.Value == "bbic_barn" {
					bbic = ct
				}
			}
			if bbic == nil {
				t.Fatal("no bbic_barn in the packs")
			}
			v1 := designerVersionFiles(w, "1")
			// run runs a subtest with the world failing it, not its parent.
			run := func(name string, fn func(t *testing.T)) {
				t.Run(name, func(t *testing.T) {
					parent := w.t
					w.t = t
					defer func() { w.t = parent }()
					fn(t)
				})
			}

			run("others are refused", func(t *testing.T) {
				for _, user := range []string{"handlaggare", "admin", "granskare"} {
					for _, rq := range []struct {
						method, path string
						form         url.Values
					}{
						{"GET", "/designer", nil},
						{"GET", "/designer/draft", nil},
						{"POST", "/designer/draft", designerDraftForm("a.yaml", "kind: form\n")},
						{"POST", "/designer/draft/validation", designerDraftForm("a.yaml", "kind: form\n")},
						{"POST", "/designer/draft/publication", designerDraftForm("a.yaml", "kind: form\n")},
						{"GET", "/designer/versions/1/case-types/bbic_barn", nil},
						{"GET", "/designer/diff?from=1&to=1", nil},
					} {
						status, _, body := designerPage(w, user, rq.method, rq.path, rq.form, false)
						if status != http.StatusForbidden || !strings.Contains(body, "<h1>Något gick fel</h1>") {
							t.Errorf("%s %s %s: status %d, want the error page with 403", user, rq.method, rq.path, status)
						}
					}
				}
			})

			run("start page", func(t *testing.T) {
				status, _, body := designerPage(w, "designer", "GET", "/designer", nil, false)
				want := []string{"<h1>Processer</h1>", `href="/designer/draft"`, "Ärendetyper i version 1",
					`href="/designer/versions/1/case-types/bbic_barn"`, html.EscapeString(bbic.Name.SV),
					"Publicerade versioner", `<th scope="row">1</th>`, "Vera Verksamhetsutvecklare", `aria-current="page"`}
				if status != http.StatusOK || !designerHasAll(body, want) {
					t.Errorf("status %d, missing %v", status, designerMissing(body, want))
				}
				if n := strings.Count(body, "<h1"); n != 1 {
					t.Errorf("%d h1", n)
				}
			})

			run("diagram", func(t *testing.T) {
				status, _, body := designerPage(w, "designer", "GET", "/designer/versions/1/case-types/bbic_barn", nil, false)
				if status != http.StatusOK {
					t.Fatalf("status %d", status)
				}
				svg := body[strings.Index(body, "<svg"):strings.Index(body, "</svg>")]
				want := []string{`role="img"`, `aria-labelledby="diagram-title diagram-desc"`, `<title id="diagram-title">`}
				for _, s := range bbic.Steps {
					// A long name is wrapped, so look for its first word.
					want = append(want, ">"+html.EscapeString(strings.Fields(s.Name.SV)[0]))
				}
				if !designerHasAll(svg, want) {
					t.Errorf("the SVG lacks %v", designerMissing(svg, want))
				}
				if n := strings.Count(svg, `class="dg-box"`); n != len(bbic.Steps) {
					t.Errorf("%d boxes for %d steps", n, len(bbic.Steps))
				}
				if n := strings.Count(svg, `class="dg-inner"`); n != 1 {
					t.Errorf("%d final steps marked, want 1", n)
				}
				// The same facts as text: every step and transition in a table.
				tables := body[strings.Index(body, "</svg>"):]
				var text []string
				for _, s := range bbic.Steps {
					text = append(text, `<th scope="row">`+html.EscapeString(s.Name.SV)+"</th>")
				}
				for _, tr := range bbic.Transitions {
					text = append(text, `<th scope="row">`+html.EscapeString(tr.Name.SV))
				}
				if !designerHasAll(tables, text) {
					t.Errorf("the tables lack %v", designerMissing(tables, text))
				}
				if strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
					t.Error("the page has inline style or script, which the CSP forbids")
				}
				status, _, body = designerPage(w, "designer", "GET", "/designer/versions/1/case-types/bbic_barn?lang=en", nil, false)
				if status != http.StatusOK || !strings.Contains(body, "Flow chart of "+html.EscapeString(bbic.Name.EN)) {
					t.Errorf("in English: status %d", status)
				}
				for _, path := range []string{"/designer/versions/1/case-types/nothing", "/designer/versions/99/case-types/bbic_barn", "/designer/versions/x/case-types/bbic_barn"} {
					if status, _, _ := designerPage(w, "designer", "GET", path+"?lang=sv", nil, false); status != http.StatusNotFound {
						t.Errorf("%s: status %d, want 404", path, status)
					}
				}
			})

			run("an empty draft starts from the newest version, one file at a time", func(t *testing.T) {
				status, _, body := designerPage(w, "designer", "GET", "/designer/draft", nil, false)
				want := []string{"Utkastet är tomt", `<label for="editor"><code>` + v1[0] + `</code></label>`, `name="from_version" value="1"`,
					`hx-post="/designer/draft/validation"`, `role="status"`, "Inga problem", `<label for="new-name">`, `<label for="note">`,
					`formaction="/designer/draft/publication"`, `aria-current="true"><code>` + v1[0] + `</code>`}
				if status != http.StatusOK || !designerHasAll(body, want) {
					t.Errorf("status %d, missing %v", status, designerMissing(body, want))
				}
				// The other files are listed, each a button that saves the
				// edited file and opens it; only one is in the editor.
				for i := 2; i < len(v1); i += 2 {
					if !strings.Contains(body, `formaction="`+html.EscapeString(openHref(v1[i], 0))+`"`) {
						t.Errorf("the list of files lacks %s", v1[i])
					}
				}
				if n := strings.Count(body, `<textarea id="editor"`); n != 1 || strings.Count(body, "<textarea") != 2 {
					t.Errorf("%d editors and %d text areas, want one file and the new file", n, strings.Count(body, "<textarea"))
				}
				// The chosen file, with its line numbers beside it.
				forms := slices.Index(v1, "bbic/forms.yaml")
				_, _, body = designerPage(w, "designer", "GET", "/designer/draft?file=bbic/forms.yaml&line=7", nil, false)
				lines := strings.Count(v1[forms+1], "\n") + 1
				gutter := regexp.MustCompile(`(?s)<pre class="designer-gutter" aria-hidden="true">(.*?)</pre>`).FindStringSubmatch(body)
				if gutter == nil || !strings.HasPrefix(gutter[1], "1\n2\n3\n") || strings.Count(gutter[1], "\n")+1 < lines {
					t.Errorf("the editor has no line numbers for its %d lines", lines)
				}
				want = []string{`<label for="editor"><code>bbic/forms.yaml</code></label>`, html.EscapeString(strings.SplitN(v1[forms+1], "\n", 2)[0]),
					`data-line-numbers data-goto="7"`}
				if !designerHasAll(body, want) {
					t.Errorf("the chosen file: missing %v", designerMissing(body, want))
				}
				// The municipality's units with their ids, to write under units:.
				want = []string{`<details class="designer-units">`, `<span class="designer-unit">Barn och unga Norra</span> <code>norra-bou</code>`,
					`data-insert="norra-bou"`, `<li class="depth-2">`}
				if !designerHasAll(body, want) {
					t.Errorf("the units: missing %v", designerMissing(body, want))
				}
			})

			run("opening another file unchanged saves nothing", func(t *testing.T) {
				form := designerDraftForm(v1[0], v1[1])
				form.Set("from_version", "1")
				before := w.eventCount("definitions.draft_changed")
				status, loc, _ := designerPage(w, "designer", "POST", openHref("bbic/forms.yaml", 12), form, false)
				if status != http.StatusSeeOther || loc != "/designer/draft?file=bbic%2Fforms.yaml&line=12" {
					t.Errorf("status %d, sent to %q", status, loc)
				}
				var draft struct{ Files []struct{ Name string } }
				w.call("designer", "GET", "/api/v1/definitions/draft", nil, http.StatusOK, &draft)
				if len(draft.Files) != 0 || w.eventCount("definitions.draft_changed") != before {
					t.Errorf("the draft has %d files after only opening another", len(draft.Files))
				}
			})

			run("live validation", func(t *testing.T) {
				bad := "kind: case_type\nid: x\nrequird: true\n"
				tests := []struct {
					name string
					form url.Values
					want []string
				}{
					{"a misspelt key", designerDraftForm("bad.yaml", bad),
						[]string{`<a href="#editor" class="designer-goto" data-line="3" data-column="1">bad.yaml:3:1: Okänd nyckel &#34;requird&#34; (kontrollera stavningen`,
							"requird: true", `hx-swap-oob="innerHTML"`, "1 problem."}},
					// Editing one file of the version: the form has that file, the
					// rest of the draft is the version's. A form renamed in
					// bbic/forms.yaml leaves a problem in bbic/case_type.yaml: a
					// button that saves the edited file and opens that one at the line.
					{"a problem in another file", func() url.Values {
						forms := slices.Index(v1, "bbic/forms.yaml")
						f := designerDraftForm("bbic/forms.yaml", strings.Replace(v1[forms+1], "id: bbic_forhandsbedomning\n", "id: bbic_screening\n", 1))
						f.Set("from_version", "1")
						return f
					}(), []string{`<button type="submit" form="designer-form" formaction="/designer/draft?line=`, `&amp;open=bbic%2Fcase_type.yaml" class="designer-open">bbic/case_type.yaml:`,
						"bbic_forhandsbedomning"}},
					{"a new file", func() url.Values {
						f := designerDraftForm(v1...)
						f.Set("new_name", "new/bad.yaml")
						f.Set("new_content", bad)
						return f
					}(), []string{`<a href="#new-content" class="designer-goto" data-line="3" data-column="1">new/bad.yaml:3:1:`}},
					{"a file being removed is not checked", func() url.Values {
						f := designerDraftForm(slices.Concat(v1, []string{"bad.yaml", bad})...)
						f.Add("remove", "bad.yaml")
						return f
					}(), []string{"Inga problem"}},
					{"a new file without a name", func() url.Values {
						f := designerDraftForm(v1...)
						f.Set("new_content", "kind: form\n")
						return f
					}(), []string{"Ge den nya filen ett namn"}},
					{"a bad file name", designerDraftForm("../evil.yaml", "kind: form\n"), []string{"enkelt relativt namn"}},
				}
				for _, tt := range tests {
					status, _, body := designerPage(w, "designer", "POST", "/designer/draft/validation", tt.form, true)
					if status != http.StatusOK || !designerHasAll(body, tt.want) {
						t.Errorf("%s: status %d, missing %v in %s", tt.name, status, designerMissing(body, tt.want), body)
					}
					if strings.Contains(body, "<html") {
						t.Errorf("%s: the answer is a whole page, not the problems list", tt.name)
					}
				}
				// Problems point at file:line:column.
				_, _, body := designerPage(w, "designer", "POST", "/designer/draft/validation", designerDraftForm("a.yaml", "kind: form\nid: f\nname: {sv: F}\nsections: [}\n"), true)
				if !regexp.MustCompile(`a\.yaml:\d+:\d+: `).MatchString(body) {
					t.Errorf("no file:line:column problem in %s", body)
				}
				// They are in the page's language: Swedish, unless English is chosen.
				_, _, body = designerPage(w, "designer", "POST", "/designer/draft/validation?lang=en", designerDraftForm("bad.yaml", bad), true)
				if want := `data-column="1">bad.yaml:3:1: unknown key &#34;requird&#34; (check the spelling`; !strings.Contains(body, want) {
					t.Errorf("in English: no %s in %s", want, body)
				}
			})

			run("save, publish and compare", func(t *testing.T) {
				// A draft with problems is saved, and shows them.
				bad := designerDraftForm(slices.Concat(v1, []string{"extra.yaml", "kind: case_type\nid: x\nrequird: true\n"})...)
				status, loc, body := designerPage(w, "designer", "POST", "/designer/draft", bad, false)
				if status != http.StatusSeeOther || loc != fileHref(v1[0], 0, true) {
					t.Fatalf("save: status %d, location %q: %s", status, loc, body)
				}
				_, _, body = designerPage(w, "designer", "GET", loc, nil, false)
				want := []string{"Utkastet är sparat.", "måste rättas", "extra.yaml:3:1: Okänd nyckel &#34;requird&#34;",
					`formaction="` + html.EscapeString(openHref("extra.yaml", 3)) + `" class="designer-open">`, `<code>extra.yaml</code>`}
				if !designerHasAll(body, want) || strings.Contains(body, "Utkastet är tomt") {
					t.Errorf("the saved draft: missing %v", designerMissing(body, want))
				}
				var draft struct {
					Files []struct{ Name, Content string }
				}
				w.call("designer", "GET", "/api/v1/definitions/draft", nil, http.StatusOK, &draft)
				for _, f := range draft.Files {
					if strings.Contains(f.Content, "\r") {
						t.Errorf("%s was saved with CR line ends", f.Name)
					}
				}
				if len(draft.Files) != len(v1)/2+1 {
					t.Errorf("the draft has %d files", len(draft.Files))
				}

				// Publishing it is refused, and the editor says why.
				bad.Set("note", "Med fel")
				status, _, body = designerPage(w, "designer", "POST", "/designer/draft/publication", bad, false)
				if status != http.StatusUnprocessableEntity || !designerHasAll(body, []string{`role="alert"`, "publicerades inte", "extra.yaml:3:1:"}) {
					t.Errorf("publishing a draft with problems: status %d", status)
				}
				// The same as version 1: nothing to publish.
				same := designerDraftForm(v1...)
				same.Add("remove", "extra.yaml")
				status, _, body = designerPage(w, "designer", "POST", "/designer/draft/publication", same, false)
				if status != http.StatusConflict || !strings.Contains(body, "likadant som den senast publicerade") {
					t.Errorf("publishing version 1 again: status %d", status)
				}
				// A new file without a name is not saved.
				noName := designerDraftForm(v1...)
				noName.Set("new_content", "kind: form\n")
				if status, _, body := designerPage(w, "designer", "POST", "/designer/draft", noName, false); status != http.StatusUnprocessableEntity ||
					!strings.Contains(body, "Ge den nya filen ett namn") || !strings.Contains(body, "kind: form") {
					t.Errorf("a new file without a name: status %d", status)
				}

				// Nor is a file with a bad name, nor a note that is too long.
				if status, _, body := designerPage(w, "designer", "POST", "/designer/draft", designerDraftForm("../evil.yaml", "kind: form\n"), false); status != http.StatusUnprocessableEntity ||
					!designerHasAll(body, []string{"Utkastet kunde inte sparas.", "enkelt relativt namn", `value="../evil.yaml"`}) {
					t.Errorf("a bad file name: status %d", status)
				}
				long := designerDraftForm(v1...)
				long.Set("note", strings.Repeat("å", 1001))
				if status, _, body := designerPage(w, "designer", "POST", "/designer/draft/publication", long, false); status != http.StatusUnprocessableEntity ||
					!strings.Contains(body, "högst 1000 tecken") {
					t.Errorf("a long note: status %d", status)
				}

				// A change, with a new file, is published as version 2.
				changed := slices.Clone(v1)
				for i := 0; i < len(changed); i += 2 {
					if changed[i] == "bbic/case_type.yaml" {
						changed[i+1] = strings.Replace(changed[i+1], "name: {sv: Beslut, en: Decision}", "name: {sv: Beslut om insats, en: Decision on services}", 1)
					}
				}
				form := designerDraftForm(changed...)
				form.Set("new_name", "local/codes.yaml")
				form.Set("new_content", "kind: code_system\nid: local_codes\nversion: \"1\"\nname: {sv: Lokala koder}\ncodes:\n  - {code: a, label: {sv: A}}\n")
				form.Set("note", "Tydligare namn på beslutssteget")
				status, loc, body = designerPage(w, "designer", "POST", "/designer/draft/publication", form, false)
				if status != http.StatusSeeOther || loc != "/designer?published=2" {
					t.Fatalf("publish: status %d, location %q: %s", status, loc, body)
				}
				var versions struct{ Versions []struct{ Version int64 } }
				w.call("designer", "GET", "/api/v1/definitions", nil, http.StatusOK, &versions)
				if len(versions.Versions) != 2 || versions.Versions[0].Version != 2 {
					t.Errorf("versions after publishing: %+v", versions.Versions)
				}
				_, _, body = designerPage(w, "designer", "GET", loc, nil, false)
				want = []string{"Version 2 är publicerad", "Ärendetyper i version 2", "Tydligare namn på beslutssteget",
					`href="/designer/diff?from=1&amp;to=2"`}
				if !designerHasAll(body, want) {
					t.Errorf("the start page after publishing lacks %v", designerMissing(body, want))
				}

				// The changes from 1 to 2, line by line, marked in text too.
				status, _, body = designerPage(w, "designer", "GET", "/designer/diff?from=1&to=2", nil, false)
				want = []string{"Ändringar från version 1 till version 2", "<code>bbic/case_type.yaml</code>", "Ändrad fil",
					"<code>local/codes.yaml</code>", "Ny fil",
					`<li class="designer-del"><span class="designer-sign" aria-hidden="true">−</span><span class="designer-sr">Borttagen: </span><code>    name: {sv: Beslut, en: Decision}</code>`,
					`<li class="designer-add"><span class="designer-sign" aria-hidden="true">+</span><span class="designer-sr">Tillagd: </span><code>    name: {sv: Beslut om insats, en: Decision on services}</code>`}
				if status != http.StatusOK || !designerHasAll(body, want) {
					t.Errorf("diff: status %d, missing %v", status, designerMissing(body, want))
				}
				if _, _, body := designerPage(w, "designer", "GET", "/designer/diff?from=2&to=2", nil, false); !strings.Contains(body, "Versionerna är likadana") {
					t.Error("a version compared with itself")
				}
				if status, _, _ := designerPage(w, "designer", "GET", "/designer/diff?from=1&to=x", nil, false); status != http.StatusUnprocessableEntity {
					t.Errorf("a bad version: status %d", status)
				}
				if status, _, _ := designerPage(w, "designer", "GET", "/designer/diff?from=1&to=9", nil, false); status != http.StatusNotFound {
					t.Errorf("a version that does not exist: status %d", status)
				}
				// The new version's diagram shows the new name.
				_, _, body = designerPage(w, "designer", "GET", "/designer/versions/2/case-types/bbic_barn", nil, false)
				if !strings.Contains(body, ">Beslut om insats</text>") {
					t.Error("version 2's diagram lacks the new step name")
				}
			})

			// Journey 5: a designer in Norra adds a local question to the
			// screening form for her district's children and young people.
			run("a district's variant: a wrong unit id at its line, the preview as an officer in the unit and in another", func(t *testing.T) {
				v2 := designerVersionFiles(w, "2")
				ct := slices.Index(v2, "bbic/case_type.yaml")
				caseType := strings.TrimRight(v2[ct+1], "\n") + "\nvariants:\n  - units: [norra-bu]\n    forms: {bbic_forhandsbedomning: bbic_forhandsbedomning_norra}\n"
				unitLine := strings.Count(caseType, "\n") - 1
				local := "kind: form\nid: bbic_forhandsbedomning_norra\nname: {sv: Förhandsbedömning (Norra), en: Screening (North)}\n" +
					"extends: bbic_forhandsbedomning\nsections:\n  - id: norra\n    label: {sv: Norra området, en: The north district}\n    fields:\n" +
					"      - {id: elevhalsa, type: yes_no, label: {sv: Har elevhälsan kontaktats, en: Has the school health service been contacted}}\n"
				form := designerDraftForm("bbic/case_type.yaml", caseType)
				form.Set("new_name", "norra/forhandsbedomning.yaml")
				form.Set("new_content", local)
				_, _, body := designerPage(w, "designer", "POST", "/designer/draft/validation", form, true)
				want := fmt.Sprintf(`<a href="#editor" class="designer-goto" data-line="%d" data-column="13">bbic/case_type.yaml:%d:13: Enheten &#34;norra-bu&#34; finns inte i kommunen`, unitLine, unitLine)
				if !strings.Contains(body, want) {
					t.Errorf("no link to the wrong unit's line %s in %s", want, body)
				}
				// The id from the list, saved.
				form = designerDraftForm("bbic/case_type.yaml", strings.Replace(caseType, "[norra-bu]", "[norra-bou]", 1))
				form.Set("new_name", "norra/forhandsbedomning.yaml")
				form.Set("new_content", local)
				status, loc, body := designerPage(w, "designer", "POST", "/designer/draft", form, false)
				if status != http.StatusSeeOther || loc != fileHref("norra/forhandsbedomning.yaml", 0, true) {
					t.Fatalf("save: status %d, location %q: %s", status, loc, body)
				}
				_, _, body = designerPage(w, "designer", "GET", "/designer/draft?file=bbic/case_type.yaml", nil, false)
				if !designerHasAll(body, []string{"Inga problem", `<details class="designer-units" open>`}) {
					t.Errorf("the saved draft has problems, or the units are not offered beside a file that names units")
				}

				preview := func(version, unit string) string {
					t.Helper()
					q := url.Values{"version": {version}, "form": {"bbic_forhandsbedomning"}, "case_type": {"bbic_barn"}, "unit": {unit}}
					status, _, body := designerPage(w, "designer", "GET", "/designer/preview?"+q.Encode(), nil, false)
					if status != http.StatusOK {
						t.Fatalf("preview %s as %q: status %d", version, unit, status)
					}
					return body
				}
				for _, version := range []string{"0", "3"} {
					if version == "3" {
						publish := designerDraftForm()
						publish.Set("note", "Lokal fråga om elevhälsan i Norra")
						if status, loc, _ := designerPage(w, "designer", "POST", "/designer/draft/publication", publish, false); status != http.StatusSeeOther || loc != "/designer?published=3" {
							t.Fatalf("publish: status %d, location %q", status, loc)
						}
					}
					body := preview(version, "norra-bou")
					want := []string{"Har elevhälsan kontaktats", "En handläggare på Barn och unga Norra fyller i varianten Förhandsbedömning (Norra) i stället för",
						`<option value="norra-bou" selected>Barn och unga Norra (norra-bou)</option>`}
					if !designerHasAll(body, want) {
						t.Errorf("version %s as an officer in Norra: missing %v", version, designerMissing(body, want))
					}
					body = preview(version, "sodra-bou")
					if strings.Contains(body, "Har elevhälsan kontaktats") || !strings.Contains(body, "En handläggare på Barn och unga Södra fyller i formuläret som det är") {
						t.Errorf("version %s as an officer in Södra: the local question is shown, or the note is missing", version)
					}
					if body := preview(version, ""); strings.Contains(body, "Har elevhälsan kontaktats") || strings.Contains(body, "fyller i") {
						t.Errorf("version %s without a unit: the local question or a note is shown", version)
					}
				}
				if status, _, _ := designerPage(w, "designer", "GET", "/designer/preview?form=bbic_forhandsbedomning&case_type=bbic_barn&unit=nowhere", nil, false); status != http.StatusUnprocessableEntity {
					t.Errorf("an unknown unit: status %d, want 422", status)
				}
			})
		})
	}
}

func designerHasAll(body string, want []string) bool { return len(designerMissing(body, want)) == 0 }

func designerMissing(body string, want []string) []string {
	var out []string
	for _, s := range want {
		if !strings.Contains(body, s) {
			out = append(out, s)
		}
	}
	return out
}

// openHref is the form action that saves the edited file and opens name at
// line (0: the top).
func openHref(name string, line int) string {
	q := url.Values{"open": {name}}
	if line > 0 {
		q.Set("line", strconv.Itoa(line))
	}
	return "/designer/draft?" + q.Encode()
}

// fileHref is the editor's address with name open at line, after a save
// when saved.
func fileHref(name string, line int, saved bool) string {
	q := url.Values{"file": {name}}
	if line > 0 {
		q.Set("line", strconv.Itoa(line))
	}
	if saved {
		q.Set("saved", "1")
	}
	return "/designer/draft?" + q.Encode()
}
