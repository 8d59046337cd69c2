// Package calendar computes statutory periods the Swedish way: lag
// (1930:173) om beräkning av lagstadgad tid for periods in days, weeks and
// months, and the public holidays of lag (1989:253), so a deadline falling
// on a weekend or holiday can move to the next weekday.
package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Stockholm without relying on the host's zoneinfo
)

// Sweden is the time zone days are counted in: a deadline's day starts at
// midnight in Sweden, not in UTC.
var Sweden = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic("calendar: " + err.Error())
	}
	return loc
}()

// Date returns the Swedish calendar day of t, as a date at 00:00 UTC (the
// form Period and the holiday functions work on).
func Date(t time.Time) time.Time {
	y, m, d := t.In(Sweden).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// StartOf returns the moment day (a date) begins in Sweden.
func StartOf(day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Sweden)
}

// Today returns the Swedish date of t as YYYY-MM-DD.
func Today(t time.Time) string { return t.In(Sweden).Format("2006-01-02") }

// Period is a length of time as a law or a process definition writes it:
// a number of days, weeks or months.
type Period struct {
	N    int
	Unit byte // 'd', 'w' or 'm'
}

// ParsePeriod reads "14d", "3w" or "4m". It returns an error naming what
// is wrong.
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return Period{}, fmt.Errorf("a period is a number and a unit, like 14d, 3w or 4m")
	}
	unit := s[len(s)-1]
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 || n > 1200 {
		return Period{}, fmt.Errorf("%q is not a period: use a whole number 0–1200 and a unit, like 14d, 3w or 4m", s)
	}
	switch unit {
	case 'd', 'w', 'm':
		return Period{N: n, Unit: unit}, nil
	}
	return Period{}, fmt.Errorf("%q has an unknown unit: use d (days), w (weeks) or m (months)", s)
}

func (p Period) String() string { return strconv.Itoa(p.N) + string(p.Unit) }

// After returns the day a period started on from ends on. Weeks end on the
// same weekday; months on the same day number, or the month's last day if
// it has no such day (4 months from 31 October ends on the last day of
// February). Only the date of from counts.
func (p Period) After(from time.Time) time.Time {
	y, m, d := from.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch p.Unit {
	case 'd':
		return day.AddDate(0, 0, p.N)
	case 'w':
		return day.AddDate(0, 0, 7*p.N)
	}
	first := time.Date(y, m+time.Month(p.N), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}

// Before returns the day p before day (for warnings ahead of a deadline).
func (p Period) Before(day time.Time) time.Time {
	switch p.Unit {
	case 'd':
		return day.AddDate(0, 0, -p.N)
	case 'w':
		return day.AddDate(0, 0, -7*p.N)
	}
	y, m, d := day.Date()
	first := time.Date(y, m-time.Month(p.N), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}

// easter returns Easter Sunday of year (the Gregorian computus).
func easter(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// saturdayBetween returns the Saturday in [day, day+6] of month in year.
func saturdayBetween(year int, month time.Month, day int) time.Time {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	for t.Weekday() != time.Saturday {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// Holiday returns the name of the public holiday on day (lag 1989:253), or
// "" if it is none. Midsummer Eve, Christmas Eve and New Year's Eve are not
// public holidays but count as such for deadlines; see DayOff.
func Holiday(day time.Time) string {
	y, m, d := day.Date()
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	e := easter(y)
	fixed := map[[2]int]string{{1, 1}: "nyårsdagen", {1, 6}: "trettondedag jul", {5, 1}: "första maj",
		{6, 6}: "Sveriges nationaldag", {12, 25}: "juldagen", {12, 26}: "annandag jul"}
	if n, ok := fixed[[2]int{int(m), d}]; ok {
		return n
	}
	switch date {
	case e.AddDate(0, 0, -2):
		return "långfredagen"
	case e:
		return "påskdagen"
	case e.AddDate(0, 0, 1):
		return "annandag påsk"
	case e.AddDate(0, 0, 39):
		return "Kristi himmelsfärds dag"
	case e.AddDate(0, 0, 49):
		return "pingstdagen"
	case saturdayBetween(y, time.June, 20):
		return "midsommardagen"
	case saturdayBetween(y, time.October, 31):
		return "alla helgons dag"
	}
	return ""
}

// DayOff reports whether an action due on day may be taken the next
// weekday instead: Saturdays, Sundays, public holidays, Midsummer Eve,
// Christmas Eve and New Year's Eve.
func DayOff(day time.Time) bool {
	switch day.Weekday() {
	case time.Saturday, time.Sunday:
		return true
	}
	y, m, d := day.Date()
	if (m == time.December && (d == 24 || d == 31)) || Holiday(day) != "" {
		return true
	}
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return date == saturdayBetween(y, time.June, 20).AddDate(0, 0, -1) // Midsummer Eve
}

// NextWorkday returns day, or the first day after it that is not a day off.
func NextWorkday(day time.Time) time.Time {
	for DayOff(day) {
		day = day.AddDate(0, 0, 1)
	}
	return day
}
