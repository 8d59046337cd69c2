package payments

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"gopkg.in/yaml.v3"

	"github.com/trygg/trygg/internal/trygg"
)

// The bookkeeping export: a file per payment run for the finance system,
// with each payment's (or each group's) account, cost centre, unit and
// amount. What the file looks like is data, a BookkeepingLayout, because
// every finance system takes its own: the default (bookkeeping.yaml) is
// a semicolon-separated file, summed per account, cost centre and unit, as
// most Swedish finance systems import; a city replaces it with its own
// file (docs/payments.md).

// defaultBookkeepingFile is the layout shipped with trygg.
//
//go:embed bookkeeping.yaml
var defaultBookkeepingFile []byte

// DefaultBookkeepingLayout returns the layout shipped with trygg
// (internal/payments/bookkeeping.yaml). It is part of the binary, so it
// cannot fail at run time; its test parses it.
func DefaultBookkeepingLayout() BookkeepingLayout {
	l, err := ParseBookkeepingLayout(defaultBookkeepingFile)
	if err != nil {
		panic(fmt.Sprintf("payments: bookkeeping.yaml: %v", err))
	}
	return l
}

// DefaultBookkeepingLayoutFile returns the YAML of the shipped layout, a
// starting point for a city's own.
func DefaultBookkeepingLayoutFile() []byte { return slices.Clone(defaultBookkeepingFile) }

// Bookkeeping column sources: what a column's value is taken from.
const (
	SourceAccount    = "account"     // the bookkeeping account (konto)
	SourceCostCentre = "cost_centre" // the cost centre (ansvar, kostnadsställe)
	SourceUnit       = "unit"        // the unit's id
	SourceUnitName   = "unit_name"   // the unit's name
	SourceAmount     = "amount"      // kronor with two decimals and the layout's decimal mark: 1234,56
	SourceAmountOre  = "amount_ore"  // öre, a whole number: 123456
	SourceDate       = "date"        // the payment's date, in the column's format
	SourcePeriod     = "period"      // the period paid (YYYY-MM, or a one-off's date)
	SourceRun        = "run"         // the payment run's id
	SourceReference  = "reference"   // the payment line's id; per-payment layouts only
	SourceCount      = "count"       // the number of payments in the row (1 per payment)
	SourceText       = "text"        // the column's fixed value
)

// BookkeepingSources lists the sources a column may have, in the order
// the documentation gives them.
var BookkeepingSources = []string{SourceAccount, SourceCostCentre, SourceUnit, SourceUnitName, SourceAmount,
	SourceAmountOre, SourceDate, SourcePeriod, SourceRun, SourceReference, SourceCount, SourceText}

// Groupings: a row per account, cost centre and unit with the payments
// summed, or a row per payment.
const (
	GroupingSummed     = "summed"
	GroupingPerPayment = "per_payment"
)

// Encodings a bookkeeping file may be written in.
const (
	EncodingUTF8        = "utf-8"
	EncodingISO88591    = "iso-8859-1"
	EncodingWindows1252 = "windows-1252"
)

// BookkeepingLayout is what a bookkeeping file looks like: its columns,
// separator, header row, encoding, line ends, and whether payments are
// summed per account, cost centre and unit or written one per row.
// ParseBookkeepingLayout reads one from YAML and fills in the defaults.
type BookkeepingLayout struct {
	// Separator is the one character between values: ";" (the default),
	// ",", "\t" or "|", for example.
	Separator string `yaml:"separator,omitempty"`
	// Header says whether the first row holds the columns' headers
	// (default true).
	Header *bool `yaml:"header,omitempty"`
	// Encoding is utf-8 (the default), iso-8859-1 or windows-1252.
	Encoding string `yaml:"encoding,omitempty"`
	// LineEnd is crlf (the default) or lf.
	LineEnd string `yaml:"line_end,omitempty"`
	// Grouping is summed (the default: one row per account, cost centre
	// and unit, and whatever else the columns show, amounts summed) or
	// per_payment (one row per payment line).
	Grouping string `yaml:"grouping,omitempty"`
	// DecimalMark is written between kronor and öre in an amount column:
	// "," (the default) or ".".
	DecimalMark string              `yaml:"decimal_mark,omitempty"`
	Columns     []BookkeepingColumn `yaml:"columns"`
}

