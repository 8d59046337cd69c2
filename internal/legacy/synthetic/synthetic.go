// Package synthetic writes a synthetic export of one district in the
// legacy interchange format (internal/legacy), with the dirt real
// exports have: the same person twice, a samordningsnummer replaced by a
// personnummer with another record still carrying the old number,
// reserve numbers, units and codes no mapping knows, notes without a
// case, overlapping decisions, free-text insatser, text in the wrong
// encoding, documents whose files are missing or of a type trygg does not
// keep. The same options give the same export; persons are written one
// at a time, so a district of any size takes little memory.
//
// The identity numbers are test-range numbers like the demo's
// (persons.GenerateTestNumber, birth numbers 900–999; samordningsnummer
// are the same numbers with day + 60): synthetic data made with them must
// never be mixed with real registers.
package synthetic

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/persons"
)

// Options say what to write.
type Options struct {
	// District is the old system's district code: one of Districts', or
	// another of 1–8 letters and digits (a district the demo lacks, whose
	// identity numbers may then be some known district's).
	District string
	// Persons is the number of persons (before the dirt's extra records);
	// at most MaxPersons.
	Persons int
	// NotesPerPerson is the number of journal notes per person (default 3;
	// 0 with NoNotes).
	NotesPerPerson int
	NoNotes        bool
	Format         legacy.Format   // default csv
	Encoding       legacy.Encoding // default utf-8
	Seed           int64           // default 1
	// Dirt adds what real exports have (see the package comment); without
	// it every record is clean and refers only to records and codes that
	// exist.
	Dirt bool
	// Exported is when the export was made; every date is before it.
	// Default: now. The same options and Exported give the same files.
	Exported time.Time
	// Progress, if set, is called every 1000 persons and at the end.
	Progress func(done, total int)
}

// MaxPersons is the most persons one district can have: the test-range
// numbers of a century of birth dates, shared by five districts.
const MaxPersons = spaceSize / 5

// Summary is what Write wrote: the manifest (with the count of records
// of each kind and the payments' sum) and how many of each kind of dirt.
type Summary struct {
	Manifest legacy.Manifest
	// Dirt counts each kind of dirt written, by key:
	//   duplicate_persons      a person written twice, under two legacy ids
	//   identity_changes       a person whose samordningsnummer became a personnummer
	//   old_identity_records   another record still carrying the samordningsnummer
	//   reserve_numbers        a person known only by a reserve number
	//   shared_persons         a person also in the next district's export
	//   unmapped_unit_cases    a case in unit D-UTR (no trygg unit)
	//   missing_unit_cases     a case in unit D-ARKIV (not in the units file)
	//   unknown_case_types     a case of type ÖVR
	//   unknown_insatser       a decision of insats ÄO99
	//   free_text_insatser     a decision with a free text where the code belongs
	//   unmatched_free_texts   of those, the text no rule matches
	//   unknown_outcomes       a decision with outcome U
	//   overlapping_decisions  a decision overlapping another of the same insats
	//   notes_without_case     a note with no case
	//   windows1252_texts      a text in Windows-1252 bytes in a UTF-8 file
	//   mojibake_texts         a text double-encoded ("Ã¤" for "ä")
	//   unknown_providers      an order to provider PRIV7
	//   unknown_payment_items  a payment of item NÖD
	//   unmapped_form_keys     a form row with key gammal_bedomning
	//   missing_files          a document whose file is not in files/
	//   unsupported_files      a document of a type trygg does not keep (.doc)
	//   wrong_checksums        a document whose sha256 is not its file's
	Dirt map[string]int
}

