package legacy

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/calendar"
)

// The reasons the parsers give. They describe the form expected and
// never repeat the value, which may be personal data.
var (
	errDate    = errors.New("not a date: use 2019-03-04, 20190304, 190304, 4/3 2019 or 4.3.2019")
	errDay     = errors.New("not a day of the calendar")
	errYear    = errors.New("the year is not within 1800–2199")
	errTime    = errors.New("not a time: use 2019-03-04 13:45, 201903041345 or RFC 3339")
	errClock   = errors.New("not a time of day: use 13:45 or 13:45:07")
	errAmount  = errors.New("not an amount: use 1 234,50 or 1234.50 (kronor)")
	errAmbig   = errors.New("an amount with three digits after its only separator is ambiguous: write 1234,500 as 1 234,50 or 1234.50")
	errCents   = errors.New("an amount has at most two decimals")
	errTooBig  = errors.New("the amount is too large")
	errBool    = errors.New("not yes or no: use J/N, Ja/Nej, 1/0 or true/false")
	errInt     = errors.New("not a whole number")
	errNegInt  = errors.New("a negative number where none is allowed")
	errMissing = errors.New("missing")
	errPeriod  = errors.New("not a month: use 2019-03 or 201903")
)

// ParseDate reads a calendar day in the forms old Swedish systems write:
// 2019-03-04 (also 2019-3-4), 20190304, 190304, 4/3 2019, 4/3/2019,
// 4.3.2019, each optionally followed by a time of day (which is dropped).
// A six-digit date's century is the one that puts it at most 99 years
// before this year and not after it. "" gives "". The error says which
// forms are accepted and never repeats s.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	y, m, d, err := parseDay(s)
	if err != nil {
		datePart, clock, ok := splitDateTime(s)
		if !ok {
			return "", err
		}
		if _, _, _, cerr := parseClock(clock); cerr != nil {
			return "", err
		}
		if y, m, d, err = parseDay(datePart); err != nil {
			return "", err
		}
	}
	return Date(formatDay(y, m, d)), nil
}

// ParseTime reads a moment: RFC 3339 (any offset), or a date in a form
// ParseDate accepts followed by a time of day 13:45, 13:45:07 or 13.45
// (Swedish local time), or 201903041345 / 20190304134507 (Swedish local
// time), or a date alone (the start of the day in Sweden). It gives RFC
// 3339 in UTC, to the second. "" gives "". The error never repeats s.
func ParseTime(s string) (Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > 64 {
		return "", errTime
	}
	if hasOffset(s) {
		rfc := s
		if len(s) > 10 && s[10] == ' ' {
			rfc = s[:10] + "T" + s[11:]
		}
		if strings.HasSuffix(rfc, "z") {
			rfc = rfc[:len(rfc)-1] + "Z"
		}
		t, err := time.Parse(time.RFC3339Nano, rfc)
		if err != nil {
			return "", errTime
		}
		return formatMoment(t)
	}
	if isDigits(s) && (len(s) == 12 || len(s) == 14) {
		y, m, d, err := parseDay(s[:8])
		if err != nil {
			return "", err
		}
		hh, _ := strconv.Atoi(s[8:10])
		mm, _ := strconv.Atoi(s[10:12])
		ss := 0
		if len(s) == 14 {
			ss, _ = strconv.Atoi(s[12:14])
		}
		if hh > 23 || mm > 59 || ss > 59 {
			return "", errClock
		}
		return formatMoment(time.Date(y, time.Month(m), d, hh, mm, ss, 0, calendar.Sweden))
	}
	if y, m, d, err := parseDay(s); err == nil {
		return formatMoment(time.Date(y, time.Month(m), d, 0, 0, 0, 0, calendar.Sweden))
	} else if !strings.ContainsAny(s, " T") {
		return "", err
	}
	datePart, clock, ok := splitDateTime(s)
	if !ok {
		return "", errTime
	}
	y, m, d, err := parseDay(datePart)
	if err != nil {
		return "", err
	}
	hh, mm, ss, err := parseClock(clock)
	if err != nil {
		return "", err
	}
	return formatMoment(time.Date(y, time.Month(m), d, hh, mm, ss, 0, calendar.Sweden))
}

// hasOffset reports whether s ends in a zone: Z or ±hh:mm after a time
// of day, as RFC 3339 writes it.
func hasOffset(s string) bool {
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return true
	}
	n := len(s)
	return n > 16 && (s[n-6] == '+' || s[n-6] == '-') && s[n-3] == ':'
}

func formatMoment(t time.Time) (Time, error) {
	t = t.UTC()
	if t.Year() < minYear || t.Year() > maxYear {
		return "", errYear
	}
	return Time(t.Format(time.RFC3339)), nil
}

