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
		{"valid", "../../examples/definitions", "2 files valid: 2 case types, 2 forms, 3 code systems", true},
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

// TestDefinitionsExportImport moves a published version to another
// installation with its checksum intact, and refuses a changed file.
func TestDefinitionsExportImport(t *testing.T) {
	ctx := context.Background()
	env := func(string) string { return "" }
	do := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, args, env, &out, &errOut)
		return out.String(), err
	}
	from, to := t.TempDir(), t.TempDir()
	for _, dir := range []string{from, to} {
		if _, err := do("demo", "--persons", "30", "--staff", "20", "--data", dir); err != nil {
			t.Fatal(err)
		}
	}
	out, err := do("definitions", "publish", "--author", "designer", "--data", from, "../../examples/definitions")
	// The demo has published the shipped packs as version 1.
	if err != nil || !strings.Contains(out, "published version 2") {
		t.Fatalf("publish: %q %v", out, err)
	}
	checksum := strings.TrimSuffix(strings.Split(out, "checksum ")[1], ")\n")
	exported, err := do("definitions", "export", "--data", from, "--version", "2")
	if err != nil || !strings.Contains(exported, checksum) {
		t.Fatalf("export: %v\n%s", err, exported)
	}
	file := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(file, []byte(exported), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := do("definitions", "import", "--data", to, file); err == nil {
		t.Fatal("import without --author must be refused")
	}
	out, err = do("definitions", "import", "--author", "designer", "--data", to, file)
	if err != nil || !strings.Contains(out, "published version 2 (checksum "+checksum) {
		t.Fatalf("import: %q %v", out, err)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.json")
	if err := os.WriteFile(tampered, []byte(strings.Replace(exported, "Bidrag", "Bidrag!", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := do("definitions", "import", "--author", "designer", "--data", to, tampered); err == nil || !strings.Contains(err.Error(), "changed since it was exported") {
		t.Fatalf("tampered import: %v", err)
	}
	if _, err := do("definitions", "export", "--data", to, "--version", "7"); err == nil {
		t.Fatal("exporting a version that does not exist must fail")
	}
}
