package bench

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/pgtest"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
	"github.com/trygg/trygg/packs"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// syncBuffer collects what the harness logs from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// wired returns opt on a fresh, migrated database of engine, wired as
// trygg bench wires it: the demo loaded with the packs, the city's rule
// sets and the demo histories; the web handler; a server on 127.0.0.1.
func wired(t *testing.T, engine string, opt Options, log io.Writer) Options {
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
	opt.DB, opt.DSN, opt.Log = db, dsn, log
	opt.Load = func(ctx context.Context, svc *service.Service, ds *demo.Dataset) error {
		for _, f := range packs.Files() {
			ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
		}
		ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
		if _, err := svc.LoadDemo(ctx, ds); err != nil {
			return err
		}
		walks, err := demo.Walks()
		if err != nil {
			return err
		}
		_, err = svc.PlayDemoWalks(ctx, ds, walks, 25)
		return err
	}
	opt.Handler = func(svc *service.Service, log *slog.Logger) http.Handler {
		return web.New(web.Config{DefaultTenant: demo.TenantID, Demo: true, Ready: db.Ping}, svc, log, prometheus.NewRegistry())
	}
	opt.Listen = func(h http.Handler, _ *slog.Logger) (string, func(), error) {
		srv := httptest.NewServer(h)
		return srv.URL, srv.Close, nil
	}
	return opt
}
