package synthetic

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/persons"
)

var exported = time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)

func write(t *testing.T, opts Options) (string, Summary) {
	t.Helper()
	if opts.Exported.IsZero() {
		opts.Exported = exported
	}
	dir := filepath.Join(t.TempDir(), "export")
	sum, err := Write(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return dir, sum
}

// readAll reads every kind of the export, failing on any error.
type exportData struct {
	units     []legacy.Unit
	staff     []legacy.Staff
	persons   []legacy.Person
	relations []legacy.Relation
	cases     []legacy.Case
	forms     []legacy.FormValue
	decisions []legacy.Decision
	notes     []legacy.Note
	documents []legacy.Document
	orders    []legacy.Order
	performed []legacy.Performed
	payments  []legacy.Payment
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatalf("reading the export: %v", err)
		}
		out = append(out, v)
	}
	return out
}

func readAll(t *testing.T, dir string) (*legacy.Export, exportData) {
	t.Helper()
	e, err := legacy.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return e, exportData{
		units: collect(t, e.Units()), staff: collect(t, e.Staff()), persons: collect(t, e.Persons()),
		relations: collect(t, e.Relations()), cases: collect(t, e.Cases()), forms: collect(t, e.Forms()),
		decisions: collect(t, e.Decisions()), notes: collect(t, e.Notes()), documents: collect(t, e.Documents()),
		orders: collect(t, e.Orders()), performed: collect(t, e.Performed()), payments: collect(t, e.Payments()),
	}
}

func TestLegacySyntheticDeterministic(t *testing.T) {
	opts := Options{District: "S", Persons: 300, Dirt: true, Seed: 7}
	a, _ := write(t, opts)
	b, _ := write(t, opts)
	opts.Seed = 8
	c, _ := write(t, opts)
	if !sameFiles(t, a, b) {
		t.Error("the same options gave different exports")
	}
	if sameFiles(t, a, c) {
		t.Error("another seed gave the same export")
	}
}

// sameFiles reports whether two folders hold the same files with the
// same bytes.
func sameFiles(t *testing.T, a, b string) bool {
	t.Helper()
	files := func(root string) map[string][]byte {
		m := map[string][]byte{}
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			if !d.IsDir() {
				rel, _ := filepath.Rel(root, path)
				m[rel], _ = os.ReadFile(path)
			}
			return nil
		})
		return m
	}
	fa, fb := files(a), files(b)
	if len(fa) != len(fb) {
		return false
	}
	for name, content := range fa {
		if !bytes.Equal(content, fb[name]) {
			return false
		}
	}
	return true
}

