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
