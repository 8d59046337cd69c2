package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/demo"
)

// TestInitRefusesWeakPassword: trygg init refuses a weak first
// administrator's password, from the environment or a _FILE, with a
// message that says what is wrong, before it writes anything: the data
// folder stays empty and the database gets no schema.
func TestInitRefusesWeakPassword(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			data := t.TempDir()
			dbFlags := append([]string{"--data", data}, eng.dbArgs(t)...)
			initArgs := append([]string{"init", "--tenant", "lillby", "--name", "Lillby kommun", "--code", "0123", "--admin", "sigrid"}, dbFlags...)
			file := filepath.Join(t.TempDir(), "admin-password")
			if err := os.WriteFile(file, []byte("aaaaaaaaaaaa\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name string
				env  map[string]string
				want string
			}{
				{"the published demo password", map[string]string{"TRYGG_ADMIN_PASSWORD": demo.Password}, "published demo password"},
				{"twelve a's from a file", map[string]string{"TRYGG_ADMIN_PASSWORD_FILE": file}, "At least 15 characters"},
				{"fifteen a's", map[string]string{"TRYGG_ADMIN_PASSWORD": "aaaaaaaaaaaaaaa"}, "repeated or sequential"},
				{"a common password", map[string]string{"TRYGG_ADMIN_PASSWORD": "passwordpassword"}, "common or leaked"},
				{"the username", map[string]string{"TRYGG_ADMIN_PASSWORD": "Sigrid har bästa lösenordet"}, "username"},
			} {
				_, _, err := runCmd(t, tc.env, initArgs...)
				if err == nil || !strings.Contains(err.Error(), "TRYGG_ADMIN_PASSWORD") || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: %v, want a refusal that names TRYGG_ADMIN_PASSWORD and says %q", tc.name, err, tc.want)
				}
			}
			if entries, err := os.ReadDir(data); err != nil || len(entries) > 0 {
				t.Errorf("the data folder after refusals: %v %v, want it empty", entries, err)
			}
			out, _, err := runCmd(t, nil, append([]string{"migrate"}, dbFlags...)...)
			if err != nil || !strings.Contains(out, "applied migrations") {
				t.Errorf("migrate after refusals: %v %s, want a database without schema", err, out)
			}
		})
	}
}
