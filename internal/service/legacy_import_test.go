package service_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/legacy/synthetic"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// legacyWorld is the demo municipality with the packs and the city's
// definitions published (its legacy mapping socialregistret among them),
// and its system administrator.
type legacyWorld struct {
	ds    *demo.Dataset
	svc   *service.Service
	db    *store.DB
	admin trygg.Actor
	today time.Time
}

func newLegacyWorld(t *testing.T, db *store.DB) *legacyWorld {
	t.Helper()
	ctx := context.Background()
	svc := storetest.Service(t, db, nil)
	today := db.Now()
	ds := demo.Generate(demo.Options{Persons: 30, Staff: 20, Today: today})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := svc.LoadDemo(ctx, ds); err != nil {
		t.Fatal(err)
	}
	admin, err := svc.ActorByUsername(ctx, demo.TenantID, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return &legacyWorld{ds: ds, svc: svc, db: db, admin: admin, today: today}
}

// export writes a synthetic export of district with n persons, with the
// dirt real exports have, and opens it; it returns what dirt it wrote.
func (w *legacyWorld) export(t *testing.T, district string, n int) (*legacy.Export, map[string]int) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), district)
	sum, err := synthetic.Write(context.Background(), dir, synthetic.Options{District: district, Persons: n, Dirt: true, NotesPerPerson: 2,
		Exported: w.today.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := legacy.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return exp, sum.Dirt
}

// legacyDirtReasons is the outcome and reason an import reports for each
// kind of the synthetic export's dirt.
var legacyDirtReasons = map[string]string{
	"duplicate_persons":     "merged:same_identity",
	"identity_changes":      "merged:identity_replaced",
	"unmapped_unit_cases":   "refused:unknown_unit",
	"missing_unit_cases":    "refused:unknown_unit",
	"unknown_case_types":    "refused:unknown_code",
	"unknown_insatser":      "refused:unknown_code",
	"free_text_insatser":    "mapped:free_text_insats",
	"unmatched_free_texts":  "refused:unknown_code",
	"unknown_outcomes":      "refused:unknown_code",
	"notes_without_case":    "refused:note_without_case",
	"unknown_providers":     "refused:unknown_code",
	"unknown_payment_items": "refused:unknown_code",
	"unmapped_form_keys":    "mapped:form_fields_left_out",
	"missing_files":         "refused:file_missing",
	"unsupported_files":     "refused:file_type",
	"wrong_checksums":       "refused:checksum_mismatch",
}

// rows counts the rows of the tables an import writes.
func (w *legacyWorld) rows(t *testing.T) map[string]int64 {
	t.Helper()
	out, err := w.db.LegacyTableRows(context.Background(), demo.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// report returns a run's report as CSV records, header first.
func (w *legacyWorld) report(t *testing.T, runID string) [][]string {
	t.Helper()
	var b bytes.Buffer
	if err := w.svc.WriteLegacyReport(context.Background(), w.admin, runID, &b); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&b)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestLegacyImportEndToEnd moves a district in: a synthetic export with
// the dirt of real ones is dry-run (a report of what would be created,
// mapped, merged and refused, and nothing written), imported, and
// reconciled with no difference unexplained; imported again it changes
// nothing; and a second district imports beside it.
func TestLegacyImportEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newLegacyWorld(t, db)
		exp, dirt := w.export(t, "N", 60)

		before := w.rows(t)
		dry, err := w.svc.LegacyDryRun(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if dry.Status != store.LegacyDone || dry.Mode != store.LegacyDryRun {
			t.Fatalf("dry run %+v", dry)
		}
		after := w.rows(t)
		for table, n := range before {
			want := n
			if table == "events" {
				want += 2 // the run's start and end
			}
			if after[table] != want {
				t.Errorf("the dry run changed %s: %d rows, was %d", table, after[table], n)
			}
		}
		for _, k := range []string{"persons", "cases", "decisions", "notes"} {
			if dry.Counts.Total(k, store.LegacyCreated) == 0 {
				t.Errorf("the dry run would create no %s: %v", k, dry.Counts[k])
			}
		}
		rep := w.report(t, dry.ID)
		reasons := map[string]bool{}
		for _, rec := range rep[1:] {
			reasons[rec[4]+":"+rec[5]] = true
		}
		for kind, n := range dirt {
			if want := legacyDirtReasons[kind]; n > 0 && want != "" && !reasons[want] {
				t.Errorf("the export has %d of %s, and the dry run's report no %s; it has %v", n, kind, want, reasons)
			}
		}

		imp, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for k, byOutcome := range dry.Counts {
			for o, n := range byOutcome {
				if imp.Counts[k][o] != n {
					t.Errorf("%s %s: the import did %d, the dry run said %d", k, o, imp.Counts[k][o], n)
				}
			}
		}
		rec, err := w.svc.LegacyReconcile(ctx, w.admin, exp)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Summary.Unexplained != 0 {
			for _, r := range w.report(t, rec.Run.ID) {
				if r[4] == store.LegacyUnexplained {
					t.Errorf("unexplained: %v", r)
				}
			}
		}

		// Again: nothing changes but the run's own events.
		before = w.rows(t)
		again, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n := again.Counts.Total("", store.LegacyCreated) + again.Counts.Total("", store.LegacyMerged) + again.Counts.Total("", store.LegacyMapped); n != 0 {
			t.Errorf("the second import brought in %d records: %v", n, again.Counts)
		}
		after = w.rows(t)
		for table, n := range before {
			want := n
			if table == "events" {
				want += 2
			}
			if after[table] != want {
				t.Errorf("the second import changed %s: %d rows, was %d", table, after[table], n)
			}
		}

		// A second district beside it.
		south, _ := w.export(t, "S", 40)
		if _, err := w.svc.LegacyImport(ctx, w.admin, south, "socialregistret", service.LegacyOptions{}); err != nil {
			t.Fatal(err)
		}
		rec, err = w.svc.LegacyReconcile(ctx, w.admin, south)
		if err != nil || rec.Summary.Unexplained != 0 {
			t.Fatalf("Södra's reconciliation: %+v, %v", rec.Summary, err)
		}
		if rec, err := w.svc.LegacyReconcile(ctx, w.admin, exp); err != nil || rec.Summary.Unexplained != 0 {
			t.Fatalf("Norra's reconciliation after Södra: %+v, %v", rec.Summary, err)
		}
	})
}

// TestLegacyImportResumes stops an import after a few batches (a stop or
// a crash), runs it again, and gets what one run gets: the same run,
// resumed from its checkpoint, each record once, nothing unexplained.
func TestLegacyImportResumes(t *testing.T) {
	defer service.SetLegacyBatch(25)()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newLegacyWorld(t, db)
		exp, _ := w.export(t, "N", 40)
		dry, err := w.svc.LegacyDryRun(context.Background(), w.admin, exp, "socialregistret", service.LegacyOptions{})
		if err != nil {
			t.Fatal(err)
		}

		before := w.rows(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		batches := 0
		var seen []service.LegacyProgress
		stopped, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{Progress: func(p service.LegacyProgress) {
			seen = append(seen, p)
			if batches++; batches == 7 {
				cancel()
			}
		}})
		if !errors.Is(err, context.Canceled) || stopped.Status != store.LegacyStopped {
			t.Fatalf("stopped run: %+v, %v", stopped, err)
		}
		if stopped.CheckpointKind == "" || stopped.CheckpointKind == string(legacy.KindPayments) {
			t.Fatalf("stopped at %s %d: want part-way", stopped.CheckpointKind, stopped.CheckpointDone)
		}
		last := seen[len(seen)-1]
		if last.Total != int64(exp.Manifest.Counts[legacy.KindUnits]+exp.Manifest.Counts[legacy.KindStaff]+exp.Manifest.Counts[legacy.KindPersons]+
			exp.Manifest.Counts[legacy.KindRelations]+exp.Manifest.Counts[legacy.KindCases]+exp.Manifest.Counts[legacy.KindForms]+
			exp.Manifest.Counts[legacy.KindDecisions]+exp.Manifest.Counts[legacy.KindNotes]+exp.Manifest.Counts[legacy.KindDocuments]+
			exp.Manifest.Counts[legacy.KindOrders]+exp.Manifest.Counts[legacy.KindPerformed]+exp.Manifest.Counts[legacy.KindPayments]) ||
			last.Done <= 0 || last.Done >= last.Total {
			t.Fatalf("progress %+v", last)
		}

		resumed, err := w.svc.LegacyImport(context.Background(), w.admin, exp, "socialregistret", service.LegacyOptions{Progress: func(p service.LegacyProgress) {
			if p.Done <= last.Done {
				t.Errorf("the resumed run read again up to %d of %d", p.Done, last.Done)
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if resumed.ID != stopped.ID || resumed.Status != store.LegacyDone {
			t.Fatalf("resumed %+v, stopped %s", resumed, stopped.ID)
		}
		for k, byOutcome := range dry.Counts {
			for o, n := range byOutcome {
				if resumed.Counts[k][o] != n {
					t.Errorf("%s %s: the resumed import did %d, one run does %d", k, o, resumed.Counts[k][o], n)
				}
			}
		}
		rows := w.rows(t)
		if want := resumed.Counts.Total("", store.LegacyCreated) + resumed.Counts.Total("", store.LegacyMapped) +
			resumed.Counts.Total("", store.LegacyMerged); rows["legacy_ids"] != want {
			t.Errorf("legacy_ids has %d rows, the run brought in %d records", rows["legacy_ids"], want)
		}
		for table, kind := range map[string]legacy.Kind{"cases": legacy.KindCases, "journal_notes": legacy.KindNotes, "decisions": legacy.KindDecisions,
			"payment_lines": legacy.KindPayments, "performed": legacy.KindPerformed} {
			brought := resumed.Counts.Total(string(kind), store.LegacyCreated) + resumed.Counts.Total(string(kind), store.LegacyMapped)
			if got := rows[table] - before[table]; got != brought {
				t.Errorf("%s: %d rows more, the run brought in %d", table, got, brought)
			}
		}
		rec, err := w.svc.LegacyReconcile(context.Background(), w.admin, exp)
		if err != nil || rec.Summary.Unexplained != 0 {
			t.Fatalf("reconciliation %+v, %v", rec.Summary, err)
		}
	})
}

// coordinationNumber is the samordningsnummer of a test personnummer's
// birth date and number (day + 60), with its check digit.
func coordinationNumber(pnr string) string {
	b := []byte(pnr)
	day := int(b[6]-'0')*10 + int(b[7]-'0') + 60
	b[6], b[7] = byte('0'+day/10), byte('0'+day%10)
	sum := 0
	for i, c := range b[2:11] {
		d := int(c - '0')
		if i%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	b[11] = byte('0' + (10-sum%10)%10)
	return string(b)
}

// legacyTestExport writes a small export of district "Test" of
// Socialregistret whose every record's fate is known.
func legacyTestExport(t *testing.T, known persons.Identity) *legacy.Export {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "test")
	w, err := legacy.NewWriter(dir, legacy.FormatCSV, legacy.EncodingUTF8)
	if err != nil {
		t.Fatal(err)
	}
	a := persons.GenerateTestNumber(time.Date(1941, 3, 12, 0, 0, 0, 0, time.UTC), "F", 1).Value
	b := persons.GenerateTestNumber(time.Date(1975, 8, 2, 0, 0, 0, 0, time.UTC), "M", 2).Value
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.Unit(legacy.Unit{LegacyID: "N-ÄO", Name: "Biståndsenheten äldreomsorg"}))
	must(w.Unit(legacy.Unit{LegacyID: "N-UTR", Name: "Utredningsgruppen (nedlagd)"}))
	must(w.Staff(legacy.Staff{LegacyID: "N-S0001", Name: "Hanna H"}))
	must(w.Staff(legacy.Staff{LegacyID: "T-S0009", Name: "Gunnel Gammal"}))
	for _, p := range []legacy.Person{
		{LegacyID: "P1", Identity: a[:8] + "-" + a[8:], GivenName: "Astrid", FamilyName: "Ek"},
		{LegacyID: "P2", Identity: coordinationNumber(b), GivenName: "Bo", FamilyName: "Al"},
		{LegacyID: "P3", Identity: b, PreviousIdentity: coordinationNumber(b), GivenName: "Bo", FamilyName: "Al"},
		{LegacyID: "P4", Identity: a[2:], GivenName: "Astrid", FamilyName: "Ek"},
		{LegacyID: "P5", Identity: "19121212-1213", GivenName: "Fel", FamilyName: "Nummer"},
		{LegacyID: "P6", Identity: "RES-0001", GivenName: "Okänd", FamilyName: "Person", Protected: true},
		{LegacyID: "P7", Identity: known.Value, GivenName: "Känd", FamilyName: "Sedan förut"},
	} {
		must(w.Person(p))
	}
	must(w.Relation(legacy.Relation{LegacyID: "R1", From: "P3", To: "P1", Kind: "GM", ValidFrom: "2019-01-01"}))
	must(w.Relation(legacy.Relation{LegacyID: "R2", From: "P5", To: "P1", Kind: "GM"}))
	for _, c := range []legacy.Case{
		{LegacyID: "C1", Person: "P1", Unit: "N-ÄO", CaseType: "ÄO", Received: "2019-03-01", Opened: "2019-03-04T08:30:00Z", Officer: "N-S0001", Reference: "SN 2019/17"},
		{LegacyID: "C2", Person: "P2", Unit: "N-ÄO", CaseType: "ÄO", Received: "2019-04-01", Opened: "2019-04-01T07:00:00Z", Closed: "2020-01-10T15:00:00Z", Officer: "T-S0009"},
		{LegacyID: "C3", Person: "P1", Unit: "N-UTR", CaseType: "ÄO", Received: "2019-05-01", Opened: "2019-05-01T07:00:00Z", Officer: "T-S0009"},
	} {
		must(w.Case(c))
	}
	must(w.Form(legacy.FormValue{LegacyID: "F1", Case: "C1", Form: "UTR", Signed: "2019-03-08T12:00:00Z", Author: "N-S0001", Key: "egen_syn", Value: "Vill klara duschen själv."}))
	must(w.Form(legacy.FormValue{LegacyID: "F1", Case: "C1", Form: "UTR", Signed: "2019-03-08T12:00:00Z", Author: "N-S0001", Key: "gammal_bedomning", Value: "3"}))
	for _, d := range []legacy.Decision{
		{LegacyID: "D1", Case: "C1", Insats: "HT", Outcome: "B", Decided: "2019-03-10T09:00:00Z", DecidedBy: "N-S0001", ValidFrom: "2019-03-10", Amount: 4050, AmountUnit: "TIM"},
		{LegacyID: "D2", Case: "C1", Insats: "hjälp med städning varannan vecka", Outcome: "B", Decided: "2019-03-10T09:05:00Z", DecidedBy: "N-S0001", ValidFrom: "2019-03-10",
			Executed: "2019-03-20"},
		{LegacyID: "D3", Case: "C3", Insats: "HT", Outcome: "B", Decided: "2019-05-10T09:00:00Z", DecidedBy: "T-S0009", ValidFrom: "2019-05-10"},
	} {
		must(w.Decision(d))
	}
	for _, n := range []legacy.Note{
		{LegacyID: "J1", Case: "C2", Person: "P2", Written: "2019-05-02T08:00:00Z", Author: "T-S0009", Signed: true, Text: "Hembesök gjort."},
		{LegacyID: "J2", Person: "P1", Written: "2019-05-03T08:00:00Z", Author: "T-S0009", Signed: true, Text: "Utan ärende."},
		{LegacyID: "J3", Case: "C1", Person: "P1", Written: "2019-05-04T08:00:00Z", Author: "T-S0009", Text: "Utkast."},
	} {
		must(w.Note(n))
	}
	must(w.WriteFile("a/doc1.pdf", pdf))
	must(w.WriteFile("a/doc3.pdf", pdf))
	must(w.WriteFile("a/doc4.doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}))
	for _, d := range []legacy.Document{
		{LegacyID: "DOC1", Case: "C1", Name: "Ansökan.pdf", File: "a/doc1.pdf", SHA256: sum(pdf), Created: "2019-03-04T09:00:00Z", Author: "N-S0001"},
		{LegacyID: "DOC2", Case: "C1", Name: "Borta.pdf", File: "a/doc2.pdf", Created: "2019-03-04T09:00:00Z"},
		{LegacyID: "DOC3", Case: "C1", Name: "Fel.pdf", File: "a/doc3.pdf", SHA256: sum(append(pdf, '\n')), Created: "2019-03-04T09:00:00Z"},
		{LegacyID: "DOC4", Case: "C1", Name: "Gammal.doc", File: "a/doc4.doc", Created: "2019-03-04T09:00:00Z"},
	} {
		must(w.Document(d))
	}
	must(w.Order(legacy.Order{LegacyID: "O1", Decision: "D1", Provider: "HT-N", Start: "2019-03-15"}))
	must(w.Performed(legacy.Performed{LegacyID: "V1", Order: "O1", On: "2019-03-16", Minutes: 35}))
	must(w.Performed(legacy.Performed{LegacyID: "V2", Order: "O1", On: "2019-03-17", Deviation: "EH"}))
	w.Manifest.System, w.Manifest.District = "Socialregistret", "Test"
	must(w.Close())
	exp, err := legacy.Open(dir)
	must(err)
	return exp
}

// TestLegacyImportRecords imports an export whose every record's fate is
// known and reads what trygg has: persons merged by identity (the same
// number twice, a samordningsnummer replaced by a personnummer, a person
// trygg had), cases with the old diarienummer in the title and a new
// reference, closed in the final step, open in the mapped step with the
// mapped officer, decisions with their amounts, a note signed as it was
// by its author "(tidigare system)", a document with its file, an order
// and its visits — each with its events at its own time — and the
// refusals with their reasons. Then the mapping is fixed and the district
// imported again: what was refused for the unit comes in.
func TestLegacyImportRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newLegacyWorld(t, db)
		known := w.ds.Persons[0]
		exp := legacyTestExport(t, known.Identity)
		run, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		items := map[string]string{}
		for _, r := range w.report(t, run.ID)[1:] {
			items[r[2]] = r[4] + ":" + r[5]
		}
		for id, want := range map[string]string{
			"P3": "merged:same_identity", "P2": "created:identity_replaced", "P4": "merged:same_identity", "P5": "refused:invalid_identity",
			"P7": "merged:same_identity", "R2": "refused:unknown_person", "C3": "refused:unknown_unit", "F1": "mapped:form_fields_left_out",
			"D2": "mapped:free_text_insats", "D3": "refused:unknown_case", "J2": "refused:note_without_case", "J3": "refused:note_unsigned",
			"DOC2": "refused:file_missing", "DOC3": "refused:checksum_mismatch", "DOC4": "refused:file_type",
		} {
			if items[id] != want {
				t.Errorf("%s: %q, want %q", id, items[id], want)
			}
		}
		for _, id := range []string{"P1", "P6", "C1", "C2", "D1", "J1", "DOC1", "O1", "V1", "V2", "R1"} {
			if items[id] != "" {
				t.Errorf("%s: %q, want created", id, items[id])
			}
		}
		source := service.LegacySource(exp.Manifest)
		trygg := func(kind string, ids ...string) []string {
			t.Helper()
			got, err := db.LegacyIDs(ctx, demo.TenantID, source, kind, ids)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]string, len(ids))
			for i, id := range ids {
				out[i] = got[id].TryggID
			}
			return out
		}

		// Persons.
		ps := trygg("persons", "P1", "P2", "P3", "P4", "P6", "P7")
		if ps[0] != ps[3] || ps[1] != ps[2] || ps[5] != known.ID {
			t.Errorf("persons %v: P1 and P4 one, P2 and P3 one, P7 the person trygg had (%s)", ps, known.ID)
		}
		bo, err := db.PersonByID(ctx, demo.TenantID, ps[1])
		if err != nil || bo.Identity.Type != persons.IDPersonnummer || bo.BirthDate != "1975-08-02" {
			t.Errorf("the person of the replaced number: %+v, %v", bo.Identity, err)
		}
		okand, err := db.PersonByID(ctx, demo.TenantID, ps[4])
		if err != nil || okand.Identity.Type != persons.IDReserve || okand.Identity.Issuer != "Socialregistret" || okand.Protection == persons.ProtectionNone {
			t.Errorf("the person of the reserve number: %+v %v, %v", okand.Identity, okand.Protection, err)
		}

		// Cases.
		cs := trygg("cases", "C1", "C2")
		c1, err := db.CaseByID(ctx, demo.TenantID, cs[0])
		if err != nil {
			t.Fatal(err)
		}
		officer, _ := db.UserByUsername(ctx, demo.TenantID, "handlaggare")
		if c1.Status != "open" || c1.Step != "follow_up" || c1.AssignedTo != officer.ID || !strings.HasSuffix(c1.Title, " (tidigare dnr SN 2019/17)") ||
			c1.Reference == "" || strings.Contains(c1.Reference, "2019/17") || c1.ReceivedDate != "2019-03-01" ||
			!c1.OpenedAt.Equal(time.Date(2019, 3, 4, 8, 30, 0, 0, time.UTC)) {
			t.Errorf("the open case: %+v", c1)
		}
		c2, err := db.CaseByID(ctx, demo.TenantID, cs[1])
		if err != nil {
			t.Fatal(err)
		}
		if c2.Status != "closed" || c2.Step != "closed" || !c2.ClosedAt.Equal(time.Date(2020, 1, 10, 15, 0, 0, 0, time.UTC)) {
			t.Errorf("the closed case: %+v", c2)
		}
		old, err := db.UserByID(ctx, demo.TenantID, c2.AssignedTo)
		if err != nil || old.DisplayName != "Gunnel Gammal (tidigare system)" || !old.Disabled {
			t.Errorf("the closed case's officer: %+v, %v", old, err)
		}

		// Its history, at its own times.
		evs, err := db.CaseEvents(ctx, demo.TenantID, c1.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		at := map[string]time.Time{}
		for _, e := range evs {
			if !strings.Contains(string(e.Payload), `"source":"legacy"`) {
				t.Errorf("%s has no source legacy: %s", e.Type, e.Payload)
			}
			if first, ok := at[e.Type]; !ok || e.At.Before(first) {
				at[e.Type] = e.At
			}
		}
		for typ, want := range map[string]time.Time{"case.opened": time.Date(2019, 3, 4, 8, 30, 0, 0, time.UTC),
			"form.signed": time.Date(2019, 3, 8, 12, 0, 0, 0, time.UTC), "decision.made": time.Date(2019, 3, 10, 9, 0, 0, 0, time.UTC),
			"attachment.added": time.Date(2019, 3, 4, 9, 0, 0, 0, time.UTC)} {
			if !at[typ].Equal(want) {
				t.Errorf("%s at %v, want %v", typ, at[typ], want)
			}
		}

		// Decisions, note, document, order and visits.
		ds, err := db.Decisions(ctx, demo.TenantID, c1.ID)
		if err != nil || len(ds) != 2 || ds[0].Insats != "hemtjanst" || ds[0].Amount != 4050 || ds[0].Status != "final" || ds[0].DecidedBy != officer.ID ||
			ds[1].Insats != "hemtjanst_service" {
			t.Errorf("decisions %+v, %v", ds, err)
		}
		ns, err := db.Notes(ctx, demo.TenantID, c2.ID, "")
		if err != nil || len(ns) != 1 || ns[0].Status != "signed" || ns[0].Author != old.ID || !ns[0].SignedAt.Equal(time.Date(2019, 5, 2, 8, 0, 0, 0, time.UTC)) {
			t.Errorf("notes %+v, %v", ns, err)
		}
		docs, err := db.CaseAttachments(ctx, demo.TenantID, c1.ID)
		if err != nil || len(docs) != 1 || docs[0].ContentType != "application/pdf" || docs[0].Name != "Ansökan.pdf" || docs[0].PersonID != c1.PersonID {
			t.Errorf("documents %+v, %v", docs, err)
		}
		os, err := db.CaseOrders(ctx, demo.TenantID, c1.ID)
		if err != nil || len(os) != 1 || os[0].Status != store.OrderAccepted || os[0].StartDate != "2019-03-15" || os[0].Amount != 4050 {
			t.Fatalf("orders %+v, %v", os, err)
		}
		// Executed: D1 when its provider started, D2 when the export says.
		execs, err := db.CaseExecutions(ctx, demo.TenantID, c1.ID)
		executedOn := map[string]string{}
		for _, e := range execs {
			executedOn[e.DecisionID] = e.Kind + " " + e.On
		}
		if err != nil || len(execs) != 2 || executedOn[ds[0].ID] != "executed 2019-03-15" || executedOn[ds[1].ID] != "executed 2019-03-20" {
			t.Errorf("executions %+v, %v", execs, err)
		}
		visits, err := db.PerformedBetween(ctx, demo.TenantID, os[0].ID, "2019-03-01", "2019-03-31")
		if err != nil || len(visits) != 2 || visits[0].Minutes != 35 || visits[1].Deviation != "not_home" {
			t.Errorf("visits %+v, %v", visits, err)
		}

		rec, err := w.svc.LegacyReconcile(ctx, w.admin, exp)
		if err != nil || rec.Summary.Unexplained != 0 || rec.Summary.OpenDecisions.Export != 3 || rec.Summary.OpenDecisions.Trygg != 2 ||
			rec.Summary.OpenDecisions.Explained != 1 || rec.Summary.RunningOrders.Trygg != 1 {
			t.Fatalf("reconciliation %+v, %v", rec.Summary, err)
		}

		// The mapping fixed: N-UTR's cases go to elderly care too.
		designer, err := w.svc.ActorByUsername(ctx, demo.TenantID, "designer")
		if err != nil {
			t.Fatal(err)
		}
		version, _ := db.LatestDefinitionVersion(ctx, demo.TenantID)
		files, err := db.DefinitionFiles(ctx, demo.TenantID, version)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range files {
			if f.Name == "demo-city/legacy_mapping.yaml" {
				files[i].Content = strings.Replace(f.Content, "units:\n", "units:\n  - {code: \"N-UTR\", unit: norra-ao}\n", 1)
			}
		}
		if _, err := w.svc.PublishDefinitions(ctx, designer, service.DefinitionsInput{Files: files, Note: "N-UTR"}); err != nil {
			t.Fatal(err)
		}
		again, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if again.ID == run.ID || again.Counts[string(legacy.KindCases)][store.LegacyCreated] != 1 ||
			again.Counts[string(legacy.KindDecisions)][store.LegacyCreated] != 1 || again.Counts[string(legacy.KindUnits)][store.LegacyMapped] != 1 ||
			again.Counts[string(legacy.KindCases)][store.LegacySkipped] != 2 {
			t.Errorf("the import after the fix: %+v", again.Counts)
		}
		rec, err = w.svc.LegacyReconcile(ctx, w.admin, exp)
		if err != nil || rec.Summary.Unexplained != 0 || rec.Summary.OpenDecisions.Trygg != 3 || rec.Summary.OpenDecisions.Persons != 0 {
			t.Fatalf("reconciliation after the fix %+v, %v", rec.Summary, err)
		}
	})
}

