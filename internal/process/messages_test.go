package process

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/trygg/trygg/internal/calendar"
)

// swedishBefore is the Swedish of the form messages as the engine wrote it
// before the message files, pattern by pattern over the English: the
// tests' oracle, so that their tables, written in English, check the
// Swedish officers and citizens read word for word.
var swedishBefore = []struct {
	re *regexp.Regexp
	sv string
}{
	{regexp.MustCompile(`^At least 1 row\.$`), "Minst 1 rad."},
	{regexp.MustCompile(`^At most 1 row\.$`), "Högst 1 rad."},
	{regexp.MustCompile(`^At least (\d+) rows\.$`), "Minst $1 rader."},
	{regexp.MustCompile(`^At most (\d+) rows\.$`), "Högst $1 rader."},
	{regexp.MustCompile(`^At most (\d+) characters\.$`), "Högst $1 tecken."},
	{regexp.MustCompile(`^At most 1 MB in all\.$`), "Högst 1 MB sammanlagt."},
	{regexp.MustCompile(`^Each option at most once\.$`), "Varje alternativ högst en gång."},
	{regexp.MustCompile(`^Choose one of the options\.$`), "Välj ett av alternativen."},
	{regexp.MustCompile(`^Must be a date \(YYYY-MM-DD\)\.$`), "Ska vara ett datum (ÅÅÅÅ-MM-DD)."},
	{regexp.MustCompile(`^Must be a list of assessments\.$`), "Ska vara en lista med bedömningar."},
	{regexp.MustCompile(`^Must be a list of options\.$`), "Ska vara en lista med alternativ."},
	{regexp.MustCompile(`^Must be a list of rows\.$`), "Ska vara en lista med rader."},
	{regexp.MustCompile(`^Must be a number\.$`), "Ska vara ett tal."},
	{regexp.MustCompile(`^Must be a whole number of öre\.$`), "Ska vara ett helt antal öre."},
	{regexp.MustCompile(`^Must be at least (.+)\.$`), "Ska vara minst $1."},
	{regexp.MustCompile(`^Must be at most (.+)\.$`), "Ska vara högst $1."},
	{regexp.MustCompile(`^Must be text\.$`), "Ska vara text."},
	{regexp.MustCompile(`^Must not be after today: a time limit counts from this date\.$`), "Får inte vara senare än i dag: en tidsfrist räknas från datumet."},
	{regexp.MustCompile(`^Must be yes or no\.$`), "Ska vara ja eller nej."},
	{regexp.MustCompile(`^Not one of the options for the choice in (.+)\.$`), "Inte ett av alternativen för valet i $1."},
	{regexp.MustCompile(`^Not one of the options\.$`), "Inte ett av alternativen."},
	{regexp.MustCompile(`^Row (\d+) has an unknown field (.+)\.$`), "Rad $1 har ett okänt fält $2."},
	{regexp.MustCompile(`^Row (\d+) is not a set of fields\.$`), "Rad $1 är inte en uppsättning fält."},
	{regexp.MustCompile(`^Row (\d+) is not an assessment\.$`), "Rad $1 är inte en bedömning."},
	{regexp.MustCompile(`^Row (\d+): (.+) is required\.$`), "Rad $1: $2 är obligatoriskt."},
	{regexp.MustCompile(`^Row (\d+): the code is assessed twice\.$`), "Rad $1: koden är bedömd två gånger."},
	{regexp.MustCompile(`^Row (\d+): the code is not in the code system\.$`), "Rad $1: koden finns inte i kodverket."},
	{regexp.MustCompile(`^Row (\d+): the qualifier must be 0–4, 8 or 9\.$`), "Rad $1: bedömningen ska vara 0–4, 8 eller 9."},
	{regexp.MustCompile(`^Row (\d+): the text is longer than 5000 characters\.$`), "Rad $1: texten är längre än 5000 tecken."},
	{regexp.MustCompile(`^Row (\d+): the text must be text\.$`), "Rad $1: texten ska vara text."},
	{regexp.MustCompile(`^The form has no such field\.$`), "Formuläret har inget sådant fält."},
	{regexp.MustCompile(`^The value could not be computed: (.*)$`), "Värdet kunde inte räknas ut: $1"},
	{regexp.MustCompile(`^Whether this field is required could not be decided\.$`), "Det gick inte att avgöra om fältet är obligatoriskt."},
	{regexp.MustCompile(`^Whether to show this field could not be decided\.$`), "Det gick inte att avgöra om fältet ska visas."},
}

// inLang says a form message written in English in lang as the engine
// said it before the message files: English as written, Swedish through
// swedishBefore (a row prefix "Row N, label: " is translated and the
// rest in turn); a message it does not know stays as written.
func inLang(lang, m string) string {
	if lang == "en" {
		return m
	}
	if rest, ok := strings.CutPrefix(m, "Row "); ok {
		if i := strings.Index(rest, ", "); i > 0 && !strings.Contains(rest[:i], " ") {
			if j := strings.Index(rest[i+2:], ": "); j >= 0 {
				label := rest[i+2 : i+2+j]
				return "Rad " + rest[:i] + ", " + label + ": " + inLang(lang, rest[i+2+j+2:])
			}
		}
	}
	for _, t := range swedishBefore {
		if t.re.MatchString(m) {
			return t.re.ReplaceAllString(m, t.sv)
		}
	}
	return m
}

