package payments

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// The status reports in testdata/ of the current version are valid
// pain.002.001.11 by the official schema, so the reader is tested on what
// a bank may send.
func TestStatusReportTestFilesValidate(t *testing.T) {
	schema := schemaPath(t, "pain.002.001.11.xsd")
	files, err := filepath.Glob(filepath.Join("testdata", "pain002-*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var v11 []string
	for _, f := range files {
		if !strings.Contains(f, "v03") {
			v11 = append(v11, f)
		}
	}
	if len(v11) < 3 {
		t.Fatalf("found %d pain.002.001.11 test files", len(v11))
	}
	if msg := xmllint(t, schema, v11...); msg != "" {
		t.Fatalf("xmllint refuses the test files:\n%s", msg)
	}
}

// readReport reads a status report from testdata/.
func readReport(t *testing.T, name string) *StatusReport {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ReadStatusReport(f)
	if err != nil {
		t.Fatalf("ReadStatusReport(%s): %v", name, err)
	}
	return r
}

// outcome is a payment's matched status in short, for the tables below.
type outcome struct {
	id      string
	outcome Outcome
	status  string
	reasons string // the reasons' codes (or own codes) joined by spaces
}

// outcomes matches a report with the example run and returns the result
// in short.
func outcomes(t *testing.T, r *StatusReport) []outcome {
	t.Helper()
	statuses, err := r.Match(exampleRun(t))
	if err != nil {
		t.Fatal(err)
	}
	var out []outcome
	for _, s := range statuses {
		var codes []string
		for _, rs := range s.Reasons {
			codes = append(codes, rs.Code+rs.Proprietary)
		}
		out = append(out, outcome{s.EndToEndID, s.Outcome, s.Status, strings.Join(codes, " ")})
	}
	return out
}

func TestReadStatusReportRejections(t *testing.T) {
	r := readReport(t, "pain002-rejections.xml")
	if r.MessageID != "STS-20260325-000187" || r.OriginalMessageID != "TRYGG-20260324-0001" || r.Status != "PART" {
		t.Errorf("report %+v", r)
	}
	if want := time.Date(2026, 3, 25, 6, 12, 40, 0, time.UTC); !r.CreatedAt.Equal(want) {
		t.Errorf("created %v, want %v", r.CreatedAt, want)
	}
	if len(r.Blocks) != 2 || r.Blocks[0].ID != "TRYGG-20260324-0001-1" || r.Blocks[0].Status != "ACSC" || r.Blocks[1].Status != "PART" {
		t.Errorf("blocks %+v", r.Blocks)
	}
	named := r.Payments()
	if len(named) != 4 || named[1].EndToEndID != "EB-2026-00418-1" || named[1].Outcome != OutcomeRejected || named[1].BlockID != "TRYGG-20260324-0001-2" {
		t.Fatalf("named payments %+v", named)
	}
	wrong := named[1].Reasons
	if len(wrong) != 1 || wrong[0].Code != "AC01" || !slices.Equal(wrong[0].Info, []string{"Kontot finns inte hos mottagande bank"}) {
		t.Errorf("reasons %+v", wrong)
	}
	if got := wrong[0].Text("sv"); got != "Kontonumret är fel eller saknas." {
		t.Errorf("AC01 in Swedish: %q", got)
	}
	own := named[3].Reasons
	if len(own) != 1 || own[0].Code != "" || own[0].Proprietary != "L207" || len(own[0].Info) != 2 || own[0].Text("sv") != "" {
		t.Errorf("the bank's own reason %+v", own)
	}

	want := []outcome{
		{"EB-2026-00417-1", OutcomeRejected, "RJCT", "AC04"},
		{"EB-2026-00417-2", OutcomePending, "PART", ""}, // not named in a partly accepted block
		{"EB-2026-00418-1", OutcomeRejected, "RJCT", "AC01"},
		{"EB-2026-00419-1", OutcomeAccepted, "ACSC", ""},
		{"BI-2026-00007-1", OutcomeRejected, "RJCT", "L207"},
		{"EB-2026-00420-1", OutcomeAccepted, "ACSC", ""}, // its block, of 24 March, accepted whole
		{"EB-2026-00421-1", OutcomePending, "PART", ""},
	}
	if got := outcomes(t, r); !slices.Equal(got, want) {
		t.Errorf("matched\n%v\nwant\n%v", got, want)
	}
}

func TestReadStatusReportWholeBlockAndFile(t *testing.T) {
	block := outcomes(t, readReport(t, "pain002-block-rejected.xml"))
	file := outcomes(t, readReport(t, "pain002-file-rejected.xml"))
	for i, p := range exampleRun(t).Payments {
		wantBlock := outcome{p.EndToEndID, OutcomeRejected, "RJCT", "AM04"}
		if p.EndToEndID == "EB-2026-00420-1" {
			wantBlock = outcome{p.EndToEndID, OutcomeAccepted, "ACCP", ""}
		}
		if block[i] != wantBlock {
			t.Errorf("block rejected: %v, want %v", block[i], wantBlock)
		}
		if want := (outcome{p.EndToEndID, OutcomeRejected, "RJCT", "FF01"}); file[i] != want {
			t.Errorf("file rejected: %v, want %v", file[i], want)
		}
	}
	r := readReport(t, "pain002-block-rejected.xml")
	// A time without zone is Swedish time.
	if want := time.Date(2026, 3, 25, 5, 30, 0, 0, time.UTC); !r.CreatedAt.Equal(want) {
		t.Errorf("created %v, want %v", r.CreatedAt, want)
	}
	if got, _ := ReasonText("AM04", "sv"); got != "Det fanns inte tillräckligt med pengar på kontot som betalningen skulle tas från." {
		t.Errorf("AM04: %q", got)
	}
}

func TestReadStatusReportOlderVersionInLatin1(t *testing.T) {
	r := readReport(t, "pain002-v03-latin1.xml")
	p := r.Payments()
	if len(p) != 1 || p[0].EndToEndID != "EB-2026-00420-1" || p[0].Outcome != OutcomeRejected ||
		p[0].Reasons[0].Code != "MD07" || p[0].Reasons[0].Info[0] != "Kontohavaren är avliden" {
		t.Fatalf("payments %+v", p)
	}
}

func TestReadStatusReportRefuses(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "pain001-example.xml"))
	if err != nil {
		t.Fatal(err)
	}
	ok, err := os.ReadFile(filepath.Join("testdata", "pain002-file-rejected.xml"))
	if err != nil {
		t.Fatal(err)
	}
	replace := func(old, new string) []byte { return bytes.Replace(ok, []byte(old), []byte(new), 1) }
	tests := []struct {
		name string
		in   io.Reader
		msg  string
	}{
		{"empty", strings.NewReader(""), "The file is not a payment status report (pain.002): it is not well-formed XML."},
		{"not XML", strings.NewReader("STATUS;RJCT;AC01"), "The file is not a payment status report (pain.002): it is not well-formed XML."},
		{"broken XML", bytes.NewReader(ok[:len(ok)/2]), "The file is not a payment status report (pain.002): it is not well-formed XML."},
		{"a payment file", bytes.NewReader(golden), "The file is not a payment status report (pain.002)."},
		{"version 001.02", bytes.NewReader(replace("pain.002.001.11", "pain.002.001.02")), "The file is not a payment status report (pain.002)."},
		{"no namespace", bytes.NewReader(replace(` xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"`, "")), "The file is not a payment status report (pain.002)."},
		{"a report on direct debits", bytes.NewReader(replace("pain.001.001.10", "pain.008.001.08")), "The status report answers another kind of file than a payment file (pain.001)."},
		{"no original id", bytes.NewReader(replace("<OrgnlMsgId>TRYGG-20260324-0001</OrgnlMsgId>", "<OrgnlMsgId> </OrgnlMsgId>")), "The status report does not say which payment file it answers."},
		{"other character set", bytes.NewReader(replace(`encoding="UTF-8"`, `encoding="EBCDIC-US"`)), "The file is not a payment status report (pain.002): it is not well-formed XML."},
		{"too large", io.MultiReader(bytes.NewReader(ok), strings.NewReader(strings.Repeat(" ", maxReportSize))), "The status report is larger than 64 MiB."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadStatusReport(tt.in)
			var e *trygg.Error
			if r != nil || !errors.As(err, &e) || e.Code != trygg.EInvalid || e.Message != tt.msg {
				t.Fatalf("ReadStatusReport = %v, %v; want %q", r, err, tt.msg)
			}
		})
	}

	t.Run("another payment file", func(t *testing.T) {
		run := exampleRun(t)
		run.MessageID = "TRYGG-20260324-0002"
		_, err := readReport(t, "pain002-rejections.xml").Match(run)
		if trygg.ErrorCode(err) != trygg.EInvalid || trygg.ErrorMessage(err) != "The status report answers another payment file." {
			t.Fatalf("Match: %v", err)
		}
	})
	t.Run("a payment not in the file", func(t *testing.T) {
		run := exampleRun(t)
		run.Payments = run.Payments[1:]
		_, err := readReport(t, "pain002-rejections.xml").Match(run)
		if trygg.ErrorCode(err) != trygg.EInvalid || trygg.ErrorMessage(err) != "The status report names a payment that is not in the payment file." {
			t.Fatalf("Match: %v", err)
		}
	})
}

