package payments

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// schemaPath returns the path of an official ISO 20022 schema in
// ../shared/standards/iso20022/ beside the repository (see its README),
// found from the module root, and fails the test if it is not there.
func schemaPath(t *testing.T, name string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "standards", "iso20022", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the schema %s is not there: the tests read the official schemas from ../shared/standards/iso20022/ beside the repository", p)
	}
	return p
}

// xmllint validates files against the schema with Debian's xmllint
// (libxml2-utils) and returns its complaint, "" if they are valid. Without
// xmllint the test is skipped, except in CI, where it fails: `make deps`
// installs it.
func xmllint(t *testing.T, schema string, files ...string) string {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is not installed: `make deps` installs it (Debian package libxml2-utils)")
		}
		t.Skip("xmllint is not installed, so the files are not checked against the ISO 20022 schema: `make deps` installs it (Debian package libxml2-utils)")
	}
	args := append([]string{"--noout", "--nonet", "--schema", schema}, files...)
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		return strings.TrimSpace(string(out))
	}
	return ""
}

// writeTemp writes data to a file in the test's temporary directory and
// returns its path.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