// messageIDPattern is the shape of the engine's message ids.
var messageIDPattern = regexp.MustCompile(`^(check|form|transition|amount)\.[a-z0-9_]+(\.[a-z0-9_]+)*$`)

// placeholder is an argument in a message: {{.Name}} or {{q .Name}}.
var placeholder = regexp.MustCompile(`\{\{\s*(?:q\s+)?\.([A-Za-z]+)\s*\}\}`)

// messageFile reads locales/<lang>.yaml: each id's texts (one, or the
// plural forms one and other).
func messageFile(t *testing.T, lang string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("locales", lang+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for id, v := range raw {
		switch x := v.(type) {
		case string:
			out[id] = []string{x}
		case map[string]any:
			if len(x) != 2 || x["one"] == nil || x["other"] == nil {
				t.Errorf("%s.yaml: %s has the plural forms %v, want one and other", lang, id, slices.Sorted(maps.Keys(x)))
			}
			for _, f := range []string{"one", "other"} {
				s, _ := x[f].(string)
				out[id] = append(out[id], s)
			}
		default:
			t.Errorf("%s.yaml: %s is %T, want a text or plural forms", lang, id, v)
		}
	}
	return out
}

// placeholders returns the arguments the texts use, sorted, and whether
// every {{ }} in them is an argument.
func placeholders(texts []string) ([]string, bool) {
	set := map[string]bool{}
	clean := true
	for _, s := range texts {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			set[m[1]] = true
		}
		if strings.Contains(placeholder.ReplaceAllString(s, ""), "{{") {
			clean = false
		}
	}
	return slices.Sorted(maps.Keys(set)), clean
}

// implicitArgs are the arguments a helper adds itself to the message it
// is given, by the helper's name and the message's place in its call.
var implicitArgs = map[string]map[int][]string{
	"formField": {3: {"Field", "Form"}},
	"optional":  {1: {"Field", "Form"}, 2: {"Field", "Form", "Type"}},
}

// messageUse is where the source uses a message id, and the arguments the
// call gives it (nil when the call does not show them).
type messageUse struct {
	at   string
	args []string
}

// messagesUsed finds the message ids in the package's source (tests left
// out), and for each call that names one the arguments it gives: the
// name, value pairs after the id, or a helper's own (implicitArgs).
func messagesUsed(t *testing.T) map[string][]messageUse {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string][]messageUse{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		inCall := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			callee := ""
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				callee = fn.Name
			case *ast.SelectorExpr:
				callee = fn.Sel.Name
			}
			for i, arg := range call.Args {
				id, ok := stringLit(arg)
				if !ok || !messageIDPattern.MatchString(id) {
					continue
				}
				inCall[arg.(*ast.BasicLit)] = true
				use := messageUse{at: fset.Position(arg.Pos()).String()}
				if keys, ok := implicitArgs[callee][i]; ok {
					use.args = keys
				} else if rest := call.Args[i+1:]; len(rest)%2 == 0 {
					use.args = []string{}
					for j := 0; j < len(rest); j += 2 {
						k, ok := stringLit(rest[j])
						if !ok || messageIDPattern.MatchString(k) {
							use.args = nil
							break
						}
						use.args = append(use.args, k)
					}
					slices.Sort(use.args)
				}
				used[id] = append(used[id], use)
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && !inCall[lit] {
				if id, ok := stringLit(lit); ok && messageIDPattern.MatchString(id) {
					used[id] = append(used[id], messageUse{at: fset.Position(lit.Pos()).String()})
				}
			}
			return true
		})
	}
	return used
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// TestMessageFiles checks the message files against each other and the
// source: every message has a Swedish and an English text with the same
// arguments; every id the source uses is in the files, and every call
// gives the arguments its message uses; no message is left unused.
func TestMessageFiles(t *testing.T) {
	sv, en := messageFile(t, "sv"), messageFile(t, "en")
	for id := range sv {
		if en[id] == nil {
			t.Errorf("%s has no English text", id)
		}
	}
	for id, texts := range en {
		if !messageIDPattern.MatchString(id) {
			t.Errorf("the id %s is not check.*, form.*, transition.* or amount.*", id)
		}
		if sv[id] == nil {
			t.Errorf("%s has no Swedish text", id)
			continue
		}
		if len(texts) != len(sv[id]) {
			t.Errorf("%s has plural forms in one language only", id)
		}
		enArgs, enClean := placeholders(texts)
		svArgs, svClean := placeholders(sv[id])
		if !enClean || !svClean {
			t.Errorf("%s uses a template action that is not {{.Name}} or {{q .Name}}", id)
		}
		if !slices.Equal(enArgs, svArgs) {
			t.Errorf("%s: English uses %v, Swedish %v", id, enArgs, svArgs)
		}
		if slices.Contains(enArgs, "Count") != (len(texts) == 2) {
			t.Errorf("%s: a message with Count has plural forms, and only such a one", id)
		}
		for _, s := range append(slices.Clone(texts), sv[id]...) {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: an empty text", id)
			}
		}
	}
	used := messagesUsed(t)
	if len(used) < 200 {
		t.Fatalf("found only %d message ids in the source: is the scan looking in the right place?", len(used))
	}
	for id, uses := range used {
		if en[id] == nil || sv[id] == nil {
			t.Errorf("%s uses %s, which the message files lack", uses[0].at, id)
			continue
		}
		want, _ := placeholders(en[id])
		for _, u := range uses {
			if u.args != nil && !slices.Equal(u.args, want) {
				t.Errorf("%s gives %s the arguments %v; it uses %v", u.at, id, u.args, want)
			}
		}
	}
	for id := range en {
		if used[id] == nil {
			t.Errorf("%s is in the message files but the source never uses it", id)
		}
	}
}

