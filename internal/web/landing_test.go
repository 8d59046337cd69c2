package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEveryRoleLandsOnItsWork: after sign-in (which goes to /) each demo
// user is sent to their own work, not to their profile: the team lead to
// the team's inbox, the officer to theirs, the process designer to
// Processer, the log reviewer to the access log, the analyst to the
// dashboards (Analys), provider staff to their orders, a citizen to Mina sidor; the
// administrator, with none of these, sees the profile.
func TestEveryRoleLandsOnItsWork(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 80)
	for _, tc := range []struct {
		user, location, h1 string
	}{
		{"handlaggare", "/inbox", "Min inkorg"},
		{"arbetsledare", "/inbox?team=1", "Mitt teams inkorg"},
		{"designer", "/designer", ""},
		{"granskare", "/access-log", ""},
		{"analytiker", "/analysis", "Analys"},
		{"utforare", "/provider/orders", ""},
		{"invanare", "/portal", ""},
		{"admin", "", "Min profil"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			resp, err := w.srv.Client().Transport.RoundTrip(w.pageRequest(tc.user, "GET", "/", nil, false))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if got := resp.Header.Get("Location"); got != tc.location {
				t.Fatalf("/ sends %s to %q (status %d), want %q", tc.user, got, resp.StatusCode, tc.location)
			}
			if tc.location == "" {
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<h1>"+tc.h1+"</h1>") {
					t.Errorf("/ as %s: status %d, want the page %q\n%s", tc.user, resp.StatusCode, tc.h1, mainOf(string(body)))
				}
				return
			}
			want := []string{}
			if tc.h1 != "" {
				want = append(want, "<h1>"+tc.h1+"</h1>")
			}
			w.mustPage(tc.user, "GET", tc.location, nil, false, http.StatusOK, want...)
		})
	}
}
