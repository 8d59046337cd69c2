package server

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/trygg/trygg/internal/trygg"
)

// The error catalog: the messages of *trygg.Error that the services
// write in English (for the JSON API), each as its format string in the Go
// source, with the Swedish the pages show instead, in the message file
// locales/errors.sv.yaml. The Swedish uses the same verbs in the same
// order; a message with a count has a form for one and for other counts,
// chosen by its first number. A test checks that every message in the
// source has an entry.

//go:embed locales/errors.sv.yaml
var errorFile []byte

// errorSwedish is the error catalog by English format, and errorLocalizer
// says its messages in Swedish.
var errorSwedish, errorLocalizer = loadErrors(errorFile)

// loadErrors reads the error catalog. It is part of the program, so one
// that does not parse, or an entry with other verbs than its English, is a
// programming error (it panics).
func loadErrors(buf []byte) (map[string]*i18n.Message, *i18n.Localizer) {
	mf, err := parseMessages(buf, "errors.sv.yaml")
	if err != nil {
		panic(fmt.Sprintf("web: error messages: %v", err))
	}
	b := newBundle()
	if err := b.AddMessages(mf.Tag, mf.Messages...); err != nil {
		panic(fmt.Sprintf("web: error messages: %v", err))
	}
	table := map[string]*i18n.Message{}
	for _, m := range mf.Messages {
		table[m.ID] = m
	}
	return table, i18n.NewLocalizer(b, "sv")
}

// fieldName returns the plain name of an invalid error's field in lang:
// named fields by their message field.<key>, form values by their field,
// steps by field.step ("Steg …"), unknown keys as they are.
func fieldName(lang, key string) string {
	if n, ok := localize(lang, "field."+key, nil); ok {
		return n
	}
	if rest, ok := strings.CutPrefix(key, "values."); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(key, "steps."); ok {
		return fmt.Sprintf(translator(lang)("field.step"), rest)
	}
	return key
}

// errorFormat is one entry of the error catalog made ready to match: the
// English format as an anchored pattern with a group per verb.
type errorFormat struct {
	format string
	re     *regexp.Regexp
	fixed  int // characters that are not verbs, to try the most specific first
	count  int // the verb whose number chooses the plural form, or -1
}

// errorVerb matches a fmt verb with its flags, width and precision.
var errorVerb = regexp.MustCompile(`%[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*)?)?[a-zA-Z%]`)

// errorExact and errorFormats are the error catalog compiled once:
// messages without verbs are looked up (by their text, to their format),
// the others matched in turn.
var errorExact, errorFormats = compileErrorTable(errorSwedish)

// compileErrorTable splits the table into plain messages and compiled
// formats; an entry whose Swedish (in any of its forms) has other verbs
// than its English is a programming error.
func compileErrorTable(table map[string]*i18n.Message) (map[string]string, []errorFormat) {
	exact := map[string]string{}
	var formats []errorFormat
	for en, m := range table {
		enText, enVerbs := splitFormat(en)
		for _, sv := range []string{m.One, m.Other} {
			if _, svVerbs := splitFormat(sv); sv != "" && !slices.Equal(enVerbs, svVerbs) {
				panic(fmt.Sprintf("web: the Swedish of error message %q has verbs %v, not %v", en, svVerbs, enVerbs))
			}
		}
		if len(enVerbs) == 0 {
			exact[enText[0]] = en
			continue
		}
		var pat strings.Builder
		pat.WriteString(`(?s)^`)
		fixed := 0
		for i, t := range enText {
			pat.WriteString(regexp.QuoteMeta(t))
			fixed += len(t)
			if i < len(enVerbs) {
				pat.WriteString(verbPattern(enVerbs[i]))
			}
		}
		pat.WriteString(`$`)
		count := -1
		if m.One != "" {
			count = slices.IndexFunc(enVerbs, func(v string) bool { return strings.HasSuffix(v, "d") })
		}
		formats = append(formats, errorFormat{format: en, re: regexp.MustCompile(pat.String()), fixed: fixed, count: count})
	}
	slices.SortFunc(formats, func(a, b errorFormat) int {
		if a.fixed != b.fixed {
			return b.fixed - a.fixed
		}
		return strings.Compare(a.format, b.format)
	})
	return exact, formats
}

// splitFormat returns a format's text between its verbs (with %% as %)
// and the verbs, so len(text) == len(verbs)+1.
func splitFormat(f string) (text, verbs []string) {
	var cur strings.Builder
	last := 0
	for _, loc := range errorVerb.FindAllStringIndex(f, -1) {
		cur.WriteString(f[last:loc[0]])
		last = loc[1]
		v := f[loc[0]:loc[1]]
		if v == "%%" {
			cur.WriteByte('%')
			continue
		}
		text = append(text, cur.String())
		cur.Reset()
		verbs = append(verbs, v)
	}
	cur.WriteString(f[last:])
	return append(text, cur.String()), verbs
}

// verbPattern is what a verb's value may look like in a message.
func verbPattern(verb string) string {
	switch verb[len(verb)-1] {
	case 'q':
		return `("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`)"
	case 'd':
		return `([-+]?\d+)`
	}
	return `(.+?)`
}

// MessageIn returns one message of a *trygg.Error in lang: English as
// written, Swedish through the error catalog. A message with no entry is
// returned as it is.
func MessageIn(lang, m string) string {
	if lang == "en" || m == "" {
		return m
	}
	if format, ok := errorExact[m]; ok {
		text, _ := splitFormat(swedishError(format, nil))
		return text[0]
	}
	for _, f := range errorFormats {
		args := f.re.FindStringSubmatch(m)
		if args == nil {
			continue
		}
		var n any
		if f.count >= 0 {
			if c, err := strconv.Atoi(args[f.count+1]); err == nil {
				n = c
			}
		}
		text, _ := splitFormat(swedishError(f.format, n))
		var b strings.Builder
		for i, t := range text {
			b.WriteString(t)
			if i+1 < len(args) {
				b.WriteString(args[i+1])
			}
		}
		return b.String()
	}
	return m
}

// swedishError returns the Swedish of the catalog's format, its form for
// the count n when n is not nil.
func swedishError(format string, n any) string {
	sv, err := errorLocalizer.Localize(&i18n.LocalizeConfig{MessageID: format, PluralCount: n, TemplateParser: plainText})
	if err != nil && sv == "" {
		return format
	}
	return sv
}

// ProblemText returns the user-safe text of err in lang: its message and,
// for an invalid error, each field's name and message ("Beslutet är inte
// komplett. Motivering: Ett beslut måste motiveras."). Internal errors get
// the generic text.
func ProblemText(lang string, err error) string {
	msg := trygg.ErrorMessage(err)
	text := MessageIn(lang, msg)
	var te *trygg.Error
	if !errors.As(err, &te) || len(te.Fields) == 0 {
		return text
	}
	keys := make([]string, 0, len(te.Fields))
	for k := range te.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(text)
	for _, k := range keys {
		m := te.Fields[k]
		if m == "" || m == msg { // the message already says it
			continue
		}
		if b.Len() > 0 {
			if !strings.ContainsAny(b.String()[b.Len()-1:], ".!?:") {
				b.WriteByte('.')
			}
			b.WriteByte(' ')
		}
		b.WriteString(fieldName(lang, k) + ": " + MessageIn(lang, m))
	}
	return b.String()
}
