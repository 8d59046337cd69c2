package persons

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// metaEntry is one entry of personnummer/meta's testdata/list.json (see
// testdata/personnummer-meta/README.md). Decoding refuses unknown fields,
// so a refreshed list with a new column fails until the test covers it.
type metaEntry struct {
	Integer         json.Number `json:"integer"`
	LongFormat      string      `json:"long_format"`
	ShortFormat     string      `json:"short_format"`
	SeparatedFormat string      `json:"separated_format"`
	SeparatedLong   string      `json:"separated_long"`
	Valid           bool        `json:"valid"`
	Type            string      `json:"type"`
	IsMale          bool        `json:"isMale"`
	IsFemale        bool        `json:"isFemale"`
}

// forms returns the entry's format columns by name.
func (e metaEntry) forms() []struct{ column, in string } {
	return []struct{ column, in string }{
		{"integer", e.Integer.String()},
		{"long_format", e.LongFormat},
		{"short_format", e.ShortFormat},
		{"separated_format", e.SeparatedFormat},
		{"separated_long", e.SeparatedLong},
	}
}

func loadMetaList(t *testing.T) []metaEntry {
	t.Helper()
	b, err := os.ReadFile("testdata/personnummer-meta/list.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var list []metaEntry
	if err := dec.Decode(&list); err != nil {
		t.Fatalf("list.json: %v", err)
	}
	return list
}

// skatteverketForm returns the number as Skatteverket writes it on the day
// today: YYMMDD-NNNC, with '+' instead of '-' from the year the person
// turns 100 (folkbokföringslagen 18 §).
func skatteverketForm(id Identity, today time.Time) string {
	sep := "-"
	if y, _ := strconv.Atoi(id.Value[:4]); y <= today.Year()-100 {
		sep = "+"
	}
	return id.Value[2:8] + sep + id.Value[8:]
}

// wantBirth returns the birth date a 12-digit number stands for, computed
// apart from the package: YYYYMMDD, the day minus 60 for a samordningsnummer.
func wantBirth(t *testing.T, value string, typ IDType) time.Time {
	t.Helper()
	y, _ := strconv.Atoi(value[:4])
	m, _ := strconv.Atoi(value[4:6])
	d, _ := strconv.Atoi(value[6:8])
	if typ == IDSamordningsnummer {
		d -= 60
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
}

// wantAge is the age in whole years on today's date, counted apart from
// the package.
func wantAge(birth, today time.Time) int {
	age := today.Year() - birth.Year()
	if today.Month() < birth.Month() || (today.Month() == birth.Month() && today.Day() < birth.Day()) {
		age--
	}
	return age
}

// TestPersonnummerMetaList runs every entry of personnummer/meta's test
// list, in every format column, through ParseIdentityNumber and checks
// what the list says: valid or not, the kind, the sex, the birth date and
// age, the 12-digit form (long_format) and Skatteverket's form
// (separated_format).
//
// The list was generated on 10 November 2023 and its separators follow
// the rule of folkbokföringslagen 18 §: '+' from the year the person turns
// 100. That holds for every entry from the day the list was made until
// the end of 2041 (the oldest entry written with '-' was born in 1942), so
// the list is checked on that day, on refDay and on 31 December 2041.
//
// Where trygg reads a form differently from the list, Skatteverket's rules
// decide, and the case is named here:
//
//   - short_format of a person written with '+' (born 1909): a number
//     without separator does not say the century. trygg reads it as a '-'
//     (the usual written form), that is a person who turns 100 after this
//     year: 0905271474 is the valid number of someone born 27 May 2009,
//     not 1909. The list marks it valid, and it is; the person, date, age
//     and forms are those of 2009. The list's own libraries skip this
//     column for such entries in their format and age checks for the same
//     reason.
//   - separated_long with '+' (19090527+1474): the list calls it valid.
//     The law puts '+' in the 10-digit form; with the century written out
//     the sign adds nothing, so trygg accepts it as a separator when it
//     agrees with the century (the person turns 100 this year or did
//     before) and refuses it when it does not.
//   - integer is 0 for the entry with a space as separator; "0" is
//     invalid, as the list says of that entry.
func TestPersonnummerMetaList(t *testing.T) {
	list := loadMetaList(t)
	if len(list) < 14 {
		t.Fatalf("list.json has %d entries; expected at least 14", len(list))
	}
	days := []time.Time{
		time.Date(2023, 11, 10, 15, 15, 15, 0, time.FixedZone("CET", 3600)),
		refDay,
		time.Date(2041, 12, 31, 23, 0, 0, 0, time.UTC),
	}
	var plus, zero, valid, invalid int
	for _, e := range list {
		if strings.Contains(e.SeparatedFormat, "+") {
			plus++
		}
		if len(e.LongFormat) == 12 && e.LongFormat[8:11] == "000" {
			zero++
		}
		if e.Valid {
			valid++
		} else {
			invalid++
		}
		var typ IDType
		switch e.Type {
		case "ssn":
			typ = IDPersonnummer
		case "con":
			typ = IDSamordningsnummer
		default:
			t.Fatalf("%s: unknown type %q", e.LongFormat, e.Type)
		}
		if e.IsMale == e.IsFemale {
			t.Fatalf("%s: isMale and isFemale are both %v", e.LongFormat, e.IsMale)
		}
		sex := "F"
		if e.IsMale {
			sex = "M"
		}
		for _, f := range e.forms() {
			for _, today := range days {
				t.Run(f.column+"/"+f.in+"/"+today.Format(time.DateOnly), func(t *testing.T) {
					id, err := ParseIdentityNumber(f.in, today)
					if !e.Valid {
						checkMetaInvalid(t, e, f.in, id, err)
						return
					}
					if err != nil {
						t.Fatalf("the list says valid; got %v", err)
					}
					value, form := e.LongFormat, e.SeparatedFormat
					if f.column == "short_format" && strings.Contains(e.SeparatedFormat, "+") {
						// Read as '-': a hundred years later (see above).
						y, _ := strconv.Atoi(value[:4])
						value = strconv.Itoa(y+100) + value[4:]
						form = strings.Replace(form, "+", "-", 1)
					}
					want := Identity{Type: typ, Value: value}
					if id != want {
						t.Fatalf("got %+v, want %+v", id, want)
					}
					if got := id.Sex(); got != sex {
						t.Errorf("Sex() = %q, want %q", got, sex)
					}
					birth := wantBirth(t, value, typ)
					if b, ok := id.BirthDate(); !ok || !b.Equal(birth) {
						t.Errorf("BirthDate() = %v, %v; want %v", b, ok, birth)
					}
					if age, ok := id.Age(today); !ok || age != wantAge(birth, today) {
						t.Errorf("Age() = %d, %v; want %d", age, ok, wantAge(birth, today))
					}
					if got := id.String(); got != value[:8]+"-"+value[8:] {
						t.Errorf("String() = %q", got)
					}
					if got := id.Masked(); got != value[:8]+"-****" {
						t.Errorf("Masked() = %q", got)
					}
					if got := skatteverketForm(id, today); got != form {
						t.Errorf("Skatteverket's form = %q, the list has %q", got, form)
					}
				})
			}
		}
	}
	if plus == 0 || zero == 0 || valid == 0 || invalid == 0 {
		t.Errorf("the list lacks a case it is used for: %d with '+', %d with birth number 000, %d valid, %d invalid", plus, zero, valid, invalid)
	}
}

// checkMetaInvalid checks the refusal of an entry the list calls invalid:
// an EInvalid *trygg.Error that does not echo the number, and for the two
// causes the list is built around, the specific message.
func checkMetaInvalid(t *testing.T, e metaEntry, in string, id Identity, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("the list says invalid; got %+v", id)
	}
	var te *trygg.Error
	if !errors.As(err, &te) || te.Code != trygg.EInvalid {
		t.Fatalf("error %v is not an EInvalid *trygg.Error", err)
	}
	if id != (Identity{}) {
		t.Errorf("non-zero Identity %+v with error", id)
	}
	if d := onlyDigits(in); len(d) >= 6 && strings.Contains(te.Message, d[len(d)-6:]) {
		t.Errorf("message %q echoes the number", te.Message)
	}
	if !isDigits(e.LongFormat, 12) {
		return
	}
	switch {
	case e.LongFormat[8:11] == "000":
		if te.Message != "identity number has birth number 000, which is never issued" {
			t.Errorf("message = %q, want the birth number 000 one", te.Message)
		}
	case testCheck(t, e.LongFormat[2:11]) != e.LongFormat[11:]:
		if te.Message != "identity number has an invalid check digit" {
			t.Errorf("message = %q, want the check digit one", te.Message)
		}
	}
}
