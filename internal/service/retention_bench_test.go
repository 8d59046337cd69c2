package service_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/bench"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// BenchmarkRetention previews and runs a retention run over closed cases
// seven years old (RETENTION_CASES, 100,000 by default; about one in ten
// delivered to the archive as the research sample), on both engines:
//
//	go test -run '^$' -bench BenchmarkRetention -benchtime 1x ./internal/service/
func BenchmarkRetention(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 2_000
	}
	if s := os.Getenv("RETENTION_CASES"); s != "" {
		fmt.Sscan(s, &n)
	}
	for _, engine := range storetest.Engines {
		b.Run(fmt.Sprintf("%s/%d", engine, n), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, engine, nil)
			svc := storetest.Service(b, db, nil)
			ds := demo.Generate(demo.Options{Persons: 20, Staff: 20})
			for _, f := range packs.Files() {
				ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
			}
			if _, err := svc.LoadDemo(ctx, ds); err != nil {
				b.Fatal(err)
			}
			defs, err := db.LatestDefinitionVersion(ctx, demo.TenantID)
			if err != nil {
				b.Fatal(err)
			}
			cs, err := db.RetentionCases(ctx, demo.TenantID, "")
			if err != nil || len(cs) == 0 {
				b.Fatalf("no demo case to copy the type of: %v", err)
			}
			archivist := trygg.Actor{Tenant: demo.TenantID, UserID: "archivist", Grants: []trygg.Grant{{Role: trygg.RoleArchivist}}}
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				t0 := time.Now()
				c, _ := db.CaseByID(ctx, demo.TenantID, cs[0].ID)
				if err := bench.SeedClosedCases(ctx, db, demo.TenantID, defs, n, c.UnitID, c.CaseType, db.Now().AddDate(-7, 0, 0)); err != nil {
					b.Fatal(err)
				}
				b.Logf("seeded %d cases in %v", n, time.Since(t0).Round(time.Millisecond))
				b.StartTimer()
				t1 := time.Now()
				p, err := svc.RetentionPreview(ctx, archivist)
				if err != nil {
					b.Fatal(err)
				}
				preview := time.Since(t1)
				if err := svc.RetentionApprove(ctx, archivist, p.ID); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				done, err := svc.RetentionRun(ctx, archivist, p.ID)
				if err != nil {
					b.Fatal(err)
				}
				run := time.Since(t2)
				if done.Status != store.RetentionDone || done.PurgeCount+done.ArchiveCount < n {
					b.Fatalf("run: %s, %d purged and %d delivered of %d", done.Status, done.PurgeCount, done.ArchiveCount, n)
				}
				b.ReportMetric(preview.Seconds(), "preview-s")
				b.ReportMetric(run.Seconds(), "run-s")
				b.ReportMetric(float64(done.ArchiveCount), "delivered")
				b.Logf("%s: preview %v, run %v (%d purged, %d delivered)", engine, preview.Round(time.Millisecond), run.Round(time.Millisecond), done.PurgeCount, done.ArchiveCount)
			}
		})
	}
}
