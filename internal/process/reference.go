package process

import (
	"fmt"
	"strings"
)

// A case's reference is what people say and write about it instead of an
// id: the case type's prefix, the year the case was opened and a number
// counted per prefix and year, "EB-2026-00417".

// MaxReferencePrefix is the longest prefix a case type may have.
const MaxReferencePrefix = 6

// ReferencePrefix returns the prefix of the references of caseType's cases
// in comp: the case type's reference, else the initials of its id's parts
// ("ekonomiskt_bistand" gives "EB"), at most four letters. A case type comp
// does not know (or a nil comp) gets its id's initials too.
func ReferencePrefix(comp *Compiled, caseType string) string {
	if comp != nil {
		if ct, ok := comp.CaseType(caseType); ok && ct.Reference.Value != "" {
			return ct.Reference.Value
		}
	}
	return initials(caseType)
}

// initials returns the upper-case first letters (a–z) of id's parts
// separated by '_', '-' or '.', at most four; "ÄR" (ärende) if there are
// none.
func initials(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
		if c := part[0]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b.WriteByte(c &^ 0x20)
		}
		if b.Len() == 4 {
			break
		}
	}
	if b.Len() == 0 {
		return "ÄR"
	}
	return b.String()
}

// ValidReferencePrefix reports whether p may be a case type's reference
// prefix: 1 to MaxReferencePrefix capital letters A–Z, Å, Ä, Ö.
func ValidReferencePrefix(p string) bool {
	n := 0
	for _, r := range p {
		if !(r >= 'A' && r <= 'Z' || r == 'Å' || r == 'Ä' || r == 'Ö') {
			return false
		}
		n++
	}
	return n >= 1 && n <= MaxReferencePrefix
}

// FormatReference writes a reference: the prefix, the year and the
// number, at least five digits ("EB-2026-00417").
func FormatReference(prefix string, year int, n int64) string {
	return fmt.Sprintf("%s-%d-%05d", prefix, year, n)
}
