package process

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/trygg/trygg/internal/trygg"
)

// Amount periods: what a decision's amount is counted over.
const (
	PerDay   = "day"
	PerWeek  = "week"
	PerMonth = "month"
	PerYear  = "year"
)

// Measure is what a decision's amount counts and over what period: Unit
// is UnitMoney (stored in öre), UnitHours (stored in hundredths of an
// hour) or UnitCount (a whole number); Period is "" or one of the
// Per constants. Amounts are stored as whole numbers in the unit's
// smallest part; people type and read them in the unit itself ("40,5
// timmar per månad", "12 345 kr"), through Format, Input and Parse, the
// one place that turns one into the other.
type Measure struct {
	Unit   string `json:"unit"`
	Period string `json:"period,omitempty"`
}

// Measure returns what decisions of the case type count and over what
// period: amount_unit (count when left out) and amount_period.
func (d *Decisions) Measure() Measure {
	if d == nil {
		return Measure{Unit: UnitCount}
	}
	m := Measure{Unit: d.AmountUnit.Value, Period: d.AmountPeriod.Value}
	if m.Unit == "" {
		m.Unit = UnitCount
	}
	return m
}

// OrderMeasure is what an order's extent counts: its amount unit, hours
// counted per month (the extent orders plan and follow up by month).
func OrderMeasure(unit string) Measure {
	m := Measure{Unit: unit}
	if m.Unit == "" {
		m.Unit = UnitCount
	}
	if m.Unit == UnitHours {
		m.Period = PerMonth
	}
	return m
}

// scale is how many stored parts make one of the unit (öre in a krona,
// hundredths in an hour), and decimals how many decimals may be typed.
func (m Measure) scale() (scale int64, decimals int) {
	switch m.Unit {
	case UnitMoney, UnitHours:
		return 100, 2
	}
	return 1, 0
}

// Number writes n (stored parts) as a number of the unit, the Swedish
// way: a space between thousands and a decimal comma, decimals only when
// there are any (4050 hundredths: "40,5"; 1234500 öre: "12 345").
func (m Measure) Number(n int64) string {
	scale, decimals := m.scale()
	sign := ""
	if n < 0 {
		sign, n = "−", -n
	}
	whole := strconv.FormatInt(n/scale, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteRune(' ')
		}
		b.WriteRune(r)
	}
	if rest := n % scale; rest != 0 && decimals > 0 {
		frac := strconv.FormatInt(rest+scale, 10)[1:] // zero-padded
		if m.Unit != UnitMoney {
			frac = strings.TrimRight(frac, "0")
		}
		b.WriteString("," + frac)
	}
	return b.String()
}

// Format writes the amount n (stored parts) in the words people use, in
// lang (Swedish unless "en"), numbers the Swedish way: "40 timmar per
// månad", "1 timme", "12 345 kr", "12 345,50 kr", "3 st".
func (m Measure) Format(n int64, lang string) string {
	num := m.Number(n)
	var s string
	switch m.Unit {
	case UnitMoney:
		s = newNote("amount.money", "Number", num).in(lang)
	case UnitHours:
		if n == 100 {
			s = newNote("amount.hours.one", "Number", num).in(lang)
		} else {
			s = newNote("amount.hours.other", "Number", num).in(lang)
		}
	default:
		s = newNote("amount.count", "Number", num).in(lang)
	}
	if p := m.periodNote(); p.id != "" {
		s = newNote("amount.per", "Amount", s, "Period", p).in(lang)
	}
	return s
}

// Label names what the amount is typed in, in lang: "timmar per månad",
// "kronor", "antal".
func (m Measure) Label(lang string) string {
	var s string
	switch m.Unit {
	case UnitMoney:
		s = newNote("amount.label.money").in(lang)
	case UnitHours:
		s = newNote("amount.label.hours").in(lang)
	default:
		s = newNote("amount.label.count").in(lang)
	}
	if p := m.periodNote(); p.id != "" {
		s = newNote("amount.per", "Amount", s, "Period", p).in(lang)
	}
	return s
}

