package portal

import "strings"

// calcLine is a line of a calculation written line by line, as a form
// computes it and a decision keeps it ("Boendekostnad: 7 500 kr"): what
// it counts and the amount. Last marks the result, the calculation's last
// line.
type calcLine struct {
	Label, Value string
	Last         bool
}

// calcLines splits a calculation written line by line into its lines, at
// the last ": " of each; a line without one is all label.
func calcLines(text string) []calcLine {
	var out []calcLine
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		l := calcLine{Label: line}
		if i := strings.LastIndex(line, ": "); i > 0 {
			l.Label, l.Value = line[:i], strings.TrimSpace(line[i+2:])
		}
		out = append(out, l)
	}
	if len(out) > 0 {
		out[len(out)-1].Last = true
	}
	return out
}
