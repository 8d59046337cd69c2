package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/storetest"
)

// TestProviderRegistry: the system administrator registers internal and
// external providers; organisation numbers are checked; staff read the
// registry; nothing is written on bad input.
func TestProviderRegistry(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40)
			ext := map[string]any{"name": "Omsorg i Norr AB", "kind": "external", "org_number": "5560360793",
				"insatser": []string{"hemtjanst_service", "hemtjanst_omvardnad"}, "areas": []string{"norra-ao"}}
			var p struct {
				ID  string `json:"id"`
				Org string `json:"org_number"`
			}
			w.call("admin", "POST", "/api/v1/providers", ext, http.StatusCreated, &p)
			if p.Org != "556036-0793" {
				t.Errorf("organisation number stored as %q, want 556036-0793", p.Org)
			}
			w.call("admin", "POST", "/api/v1/providers", ext, http.StatusConflict, nil)
			w.call("admin", "POST", "/api/v1/providers", map[string]any{"name": "Hemtjänsten Norra", "kind": "internal", "unit_id": "norra-ao",
				"insatser": []string{"hemtjanst"}, "areas": []string{"norra-ao"}}, http.StatusCreated, nil)
			bad := []map[string]any{
				{"name": "X AB", "kind": "external", "org_number": "556036-0794", "insatser": []string{"hemtjanst"}}, // check digit
				{"name": "X", "kind": "external", "org_number": "121212-1212", "insatser": []string{"hemtjanst"}},    // a personal number
				{"name": "X", "kind": "internal", "unit_id": "nowhere", "insatser": []string{"hemtjanst"}},
				{"name": "X", "kind": "other", "insatser": []string{"hemtjanst"}},
				{"name": "", "kind": "external", "org_number": "212000-1355", "insatser": []string{}},
				{"name": "X", "kind": "external", "org_number": "212000-1355", "insatser": []string{"hemtjanst"}, "areas": []string{"nowhere"}},
			}
			for _, b := range bad {
				w.call("admin", "POST", "/api/v1/providers", b, http.StatusUnprocessableEntity, nil)
			}
			w.call("handlaggare", "POST", "/api/v1/providers", ext, http.StatusForbidden, nil)
			var list struct {
				Providers []struct{ Name string } `json:"providers"`
			}
			w.call("handlaggare", "GET", "/api/v1/providers", nil, http.StatusOK, &list)
			// Besides the demo's own providers.
			demoNames := map[string]bool{}
			for _, p := range w.ds.Providers {
				demoNames[p.Name] = true
			}
			var names []string
			for _, p := range list.Providers {
				if !demoNames[p.Name] {
					names = append(names, p.Name)
				}
			}
			if len(names) != 2 || names[0] != "Hemtjänsten Norra" || names[1] != "Omsorg i Norr AB" {
				t.Errorf("providers: %v, want the two registered, by name", names)
			}
		})
	}
}