// TestLegacyImportAnalysis feeds an imported district's history to the
// analysis store: the projector reads the imported events as any others,
// and the decisions count on the days they were made, not the import's.
func TestLegacyImportAnalysis(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, engine)
			db, err := store.Open(ctx, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			w := newLegacyWorld(t, db)
			exp, _ := w.export(t, "N", 40)
			an, err := analytics.Open(ctx, analytics.DefaultDSN(dsn))
			if err != nil {
				t.Fatal(err)
			}
			defer an.Close()
			pr, err := analytics.NewProjector(ctx, db, an, []byte("the legacy import test's key 0123"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pr.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			before, err := an.Dump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			run, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pr.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			after, err := an.Dump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			imported := run.Counts.Total(string(legacy.KindDecisions), store.LegacyCreated) + run.Counts.Total(string(legacy.KindDecisions), store.LegacyMapped)
			if got := int64(len(after["fact_decisions"]) - len(before["fact_decisions"])); got != imported {
				t.Errorf("%d decisions more in the analysis store, %d imported", got, imported)
			}
			yearAgo := w.today.AddDate(-1, 0, 0).Format(time.DateOnly)
			old := 0
			for _, r := range after["fact_decisions"] {
				if cols := strings.Split(r, "|"); len(cols) > 16 && cols[16] < yearAgo {
					old++
				}
			}
			if old == 0 {
				t.Errorf("no decision in the analysis store was made more than a year ago: the imported ones count on the import's day")
			}
		})
	}
}

