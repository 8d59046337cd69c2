package service_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/legacy/synthetic"
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
	return &legacyWorld{svc: svc, db: db, admin: admin, today: today}
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