func TestLegacySyntheticReadsBack(t *testing.T) {
	for _, tt := range []struct {
		format legacy.Format
		enc    legacy.Encoding
		dirt   bool
	}{
		{legacy.FormatCSV, legacy.EncodingUTF8, false},
		{legacy.FormatCSV, legacy.EncodingUTF8, true},
		{legacy.FormatCSV, legacy.EncodingWindows1252, true},
		{legacy.FormatJSONL, legacy.EncodingUTF8, true},
	} {
		name := string(tt.format) + " " + string(tt.enc)
		if tt.dirt {
			name += " dirt"
		}
		t.Run(name, func(t *testing.T) {
			dir, sum := write(t, Options{District: "S", Persons: 1500, NotesPerPerson: 4, Format: tt.format, Encoding: tt.enc, Dirt: tt.dirt})
			e, d := readAll(t, dir)
			counts := map[legacy.Kind]int{
				legacy.KindUnits: len(d.units), legacy.KindStaff: len(d.staff), legacy.KindPersons: len(d.persons),
				legacy.KindRelations: len(d.relations), legacy.KindCases: len(d.cases), legacy.KindForms: len(d.forms),
				legacy.KindDecisions: len(d.decisions), legacy.KindNotes: len(d.notes), legacy.KindDocuments: len(d.documents),
				legacy.KindOrders: len(d.orders), legacy.KindPerformed: len(d.performed), legacy.KindPayments: len(d.payments),
			}
			for _, k := range legacy.Kinds {
				if counts[k] == 0 {
					t.Errorf("no %s", k)
				}
				if e.Manifest.Counts[k] != counts[k] || sum.Manifest.Counts[k] != counts[k] {
					t.Errorf("%s: manifest %d, summary %d, read %d", k, e.Manifest.Counts[k], sum.Manifest.Counts[k], counts[k])
				}
			}
			var paid legacy.Ore
			for _, p := range d.payments {
				paid += p.Amount
			}
			if e.Manifest.PaymentSum != paid || sum.Manifest.PaymentSum != paid {
				t.Errorf("payment sum: manifest %d, summary %d, read %d", e.Manifest.PaymentSum, sum.Manifest.PaymentSum, paid)
			}
			if len(d.notes) != 4*1500 {
				t.Errorf("%d notes, want 4 per person", len(d.notes))
			}
			if e.Manifest.System != System || e.Manifest.District != "S" || e.Manifest.Exported != "2026-11-30T17:00:00Z" || e.Manifest.Encoding != tt.enc {
				t.Errorf("manifest %+v", e.Manifest)
			}
			checkIdentities(t, d.persons, tt.dirt)
			checkReferences(t, d, tt.dirt)
			checkCodes(t, d)
			checkTexts(t, d, tt.enc)
			checkFiles(t, e, d, tt.dirt)
			checkDates(t, d)
			if tt.dirt {
				for _, key := range []string{"duplicate_persons", "identity_changes", "old_identity_records", "reserve_numbers", "shared_persons",
					"unmapped_unit_cases", "missing_unit_cases", "unknown_case_types", "unknown_insatser", "free_text_insatser",
					"unmatched_free_texts", "unknown_outcomes", "overlapping_decisions", "notes_without_case", "mojibake_texts",
					"unknown_providers", "unknown_payment_items", "unmapped_form_keys", "missing_files", "unsupported_files", "wrong_checksums"} {
					if sum.Dirt[key] == 0 {
						t.Errorf("no %s", key)
					}
				}
				if tt.enc == legacy.EncodingUTF8 && sum.Dirt["windows1252_texts"] == 0 {
					t.Error("no windows1252_texts")
				}
			} else if len(sum.Dirt) > 0 {
				t.Errorf("dirt in a clean export: %v", sum.Dirt)
			}
			// The wrong encoding is in the file, for the reader to repair.
			raw, err := os.ReadFile(filepath.Join(dir, e.FileName(legacy.KindNotes)))
			if err != nil {
				t.Fatal(err)
			}
			if valid := utf8.Valid(raw); valid != (tt.enc == legacy.EncodingUTF8 && (!tt.dirt || sum.Dirt["windows1252_texts"] == 0)) {
				t.Errorf("the notes file is valid UTF-8: %v", valid)
			}
			if bom := bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")); bom != (tt.dirt && tt.format == legacy.FormatCSV && tt.enc == legacy.EncodingUTF8) {
				t.Errorf("the notes file starts with a byte order mark: %v", bom)
			}
			if tt.dirt && !bytes.Contains(raw, []byte("Ã")) && !bytes.Contains(raw, []byte{0xC3}) {
				t.Error("no double-encoded text in the notes file")
			}
		})
	}
}

// checkIdentities: every identity number is valid (a personnummer, with
// dirt also a samordningsnummer or a reserve number), the previous ones
// are samordningsnummer, and without dirt no two persons share one.
func checkIdentities(t *testing.T, ps []legacy.Person, dirt bool) {
	t.Helper()
	seen := map[string]int{}
	kinds := map[persons.IDType]int{}
	for _, p := range ps {
		id, err := persons.ParseIdentityNumber(p.Identity, exported)
		if err != nil {
			if _, rerr := persons.ParseReserve(p.Identity, System); !dirt || rerr != nil {
				t.Fatalf("%s: identity: %v", p.LegacyID, err)
			}
			kinds[persons.IDReserve]++
			continue
		}
		kinds[id.Type]++
		seen[id.Value]++
		if p.PreviousIdentity != "" {
			prev, err := persons.ParseIdentityNumber(p.PreviousIdentity, exported)
			if err != nil || prev.Type != persons.IDSamordningsnummer {
				t.Fatalf("%s: previous identity: %v, %v", p.LegacyID, prev.Type, err)
			}
			if prev.Value[:6] != id.Value[:6] {
				t.Errorf("%s: the samordningsnummer is not of the same birth month", p.LegacyID)
			}
		}
		if id.Value[8] != '9' {
			t.Fatalf("%s: a birth number outside the test range 900–999", p.LegacyID)
		}
	}
	twice := 0
	for _, n := range seen {
		if n > 1 {
			twice++
		}
	}
	if !dirt && (twice > 0 || kinds[persons.IDPersonnummer] != len(ps)) {
		t.Errorf("a clean export: %d numbers twice, kinds %v", twice, kinds)
	}
	if dirt && (twice == 0 || kinds[persons.IDSamordningsnummer] == 0 || kinds[persons.IDReserve] == 0) {
		t.Errorf("a dirty export: %d numbers twice, kinds %v", twice, kinds)
	}
}

