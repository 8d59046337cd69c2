package server

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/trygg"
)

// errorSourceDirs are the packages whose *trygg.Error messages reach the
// pages; the web packages themselves are among them.
var errorSourceDirs = []string{"../../access", "../../auth", "../../org", "../../persons", "../../process", "../../service", "../../store",
	"../../payments", "../../incomecheck",
	".", "..", "../api", "../staff", "../portal", "../provider", "../designer"}

// sourceMessage is a message format found in the source and where.
type sourceMessage struct {
	format string
	pos    token.Position
}

// TestErrorMessagesHaveSwedish fails for each message the service writes
// for users (trygg.Errorf, trygg.Invalid and its field messages) that
// the error catalog (locales/errors.sv.yaml) does not translate.
func TestErrorMessagesHaveSwedish(t *testing.T) {
	msgs := sourceErrorMessages(t, errorSourceDirs)
	if len(msgs) < 100 {
		t.Fatalf("found only %d messages in %v; is the scan looking in the right place?", len(msgs), errorSourceDirs)
	}
	for _, m := range msgs {
		if _, ok := errorSwedish[m.format]; !ok {
			t.Errorf("%s: the message %q has no Swedish in internal/web/server/locales/errors.sv.yaml", m.pos, m.format)
		}
	}
}

// sourceErrorMessages parses the non-test Go files of dirs and returns
// every message format given to trygg.Errorf (directly or through a
// function that passes its format on) and trygg.Invalid, and every field
// message of an Invalid: in the map literal given to it, or assigned to
// the map variable given to it. Formats with no words ("%s") pass some
// other message on and are left out.
func sourceErrorMessages(t *testing.T, dirs []string) []sourceMessage {
	t.Helper()
	fset := token.NewFileSet()
	var out []sourceMessage
	add := func(e ast.Expr) {
		f, ok := formatOf(e)
		if !ok || !strings.ContainsFunc(stripVerbs(f), unicode.IsLetter) {
			return
		}
		p := fset.Position(e.Pos())
		if !filepath.IsAbs(p.Filename) {
			p.Filename = filepath.ToSlash(filepath.Join("internal/web/server", p.Filename))
		}
		out = append(out, sourceMessage{format: f, pos: p})
	}
	for _, dir := range dirs {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		var files []*ast.File
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		// Functions of the package that hand one of their parameters to
		// trygg.Errorf as its format, by name: the parameter's index.
		wrappers := map[string]int{}
		for _, f := range files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil || fd.Recv != nil {
					continue
				}
				params := paramNames(fd)
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					if c, ok := n.(*ast.CallExpr); ok && isTryggCall(c, "Errorf") && len(c.Args) > 1 {
						if id, ok := c.Args[1].(*ast.Ident); ok {
							if i, ok := params[id.Name]; ok {
								wrappers[fd.Name.Name] = i
							}
						}
					}
					return true
				})
			}
		}
		for _, f := range files {
			// Calls anywhere, package-level variables included.
			ast.Inspect(f, func(n ast.Node) bool {
				c, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch {
				case isTryggCall(c, "Errorf") && len(c.Args) > 1:
					add(c.Args[1])
				case isTryggCall(c, "Invalid") && len(c.Args) == 2:
					add(c.Args[0])
					if fields, ok := c.Args[1].(*ast.CompositeLit); ok {
						for _, el := range fields.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								add(kv.Value)
							}
						}
					}
				default:
					if id, ok := c.Fun.(*ast.Ident); ok {
						if i, ok := wrappers[id.Name]; ok && i < len(c.Args) {
							add(c.Args[i])
						}
					}
				}
				return true
			})
			// Field maps filled in a function and then given to Invalid.
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				fieldMaps := map[string]bool{}
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					if c, ok := n.(*ast.CallExpr); ok && isTryggCall(c, "Invalid") && len(c.Args) == 2 {
						if id, ok := c.Args[1].(*ast.Ident); ok {
							fieldMaps[id.Name] = true
						}
					}
					return true
				})
				if len(fieldMaps) == 0 {
					continue
				}
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					as, ok := n.(*ast.AssignStmt)
					if !ok || len(as.Lhs) != len(as.Rhs) {
						return true
					}
					for i, l := range as.Lhs {
						if ix, ok := l.(*ast.IndexExpr); ok {
							if id, ok := ix.X.(*ast.Ident); ok && fieldMaps[id.Name] {
								add(as.Rhs[i])
							}
						}
					}
					return true
				})
			}
		}
	}
	return out
}

