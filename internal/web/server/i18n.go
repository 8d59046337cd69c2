package server

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// The UI text lives in message files, locales/sv.yaml and locales/en.yaml:
// this package's hold the keys more than one surface uses, and each
// surface has its own, loaded with AddMessages. They all go into one
// go-i18n bundle, Swedish by default. A message is plain text with fmt
// verbs (%s, %d) that the caller fills; a message with a count has a form
// for one and for other counts, chosen by the CLDR plural rules of the
// language (see Tn). docs/development.md, "Translating the pages", says how
// to edit them; tests of internal/web check that both languages have every
// key and that every key a template or handler uses exists.

// uiLanguages are the languages of the pages, the default first.
var uiLanguages = []string{"sv", "en"}

var (
	// bundle holds every surface's messages in both languages.
	bundle = newBundle()
	// localizers look messages up in one language, falling back to
	// Swedish.
	localizers = map[string]*i18n.Localizer{
		"sv": i18n.NewLocalizer(bundle, "sv"),
		"en": i18n.NewLocalizer(bundle, "en"),
	}
	// messageFiles are the messages as loaded, by language and key: for
	// the tests and to refuse a key defined twice.
	messageFiles = map[string]map[string]*i18n.Message{"sv": {}, "en": {}}
)

// plainText makes go-i18n take a message as it is written: the verbs in
// it are fmt's, filled by the caller, not a Go template.
var plainText = template.IdentityParser{}

// newBundle returns an empty bundle, Swedish by default, that reads YAML.
func newBundle() *i18n.Bundle {
	b := i18n.NewBundle(language.Swedish)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	return b
}

//go:embed locales/*.yaml
var localeFiles embed.FS

var _ = AddMessages(localeFiles)

// AddMessages loads a surface's message files, locales/sv.yaml and
// locales/en.yaml of fsys, into the catalog. Each surface calls it from a
// package-level variable with its embedded files, so every key is there
// before the first request; a file that is missing or does not parse, or
// a key defined twice, is a programming error (it panics).
func AddMessages(fsys fs.FS) bool {
	for _, l := range uiLanguages {
		buf, err := fs.ReadFile(fsys, "locales/"+l+".yaml")
		if err != nil {
			panic(fmt.Sprintf("web: messages: %v", err))
		}
		mf, err := parseMessages(buf, l+".yaml")
		if err != nil {
			panic(fmt.Sprintf("web: messages: %v", err))
		}
		for _, m := range mf.Messages {
			if _, dup := messageFiles[l][m.ID]; dup {
				panic("web: message " + m.ID + " is defined twice")
			}
			messageFiles[l][m.ID] = m
		}
		if err := bundle.AddMessages(mf.Tag, mf.Messages...); err != nil {
			panic(fmt.Sprintf("web: messages: %v", err))
		}
	}
	return true
}

// parseMessages reads one YAML message file, named lang.yaml or
// name.lang.yaml: its language comes from its name.
func parseMessages(buf []byte, name string) (*i18n.MessageFile, error) {
	return i18n.ParseMessageFileBytes(buf, name, map[string]i18n.UnmarshalFunc{"yaml": yaml.Unmarshal})
}

// Message is a message of the catalog in one language: its text, or for a
// plural message its forms for one and for other counts (One is empty for
// a message without a count).
type Message struct {
	One, Other string
}

// Messages returns the catalog in lang (sv or en) by key, for the tests
// that check it; an unknown language has no messages.
func Messages(lang string) map[string]Message {
	out := map[string]Message{}
	for k, m := range messageFiles[lang] {
		out[k] = Message{One: m.One, Other: m.Other}
	}
	return out
}

// lang returns the request's UI language: the ?lang= choice (remembered in
// a cookie), else the cookie, else Swedish.
func lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "sv" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: "trygg_lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie("trygg_lang"); err == nil && (c.Value == "sv" || c.Value == "en") {
		return c.Value
	}
	return "sv"
}

// localize returns the message key in lang (Swedish if lang has none),
// its form for count n when n is not nil; ok is false when no language
// has the key.
func localize(lang, key string, n any) (text string, ok bool) {
	loc, known := localizers[lang]
	if !known {
		loc = localizers["sv"]
	}
	text, err := loc.Localize(&i18n.LocalizeConfig{MessageID: key, PluralCount: n, TemplateParser: plainText})
	if err != nil && text == "" {
		return "", false
	}
	return text, true
}

// translator returns a lookup for lang that falls back to Swedish, then the key.
func translator(l string) func(string) string {
	return func(key string) string {
		if text, ok := localize(l, key, nil); ok {
			return text
		}
		return key
	}
}

// pluralTranslator returns the lookup of plural messages for lang (see
// View.Tn): the form for the count n, with n as the first value of its
// verbs and args after it; the key when no language has it.
func pluralTranslator(l string) func(key string, n int, args ...any) string {
	return func(key string, n int, args ...any) string {
		text, ok := localize(l, key, n)
		if !ok {
			return key
		}
		return fmt.Sprintf(text, append([]any{n}, args...)...)
	}
}

// Text returns the message key in lang, for what has no view (the API's
// CSV files): Swedish if lang has none, the key if no language has it.
func Text(lang, key string) string { return translator(lang)(key) }
