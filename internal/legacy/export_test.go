package legacy

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeExport writes files (name → content) into a new folder.
func writeExport(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// result is what reading a kind gave: the records and the errors, as text.
type result struct {
	recs []Person
	errs []string
}

func readPersons(t *testing.T, dir string) result {
	t.Helper()
	e, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var r result
	for p, err := range e.Persons() {
		if err != nil {
			r.errs = append(r.errs, err.Error())
			var re *RecordError
			if errors.As(err, &re) && (re.File == "" || re.Line <= 0) {
				t.Errorf("a RecordError without its place: %#v", re)
			}
			continue
		}
		r.recs = append(r.recs, p)
	}
	return r
}

const personsHeader = "legacy_id;identity;given_name;family_name;protected;deceased\r\n"

func TestLegacyReadPersonsCSV(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []Person
		errs  []string
	}{
		{
			name: "plain UTF-8 with CRLF",
			files: map[string]string{"persons.csv": personsHeader +
				"P1;19450312-9018;Åsa;Sjöberg;N;\r\n" +
				"P2;194503129018;Erik;Ek;J;4/3 2019\r\n"},
			want: []Person{
				{Pos: Pos{"persons.csv", 2}, LegacyID: "P1", Identity: "19450312-9018", GivenName: "Åsa", FamilyName: "Sjöberg"},
				{Pos: Pos{"persons.csv", 3}, LegacyID: "P2", Identity: "194503129018", GivenName: "Erik", FamilyName: "Ek", Protected: true, Deceased: "2019-03-04"},
			},
		},
		{
			name:  "BOM, LF, columns in another order and case, empty lines skipped",
			files: map[string]string{"persons.csv": "\xEF\xBB\xBFFamily_Name;Legacy_ID;identity;given_name\n\nSjöberg;P1;x;Åsa\n\n"},
			want:  []Person{{Pos: Pos{"persons.csv", 3}, LegacyID: "P1", Identity: "x", GivenName: "Åsa", FamilyName: "Sjöberg"}},
		},
		{
			name:  "Windows-1252 detected",
			files: map[string]string{"persons.csv": personsHeader + "P1;x;\xc5sa;Sj\xf6berg;N;\r\n"},
			want:  []Person{{Pos: Pos{"persons.csv", 2}, LegacyID: "P1", Identity: "x", GivenName: "Åsa", FamilyName: "Sjöberg"}},
		},
		{
			name: "the manifest's encoding wins",
			files: map[string]string{
				"manifest.json": `{"version":1,"encoding":"windows-1252"}`,
				// Valid UTF-8 too, but declared Windows-1252: "Ã¥" is then
				// double-encoded text, repaired.
				"persons.csv": personsHeader + "P1;x;\xc3\xa5sa;Ek;N;\r\n"},
			want: []Person{{Pos: Pos{"persons.csv", 2}, LegacyID: "P1", Identity: "x", GivenName: "åsa", FamilyName: "Ek"}},
		},
		{
			name:  "Windows-1252 bytes in a UTF-8 file",
			files: map[string]string{"persons.csv": personsHeader + "P1;x;Åsa;Sj\xf6berg;N;\r\n"},
			want:  []Person{{Pos: Pos{"persons.csv", 2}, LegacyID: "P1", Identity: "x", GivenName: "Åsa", FamilyName: "Sjöberg"}},
		},
		{
			name: "quotes: separators, doubled quotes and line breaks inside; the line of a record is its first",
			files: map[string]string{"persons.csv": personsHeader +
				"\"P1\";x;\"Anna; \"\"Annie\"\"\";\"Ek\r\nLund\";N;\r\n" +
				"P2;x;Bo;O\"Neil;N;\r\n"},
			want: []Person{
				{Pos: Pos{"persons.csv", 2}, LegacyID: "P1", Identity: "x", GivenName: `Anna; "Annie"`, FamilyName: "Ek\nLund"},
				{Pos: Pos{"persons.csv", 4}, LegacyID: "P2", Identity: "x", GivenName: "Bo", FamilyName: `O"Neil`},
			},
		},
		{
			name: "bad records are reported and reading goes on",
			files: map[string]string{"persons.csv": personsHeader +
				"P1;x;Åsa;Ek;kanske;\r\n" +
				"P2;x;Bo;Ek;N;31/2 2019\r\n" +
				"P3;x;Bo\r\n" +
				";x;Bo;Ek;N;\r\n" +
				"P5;x;\"Bo\"x;Ek;N;\r\n" +
				"P6;;Bo;Ek;N;\r\n" +
				"P7;x;Bo;Ek;N;\r\n" +
				"P8;x;\"Bo;Ek;N;\r\n"},
			want: []Person{{Pos: Pos{"persons.csv", 8}, LegacyID: "P7", Identity: "x", GivenName: "Bo", FamilyName: "Ek"}},
			errs: []string{
				`persons.csv:2: legacy id "P1": protected: ` + errBool.Error(),
				`persons.csv:3: legacy id "P2": deceased: ` + errDay.Error(),
				`persons.csv:4: legacy id "P3": 3 values where the header has 6 columns`,
				`persons.csv:5: legacy_id: missing`,
				`persons.csv:6: legacy id "P5": text after a closing quote`,
				`persons.csv:7: legacy id "P6": identity: missing`,
				`persons.csv:9: legacy id "P8": a quoted value is not closed before the end of the file`,
			},
		},
		{
			name:  "an unknown column",
			files: map[string]string{"persons.csv": "legacy_id;identity;given_name;family_name;shoe_size\r\nP1;x;A;B;42\r\n"},
			errs:  []string{`persons.csv: column "shoe_size": not a column of persons (see docs/migration.md)`},
		},
		{
			name:  "no header: the first record is never shown",
			files: map[string]string{"persons.csv": "P1;19450312-9018;Åsa;Sjöberg\r\n"},
			errs:  []string{`persons.csv: column 1 of the header is not a column of persons: does the file lack its header? (see docs/migration.md)`},
		},
		{
			name:  "a required column missing",
			files: map[string]string{"persons.csv": "legacy_id;identity;given_name\r\nP1;x;A\r\n"},
			errs:  []string{`persons.csv: column "family_name": a required column is missing`},
		},
		{
			name:  "a column twice",
			files: map[string]string{"persons.csv": "legacy_id;identity;given_name;family_name;identity\r\n"},
			errs:  []string{`persons.csv: column "identity": the column is there twice`},
		},
		{
			name:  "an empty file has no records",
			files: map[string]string{"persons.csv": ""},
		},
		{
			name:  "no file has no records",
			files: map[string]string{"units.csv": "legacy_id;name\r\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readPersons(t, writeExport(t, tt.files))
			if !reflect.DeepEqual(got.recs, tt.want) {
				t.Errorf("records:\n got %+v\nwant %+v", got.recs, tt.want)
			}
			if !reflect.DeepEqual(got.errs, tt.errs) {
				t.Errorf("errors:\n got %q\nwant %q", got.errs, tt.errs)
			}
		})
	}
}

