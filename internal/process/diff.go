package process

import (
	"sort"
	"strings"
)

// FileDiff is how one definition file changed between two versions.
type FileDiff struct {
	Name   string   `json:"name"`
	Status string   `json:"status"` // added, removed or changed
	Lines  []string `json:"lines"`  // "+ line" and "- line", in file order
}

// maxDiffLines bounds the diff kept for one file; longer diffs are cut
// with a note (the versions themselves are kept whole).
const maxDiffLines = 500

// Diff compares two sets of files by name and returns the changed ones
// with their added and removed lines.
func Diff(before, after map[string]string) []FileDiff {
	names := map[string]bool{}
	for n := range before {
		names[n] = true
	}
	for n := range after {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	out := []FileDiff{}
	for _, n := range sorted {
		b, inBefore := before[n]
		a, inAfter := after[n]
		switch {
		case !inBefore:
			out = append(out, FileDiff{Name: n, Status: "added", Lines: prefix("+ ", splitLines(a))})
		case !inAfter:
			out = append(out, FileDiff{Name: n, Status: "removed", Lines: prefix("- ", splitLines(b))})
		case a != b:
			out = append(out, FileDiff{Name: n, Status: "changed", Lines: lineDiff(splitLines(b), splitLines(a))})
		}
	}
	return out
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func prefix(p string, lines []string) []string {
	out := make([]string, 0, min(len(lines), maxDiffLines+1))
	for i, l := range lines {
		if i == maxDiffLines {
			out = append(out, "… (diff cut)")
			break
		}
		out = append(out, p+l)
	}
	return out
}

// lineDiff returns the removed and added lines between a and b from a
// longest common subsequence of lines; very long files fall back to
// listing both sides whole.
func lineDiff(a, b []string) []string {
	// Trim the common head and tail, which is most of a typical edit.
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(a)*len(b) > 4_000_000 {
		return append(prefix("- ", a), prefix("+ ", b)...)
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for (i < len(a) || j < len(b)) && len(out) < maxDiffLines {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "- "+a[i])
			i++
		default:
			out = append(out, "+ "+b[j])
			j++
		}
	}
	if i < len(a) || j < len(b) {
		out = append(out, "… (diff cut)")
	}
	return out
}