// checkReferences: every reference is to a record of the export, except
// the dirt's unit that the units file lacks and its notes without a case.
func checkReferences(t *testing.T, d exportData, dirt bool) {
	t.Helper()
	ids := func(n int, id func(int) string) map[string]bool {
		m := map[string]bool{}
		for i := range n {
			if m[id(i)] {
				t.Fatalf("legacy id %s twice", id(i))
			}
			m[id(i)] = true
		}
		return m
	}
	units := ids(len(d.units), func(i int) string { return d.units[i].LegacyID })
	staff := ids(len(d.staff), func(i int) string { return d.staff[i].LegacyID })
	ps := ids(len(d.persons), func(i int) string { return d.persons[i].LegacyID })
	cases := ids(len(d.cases), func(i int) string { return d.cases[i].LegacyID })
	decisions := ids(len(d.decisions), func(i int) string { return d.decisions[i].LegacyID })
	orders := ids(len(d.orders), func(i int) string { return d.orders[i].LegacyID })
	ids(len(d.relations), func(i int) string { return d.relations[i].LegacyID })
	ids(len(d.notes), func(i int) string { return d.notes[i].LegacyID })
	ids(len(d.documents), func(i int) string { return d.documents[i].LegacyID })
	ids(len(d.performed), func(i int) string { return d.performed[i].LegacyID })
	ids(len(d.payments), func(i int) string { return d.payments[i].LegacyID })
	fail := func(what, id string) { t.Helper(); t.Errorf("%s refers to %q, which the export lacks", what, id) }
	for _, u := range d.units {
		if u.Parent != "" && !units[u.Parent] {
			fail(u.LegacyID, u.Parent)
		}
	}
	for _, r := range d.relations {
		if !ps[r.From] || !ps[r.To] || r.From == r.To {
			fail(r.LegacyID, r.From+" "+r.To)
		}
	}
	for _, c := range d.cases {
		if !ps[c.Person] || !staff[c.Officer] {
			fail(c.LegacyID, c.Person+" "+c.Officer)
		}
		if !units[c.Unit] && !(dirt && c.Unit == "S-"+unitMissing) {
			fail(c.LegacyID, c.Unit)
		}
	}
	for _, f := range d.forms {
		if !cases[f.Case] || !staff[f.Author] {
			fail(f.LegacyID, f.Case)
		}
	}
	for _, x := range d.decisions {
		if !cases[x.Case] || !staff[x.DecidedBy] {
			fail(x.LegacyID, x.Case)
		}
	}
	for _, n := range d.notes {
		if !ps[n.Person] || !staff[n.Author] || !(cases[n.Case] || dirt && n.Case == "") {
			fail(n.LegacyID, n.Case+" "+n.Person)
		}
	}
	for _, x := range d.documents {
		if !cases[x.Case] {
			fail(x.LegacyID, x.Case)
		}
	}
	for _, o := range d.orders {
		if !decisions[o.Decision] {
			fail(o.LegacyID, o.Decision)
		}
	}
	for _, p := range d.performed {
		if !orders[p.Order] {
			fail(p.LegacyID, p.Order)
		}
	}
	for _, p := range d.payments {
		if !cases[p.Case] || !decisions[p.Decision] {
			fail(p.LegacyID, p.Case)
		}
	}
}

// checkCodes: every code in the export is one of Codes' (a free text
// where an insats code belongs is one of freeTexts).
func checkCodes(t *testing.T, d exportData) {
	t.Helper()
	codes := Codes()
	in := func(what, code string) {
		t.Helper()
		list := codes[what]
		if what == "unit" {
			code = strings.Replace(code, "S-", "D-", 1)
		}
		if what == "provider" {
			code = strings.Replace(code, "HT-S", "HT-D", 1)
		}
		if !slices.Contains(list, code) && !(what == "insats" && slices.Contains(freeTexts, code)) {
			t.Errorf("%s %q is not in the code list", what, code)
		}
	}
	for _, c := range d.cases {
		in("unit", c.Unit)
		in("case_type", c.CaseType)
	}
	for _, x := range d.decisions {
		in("insats", x.Insats)
		in("outcome", x.Outcome)
		if x.AmountUnit != "" {
			in("amount_unit", x.AmountUnit)
		}
	}
	for _, r := range d.relations {
		in("relation", r.Kind)
	}
	for _, f := range d.forms {
		in("form", f.Form)
		in("form_key", f.Key)
	}
	for _, o := range d.orders {
		in("provider", o.Provider)
		in("order_status", o.Status)
	}
	for _, p := range d.performed {
		if p.Deviation != "" {
			in("deviation", p.Deviation)
		}
	}
	for _, p := range d.payments {
		in("payment_item", p.Item)
	}
}

