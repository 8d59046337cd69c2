package service_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// analysisWorld is the demo with a short past, projected into an analysis
// store the service reads, and every person the main store holds.
type analysisWorld struct {
	svc     *service.Service
	persons []persons.Person
	from    string
	to      string
}

func newAnalysisWorld(t *testing.T, engine string) *analysisWorld {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, engine)
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := storetest.Service(t, db, nil)
	ds := demo.Generate(demo.Options{Persons: 120, Staff: 60})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := svc.LoadDemo(ctx, ds); err != nil {
		t.Fatal(err)
	}
	walks, err := demo.Walks()
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC()
	opt := demo.HistoryOptions{Weeks: 12, PerWeek: 4, Today: today}
	if _, err := svc.LoadDemoHistory(ctx, ds, walks, opt); err != nil {
		t.Fatal(err)
	}
	w := &analysisWorld{svc: svc, persons: ds.Persons,
		from: today.AddDate(0, 0, -7*12).Format(time.DateOnly), to: today.Format(time.DateOnly)}
	for _, hc := range demo.History(ds, opt) {
		w.persons = append(w.persons, hc.Person)
	}
	an, err := analytics.Open(ctx, analytics.DefaultDSN(dsn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { an.Close() })
	pr, err := analytics.NewProjector(ctx, db, an, []byte("the export test's key, 0123456789"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pr.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	svc.Analytics = an
	return w
}

func (w *analysisWorld) actor(t *testing.T, username string) trygg.Actor {
	t.Helper()
	a, err := w.svc.ActorByUsername(context.Background(), demo.TenantID, username)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// exportFile runs an export for a and returns its file.
func exportFile(t *testing.T, svc *service.Service, a trygg.Actor, req analytics.ExportRequest) ([]byte, *analytics.Export) {
	t.Helper()
	e, err := svc.AnalysisExport(context.Background(), a, req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Table, req.Format, err)
	}
	defer e.Close()
	var b bytes.Buffer
	if err := e.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), e
}

// personalData returns what of the persons must never be in an analyst's
// hands: their ids, identity numbers (with and without the hyphen),
// full names, family names (but the shortest) and street addresses.
func personalData(ps []persons.Person) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s ...string) {
		for _, x := range s {
			if x != "" && !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	for _, p := range ps {
		add(p.ID, p.Identity.Value, p.GivenName+" "+p.FamilyName, p.Address.Street)
		if len(p.FamilyName) >= 6 { // shorter ones ("Ek") are in words of the units' names
			add(p.FamilyName)
		}
		if v := p.Identity.Value; len(v) == 12 {
			add(v[:8]+"-"+v[8:], v[2:8]+"-"+v[8:])
		}
	}
	return out
}

// TestAnalysisExports exports every table of the demo's past in both
// formats as the analyst, on both engines: no demo person's id, identity
// number, name or address is in any file; every combination of the
// dimensions written is shared by at least five persons; an officer is
// refused; a team lead gets her own unit's rows only; and each export is
// in the access log with what was exported.
func TestAnalysisExports(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			w := newAnalysisWorld(t, engine)
			analyst := w.actor(t, "analytiker")
			forbidden := personalData(w.persons)
			period := analytics.Filter{From: w.from, To: w.to}

			t.Run("no personal data", func(t *testing.T) {
				tables, err := w.svc.AnalysisExportTables(ctx, analyst)
				if err != nil {
					t.Fatal(err)
				}
				rows := 0
				for _, table := range tables {
					for _, format := range []string{analytics.FormatCSV, analytics.FormatParquet} {
						b, e := exportFile(t, w.svc, analyst, analytics.ExportRequest{Table: table.Name, Format: format, Filter: period})
						rows += e.Rows
						for _, s := range forbidden {
							if s != "" && bytes.Contains(b, []byte(s)) {
								t.Errorf("%s %s holds a demo person's %q", table.Name, format, s)
							}
						}
					}
				}
				if rows == 0 {
					t.Error("the exports have no rows")
				}
			})

			t.Run("small cells", func(t *testing.T) {
				for _, table := range []string{"fact_cases", "fact_decisions", "dim_persons", "fact_deadlines", "fact_orders"} {
					b, e := exportFile(t, w.svc, analyst, analytics.ExportRequest{Table: table, Format: analytics.FormatCSV, Filter: period})
					records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
					if err != nil {
						t.Fatal(err)
					}
					col := map[string]int{}
					for i, name := range records[0] {
						col[name] = i
					}
					cells := map[string]map[string]bool{}
					for _, r := range records[1:] {
						var key []string
						for _, q := range []string{"district_id", "case_type", "unit_id", "sex", "age_band"} {
							if i, ok := col[q]; ok {
								key = append(key, r[i])
							}
						}
						k := strings.Join(key, "|")
						if cells[k] == nil {
							cells[k] = map[string]bool{}
						}
						cells[k][r[col["person_key"]]] = true
					}
					for k, ps := range cells {
						if len(ps) < analytics.MinPersons {
							t.Errorf("%s: %d persons in the cell %s", table, len(ps), k)
						}
					}
					if e.Rows != len(records)-1 || e.Rows == 0 {
						t.Errorf("%s: %d rows counted, %d written", table, e.Rows, len(records)-1)
					}
				}
			})

			t.Run("officer refused", func(t *testing.T) {
				for _, who := range []string{"handlaggare", "utforare", "admin"} {
					_, err := w.svc.AnalysisExport(ctx, w.actor(t, who), analytics.ExportRequest{Table: "fact_cases", Format: "csv"})
					var te *trygg.Error
					if !errors.As(err, &te) || te.Code != trygg.EForbidden {
						t.Errorf("%s: %v, want forbidden", who, err)
					}
					if _, err := w.svc.AnalysisExportTables(ctx, w.actor(t, who)); err == nil {
						t.Errorf("%s lists the export tables", who)
					}
				}
			})

			t.Run("team lead's units", func(t *testing.T) {
				lead := w.actor(t, "arbetsledare")
				b, e := exportFile(t, w.svc, lead, analytics.ExportRequest{Table: "fact_cases", Format: analytics.FormatCSV, Filter: period})
				records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				units := map[string]bool{}
				for _, r := range records[1:] {
					units[r[3]] = true
				}
				if len(units) > 1 {
					t.Errorf("the team lead's export has the units %v", units)
				}
				all, _ := exportFile(t, w.svc, analyst, analytics.ExportRequest{Table: "fact_cases", Format: analytics.FormatCSV, Filter: period})
				if e.Rows+e.Withheld >= bytes.Count(all, []byte("\r\n"))-1 {
					t.Errorf("the team lead's export is not narrowed: %d rows and %d withheld", e.Rows, e.Withheld)
				}
			})

			t.Run("access-logged", func(t *testing.T) {
				start := time.Now().Add(-time.Second)
				_, e := exportFile(t, w.svc, analyst, analytics.ExportRequest{Table: "fact_decisions", Format: analytics.FormatParquet, Filter: period})
				entries, err := w.svc.DB().AccessLog(ctx, demo.TenantID, store.AccessLogFilter{ActorID: analyst.UserID, From: start})
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, en := range entries {
					if en.Action == string(access.ReadAnalysis) && en.Ground == string(access.RelAnalysis) && en.PersonID == "" &&
						strings.HasPrefix(en.Reason, "export fact_decisions parquet from="+w.from+" to="+w.to) &&
						strings.Contains(en.Reason, "rows=") && strings.Contains(en.Reason, "withheld=") {
						found = true
					}
				}
				if !found || e.Rows == 0 {
					t.Errorf("the export (%d rows) is not in the access log: %+v", e.Rows, entries)
				}
			})

			t.Run("bad requests", func(t *testing.T) {
				for _, req := range []analytics.ExportRequest{
					{Table: "meta", Format: "csv"},
					{Table: "fact_cases", Format: "xls"},
					{Table: "fact_cases", Format: "csv", Filter: analytics.Filter{From: "yesterday"}},
				} {
					_, err := w.svc.AnalysisExport(ctx, analyst, req)
					var te *trygg.Error
					if !errors.As(err, &te) || te.Code != trygg.EInvalid {
						t.Errorf("%+v: %v, want invalid", req, err)
					}
				}
			})
		})
	}
}
