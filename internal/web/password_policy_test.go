package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestCreateUserPasswordPolicy: POST /api/v1/users refuses a weak password
// (the two of the security review among them) with a field error that
// says what is wrong, and creates nothing; a good passphrase is taken and
// signs in.
func TestCreateUserPasswordPolicy(t *testing.T) {
	const good = "ekorre stol moln 1987"
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 5)
			user := func(password string) map[string]any {
				return map[string]any{"username": "karin.kvist", "display_name": "Karin Kvist", "password": password,
					"grants": []map[string]string{{"role": "handlaggare", "unit_id": "norra-ao"}}}
			}
			for _, tc := range []struct{ name, password, message string }{
				{"the published demo password", demo.Password, "The password is the published demo password or close to it; choose another."},
				{"twelve a's", "aaaaaaaaaaaa", "At least 15 characters. A few words that do not belong together make a good password."},
				{"fifteen a's", "aaaaaaaaaaaaaaa", "The password is a repeated or sequential pattern (such as aaaa or 1234); choose another."},
				{"a common password", "passwordpassword", "The password is on a list of common or leaked passwords; choose another."},
				{"the username", "Karin.Kvist 1987-05-04", "The password contains the username or the user's name; choose another."},
			} {
				var prob struct {
					Code   string
					Errors []struct{ Field, Message string }
				}
				w.call("admin", "POST", "/api/v1/users", user(tc.password), http.StatusUnprocessableEntity, &prob)
				if prob.Code != trygg.EInvalid || len(prob.Errors) != 1 || prob.Errors[0].Field != "password" || prob.Errors[0].Message != tc.message {
					t.Errorf("%s: %+v, want one error on password: %q", tc.name, prob, tc.message)
				}
				if _, err := w.db.UserByUsername(t.Context(), demo.TenantID, "karin.kvist"); trygg.ErrorCode(err) != trygg.ENotFound {
					t.Fatalf("%s: the user was written (%v)", tc.name, err)
				}
			}
			w.call("admin", "POST", "/api/v1/users", user(good), http.StatusCreated, nil)
			w.send("", "POST", "/api/v1/session", map[string]string{"username": "karin.kvist", "password": good}, http.StatusCreated, nil)
		})
	}
}
