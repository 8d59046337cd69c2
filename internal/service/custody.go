package service

import (
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// custodyEnd returns r with the end a guardian relation has in force over
// the child to: the day before the 18th birthday (custody ends at 18,
// Föräldrabalken 6 kap. 2 §), or an earlier end asked for. It is a field
// error to record one over a person who is 18 or older on today, or one
// that would begin on or after the 18th birthday; and one over a person
// whose birth date is unknown (some reserve numbers) needs an end, as the
// store's access queries cannot compute one. Other kinds are returned as
// they are.
func custodyEnd(r persons.Relation, to persons.Person, today string) (persons.Relation, error) {
	if r.Kind != persons.RelGuardian {
		return r, nil
	}
	last, known := persons.CustodyLastDay(to.BirthDate)
	fields := map[string]string{}
	switch {
	case !known && r.ValidTo == "":
		fields["valid_to"] = "Birth date unknown: give the day before the 18th birthday as the end."
	case known && today > last:
		fields["to_person_id"] = "Custody ends at 18: this person is 18 or older."
	case known && r.ValidFrom > last:
		fields["valid_from"] = "Custody ends at 18: must be before the child's 18th birthday."
	}
	if len(fields) > 0 {
		return r, trygg.Invalid("The relation is not valid.", fields)
	}
	return r.Effective(to.BirthDate), nil
}
