package archive_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/archive"
	"github.com/trygg/trygg/internal/archive/earktest"
	"github.com/trygg/trygg/internal/trygg"
)

var created = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

func meta() archive.Meta {
	return archive.Meta{
		ID:          "delivery-2026-1",
		Created:     created,
		Software:    archive.Software{Name: "trygg", Version: "1.4.0"},
		Submitter:   archive.Organisation{Name: "Exempelkommunens socialnämnd", OrgNumber: "212000-0000"},
		Restriction: "OSL 26 kap. 1 §",
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 30, 0, 0, time.UTC) }

// personakt is a small synthetic personakt: two cases, a form, a signed
// note, a decision, an order, a plan, performed insatser and an
// attachment in its original file (a name that is no safe file name).
func personakt() archive.Personakt {
	pdf := []byte("%PDF-1.4\n% hyreskontrakt\n%%EOF\n")
	return archive.Personakt{
		Person: archive.Person{ID: "p-1", IdentityNumber: "194203152385", GivenName: "Märta", FamilyName: "Ek & Söner <test>"},
		Cases: []archive.Case{
			{
				ID: "c-2", Reference: "EB-2015-00002", Type: "ekonomiskt_bistand", TypeName: "Ekonomiskt bistånd",
				LegalBasis: "SoL 4 kap. 1 §", Status: "closed", Opened: day(2015, 3, 1), Closed: day(2015, 4, 2),
				Unit: "Försörjningsstöd", Officer: "Olle Handläggare",
				Records: []archive.Record{
					{ID: "r-att", Kind: archive.KindAttachment, Title: "Hyreskontrakt", Created: day(2015, 3, 1), Direction: archive.Incoming,
						File: &archive.File{Name: "Hyreskontrakt mars/2015 (kopia).pdf", MediaType: "application/pdf", Data: pdf}},
					{ID: "r-dec", Kind: archive.KindDecision, Title: "Beslut: delvis bifall", Created: day(2015, 3, 20), Author: "Olle Handläggare",
						SignedBy: "Olle Handläggare", Signed: day(2015, 3, 21), Direction: archive.Outgoing,
						Fields: []archive.Field{{Name: "outcome", Label: "Utfall", Value: "partly_granted"}, {Name: "amount", Label: "Belopp", Value: "8 412 kr"}}},
				},
				Events: []archive.Event{{At: day(2015, 3, 1), Type: "case.opened", Actor: "Olle Handläggare"}, {At: day(2015, 4, 2), Type: "case.closed", Actor: "Olle Handläggare"}},
			},
			{
				ID: "c-1", Reference: "IB-2014-00001", Type: "ibic", TypeName: "Hemtjänst (IBIC)", LegalBasis: "SoL 4 kap. 1 §",
				Status: "closed", Opened: day(2014, 1, 10), Closed: day(2014, 12, 1), Unit: "Äldreomsorg", Officer: "Stina Bistånd",
				Related: []string{"EB-2015-00002"},
				Records: []archive.Record{
					{ID: "r-form", Kind: archive.KindForm, Title: "Utredning", Created: day(2014, 1, 12), Author: "Stina Bistånd",
						Fields: []archive.Field{{Name: "d4", Label: "Förflyttning", Value: "3"}, {Name: "own_words", Label: "Egna ord", Value: "Klara duschen själv igen"}}},
					{ID: "r-note", Kind: archive.KindNote, Title: "Hembesök", Created: day(2014, 1, 15), Author: "Stina Bistånd",
						SignedBy: "Stina Bistånd", Signed: day(2014, 1, 15), Text: "Besök i hemmet.\nDottern närvarande."},
					{ID: "r-order", Kind: archive.KindOrder, Title: "Beställning hemtjänst", Created: day(2014, 2, 1), Author: "Stina Bistånd",
						Direction: archive.Outgoing, Fields: []archive.Field{{Name: "hours", Label: "Timmar/månad", Value: "40"}}},
					{ID: "r-plan", Kind: archive.KindPlan, Title: "Genomförandeplan", Created: day(2014, 2, 10), Author: "Utföraren AB"},
					{ID: "r-perf", Kind: archive.KindPerformed, Title: "Utförd insats", Created: day(2014, 2, 11), Author: "Utföraren AB",
						Fields: []archive.Field{{Name: "minutes", Label: "Minuter", Value: "35"}}},
				},
				Events: []archive.Event{{At: day(2014, 1, 10), Type: "case.opened", Actor: "Stina Bistånd", Detail: "Ansökan"}},
			},
		},
	}
}