// Write writes the export into dir, which must be empty or not exist.
// It returns an error for options out of range, when writing fails or
// when ctx ends; an export cut short has no manifest.json.
func Write(ctx context.Context, dir string, opts Options) (Summary, error) {
	if err := opts.defaults(); err != nil {
		return Summary{}, err
	}
	w, err := legacy.NewWriter(dir, opts.Format, opts.Encoding)
	if err != nil {
		return Summary{}, err
	}
	// Windows programs start UTF-8 files with a byte order mark.
	w.BOM = opts.Dirt && opts.Format == legacy.FormatCSV
	g := newGen(w, opts)
	if err := g.write(ctx); err != nil {
		w.Abort()
		return Summary{}, err
	}
	w.Manifest.System, w.Manifest.District = System, g.district.Code
	w.Manifest.Exported = legacy.Time(opts.Exported.UTC().Format(time.RFC3339))
	if err := w.Close(); err != nil {
		return Summary{}, err
	}
	m := w.Manifest
	m.Version, m.Encoding, m.Counts = legacy.Version, opts.Encoding, map[legacy.Kind]int{}
	for _, k := range legacy.Kinds {
		m.Counts[k] = w.Counts()[k]
	}
	m.PaymentSum = g.paymentSum
	return Summary{Manifest: m, Dirt: g.dirt}, nil
}

func (o *Options) defaults() error {
	o.District = strings.ToUpper(strings.TrimSpace(o.District))
	if o.District == "" || len(o.District) > 8 || strings.IndexFunc(o.District, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) >= 0 {
		return errors.New("synthetic: the district code is 1–8 letters A–Z and digits, like S")
	}
	if o.Persons < 1 || o.Persons > MaxPersons {
		return fmt.Errorf("synthetic: persons must be 1–%d", MaxPersons)
	}
	if o.NotesPerPerson < 0 || o.NotesPerPerson > 1000 {
		return errors.New("synthetic: notes per person must be 0–1000")
	}
	if o.NotesPerPerson == 0 && !o.NoNotes {
		o.NotesPerPerson = 3
	}
	if o.Format == "" {
		o.Format = legacy.FormatCSV
	}
	if o.Encoding == "" {
		o.Encoding = legacy.EncodingUTF8
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Exported.IsZero() {
		o.Exported = time.Now()
	}
	o.Exported = o.Exported.Truncate(time.Second)
	return nil
}

// The identity space: every birth date of the century 1925–2024 (36 525
// days), 100 test numbers a day (50 of each sex).
var firstBirth = time.Date(1925, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	spaceSize = 36525 * 100
	// spaceMul is coprime with spaceSize (2²·3·5⁴·487), so multiplying
	// by it permutes the space.
	spaceMul = 1_000_003
)

type gen struct {
	w        *legacy.Writer
	opts     Options
	district District
	slot     int // the district's place in the identity space
	exported time.Time
	today    time.Time // the export's day, 00:00 UTC
	staff    int
	seq      map[legacy.Kind]int
	dirt     map[string]int
	// lastAdult is the latest adult written, who becomes the guardian
	// or representative of the next person who needs one.
	lastAdult  string
	paymentSum legacy.Ore
	caseSeq    int
}

func newGen(w *legacy.Writer, opts Options) *gen {
	g := &gen{w: w, opts: opts, seq: map[legacy.Kind]int{}, dirt: map[string]int{}}
	g.district = District{Code: opts.District, Name: opts.District}
	h := fnv.New32a()
	h.Write([]byte(opts.District))
	g.slot = int(h.Sum32() % 5)
	for i, d := range Districts {
		if d.Code == opts.District {
			g.district, g.slot = d, i
		}
	}
	g.exported = opts.Exported
	g.today = calendar.Date(opts.Exported)
	g.staff = max(10, opts.Persons/400)
	return g
}

// id returns the next legacy id of a kind: D-P0000001 for persons.
func (g *gen) id(k legacy.Kind) string {
	g.seq[k]++
	prefix := map[legacy.Kind]string{legacy.KindStaff: "S", legacy.KindPersons: "P", legacy.KindRelations: "R",
		legacy.KindCases: "C", legacy.KindForms: "F", legacy.KindDecisions: "B", legacy.KindNotes: "J",
		legacy.KindDocuments: "D", legacy.KindOrders: "O", legacy.KindPerformed: "U", legacy.KindPayments: "Y"}[k]
	if k == legacy.KindStaff {
		return fmt.Sprintf("%s-S%04d", g.district.Code, g.seq[k])
	}
	return fmt.Sprintf("%s-%s%07d", g.district.Code, prefix, g.seq[k])
}

func (g *gen) unit(suffix string) string {
	if suffix == "" {
		return g.district.Code
	}
	return g.district.Code + "-" + suffix
}

func (g *gen) write(ctx context.Context) error {
	for _, u := range unitSuffixes {
		name := u.name + " " + g.district.Name
		if u.code == "" {
			name = g.district.Name + " " + u.name
		}
		parent := ""
		if u.code != "" {
			parent = g.district.Code
		}
		if err := g.w.Unit(legacy.Unit{LegacyID: g.unit(u.code), Name: name, Parent: parent}); err != nil {
			return err
		}
	}
	r := rand.New(rand.NewPCG(uint64(g.opts.Seed), 0x5eed))
	for range g.staff {
		given, family := name(r, []string{"F", "M"}[r.IntN(2)])
		if err := g.w.Staff(legacy.Staff{LegacyID: g.id(legacy.KindStaff), Name: given + " " + family}); err != nil {
			return err
		}
	}
	for i := range g.opts.Persons {
		if err := g.person(i); err != nil {
			return err
		}
		if (i+1)%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if g.opts.Progress != nil {
				g.opts.Progress(i+1, g.opts.Persons)
			}
		}
	}
	if g.opts.Progress != nil && g.opts.Persons%1000 != 0 {
		g.opts.Progress(g.opts.Persons, g.opts.Persons)
	}
	return nil
}

