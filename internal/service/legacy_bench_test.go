package service_test

// BenchmarkLegacyImport: a district's synthetic export (LEGACY_PERSONS
// persons, default 2,000, with 10 notes each and the dirt) written, dry-run,
// imported and reconciled, on both engines, into the demo municipality.
// Each phase reports its records per second. Results: docs/benchmarks.md.
//
//	go test -run '^$' -bench LegacyImport -benchtime 1x ./internal/service/
//	LEGACY_PERSONS=20000 go test -run '^$' -bench 'LegacyImport/sqlite' -benchtime 1x -cpuprofile cpu.out ./internal/service/

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/legacy/synthetic"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/packs"
)

func BenchmarkLegacyImport(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("LEGACY_PERSONS")); err == nil && v > 0 {
		n = v
	}
	districts := []string{"S", "N", "O", "V", "C"}
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, engine, nil)
			svc := storetest.Service(b, db, nil)
			ds := demo.Generate(demo.Options{Persons: 30, Staff: 20, Today: db.Now()})
			for _, f := range packs.Files() {
				ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
			}
			ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
			if _, err := svc.LoadDemo(ctx, ds); err != nil {
				b.Fatal(err)
			}
			admin, err := svc.ActorByUsername(ctx, demo.TenantID, "admin")
			if err != nil {
				b.Fatal(err)
			}
			var records int64
			took := map[string]time.Duration{}
			b.ResetTimer()
			for i := range b.N {
				if i >= len(districts) {
					b.Fatalf("at most %d iterations (one per demo district)", len(districts))
				}
				dir := filepath.Join(b.TempDir(), districts[i])
				phase := func(name string, fn func() error) {
					b.Helper()
					start := time.Now()
					if err := fn(); err != nil {
						b.Fatalf("%s: %v", name, err)
					}
					took[name] += time.Since(start)
				}
				var exp *legacy.Export
				phase("export", func() error {
					sum, err := synthetic.Write(ctx, dir, synthetic.Options{District: districts[i], Persons: n, NotesPerPerson: 10, Dirt: true,
						Exported: db.Now().Add(-time.Hour)})
					if err != nil {
						return err
					}
					for _, c := range sum.Manifest.Counts {
						records += int64(c)
					}
					exp, err = legacy.Open(dir)
					return err
				})
				for _, p := range []struct {
					name string
					fn   func() (store.LegacyRun, error)
				}{
					{"dry-run", func() (store.LegacyRun, error) {
						return svc.LegacyDryRun(ctx, admin, exp, "socialregistret", service.LegacyOptions{})
					}},
					{"import", func() (store.LegacyRun, error) {
						return svc.LegacyImport(ctx, admin, exp, "socialregistret", service.LegacyOptions{})
					}},
				} {
					phase(p.name, func() error {
						_, err := p.fn()
						return err
					})
				}
				phase("reconcile", func() error {
					rec, err := svc.LegacyReconcile(ctx, admin, exp)
					if err == nil && rec.Summary.Unexplained > 0 {
						b.Errorf("reconciliation: %d unexplained differences", rec.Summary.Unexplained)
					}
					return err
				})
			}
			for name, d := range took {
				b.ReportMetric(float64(records)/d.Seconds(), name+"-records/s")
			}
			b.ReportMetric(float64(records)/float64(b.N), "records/op")
		})
	}
}
