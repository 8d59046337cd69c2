package payments

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// runEntries is a run of five payment lines: two on account 4561 in unit
// u1 (one of them a reversal), one on 4561 in unit u2, one on another cost
// centre, one on account 4562.
func runEntries() []BookkeepingEntry {
	day := time.Date(2027, 3, 25, 0, 0, 0, 0, time.UTC)
	e := func(ref, account, cc, unit string, ore int64) BookkeepingEntry {
		return BookkeepingEntry{Account: account, CostCentre: cc, Unit: unit, UnitName: "Enhet " + unit, Amount: ore,
			Date: day, Period: "2027-03", Run: "RUN-1", Reference: ref}
	}
	return []BookkeepingEntry{
		e("L5", "4562", "1234", "u1", 50000),
		e("L1", "4561", "1234", "u1", 1767000),
		e("L2", "4561", "1234", "u2", 123456),
		e("L3", "4561", "1234", "u1", 1000005),
		e("L4", "4561", "9999", "u1", -5),
	}
}

func TestWriteBookkeeping(t *testing.T) {
	tests := []struct {
		name   string
		layout string
		want   string
	}{
		{"the default layout: summed, semicolons, decimal comma, CRLF", string(DefaultBookkeepingLayoutFile()),
			"Konto;Ansvar;Enhet;Belopp;Datum;Utbetalning;Antal\r\n" +
				"4561;1234;u1;27670,05;2027-03-25;RUN-1;2\r\n" +
				"4561;1234;u2;1234,56;2027-03-25;RUN-1;1\r\n" +
				"4561;9999;u1;-0,05;2027-03-25;RUN-1;1\r\n" +
				"4562;1234;u1;500,00;2027-03-25;RUN-1;1\r\n"},
		{"per payment, in öre, with the reference, LF", `
grouping: per_payment
line_end: lf
columns:
  - {header: Ref, source: reference}
  - {header: Konto, source: account}
  - {header: Öre, source: amount_ore}
  - {header: Antal, source: count}
`, "Ref;Konto;Öre;Antal\nL5;4562;50000;1\nL1;4561;1767000;1\nL2;4561;123456;1\nL3;4561;1000005;1\nL4;4561;-5;1\n"},
		{"summed over what the layout shows: the unit is not a column but still groups", `
separator: ","
decimal_mark: "."
line_end: lf
header: false
columns:
  - {header: Account, source: account}
  - {header: Amount, source: amount}
`, "4561,27670.05\n4561,1234.56\n4561,-0.05\n4562,500.00\n"},
		{"a fixed text, a unit name and a date format; a value with the separator is quoted", `
line_end: lf
columns:
  - {header: "Bolag", source: text, value: "1;A"}
  - {header: Enhet, source: unit_name}
  - {header: Dag, source: date, format: YYYYMMDD}
  - {header: Period, source: period}
  - {header: "Belopp \"kr\"", source: amount}
`, "Bolag;Enhet;Dag;Period;\"Belopp \"\"kr\"\"\"\n" +
			"\"1;A\";Enhet u1;20270325;2027-03;27670,05\n" +
			"\"1;A\";Enhet u2;20270325;2027-03;1234,56\n" +
			"\"1;A\";Enhet u1;20270325;2027-03;-0,05\n" +
			"\"1;A\";Enhet u1;20270325;2027-03;500,00\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseBookkeepingLayout([]byte(tt.layout))
			if err != nil {
				t.Fatalf("parse: %v %v", err, fieldsOf(err))
			}
			got, err := WriteBookkeeping(l, runEntries())
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("file:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestWriteBookkeepingEmptyRun(t *testing.T) {
	got, err := WriteBookkeeping(DefaultBookkeepingLayout(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "Konto;Ansvar;Enhet;Belopp;Datum;Utbetalning;Antal\r\n" {
		t.Errorf("an empty run's file is %q, want the header row alone", got)
	}
}

func TestWriteBookkeepingEncoding(t *testing.T) {
	l, err := ParseBookkeepingLayout([]byte("encoding: ISO-8859-1\nline_end: lf\ncolumns:\n  - {header: Enhet, source: unit_name}\n  - {header: Belopp, source: amount}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := WriteBookkeeping(l, []BookkeepingEntry{{Account: "1", UnitName: "Söder", Amount: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Enhet;Belopp\nS\xf6der;1,00\n"; string(got) != want {
		t.Errorf("Latin-1 file %q, want %q", got, want)
	}
	_, err = WriteBookkeeping(l, []BookkeepingEntry{{Account: "1", UnitName: "Søder ✓", Amount: 100}})
	if f := fieldsOf(err); f["encoding"] == "" {
		t.Errorf("a character Latin-1 lacks: %v, want an invalid error on encoding", err)
	}
}

func TestWriteBookkeepingOverflow(t *testing.T) {
	big := BookkeepingEntry{Account: "1", Amount: 1<<63 - 1}
	_, err := WriteBookkeeping(DefaultBookkeepingLayout(), []BookkeepingEntry{big, big})
	if f := fieldsOf(err); f["amount"] == "" {
		t.Errorf("a sum beyond int64: %v, want an invalid error on amount", err)
	}
}

func TestParseBookkeepingLayoutRefuses(t *testing.T) {
	tests := []struct {
		name   string
		layout string
		field  string
		says   string
	}{
		{"empty file", "", "layout", "empty"},
		{"not YAML", "columns: [", "layout", ""},
		{"an unknown key", "separater: ';'\ncolumns: [{header: A, source: amount}]", "layout", "separater"},
		{"no columns", "separator: ';'", "columns", "no columns"},
		{"empty columns", "columns: []", "columns", "no columns"},
		{"an unknown source", "columns: [{header: A, source: amount}, {header: B, source: konto}]", "columns[1].source", `Unknown source "konto"`},
		{"a column without a source", "columns: [{header: A}, {header: B, source: amount}]", "columns[0].source", "no source"},
		{"no amount", "columns: [{header: A, source: account}]", "columns", "no amount column"},
		{"no header text", "columns: [{header: '', source: amount}]", "columns[0].header", "no header text"},
		{"a reference in a summed layout", "columns: [{header: A, source: amount}, {header: R, source: reference}]", "columns[1].source", "per_payment"},
		{"a value on a non-text column", "columns: [{header: A, source: amount, value: x}]", "columns[0].value", "text"},
		{"a format on a non-date column", "columns: [{header: A, source: amount, format: YYYY}]", "columns[0].format", "date"},
		{"a bad date format", "columns: [{header: A, source: amount}, {header: D, source: date, format: 'DD %m'}]", "columns[1].format", "YYYY"},
		{"a two-character separator", "separator: ';;'\ncolumns: [{header: A, source: amount}]", "separator", "one character"},
		{"a quote as separator", "separator: '\"'\ncolumns: [{header: A, source: amount}]", "separator", "quote"},
		{"an unknown encoding", "encoding: ebcdic\ncolumns: [{header: A, source: amount}]", "encoding", "utf-8"},
		{"an unknown grouping", "grouping: monthly\ncolumns: [{header: A, source: amount}]", "grouping", "per_payment"},
		{"a decimal mark like the separator", "separator: ','\ncolumns: [{header: A, source: amount}]", "decimal_mark", "differ"},
		{"an unknown decimal mark", "decimal_mark: ':'\ncolumns: [{header: A, source: amount}]", "decimal_mark", ""},
		{"an unknown line end", "line_end: cr\ncolumns: [{header: A, source: amount}]", "line_end", "crlf"},
		{"a line break in a header", "columns: [{header: \"A\\nB\", source: amount}]", "columns[0].header", "line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBookkeepingLayout([]byte(tt.layout))
			var e *trygg.Error
			if !errors.As(err, &e) || e.Code != trygg.EInvalid {
				t.Fatalf("got %v, want an invalid error", err)
			}
			if msg, ok := e.Fields[tt.field]; !ok || !strings.Contains(msg, tt.says) {
				t.Errorf("fields %v, want %s saying %q", e.Fields, tt.field, tt.says)
			}
		})
	}
}

func TestDefaultBookkeepingLayout(t *testing.T) {
	l := DefaultBookkeepingLayout()
	if l.Separator != ";" || !l.HasHeader() || l.Encoding != EncodingUTF8 || l.Grouping != GroupingSummed || l.DecimalMark != "," {
		t.Errorf("the default layout is %+v, want a summed semicolon file in UTF-8 with a header and a decimal comma", l)
	}
}

func fieldsOf(err error) map[string]string {
	var e *trygg.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
