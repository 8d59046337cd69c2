// Package storedtext holds the rules for text that trygg stores and shows
// again: names, titles, notes, form values, definitions. Text is kept in
// Unicode normalisation form C (so "ä" typed as "a" and a combining
// diaeresis is the same name as "ä"), and may not hold control characters
// (NUL, bell, C1 controls …), the characters that change the direction
// text is shown in (U+202A–U+202E, U+2066–U+2069: one can make a list
// show "exe.pdf" for a name that ends in "fdp.exe"), or bytes that are not
// UTF-8. One line of text (a name, a title) may not hold line breaks or
// tabs either.
//
// The web edge applies the rules to every text that comes in; the
// services apply the one-line rule to the fields that are one line.
package storedtext

import (
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Kind says which breaks a text may hold.
type Kind int

const (
	// Multiline text (a note, a letter, a form's answer, a definition
	// file) may hold tabs, line feeds and carriage returns.
	Multiline Kind = iota
	// Line is one line of text (a name, a title, a username): no line
	// breaks and no tabs.
	Line
)

// Rule is a rule that a text breaks. Its message is safe to show next to
// the field and names no part of the text.
type Rule string

func (r Rule) Error() string { return string(r) }

// The rules, each with the message a user sees.
const (
	ErrInvalidUTF8 Rule = "Contains bytes that are not UTF-8 text."
	ErrControl     Rule = "Contains a control character."
	ErrDirection   Rule = "Contains a character that changes the text direction."
	ErrLineBreak   Rule = "Must be one line, without line breaks or tabs."
)

// Rules lists every rule, for catalogs that translate their messages.
var Rules = []Rule{ErrInvalidUTF8, ErrControl, ErrDirection, ErrLineBreak}

// Check returns the first rule s breaks as a text of kind k (a Rule), or
// nil when it breaks none. It does not look at normalisation: use
// Normalize for text that is to be stored.
func Check(s string, k Kind) error {
	_, err := Index(s, k)
	return err
}

// Index returns the byte offset in s of the first character that breaks a
// rule of a text of kind k, and the rule; -1 and nil when none does. For
// text that is not UTF-8 it returns the offset of the first bad byte.
func Index(s string, k Kind) (int, error) {
	if !utf8.ValidString(s) {
		for i, r := range s {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
					return i, ErrInvalidUTF8
				}
			}
		}
	}
	for i, r := range s {
		if rule := runeRule(r, k); rule != "" {
			return i, rule
		}
	}
	return -1, nil
}

// Normalize returns s in normalisation form C, or "" and the first rule
// s breaks as a text of kind k.
func Normalize(s string, k Kind) (string, error) {
	if err := Check(s, k); err != nil {
		return "", err
	}
	return norm.NFC.String(s), nil
}

// IsNormal reports whether s is in normalisation form C already, so that
// Normalize would return it unchanged (when it breaks no rule).
func IsNormal(s string) bool { return norm.NFC.IsNormalString(s) }

// runeRule returns the rule that r breaks in a text of kind k, or "".
func runeRule(r rune, k Kind) Rule {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
		// Tab, line feed, carriage return, and Unicode's line and
		// paragraph separators.
		if k == Line {
			return ErrLineBreak
		}
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		// C0 controls, DEL and the C1 controls (NEL, U+0085, among them).
		return ErrControl
	case (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
		// Embeddings, overrides, their end (U+202C) and the isolates.
		return ErrDirection
	}
	return ""
}