func TestLegacyReadPersonsJSONL(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []Person
		errs  []string
	}{
		{
			name: "records, blank lines, CRLF",
			files: map[string]string{"persons.jsonl": `{"legacy_id":"P1","identity":"19450312-9018","given_name":"Åsa","family_name":"Sjöberg"}` + "\r\n\n" +
				`{"legacy_id":2,"identity":"x","given_name":"Bo","family_name":"Ek","protected":true,"deceased":"20190304","sex":null}` + "\n"},
			want: []Person{
				{Pos: Pos{"persons.jsonl", 1}, LegacyID: "P1", Identity: "19450312-9018", GivenName: "Åsa", FamilyName: "Sjöberg"},
				{Pos: Pos{"persons.jsonl", 3}, LegacyID: "2", Identity: "x", GivenName: "Bo", FamilyName: "Ek", Protected: true, Deceased: "2019-03-04"},
			},
		},
		{
			name:  "Windows-1252 bytes in a string",
			files: map[string]string{"persons.jsonl": "{\"legacy_id\":\"P1\",\"identity\":\"x\",\"given_name\":\"\xc5sa\",\"family_name\":\"Ek\"}\n"},
			want:  []Person{{Pos: Pos{"persons.jsonl", 1}, LegacyID: "P1", Identity: "x", GivenName: "Åsa", FamilyName: "Ek"}},
		},
		{
			name: "bad records are reported and reading goes on",
			files: map[string]string{"persons.jsonl": `{"legacy_id":"P1","identity":"x","given_name":"A","family_name":"B","shoe":42,"zz":1}` + "\n" +
				`{"legacy_id":"P2","identity":"x","given_name":"A"}` + "\n" +
				`{"legacy_id":"P3","identity":"x","given_name":"A","family_name":["B"]}` + "\n" +
				`{"legacy_id":"P4",` + "\n" +
				`[1,2]` + "\n" +
				`{"legacy_id":"P6","identity":"x","given_name":"A","family_name":"B","deceased":"igår"}` + "\n" +
				`{"legacy_id":"P7","identity":"x","given_name":"A","family_name":"B"}` + "\n" +
				`{"legacy_id":"P8","identity":"x","given_name":"A","family_name":"B","19450312-9018":"x"}` + "\n"},
			want: []Person{{Pos: Pos{"persons.jsonl", 7}, LegacyID: "P7", Identity: "x", GivenName: "A", FamilyName: "B"}},
			errs: []string{
				`persons.jsonl:1: legacy id "P1": shoe: not a field of persons`,
				`persons.jsonl:2: legacy id "P2": family_name: missing`,
				`persons.jsonl:3: legacy id "P3": family_name: not a string, number or boolean`,
				`persons.jsonl:4: not a JSON object on one line`,
				`persons.jsonl:5: not a JSON object on one line`,
				`persons.jsonl:6: legacy id "P6": deceased: ` + errDate.Error(),
				`persons.jsonl:8: legacy id "P8": a key that is not a field of persons`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readPersons(t, writeExport(t, tt.files))
			if !reflect.DeepEqual(got.recs, tt.want) {
				t.Errorf("records:\n got %+v\nwant %+v", got.recs, tt.want)
			}
			if !reflect.DeepEqual(got.errs, tt.errs) {
				t.Errorf("errors:\n got %q\nwant %q", got.errs, tt.errs)
			}
		})
	}
}

