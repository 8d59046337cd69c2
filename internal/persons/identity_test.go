package persons

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// refDay is the "today" most tests run on.
var refDay = time.Date(2026, 11, 22, 15, 4, 5, 0, time.UTC)

// testCheck returns the Luhn check digit for nine digits, computed
// independently of the package's luhn (right-to-left doubling).
func testCheck(t *testing.T, nine string) string {
	t.Helper()
	if len(nine) != 9 {
		t.Fatalf("testCheck: need 9 digits, got %d", len(nine))
	}
	sum := 0
	double := true // the rightmost of nine digits has weight 2
	for i := len(nine) - 1; i >= 0; i-- {
		d := int(nine[i] - '0')
		if double {
			d = []int{0, 2, 4, 6, 8, 1, 3, 5, 7, 9}[d]
		}
		double = !double
		sum += d
	}
	return strconv.Itoa((10 - sum%10) % 10)
}

// num builds a 10-digit number "YYMMDD" + sep + "NNN" + check digit.
func num(t *testing.T, yymmdd, sep, nnn string) string {
	t.Helper()
	return yymmdd + sep + nnn + testCheck(t, yymmdd+nnn)
}

// num12 builds "YYYYMMDD" + sep + "NNN" + check digit.
func num12(t *testing.T, yyyymmdd, sep, nnn string) string {
	t.Helper()
	return yyyymmdd + sep + nnn + testCheck(t, yyyymmdd[2:]+nnn)
}

func TestCheckDigitKnownNumbers(t *testing.T) {
	for _, s := range []string{"121212121", "811218987", "701063239"} {
		got := string('0' + luhn([]byte(s)))
		if want := testCheck(t, s); got != want {
			t.Errorf("luhn(%s) = %s, want %s", s, got, want)
		}
	}
}

func TestParseIdentityNumberValid(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		today time.Time
		typ   IDType
		value string
	}{
		{"12 digits with dash", "19121212-1212", refDay, IDPersonnummer, "191212121212"},
		{"12 digits", "191212121212", refDay, IDPersonnummer, "191212121212"},
		{"10 digits dash -> 2012", "121212-1212", refDay, IDPersonnummer, "201212121212"},
		{"10 digits plain -> 2012", "1212121212", refDay, IDPersonnummer, "201212121212"},
		{"10 digits plus -> 1912", "121212+1212", refDay, IDPersonnummer, "191212121212"},
		{"surrounding whitespace", " \t19121212-1212\n ", refDay, IDPersonnummer, "191212121212"},
		{"well-known 811218-9876", "811218-9876", refDay, IDPersonnummer, "198112189876"},
		{"samordningsnummer", "701063-2391", refDay, IDSamordningsnummer, "197010632391"},
		{"samordningsnummer 12", "197010632391", refDay, IDSamordningsnummer, "197010632391"},
		{"samordningsnummer day 91", num(t, "120191", "-", "234"), refDay, IDSamordningsnummer, "20" + strings.Replace(num(t, "120191", "-", "234"), "-", "", 1)},
		{"born today", num(t, "261122", "-", "123"), refDay, IDPersonnummer, "20" + strings.Replace(num(t, "261122", "-", "123"), "-", "", 1)},
		{"dash, oldest the year allows -> 1927", num(t, "270101", "-", "123"), refDay, IDPersonnummer, "19" + strings.Replace(num(t, "270101", "-", "123"), "-", "", 1)},
		{"no separator reads as dash -> 1927", num(t, "271231", "", "123"), refDay, IDPersonnummer, "19" + num(t, "271231", "", "123")},
		{"plus, today's date -> 1926", num(t, "261122", "+", "123"), refDay, IDPersonnummer, "19" + strings.Replace(num(t, "261122", "+", "123"), "+", "", 1)},
		// Folkbokföringslagen 18 §: '+' from the year the person turns 100,
		// so someone born 1926-11-23 is 261123+ all through 2026.
		{"plus, turns 100 later this year -> 1926", num(t, "261123", "+", "123"), refDay, IDPersonnummer, "19" + strings.Replace(num(t, "261123", "+", "123"), "+", "", 1)},
		{"plus, turns 100 on 31 December -> 1926", num(t, "261231", "+", "123"), refDay, IDPersonnummer, "19" + strings.Replace(num(t, "261231", "+", "123"), "+", "", 1)},
		{"plus, would turn 100 next year -> 1827", num(t, "270101", "+", "123"), refDay, IDPersonnummer, "18" + strings.Replace(num(t, "270101", "+", "123"), "+", "", 1)},
		{"plus on 1 January -> 1926", num(t, "261231", "+", "123"), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), IDPersonnummer, "19" + strings.Replace(num(t, "261231", "+", "123"), "+", "", 1)},
		{"plus samordningsnummer -> 1926", num(t, "261183", "+", "123"), refDay, IDSamordningsnummer, "19" + strings.Replace(num(t, "261183", "+", "123"), "+", "", 1)},
		{"12 digits with plus, 100 or older", "19121212+1212", refDay, IDPersonnummer, "191212121212"},
		{"12 digits with plus, turns 100 later this year", num12(t, "19261231", "+", "123"), refDay, IDPersonnummer, strings.Replace(num12(t, "19261231", "+", "123"), "+", "", 1)},
		{"12 digits with dash, 100 or older", "19090527-1474", refDay, IDPersonnummer, "190905271474"},
		{"century 18", num12(t, "18991231", "-", "123"), refDay, IDPersonnummer, strings.Replace(num12(t, "18991231", "-", "123"), "-", "", 1)},
		{"birth number 001", num(t, "150916", "-", "001"), refDay, IDPersonnummer, "20" + strings.Replace(num(t, "150916", "-", "001"), "-", "", 1)},
		{"Feb 29 leap year 2000", num(t, "000229", "-", "456"), refDay, IDPersonnummer, "20" + strings.Replace(num(t, "000229", "-", "456"), "-", "", 1)},
		{"Feb 29 leap year 2024 12 digits", num12(t, "20240229", "-", "456"), refDay, IDPersonnummer, strings.Replace(num12(t, "20240229", "-", "456"), "-", "", 1)},
		{"Feb 29 snr", num12(t, "20240289", "", "456"), refDay, IDSamordningsnummer, num12(t, "20240289", "", "456")},
		{"today with time zone", "121212-1212", time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600)), IDPersonnummer, "201212121212"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseIdentityNumber(tt.in, tt.today)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			want := Identity{Type: tt.typ, Value: tt.value}
			if id != want {
				t.Fatalf("got %+v, want %+v", id, want)
			}
			// Round trip through String.
			again, err := ParseIdentityNumber(id.String(), tt.today)
			if err != nil || again != id {
				t.Fatalf("round trip: got %+v, %v; want %+v", again, err, id)
			}
		})
	}
}

