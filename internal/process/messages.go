package process

import (
	"regexp"
	"strconv"
	"strings"
)

// swedish translates the messages the form checks write in English. Each
// pattern matches a whole message; $1, $2 … carry its numbers and names.
var swedish = []struct {
	re *regexp.Regexp
	sv string
}{
	{regexp.MustCompile(`^At least 1 row\.$`), "Minst 1 rad."},
	{regexp.MustCompile(`^At most 1 row\.$`), "Högst 1 rad."},
	{regexp.MustCompile(`^At least (\d+) rows\.$`), "Minst $1 rader."},
	{regexp.MustCompile(`^At most (\d+) rows\.$`), "Högst $1 rader."},
	{regexp.MustCompile(`^At most (\d+) characters\.$`), "Högst $1 tecken."},
	{regexp.MustCompile(`^At most 1 MB in all\.$`), "Högst 1 MB sammanlagt."},
	{regexp.MustCompile(`^Each option at most once\.$`), "Varje alternativ högst en gång."},
	{regexp.MustCompile(`^Choose one of the options\.$`), "Välj ett av alternativen."},
	{regexp.MustCompile(`^Must be a date \(YYYY-MM-DD\)\.$`), "Ska vara ett datum (ÅÅÅÅ-MM-DD)."},
	{regexp.MustCompile(`^Must be a list of assessments\.$`), "Ska vara en lista med bedömningar."},
	{regexp.MustCompile(`^Must be a list of options\.$`), "Ska vara en lista med alternativ."},
	{regexp.MustCompile(`^Must be a list of rows\.$`), "Ska vara en lista med rader."},
	{regexp.MustCompile(`^Must be a number\.$`), "Ska vara ett tal."},
	{regexp.MustCompile(`^Must be a whole number of öre\.$`), "Ska vara ett helt antal öre."},
	{regexp.MustCompile(`^Must be at least (.+)\.$`), "Ska vara minst $1."},
	{regexp.MustCompile(`^Must be at most (.+)\.$`), "Ska vara högst $1."},
	{regexp.MustCompile(`^Must be text\.$`), "Ska vara text."},
	{regexp.MustCompile(`^Must not be after today: a time limit counts from this date\.$`), "Får inte vara senare än i dag: en tidsfrist räknas från datumet."},
	{regexp.MustCompile(`^Must be yes or no\.$`), "Ska vara ja eller nej."},
	{regexp.MustCompile(`^Not one of the options for the choice in (.+)\.$`), "Inte ett av alternativen för valet i $1."},
	{regexp.MustCompile(`^Not one of the options\.$`), "Inte ett av alternativen."},
	{regexp.MustCompile(`^Row (\d+) has an unknown field (.+)\.$`), "Rad $1 har ett okänt fält $2."},
	{regexp.MustCompile(`^Row (\d+) is not a set of fields\.$`), "Rad $1 är inte en uppsättning fält."},
	{regexp.MustCompile(`^Row (\d+) is not an assessment\.$`), "Rad $1 är inte en bedömning."},
	{regexp.MustCompile(`^Row (\d+): (.+) is required\.$`), "Rad $1: $2 är obligatoriskt."},
	{regexp.MustCompile(`^Row (\d+): the code is assessed twice\.$`), "Rad $1: koden är bedömd två gånger."},
	{regexp.MustCompile(`^Row (\d+): the code is not in the code system\.$`), "Rad $1: koden finns inte i kodverket."},
	{regexp.MustCompile(`^Row (\d+): the qualifier must be 0–4, 8 or 9\.$`), "Rad $1: bedömningen ska vara 0–4, 8 eller 9."},
	{regexp.MustCompile(`^Row (\d+): the text is longer than 5000 characters\.$`), "Rad $1: texten är längre än 5000 tecken."},
	{regexp.MustCompile(`^Row (\d+): the text must be text\.$`), "Rad $1: texten ska vara text."},
	{regexp.MustCompile(`^The form has no such field\.$`), "Formuläret har inget sådant fält."},
	{regexp.MustCompile(`^The value could not be computed: decision table "([^"]*)" has no rules valid on (\S+)$`),
		"Värdet kunde inte räknas ut: beslutstabellen \"$1\" har inga regler som gäller $2. Den som förvaltar processerna behöver lägga in dem."},
	{regexp.MustCompile(`^The value could not be computed: (.*)$`), "Värdet kunde inte räknas ut: $1"},
	{regexp.MustCompile(`^Whether this field is required could not be decided\.$`), "Det gick inte att avgöra om fältet är obligatoriskt."},
	{regexp.MustCompile(`^Whether to show this field could not be decided\.$`), "Det gick inte att avgöra om fältet ska visas."},
}

// inLang returns a form message in lang: English as written, Swedish
// through the table (a row prefix "Row N, label: " is translated and the
// rest in turn).
func inLang(lang, m string) string {
	if lang == "en" {
		return m
	}
	if rest, ok := strings.CutPrefix(m, "Row "); ok {
		if i := strings.Index(rest, ", "); i > 0 && !strings.Contains(rest[:i], " ") {
			if j := strings.Index(rest[i+2:], ": "); j >= 0 {
				label := rest[i+2 : i+2+j]
				return "Rad " + rest[:i] + ", " + label + ": " + inLang(lang, rest[i+2+j+2:])
			}
		}
	}
	for _, t := range swedish {
		if t.re.MatchString(m) {
			return t.re.ReplaceAllString(m, t.sv)
		}
	}
	return m
}

// rowsMsg is "At least 1 row." or "At least 3 rows.".
func rowsMsg(bound string, n int) string {
	if n == 1 {
		return bound + " 1 row."
	}
	return bound + " " + strconv.Itoa(n) + " rows."
}
