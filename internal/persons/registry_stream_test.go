package persons

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRegistryWriter: a registry written record by record is the JSON
// array LoadFileRegistry reads, a record a line, and appears at its path
// only when closed; given up, it leaves the file that was there.
func TestRegistryWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "registry.json")
	w, err := CreateRegistryFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []Identity
	for i := range 1000 {
		id := GenerateTestNumber(time.Date(1940+i%80, 1, 1+i%28, 0, 0, 0, 0, time.UTC), "F", i)
		ids = append(ids, id)
		if err := w.Write(RegistryRecord{Identity: id, GivenName: "Anna", FamilyName: "Berg", Protection: Protection(i % 3),
			Address: Address{Street: "Storgatan 1", PostalCode: "123 45", City: "Demostad"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the file is at its path before it is closed: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(b), "\n"); lines != 1002 {
		t.Errorf("%d lines, want a record a line between the brackets (1002)", lines)
	}
	r, err := LoadFileRegistry(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		rec, err := r.Lookup(context.Background(), id)
		if err != nil || rec.Protection != Protection(i%3) || rec.Address.City != "Demostad" {
			t.Fatalf("record %d: %+v, %v", i, rec, err)
		}
	}
	w, err = CreateRegistryFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if again, err := os.ReadFile(path); err != nil || string(again) != string(b) {
		t.Errorf("a file given up changed the one there: %v", err)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("a file given up is left behind: %v", err)
	}
}

// TestReadRegistryEnds: the registry read a record at a time refuses
// what the whole file read at once refused: anything after the array,
// an array left open; null and an empty array are empty registries.
func TestReadRegistryEnds(t *testing.T) {
	rec := `{"identity_number":"19121212-1212","protection":"none"}`
	for _, tt := range []struct {
		body string
		ok   bool
	}{
		{"null", true}, {" [ ] \n", true}, {"[" + rec + "]", true}, {"[" + rec + "," + rec + "]", true},
		{"[" + rec + "] []", false}, {"[" + rec + "] x", false}, {"[" + rec, false}, {"[" + rec + ",", false},
		{"[" + rec + ",]", false}, {"", false}, {"null null", false}, {"[" + rec + " " + rec + "]", false},
	} {
		records, err := parseRegistry([]byte(tt.body), time.Now())
		if (err == nil) != tt.ok || err != nil && records != nil {
			t.Errorf("%q: %d records, error %v; want ok %v", tt.body, len(records), err, tt.ok)
		}
	}
}
