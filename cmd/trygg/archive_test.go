package main

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/archive/earktest"
)

var deliveredLine = regexp.MustCompile(`^delivery (leverans-\d{8}-\d{6}): (\d+) cases of (\d+) persons in (\d+) packages, written to (.+)\n$`)

// TestArchiveDeliverZip: trygg archive deliver on the demo's data folder,
// its past six years old, refuses an officer and an age that is no number
// without writing anything, then writes the delivery of the cases closed
// at least five years ago into one zip: a package per person, each passing
// the E-ARK validator with its checksums right and its ERMS valid. A
// second delivery finds nothing left and writes no zip.
func TestArchiveDeliverZip(t *testing.T) {
	dir := retentionData(t)
	zipFile := filepath.Join(dir, "leverans.zip")
	deliver := func(as, older string) (string, error) {
		out, _, err := runCmd(t, nil, "archive", "deliver", "--data", dir, "--as", as, "--older-than", older,
			"--org-number", "212000-0000", "--zip", zipFile)
		return out, err
	}
	for _, bad := range []struct{ as, older, says string }{
		{"handlaggare", "5y", "Only an archivist can deliver to the archive."},
		{"arkivarie", "fem", "--older-than takes whole years"},
		{"arkivarie", "0y", "Give the age of the cases in whole years, 1 to 100."},
	} {
		if _, err := deliver(bad.as, bad.older); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("--as %s --older-than %s: %v, want %q", bad.as, bad.older, err, bad.says)
		}
		if _, err := os.Stat(zipFile); err == nil {
			t.Fatalf("--as %s --older-than %s wrote the zip", bad.as, bad.older)
		}
	}

	out, err := deliver("arkivarie", "5y")
	m := deliveredLine.FindStringSubmatch(out)
	if err != nil || m == nil || m[5] != zipFile {
		t.Fatalf("deliver: %q %v", out, err)
	}
	cases, _ := strconv.Atoi(m[2])
	persons, _ := strconv.Atoi(m[3])
	if cases == 0 || m[3] != m[4] {
		t.Errorf("delivered %s cases of %s persons in %s packages: want cases, a package per person", m[2], m[3], m[4])
	}
	pkgs := unzipDelivery(t, zipFile, filepath.Join(dir, "unzipped"))
	if len(pkgs) != persons {
		t.Errorf("the zip holds %d packages, the command said %d", len(pkgs), persons)
	}
	var erms []string
	for i, root := range pkgs {
		if !strings.HasPrefix(filepath.Base(root), m[1]+"-") {
			t.Errorf("package %s is not named after the delivery %s", filepath.Base(root), m[1])
		}
		if i < 2 { // the validator takes seconds a package
			earktest.Validate(t, root)
		}
		earktest.Checksums(t, filepath.Join(root, "METS.xml"))
		earktest.Checksums(t, filepath.Join(root, "representations", "rep1", "METS.xml"))
		erms = append(erms, filepath.Join(root, "metadata", "descriptive", "ERMS.xml"))
	}
	earktest.ERMS(t, erms...)

	before, _ := os.ReadFile(zipFile)
	if _, err := deliver("arkivarie", "5y"); err == nil || !strings.Contains(err.Error(), "There are no closed cases that old left to archive.") {
		t.Errorf("second delivery: %v, want nothing left", err)
	}
	if after, _ := os.ReadFile(zipFile); string(after) != string(before) {
		t.Errorf("the second delivery changed the zip")
	}
}

// unzipDelivery writes a delivery's zip into dir and returns its
// packages' folders in the zip's order.
func unzipDelivery(t *testing.T, file, dir string) []string {
	t.Helper()
	z, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var pkgs []string
	for _, f := range z.File {
		top, _, _ := strings.Cut(f.Name, "/")
		if root := filepath.Join(dir, top); len(pkgs) == 0 || pkgs[len(pkgs)-1] != root {
			pkgs = append(pkgs, root)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pkgs
}
