package web_test

// Server time of the officer's main pages over a generated municipality
// (100,000 persons by default; TRYGG_BENCH_PERSONS sets another size),
// with the packs published and the demo histories played, on SQLite:
//
//	go test -run '^$' -bench Pages -benchtime 2000x ./internal/web/
//
// Each page is rendered through the whole handler (authentication, access
// checks, the durable access-log write, templates), without the network.
// Every request is timed; p50 and p99 are reported beside ns/op.

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
	"github.com/trygg/trygg/packs"
)

type pageBench struct {
	h      http.Handler
	tokens map[string]string
	ds     *demo.Dataset
}

var pageBenchWorld = sync.OnceValues(func() (*pageBench, error) {
	n := 100_000
	if s := os.Getenv("TRYGG_BENCH_PERSONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	tb := &testing.T{}
	db := storetest.Open(tb, "sqlite", nil)
	svc := storetest.Service(tb, db, nil)
	ds := demo.Generate(demo.Options{Persons: n})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := svc.LoadDemo(ctx, ds); err != nil {
		return nil, err
	}
	walks, err := demo.Walks()
	if err != nil {
		return nil, err
	}
	if _, err := svc.PlayDemoWalks(ctx, ds, walks, 25); err != nil {
		return nil, err
	}
	pb := &pageBench{h: web.New(web.Config{DefaultTenant: demo.TenantID}, svc, slog.New(slog.DiscardHandler), prometheus.NewRegistry()),
		tokens: map[string]string{}, ds: ds}
	for _, u := range []string{"handlaggare", "arbetsledare"} {
		sess, err := svc.SignIn(ctx, demo.TenantID, u, demo.Password)
		if err != nil {
			return nil, err
		}
		pb.tokens[u] = sess.Token
	}
	return pb, nil
})

func BenchmarkPages(b *testing.B) {
	pb, err := pageBenchWorld()
	if err != nil {
		b.Fatal(err)
	}
	var journey demo.Case
	for _, c := range pb.ds.Cases {
		if c.Journey {
			journey = c
			break
		}
	}
	pages := []struct{ name, user, path string }{
		{"inbox", "handlaggare", "/inbox"},
		{"team-inbox", "arbetsledare", "/inbox?team=1"},
		{"person", "handlaggare", "/persons/" + journey.PersonID},
		{"case", "handlaggare", "/cases/" + journey.ID},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				req := httptest.NewRequest("GET", pg.path, nil)
				req.Header.Set("Authorization", "Bearer "+pb.tokens[pg.user])
				rec := httptest.NewRecorder()
				start := time.Now()
				pb.h.ServeHTTP(rec, req)
				lat = append(lat, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: status %d", pg.path, rec.Code)
				}
			}
			slices.Sort(lat)
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}