func TestBuildPackagesPassTheValidators(t *testing.T) {
	tests := []struct {
		name  string
		split archive.Split
		want  int
	}{
		{"per personakt", archive.PerPersonakt, 1},
		{"per case", archive.PerCase, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs, err := archive.Deliver(meta(), []archive.Personakt{personakt()}, tt.split)
			if err != nil {
				t.Fatal(err)
			}
			if len(pkgs) != tt.want {
				t.Fatalf("packages = %d, want %d", len(pkgs), tt.want)
			}
			dir := t.TempDir()
			for _, p := range pkgs {
				root, err := p.WriteDir(dir)
				if err != nil {
					t.Fatal(err)
				}
				checkPackage(t, root)
			}
			// The zip form passes as well.
			var zb bytes.Buffer
			if err := archive.WriteZip(&zb, created, pkgs[0]); err != nil {
				t.Fatal(err)
			}
			zf := filepath.Join(dir, pkgs[0].ID+".zip")
			if err := os.WriteFile(zf, zb.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			earktest.Validate(t, zf)
		})
	}
}

// checkPackage runs every check a package must pass: the E-ARK
// validator, xmllint on ERMS and the record XML, and the METS checksums.
func checkPackage(t *testing.T, root string) {
	t.Helper()
	res := earktest.Validate(t, root)
	t.Logf("%s: %s %s %s, warnings %v", filepath.Base(root), res.Structure, res.Schema, res.Schematron, res.Warnings)
	earktest.ERMS(t, filepath.Join(root, "metadata", "descriptive", "ERMS.xml"))
	records, _ := filepath.Glob(filepath.Join(root, "representations", "rep1", "data", "*", "*.xml"))
	if len(records) == 0 {
		t.Fatal("no record XML in the package")
	}
	earktest.XMLLint(t, filepath.Join(root, "representations", "rep1", "schemas", "trygg-record-v1.xsd"), records...)
	if n := earktest.Checksums(t, filepath.Join(root, "METS.xml")); n < 5 {
		t.Errorf("root METS lists %d files", n)
	}
	if n := earktest.Checksums(t, filepath.Join(root, "representations", "rep1", "METS.xml")); n < 4 {
		t.Errorf("representation METS lists %d files", n)
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// TestValidatorCatchesABrokenPackage proves the checks can fail: a
// package without its PROFILE, with a changed record and an ERMS record
// without its objectId is refused by each tool.
func TestValidatorCatchesABrokenPackage(t *testing.T) {
	pkgs, err := archive.Deliver(meta(), []archive.Personakt{personakt()}, archive.PerPersonakt)
	if err != nil {
		t.Fatal(err)
	}
	root, err := pkgs[0].WriteDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	edit := func(name, old, new string) {
		f := filepath.Join(root, filepath.FromSlash(name))
		b, err := os.ReadFile(f)
		if err != nil || !bytes.Contains(b, []byte(old)) {
			t.Fatalf("%s has no %q (%v)", name, old, err)
		}
		if err := os.WriteFile(f, bytes.Replace(b, []byte(old), []byte(new), 1), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	edit("METS.xml", `PROFILE="https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"`, "")
	edit("metadata/descriptive/ERMS.xml", "<objectId>r-note</objectId>", "")
	edit("representations/rep1/data/001-IB-2014-00001/002-journal_note.xml", "Besök i hemmet.", "Besök i hemmet!")
	checks := []struct {
		name string
		run  func(testing.TB)
		want string
	}{
		{"validator", func(tb testing.TB) { earktest.Validate(tb, root) }, "CSIP6"},
		{"xmllint ERMS", func(tb testing.TB) { earktest.ERMS(tb, filepath.Join(root, "metadata", "descriptive", "ERMS.xml")) }, "objectId"},
		{"checksums", func(tb testing.TB) {
			earktest.Checksums(tb, filepath.Join(root, "representations", "rep1", "METS.xml"))
		}, "checksum of data/001-IB-2014-00001/002-journal_note.xml"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			r := &recorder{TB: t}
			done := make(chan struct{})
			go func() { defer close(done); c.run(r) }()
			<-done
			if !strings.Contains(strings.Join(r.failed, "\n"), c.want) {
				t.Errorf("failures %q, want one naming %s", r.failed, c.want)
			}
		})
	}
}

func TestPackageContent(t *testing.T) {
	pkgs, err := archive.Deliver(meta(), []archive.Personakt{personakt()}, archive.PerPersonakt)
	if err != nil {
		t.Fatal(err)
	}
	p := pkgs[0]
	if p.ID != "delivery-2026-1-0001" {
		t.Errorf("id = %q", p.ID)
	}
	erms := string(p.File("metadata/descriptive/ERMS.xml"))
	premis := string(p.File("metadata/preservation/PREMIS.xml"))
	mets := string(p.File("METS.xml"))
	for _, want := range []struct{ doc, name, s string }{
		{erms, "ERMS", `<idNumber idNumberType="personnummer">194203152385</idNumber>`},
		{erms, "ERMS", `<name>Märta Ek &amp; Söner &lt;test&gt;</name>`},
		{erms, "ERMS", `aggregationType="caseFile"`},
		{erms, "ERMS", `<objectId>IB-2014-00001</objectId>`},
		{erms, "ERMS", `<subject>SoL 4 kap. 1 §</subject>`},
		{erms, "ERMS", `<status value="closed"/>`},
		{erms, "ERMS", `<relation relationType="reference">EB-2015-00002</relation>`},
		{erms, "ERMS", `<date dateType="main_signature">2014-01-15T09:30:00Z</date>`},
		{erms, "ERMS", `name="Hyreskontrakt mars/2015 (kopia).pdf"`},
		{erms, "ERMS", `<regulation>OSL 26 kap. 1 §</regulation>`},
		{premis, "PREMIS", `<messageDigestAlgorithm>SHA-256</messageDigestAlgorithm>`},
		{premis, "PREMIS", `<originalName>Hyreskontrakt mars/2015 (kopia).pdf</originalName>`},
		{premis, "PREMIS", `<agentVersion>1.4.0</agentVersion>`},
		{premis, "PREMIS", `<agentName>Exempelkommunens socialnämnd</agentName>`},
		{mets, "METS", `<note csip:NOTETYPE="SOFTWARE VERSION">1.4.0</note>`},
		{mets, "METS", `OTHERROLE="SUBMITTER"`},
	} {
		if !strings.Contains(want.doc, want.s) {
			t.Errorf("%s lacks %s", want.name, want.s)
		}
	}
	// The older case comes first; the attachment keeps its bytes.
	var att []byte
	for _, f := range p.Files {
		if strings.HasSuffix(f.Path, ".pdf") {
			att = f.Data
			if !strings.HasPrefix(f.Path, "representations/rep1/data/002-EB-2015-00002/") || f.MediaType != "application/pdf" {
				t.Errorf("attachment at %s (%s)", f.Path, f.MediaType)
			}
		}
	}
	if !bytes.Equal(att, personakt().Cases[0].Records[0].File.Data) {
		t.Error("attachment bytes changed")
	}
	if p.File("representations/rep1/data/001-IB-2014-00001/history.xml") == nil {
		t.Error("no case history for the first case")
	}
}

func TestDeterministic(t *testing.T) {
	a := personakt()
	b := personakt()
	// The same personakt with its cases and records in another order.
	b.Cases[0], b.Cases[1] = b.Cases[1], b.Cases[0]
	b.Cases[0].Records[0], b.Cases[0].Records[2] = b.Cases[0].Records[2], b.Cases[0].Records[0]
	zip := func(pa archive.Personakt) []byte {
		pkgs, err := archive.Deliver(meta(), []archive.Personakt{pa}, archive.PerPersonakt)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := archive.WriteZip(&buf, created, pkgs...); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if !bytes.Equal(zip(a), zip(b)) {
		t.Error("the same personakt gave different bytes")
	}
	m := meta()
	m.Created = created.Add(time.Hour)
	pkgs, _ := archive.Deliver(m, []archive.Personakt{a}, archive.PerPersonakt)
	var buf bytes.Buffer
	_ = archive.WriteZip(&buf, m.Created, pkgs...)
	if bytes.Equal(zip(a), buf.Bytes()) {
		t.Error("another creation time gave the same bytes")
	}
}

func TestDeliverRefusesIncompleteInput(t *testing.T) {
	noCases := personakt()
	noCases.Cases = nil
	tests := []struct {
		name  string
		meta  func(*archive.Meta)
		akter []archive.Personakt
		field string
	}{
		{"id with a slash", func(m *archive.Meta) { m.ID = "../x" }, []archive.Personakt{personakt()}, "id"},
		{"no time", func(m *archive.Meta) { m.Created = time.Time{} }, []archive.Personakt{personakt()}, "created"},
		{"no software version", func(m *archive.Meta) { m.Software.Version = "" }, []archive.Personakt{personakt()}, "software"},
		{"no submitter", func(m *archive.Meta) { m.Submitter.Name = "" }, []archive.Personakt{personakt()}, "submitter"},
		{"a personakt without cases", func(*archive.Meta) {}, []archive.Personakt{noCases}, "person"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := meta()
			tt.meta(&m)
			_, err := archive.Deliver(m, tt.akter, archive.PerPersonakt)
			var te *trygg.Error
			if !errorAs(err, &te) || te.Code != trygg.EInvalid || te.Fields[tt.field] == "" {
				t.Fatalf("err = %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func errorAs(err error, te **trygg.Error) bool {
	e, ok := err.(*trygg.Error)
	if ok {
		*te = e
	}
	return ok
}