// ParseOre reads an amount of kronor: "1 234,50", "1234.50", "1234",
// "-50", "1.234,50", "1,234.50", "1 234:-", "1234 kr". Spaces (also
// no-break and thin spaces) and apostrophes group thousands; a comma or a
// point is the decimal separator, with at most two decimals; when both
// appear, the last is the decimal separator. One separator followed by
// exactly three digits is refused as ambiguous. "" gives 0. The error
// never repeats s.
func ParseOre(s string) (Ore, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if len(s) > 64 {
		return 0, errAmount
	}
	for _, suffix := range []string{":-", "kr", "KR", "Kr", "SEK", "sek"} {
		if strings.HasSuffix(s, suffix) {
			s = strings.TrimSpace(strings.TrimSuffix(s, suffix))
			break
		}
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "−"): // U+2212 minus sign
		neg, s = true, s[len("−"):]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	// Digits and separators only; spaces and apostrophes group thousands.
	var b strings.Builder
	commas, points := 0, 0
	lastComma, lastPoint := -1, -1
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'':
			// grouping
		case r == ',':
			commas++
			lastComma = b.Len()
			b.WriteRune(r)
		case r == '.':
			points++
			lastPoint = b.Len()
			b.WriteRune(r)
		default:
			return 0, errAmount
		}
	}
	t := b.String()
	dec := -1        // index of the decimal separator in t
	grouped := false // the integer part has thousands separators
	switch {
	case commas > 0 && points > 0:
		dec = max(lastComma, lastPoint)
		if strings.Count(t, string(t[dec])) != 1 {
			return 0, errAmount
		}
		grouped = true
	case commas == 1 || points == 1:
		dec = max(lastComma, lastPoint)
		if len(t)-dec-1 == 3 {
			return 0, errAmbig
		}
	case commas > 1 || points > 1:
		grouped = true
	}
	intPart, frac := t, ""
	if dec >= 0 {
		intPart, frac = t[:dec], t[dec+1:]
	}
	if grouped && !groupedThousands(intPart) {
		return 0, errAmount
	}
	intPart = strings.NewReplacer(",", "", ".", "").Replace(intPart)
	if intPart == "" || !isDigits(intPart) || (frac != "" && !isDigits(frac)) {
		return 0, errAmount
	}
	if dec >= 0 && frac == "" {
		return 0, errAmount
	}
	if len(frac) > 2 {
		return 0, errCents
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 13 {
		return 0, errTooBig
	}
	kr, _ := strconv.ParseInt("0"+intPart, 10, 64)
	ore := kr * 100
	if len(frac) >= 1 {
		ore += int64(frac[0]-'0') * 10
	}
	if len(frac) == 2 {
		ore += int64(frac[1] - '0')
	}
	if neg {
		ore = -ore
	}
	return Ore(ore), nil
}

// groupedThousands reports whether s (digits and one kind of separator)
// has its separators every three digits from the right.
func groupedThousands(s string) bool {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '.' })
	if len(parts) == 0 || strings.Count(s, ",")+strings.Count(s, ".") != len(parts)-1 {
		return false
	}
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

// ParsePeriod reads a month: 2019-03, 2019-3, 201903 or 2019/03, and
// gives YYYY-MM. "" gives "". The error never repeats s.
func ParsePeriod(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var ys, ms string
	switch {
	case len(s) == 6 && isDigits(s):
		ys, ms = s[:4], s[4:]
	case strings.Count(s, "-") == 1:
		ys, ms, _ = strings.Cut(s, "-")
	case strings.Count(s, "/") == 1:
		ys, ms, _ = strings.Cut(s, "/")
	default:
		return "", errPeriod
	}
	if len(ys) != 4 || !isDigits(ys) || len(ms) < 1 || len(ms) > 2 || !isDigits(ms) {
		return "", errPeriod
	}
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	if y < minYear || y > maxYear {
		return "", errYear
	}
	if m < 1 || m > 12 {
		return "", errPeriod
	}
	return formatDay(y, m, 1)[:7], nil
}

// ParseBool reads yes or no: J/N, Ja/Nej, 1/0, true/false, in any case.
// "" gives false. The error never repeats s.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "j", "ja", "1", "true", "y", "yes":
		return true, nil
	case "", "n", "nej", "0", "false", "no":
		return false, nil
	}
	return false, errBool
}

// String returns the amount in kronor with a decimal comma and two
// decimals, "1234,50", the form the writer uses.
func (o Ore) String() string {
	return o.format(',')
}

func (o Ore) format(sep byte) string {
	n := int64(o)
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	if n < 0 { // math.MinInt64
		return "-92233720368547758" + string(sep) + "08"
	}
	frac := strconv.FormatInt(n%100, 10)
	if len(frac) == 1 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(n/100, 10) + string(sep) + frac
}

