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
		{key: "persons.hits", plural: true},  // a page, call .Tn
		{key: "apply.attach.hint", plural: true},
		{key: "accesslog.count", plural: true}, // Go, v.Tn
	} {
		if !used[want] {
			t.Errorf("the scan did not find %+v", want)
		}
	}
}

// TestPluralMessages renders the form for one and the form for other
// counts of each plural message, in Swedish and English: "1 träff" and
// "2 träffar", never "1 träffar". Every plural message of the catalog is
// in the table.
func TestPluralMessages(t *testing.T) {
	tests := []struct {
		key      string
		args     []any // the values after the count
		sv1, sv2 string
		en1, en2 string
	}{
		{"persons.hits", nil, "1 träff", "2 träffar", "1 found", "2 found"},
		{"reports.rows", nil, "1 rad", "2 rader", "1 row", "2 rows"},
		{"registers.file.ready", []any{"2026-09"}, "Allt som behövs finns. Filen för 2026-09 får 1 post.",
			"Allt som behövs finns. Filen för 2026-09 får 2 poster.", "Everything needed is there. The file for 2026-09 has 1 record.",
			"Everything needed is there. The file for 2026-09 has 2 records."},
		{"archive.preview.limit", nil, "En leverans tar högst 1 ärende. Leverera igen för resten.", "En leverans tar högst 2 ärenden. Leverera igen för resten.",
			"One delivery takes at most 1 case. Deliver again for the rest.", "One delivery takes at most 2 cases. Deliver again for the rest."},
		{"registers.missing.refused", nil, "Filen kan inte skapas. 1 uppgift saknas.", "Filen kan inte skapas. 2 uppgifter saknas.",
			"The file cannot be made. 1 piece of information is missing.", "The file cannot be made. 2 pieces of information are missing."},
		{"registers.missing.summary", nil, "1 uppgift saknas innan filen kan skapas.", "2 uppgifter saknas innan filen kan skapas.",
			"1 piece of information is missing before the file can be made.", "2 pieces of information are missing before the file can be made."},
		{"registers.missing.title", nil, "1 uppgift saknas", "2 uppgifter saknas", "1 piece of information missing", "2 pieces of information missing"},
		{"designer.problems.more", nil,
			"… och 1 problem till. Rätta de första så visas resten.", "… och 2 problem till. Rätta de första så visas resten.",
			"… and 1 more problem. Fix the first ones and the rest are shown.", "… and 2 more problems. Fix the first ones and the rest are shown."},
		{"accesslog.entries", nil, "1 post", "2 poster", "1 entry", "2 entries"},
		{"legacy.unexplained", nil, "1 oförklarad skillnad", "2 oförklarade skillnader", "1 unexplained difference", "2 unexplained differences"},
		{"subs.lag", nil, "1 händelse i loggen", "2 händelser i loggen", "1 event in the log", "2 events in the log"},
		{"retention.warn", nil, "1 ärende har snart passerat, eller har passerat, sista dagen för gallring.",
			"2 ärenden har snart passerat, eller har passerat, sista dagen för gallring.",
			"1 case is near or past its last day for purging.", "2 cases are near or past their last day for purging."},
		{"accesslog.count", nil, "1 rad.", "2 rader.", "1 row.", "2 rows."},
		{"accesslog.run", nil, "1 post", "2 poster", "1 entry", "2 entries"},
		{"recovery.payments.count", nil, "1 utbetalning", "2 utbetalningar", "1 payment", "2 payments"},
		{"accesslog.grouped", nil, "De rymmer 1 post.",
			"De rymmer 2 poster: en användares poster i följd om samma sak, högst fem minuter isär, visas som en rad med antal och tid.",
			"They hold 1 entry.",
			"They hold 2 entries: a user's consecutive entries on the same thing, at most five minutes apart, are shown as one row with their number and time."},
		{"accesslog.sample.summary", []any{40, "2026-02-01", "2026-02-28", 482913},
			"Stickprov: 1 post av 40 mellan 2026-02-01 och 2026-02-28. Frö: 482913.", "Stickprov: 2 poster av 40 mellan 2026-02-01 och 2026-02-28. Frö: 482913.",
			"Sample: 1 entry of 40 between 2026-02-01 and 2026-02-28. Seed: 482913.", "Sample: 2 entries of 40 between 2026-02-01 and 2026-02-28. Seed: 482913."},
		{"accesslog.intact", nil,
			"Loggen är obruten. 1 post är kontrollerad och har inte ändrats eller tagits bort.",
			"Loggen är obruten. Alla 2 poster är kontrollerade och ingen har ändrats eller tagits bort.",
			"The log is intact. 1 entry was checked and has not been changed or removed.",
			"The log is intact. All 2 entries were checked and none has been changed or removed."},
		{"accesslog.broken", []any{"X"},
			"Loggen är inte obruten: 1 fel hittades bland X. Poster kan ha ändrats eller tagits bort. Kontakta systemförvaltaren.",
			"Loggen är inte obruten: 2 fel hittades bland X. Poster kan ha ändrats eller tagits bort. Kontakta systemförvaltaren.",
			"The log is not intact: 1 problem found among X. Entries may have been changed or removed. Contact the system administrator.",
			"The log is not intact: 2 problems found among X. Entries may have been changed or removed. Contact the system administrator."},
		{"accesslog.more", nil,
			"Visar 1 rad: nödöppningarna, åtkomst med personnummer och de senaste övriga. Det finns fler – avgränsa med datum, användare eller person för att se äldre poster.",
			"Visar 2 rader: nödöppningarna, åtkomst med personnummer och de senaste övriga. Det finns fler – avgränsa med datum, användare eller person för att se äldre poster.",
			"Showing 1 row: the emergency openings, access by identity number and the newest others. There are more – narrow down by date, user or person to see older entries.",
			"Showing 2 rows: the emergency openings, access by identity number and the newest others. There are more – narrow down by date, user or person to see older entries."},
		{"accesslog.emergencies", nil,
			"1 av dem är en nödöppning eller åtkomst med personnummer utanför behörigheten. Den visas först och är märkt.",
			"2 av dem är nödöppningar eller åtkomst med personnummer utanför behörigheten. De visas först och är märkta.",
			"1 of them is an emergency opening or access by identity number outside the user's access. It comes first and is marked.",
			"2 of them are emergency openings or access by identity number outside the user's access. They come first and are marked."},
		{"provider.shift.saved", []any{"2026-01-13", "V", "D"},
			"Sparat: 1 rapport den 2026-01-13 (V, D).", "Sparat: 2 rapporter den 2026-01-13 (V, D).",
			"Saved: 1 report on 2026-01-13 (V, D).", "Saved: 2 reports on 2026-01-13 (V, D)."},
		{"provider.shift.visits", nil, "1 besök", "2 besök", "1 visit", "2 visits"},
		{"provider.shift.deviations", nil, "1 avvikelse", "2 avvikelser", "1 deviation", "2 deviations"},
		{"payees.hits", nil, "1 betalningsmottagare", "2 betalningsmottagare", "1 payee", "2 payees"},
		{"payments.done.attested", nil, "1 utbetalning är attesterad.", "2 utbetalningar är attesterade.", "1 payment is attested.", "2 payments are attested."},
		{"payments.month.done", []any{"2026-04"}, "1 utbetalning föreslogs för 2026-04. Den väntar på attest.",
			"2 utbetalningar föreslogs för 2026-04. De väntar på attest.", "1 payment was proposed for 2026-04. It is waiting to be attested.",
			"2 payments were proposed for 2026-04. They are waiting to be attested."},
		{"payments.run.attested", []any{"13 000 kr"}, "1 attesterad utbetalning väntar, sammanlagt 13 000 kr.",
			"2 attesterade utbetalningar väntar, sammanlagt 13 000 kr.", "1 attested payment is waiting, 13 000 kr in all.",
			"2 attested payments are waiting, 13 000 kr in all."},
		{"payments.report.paid", nil, "1 utbetald", "2 utbetalda", "1 paid", "2 paid"},
		{"payments.report.rejected", nil, "1 avvisad", "2 avvisade", "1 rejected", "2 rejected"},
		{"payments.report.pending", nil, "1 väntar på besked", "2 väntar på besked", "1 waiting for an answer", "2 waiting for an answer"},
		{"payments.findings.detail.shared_account", nil, "1 person har kontot", "2 personer har kontot", "1 person has the account", "2 persons have the account"},
		{"payments.findings.detail.account_changed", nil, "Ändrat 1 dag före attesten", "Ändrat 2 dagar före attesten", "Changed 1 day before the attest", "Changed 2 days before the attest"},
		{"payments.findings.detail.two_units", nil, "1 enhet betalar samma månad", "2 enheter betalar samma månad", "1 unit pays in the same month", "2 units pay in the same month"},
		{"provider.outbox.sent", nil, "Sparat: 1 rapport.", "Sparat: 2 rapporter.", "Saved: 1 report.", "Saved: 2 reports."},
		{"provider.outbox.refused", nil,
			"1 rapport kunde inte sparas när den skickades. Rapportera besöket igen.",
			"2 rapporter kunde inte sparas när de skickades. Rapportera besöken igen.",
			"1 report could not be saved when it was sent. Report the visit again.",
			"2 reports could not be saved when they were sent. Report the visits again."},
		{"apply.attach.hint", []any{10},
			"Bifoga underlag som PDF, JPEG eller PNG, högst 10 MB per fil och högst 1 fil. En bild tagen med mobilen går bra.",
			"Bifoga underlag som PDF, JPEG eller PNG, högst 10 MB per fil och högst 2 filer. En bild tagen med mobilen går bra.",
			"Attach documents as PDF, JPEG or PNG, at most 10 MB a file and at most 1 file. A photo taken with your phone is fine.",
			"Attach documents as PDF, JPEG or PNG, at most 10 MB a file and at most 2 files. A photo taken with your phone is fine."},
		{"analysis.forecast.leftout", []any{"jan 2026"}, "1 månad före jan 2026 är inte med i prognosen, eftersom en månad innan dess byggde på färre än 5 personer.", "2 månader före jan 2026 är inte med i prognosen, eftersom en månad innan dess byggde på färre än 5 personer.",
			"1 month before jan 2026 is left out of the forecast, because a month before it was from fewer than 5 persons.", "2 months before jan 2026 are left out of the forecast, because a month before them was from fewer than 5 persons."},
		{"analysis.forecast.inflow.mae", []any{"12"}, "Prövad på 1 månad, den senaste, med bara månaderna före, missade prognosen med 12 ärenden.", "Prövad på de 2 senaste månaderna, var och en med bara månaderna före, missade prognosen i snitt med 12 ärenden.",
			"Tried on 1 month, the last, from the months before it alone, the forecast was off by 12 cases.", "Tried on the last 2 months, each from the months before it alone, the forecast was off by 12 cases on average."},
		{"analysis.forecast.decided_hours.mae", []any{"12"}, "Prövad på 1 månad, den senaste, med bara månaderna före, missade prognosen med 12 timmar.", "Prövad på de 2 senaste månaderna, var och en med bara månaderna före, missade prognosen i snitt med 12 timmar.",
			"Tried on 1 month, the last, from the months before it alone, the forecast was off by 12 hours.", "Tried on the last 2 months, each from the months before it alone, the forecast was off by 12 hours on average."},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.key] = true
		t.Run(tt.key, func(t *testing.T) {
			for _, c := range []struct {
				lang string
				n    int
				want string
			}{{"sv", 1, tt.sv1}, {"sv", 2, tt.sv2}, {"en", 1, tt.en1}, {"en", 2, tt.en2}} {
				if got := server.ViewIn(c.lang).Tn(tt.key, c.n, tt.args...); got != c.want {
					t.Errorf("%s, %d:\n got %q\nwant %q", c.lang, c.n, got, c.want)
				}
			}
		})
	}
	for key, m := range server.Messages("sv") {
		if m.One != "" && !tested[key] {
			t.Errorf("the plural message %q is not in the table", key)
		}
	}
}
