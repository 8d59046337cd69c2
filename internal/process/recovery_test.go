package process

import (
	"os"
	"strings"
	"testing"
)

// recoveryCaseType is a case type with decisions over okCodes; %UNIT% is
// replaced by its amount_unit line and %REC% by each test's recovery.
const recoveryCaseType = `kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - {id: a, name: {sv: A}, forms: [f]}
  - {id: b, name: {sv: B}, final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare]}
decisions:
  insatser: cs
  legal_bases: ["SoL 4 kap. 1 §"]
  delegation:
    - {roles: [handlaggare]}
%UNIT%
%REC%
`

// TestValidateRecovery: decisions.recovery needs money and at least one
// legal basis, each with an id of its own and a Swedish name; the
// checker says so in Swedish and English. The case type starts at line
// 17; decisions.insatser is at line 28.
func TestValidateRecovery(t *testing.T) {
	tests := []struct {
		name      string
		unit, rec string
		want      []string
		sv        string
	}{
		{"valid", "  amount_unit: money", `  recovery:
    legal_bases:
      - {id: sol_9_1, name: {sv: "SoL 9 kap. 1 §", en: "SoL 9:1"}}
      - {id: sol_9_2, name: {sv: "SoL 9 kap. 2 §"}}`, nil, ""},
		{"none: no recovery", "", "", nil, ""},
		{"not money", "  amount_unit: hours", `  recovery:
    legal_bases: [{id: a, name: {sv: A}}]`, []string{`v.yaml:28:13: a recovery is of an amount of money`},
			"återkrav gäller belopp i pengar, så decisions behöver amount_unit: money"},
		{"no legal bases", "  amount_unit: money", `  recovery:
    legal_bases: []`, []string{`v.yaml:28:13: decisions.recovery needs at least one legal basis`},
			"decisions.recovery behöver minst ett lagrum (legal_bases)"},
		{"a bad id, twice, without Swedish", "  amount_unit: money", `  recovery:
    legal_bases:
      - {id: "SoL 9:1", name: {sv: A}}
      - {id: x, name: {en: X}}
      - {id: x, name: {sv: X}}`, []string{
			`v.yaml:35:14: the legal basis id "SoL 9:1" must have 1 to 40 lowercase letters`,
			`v.yaml:36:14: the legal basis "x" has no Swedish name`,
			`v.yaml:37:14: the legal basis "x" is listed twice`,
		}, `lagrummets id "SoL 9:1" ska ha 1 till 40 gemena bokstäver a–z, siffror eller _`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.NewReplacer("%UNIT%", tt.unit, "%REC%", tt.rec).Replace(recoveryCaseType)
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(okCodes + okForm + src)}})
			checkProblems(t, probs, nil)
			got := Validate(b)
			checkProblems(t, got, tt.want)
			if tt.sv != "" && (len(got) == 0 || !strings.Contains(got[0].In("sv"), tt.sv)) {
				t.Errorf("in Swedish: %v, want %q", got, tt.sv)
			}
			ct := b.CaseTypes[0]
			if r := ct.Recovery(); (r != nil) != (tt.rec != "") {
				t.Errorf("Recovery() = %v", r)
			}
		})
	}
}

// The economic-assistance pack recovers on SoL 9 kap. 1 and 2 §§; the
// examples' case types (a one-off grant among them) have no recovery.
func TestPackRecovery(t *testing.T) {
	load := func(t *testing.T, dir string) *Bundle {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var files []File
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".yaml") {
				data, err := os.ReadFile(dir + "/" + e.Name())
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, File{Name: e.Name(), Data: data})
			}
		}
		b, probs := Load(files)
		checkProblems(t, probs, nil)
		checkProblems(t, Validate(b), nil)
		return b
	}
	got := map[string]string{}
	for _, dir := range []string{"../../packs/ekonomiskt_bistand", "../../examples/definitions"} {
		for _, ct := range load(t, dir).CaseTypes {
			var ids []string
			if r := ct.Recovery(); r != nil {
				for _, b := range r.LegalBases {
					ids = append(ids, b.ID.Value)
					if !strings.HasPrefix(b.Name.SV, "SoL 9 kap.") || b.Name.EN == "" {
						t.Errorf("%s: the name of %s: %+v", ct.ID.Value, b.ID.Value, b.Name)
					}
				}
			}
			got[ct.ID.Value] = strings.Join(ids, ",")
		}
	}
	if got["ekonomiskt_bistand"] != "sol_9_1,sol_9_2" || len(got) < 2 {
		t.Errorf("legal bases of recovery: %v", got)
	}
	for ct, ids := range got {
		if ct != "ekonomiskt_bistand" && ids != "" {
			t.Errorf("%s has recovery: %s", ct, ids)
		}
	}
}
