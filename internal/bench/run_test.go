package bench

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/storetest"
)

// TestRunRefuses checks that Run refuses, before building anything,
// options it cannot run and a database that is not empty.
func TestRunRefuses(t *testing.T) {
	ok := func(t *testing.T, engine string) Options {
		return wired(t, engine, Options{Persons: 100, Staff: 200, Duration: time.Second, VUs: 1, Workloads: []string{"inbox"}}, io.Discard)
	}
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				change func(t *testing.T, opt *Options)
				want   string
			}{
				{"no database", func(t *testing.T, opt *Options) { opt.DB = nil }, "no database"},
				{"no server", func(t *testing.T, opt *Options) { opt.Listen = nil }, "Load, Handler and Listen are required"},
				{"no virtual user", func(t *testing.T, opt *Options) { opt.VUs = 0 }, "at least one virtual user"},
				{"unknown workload", func(t *testing.T, opt *Options) { opt.Workloads = []string{"inbox", "nonsense"} }, `unknown workload "nonsense"`},
				{"a tenant in the database", func(t *testing.T, opt *Options) {
					svc := storetest.Service(t, opt.DB, nil)
					if err := svc.CreateTenant(context.Background(), org.Tenant{ID: "malmo", Name: "Malmö", MunicipalityCode: "1280"}); err != nil {
						t.Fatal(err)
					}
				}, "bench needs an empty database"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					opt := ok(t, engine)
					tc.change(t, &opt)
					rep, err := Run(context.Background(), opt)
					if err == nil || !strings.Contains(err.Error(), tc.want) || rep != nil {
						t.Errorf("Run: %v, %v; want an error saying %q", rep, err, tc.want)
					}
				})
			}
		})
	}
}
