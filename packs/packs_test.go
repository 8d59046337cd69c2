package packs_test

import (
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/packs"
)

// packFiles returns the embedded files of one pack folder, or of all
// packs for "" — exactly what the demo publishes.
func packFiles(folder string) []process.File {
	var out []process.File
	for _, f := range packs.Files() {
		if folder == "" || strings.HasPrefix(f.Name, folder+"/") {
			out = append(out, process.File{Name: f.Name, Data: []byte(f.Content)})
		}
	}
	return out
}

// TestPacksValidate checks each pack on its own and all of them together
// (the set the demo publishes as one version).
func TestPacksValidate(t *testing.T) {
	for _, folder := range []string{"ibic", "bbic", "ekonomiskt_bistand", ""} {
		name := folder
		if name == "" {
			name = "all"
		}
		t.Run(name, func(t *testing.T) {
			files := packFiles(folder)
			if len(files) == 0 {
				t.Fatal("no files")
			}
			b, probs := process.Load(files)
			if len(probs) == 0 {
				probs = process.Validate(b)
			}
			for _, p := range probs {
				t.Error(p.String())
			}
		})
	}
}

// TestEconomicAssistanceCalculation evaluates eb_ansokan against
// hand-worked examples from the national norm tables.
func TestEconomicAssistanceCalculation(t *testing.T) {
	b, probs := process.Load(packFiles("ekonomiskt_bistand"))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	c, probs := process.Compile(b)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	member := func(role string, age float64, lunchOut bool) map[string]any {
		return map[string]any{"role": role, "age": age, "lunch_outside_home": lunchOut}
	}
	couple := []any{member("couple", 40, false), member("couple", 38, false)}
	cases := []struct {
		name   string
		values map[string]any
		want   map[string]int64 // field -> öre
		errAt  string
	}{
		{"2019 couple with children 5 and 12", map[string]any{
			"month": "2019-03-01", "applied_for": []any{"forsorjningsstod"},
			"members":      append(append([]any{}, couple...), member("child", 5, false), member("child", 12, false)),
			"housing_cost": 800000.0, "electricity": 30000.0, "salary": 500000.0, "child_allowance": 250000.0,
		}, map[string]int64{"personal_costs": 1139000, "common_costs": 157000, "norm_total": 1296000, "assistance": 1376000}, ""},
		{"2019 child 2 eating lunch outside the home", map[string]any{
			"month": "2019-06-01", "applied_for": []any{"forsorjningsstod"},
			"members": []any{member("single", 30, false), member("child", 2, true)},
		}, map[string]int64{"personal_costs": 309000 + 219000, "common_costs": 110000}, ""},
		{"2021 household of nine", map[string]any{
			"month": "2021-05-01", "applied_for": []any{"forsorjningsstod"},
			"members": append(append([]any{}, couple...), member("child", 8, false), member("child", 8, false), member("child", 8, false),
				member("child", 8, false), member("child", 8, false), member("child", 8, false), member("child", 8, false)),
		}, map[string]int64{"personal_costs": 2712000, "common_costs": 261000, "norm_total": 2973000}, ""},
		{"2021 adult sharing a home of three", map[string]any{
			"month": "2021-05-01", "applied_for": []any{"forsorjningsstod"},
			"members": []any{member("single", 30, false)}, "shares_home": true, "shared_size": 3.0,
		}, map[string]int64{"personal_costs": 316000, "common_costs": 47333}, ""},
		{"2023 couple, no children (unconfirmed amounts)", map[string]any{
			"month": "2023-02-01", "applied_for": []any{"forsorjningsstod"},
			"members": append([]any{}, couple...), "housing_cost": 700000.0,
		}, map[string]int64{"personal_costs": 630000, "common_costs": 125000, "norm_total": 755000, "assistance": 1455000}, ""},
		{"2024 single adult with a child of 3 eating lunch at home", map[string]any{
			"month": "2024-09-01", "applied_for": []any{"forsorjningsstod"},
			"members": []any{member("single", 29, false), member("child", 3, false)}, "salary": 1000000.0,
		}, map[string]int64{"personal_costs": 379000 + 262000, "common_costs": 136000, "norm_total": 777000, "assistance": 0}, ""},
		{"2025 has no table: the city enters it", map[string]any{
			"month": "2025-01-01", "applied_for": []any{"forsorjningsstod"},
			"members": []any{member("single", 30, false)},
		}, nil, "personal_costs"},
		{"2016 has no table", map[string]any{
			"month": "2016-05-01", "applied_for": []any{"forsorjningsstod"},
			"members": []any{member("single", 30, false)},
		}, nil, "personal_costs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := c.EvaluateForm("eb_ansokan", tc.values, process.Context{Today: time.Now()}, "sv")
			if err != nil {
				t.Fatal(err)
			}
			if tc.errAt != "" {
				t.Log(st.Errors[tc.errAt])
				if st.Errors[tc.errAt] == "" {
					t.Errorf("want an error at %s, got values %v errors %v", tc.errAt, st.Values, st.Errors)
				}
				return
			}
			if len(st.Errors) > 0 {
				t.Fatalf("errors: %v", st.Errors)
			}
			for f, want := range tc.want {
				if got := fmt.Sprint(st.Values[f]); got != fmt.Sprint(want) {
					t.Errorf("%s = %s, want %d", f, got, want)
				}
			}
			t.Log(st.Values["calculation_text"])
		})
	}
}

