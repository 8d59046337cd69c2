// Package earktest checks archive packages in tests: the E-ARK
// Foundation's own validator (../shared/tools/eark-validator/validate,
// offline), xmllint against the ERMS v3 schema and the record schema, and
// the sizes and SHA-256 checksums each METS file states, which the
// validator does not check.
package earktest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// shared is the folder of standards and tools beside the repository.
func shared(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("earktest: no go.mod above the test's folder")
		}
		dir = up
	}
}

// Result is what the validator found in a package.
type Result struct {
	Structure, Schema, Schematron string
	// Errors are the rules of severity Error, "CSIP60: message".
	Errors []string
	// Warnings are the rule ids of severity Warn.
	Warnings []string
}

type message struct {
	RuleID   string `json:"rule_id"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

type results struct {
	Status   string    `json:"status"`
	Messages []message `json:"messages"`
}

type report struct {
	Structure results `json:"structure"`
	Metadata  *struct {
		Schema     results `json:"schema_results"`
		Schematron results `json:"schematron_results"`
	} `json:"metadata"`
}

// Validate runs the E-ARK validator on a package folder or zip and fails
// the test on any rule of severity Error, a structure that is not
// WellFormed or METS that is not VALID. It skips the test, saying why,
// only when the validator or what it needs (python3 with pydantic 2,
// Debian's python3-lxml; `make deps` installs it) is missing.
func Validate(t testing.TB, pkg string) Result {
	t.Helper()
	validate := filepath.Join(shared(t), "tools", "eark-validator", "validate")
	if _, err := os.Stat(validate); err != nil {
		t.Skipf("E-ARK validator not found at %s: archive packages not validated", validate)
	}
	cmd := exec.Command("bash", validate, pkg)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 2 {
		t.Skipf("E-ARK validator cannot run here (%s): run `make deps`", strings.TrimSpace(errb.String()))
	}
	var rep report
	found := false
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "{") {
			if jerr := json.Unmarshal([]byte(line), &rep); jerr != nil {
				t.Fatalf("E-ARK validator: unreadable report: %v\n%s", jerr, line)
			}
			found = true
		}
	}
	if !found {
		t.Fatalf("E-ARK validator gave no report for %s (%v):\n%s\n%s", pkg, err, out.String(), errb.String())
	}
	res := Result{Structure: rep.Structure.Status}
	all := rep.Structure.Messages
	if rep.Metadata != nil {
		res.Schema, res.Schematron = rep.Metadata.Schema.Status, rep.Metadata.Schematron.Status
		all = append(append(all, rep.Metadata.Schema.Messages...), rep.Metadata.Schematron.Messages...)
	}
	for _, m := range all {
		switch strings.ToLower(m.Severity) {
		case "error":
			res.Errors = append(res.Errors, m.RuleID+": "+m.Message)
		case "warn", "warning":
			res.Warnings = append(res.Warnings, m.RuleID)
		}
	}
	if len(res.Errors) > 0 || res.Structure != "WellFormed" || res.Schema != "VALID" || res.Schematron != "VALID" {
		t.Errorf("E-ARK validator: %s: structure/schema/schematron = %s %s %s; errors:\n  %s",
			filepath.Base(pkg), res.Structure, res.Schema, res.Schematron, strings.Join(res.Errors, "\n  "))
	}
	return res
}

// XMLLint validates files against an XSD with xmllint and fails the test
// on any error; it skips when xmllint is missing (`make deps` installs it).
func XMLLint(t testing.TB, xsd string, files ...string) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not found (Debian package libxml2-utils; `make deps` installs it)")
	}
	args := append([]string{"--noout", "--nonet", "--schema", xsd}, files...)
	out, err := exec.Command("xmllint", args...).CombinedOutput()
	if err != nil {
		t.Errorf("xmllint --schema %s: %v\n%s", filepath.Base(xsd), err, out)
	}
}

// ERMS validates ERMS files against ../shared/standards/eark/erms/ERMS_v3.xsd.
func ERMS(t testing.TB, files ...string) {
	t.Helper()
	xsd := filepath.Join(shared(t), "standards", "eark", "erms", "ERMS_v3.xsd")
	if _, err := os.Stat(xsd); err != nil {
		t.Skipf("ERMS v3 schema not found at %s", xsd)
	}
	XMLLint(t, xsd, files...)
}

// Checksums checks that every file and metadata reference a METS file
// (the package's or a representation's) lists exists with the stated
// SIZE and SHA-256 CHECKSUM, and returns how many it checked.
func Checksums(t testing.TB, metsFile string) int {
	t.Helper()
	data, err := os.ReadFile(metsFile)
	if err != nil {
		t.Fatal(err)
	}
	type ref struct{ href, size, sum string }
	var refs []ref
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "file", "mdRef":
			var r ref
			for _, a := range se.Attr {
				switch a.Name.Local {
				case "SIZE":
					r.size = a.Value
				case "CHECKSUM":
					r.sum = a.Value
				case "href":
					r.href = a.Value
				}
			}
			refs = append(refs, r) // a file's href comes with its FLocat
		case "FLocat":
			for _, a := range se.Attr {
				if a.Name.Local == "href" {
					refs[len(refs)-1].href = a.Value
				}
			}
		}
	}
	base := filepath.Dir(metsFile)
	for _, r := range refs {
		got, err := os.ReadFile(filepath.Join(base, filepath.FromSlash(r.href)))
		if err != nil {
			t.Errorf("%s lists %s: %v", filepath.Base(metsFile), r.href, err)
			continue
		}
		sum := sha256.Sum256(got)
		if strings.ToUpper(hex.EncodeToString(sum[:])) != r.sum {
			t.Errorf("%s: checksum of %s does not match", metsFile, r.href)
		}
		if strconv.Itoa(len(got)) != r.size {
			t.Errorf("%s: size of %s is %d, METS says %s", metsFile, r.href, len(got), r.size)
		}
	}
	return len(refs)
}