// officer returns a staff member of the case type's unit: staff are
// spread over ÄO, LSS, BOU and EKB in turn.
func (g *gen) officer(r *rand.Rand, ct caseType) string {
	k := map[string]int{"ÄO": 0, "LSS": 1, "BOU": 2, "EKB": 3}[ct.code]
	n := (g.staff - k + 3) / 4
	return fmt.Sprintf("%s-S%04d", g.district.Code, k+4*r.IntN(n)+1)
}

// chance reports true with probability 1/n, when dirt is on.
func (g *gen) dirty(r *rand.Rand, n int) bool {
	return g.opts.Dirt && r.IntN(n) == 0
}

// identity returns the personnummer of the person at place k of the
// identity space and their birth date and sex.
func identity(seed int64, k int) (persons.Identity, time.Time, string) {
	p := (uint64(k)*spaceMul + uint64(seed)*7919) % spaceSize
	day, rest := int(p/100), int(p%100)
	sex := "F"
	if rest%2 == 1 {
		sex = "M"
	}
	birth := firstBirth.AddDate(0, 0, day)
	return persons.GenerateTestNumber(birth, sex, rest/2), birth, sex
}

// coordination returns the samordningsnummer of a personnummer: the same
// number with day + 60 and its check digit.
func coordination(pnr string) string {
	b := []byte(pnr)
	day := int(b[6]-'0')*10 + int(b[7]-'0') + 60
	b[6], b[7] = byte('0'+day/10), byte('0'+day%10)
	sum := 0
	for i, c := range b[2:11] {
		d := int(c - '0')
		if i%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	b[11] = byte('0' + (10-sum%10)%10)
	return string(b)
}

// written returns an identity number in one of the forms old systems
// wrote: YYYYMMDD-NNNC, YYYYMMDDNNNC or (for those born 1940 or later,
// whom the short form cannot mistake for centenarians for decades)
// YYMMDD-NNNC.
func written(r *rand.Rand, v string, birthYear int) string {
	switch n := r.IntN(10); {
	case n < 6:
		return v[:8] + "-" + v[8:]
	case n < 8 || birthYear < texts.ShortFormFrom:
		return v
	default:
		return v[2:8] + "-" + v[8:]
	}
}

var givenF = []string{"Anna", "Maria", "Elin", "Karin", "Sara", "Emma", "Ingrid", "Kerstin", "Fatima", "Amina", "Åsa", "Märta", "Sofia", "Maja", "Alice", "Ella", "Astrid", "Signe", "Leila", "Birgitta", "Margareta", "Ulla", "Hanna", "Nora", "Solveig"}
var givenM = []string{"Erik", "Lars", "Karl", "Johan", "Anders", "Per", "Mohammed", "Ali", "Oskar", "Lucas", "Björn", "Noah", "Hugo", "Göran", "Elias", "Gustav", "Nils", "Sven", "Ahmed", "Omar", "Olof", "Mats", "Jonas", "Viktor", "Åke"}
var family = []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Hansson", "Bengtsson", "Lindberg", "Lindqvist", "Berg", "Holm", "Hassan", "Nguyen", "Yilmaz", "Lundgren", "Sjöberg", "Wikström", "Öberg", "Åberg", "Dahl", "Björk", "Dragović", "Ekström"}
var streets = []string{"Storgatan", "Kyrkogatan", "Skolgatan", "Parkvägen", "Björkvägen", "Ringvägen", "Hamngatan", "Torggatan", "Ekvägen", "Lärkgatan", "Solvägen", "Ängsvägen"}

func name(r *rand.Rand, sex string) (given, fam string) {
	list := givenF
	if sex == "M" {
		list = givenM
	}
	return list[r.IntN(len(list))], family[r.IntN(len(family))]
}

// age returns the whole years from birth to day.
func age(birth, day time.Time) int {
	a := day.Year() - birth.Year()
	if day.YearDay() < birth.YearDay() {
		a--
	}
	return a
}

// date writes a day in the forms old systems used: with dirt in any
// Swedish form, else YYYY-MM-DD.
func (g *gen) date(r *rand.Rand, t time.Time) legacy.Date {
	y, m, d := t.Date()
	if !g.opts.Dirt {
		return legacy.Date(t.Format("2006-01-02"))
	}
	switch n := r.IntN(20); {
	case n < 14:
		return legacy.Date(t.Format("2006-01-02"))
	case n < 16:
		return legacy.Date(t.Format("20060102"))
	case n < 18:
		return legacy.Date(fmt.Sprintf("%d/%d %d", d, m, y))
	case n < 19:
		return legacy.Date(fmt.Sprintf("%d.%d.%d", d, m, y))
	default:
		if g.today.Year()-y < 90 {
			return legacy.Date(t.Format("060102"))
		}
		return legacy.Date(t.Format("2006-01-02"))
	}
}

// moment writes a moment in Swedish local time, with dirt in any of the
// forms old systems used.
func (g *gen) moment(r *rand.Rand, t time.Time) legacy.Time {
	local := t.In(calendar.Sweden)
	if !g.opts.Dirt {
		return legacy.Time(local.Format("2006-01-02 15:04"))
	}
	switch n := r.IntN(10); {
	case n < 7:
		return legacy.Time(local.Format("2006-01-02 15:04"))
	case n < 8:
		return legacy.Time(local.Format("2006-01-02 15:04:05"))
	case n < 9:
		return legacy.Time(local.Format("200601021504"))
	default:
		return legacy.Time(t.UTC().Format(time.RFC3339))
	}
}

// at returns a working-hours moment on day (a date at 00:00 UTC), Swedish time.
func at(r *rand.Rand, day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 8+r.IntN(9), r.IntN(60), r.IntN(60), 0, calendar.Sweden)
}

// between returns a day from a to b (dates), a when b is before it.
func between(r *rand.Rand, a, b time.Time) time.Time {
	days := int(b.Sub(a).Hours() / 24)
	if days <= 0 {
		return a
	}
	return a.AddDate(0, 0, r.IntN(days+1))
}

// textIn returns text in the wrong encoding, with dirt now and then:
// Windows-1252 bytes in a UTF-8 file, or double-encoded UTF-8.
func (g *gen) textIn(r *rand.Rand, text string) string {
	if !g.dirty(r, 200) || !strings.ContainsAny(text, "åäöÅÄÖé") {
		return text
	}
	if g.opts.Encoding == legacy.EncodingUTF8 && r.IntN(2) == 0 {
		g.dirt["windows1252_texts"]++
		b, _ := encoding.ReplaceUnsupported(charmap.Windows1252.NewEncoder()).String(text)
		return b
	}
	g.dirt["mojibake_texts"]++
	b, _ := charmap.Windows1252.NewDecoder().String(text)
	return b
}

// checksum is a document's SHA-256 in hex.
func checksum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
