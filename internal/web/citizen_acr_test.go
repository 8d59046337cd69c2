package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/web"
)

// TestCitizenSignInAssurance: the sign-in asks the broker for the
// configured assurance level (acr_values) and takes only an ID token whose
// acr is that level or, on the Swedish LoA scale, a higher one; a lower
// level, another one or none gets a plain message, no session and no
// account.
func TestCitizenSignInAssurance(t *testing.T) {
	const loa = "http://id.elegnamnden.se/loa/1.0/"
	if auth.DefaultACR != loa+"loa3" {
		t.Fatalf("the default assurance level is %q, want LoA 3", auth.DefaultACR)
	}
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newCitizenWorld(t, engine, time.Now().UTC(), false, web.Limits{})
			number := w.person(w.demoUser("invanare").PersonID).Identity.String()
			for _, tc := range []struct {
				name string
				acr  any // nil: no acr claim
				ok   bool
			}{
				{"LoA 3", loa + "loa3", true},
				{"LoA 4", loa + "loa4", true},
				{"LoA 2", loa + "loa2", false},
				{"LoA 3 for non-residents", loa + "loa3-nonresident", false},
				{"another broker's level", "urn:grn:authn:se:bankid", false},
				{"a number", 3, false},
				{"no acr", nil, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					users := w.count("users")
					status, body, b := w.signInEID(map[string]any{"personal_number": number, "acr": tc.acr}, nil)
					w.broker.mu.Lock()
					asked := strings.Fields(w.broker.acrValues)
					w.broker.mu.Unlock()
					if len(asked) != 2 || asked[0] != loa+"loa3" || asked[1] != loa+"loa4" {
						t.Errorf("acr_values %q, want LoA 3 and 4", asked)
					}
					if tc.ok {
						if status != http.StatusOK || w.session(b) == "" {
							t.Errorf("status %d, session %v; want signed in\n%s", status, w.session(b) != "", mainOf(body))
						}
						return
					}
					if status != http.StatusUnauthorized || !strings.Contains(body, "tillräckligt hög tillitsnivå") {
						t.Errorf("status %d, want 401 saying the level is too low\n%s", status, mainOf(body))
					}
					if w.session(b) != "" || w.count("users") != users {
						t.Errorf("a sign-in below the level left a session or created an account")
					}
				})
			}
		})
	}
}