// BookkeepingColumn is one column of a bookkeeping file.
type BookkeepingColumn struct {
	// Header is the column's text in the header row.
	Header string `yaml:"header"`
	// Source is what the value is taken from (BookkeepingSources).
	Source string `yaml:"source"`
	// Value is a text column's fixed value (a company code, a voucher
	// series); only for source text.
	Value string `yaml:"value,omitempty"`
	// Format is a date column's format, made of YYYY, YY, MM and DD and
	// the separators - . / and space; default YYYY-MM-DD.
	Format string `yaml:"format,omitempty"`
}

// HasHeader reports whether the layout writes a header row.
func (l BookkeepingLayout) HasHeader() bool { return l.Header == nil || *l.Header }

// maxLayoutBytes bounds a layout file: a layout is a few dozen lines.
const maxLayoutBytes = 64 << 10

// ParseBookkeepingLayout reads a layout from YAML, fills in the defaults
// and validates it. A layout that cannot be used is an EInvalid
// *trygg.Error naming each problem in a field: "columns" (none),
// "columns[2].source" (an unknown source), "separator", "encoding" and
// so on; a YAML mistake or an unknown key is in the field "layout".
func ParseBookkeepingLayout(data []byte) (BookkeepingLayout, error) {
	var l BookkeepingLayout
	if len(data) > maxLayoutBytes {
		return l, trygg.Invalid("The bookkeeping layout is not valid.", map[string]string{"layout": "The file is larger than 64 KiB."})
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		msg := err.Error()
		if errors.Is(err, io.EOF) {
			msg = "The file is empty."
		}
		return BookkeepingLayout{}, trygg.Invalid("The bookkeeping layout is not valid.", map[string]string{"layout": msg})
	}
	l.defaults()
	if err := l.Validate(); err != nil {
		return BookkeepingLayout{}, err
	}
	return l, nil
}

func (l *BookkeepingLayout) defaults() {
	if l.Separator == "" {
		l.Separator = ";"
	}
	if l.Encoding == "" {
		l.Encoding = EncodingUTF8
	}
	l.Encoding = strings.ToLower(l.Encoding)
	if l.LineEnd == "" {
		l.LineEnd = "crlf"
	}
	if l.Grouping == "" {
		l.Grouping = GroupingSummed
	}
	if l.DecimalMark == "" {
		l.DecimalMark = ","
	}
	for i := range l.Columns {
		if l.Columns[i].Source == SourceDate && l.Columns[i].Format == "" {
			l.Columns[i].Format = "YYYY-MM-DD"
		}
	}
}

// Validate checks a layout (with its defaults filled in) and returns an
// EInvalid *trygg.Error naming every problem, or nil.
func (l BookkeepingLayout) Validate() error {
	fields := map[string]string{}
	if utf8.RuneCountInString(l.Separator) != 1 {
		fields["separator"] = "The separator is one character, such as ; or a tab."
	} else if strings.ContainsAny(l.Separator, "\"\r\n") {
		fields["separator"] = "The separator cannot be a quote or a line break."
	}
	switch l.Encoding {
	case EncodingUTF8, EncodingISO88591, EncodingWindows1252:
	default:
		fields["encoding"] = fmt.Sprintf("Unknown encoding %q; use utf-8, iso-8859-1 or windows-1252.", l.Encoding)
	}
	if l.LineEnd != "crlf" && l.LineEnd != "lf" {
		fields["line_end"] = fmt.Sprintf("Unknown line end %q; use crlf or lf.", l.LineEnd)
	}
	if l.Grouping != GroupingSummed && l.Grouping != GroupingPerPayment {
		fields["grouping"] = fmt.Sprintf("Unknown grouping %q; use summed or per_payment.", l.Grouping)
	}
	if l.DecimalMark != "," && l.DecimalMark != "." {
		fields["decimal_mark"] = "The decimal mark is , or ."
	} else if l.DecimalMark == l.Separator {
		fields["decimal_mark"] = "The decimal mark and the separator must differ."
	}
	if len(l.Columns) == 0 {
		fields["columns"] = "The layout has no columns; give at least one."
	}
	if len(l.Columns) > 100 {
		fields["columns"] = "The layout has more than 100 columns."
	}
	hasAmount := false
	for i, c := range l.Columns {
		at := fmt.Sprintf("columns[%d]", i)
		if l.HasHeader() && strings.TrimSpace(c.Header) == "" {
			fields[at+".header"] = "The column has no header text; the layout has a header row."
		}
		if strings.ContainsAny(c.Header, "\r\n") || strings.ContainsAny(c.Value, "\r\n") {
			fields[at+".header"] = "A header or value cannot hold a line break."
		}
		if !utf8.ValidString(c.Header) || !utf8.ValidString(c.Value) {
			fields[at+".header"] = "A header or value is not valid UTF-8."
		}
		switch {
		case c.Source == "":
			fields[at+".source"] = "The column has no source; use one of " + strings.Join(BookkeepingSources, ", ") + "."
		case !slices.Contains(BookkeepingSources, c.Source):
			fields[at+".source"] = fmt.Sprintf("Unknown source %q; use one of %s.", c.Source, strings.Join(BookkeepingSources, ", "))
		case c.Source == SourceReference && l.Grouping == GroupingSummed:
			fields[at+".source"] = "A reference names one payment; only a per_payment layout can show it."
		case c.Source == SourceAmount || c.Source == SourceAmountOre:
			hasAmount = true
		}
		if c.Value != "" && c.Source != SourceText {
			fields[at+".value"] = "Only a column with source text has a value."
		}
		if c.Format != "" && c.Source != SourceDate {
			fields[at+".format"] = "Only a date column has a format."
		} else if c.Source == SourceDate {
			if _, err := dateLayout(c.Format); err != nil {
				fields[at+".format"] = err.Error()
			}
		}
	}
	if len(l.Columns) > 0 && !hasAmount {
		fields["columns"] = "The layout has no amount column; add one with source amount or amount_ore."
	}
	if len(fields) > 0 {
		return trygg.Invalid("The bookkeeping layout is not valid.", fields)
	}
	return nil
}

