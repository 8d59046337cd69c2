package process

import (
	"embed"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// The engine's messages (the definition checker's problems, and what
// forms and transitions say to officers and citizens) are in the message
// files locales/sv.yaml and locales/en.yaml, by id, written as go-i18n
// templates: {{.Form}} is an argument, {{q .Form}} the same in quotes
// ("x", as Go's %q), and a message with the argument Count has plural
// forms (one, other).

//go:embed locales/*.yaml
var localeFiles embed.FS

// messageLangs are the languages of the message files; the first is the
// one a language without a file gets.
var messageLangs = []string{"sv", "en"}

// localizers say the messages, one per language of messageLangs.
var localizers = loadMessages()

// messageParser is text/template with q, set once, so a message's parsed
// template is kept and reused.
type messageParser struct{ *template.TextParser }

func (messageParser) Cacheable() bool { return true }

var templateParser = messageParser{&template.TextParser{
	Funcs:  texttemplate.FuncMap{"q": func(v any) string { return fmt.Sprintf("%q", v) }},
	Option: "missingkey=error",
}}

// loadMessages reads the embedded message files. They are part of the
// program, so one that cannot be read is a programming error (it panics,
// and every test fails).
func loadMessages() map[string]*i18n.Localizer {
	bundle := i18n.NewBundle(language.Swedish)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	out := map[string]*i18n.Localizer{}
	for _, l := range messageLangs {
		if _, err := bundle.LoadMessageFileFS(localeFiles, "locales/"+l+".yaml"); err != nil {
			panic("process: message file: " + err.Error())
		}
		out[l] = i18n.NewLocalizer(bundle, l)
	}
	return out
}

// note is one of the engine's messages: its id in the message files and
// its arguments by name. An argument that is itself a note is said in the
// same language, and a list of notes is said joined with ", ". As an error
// a note says itself in English.
type note struct {
	id   string
	args map[string]any
}

// newNote makes the message id with its arguments given as name, value
// pairs: newNote("check.form.twice", "Form", id).
func newNote(id string, kv ...any) note {
	n := note{id: id}
	if len(kv) > 0 {
		n.args = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			n.args[kv[i].(string)] = kv[i+1]
		}
	}
	return n
}

// in says n in lang: English for "en", otherwise Swedish. A message the
// files lack, or arguments it does not get, is a programming error the
// tests catch; it is then said as its id and arguments rather than not
// at all.
func (n note) in(lang string) string {
	loc := localizers[lang]
	if loc == nil {
		loc = localizers[messageLangs[0]]
	}
	var data map[string]any
	if n.args != nil {
		data = make(map[string]any, len(n.args))
		for k, v := range n.args {
			switch x := v.(type) {
			case sayer:
				v = x.in(lang)
			case []note:
				parts := make([]string, len(x))
				for i, p := range x {
					parts[i] = p.in(lang)
				}
				v = strings.Join(parts, ", ")
			}
			data[k] = v
		}
	}
	cfg := &i18n.LocalizeConfig{MessageID: n.id, TemplateData: data, TemplateParser: templateParser}
	if c, ok := data["Count"]; ok {
		cfg.PluralCount = c
	}
	// A message missing in English falls back to Swedish, with an error.
	if s, err := loc.Localize(cfg); err == nil || s != "" {
		return s
	}
	return n.fallback(data)
}

// sayer is a message argument said in the message's language: a note, or
// a definition's own text (see textArg).
type sayer interface{ in(lang string) string }

// textArg is a definition's text as a message argument, with {month}
// replaced by the month of Month (YYYY-MM-DD) in the language.
type textArg struct {
	Text  Text
	Month string
}

func (t textArg) in(lang string) string {
	return strings.ReplaceAll(t.Text.In(lang), "{month}", monthArg(t.Month).in(lang))
}

// monthArg is a date (YYYY-MM-DD) said as its month: "januari 2027",
// "January 2027"; a date that cannot be read is said as it is.
type monthArg string

var swedishMonths = [...]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

func (m monthArg) in(lang string) string {
	d, err := time.Parse("2006-01-02", string(m))
	if err != nil {
		return string(m)
	}
	if lang == "en" {
		return d.Format("January 2006")
	}
	return fmt.Sprintf("%s %d", swedishMonths[d.Month()-1], d.Year())
}

func (n note) fallback(data map[string]any) string {
	keys := slices.Sorted(maps.Keys(data))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, data[k])
	}
	return n.id + " " + strings.Join(parts, " ")
}

func (n note) Error() string { return n.in("en") }

// noteOf returns err as a note: the note it is, or its text as it is.
func noteOf(err error) note {
	var n note
	if errors.As(err, &n) {
		return n
	}
	return newNote("check.detail", "Detail", err.Error())
}
