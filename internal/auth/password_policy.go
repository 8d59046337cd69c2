package auth

import (
	_ "embed"
	"errors"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/trygg/trygg/internal/trygg"
)

// The password policy follows NIST SP 800-63B (revision 4) for a password
// that is the only factor: a minimum length, a generous maximum, no
// composition rules, and a blocklist of common, leaked, patterned and
// context-specific values. Lengths count Unicode code points after NFC.
const (
	MinPasswordLength = 15
	MaxPasswordLength = 256
)

// productName is the service's own name; demoStem is the published demo
// password ("demo-trygg-2026", internal/demo) folded and without its year,
// so a changed year, case or separator is caught too.
const (
	productName = "trygg"
	demoStem    = "demotrygg"
)

//go:embed commonpasswords/passwords.txt
var commonPasswordsText string

// commonPasswords returns the blocklist sorted for binary search, and the
// length in runes of its longest entry.
var commonPasswords = sync.OnceValues(func() ([]string, int) {
	list := strings.Split(strings.TrimSpace(commonPasswordsText), "\n")
	longest := 0
	for _, p := range list {
		longest = max(longest, utf8.RuneCountInString(p))
	}
	slices.Sort(list)
	return list, longest
})

func isCommonPassword(s string) bool {
	list, _ := commonPasswords()
	_, ok := slices.BinarySearch(list, s)
	return ok
}

// ValidatePassword returns nil for a password that may be set, or an
// invalid *trygg.Error whose field "password" says plainly what is wrong.
// context holds the words specific to the account (its username and
// display name); the password may not contain them.
func ValidatePassword(password string, context ...string) error {
	fields := map[string]string{}
	switch passwordWeakness(password, context) {
	case weakShort:
		fields["password"] = "At least 15 characters. A few words that do not belong together make a good password."
	case weakLong:
		fields["password"] = "At most 256 characters."
	case weakDemo:
		fields["password"] = "The password is the published demo password or close to it; choose another."
	case weakProduct:
		fields["password"] = "The password contains the name of the system (trygg); choose another."
	case weakContext:
		fields["password"] = "The password contains the username or the user's name; choose another."
	case weakCommon:
		fields["password"] = "The password is on a list of common or leaked passwords; choose another."
	case weakPattern:
		fields["password"] = "The password is a repeated or sequential pattern (such as aaaa or 1234); choose another."
	case weakCommonVariant:
		fields["password"] = "The password is a common or leaked password with small changes; choose another."
	}
	if len(fields) == 0 {
		return nil
	}
	return trygg.Invalid("The password cannot be used.", fields)
}

// PasswordProblem returns what ValidatePassword finds wrong with password,
// as the message of its field, or "" if the password may be set.
func PasswordProblem(password string, context ...string) string {
	var e *trygg.Error
	if errors.As(ValidatePassword(password, context...), &e) {
		return e.Fields["password"]
	}
	return ""
}

type weakness int

const (
	weakNone weakness = iota
	weakShort
	weakLong
	weakDemo
	weakProduct
	weakContext
	weakCommon
	weakPattern
	weakCommonVariant
)

// passwordWeakness returns the first rule password breaks, in the order a
// person can best act on: length, context, the blocklist, then patterns.
func passwordWeakness(password string, context []string) weakness {
	nfc := norm.NFC.String(password)
	n := utf8.RuneCountInString(nfc)
	switch {
	case n < MinPasswordLength:
		return weakShort
	case n > MaxPasswordLength:
		return weakLong
	}
	f := fold(nfc)
	folded := string(f)
	switch {
	case strings.Contains(folded, demoStem):
		return weakDemo
	case strings.Contains(folded, productName):
		return weakProduct
	}
	for _, c := range context {
		for _, w := range contextWords(c) {
			if strings.Contains(folded, w) {
				return weakContext
			}
		}
	}
	lower := strings.ToLower(nfc)
	if isCommonPassword(lower) {
		return weakCommon
	}
	// Spaces and punctuation between letters and digits ("ab cd ef",
	// "Password-123!") decorate more than they add, as long as they are
	// at most a third of the password.
	decorated := 2*(n-len(f)) <= len(f)
	if patterned([]rune(lower)) || decorated && patterned(f) {
		return weakPattern
	}
	if decorated && commonVariant(f) {
		return weakCommonVariant
	}
	return weakNone
}