func TestParseIdentityNumberInvalid(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		today time.Time
		msg   string
	}{
		{"empty", "", refDay, "identity number is empty"},
		{"blank", "   ", refDay, "identity number is empty"},
		{"9 digits", "121212121", refDay, "identity number has 9 digits; expected 10 or 12"},
		{"11 digits", "19121212121", refDay, "identity number has 11 digits; expected 10 or 12"},
		{"13 digits", "1912121212120", refDay, "identity number has 13 digits; expected 10 or 12"},
		{"9 digits with dash", "12121-2121", refDay, "identity number has 9 digits; expected 10 or 12"},
		{"too long", strings.Repeat("1", 40), refDay, "identity number is too long"},
		{"letter", "19121212-121A", refDay, "identity number contains an invalid character"},
		{"inner space", "121212 1212", refDay, "identity number contains an invalid character"},
		{"non-ASCII digit", "12121２-1212", refDay, "identity number contains an invalid character"},
		{"two separators", "121212--1212", refDay, "identity number has more than one separator"},
		{"misplaced separator", "12121-21212", refDay, "identity number has a misplaced separator"},
		{"misplaced separator 12", "191212-121212", refDay, "identity number has a misplaced separator"},
		{"leading separator", "-1212121212", refDay, "identity number has a misplaced separator"},
		{"plus with 12 digits, under 100", num12(t, "20121212", "+", "121"), refDay, "identity number has '+' but the person turns 100 after this year"},
		{"plus with 12 digits, turns 100 next year", num12(t, "19270101", "+", "123"), refDay, "identity number has '+' but the person turns 100 after this year"},
		{"birth number 000", num(t, "150916", "-", "000"), refDay, "identity number has birth number 000, which is never issued"},
		{"birth number 000, 12 digits", num12(t, "20150916", "", "000"), refDay, "identity number has birth number 000, which is never issued"},
		{"birth number 000, plus", num(t, "150916", "+", "000"), refDay, "identity number has birth number 000, which is never issued"},
		{"birth number 000, samordningsnummer", num(t, "150976", "-", "000"), refDay, "identity number has birth number 000, which is never issued"},
		{"dash, later this year", num(t, "261123", "-", "123"), refDay, "identity number's birth date is in the future; for someone who turns 100 this year, write '+' or the century"},
		{"no separator, later this year", num(t, "261231", "", "123"), refDay, "identity number's birth date is in the future; for someone who turns 100 this year, write '+' or the century"},
		{"century 17", num12(t, "17991231", "-", "123"), refDay, "identity number's century must be 18, 19 or 20"},
		{"century 00", num12(t, "00121212", "", "123"), refDay, "identity number's century must be 18, 19 or 20"},
		{"month 13", num(t, "121312", "-", "123"), refDay, "identity number has an invalid month (13)"},
		{"month 0", num(t, "120012", "-", "123"), refDay, "identity number has an invalid month (0)"},
		{"day 0", num(t, "120100", "-", "123"), refDay, "identity number has an invalid day (0)"},
		{"day 32", num(t, "120132", "-", "123"), refDay, "identity number has an invalid day (32)"},
		{"day 60", num(t, "120160", "-", "123"), refDay, "identity number has an invalid day (60)"},
		{"day 92", num(t, "120192", "-", "123"), refDay, "identity number has an invalid day (92)"},
		{"April 31", num(t, "120431", "-", "123"), refDay, "identity number has an invalid day (31)"},
		{"Feb 30", num(t, "120230", "-", "123"), refDay, "identity number has an invalid day (30)"},
		{"Feb 29 non-leap", num(t, "230229", "-", "123"), refDay, "identity number has an invalid day (29)"},
		{"Feb 29 1900", num12(t, "19000229", "-", "123"), refDay, "identity number has an invalid day (29)"},
		{"Feb 29 snr non-leap", num(t, "230289", "-", "123"), refDay, "identity number has an invalid day (89)"},
		{"Feb 29 2000 before it happened", num(t, "000229", "-", "123"), time.Date(2000, 2, 28, 0, 0, 0, 0, time.UTC), "identity number's birth date is in the future; for someone who turns 100 this year, write '+' or the century"},
		{"Feb 29 1900 with plus", num(t, "000229", "+", "123"), time.Date(2000, 3, 1, 0, 0, 0, 0, time.UTC), "identity number has an invalid day (29)"},
		{"check digit", "19121212-1213", refDay, "identity number has an invalid check digit"},
		{"check digit 10", "1212121211", refDay, "identity number has an invalid check digit"},
		{"check digit snr", "701063-2392", refDay, "identity number has an invalid check digit"},
		{"future 12", num12(t, "20261123", "-", "123"), refDay, "identity number's birth date is in the future"},
		{"future 12 far", num12(t, "21000101", "", "123"), refDay, "identity number's birth date is in the future"},
		{"future snr", num12(t, "20261183", "-", "123"), refDay, "identity number's birth date is in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseIdentityNumber(tt.in, tt.today)
			if err == nil {
				t.Fatalf("expected error, got %+v", id)
			}
			if id != (Identity{}) {
				t.Errorf("expected zero Identity on error, got %+v", id)
			}
			e, ok := err.(*trygg.Error)
			if !ok {
				t.Fatalf("error is %T, want *trygg.Error", err)
			}
			if e.Code != trygg.EInvalid {
				t.Errorf("code = %q, want %q", e.Code, trygg.EInvalid)
			}
			if e.Message != tt.msg {
				t.Errorf("message = %q, want %q", e.Message, tt.msg)
			}
			if digits := onlyDigits(tt.in); len(digits) >= 6 && strings.Contains(e.Message, digits[:6]) {
				t.Errorf("message %q echoes the input", e.Message)
			}
		})
	}
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mustParse(t *testing.T, s string) Identity {
	t.Helper()
	id, err := ParseIdentityNumber(s, refDay)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return id
}

