package process

import (
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/trygg/trygg/internal/storedtext"
)

// textProblems returns a problem for each text of the document root (keys
// and values: names, labels, help texts, expressions) that holds a
// control character, a character that changes the text direction, or bytes
// that are not UTF-8. YAML decodes escapes ("\0", "\u202e") in quoted
// text, so the file's bytes alone do not show them. Line breaks and tabs
// are text.
func textProblems(file string, doc document, root *yaml.Node) Problems {
	var out Problems
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			if at, err := storedtext.Index(n.Value, storedtext.Multiline); err != nil {
				pos := Pos{file, doc.firstLine + max(n.Line, 1) - 1, max(n.Column, 1)}
				out = append(out, problemAt(pos, textMessage(n.Value, at, err)))
			}
		}
		for _, c := range n.Content {
			walk(c) // an alias's Content is empty: its anchor is walked where it stands
		}
	}
	walk(root)
	return out
}

// textMessage says which rule the text s breaks at byte at, with the
// character's code point (it cannot be seen).
func textMessage(s string, at int, err error) note {
	r, _ := utf8.DecodeRuneInString(s[at:])
	switch err {
	case storedtext.ErrControl:
		return newNote("check.text.control", "Char", fmt.Sprintf("U+%04X", r))
	case storedtext.ErrDirection:
		return newNote("check.text.direction", "Char", fmt.Sprintf("U+%04X", r))
	}
	return newNote("check.text.not_utf8")
}