// TestPeriodNote: a period the calendar refuses is told in the calendar's
// own English words, and in Swedish.
func TestPeriodNote(t *testing.T) {
	for _, s := range []string{"", "d", " 5 ", "xd", "-1d", "1201w", "14x", "3 w", "14ä"} {
		_, err := calendar.ParsePeriod(s)
		if err == nil {
			t.Fatalf("%q is a period", s)
		}
		n := periodNote(s)
		if got := n.in("en"); got != err.Error() {
			t.Errorf("%q: %q, want the calendar's %q", s, got, err.Error())
		}
		if sv := n.in("sv"); strings.Contains(sv, "period is") || strings.Contains(sv, "unknown unit") {
			t.Errorf("%q: not Swedish: %q", s, sv)
		}
	}
}

// TestProblemsInSwedish: the checker's problems are said in English in
// Message (and as errors) and in Swedish by In, in plain words, with ids
// quoted as written; a problem made elsewhere, without an ID, is its
// Message in every language.
func TestProblemsInSwedish(t *testing.T) {
	src := `kind: form
id: a
name: {sv: A}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: x, type: text, label: {sv: X}}
---
kind: form
id: a
name: {sv: A igen}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: y, type: colour, label: {sv: Y}}
---
kind: case_type
id: t
name: {sv: T}
field: IFO
start: in
steps:
  - {id: in, name: {sv: In}, forms: [a]}
  - {id: out, name: {sv: Ut}, final: true}
transitions:
  - {id: go, name: {sv: Gå}, from: [in], to: ut, roles: [handlaggare]}
`
	b, probs := Load([]File{{Name: "p.yaml", Data: []byte(src)}})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	probs = Validate(b)
	want := []struct{ en, sv string }{
		{`a form with id "a" is defined twice`, `Formuläret "a" finns två gånger`},
		{`unknown field type "colour": use text, long_text, number, money, date, yes_no, choice, multi_choice, person, group or assessment`,
			`Fälttypen "colour" finns inte: använd text, long_text, number, money, date, yes_no, choice, multi_choice, person, group eller assessment`},
		{`the step "out" cannot be reached from the start step "in"`, `Steget "out" går inte att nå från startsteget "in"`},
		{`the transition "go" goes to an unknown step "ut"`, `Övergången "go" går till steget "ut", som inte finns`},
	}
	if len(probs) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(probs), len(want), probs)
	}
	for i, w := range want {
		p := probs[i]
		if p.Message != w.en || p.In("en") != w.en {
			t.Errorf("problem %d in English: %q / %q, want %q", i, p.Message, p.In("en"), w.en)
		}
		if got := p.In("sv"); got != w.sv {
			t.Errorf("problem %d in Swedish: %q, want %q", i, got, w.sv)
		}
		if got := p.In(""); got != w.sv {
			t.Errorf("problem %d without a language: %q, want the Swedish", i, got)
		}
	}
	// Problems found while reading (keys, kinds) too.
	_, probs = Load([]File{{Name: "k.yaml", Data: []byte("kind: form\nid: f\nname: {sv: F}\ncolour: red\n---\nkind: case-type\n")}})
	got := make([]string, len(probs))
	for i, p := range probs {
		got[i] = p.In("sv")
	}
	if !slices.Equal(got, []string{`Okänd nyckel "colour" (kontrollera stavningen; i docs/definitions.md står vilka nycklar som får finnas här)`,
		`Okänd kind "case-type": använd case_type, form, block, code_system, decision_table, rule_set, report, register, retention eller legacy_mapping`}) {
		t.Errorf("reading problems in Swedish: %q", got)
	}
	if p := (Problem{Pos: Pos{"x.yaml", 1, 1}, Message: "something else"}); p.In("sv") != "something else" {
		t.Errorf("a problem without an ID in Swedish: %q", p.In("sv"))
	}
	if u := UnknownUnit(Str{Value: "ifo-norr"}); u.Message != `unknown unit "ifo-norr" in this municipality` || u.In("sv") != `Enheten "ifo-norr" finns inte i kommunen` {
		t.Errorf("an unknown unit: %q, %q", u.Message, u.In("sv"))
	}
}
