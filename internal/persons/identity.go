package persons

import (
	"strings"
	"time"
	"unicode"

	"github.com/trygg/trygg/internal/trygg"
)

// IDType is the kind of identity: personnummer, samordningsnummer
// (coordination number) or reserve (reservnummer, for unidentified persons).
type IDType string

// The identity types.
const (
	IDPersonnummer      IDType = "personnummer"
	IDSamordningsnummer IDType = "samordningsnummer"
	IDReserve           IDType = "reserve"
)

// Identity is type + value + issuer. Value for personnummer and
// samordningsnummer is always the 12-digit form YYYYMMDDNNNC without
// separator. Issuer is "" for those, and the issuing organisation for
// reserve numbers.
type Identity struct {
	Type   IDType
	Value  string
	Issuer string
}

// maxIdentityLen bounds the trimmed input of ParseIdentityNumber; anything
// longer cannot be a valid number and is rejected before further work.
const maxIdentityLen = 32

// minBirthYear and maxBirthYear bound the birth year: Skatteverket's
// century digits are 18, 19 or 20.
const (
	minBirthYear = 1800
	maxBirthYear = 2099
)

// maxReserveLen is the longest accepted reserve number.
const maxReserveLen = 20

// invalid returns an EInvalid error. Messages must never contain the number.
func invalid(format string, args ...any) error {
	return trygg.Errorf(trygg.EInvalid, format, args...)
}

// ParseIdentityNumber parses a personnummer or samordningsnummer in any
// accepted form: 10 digits (YYMMDDNNNC), 10 with '-' or '+' separator
// (YYMMDD-NNNC, YYMMDD+NNNC), 12 digits (YYYYMMDDNNNC), or 12 with '-' or
// '+' (YYYYMMDD-NNNC, YYYYMMDD+NNNC). Surrounding whitespace is ignored;
// nothing else is accepted. The rules are Skatteverket's (folkbokföringslagen
// 18 and 18 a §§); docs/identity-numbers.md explains them.
//
// The separator is '-' until the year the person turns 100 and '+' from
// that year on. So in a 10-digit form, '-' or no separator puts the birth
// year within the 99 years before today's year or in it (a date later this
// year is in the future, not a centenarian's), and '+' puts it 100 years
// further back. In a 12-digit form the century is written out; '+' is
// accepted only when it agrees (the person turns 100 this year or did
// before), '-' always. The century must be 18, 19 or 20. Day 61–91 means
// samordningsnummer (day + 60). The month, the day (leap years included),
// the birth date (not after today), the birth number (001–999, never 000)
// and the Luhn check digit are validated; today's calendar date is taken
// in its own location. Errors are *trygg.Error with code EInvalid and a
// message that never contains the input.
func ParseIdentityNumber(s string, today time.Time) (Identity, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Identity{}, invalid("identity number is empty")
	}
	if len(s) > maxIdentityLen {
		return Identity{}, invalid("identity number is too long")
	}

	var digits []byte
	sepPos := -1
	var sep byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == '-' || c == '+':
			if sepPos >= 0 {
				return Identity{}, invalid("identity number has more than one separator")
			}
			sepPos, sep = i, c
		default:
			return Identity{}, invalid("identity number contains an invalid character")
		}
	}
	n := len(digits)
	if n != 10 && n != 12 {
		return Identity{}, invalid("identity number has %d digits; expected 10 or 12", n)
	}
	if sepPos >= 0 && sepPos != n-4 {
		return Identity{}, invalid("identity number has a misplaced separator")
	}

	// d10 is the 10-digit form YYMMDDNNNC.
	d10 := digits[n-10:]
	month := atoi(d10[2:4])
	day := atoi(d10[4:6])
	if month < 1 || month > 12 {
		return Identity{}, invalid("identity number has an invalid month (%d)", month)
	}
	typ := IDPersonnummer
	if day > 60 {
		typ = IDSamordningsnummer
		day -= 60
	}
	if day < 1 || day > 31 {
		return Identity{}, invalid("identity number has an invalid day (%d)", atoi(d10[4:6]))
	}

	ty, tm, td := today.Date()
	var year int
	if n == 12 {
		year = atoi(digits[:4])
	} else {
		// The year ending in YY within ty-99..ty: the person turns 100
		// after this year, as '-' says.
		year = ty - ((ty-atoi(d10[0:2]))%100+100)%100
		if sep == '+' {
			year -= 100
		}
		if year < minBirthYear {
			return Identity{}, invalid("identity number's birth year is out of range")
		}
	}
	if day > daysIn(year, month) {
		return Identity{}, invalid("identity number has an invalid day (%d)", atoi(d10[4:6]))
	}
	if dateAfter(year, month, day, ty, int(tm), td) {
		if n == 10 {
			// Only a date later this year: that person would be born
			// this year, or turn 100 this year and be written with '+'.
			return Identity{}, invalid("identity number's birth date is in the future; for someone who turns 100 this year, write '+' or the century")
		}
		return Identity{}, invalid("identity number's birth date is in the future")
	}
	if year < minBirthYear || year > maxBirthYear {
		return Identity{}, invalid("identity number's century must be 18, 19 or 20")
	}
	if sep == '+' && year > ty-100 {
		return Identity{}, invalid("identity number has '+' but the person turns 100 after this year")
	}
	if string(d10[6:9]) == "000" {
		return Identity{}, invalid("identity number has birth number 000, which is never issued")
	}
	if luhn(d10[:9]) != d10[9]-'0' {
		return Identity{}, invalid("identity number has an invalid check digit")
	}

	v := make([]byte, 0, 12)
	v = appendYear(v, year)
	v = append(v, d10[2:]...)
	return Identity{Type: typ, Value: string(v)}, nil
}

