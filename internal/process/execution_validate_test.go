package process

import (
	"strings"
	"testing"
)

// TestValidateExecutionWarning: a case type's execution warning is checked
// whatever else its decisions say — a task after the last day, or a period
// that is no period, is a problem at its line.
func TestValidateExecutionWarning(t *testing.T) {
	tests := []struct {
		name, warning string
		want          []string
	}{
		{"valid", `  execution_warning: {after: 60d, within: 3m, name: {sv: "Beslut ej verkställt"}}`, nil},
		{"after the last day", `  execution_warning: {after: 4m, within: 3m, name: {sv: "Beslut ej verkställt"}}`,
			[]string{`v.yaml:32:30: execution_warning: the task (after) must come before the last day (within)`}},
		{"no period", `  execution_warning: {after: soon, within: 3m, name: {sv: "Beslut ej verkställt"}}`,
			[]string{`v.yaml:32:30: execution_warning.after:`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.NewReplacer("%UNIT%", tt.warning, "%REC%", "").Replace(recoveryCaseType)
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(okCodes + okForm + src)}})
			checkProblems(t, probs, nil)
			got := Validate(b)
			if len(got) != len(tt.want) {
				t.Fatalf("problems %v, want %v", got, tt.want)
			}
			for i, p := range got {
				if !strings.HasPrefix(p.String(), tt.want[i]) {
					t.Errorf("problem %q, want it to start %q", p.String(), tt.want[i])
				}
			}
		})
	}
}
