package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestClientTokenRefusalsDoTheSameWork: every refused token request does
// what a wrong secret does (one lookup of the client, one comparison of
// the secret's hash), so how fast the answer comes does not tell an
// unknown client id from a known one. The work is counted in SQL
// statements, not timed; BenchmarkClientToken measures it.
func TestClientTokenRefusalsDoTheSameWork(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newProviderWorld(t, engine)
			c, err := w.svc.CreateAPIClient(w.ctx, w.admin, w.external.ID, "Planeringssystemet")
			if err != nil {
				t.Fatal(err)
			}
			revoked, err := w.svc.CreateAPIClient(w.ctx, w.admin, w.external.ID, "Gamla systemet")
			if err != nil {
				t.Fatal(err)
			}
			if err := w.svc.RevokeAPIClient(w.ctx, w.admin, w.external.ID, revoked.ClientID); err != nil {
				t.Fatal(err)
			}
			statements := func(id, secret string) int64 {
				t.Helper()
				before := w.db.Statements()
				if _, err := w.svc.ClientToken(w.ctx, id, secret); trygg.ErrorMessage(err) != "Client authentication failed." {
					t.Fatalf("client %q: %v, want client authentication failed", id, err)
				}
				return w.db.Statements() - before
			}
			want := statements(c.ClientID, c.ClientSecret+"x")
			if want == 0 {
				t.Fatal("a wrong secret sent no statement")
			}
			for _, tc := range []struct{ name, id, secret string }{
				{"unknown client", string(demo.TenantID) + ".nobody", c.ClientSecret},
				{"unknown tenant", "elsewhere.nobody", c.ClientSecret},
				{"no tenant", "nobody", c.ClientSecret},
				{"no client id", "", c.ClientSecret},
				{"no secret", c.ClientID, ""},
				{"revoked client", revoked.ClientID, revoked.ClientSecret},
				{"a staff member", string(demo.TenantID) + ".admin", "x"},
			} {
				if got := statements(tc.id, tc.secret); got != want {
					t.Errorf("%s: %d statements, a wrong secret %d", tc.name, got, want)
				}
			}
		})
	}
}

// BenchmarkClientToken measures a refused token request for a known
// client with a wrong secret and for unknown clients; they should cost
// the same.
func BenchmarkClientToken(b *testing.B) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(b, "sqlite", clock)
	dw := newDemoWorld(b, db, 3, 3, clock.Now())
	ctx := context.Background()
	admin := dw.actorFunc(b)("admin")
	p, err := dw.svc.CreateProvider(ctx, admin, service.ProviderInput{Name: "Omsorg i Norr AB", Kind: service.ProviderExternal,
		OrgNumber: "5560360793", Insatser: []string{"hemtjanst"}, Areas: []string{"norra-ao"}})
	if err != nil {
		b.Fatal(err)
	}
	c, err := dw.svc.CreateAPIClient(ctx, admin, p.ID, "Planeringssystemet")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, id, secret string }{
		{"wrong secret", c.ClientID, c.ClientSecret + "x"},
		{"unknown client", string(demo.TenantID) + ".nobody", c.ClientSecret},
		{"no tenant", "nobody", c.ClientSecret},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := dw.svc.ClientToken(ctx, bc.id, bc.secret); err == nil {
					b.Fatal("a token")
				}
			}
		})
	}
}