var errDateFormat = errors.New("A date format is made of YYYY, YY, MM, DD and - . / or space, such as YYYY-MM-DD or YYYYMMDD.")

// dateLayout turns a date format of YYYY, YY, MM, DD and separators into
// a Go time layout.
func dateLayout(format string) (string, error) {
	var b strings.Builder
	for rest := format; rest != ""; {
		switch {
		case strings.HasPrefix(rest, "YYYY"):
			b.WriteString("2006")
			rest = rest[4:]
		case strings.HasPrefix(rest, "YY"):
			b.WriteString("06")
			rest = rest[2:]
		case strings.HasPrefix(rest, "MM"):
			b.WriteString("01")
			rest = rest[2:]
		case strings.HasPrefix(rest, "DD"):
			b.WriteString("02")
			rest = rest[2:]
		case strings.ContainsRune("-./ ", rune(rest[0])):
			b.WriteByte(rest[0])
			rest = rest[1:]
		default:
			return "", errDateFormat
		}
	}
	if b.Len() == 0 {
		return "", errDateFormat
	}
	return b.String(), nil
}

// BookkeepingEntry is one payment line of a run as the bookkeeping export
// reads it. A stop or reversal is an entry of its own with a negative
// amount.
type BookkeepingEntry struct {
	Account    string
	CostCentre string
	Unit       string
	UnitName   string
	// Amount is in öre; negative for a reversal.
	Amount int64
	// Date is the day the payment is made.
	Date time.Time
	// Period is the period paid: YYYY-MM, or a one-off's date.
	Period string
	// Run is the payment run's id.
	Run string
	// Reference is the payment line's id.
	Reference string
}

// bookkeepingRow is one row of the file before it is written: the
// entries it sums.
type bookkeepingRow struct {
	first  BookkeepingEntry
	amount int64
	count  int
}