// formatOf returns the format a message expression writes: a string
// literal, the format of fmt.Sprintf, or a sum of literals and values
// (each value as %s). Anything else is another error's message.
func formatOf(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return formatOf(e.X)
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(e.Args) > 0 {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "fmt" {
				return formatOf(e.Args[0])
			}
		}
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, lok := formatOf(e.X)
		r, rok := formatOf(e.Y)
		if !lok && !rok {
			return "", false
		}
		if !lok {
			l = "%s"
		}
		if !rok {
			r = "%s"
		}
		return l + r, true
	}
	return "", false
}

// stripVerbs removes a format's verbs.
func stripVerbs(f string) string { return errorVerb.ReplaceAllString(f, "") }

// isTryggCall reports whether c calls trygg.<name>.
func isTryggCall(c *ast.CallExpr, name string) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == "trygg"
}

// paramNames maps a function's parameter names to their index.
func paramNames(fd *ast.FuncDecl) map[string]int {
	out := map[string]int{}
	i := 0
	for _, f := range fd.Type.Params.List {
		if len(f.Names) == 0 {
			i++
			continue
		}
		for _, n := range f.Names {
			out[n.Name] = i
			i++
		}
	}
	return out
}

// TestSourceErrorMessagesScan checks the scan itself on a small source:
// literals, Sprintf, sums, field maps and format-passing helpers are
// found; a bare "%s" is not.
func TestSourceErrorMessagesScan(t *testing.T) {
	dir := t.TempDir()
	src := `package p

import (
	"fmt"

	"github.com/trygg/trygg/internal/trygg"
)

func invalid(format string, args ...any) error { return trygg.Errorf(trygg.EInvalid, format, args...) }

var errVar = trygg.Errorf(trygg.EForbidden, "package var")

func f(n int, s string) error {
	_ = invalid("helper %d", n)
	_ = trygg.Errorf(trygg.EConflict, "%s", s)
	_ = trygg.Invalid(fmt.Sprintf("sprintf %d", n), map[string]string{"a": "lit field", "b": fmt.Sprintf("field %q", s)})
	fields := map[string]string{}
	fields["c"] = "assigned " + s + "."
	return trygg.Invalid("lit", fields)
}
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range sourceErrorMessages(t, []string{dir}) {
		got = append(got, m.format)
	}
	want := []string{"package var", "helper %d", "sprintf %d", "lit field", "field %q", "lit", "assigned %s."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("found %q, want %q", got, want)
	}
}

func TestProblemText(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		sv, en string
	}{
		{
			name: "plain",
			err:  trygg.Errorf(trygg.EConflict, "The case is closed; nothing more can be added to it."),
			sv:   "Ärendet är avslutat; inget mer kan läggas till.",
			en:   "The case is closed; nothing more can be added to it.",
		},
		{
			name: "quoted value",
			err:  trygg.Errorf(trygg.EConflict, "The time limit %q passed a moment ago and can no longer be extended.", "Utredning 4 mån"),
			sv:   `Tidsfristen "Utredning 4 mån" gick ut alldeles nyss och kan inte längre förlängas.`,
			en:   `The time limit "Utredning 4 mån" passed a moment ago and can no longer be extended.`,
		},
		{
			name: "quoted value with quotes",
			err:  trygg.Errorf(trygg.ENotFound, "The case's process has no form %q.", `a "b"`),
			sv:   `Ärendets process har inget formulär "a \"b\"".`,
			en:   `The case's process has no form "a \"b\"".`,
		},
		{
			name: "two values",
			err:  trygg.Errorf(trygg.EInvalid, "The new last day of the time limit (%s) must be after the current one (%s) and not in the past.", "2026-01-02", "2026-03-04"),
			sv:   "Tidsfristens nya sista dag (2026-01-02) ska vara senare än den nuvarande (2026-03-04) och får inte ha passerat.",
			en:   "The new last day of the time limit (2026-01-02) must be after the current one (2026-03-04) and not in the past.",
		},
		{
			name: "number",
			err:  trygg.Errorf(trygg.EConflict, "These definitions are the same as the published version %d; nothing to publish.", 7),
			sv:   "Definitionerna är desamma som i den publicerade versionen 7; det finns inget att publicera.",
			en:   "These definitions are the same as the published version 7; nothing to publish.",
		},
		{
			name: "invalid with fields, sorted and named",
			err: trygg.Invalid("The decision is not complete.", map[string]string{
				"valid_from":    "A granted decision needs the date it applies from.",
				"justification": "A decision must be justified.",
			}),
			sv: "Beslutet är inte komplett. Motivering: Ett beslut måste motiveras. Gäller från: Ett beslut om bifall behöver datumet då det börjar gälla.",
			en: "The decision is not complete. Justification: A decision must be justified. Applies from: A granted decision needs the date it applies from.",
		},
		{
			name: "formatted field message",
			err: trygg.Invalid("Some cases cannot be mapped; nothing was moved.", map[string]string{
				"steps.utredning": "3 case(s) at this step of version 2 need a step of version 4.",
			}),
			sv: "Några ärenden kan inte kopplas till ett steg; inget har flyttats. Steg utredning: 3 ärenden i det här steget i version 2 behöver ett steg i version 4.",
			en: "Some cases cannot be mapped; nothing was moved. Step utredning: 3 case(s) at this step of version 2 need a step of version 4.",
		},
		{
			name: "field message equal to the message is said once",
			err:  trygg.Invalid("identity number has an invalid month (13)", map[string]string{"identity_number": "identity number has an invalid month (13)"}),
			sv:   "Personnumret har en månad som inte finns (13).",
			en:   "identity number has an invalid month (13)",
		},
		{
			name: "form field already in the language, unknown key as it is",
			err:  trygg.Invalid("The form is not complete and cannot be signed.", map[string]string{"values.month": "Ska vara ett datum (ÅÅÅÅ-MM-DD)."}),
			sv:   "Formuläret är inte komplett och kan inte signeras. month: Ska vara ett datum (ÅÅÅÅ-MM-DD).",
			en:   "The form is not complete and cannot be signed. month: Ska vara ett datum (ÅÅÅÅ-MM-DD).",
		},
		{
			name: "a value the table names in full",
			err:  trygg.Errorf(trygg.ENotFound, "%s not found.", "Case"),
			sv:   "Ärendet hittades inte.",
			en:   "Case not found.",
		},
		{
			name: "a value the table does not name",
			err:  trygg.Errorf(trygg.ENotFound, "%s not found.", "Widget"),
			sv:   "Widget hittades inte.",
			en:   "Widget not found.",
		},
		{
			name: "concatenated",
			err:  trygg.Invalid("The user is not valid.", map[string]string{"grants": "Unknown role " + "chef" + "."}),
			sv:   "Uppgifterna om användaren är inte korrekta. Behörigheter: Okänd roll chef.",
			en:   "The user is not valid. Grants: Unknown role chef.",
		},
		{
			name: "the bank's status report, read by internal/payments",
			err:  statusReportError(),
			sv:   "Filen är inte en statusrapport från banken (pain.002): den är inte korrekt XML.",
			en:   "The file is not a payment status report (pain.002): it is not well-formed XML.",
		},
		{
			name: "a bookkeeping layout, read by internal/payments",
			err:  bookkeepingLayoutError(),
			sv:   "Layouten för bokföringsfilen går inte att använda. decimal_mark: Decimaltecknet och avgränsaren måste vara olika.",
			en:   "The bookkeeping layout is not valid. decimal_mark: The decimal mark and the separator must differ.",
		},
		{
			name: "internal error",
			err:  errors.New("store: find case: connection refused"),
			sv:   "Ett internt fel inträffade. Försök igen om en stund.",
			en:   "An internal error occurred.",
		},
		{
			name: "no entry: shown as written",
			err:  trygg.Errorf(trygg.EConflict, "Something new."),
			sv:   "Something new.",
			en:   "Something new.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProblemText("sv", tt.err); got != tt.sv {
				t.Errorf("sv:\n got %q\nwant %q", got, tt.sv)
			}
			if got := ProblemText("en", tt.err); got != tt.en {
				t.Errorf("en:\n got %q\nwant %q", got, tt.en)
			}
		})
	}
}