// TestNoGoCodeNamesAPack proves the engine is generic: no Go code outside
// tests names a pack's case types, forms, code systems, decision tables or
// reports, a method (IBIC, BBIC, the national norm) or a norm amount. Go
// comments may explain; identifiers, strings and numbers may not.
func TestNoGoCodeNamesAPack(t *testing.T) {
	b, probs := process.Load(packFiles(""))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	var ids []string
	for _, ct := range b.CaseTypes {
		ids = append(ids, ct.ID.Value)
	}
	for _, f := range b.Forms {
		ids = append(ids, f.ID.Value)
	}
	for _, cs := range b.CodeSystems {
		ids = append(ids, cs.ID.Value)
	}
	for _, tb := range b.Tables {
		ids = append(ids, tb.ID.Value)
	}
	for _, r := range b.Reports {
		ids = append(ids, r.ID.Value)
	}
	words := []string{"ibic", "bbic", "riksnorm", "forsorjningsstod", "försörjningsstöd"}
	// Norm amounts, in kronor and in öre. Round thousands are too common
	// in ordinary code to tell anything and are left out, and so is 1900,
	// the first year a date check accepts.
	amounts := map[string]bool{}
	for _, tb := range b.Tables {
		for _, rs := range tb.RuleSets {
			for _, r := range rs.Rules {
				for _, v := range r.Then {
					n, err := strconv.Atoi(v.Value)
					if err == nil && n >= 100 && n%1000 != 0 && n != 1900 {
						amounts[strconv.Itoa(n)], amounts[strconv.Itoa(n*100)] = true, true
					}
				}
			}
		}
	}
	if len(ids) < 10 || len(amounts) < 50 {
		t.Fatalf("too little found in the packs to check against: %d ids, %d amounts", len(ids), len(amounts))
	}
	idPattern := regexp.MustCompile(`(?:^|[^a-z0-9_-])(` + strings.Join(ids, "|") + `)(?:[^a-z0-9_-]|$)`)

	root := filepath.Join("..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".tools" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(path, -1, len(src)), src, nil, 0)
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			var what string
			switch tok {
			case token.IDENT:
				for _, w := range words {
					if strings.Contains(strings.ToLower(lit), w) {
						what = "the method " + w
					}
				}
			case token.STRING:
				text, err := strconv.Unquote(lit)
				if err != nil {
					text = lit
				}
				low := strings.ToLower(text)
				for _, w := range words {
					if strings.Contains(low, w) {
						what = "the method " + w
					}
				}
				if m := idPattern.FindStringSubmatch(low); m != nil {
					what = "the pack's " + m[1]
				}
			case token.INT:
				if amounts[lit] {
					what = "the norm amount " + lit
				}
			}
			if what != "" {
				t.Errorf("%s names %s: make it data in a pack, not Go", fset.Position(pos), what)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Errorf("only %d Go files checked: is the walk looking in the right place?", checked)
	}
}
