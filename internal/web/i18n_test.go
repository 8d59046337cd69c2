package web

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/web/server"
)

// webDirs are the packages of the web edge: this one, the shared server
// and the surfaces, each with its templates.
var webDirs = []string{".", "server", "api", "staff", "portal", "provider", "designer"}

// messageUses find the keys that templates and handlers look up: as they
// are, as the start of a key built from a value (prefix), or with a count
// (plural). Templates call T and Tn from the view or from a variable
// holding it ($T), in pages and partials alike.
var messageUses = []struct {
	ext            string
	re             *regexp.Regexp
	prefix, plural bool
}{
	{".html", regexp.MustCompile(`call \$?\.?T "([^"]+)"`), false, false},
	{".html", regexp.MustCompile(`call \$?\.?T \(print "([^"]+)"`), true, false},
	{".html", regexp.MustCompile(`call \$?\.?Tn "([^"]+)"`), false, true},
	{".go", regexp.MustCompile(`(?:\.T\(|\bt\(|\bmsgIn\(\w+, |\bText\([\w.()]+, |\btranslator\(\w+\)\()"([a-z][^"]*)"\)`), false, false},
	{".go", regexp.MustCompile(`(?:\.T\(|\bt\(|\bmsgIn\(\w+, |\bText\([\w.()]+, |\blocalize\(\w+, )"([a-z][^"]*)"\s*\+`), true, false},
	{".go", regexp.MustCompile(`\.Tn\("([^"]+)"`), false, true},
	{".go", regexp.MustCompile(`NewView\(\w+, \w+, "([^"]+)"\)`), false, false},
	{".go", regexp.MustCompile(`NavItem\{"[^"]*", "([^"]+)"\}`), false, false},
}

// messageUse is a key (or the start of keys) and how it is used.
type messageUse struct {
	key            string
	prefix, plural bool
}

// messageUseIn is a messageUse and the files where it is.
type messageUseIn struct {
	messageUse
	files []string
}

// usedMessages returns the message lookups of the web packages' Go files
// and templates (every .html under them).
func usedMessages(t *testing.T) []messageUseIn {
	t.Helper()
	byKey := map[messageUse][]string{}
	for _, dir := range webDirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != dir && slices.Contains(webDirs, filepath.Base(path)) {
					return filepath.SkipDir // another package of the list
				}
				return nil
			}
			ext := filepath.Ext(path)
			if (ext != ".go" && ext != ".html") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, u := range messageUses {
				if u.ext != ext {
					continue
				}
				for _, m := range u.re.FindAllStringSubmatch(string(b), -1) {
					k := messageUse{key: m[1], prefix: u.prefix, plural: u.plural}
					byKey[k] = append(byKey[k], path)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var out []messageUseIn
	for k, files := range byKey {
		slices.Sort(files)
		out = append(out, messageUseIn{k, slices.Compact(files)})
	}
	return out
}

// argVerbs returns the verb that formats each argument of a format, by
// the argument's position (explicit indexes as %[2]d taken into account).
func argVerbs(format string) map[int]byte {
	out := map[int]byte{}
	arg := 0
	for _, m := range fmtVerb.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			arg, _ = strconv.Atoi(m[1])
			arg--
		}
		out[arg] = m[2][0]
		arg++
	}
	return out
}

var fmtVerb = regexp.MustCompile(`%[-+# 0]*(?:\[(\d+)\])?\d*(?:\.\d*)?([a-zA-Z%])`)

// TestCatalogsComplete fails on a message missing in one language, a
// translation whose values (fmt verbs) or plural forms differ from the
// Swedish, or a key a template or handler uses that no message file has
// (or uses with a count when it has no plural forms, or the other way
// round).
func TestCatalogsComplete(t *testing.T) {
	sv, en := server.Messages("sv"), server.Messages("en")
	for key, s := range sv {
		e, ok := en[key]
		switch {
		case !ok || e.Other == "":
			t.Errorf("message %q has no English text", key)
		case (s.One == "") != (e.One == ""):
			t.Errorf("message %q has plural forms in one language only", key)
		}
		for _, form := range []string{s.One, e.One, e.Other} {
			if form != "" && !maps.Equal(argVerbs(form), argVerbs(s.Other)) {
				t.Errorf("message %q: %q has other values than the Swedish %q", key, form, s.Other)
			}
		}
	}
	for key := range en {
		if sv[key].Other == "" {
			t.Errorf("message %q has no Swedish text", key)
		}
	}
	used := usedMessages(t)
	if len(used) < 400 {
		t.Fatalf("found only %d message keys in use: is the scan looking in the right place?", len(used))
	}
	for _, u := range used {
		m, ok := sv[u.key]
		switch {
		case u.prefix:
			if !slices.ContainsFunc(slices.Collect(maps.Keys(sv)), func(k string) bool { return strings.HasPrefix(k, u.key) }) {
				t.Errorf("%v build message keys from %q, but no message has such a key", u.files, u.key)
			}
		case !ok:
			t.Errorf("%v use the message %q, which no message file has", u.files, u.key)
		case u.plural && m.One == "":
			t.Errorf("%v use the message %q with a count, but it has no plural forms (one, other)", u.files, u.key)
		case !u.plural && m.One != "":
			t.Errorf("%v use the plural message %q without a count (use Tn)", u.files, u.key)
		}
	}
}

// TestMessageUsesScan checks the scan itself: keys used in a partial
// through a variable ($T), keys built from a value, keys with a count, and
// keys of the Go helpers are all found.
func TestMessageUsesScan(t *testing.T) {
	used := map[messageUse]bool{}
	for _, u := range usedMessages(t) {
		used[u.messageUse] = true
	}
	for _, want := range []messageUse{
		{key: "form.addrow"},                 // a shared partial, call $T
		{key: "accesslog.lead"},              // a page, call $.T
		{key: "x.cases"},                     // the records extract, outside templates/
		{key: "order.status.sent"},           // Go, t(...)
		{key: "form.area"},                   // Go, msgIn(lang, ...)
		{key: "nav.inbox"},                   // Go, the navigation
		{key: "portal.rel.", prefix: true},   // the layout, a key built from a value
		{key: "slot.weekday.", prefix: true}, // Go, a key built from a value
		{key: "csv.payment.", prefix: true},  // Go, server.Text
	} {
		if !used[want] {
			t.Errorf("the scan did not find %+v", want)
		}
	}
}