func TestOutcomeOf(t *testing.T) {
	for status, want := range map[string]Outcome{
		"ACCP": OutcomeAccepted, "ACSC": OutcomeAccepted, "ACSP": OutcomeAccepted, "ACWC": OutcomeAccepted,
		"ACTC": OutcomePending, "PDNG": OutcomePending, "RCVD": OutcomePending, "PART": OutcomePending,
		"RJCT": OutcomeRejected, "CANC": OutcomeRejected,
		"": OutcomeUnknown, "XXXX": OutcomeUnknown, "rjct": OutcomeUnknown,
	} {
		if got := OutcomeOf(status); got != want {
			t.Errorf("OutcomeOf(%q) = %s, want %s", status, got, want)
		}
	}
}

// TestReasonTable checks reasons.yaml: ISO-shaped codes, a name and a
// sentence in both languages for each, and the common codes there.
func TestReasonTable(t *testing.T) {
	for code, e := range reasons {
		if !isCode(code) && !(len(code) == 4 && strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == "") {
			t.Errorf("code %q is not four capitals and digits", code)
		}
		if e.Name == "" || strings.ContainsAny(e.Name, " .") {
			t.Errorf("%s: name %q", code, e.Name)
		}
		for _, s := range []string{e.SV, e.EN} {
			if s == "" || !strings.HasSuffix(s, ".") || strings.ToUpper(s[:1]) != s[:1] {
				t.Errorf("%s: %q is not a sentence", code, s)
			}
		}
	}
	for _, code := range []string{"AC01", "AC04", "AC06", "AM04", "AM05", "BE01", "MD07", "MS03", "FF01", "DUPL", "NARR"} {
		if _, ok := ReasonText(code, "sv"); !ok {
			t.Errorf("no text for %s", code)
		}
	}
	if got, _ := ReasonText("AC04", "en"); got != "The account is closed." {
		t.Errorf("AC04 in English: %q", got)
	}
	if got := ReasonName("AC01"); got != "IncorrectAccountNumber" {
		t.Errorf("ReasonName(AC01) = %q", got)
	}
	if _, ok := ReasonText("ZZ99", "sv"); ok {
		t.Error("a text for an unknown code")
	}
}