// TestLegacyMarkPersons imports the persons of a district still in the old
// system and marks them as having records there; the district's own import
// later skips them and removes the marks, and a district that has moved in
// is not marked again.
func TestLegacyMarkPersons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newLegacyWorld(t, db)
		exp, _ := w.export(t, "O", 30)
		source := service.LegacySource(exp.Manifest)
		officer, err := w.svc.ActorByUsername(ctx, demo.TenantID, "handlaggare")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.LegacyMarkPersons(ctx, officer, exp, "socialregistret", service.LegacyOptions{}); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Fatalf("an officer marks: %v, want forbidden", err)
		}
		run, err := w.svc.LegacyMarkPersons(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if run.Mode != store.LegacyPersons || run.Counts.Total(string(legacy.KindPersons), store.LegacyCreated) == 0 || len(run.Counts) != 1 {
			t.Fatalf("mark run %+v", run)
		}
		var ids []string
		for p, err := range exp.Persons() {
			if err == nil {
				ids = append(ids, p.LegacyID)
			}
		}
		got, err := db.LegacyIDs(ctx, demo.TenantID, source, string(legacy.KindPersons), ids)
		if err != nil {
			t.Fatal(err)
		}
		persons := map[string]bool{}
		for _, l := range got {
			persons[l.TryggID] = true
		}
		for id := range persons {
			ms, err := db.LegacyMarkers(ctx, demo.TenantID, id)
			if err != nil || len(ms) != 1 || ms[0].System != "Socialregistret" || ms[0].District != "O" {
				t.Fatalf("markers of %s: %+v, %v", id, ms, err)
			}
		}
		rows := w.rows(t)
		if rows["legacy_markers"] != int64(len(persons)) {
			t.Fatalf("%d markers for %d persons", rows["legacy_markers"], len(persons))
		}
		again, err := w.svc.LegacyMarkPersons(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
		if err != nil || again.Counts.Total("", store.LegacyCreated) != 0 || w.rows(t)["legacy_markers"] != rows["legacy_markers"] {
			t.Fatalf("marked again: %+v, %v", again.Counts, err)
		}

		imp, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if imp.Counts.Total(string(legacy.KindPersons), store.LegacyCreated) != 0 ||
			imp.Counts.Total(string(legacy.KindPersons), store.LegacySkipped) != run.Counts.Total(string(legacy.KindPersons), "")-
				run.Counts.Total(string(legacy.KindPersons), store.LegacyRefused) {
			t.Errorf("the district's import after its persons: %v, the persons' run %v", imp.Counts[string(legacy.KindPersons)], run.Counts)
		}
		if n := w.rows(t)["legacy_markers"]; n != 0 {
			t.Errorf("%d markers left after the district moved in", n)
		}
		if _, err := w.svc.LegacyMarkPersons(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{}); trygg.ErrorCode(err) != trygg.EConflict {
			t.Errorf("marking a district that moved in: %v, want conflict", err)
		}
	})
}

