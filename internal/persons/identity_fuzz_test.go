package persons

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// fuzzDays are the "today" values every fuzz input is parsed against; they
// include century and leap-year boundaries.
var fuzzDays = []time.Time{
	time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC),
	time.Date(2000, 2, 28, 0, 0, 0, 0, time.UTC),
	time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2099, 12, 31, 23, 59, 0, 0, time.UTC),
}

func FuzzParseIdentityNumber(f *testing.F) {
	for _, s := range []string{
		"19121212-1212", "121212-1212", "121212+1212", "1212121212", "701063-2391",
		"19121212+1212", "121312-1212", "000229-1234", " 811218-9876 ", "12121A-1212",
		"150916-0006", "19090527+1474", "20121212+1212", "261123+1230", "261123-1230",
		"17991231-1231",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		digits := onlyDigits(s)
		sep := strings.TrimLeft(strings.TrimSpace(s), "0123456789")
		if sep != "" {
			sep = sep[:1]
		}
		for _, today := range fuzzDays {
			id, err := ParseIdentityNumber(s, today)
			if err != nil {
				var e *trygg.Error
				if !errors.As(err, &e) || e.Code != trygg.EInvalid {
					t.Fatalf("error %v is not an EInvalid *trygg.Error", err)
				}
				if id != (Identity{}) {
					t.Fatalf("non-zero Identity %+v with error", id)
				}
				for i := 0; i+6 <= len(digits); i++ {
					if strings.Contains(e.Message, digits[i:i+6]) {
						t.Fatalf("message %q contains digits of the input", e.Message)
					}
				}
				continue
			}
			if id.Type != IDPersonnummer && id.Type != IDSamordningsnummer {
				t.Fatalf("unexpected type %q", id.Type)
			}
			if id.Issuer != "" || !isDigits(id.Value, 12) {
				t.Fatalf("malformed identity %+v", id)
			}
			again, err := ParseIdentityNumber(id.String(), today)
			if err != nil || again != id {
				t.Fatalf("String() does not reparse: got %+v, %v; want %+v", again, err, id)
			}
			b, ok := id.BirthDate()
			if !ok {
				t.Fatalf("parsed identity %+v has no birth date", id)
			}
			if age, ok := id.Age(today); !ok || age < 0 {
				t.Fatalf("Age = %d, %v for birth %v today %v", age, ok, b, today)
			}
			if sx := id.Sex(); sx != "M" && sx != "F" {
				t.Fatalf("Sex = %q", sx)
			}
			if m := id.Masked(); m != id.Value[:8]+"-****" {
				t.Fatalf("Masked = %q", m)
			}
			// Skatteverket's rules: the digits given are kept (a 10-digit
			// form only gains its century), the century is 18, 19 or 20,
			// the birth number is never 000, and '+' means the person
			// turns 100 this year or did before, '-' (or none) in a
			// 10-digit form that they turn 100 after this year.
			if !strings.HasSuffix(id.Value, digits) {
				t.Fatalf("value %q does not keep the digits given", id.Value)
			}
			if c := id.Value[:2]; c != "18" && c != "19" && c != "20" {
				t.Fatalf("century %q", c)
			}
			if id.Value[8:11] == "000" {
				t.Fatalf("birth number 000 accepted")
			}
			turns100 := b.Year() + 100
			switch {
			case sep == "+" && turns100 > today.Year():
				t.Fatalf("'+' accepted for a person who turns 100 in %d, today %v", turns100, today)
			case sep != "+" && len(digits) == 10 && turns100 <= today.Year():
				t.Fatalf("10 digits without '+' read as a person who turns 100 in %d, today %v", turns100, today)
			}
			// Skatteverket's written form (which spans 200 years) and the
			// 12-digit form with its separator read back as the same number.
			short := skatteverketForm(id, today)
			if again, err := ParseIdentityNumber(short, today); b.Year() > today.Year()-200 && (err != nil || again != id) {
				t.Fatalf("Skatteverket's form %q does not reparse: got %+v, %v; want %+v", short, again, err, id)
			}
			long := id.Value[:2] + short
			if again, err := ParseIdentityNumber(long, today); err != nil || again != id {
				t.Fatalf("long form %q does not reparse: got %+v, %v; want %+v", long, again, err, id)
			}
		}
	})
}
