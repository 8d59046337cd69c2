package calendar

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPeriodAfter(t *testing.T) {
	tests := []struct{ from, period, want string }{
		{"2026-03-02", "14d", "2026-03-16"},
		{"2026-03-02", "3w", "2026-03-23"},
		{"2026-01-15", "4m", "2026-05-15"},
		{"2025-10-31", "4m", "2026-02-28"}, // no 31 February: the last day
		{"2027-10-31", "4m", "2028-02-29"}, // leap year
		{"2026-01-31", "4m", "2026-05-31"},
		{"2026-11-30", "3m", "2027-02-28"},
		{"2026-12-15", "1m", "2027-01-15"},
		{"2026-05-05", "0d", "2026-05-05"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.period)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.After(date(tt.from)).Format("2006-01-02"); got != tt.want {
			t.Errorf("%s after %s = %s, want %s", tt.period, tt.from, got, tt.want)
		}
	}
}

func TestParsePeriodErrors(t *testing.T) {
	for _, s := range []string{"", "d", "14", "14x", "-3d", "1.5m", "9999d"} {
		if _, err := ParsePeriod(s); err == nil {
			t.Errorf("ParsePeriod(%q): want an error", s)
		}
	}
}

func TestHolidays(t *testing.T) {
	tests := []struct{ day, want string }{
		{"2026-01-01", "nyårsdagen"},
		{"2026-04-03", "långfredagen"},
		{"2026-04-05", "påskdagen"},
		{"2026-04-06", "annandag påsk"},
		{"2026-05-14", "Kristi himmelsfärds dag"},
		{"2026-05-24", "pingstdagen"},
		{"2026-06-20", "midsommardagen"},
		{"2026-10-31", "alla helgons dag"},
		{"2027-03-28", "påskdagen"},
		{"2027-11-06", "alla helgons dag"},
		{"2026-06-19", ""}, // Midsummer Eve: a day off, not a public holiday
		{"2026-03-16", ""},
	}
	for _, tt := range tests {
		if got := Holiday(date(tt.day)); got != tt.want {
			t.Errorf("Holiday(%s) = %q, want %q", tt.day, got, tt.want)
		}
	}
}

func TestNextWorkday(t *testing.T) {
	tests := []struct{ day, want string }{
		{"2026-03-16", "2026-03-16"}, // Monday
		{"2026-03-21", "2026-03-23"}, // Saturday
		{"2026-04-03", "2026-04-07"}, // Good Friday → after Easter Monday
		{"2026-06-19", "2026-06-22"}, // Midsummer Eve
		{"2026-12-24", "2026-12-28"}, // Christmas Eve, Christmas, Boxing Day, weekend
		{"2026-12-31", "2027-01-04"}, // New Year's Eve, New Year's Day, weekend
	}
	for _, tt := range tests {
		if got := NextWorkday(date(tt.day)).Format("2006-01-02"); got != tt.want {
			t.Errorf("NextWorkday(%s) = %s, want %s", tt.day, got, tt.want)
		}
	}
}

func TestSwedishDays(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC), "2026-03-03"}, // 00:30 in Sweden (CET)
		{time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC), "2026-07-02"}, // 00:30 in Sweden (CEST)
		{time.Date(2026, 7, 1, 21, 30, 0, 0, time.UTC), "2026-07-01"},
	}
	for _, tt := range tests {
		if got := Today(tt.at); got != tt.want {
			t.Errorf("Today(%s) = %s, want %s", tt.at, got, tt.want)
		}
		if got := Date(tt.at).Format("2006-01-02"); got != tt.want {
			t.Errorf("Date(%s) = %s, want %s", tt.at, got, tt.want)
		}
	}
	if got := StartOf(date("2026-01-15")).UTC(); !got.Equal(time.Date(2026, 1, 14, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("StartOf(2026-01-15) = %s, want 23:00 UTC the day before", got)
	}
}
