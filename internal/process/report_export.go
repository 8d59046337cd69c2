package process

import (
	"bytes"
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"

	"github.com/trygg/trygg/internal/trygg"
)

// ReportExport is the file a report's listed records make for another
// authority's service: one line per record with the fields in order, as
// the service takes them (IVO's e-service for decisions not executed). A
// file made twice from the same records is the same, byte for byte.
type ReportExport struct {
	// Name is what the file is called on the report page.
	Name Text `yaml:"name"`
	// FileName is the file's name; {period} is replaced by the period's
	// name (2026-Q3).
	FileName Str `yaml:"file_name"`
	// Separator is the one character between fields; default ";".
	Separator Str `yaml:"separator,omitempty"`
	// Header, when true, makes the first line the fields' names.
	Header bool `yaml:"header,omitempty"`
	// LineEnd is crlf (the default) or lf.
	LineEnd Str           `yaml:"line_end,omitempty"`
	Fields  []ExportField `yaml:"fields"`
}

// ExportField is one field of an export: its name (the header) and its
// value, an expression over the record as the report's columns see it.
type ExportField struct {
	Name  Str `yaml:"name"`
	Value Str `yaml:"value"`
	// MaxLength, if set, refuses a file with a longer value (the
	// service's limit on the field).
	MaxLength int `yaml:"max_length,omitempty"`
}

type compiledExport struct {
	def    *ReportExport
	fields []cel.Program
}

func (x *ReportExport) separator() string {
	if x.Separator.Value == "" {
		return ";"
	}
	return x.Separator.Value
}

func (x *ReportExport) lineEnd() string {
	if x.LineEnd.Value == "lf" {
		return "\n"
	}
	return "\r\n"
}

// validateExport checks a report's export: a name, a file name, a
// separator of one character that is not a quote, a known line end, and
// fields with a name and a value (try checks each value on the sample
// record).
func (v *validator) validateExport(r *Report, try func(Str, *cel.Type)) {
	x := r.Export
	if x == nil {
		return
	}
	v.text(x.Name, r.ID.Pos, "check.text.export_name")
	if x.FileName.Value == "" || strings.ContainsAny(x.FileName.Value, `/\"`) {
		v.add(r.ID.Pos, "check.export.file_name")
	}
	if sep := x.Separator.Value; sep != "" && (len([]rune(sep)) != 1 || sep == `"` || sep == "\n" || sep == "\r") {
		v.add(x.Separator.Pos, "check.export.separator", "Separator", sep)
	}
	if le := x.LineEnd.Value; le != "" && le != "crlf" && le != "lf" {
		v.add(x.LineEnd.Pos, "check.export.line_end", "LineEnd", le)
	}
	if len(x.Fields) == 0 {
		v.add(r.ID.Pos, "check.export.no_fields")
	}
	for _, f := range x.Fields {
		if f.Name.Value == "" || f.Value.Value == "" {
			v.add(f.Name.Pos, "check.export.field", "Field", f.Name.Value)
			continue
		}
		try(f.Value, nil)
	}
}

func compileExport(x *ReportExport) *compiledExport {
	if x == nil {
		return nil
	}
	env, _ := reportEnv()
	ce := &compiledExport{def: x}
	for _, f := range x.Fields {
		prg, _ := compile(env, f.Value.Value, nil)
		ce.fields = append(ce.fields, prg)
	}
	return ce
}

// ReportFile is an export made: its name, media type and content.
type ReportFile struct {
	Name        string
	ContentType string
	Data        []byte
	Rows        int
}

// ExportReport makes report id's export file for period p as of asOf from
// records: a line for each record the report's filter lists, in the
// records' order. Free text is kept on one line (line breaks and tabs
// become spaces); a field holding the separator or a quote is quoted, its
// quotes doubled. It returns a not-found error when the report has no
// export, and an invalid error naming the record's case and the field
// when a value is longer than the field's max_length.
func (c *Compiled) ExportReport(id string, p ReportPeriod, asOf string, records []ReportRecord, lang string) (ReportFile, error) {
	cr, ok := c.reports[id]
	if !ok || cr.export == nil {
		return ReportFile{}, trygg.Errorf(trygg.ENotFound, "The report makes no file.")
	}
	x := cr.export.def
	sep, end := x.separator(), x.lineEnd()
	var buf bytes.Buffer
	writeLine := func(vals []string) {
		for i, v := range vals {
			if i > 0 {
				buf.WriteString(sep)
			}
			buf.WriteString(exportCell(v, sep))
		}
		buf.WriteString(end)
	}
	if x.Header {
		var head []string
		for _, f := range x.Fields {
			head = append(head, f.Name.Value)
		}
		writeLine(head)
	}
	n := 0
	for _, r := range records {
		act := c.reportActivation(r, p, asOf, lang)
		ok, err := evalBool(cr.filter, act)
		if err != nil {
			return ReportFile{}, fmt.Errorf("report %s: filter: %w", id, err)
		}
		if !ok {
			continue
		}
		vals := make([]string, len(cr.export.fields))
		for i, prg := range cr.export.fields {
			out, _, err := prg.Eval(act)
			if err != nil {
				return ReportFile{}, fmt.Errorf("report %s: export field %s: %w", id, x.Fields[i].Name.Value, err)
			}
			vals[i] = oneLine(fmt.Sprint(out.Value()))
			if max := x.Fields[i].MaxLength; max > 0 && len([]rune(vals[i])) > max {
				return ReportFile{}, trygg.Invalid("A value is too long for the file.", map[string]string{
					x.Fields[i].Name.Value: fmt.Sprintf("At most %d characters (case %s).", max, r.CaseID)})
			}
		}
		writeLine(vals)
		n++
	}
	name := strings.ReplaceAll(x.FileName.Value, "{period}", p.Name)
	return ReportFile{Name: name, ContentType: "text/csv; charset=utf-8", Data: buf.Bytes(), Rows: n}, nil
}

// oneLine keeps free text on one line: each run of line breaks and tabs
// becomes one space.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' || r == '\t' }), " ")
}

// exportCell quotes a value that holds the separator or a quote.
func exportCell(v, sep string) string {
	if !strings.Contains(v, sep) && !strings.Contains(v, `"`) {
		return v
	}
	return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
}