func (m Measure) periodNote() note {
	switch m.Period {
	case PerDay:
		return newNote("amount.period.day")
	case PerWeek:
		return newNote("amount.period.week")
	case PerMonth:
		return newNote("amount.period.month")
	case PerYear:
		return newNote("amount.period.year")
	}
	return note{}
}

// Input writes n (stored parts) as an amount input shows it: the number
// alone, as Number writes it ("" for none).
func (m Measure) Input(n int64) string {
	if n == 0 {
		return ""
	}
	return m.Number(n)
}

// unitWords are what people write after a number of the unit; Parse
// takes them away. Longer words first, so "timmar" is not read as "t".
var unitWords = map[string][]string{
	UnitMoney: {"kronor", "sek", "kr", ":-"},
	UnitHours: {"timmar", "timme", "hours", "hour", "tim", "h", "t"},
	UnitCount: {"stycken", "st"},
}

// periodWords are what people write for a period after the amount.
var periodWords = map[string][]string{
	PerDay:   {"per dag", "om dagen", "/dag", "per day", "a day", "/d"},
	PerWeek:  {"per vecka", "i veckan", "/vecka", "/v", "per week", "a week"},
	PerMonth: {"per månad", "i månaden", "/månad", "/mån", "per month", "a month"},
	PerYear:  {"per år", "om året", "/år", "per year", "a year"},
}

// Parse reads an amount as people type it, in the unit: "40", "40,5",
// "40.5 timmar", "12 345", "12345 kr", "12 345,50 kr", optionally followed
// by the period ("40 timmar per månad"); spaces between thousands may be
// any kind of space. Nothing typed is 0. It returns the amount in stored
// parts (öre, hundredths of an hour), or an invalid error for the field
// "amount" saying what to write.
func (m Measure) Parse(s string) (int64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, nil
	}
	for _, w := range periodWords[m.Period] {
		if rest, ok := strings.CutSuffix(s, w); ok {
			s = strings.TrimSpace(rest)
			break
		}
	}
	for _, w := range unitWords[m.Unit] {
		if rest, ok := strings.CutSuffix(s, w); ok {
			s = strings.TrimSpace(rest)
			break
		}
	}
	scale, decimals := m.scale()
	whole, frac, hasFrac := strings.Cut(s, ",")
	if !hasFrac {
		whole, frac, hasFrac = strings.Cut(s, ".")
	}
	digits := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u202f' || r == '\u2009' {
			return -1
		}
		return r
	}, whole)
	ok := digits != "" && len(digits) <= 13 && allDigits(digits) && (!hasFrac || (frac != "" && len(frac) <= decimals && allDigits(frac)))
	// Spaces only between groups of three ("12 345", not "1 2345").
	if ok {
		groups := strings.FieldsFunc(whole, func(r rune) bool { return unicode.IsSpace(r) || r == '\u202f' || r == '\u2009' })
		for i, g := range groups {
			if i > 0 && len(g) != 3 {
				ok = false
			}
		}
	}
	if !ok {
		return 0, m.invalid()
	}
	n, _ := strconv.ParseInt(digits, 10, 64)
	n *= scale
	if hasFrac {
		f, _ := strconv.ParseInt((frac + "00")[:decimals], 10, 64)
		n += f
	}
	return n, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// invalid is the error of an amount that does not parse, saying what to
// write in the unit.
func (m Measure) invalid() error {
	msg := "Write a whole number, such as 3."
	switch m.Unit {
	case UnitMoney:
		msg = "Write an amount in kronor, such as 12 345 or 12 345,50."
	case UnitHours:
		msg = "Write a number of hours, such as 40 or 40,5."
	}
	return trygg.Invalid("The amount is not a number.", map[string]string{"amount": msg})
}
