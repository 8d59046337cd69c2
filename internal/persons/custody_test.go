package persons

import (
	"testing"
	"time"
)

func TestCustodyLastDay(t *testing.T) {
	tests := []struct {
		birth, want string
		ok          bool
	}{
		{"2008-06-15", "2026-06-14", true},
		{"2008-01-01", "2025-12-31", true},
		{"2008-02-29", "2026-02-28", true}, // 18 on 1 March of a common year
		{"2012-02-29", "2030-02-28", true},
		{"2014-02-28", "2032-02-27", true},
		{"2014-03-01", "2032-02-29", true}, // the day before, in a leap year
		{"", "", false},
		{"2008-13-01", "", false},
	}
	for _, tt := range tests {
		got, ok := CustodyLastDay(tt.birth)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CustodyLastDay(%q) = %q, %v, want %q, %v", tt.birth, got, ok, tt.want, tt.ok)
		}
	}
}

// TestCustodyRulesAgree: for every birth date and day in a span of leap
// and common years, the child is in custody on a day exactly when the day
// is not after CustodyLastDay, when the birth date is after AdultsBornBy
// (the SQL form) and when Identity.Age is under 18.
func TestCustodyRulesAgree(t *testing.T) {
	type born struct {
		date, last string
		id         Identity
	}
	var births []born
	for b := time.Date(2006, 1, 1, 0, 0, 0, 0, time.UTC); b.Year() < 2010; b = b.AddDate(0, 0, 1) {
		last, _ := CustodyLastDay(b.Format(time.DateOnly))
		births = append(births, born{b.Format(time.DateOnly), last, GenerateTestNumber(b, "F", 0)})
	}
	step := 1
	if testing.Short() {
		step = 7
	}
	for d := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC); d.Year() < 2028; d = d.AddDate(0, 0, step) {
		today, cutoff := d.Format(time.DateOnly), AdultsBornBy(d)
		for _, b := range births {
			byLast, bySQL := today <= b.last, b.date > cutoff
			age, _ := b.id.Age(d)
			if byLast != bySQL || byLast != (age < CustodyAge) {
				t.Fatalf("born %s on %s: CustodyLastDay %s says %v, AdultsBornBy %s says %v, age %d", b.date, today, b.last, byLast, cutoff, bySQL, age)
			}
		}
	}
}

func TestRelationEffective(t *testing.T) {
	tests := []struct {
		name  string
		r     Relation
		birth string
		want  string
	}{
		{"guardian without an end", Relation{Kind: RelGuardian}, "2010-05-05", "2028-05-04"},
		{"guardian ending later", Relation{Kind: RelGuardian, ValidTo: "2030-01-01"}, "2010-05-05", "2028-05-04"},
		{"guardian ending earlier", Relation{Kind: RelGuardian, ValidTo: "2020-01-01"}, "2010-05-05", "2020-01-01"},
		{"guardian, birth date unknown", Relation{Kind: RelGuardian, ValidTo: "2030-01-01"}, "", "2030-01-01"},
		{"representative", Relation{Kind: RelRepresentative}, "2010-05-05", ""},
	}
	for _, tt := range tests {
		if got := tt.r.Effective(tt.birth).ValidTo; got != tt.want {
			t.Errorf("%s: valid_to %q, want %q", tt.name, got, tt.want)
		}
	}
}
