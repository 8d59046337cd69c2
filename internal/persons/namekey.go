package persons

import "strings"

// NameKey is the form in which names are stored for search and in which
// a search's words are compared with them: lower case, and with the
// accents a Swedish reader does not count as letters of their own taken
// off (é, è and ë are e, ü is u, ñ is n), while å, ä and ö stay letters
// of their own, as in the Swedish alphabet (a search for "ohl" does not
// find Öhlund, "öhl" does). Danish and Norwegian æ and ø are the Swedish
// ä and ö, as the Swedish alphabet sorts them. Other characters (hyphens,
// apostrophes, letters of other scripts) are kept as they are, lower-cased.
// docs/postgresql.md, "Name search", says the same for operators.
func NameKey(s string) string {
	s = strings.ToLower(s)
	if isPlainASCII(s) {
		return s
	}
	return nameFolder.Replace(s)
}

func isPlainASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// NameFolds are the letters NameKey replaces (lower case, after
// lower-casing) and what it replaces them with: the store's migration
// that folded names already stored uses the same list.
var NameFolds = [][2]string{
	{"à", "a"}, {"á", "a"}, {"â", "a"}, {"ã", "a"}, {"ā", "a"}, {"ą", "a"},
	{"æ", "ä"}, {"ç", "c"}, {"ć", "c"}, {"č", "c"}, {"ď", "d"}, {"đ", "d"},
	{"è", "e"}, {"é", "e"}, {"ê", "e"}, {"ë", "e"}, {"ē", "e"}, {"ę", "e"}, {"ě", "e"},
	{"ì", "i"}, {"í", "i"}, {"î", "i"}, {"ï", "i"}, {"ī", "i"},
	{"ł", "l"}, {"ñ", "n"}, {"ń", "n"}, {"ň", "n"},
	{"ò", "o"}, {"ó", "o"}, {"ô", "o"}, {"õ", "o"}, {"ō", "o"}, {"ø", "ö"}, {"ő", "ö"},
	{"ř", "r"}, {"ś", "s"}, {"š", "s"}, {"ş", "s"}, {"ß", "ss"}, {"ť", "t"}, {"ţ", "t"},
	{"ù", "u"}, {"ú", "u"}, {"û", "u"}, {"ü", "u"}, {"ū", "u"}, {"ů", "u"}, {"ű", "u"},
	{"ý", "y"}, {"ÿ", "y"}, {"ź", "z"}, {"ż", "z"}, {"ž", "z"},
}

var nameFolder = func() *strings.Replacer {
	var pairs []string
	for _, f := range NameFolds {
		pairs = append(pairs, f[0], f[1])
	}
	return strings.NewReplacer(pairs...)
}()