// WriteBookkeeping writes entries as a bookkeeping file in the layout:
// the header row if the layout has one, then a row per payment, or per
// account, cost centre and unit (and whatever else the columns show) with
// the amounts summed, ordered by account, cost centre and unit. A value
// holding the separator, a quote or a line break is quoted ("…", a quote
// doubled). An invalid layout, a value the encoding cannot write, or a
// sum beyond what öre in 64 bits hold is an EInvalid *trygg.Error and no
// file.
func WriteBookkeeping(l BookkeepingLayout, entries []BookkeepingEntry) ([]byte, error) {
	l.defaults()
	if err := l.Validate(); err != nil {
		return nil, err
	}
	var rows []*bookkeepingRow
	if l.Grouping == GroupingPerPayment {
		for _, e := range entries {
			rows = append(rows, &bookkeepingRow{first: e, amount: e.Amount, count: 1})
		}
	} else {
		byKey := map[string]*bookkeepingRow{}
		for _, e := range entries {
			key := groupKey(l, e)
			r, ok := byKey[key]
			if !ok {
				r = &bookkeepingRow{first: e}
				byKey[key] = r
				rows = append(rows, r)
			}
			sum := r.amount + e.Amount
			if (e.Amount > 0 && sum < r.amount) || (e.Amount < 0 && sum > r.amount) {
				return nil, trygg.Invalid("The bookkeeping file cannot be written.", map[string]string{"amount": "A sum is too large."})
			}
			r.amount = sum
			r.count++
		}
		slices.SortStableFunc(rows, func(a, b *bookkeepingRow) int {
			if c := strings.Compare(a.first.Account, b.first.Account); c != 0 {
				return c
			}
			if c := strings.Compare(a.first.CostCentre, b.first.CostCentre); c != 0 {
				return c
			}
			return strings.Compare(a.first.Unit, b.first.Unit)
		})
	}
	end := "\r\n"
	if l.LineEnd == "lf" {
		end = "\n"
	}
	var b strings.Builder
	writeRow := func(values []string) {
		for i, v := range values {
			if i > 0 {
				b.WriteString(l.Separator)
			}
			b.WriteString(quoteValue(v, l.Separator))
		}
		b.WriteString(end)
	}
	if l.HasHeader() {
		hs := make([]string, len(l.Columns))
		for i, c := range l.Columns {
			hs[i] = c.Header
		}
		writeRow(hs)
	}
	for _, r := range rows {
		vs := make([]string, len(l.Columns))
		for i, c := range l.Columns {
			vs[i] = columnValue(l, c, r)
		}
		writeRow(vs)
	}
	return encode(l.Encoding, b.String())
}

// groupKey is what rows of a summed layout are grouped by: the account,
// cost centre and unit, and the value of every column that is not a sum.
func groupKey(l BookkeepingLayout, e BookkeepingEntry) string {
	r := &bookkeepingRow{first: e}
	parts := []string{e.Account, e.CostCentre, e.Unit}
	for _, c := range l.Columns {
		switch c.Source {
		case SourceAmount, SourceAmountOre, SourceCount, SourceText:
		default:
			parts = append(parts, columnValue(l, c, r))
		}
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(strconv.Itoa(len(p)))
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}

// columnValue is a column's value in a row.
func columnValue(l BookkeepingLayout, c BookkeepingColumn, r *bookkeepingRow) string {
	e := r.first
	switch c.Source {
	case SourceAccount:
		return e.Account
	case SourceCostCentre:
		return e.CostCentre
	case SourceUnit:
		return e.Unit
	case SourceUnitName:
		return e.UnitName
	case SourceAmount:
		return kronorWith(r.amount, l.DecimalMark)
	case SourceAmountOre:
		return strconv.FormatInt(r.amount, 10)
	case SourceDate:
		if e.Date.IsZero() {
			return ""
		}
		layout, _ := dateLayout(c.Format)
		return e.Date.Format(layout)
	case SourcePeriod:
		return e.Period
	case SourceRun:
		return e.Run
	case SourceReference:
		return e.Reference
	case SourceCount:
		return strconv.Itoa(r.count)
	case SourceText:
		return c.Value
	}
	return ""
}

// kronorWith writes an amount in öre as kronor with two decimals and the
// decimal mark, without thousands separators: 123456 is "1234,56" with a
// comma, -5 is "-0,05".
func kronorWith(ore int64, mark string) string {
	sign := ""
	u := uint64(ore)
	if ore < 0 {
		sign = "-"
		u = uint64(-(ore + 1)) + 1 // the magnitude, also of the smallest int64
	}
	return fmt.Sprintf("%s%d%s%02d", sign, u/100, mark, u%100)
}

// quoteValue quotes a value that holds the separator, a quote or a line
// break, doubling its quotes.
func quoteValue(v, sep string) string {
	if !strings.Contains(v, sep) && !strings.ContainsAny(v, "\"\r\n") {
		return v
	}
	return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
}

// encode writes s in the encoding; a character the encoding has no place
// for is an invalid error.
func encode(enc, s string) ([]byte, error) {
	var e *encoding.Encoder
	switch enc {
	case EncodingISO88591:
		e = charmap.ISO8859_1.NewEncoder()
	case EncodingWindows1252:
		e = charmap.Windows1252.NewEncoder()
	default:
		if !utf8.ValidString(s) {
			return nil, trygg.Invalid("The bookkeeping file cannot be written.", map[string]string{"encoding": "A value is not valid UTF-8."})
		}
		return []byte(s), nil
	}
	out, err := e.String(s)
	if err != nil {
		return nil, trygg.Invalid("The bookkeeping file cannot be written.",
			map[string]string{"encoding": fmt.Sprintf("A value has a character %s cannot write; use utf-8.", enc)})
	}
	return []byte(out), nil
}
