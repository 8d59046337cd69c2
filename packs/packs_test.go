package packs_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/process"
)

// readDir reads every .yaml and .yml file under dir, named by its path
// relative to dir (as cmd/trygg's readDefinitionDir does).
func readDir(t *testing.T, dir string) []process.File {
	t.Helper()
	var files []process.File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files = append(files, process.File{Name: filepath.ToSlash(rel), Data: b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestPacksValidate loads every pack folder under packs/ and fails on any
// problem the definition checker reports.
func TestPacksValidate(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := e.Name()
		files := readDir(t, dir)
		if len(files) == 0 {
			continue
		}
		n++
		t.Run(dir, func(t *testing.T) {
			b, probs := process.Load(files)
			if len(probs) == 0 {
				probs = process.Validate(b)
			}
			for _, p := range probs {
				t.Errorf("%s: %s", dir, p.String())
			}
		})
	}
	if n == 0 {
		t.Fatal("no pack folders with .yaml files found")
	}
}

// TestEconomicAssistanceCalculation evaluates eb_ansokan against
// hand-worked examples from the national norm tables.
func TestEconomicAssistanceCalculation(t *testing.T) {
	b, probs := process.Load(readDir(t, "ekonomiskt_bistand"))
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
