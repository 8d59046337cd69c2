package payments

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

// FuzzStatusReport: ReadStatusReport never panics on any input; it
// refuses with an EInvalid *trygg.Error, or returns a report whose
// outcomes agree with its status codes and which Match can pair with a
// run of the payments it names.
func FuzzStatusReport(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "pain00*.xml"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt><OrgnlGrpInfAndSts><OrgnlMsgId>X</OrgnlMsgId></OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><TxInfAndSts><OrgnlEndToEndId>A</OrgnlEndToEndId><TxSts>RJCT</TxSts></TxInfAndSts><TxInfAndSts><OrgnlEndToEndId>A</OrgnlEndToEndId></TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>`))
	f.Add([]byte(`<?xml version="1.0" encoding="latin1"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.3"/>`))
	f.Add([]byte(`<!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadStatusReport(bytes.NewReader(data))
		if err != nil {
			var e *trygg.Error
			if !errors.As(err, &e) || e.Code != trygg.EInvalid {
				t.Fatalf("error %v is not an EInvalid *trygg.Error", err)
			}
			if r != nil {
				t.Fatal("a report with an error")
			}
			return
		}
		if r.OriginalMessageID == "" {
			t.Fatal("a report that answers no file")
		}
		run := Run{MessageID: r.OriginalMessageID}
		seen := map[string]bool{}
		for _, p := range r.Payments() {
			if p.Outcome != OutcomeOf(p.Status) {
				t.Fatalf("outcome %s for status %q", p.Outcome, p.Status)
			}
			for _, reason := range p.Reasons {
				_ = reason.Text("sv") + reason.Text("en") + ReasonName(reason.Code)
			}
			if p.EndToEndID != "" && !seen[p.EndToEndID] {
				seen[p.EndToEndID] = true
				run.Payments = append(run.Payments, Payment{EndToEndID: p.EndToEndID})
			}
		}
		statuses, err := r.Match(run)
		if err != nil {
			t.Fatalf("Match with the report's own payments: %v", err)
		}
		if len(statuses) != len(run.Payments) {
			t.Fatalf("%d statuses for %d payments", len(statuses), len(run.Payments))
		}
		for _, s := range statuses {
			if s.Status != "" && s.Outcome != OutcomeOf(s.Status) || s.Status == "" && s.Outcome != OutcomeUnknown {
				t.Fatalf("matched outcome %s for status %q", s.Outcome, s.Status)
			}
		}
	})
}