func TestIdentityAccessors(t *testing.T) {
	tests := []struct {
		in     string
		str    string
		masked string
		sex    string
		birth  string
		age    int
	}{
		{"19121212-1212", "19121212-1212", "19121212-****", "M", "1912-12-12", 113},
		{"121212-1212", "20121212-1212", "20121212-****", "M", "2012-12-12", 13},
		{"811218-9876", "19811218-9876", "19811218-****", "M", "1981-12-18", 44},
		{"701063-2391", "19701063-2391", "19701063-****", "M", "1970-10-03", 56},
		{num(t, "261122", "-", "124"), "20261122-124" + testCheck(t, "261122124"), "20261122-****", "F", "2026-11-22", 0},
		{num(t, "261123", "+", "980"), "19261123-980" + testCheck(t, "261123980"), "19261123-****", "F", "1926-11-23", 99},
		{num(t, "611121", "-", "980"), "19611121-980" + testCheck(t, "611121980"), "19611121-****", "F", "1961-11-21", 65},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id := mustParse(t, tt.in)
			if got := id.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := id.Masked(); got != tt.masked {
				t.Errorf("Masked() = %q, want %q", got, tt.masked)
			}
			if got := id.Sex(); got != tt.sex {
				t.Errorf("Sex() = %q, want %q", got, tt.sex)
			}
			b, ok := id.BirthDate()
			if !ok || b.Format(time.DateOnly) != tt.birth || b.Location() != time.UTC {
				t.Errorf("BirthDate() = %v, %v; want %s", b, ok, tt.birth)
			}
			age, ok := id.Age(refDay)
			if !ok || age != tt.age {
				t.Errorf("Age() = %d, %v; want %d", age, ok, tt.age)
			}
		})
	}
}