// TestLegacyImportAfterCrash: an import whose process died mid-run still
// says it is running; another import of the export is refused while its
// last batch is recent, and after that resumes it where it stopped.
func TestLegacyImportAfterCrash(t *testing.T) {
	defer service.SetLegacyBatch(25)()
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Now().UTC())
			db := storetest.Open(t, engine, clock)
			w := newLegacyWorld(t, db)
			exp, _ := w.export(t, "N", 30)
			done := make(chan store.LegacyRun)
			go func() {
				batches := 0
				run, _ := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{Progress: func(p service.LegacyProgress) {
					if batches++; batches == 5 {
						done <- p.Run
						runtime.Goexit() // the process dies: nothing after this batch runs
					}
				}})
				done <- run
			}()
			crashed := <-done
			if crashed.Status != store.LegacyRunning {
				t.Fatalf("the crashed run: %+v", crashed)
			}
			if _, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{}); trygg.ErrorCode(err) != trygg.EConflict {
				t.Fatalf("an import beside a running one: %v, want conflict", err)
			}
			clock.Advance(10 * time.Minute)
			run, err := w.svc.LegacyImport(ctx, w.admin, exp, "socialregistret", service.LegacyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if run.ID != crashed.ID || run.Status != store.LegacyDone {
				t.Fatalf("after the crash: %+v", run)
			}
			rec, err := w.svc.LegacyReconcile(ctx, w.admin, exp)
			if err != nil || rec.Summary.Unexplained != 0 {
				t.Fatalf("reconciliation %+v, %v", rec.Summary, err)
			}
		})
	}
}