// statusReportError is what internal/payments says of a status report
// that is not XML.
func statusReportError() error {
	_, err := payments.ReadStatusReport(strings.NewReader("not a status report"))
	return err
}

// bookkeepingLayoutError is what internal/payments says of a layout whose
// decimal mark is its separator.
func bookkeepingLayoutError() error {
	_, err := payments.ParseBookkeepingLayout([]byte("separator: \",\"\ndecimal_mark: \",\"\ncolumns: [{header: Belopp, source: amount}]\n"))
	return err
}

// TestErrorSwedishVerbs checks each entry's Swedish, in each of its
// forms, has its English verbs in the same order (compileErrorTable panics
// otherwise) and that a mismatch is caught.
func TestErrorSwedishVerbs(t *testing.T) {
	for en, m := range errorSwedish {
		_, ev := splitFormat(en)
		for _, sv := range []string{m.One, m.Other} {
			if _, sv2 := splitFormat(sv); sv != "" && strings.Join(ev, " ") != strings.Join(sv2, " ") {
				t.Errorf("%q: Swedish verbs %v, English %v", en, sv2, ev)
			}
		}
	}
	for name, m := range map[string]*i18n.Message{
		"other": {ID: "Version %d has no step %q.", Other: "Version %q har inget steg %d."},
		"one":   {ID: "At most %d files.", One: "Högst en fil.", Other: "Högst %d filer."},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("a Swedish format with other verbs was accepted")
				}
			}()
			compileErrorTable(map[string]*i18n.Message{m.ID: m})
		})
	}
}