func TestAge(t *testing.T) {
	leap := mustParse(t, num12(t, "20000229", "-", "123"))
	tests := []struct {
		name  string
		id    Identity
		today time.Time
		age   int
		ok    bool
	}{
		{"day before birthday", mustParse(t, "19121212-1212"), time.Date(2012, 12, 11, 23, 0, 0, 0, time.UTC), 99, true},
		{"on birthday", mustParse(t, "19121212-1212"), time.Date(2012, 12, 12, 0, 0, 0, 0, time.UTC), 100, true},
		{"leap day, Feb 28 non-leap", leap, time.Date(2021, 2, 28, 0, 0, 0, 0, time.UTC), 20, true},
		{"leap day, Mar 1 non-leap", leap, time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC), 21, true},
		{"leap day, Feb 29 leap", leap, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), 24, true},
		{"before birth", mustParse(t, "19121212-1212"), time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), 0, false},
		{"reserve without date", Identity{Type: IDReserve, Value: "T123", Issuer: "X"}, refDay, 0, false},
		{"reserve with date", Identity{Type: IDReserve, Value: "19800115K012", Issuer: "VGR"}, refDay, 46, true},
		{"zero identity", Identity{}, refDay, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			age, ok := tt.id.Age(tt.today)
			if age != tt.age || ok != tt.ok {
				t.Errorf("Age() = %d, %v; want %d, %v", age, ok, tt.age, tt.ok)
			}
		})
	}
}

func TestParseReserve(t *testing.T) {
	valid := []struct {
		name, value, issuer string
		want                Identity
	}{
		{"stockholm style", "991980123456", "Region Stockholm", Identity{IDReserve, "991980123456", "Region Stockholm"}},
		{"lower case and spaces", " 19800115 k012 ", " VGR ", Identity{IDReserve, "19800115K012", "VGR"}},
		{"temporary id", "19800115-t123", "Kommunen", Identity{IDReserve, "19800115-T123", "Kommunen"}},
		{"one char", "x", "I", Identity{IDReserve, "X", "I"}},
		{"20 chars", strings.Repeat("A", 20), "I", Identity{IDReserve, strings.Repeat("A", 20), "I"}},
		{"20 chars plus spaces", strings.Repeat("A ", 20), "I", Identity{IDReserve, strings.Repeat("A", 20), "I"}},
	}
	for _, tt := range valid {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseReserve(tt.value, tt.issuer)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if id != tt.want {
				t.Fatalf("got %+v, want %+v", id, tt.want)
			}
			if id.String() != tt.want.Value {
				t.Errorf("String() = %q", id.String())
			}
			if id.Sex() != "" {
				t.Errorf("Sex() = %q, want empty", id.Sex())
			}
		})
	}

	invalidCases := []struct {
		name, value, issuer, msg string
	}{
		{"no issuer", "ABC", "", "reserve number has no issuer"},
		{"blank issuer", "ABC", "  ", "reserve number has no issuer"},
		{"empty", "", "I", "reserve number is empty"},
		{"only spaces", "   ", "I", "reserve number is empty"},
		{"21 chars", strings.Repeat("1", 21), "I", "reserve number is longer than 20 characters"},
		{"underscore", "AB_C", "I", "reserve number contains an invalid character"},
		{"plus", "AB+C", "I", "reserve number contains an invalid character"},
		{"non-ASCII letter", "ÅBC", "I", "reserve number contains an invalid character"},
	}
	for _, tt := range invalidCases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseReserve(tt.value, tt.issuer)
			if trygg.ErrorCode(err) != trygg.EInvalid || trygg.ErrorMessage(err) != tt.msg {
				t.Fatalf("got %v, want invalid: %s", err, tt.msg)
			}
		})
	}
}

