package persons

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

func TestFileRegistryRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.json")
	id := GenerateTestNumber(time.Date(1942, 3, 4, 0, 0, 0, 0, time.UTC), "F", 3)
	partner := GenerateTestNumber(time.Date(1940, 5, 6, 0, 0, 0, 0, time.UTC), "M", 4)
	r := NewFileRegistry()
	r.Add(RegistryRecord{Identity: id, GivenName: "Ingrid", FamilyName: "Berg", Protection: ProtectionProtected,
		Address: Address{Street: "Storgatan 1", PostalCode: "123 45", City: "Demostad"}, Partner: partner})
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadFileRegistry(path)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := loaded.Lookup(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.GivenName != "Ingrid" || rec.Protection != ProtectionProtected || rec.Address.City != "Demostad" || rec.Partner != partner {
		t.Fatalf("record changed on the way: %+v", rec)
	}
	other := GenerateTestNumber(time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), "M", 0)
	if _, err := loaded.Lookup(context.Background(), other); trygg.ErrorCode(err) != trygg.ENotFound {
		t.Fatalf("unknown number: want not found, got %v", err)
	}
}

func TestLoadFileRegistryErrors(t *testing.T) {
	dir := t.TempDir()
	missing, err := LoadFileRegistry(filepath.Join(dir, "none.json"))
	if err != nil || missing == nil {
		t.Fatalf("a missing file is an empty registry, got %v", err)
	}
	tests := []struct{ name, body, want string }{
		{"not json", "{", "registry"},
		{"bad number", `[{"identity_number":"19121212-1213","given_name":"A","family_name":"B","protection":"none"}]`, "record 0"},
		{"bad protection", `[{"identity_number":"19121212-1212","protection":"secret"}]`, "record 0: Unknown protection level."},
		{"bad partner number", `[{"identity_number":"19121212-1212","protection":"none","partner_identity_number":"19121212-1213"}]`, "record 0: partner_identity_number:"},
		{"null protection", `[{"identity_number":"19121212-1212","protection":null}]`, "record 0: Unknown protection level."},
		{"number as identity", `[{"identity_number":"19121212-1212"},{"identity_number":191212121212}]`, "record 1: identity_number is a JSON number, not a string"},
		{"record not an object", `[{"identity_number":"19121212-1212"},191212121212]`, "record 1: a JSON number, not an object"},
		{"not an array", `191212121212`, "not a JSON array of records"},
		{"direction override in a name", `[{"identity_number":"19121212-1212","given_name":"Tolvan","family_name":"Tolvansson"},{"identity_number":"19121212-1212","given_name":"Tol\u202evan","family_name":"B","protection":"none"}]`, "record 1: given_name: Contains a character that changes the text direction."},
		{"NUL in a street", `[{"identity_number":"19121212-1212","given_name":"A","family_name":"B","street":"Storgatan\u0000 1","protection":"none"}]`, "record 0: street: Contains a control character."},
		{"line break in a city", `[{"identity_number":"19121212-1212","given_name":"A","family_name":"B","city":"Demo\nstad","protection":"none"}]`, "record 0: city: Must be one line"},
		{"not UTF-8 in a name", "[{\"identity_number\":\"19121212-1212\",\"given_name\":\"A\",\"family_name\":\"B\xff\",\"protection\":\"none\"}]", "record 0: Contains bytes that are not UTF-8 text."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".json")
			if err := os.WriteFile(path, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadFileRegistry(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want error mentioning %q, got %v", tt.want, err)
			}
			if strings.Contains(err.Error(), "121212") {
				t.Fatalf("error echoes the identity number: %v", err)
			}
		})
	}
}

// TestRegistryFileNamesInNFC: a name written decomposed in the registry
// file ("A" and a combining ring) is the same name as one typed composed.
func TestRegistryFileNamesInNFC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.json")
	body := `[{"identity_number":"19121212-1212","given_name":"A\u030asa","family_name":"O\u0308berg","city":"Ga\u0308vle","protection":"none"}]`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := LoadFileRegistry(path)
	if err != nil {
		t.Fatal(err)
	}
	id, err := ParseIdentityNumber("19121212-1212", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Lookup(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.GivenName != "Åsa" || rec.FamilyName != "Öberg" || rec.Address.City != "Gävle" {
		t.Fatalf("names not in NFC: %q %q %q", rec.GivenName, rec.FamilyName, rec.Address.City)
	}
}