// ParseReserve validates a reserve number: the issuer must be non-empty and
// the value 1–20 characters of digits, ASCII letters and '-' once spaces are
// removed. The value is normalised to upper case without spaces; the issuer
// is trimmed.
func ParseReserve(value, issuer string) (Identity, error) {
	issuer = strings.TrimSpace(issuer)
	if issuer == "" {
		return Identity{}, invalid("reserve number has no issuer")
	}
	var b strings.Builder
	for _, r := range value {
		switch {
		case unicode.IsSpace(r):
			continue
		case r >= '0' && r <= '9', r == '-', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			return Identity{}, invalid("reserve number contains an invalid character")
		}
		if b.Len() > maxReserveLen {
			return Identity{}, invalid("reserve number is longer than %d characters", maxReserveLen)
		}
	}
	if b.Len() == 0 {
		return Identity{}, invalid("reserve number is empty")
	}
	return Identity{Type: IDReserve, Value: b.String(), Issuer: issuer}, nil
}

// BirthDate returns the birth date (UTC midnight). For a samordningsnummer
// the day is the number's day minus 60. For a reserve number it is the date
// the value starts with, if it starts with a valid YYYYMMDD whose year is in
// 1800–2999; otherwise, and for malformed values, ok is false.
func (id Identity) BirthDate() (time.Time, bool) {
	switch id.Type {
	case IDPersonnummer, IDSamordningsnummer:
		if !isDigits(id.Value, 12) {
			return time.Time{}, false
		}
		day := atoi([]byte(id.Value[6:8]))
		if id.Type == IDSamordningsnummer {
			day -= 60
		}
		return civilDate(atoi([]byte(id.Value[:4])), atoi([]byte(id.Value[4:6])), day)
	case IDReserve:
		if len(id.Value) < 8 || !isDigits(id.Value[:8], 8) {
			return time.Time{}, false
		}
		year := atoi([]byte(id.Value[:4]))
		if year < 1800 || year > 2999 {
			return time.Time{}, false
		}
		return civilDate(year, atoi([]byte(id.Value[4:6])), atoi([]byte(id.Value[6:8])))
	}
	return time.Time{}, false
}

// Sex returns "M" if the third digit of the birth number is odd, "F" if it
// is even, and "" for reserve numbers and malformed values.
func (id Identity) Sex() string {
	if (id.Type != IDPersonnummer && id.Type != IDSamordningsnummer) || !isDigits(id.Value, 12) {
		return ""
	}
	if (id.Value[10]-'0')%2 == 1 {
		return "M"
	}
	return "F"
}

