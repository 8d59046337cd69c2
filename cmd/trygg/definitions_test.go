package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefinitionsValidate(t *testing.T) {
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "x.yaml"), []byte("kind: case_type\nid: x\nname: {sv: X}\nfield: IFO\nstart: a\nsteps:\n  - id: a\n    name: {sv: A}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, out string
		ok             bool
	}{
		{"valid", "../../internal/process/testdata/valid", "1 files valid: 1 case types, 1 forms, 1 code systems", true},
		{"dead end", bad, `x.yaml:7:9: the step "a" is a dead end`, false},
		{"empty folder", t.TempDir(), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), []string{"definitions", "validate", tt.dir}, func(string) string { return "" }, &out, &errOut)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok = %v", err, tt.ok)
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Fatalf("output %q does not contain %q", out.String(), tt.out)
			}
		})
	}
}