// TestErrorPlurals: a message with a count says it in Swedish in the form
// for its number ("1 ärende", "2 ärenden"), chosen by the first number of
// the English; every such message of the catalog is in the table.
func TestErrorPlurals(t *testing.T) {
	tests := []struct {
		format string
		args   []any // after the count
		one    string
		other  string
	}{
		{"%d case(s) at this step of version %d need a step of version %d.", []any{2, 4},
			"1 ärende i det här steget i version 2 behöver ett steg i version 4.",
			"2 ärenden i det här steget i version 2 behöver ett steg i version 4."},
		{"At most %d files to an application; remove one first.", nil,
			"Högst 1 fil till en ansökan; ta bort den först.", "Högst 2 filer till en ansökan; ta bort en först."},
		{"Does not match the start and end (%d minutes).", nil,
			"Stämmer inte med start och slut (1 minut).", "Stämmer inte med start och slut (2 minuter)."},
		{"%d of the preview's cases have changed since the preview (a new entry, or another outcome); nothing was purged. Make a new preview.", nil,
			"1 av förhandsgranskningens ärenden har ändrats sedan förhandsgranskningen (en ny anteckning eller ett annat utfall); inget gallrades. Gör en ny förhandsgranskning.",
			"2 av förhandsgranskningens ärenden har ändrats sedan förhandsgranskningen (nya anteckningar eller andra utfall); inget gallrades. Gör en ny förhandsgranskning."},
		{"identity number has %d digits; expected 10 or 12", nil,
			"Personnumret har 1 siffra; det ska ha 10 eller 12.", "Personnumret har 2 siffror; det ska ha 10 eller 12."},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.format] = true
		for n, want := range map[int]string{1: tt.one, 2: tt.other} {
			en := fmt.Sprintf(tt.format, append([]any{n}, tt.args...)...)
			if got := MessageIn("sv", en); got != want {
				t.Errorf("%q:\n got %q\nwant %q", en, got, want)
			}
		}
	}
	for format, m := range errorSwedish {
		if m.One != "" && !tested[format] {
			t.Errorf("the plural message %q is not in the table", format)
		}
	}
}
