package analytics

// Suppress runs suppress on cells whose value is their persons, with sums
// given as a total's index followed by its parts'.
func Suppress(persons []int, sums [][]int) []bool {
	cells := make([]tally, len(persons))
	for i, p := range persons {
		cells[i] = tally{float64(p), p}
	}
	var ss []sum
	for _, s := range sums {
		ss = append(ss, sum{total: s[0], parts: s[1:]})
	}
	return suppress(cells, ss)
}

// Persons returns how many distinct persons a shown figure rests on (at
// least MinPersons where the query stopped counting there).
func Persons(f Figure) int { return f.persons }

// Plain returns the figure as a caller outside the package builds one:
// its value and whether it is suppressed.
func Plain(f Figure) Figure { return Figure{Value: f.Value, Suppressed: f.Suppressed} }
