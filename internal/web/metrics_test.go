package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/storetest"
)

// TestMetricsNameRoutes checks that metrics (and the request log) name the
// matched route pattern also for signed-in requests.
func TestMetricsNameRoutes(t *testing.T) {
	db := storetest.Open(t, "sqlite", nil)
	svc := storetest.Service(t, db, nil)
	h := New(Config{DefaultTenant: "none"}, svc, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/healthz", nil),
		func() *http.Request {
			r := httptest.NewRequest("GET", "/api/v1/me", nil)
			r.Header.Set("Authorization", "Bearer none.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
			return r
		}(),
	} {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{`route="GET /healthz"`, `route="GET /api/v1/me"`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