func TestLegacyOpen(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{"no manifest", map[string]string{"units.csv": "legacy_id;name\n"}, ""},
		{"a manifest", map[string]string{"manifest.json": `{"version":1,"system":"S","exported":"2026-11-30 18:00","counts":{"units":0},"payment_sum":"1 234,50"}`}, ""},
		{"another version", map[string]string{"manifest.json": `{"version":2}`}, "version 2"},
		{"an unknown field", map[string]string{"manifest.json": `{"version":1,"colour":"red"}`}, "unknown field"},
		{"an unknown encoding", map[string]string{"manifest.json": `{"version":1,"encoding":"ebcdic"}`}, "unknown encoding"},
		{"an unknown kind counted", map[string]string{"manifest.json": `{"version":1,"counts":{"pets":1}}`}, "not a kind"},
		{"both files of a kind", map[string]string{"units.csv": "", "units.jsonl": ""}, "keep one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(writeExport(t, tt.files))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Open: %v, want %q", err, tt.wantErr)
			}
		})
	}
	e, err := Open(writeExport(t, map[string]string{"manifest.json": `{"version":1,"system":"S","exported":"2026-11-30 18:00","payment_sum":"1 234,50"}`, "Units.CSV": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if e.Manifest.Exported != "2026-11-30T17:00:00Z" || e.Manifest.PaymentSum != 123450 || !e.HasManifest || e.FileName(KindUnits) != "Units.CSV" {
		t.Errorf("manifest %+v, units file %q", e.Manifest, e.FileName(KindUnits))
	}
}

func TestLegacyWriterRoundTrip(t *testing.T) {
	note := Note{LegacyID: "J1", Case: "", Person: "P1", Written: "2019-03-04T12:45:00Z", Author: "S1", Signed: true,
		Text: "Åsa sa: \"jag klarar duschen\"; ring\r\ndottern – 13:45"}
	dec := Decision{LegacyID: "B1", Case: "C1", Insats: "HT", Outcome: "B", Decided: "2019-03-04T12:45:00Z", ValidFrom: "2019-03-05", Amount: 1250, AmountUnit: "TIM"}
	pay := []Payment{
		{LegacyID: "Y1", Case: "C1", Item: "FS", Period: "2019-03", Amount: 123450, Paid: "2019-03-25"},
		{LegacyID: "Y2", Case: "C1", Item: "FS", Period: "2019-04", Amount: -5},
	}
	for _, tt := range []struct {
		format Format
		enc    Encoding
		bom    bool
	}{{FormatCSV, EncodingUTF8, false}, {FormatCSV, EncodingUTF8, true}, {FormatCSV, EncodingWindows1252, false}, {FormatJSONL, EncodingUTF8, false}} {
		t.Run(string(tt.format)+" "+string(tt.enc), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "export")
			w, err := NewWriter(dir, tt.format, tt.enc)
			if err != nil {
				t.Fatal(err)
			}
			w.BOM = tt.bom
			w.Manifest.System, w.Manifest.District = "Socialregistret", "S"
			must(t, w.Note(note))
			must(t, w.Decision(dec))
			for _, p := range pay {
				must(t, w.Payment(p))
			}
			must(t, w.WriteFile("ab/d1.pdf", []byte("%PDF-1.4")))
			must(t, w.Close())

			e, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if e.Manifest.Encoding != tt.enc || e.Manifest.Counts[KindNotes] != 1 || e.Manifest.Counts[KindPayments] != 2 ||
				e.Manifest.Counts[KindPersons] != 0 || e.Manifest.PaymentSum != 123445 || e.Manifest.District != "S" {
				t.Errorf("manifest %+v", e.Manifest)
			}
			want := note
			want.Text = strings.ReplaceAll(want.Text, "\r\n", "\n")
			if tt.format == FormatJSONL {
				want.Text = note.Text // JSON keeps the CR
			}
			want.Pos = Pos{File: "notes." + string(tt.format), Line: 2}
			if tt.format == FormatJSONL {
				want.Line = 1
			}
			var notes []Note
			for n, err := range e.Notes() {
				must(t, err)
				notes = append(notes, n)
			}
			if len(notes) != 1 || !reflect.DeepEqual(notes[0], want) {
				t.Errorf("notes %+v\nwant %+v", notes, want)
			}
			for d, err := range e.Decisions() {
				must(t, err)
				d.Pos = Pos{}
				if !reflect.DeepEqual(d, dec) {
					t.Errorf("decision %+v\nwant %+v", d, dec)
				}
			}
			i := 0
			for p, err := range e.Payments() {
				must(t, err)
				p.Pos = Pos{}
				if !reflect.DeepEqual(p, pay[i]) {
					t.Errorf("payment %+v\nwant %+v", p, pay[i])
				}
				i++
			}
			f, size, err := e.File("ab/d1.pdf")
			must(t, err)
			b, _ := io.ReadAll(f)
			f.Close()
			if string(b) != "%PDF-1.4" || size != 8 {
				t.Errorf("file %q, size %d", b, size)
			}
		})
	}
	if _, err := NewWriter(t.TempDir(), "xml", EncodingUTF8); err == nil {
		t.Error("NewWriter took format xml")
	}
	full := writeExport(t, map[string]string{"x": ""})
	if _, err := NewWriter(full, FormatCSV, EncodingUTF8); err == nil {
		t.Error("NewWriter wrote into a folder that is not empty")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLegacyFile(t *testing.T) {
	dir := writeExport(t, map[string]string{"files/a/doc.pdf": "%PDF-", "secret.txt": "no", "files/sub/x": "x"})
	outside := filepath.Join(t.TempDir(), "outside.txt")
	must(t, os.WriteFile(outside, []byte("outside"), 0o644))
	must(t, os.Symlink(outside, filepath.Join(dir, "files", "out")))
	must(t, os.Symlink("a/doc.pdf", filepath.Join(dir, "files", "in")))
	e, err := Open(dir)
	must(t, err)
	tests := []struct {
		name string
		ok   bool
	}{
		{"a/doc.pdf", true},
		{"in", true},
		{"../secret.txt", false},
		{"a/../../secret.txt", false},
		{"/etc/passwd", false},
		{filepath.Join(dir, "secret.txt"), false},
		{`a\doc.pdf`, false},
		{"out", false},
		{"sub", false},
		{"missing.pdf", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, err := e.File(tt.name)
			if tt.ok != (err == nil) {
				t.Fatalf("File(%q): %v, want ok %v", tt.name, err, tt.ok)
			}
			if f != nil {
				f.Close()
			}
			if err != nil && tt.name != "" && strings.Contains(err.Error(), tt.name) {
				t.Errorf("the error names the file: %v", err)
			}
		})
	}
	if _, _, err := e.File("missing.pdf"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
}
