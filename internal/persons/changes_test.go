package persons

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Synthetic numbers (GenerateTestNumber) used by the change tests.
const (
	chChild     = "201503049007"
	chMother    = "198506079006"
	chFather    = "198608099035"
	chStep      = "199001029009"
	chOld       = "195005059000"
	chOldNew    = "195005059034"
	changeToday = "2026-12-07"
)

func TestParseChanges(t *testing.T) {
	today, _ := time.Parse(time.DateOnly, changeToday)
	good := []struct {
		line  string
		check func(Change) bool
	}{
		{"A1;2026-12-01;address;" + chOld + ";Storgatan 1;123 45;Trygstad",
			func(c Change) bool {
				return c.Kind == ChangeAddress && c.Address == Address{Street: "Storgatan 1", PostalCode: "123 45", City: "Trygstad"}
			}},
		{"A2;2026-12-01;protection;19121212-1212;skyddad_folkbokforing",
			func(c Change) bool { return c.Protection == ProtectionProtected && c.Identity.Value == "191212121212" }},
		{"A3;2026-12-01;protection;" + chOld + ";none", func(c Change) bool { return c.Protection == ProtectionNone }},
		{"A4;2026-12-02;death;" + chOld + ";2026-11-30", func(c Change) bool { return c.DiedOn == "2026-11-30" }},
		{"A5;2026-12-02;custody;" + chChild + ";" + chMother + "," + chStep,
			func(c Change) bool {
				return len(c.Guardians) == 2 && c.Guardians[0].Value == chMother && c.Guardians[1].Value == chStep
			}},
		{"A6;2026-12-02;custody;" + chChild + ";", func(c Change) bool { return len(c.Guardians) == 0 }},
		{"A7;2026-12-02;identity;" + chOld + ";" + chOldNew, func(c Change) bool { return c.NewIdentity.Value == chOldNew }},
		{" A8 ; 2026-12-02 ; protection ; " + chOld + " ; sekretessmarkering\r", func(c Change) bool { return c.Protection == ProtectionMarked && c.ID == "A8" }},
	}
	for _, tc := range good {
		cs, errs := ParseChanges([]byte(tc.line), today)
		if len(errs) > 0 || len(cs) != 1 || !tc.check(cs[0]) {
			t.Errorf("%q: got %+v, %v", tc.line, cs, errs)
		}
	}

	bad := []struct {
		line, id, reason string
	}{
		{chOld + ";2026-12-01;protection;" + chOld + ";none", "", "change id"},
		{"1A;2026-12-01;protection;" + chOld + ";none", "", "change id"},
		{"B1;2026-13-01;protection;" + chOld + ";none", "B1", "date"},
		{"B2;2026-12-01;moved;" + chOld + ";none", "B2", "unknown kind"},
		{"B3;2026-12-01;protection;" + chOld, "B3", "5 fields"},
		{"B4;2026-12-01;protection;" + chOld[:11] + "1;none", "B4", "identity number is not valid"},
		{"B5;2026-12-01;protection;" + chOld + ";secret", "B5", "protection"},
		{"B6;2026-12-01;death;" + chOld + ";2026-12-05", "B6", "after the change"},
		{"B7;2026-12-01;death;" + chOld + ";1940-01-01", "B7", "before the birth"},
		{"B8;2026-12-01;custody;" + chChild + ";" + chChild, "B8", "own guardian"},
		{"B9;2026-12-01;custody;" + chChild + ";" + chMother + "," + chFather + "," + chStep, "B9", "more than two"},
		{"B10;2026-12-01;custody;" + chChild + ";" + chMother + "," + chMother, "B10", "twice"},
		{"B11;2026-12-01;identity;" + chOld + ";" + chOld, "B11", "the old one"},
		{"B12;2026-12-01;address;" + chOld + ";Storgatan\u202e 1;123 45;Trygstad", "B12", "street"},
		{"B13;2026-12-01;address;" + chOld + ";Storgatan 1;12345678901;Trygstad", "B13", "postal code"},
		{"B14;2026-12-01;address;" + chOld + ";Storgatan 1;123\xff;Trygstad", "", "UTF-8"},
		{"B15;2026-12-01;custody;" + chChild + ";" + chMother + ",", "B15", "guardian's identity number is missing"},
	}
	var file strings.Builder
	file.WriteString("# a comment\n\n")
	for _, tc := range bad {
		file.WriteString(tc.line + "\n")
	}
	file.WriteString("C1;2026-12-01;protection;" + chOld + ";none\nC1;2026-12-01;protection;" + chOld + ";none\n")
	cs, errs := ParseChanges([]byte(file.String()), today)
	if len(cs) != 1 || cs[0].ID != "C1" || cs[0].line != len(bad)+3 {
		t.Errorf("changes read: %+v", cs)
	}
	if len(errs) != len(bad)+1 {
		t.Fatalf("%d errors, want %d: %v", len(errs), len(bad)+1, errs)
	}
	for i, tc := range bad {
		e := errs[i]
		if e.Line != i+3 || e.ChangeID != tc.id || !strings.Contains(e.Reason, tc.reason) {
			t.Errorf("%q: error %+v, want line %d, id %q, reason with %q", tc.line, e, i+3, tc.id, tc.reason)
		}
		for _, n := range []string{chOld, chChild, chMother, "Storgatan", "Trygstad"} {
			if strings.Contains(e.Error(), n) || strings.Contains(e.Error(), n[2:8]) {
				t.Errorf("error %q holds the record's content", e.Error())
			}
		}
	}
	if last := errs[len(errs)-1]; last.ChangeID != "C1" || !strings.Contains(last.Error(), "earlier line") {
		t.Errorf("a repeated change id: %v", last)
	}
}