// checkTexts: what the reader gives is clean UTF-8, the wrong encodings
// repaired.
func checkTexts(t *testing.T, d exportData, enc legacy.Encoding) {
	t.Helper()
	check := func(id, s string) {
		t.Helper()
		if !utf8.ValidString(s) || strings.ContainsAny(s, "Ã\ufffd") {
			t.Errorf("%s: text not repaired: %q", id, s)
		}
	}
	for _, n := range d.notes {
		check(n.LegacyID, n.Text)
	}
	for _, p := range d.persons {
		check(p.LegacyID, p.FamilyName)
		if enc == legacy.EncodingUTF8 && strings.Contains(p.FamilyName, "?") {
			t.Errorf("%s: %q", p.LegacyID, p.FamilyName)
		}
	}
}

// checkFiles: each document's file is there with its checksum, except
// the dirt's.
func checkFiles(t *testing.T, e *legacy.Export, d exportData, dirt bool) {
	t.Helper()
	for _, doc := range d.documents {
		f, _, err := e.File(doc.File)
		if err != nil {
			if !dirt {
				t.Errorf("%s: %v", doc.LegacyID, err)
			}
			continue
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if checksum(b) != doc.SHA256 && !dirt {
			t.Errorf("%s: the checksum is not the file's", doc.LegacyID)
		}
		if doc.ContentType == "application/pdf" && !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("%s: not a PDF", doc.LegacyID)
		}
	}
}

// checkDates: nothing happens after the export, and nothing closes
// before it opens.
func checkDates(t *testing.T, d exportData) {
	t.Helper()
	end := exported.Format(time.RFC3339)
	for _, c := range d.cases {
		if string(c.Opened) > end || c.Closed != "" && (c.Closed < c.Opened || string(c.Closed) > end) {
			t.Errorf("%s: opened %s, closed %s", c.LegacyID, c.Opened, c.Closed)
		}
	}
	for _, n := range d.notes {
		if string(n.Written) > end {
			t.Errorf("%s: written %s", n.LegacyID, n.Written)
		}
	}
	for _, p := range d.performed {
		if string(p.On) > exported.Format("2006-01-02") {
			t.Errorf("%s: on %s", p.LegacyID, p.On)
		}
	}
}

// TestLegacySyntheticSharedPersons: the dirt's shared persons are in the
// next district's export under the same number and name, and no one else
// is.
func TestLegacySyntheticSharedPersons(t *testing.T) {
	s, sum := write(t, Options{District: "S", Persons: 2000, Dirt: true, NoNotes: true})
	o, _ := write(t, Options{District: "O", Persons: 2000, NoNotes: true})
	_, ds := readAll(t, s)
	_, do := readAll(t, o)
	names := map[string]string{}
	for _, p := range do.persons {
		id, _ := persons.ParseIdentityNumber(p.Identity, exported)
		names[id.Value] = p.GivenName + " " + p.FamilyName
	}
	shared := map[string]bool{}
	for _, p := range ds.persons {
		id, err := persons.ParseIdentityNumber(p.Identity, exported)
		if err != nil || id.Type != persons.IDPersonnummer {
			continue
		}
		if n, ok := names[id.Value]; ok {
			shared[id.Value] = true
			if n != p.GivenName+" "+p.FamilyName && n != p.GivenName+" "+strings.ToUpper(strings.Split(n, " ")[1]) {
				t.Errorf("%s: %q in S, %q in O", p.LegacyID, p.GivenName+" "+p.FamilyName, n)
			}
		}
	}
	if len(shared) != sum.Dirt["shared_persons"] {
		t.Errorf("%d persons in both, the summary says %d", len(shared), sum.Dirt["shared_persons"])
	}
}

func TestLegacySyntheticCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/migration.md")
	if err != nil {
		t.Fatal(err)
	}
	for what, codes := range Codes() {
		for _, c := range codes {
			if !bytes.Contains(doc, []byte("`"+c+"`")) {
				t.Errorf("docs/migration.md lacks the %s `%s`", what, c)
			}
		}
	}
	for _, f := range freeTexts {
		plain := strings.ReplaceAll(string(doc), "**", "")
		if !strings.Contains(plain, `"`+f+`"`) {
			t.Errorf("docs/migration.md lacks the free text %q", f)
		}
	}
	for _, d := range Districts {
		if !bytes.Contains(doc, []byte("| `"+d.Code+"` | "+d.Name+" | `"+d.UnitPrefix+"-` |")) {
			t.Errorf("docs/migration.md lacks district %s", d.Code)
		}
	}
}

func TestLegacySyntheticOptions(t *testing.T) {
	for _, opts := range []Options{
		{District: "", Persons: 10},
		{District: "S-1", Persons: 10},
		{District: "ABCDEFGHI", Persons: 10},
		{District: "S", Persons: 0},
		{District: "S", Persons: MaxPersons + 1},
		{District: "S", Persons: 10, NotesPerPerson: -1},
		{District: "S", Persons: 10, Format: "xml"},
		{District: "S", Persons: 10, Format: legacy.FormatJSONL, Encoding: legacy.EncodingWindows1252},
	} {
		if _, err := Write(context.Background(), filepath.Join(t.TempDir(), "x"), opts); err == nil {
			t.Errorf("Write(%+v) gave no error", opts)
		}
	}
	// A district the demo lacks has the same units under its own code.
	dir, _ := write(t, Options{District: "x9", Persons: 5})
	_, d := readAll(t, dir)
	if d.units[0].LegacyID != "X9" || d.units[1].LegacyID != "X9-ÄO" || d.persons[0].LegacyID != "X9-P0000001" {
		t.Errorf("units %+v", d.units[:2])
	}
}

// TestLegacySyntheticMemoryBounded writes a district far larger than the
// heap it may use: nothing of a person is kept after it is written.
func TestLegacySyntheticMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 40,000 persons")
	}
	var ms runtime.MemStats
	peak := uint64(0)
	calls := 0
	_, sum := write(t, Options{District: "V", Persons: 40_000, NotesPerPerson: 2, Dirt: true, Progress: func(done, total int) {
		calls++
		if done%5000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}})
	if calls != 40 {
		t.Errorf("progress called %d times, want 40", calls)
	}
	if peak > 24<<20 {
		t.Errorf("the heap in use reached %d MiB writing %d records", peak>>20, sum.Manifest.Counts[legacy.KindNotes]+sum.Manifest.Counts[legacy.KindDecisions])
	}
}

// TestLegacySyntheticExecuted reads the decisions' executed days: most
// granted decisions have one, on or after the day they run from and not
// after the export's day; some granted decisions and no refused one have
// none; a decision with an order is executed on the order's start.
func TestLegacySyntheticExecuted(t *testing.T) {
	dir, _ := write(t, Options{District: "O", Persons: 400, Dirt: false})
	_, d := readAll(t, dir)
	start := map[string]legacy.Date{}
	for _, o := range d.orders {
		start[o.Decision] = o.Start
	}
	var granted, executed int
	for _, dec := range d.decisions {
		if dec.Outcome != outcomeGranted && dec.Outcome != outcomePartly {
			if dec.Executed != "" {
				t.Errorf("%s (outcome %s) executed %s", dec.LegacyID, dec.Outcome, dec.Executed)
			}
			continue
		}
		granted++
		if dec.Executed == "" {
			continue
		}
		executed++
		decided, _ := legacy.ParseTime(string(dec.Decided))
		if string(dec.Executed) < string(decided)[:10] || string(dec.Executed) > exported.Format(time.DateOnly) {
			t.Errorf("%s decided %s, executed %s", dec.LegacyID, dec.Decided, dec.Executed)
		}
		if s, ok := start[dec.LegacyID]; ok && s != dec.Executed {
			t.Errorf("%s executed %s, its order started %s", dec.LegacyID, dec.Executed, s)
		}
	}
	if granted == 0 || executed*10 < granted*7 || executed == granted {
		t.Errorf("%d of %d granted decisions executed, want most but not all", executed, granted)
	}
}
