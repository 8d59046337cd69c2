package persons

import "time"

// CustodyAge is the age at which custody (vårdnad) ends, Föräldrabalken
// 6 kap. 2 §: a guardian relation is not in force from the child's 18th
// birthday.
const CustodyAge = 18

// CustodyLastDay returns the last day (YYYY-MM-DD) on which a guardian
// relation over a child born on birthDate (YYYY-MM-DD) is in force: the
// day before the 18th birthday. A child born on 29 February turns 18 on
// 1 March in a year that is not a leap year (as Identity.Age counts), so
// custody's last day is 28 February. ok is false when birthDate is not a
// date (unknown).
func CustodyLastDay(birthDate string) (string, bool) {
	b, err := time.Parse(time.DateOnly, birthDate)
	if err != nil {
		return "", false
	}
	// AddDate normalises 29 February of a common year to 1 March.
	return b.AddDate(CustodyAge, 0, -1).Format(time.DateOnly), true
}

// AdultsBornBy returns the latest birth date (YYYY-MM-DD) of a person who
// is 18 or older on today: a child born after it is still in custody.
// It is CustodyLastDay turned around for SQL, which compares birth dates
// as text (the store's relation queries); the two agree on every day.
func AdultsBornBy(today time.Time) string {
	y, m, d := today.Date()
	y -= CustodyAge
	if m == time.February && d == 29 && !isLeap(y) {
		d = 28 // born on 28 February: 18 today; born on 1 March: not yet
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// Effective returns r with the end it has in force, given the birth date
// (YYYY-MM-DD, "" when unknown) of the person acted for: a guardian
// relation ends at the latest on CustodyLastDay. Other kinds, and a
// guardian relation over a person whose birth date is unknown, keep their
// recorded end.
func (r Relation) Effective(toBirthDate string) Relation {
	if r.Kind != RelGuardian {
		return r
	}
	if last, ok := CustodyLastDay(toBirthDate); ok && (r.ValidTo == "" || r.ValidTo > last) {
		r.ValidTo = last
	}
	return r
}
