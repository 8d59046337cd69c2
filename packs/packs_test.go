package packs_test

import (
	"fmt"
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