// Age returns the age in whole years on today's date. ok is false when the
// birth date is unknown or after today. A person born on 29 February turns
// a year older on 1 March in non-leap years.
func (id Identity) Age(today time.Time) (int, bool) {
	b, ok := id.BirthDate()
	if !ok {
		return 0, false
	}
	ty, tm, td := today.Date()
	by, bm, bd := b.Date()
	if dateAfter(by, int(bm), bd, ty, int(tm), td) {
		return 0, false
	}
	age := ty - by
	if tm < bm || (tm == bm && td < bd) {
		age--
	}
	return age, true
}

// String returns "YYYYMMDD-NNNC" for a personnummer or samordningsnummer and
// the value for a reserve number.
func (id Identity) String() string {
	if (id.Type == IDPersonnummer || id.Type == IDSamordningsnummer) && len(id.Value) == 12 {
		return id.Value[:8] + "-" + id.Value[8:]
	}
	return id.Value
}

// Masked returns the number with the birth number hidden, "YYYYMMDD-****",
// for lists. For a reserve number it is the first 4 characters + "****";
// values of 4 characters or fewer are hidden entirely ("****").
func (id Identity) Masked() string {
	if (id.Type == IDPersonnummer || id.Type == IDSamordningsnummer) && len(id.Value) == 12 {
		return id.Value[:8] + "-****"
	}
	if len(id.Value) <= 4 {
		return "****"
	}
	return id.Value[:4] + "****"
}

// TestNumbersPerDay is how many numbers GenerateTestNumber can give per
// birth date and sex.
const TestNumbersPerDay = 50

// GenerateTestNumber returns a valid personnummer Identity for the birth
// date and sex ("M" gives a male number, anything else a female one), with a
// birth number in 900–999: 50 candidates of each parity per day, enough for
// a synthetic city of several million. n selects among them (n mod 50;
// negative n is allowed). The numbers are valid, not reserved: synthetic
// data made with them must never be mixed with real registers. The birth
// year must be within 0–9999; ParseIdentityNumber accepts only 1800–2099.
// Used by the demo generator.
func GenerateTestNumber(birth time.Time, sex string, n int) Identity {
	y, m, d := birth.Date()
	first := 900 // even: female
	if strings.EqualFold(sex, "M") {
		first = 901
	}
	k := n % TestNumbersPerDay
	if k < 0 {
		k += TestNumbersPerDay
	}
	bn := first + 2*k

	v := make([]byte, 0, 12)
	v = appendYear(v, y)
	v = append(v, byte('0'+int(m)/10), byte('0'+int(m)%10), byte('0'+d/10), byte('0'+d%10))
	v = append(v, byte('0'+bn/100), byte('0'+bn/10%10), byte('0'+bn%10))
	v = append(v, '0'+luhn(v[2:11]))
	return Identity{Type: IDPersonnummer, Value: string(v)}
}

// luhn returns the check digit for the ASCII digits b with weights 2,1,2,…
// from the left, as used for personnummer (b is YYMMDDNNN).
func luhn(b []byte) byte {
	sum := 0
	for i, c := range b {
		p := int(c - '0')
		if i%2 == 0 {
			p *= 2
			if p > 9 {
				p -= 9
			}
		}
		sum += p
	}
	return byte((10 - sum%10) % 10)
}

// atoi converts ASCII digits (already validated) to an int.
func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

// isDigits reports whether s is exactly n ASCII digits.
func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendYear appends year as four digits (0 ≤ year ≤ 9999).
func appendYear(b []byte, year int) []byte {
	return append(b, byte('0'+year/1000%10), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10))
}

// isLeap reports whether year is a leap year in the Gregorian calendar.
func isLeap(year int) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}

// daysIn returns the number of days in month (1–12) of year.
func daysIn(year, month int) int {
	switch month {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dateAfter reports whether the date y1-m1-d1 is after y2-m2-d2.
func dateAfter(y1, m1, d1, y2, m2, d2 int) bool {
	if y1 != y2 {
		return y1 > y2
	}
	if m1 != m2 {
		return m1 > m2
	}
	return d1 > d2
}

// civilDate returns the date at UTC midnight if it exists.
func civilDate(year, month, day int) (time.Time, bool) {
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), true
}