// MarshalJSON writes the amount as a JSON number of kronor, 1234.50.
func (o Ore) MarshalJSON() ([]byte, error) { return []byte(o.format('.')), nil }

// UnmarshalJSON reads a JSON number of kronor or a string in a form
// ParseOre accepts; the error never repeats the value.
func (o *Ore) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var err error
		if s, err = strconv.Unquote(s); err != nil {
			return errAmount
		}
	}
	v, err := ParseOre(s)
	if err != nil {
		return err
	}
	*o = v
	return nil
}

const (
	minYear = 1800
	maxYear = 2199
)

// parseDay reads the date forms of ParseDate without a time of day.
func parseDay(s string) (y, m, d int, err error) {
	switch {
	case isDigits(s) && len(s) == 8:
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[4:6])
		d, _ = strconv.Atoi(s[6:8])
	case isDigits(s) && len(s) == 6:
		yy, _ := strconv.Atoi(s[:2])
		m, _ = strconv.Atoi(s[2:4])
		d, _ = strconv.Atoi(s[4:6])
		now := time.Now().In(calendar.Sweden).Year()
		y = now - (now%100-yy+100)%100
	case strings.Count(s, "-") == 2:
		p := strings.Split(s, "-")
		if len(p[0]) != 4 {
			return 0, 0, 0, errDate
		}
		if y, m, d, err = atoi3(p[0], p[1], p[2], 4, 2, 2); err != nil {
			return 0, 0, 0, err
		}
	case strings.Count(s, ".") == 2:
		p := strings.Split(s, ".")
		if d, m, y, err = atoi3(p[0], p[1], p[2], 2, 2, 4); err != nil || len(p[2]) != 4 {
			return 0, 0, 0, errDate
		}
	case strings.Count(s, "/") == 2:
		p := strings.Split(s, "/")
		if d, m, y, err = atoi3(p[0], p[1], p[2], 2, 2, 4); err != nil || len(p[2]) != 4 {
			return 0, 0, 0, errDate
		}
	case strings.Count(s, "/") == 1 && strings.Count(s, " ") == 1:
		i, j := strings.IndexByte(s, '/'), strings.IndexByte(s, ' ')
		if j < i {
			return 0, 0, 0, errDate
		}
		if d, m, y, err = atoi3(s[:i], s[i+1:j], s[j+1:], 2, 2, 4); err != nil || len(s[j+1:]) != 4 {
			return 0, 0, 0, errDate
		}
	default:
		return 0, 0, 0, errDate
	}
	if y < minYear || y > maxYear {
		return 0, 0, 0, errYear
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, 0, errDay
	}
	return y, m, d, nil
}

// atoi3 reads three numbers of 1 to the given number of digits.
func atoi3(a, b, c string, na, nb, nc int) (int, int, int, error) {
	var out [3]int
	for i, p := range [3]struct {
		s string
		n int
	}{{a, na}, {b, nb}, {c, nc}} {
		if p.s == "" || len(p.s) > p.n || !isDigits(p.s) {
			return 0, 0, 0, errDate
		}
		out[i], _ = strconv.Atoi(p.s)
	}
	return out[0], out[1], out[2], nil
}

// splitDateTime splits "date time" or "dateTtime" at the last space or
// the T.
func splitDateTime(s string) (date, clock string, ok bool) {
	if i := strings.IndexByte(s, 'T'); i > 0 {
		return s[:i], s[i+1:], true
	}
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		return strings.TrimSpace(s[:i]), s[i+1:], true
	}
	return "", "", false
}

// parseClock reads 13:45, 13:45:07, 13.45 or 13.45.07; seconds may have
// a fraction, which is dropped.
func parseClock(s string) (hh, mm, ss int, err error) {
	sep := ":"
	if !strings.Contains(s, ":") {
		sep = "."
	}
	p := strings.Split(s, sep)
	if len(p) < 2 || len(p) > 3 {
		return 0, 0, 0, errClock
	}
	if len(p) == 3 {
		if i := strings.IndexAny(p[2], ".,"); i >= 0 && sep == ":" {
			if !isDigits(p[2][i+1:]) || p[2][i+1:] == "" {
				return 0, 0, 0, errClock
			}
			p[2] = p[2][:i]
		}
	}
	var v [3]int
	for i, q := range p {
		if len(q) < 1 || len(q) > 2 || !isDigits(q) || (i > 0 && len(q) != 2) {
			return 0, 0, 0, errClock
		}
		v[i], _ = strconv.Atoi(q)
	}
	if v[0] > 23 || v[1] > 59 || v[2] > 59 {
		return 0, 0, 0, errClock
	}
	return v[0], v[1], v[2], nil
}

func formatDay(y, m, d int) string {
	b := make([]byte, 0, 10)
	b = strconv.AppendInt(b, int64(y), 10)
	b = append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	return string(b)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