// TestFileRegistryChanges: the folder's files are read in name order,
// each once, with bad records handed on refused; Changes pages through
// them by position, finds files added later, and lookups agree with the
// changes read.
func TestFileRegistryChanges(t *testing.T) {
	dir := t.TempDir()
	reg := NewFileRegistry()
	today := time.Now()
	old, _ := ParseIdentityNumber(chOld, today)
	child, _ := ParseIdentityNumber(chChild, today)
	reg.Add(RegistryRecord{Identity: old, GivenName: "Olle", FamilyName: "Äldre", Address: Address{Street: "Gamla vägen 2"}})
	reg.Add(RegistryRecord{Identity: child, GivenName: "Kim", FamilyName: "Barn"})
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("2026-12-01.txt", "D1;2026-12-01;address;"+chOld+";Nya vägen 3;123 45;Trygstad\nnot a record\nD2;2026-12-01;protection;"+chOld+";sekretessmarkering\n")
	write("2026-12-02.txt", "D3;2026-12-02;custody;"+chChild+";"+chMother+"\n")
	write("ignored.json", "D9;2026-12-02;death;"+chOld+";2026-12-01\n")
	if err := reg.ReadChanges(dir); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := reg.Changes(ctx, "", 2)
	if err != nil || len(got) != 2 || got[0].ID != "D1" || got[0].Position != "2026-12-01.txt:1" ||
		got[1].Refused == "" || got[1].Position != "2026-12-01.txt:2" {
		t.Fatalf("first page: %+v, %v", got, err)
	}
	got, err = reg.Changes(ctx, got[1].Position, 10)
	if err != nil || len(got) != 2 || got[0].ID != "D2" || got[1].ID != "D3" || got[1].Position != "2026-12-02.txt:1" {
		t.Fatalf("second page: %+v, %v", got, err)
	}
	if more, err := reg.Changes(ctx, got[1].Position, 10); err != nil || len(more) != 0 {
		t.Fatalf("after the last: %+v, %v", more, err)
	}
	rec, _ := reg.Lookup(ctx, old)
	if rec.Address.Street != "Nya vägen 3" || rec.Protection != ProtectionMarked {
		t.Errorf("lookup after the changes: %+v", rec)
	}
	if rec, _ := reg.Lookup(ctx, child); len(rec.Guardians) != 1 || rec.Guardians[0].Value != chMother {
		t.Errorf("the child's guardians: %+v", rec.Guardians)
	}
	// A file delivered later is read; one whose name sorts before the
	// last read came too late and is left alone.
	write("2026-12-03.txt", "D4;2026-12-03;death;"+chOld+";2026-12-02\nD5;2026-12-03;identity;"+chOld+";"+chOldNew+"\n")
	write("2026-11-30.txt", "D0;2026-11-30;protection;"+chOld+";none\n")
	got, err = reg.Changes(ctx, "2026-12-02.txt:1", 10)
	if err != nil || len(got) != 2 || got[0].ID != "D4" || got[1].ID != "D5" {
		t.Fatalf("the later file: %+v, %v", got, err)
	}
	if _, err := reg.Lookup(ctx, old); err == nil {
		t.Error("the old number is still in the registry")
	}
	nid, _ := ParseIdentityNumber(chOldNew, today)
	if rec, err := reg.Lookup(ctx, nid); err != nil || rec.DiedOn != "2026-12-02" || rec.Protection != ProtectionMarked {
		t.Errorf("under the new number: %+v, %v", rec, err)
	}
	if _, err := reg.Changes(ctx, "nowhere", 10); err == nil {
		t.Error("a position that is not one was accepted")
	}
	// A registry without a folder has no changes.
	if cs, err := NewFileRegistry().Changes(ctx, "", 10); err != nil || len(cs) != 0 {
		t.Errorf("no folder: %+v, %v", cs, err)
	}
}