// fold returns s in lower case with only its letters and digits, so
// "Demo-Trygg 2027" and "demotrygg2027" compare equal.
func fold(s string) []rune {
	var out []rune
	for _, c := range strings.ToLower(norm.NFC.String(s)) {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			out = append(out, c)
		}
	}
	return out
}

// contextWords returns the folded forms a password may not contain for one
// account word: the whole of it (from 3 letters) and each of its parts
// (from 4), so "Sigrid Berg" gives "sigridberg" and "sigrid".
func contextWords(s string) []string {
	var out []string
	if w := fold(s); len(w) >= 3 {
		out = append(out, string(w))
	}
	parts := strings.FieldsFunc(s, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) })
	if len(parts) > 1 {
		for _, p := range parts {
			if w := fold(p); len(w) >= 4 {
				out = append(out, string(w))
			}
		}
	}
	return out
}

// patterned reports whether s (in lower case) is repetitive or sequential:
// fewer than 5 different characters, one stretch repeated
// ("passwordpassword", "abcabcabc…"), or so few runs of repeated,
// sequential or keyboard-adjacent characters that each is 3 or more on
// average ("aaaaabbbbbccccc", "123456789012345", "qwertyuiopasdfg").
func patterned(s []rune) bool {
	n := len(s)
	distinct := map[rune]bool{}
	for _, c := range s {
		distinct[c] = true
	}
	if len(distinct) < 5 {
		return true
	}
	for p := 1; p <= n/2; p++ {
		if periodic(s, p) {
			return true
		}
	}
	runs := 0
	for i := 0; i < n; i = runEnd(s, i) {
		runs++
	}
	return runs*3 <= n
}

// periodic reports whether s repeats its first p characters throughout.
func periodic(s []rune, p int) bool {
	for i := p; i < len(s); i++ {
		if s[i] != s[i-p] {
			return false
		}
	}
	return true
}

// sequences are the orders a run may follow, forwards or backwards: the
// alphabet, digits (9 wraps to 0), and the rows of Swedish and US
// keyboards, shifted and not. All are in lower case.
var sequences = []string{
	"abcdefghijklmnopqrstuvwxyzåäö",
	"01234567890",
	"§1234567890+´", "qwertyuiopå¨", "asdfghjklöä'", "<zxcvbnm,.-",
	"°!\"#¤%&/()=?`", ">zxcvbnm;:_",
	"`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./",
	"~!@#$%^&*()_+", "qwertyuiop{}|", "asdfghjkl:\"", "zxcvbnm<>?",
}

// steps maps two neighbouring characters to the set of ways the second
// follows the first: bit 0 a repeat, then two bits (forwards, backwards)
// per sequence.
var steps = sync.OnceValue(func() map[[2]rune]uint64 {
	m := map[[2]rune]uint64{}
	for i, seq := range sequences {
		r := []rune(seq)
		for k := 0; k+1 < len(r); k++ {
			m[[2]rune{r[k], r[k+1]}] |= 1 << (1 + 2*i)
			m[[2]rune{r[k+1], r[k]}] |= 1 << (2 + 2*i)
		}
	}
	return m
})

// runEnd returns the end (exclusive) of the longest run that starts at i:
// characters that each follow the one before in one common way (all
// repeats, or all one step along the same sequence in the same direction).
func runEnd(s []rune, i int) int {
	way := ^uint64(0)
	j := i + 1
	for ; j < len(s); j++ {
		var w uint64
		if s[j] == s[j-1] {
			w = 1
		} else {
			w = steps()[[2]rune{s[j-1], s[j]}]
		}
		if way&w == 0 {
			break
		}
		way &= w
	}
	return j
}

// commonVariant reports whether f, a password's letters and digits in
// lower case, is made of at most two pieces, each a blocklist entry or a
// run ("password1234567", "Sunshine-2345678!"): a common password with
// small changes.
func commonVariant(f []rune) bool {
	_, longest := commonPasswords()
	// pieces[j] is the fewest pieces that make up f[:j].
	pieces := make([]int, len(f)+1)
	for j := 1; j <= len(f); j++ {
		pieces[j] = len(f) + 1
	}
	for i := range len(f) {
		end := runEnd(f, i)
		for j := i + 1; j <= len(f); j++ {
			if j <= end || (j-i <= longest && isCommonPassword(string(f[i:j]))) {
				pieces[j] = min(pieces[j], pieces[i]+1)
			}
		}
	}
	return pieces[len(f)] <= 2
}
