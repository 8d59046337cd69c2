package process

import (
	"strings"
	"testing"

	"github.com/trygg/trygg/packs"
)

// TestValidateOrderDevices: the insatser an orders section carries out
// with a device must be insatser of the case type; the IBIC pack's safety
// alarm is one.
func TestValidateOrderDevices(t *testing.T) {
	for _, tt := range []struct {
		name, devices string
		want          []string
	}{
		{"the pack's", "devices: [trygghetslarm]", nil},
		{"an unknown insats", "devices: [trygghetslarm, larmknapp]", []string{`the insats "larmknapp" is not in the code system "insatser_sol"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var files []File
			for _, f := range packs.Files() {
				if !strings.HasPrefix(f.Name, "ibic/") {
					continue
				}
				src := f.Content
				if f.Name == "ibic/case_types.yaml" {
					if !strings.Contains(src, "devices: [trygghetslarm]") {
						t.Fatal("the IBIC pack has no devices")
					}
					src = strings.Replace(src, "devices: [trygghetslarm]", tt.devices, 1)
				}
				files = append(files, File{Name: f.Name, Data: []byte(src)})
			}
			b, probs := Load(files)
			checkProblems(t, probs, nil)
			got := Validate(b)
			if len(got) != len(tt.want) {
				t.Fatalf("problems %v, want %v", got, tt.want)
			}
			for i, p := range got {
				if !strings.Contains(p.String(), tt.want[i]) {
					t.Errorf("problem %q, want it to say %q", p.String(), tt.want[i])
				}
			}
		})
	}
}