func TestReserveBirthDateAndMasked(t *testing.T) {
	tests := []struct {
		value  string
		birth  string // "" means none
		masked string
	}{
		{"19800115K012", "1980-01-15", "1980****"},
		{"20240229-T123", "2024-02-29", "2024****"},
		{"20230229-T123", "", "2023****"},
		{"19801315", "", "1980****"},
		{"991980123456", "", "9919****"}, // year 9919 is implausible
		{"1980011", "", "1980****"},
		{"T123", "", "****"},
		{"AB", "", "****"},
		{"ABCDE", "", "ABCD****"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			id, err := ParseReserve(tt.value, "Issuer")
			if err != nil {
				t.Fatal(err)
			}
			b, ok := id.BirthDate()
			got := ""
			if ok {
				got = b.Format(time.DateOnly)
			}
			if got != tt.birth {
				t.Errorf("BirthDate() = %q, want %q", got, tt.birth)
			}
			if m := id.Masked(); m != tt.masked {
				t.Errorf("Masked() = %q, want %q", m, tt.masked)
			}
		})
	}
}

func TestMalformedIdentityIsSafe(t *testing.T) {
	for _, id := range []Identity{
		{},
		{Type: IDPersonnummer, Value: "123"},
		{Type: IDSamordningsnummer, Value: "19121212121X"},
		{Type: "other", Value: "191212121212"},
	} {
		if _, ok := id.BirthDate(); ok {
			t.Errorf("%+v: BirthDate ok", id)
		}
		if s := id.Sex(); s != "" {
			t.Errorf("%+v: Sex = %q", id, s)
		}
		_ = id.String()
		_ = id.Masked()
	}
}

func TestGenerateTestNumber(t *testing.T) {
	births := []time.Time{
		time.Date(1912, 12, 12, 0, 0, 0, 0, time.UTC),
		time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(1985, 7, 31, 22, 30, 0, 0, time.FixedZone("CEST", 7200)),
		time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
	}
	for _, birth := range births {
		for _, sex := range []string{"M", "F"} {
			seen := map[string]bool{}
			for n := -12; n < 2*TestNumbersPerDay; n++ {
				g := GenerateTestNumber(birth, sex, n)
				if g.Type != IDPersonnummer || g.Issuer != "" {
					t.Fatalf("unexpected identity %+v", g)
				}
				id, err := ParseIdentityNumber(g.String(), refDay)
				if err != nil {
					t.Fatalf("birth %v sex %s n %d: generated number does not parse: %v", birth, sex, n, err)
				}
				if id != g {
					t.Fatalf("reparse: got %+v, want %+v", id, g)
				}
				if id.Sex() != sex {
					t.Errorf("Sex() = %q, want %q", id.Sex(), sex)
				}
				b, ok := id.BirthDate()
				y, m, d := birth.Date()
				if !ok || b != time.Date(y, m, d, 0, 0, 0, 0, time.UTC) {
					t.Errorf("BirthDate() = %v, want %v", b, birth)
				}
				if bn, _ := strconv.Atoi(g.Value[8:11]); bn < 900 || bn > 999 {
					t.Errorf("birth number %d outside 900–999", bn)
				}
				seen[g.Value] = true
			}
			if len(seen) != TestNumbersPerDay {
				t.Errorf("birth %v sex %s: %d distinct numbers, want %d", birth, sex, len(seen), TestNumbersPerDay)
			}
		}
	}
	if a, b := GenerateTestNumber(births[1], "M", 3), GenerateTestNumber(births[1], "M", 53); a != b {
		t.Errorf("n mod 50 not respected: %v vs %v", a, b)
	}
	if a, b := GenerateTestNumber(births[1], "F", -1), GenerateTestNumber(births[1], "F", 49); a != b {
		t.Errorf("negative n: %v vs %v", a, b)
	}
}
