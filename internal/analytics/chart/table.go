package chart

import (
	"html/template"
	"strings"
)

// Table is a chart's numbers as a table: the page renders it beside the
// chart as
//
//	<table><caption>Caption</caption>
//	<thead><tr><th scope="col">Corner</th> <th scope="col">column</th>…</tr></thead>
//	<tbody><tr><th scope="row">row header</th> <td>cell text</td>…</tr>…</tbody>
//
// followed by Note when it is not empty (HTML does exactly this).
type Table struct {
	Caption string
	// Corner heads the column of row headers.
	Corner  string
	Columns []string
	Rows    []Row
	// Note explains "–" when a cell is suppressed; empty otherwise.
	Note string
}

// Row is one row of a Table.
type Row struct {
	Header string
	Cells  []Cell
}

// Cell is one figure of a Table: Text is the value written in the chart's
// language, "–" when the value is suppressed, or empty when there is no
// figure (Value is then 0 and means nothing).
type Cell struct {
	Text       string
	Value      float64
	Suppressed bool
}

func cell(v Value, decimals int, lang Lang) Cell {
	if v.None {
		return Cell{}
	}
	if v.Suppressed {
		return Cell{Text: say(lang, "suppressed.mark"), Suppressed: true}
	}
	return Cell{Text: Format(v.X, decimals, lang), Value: v.X}
}

// seriesTable is a table with a row per category and a column per series.
func seriesTable(caption, corner string, cats []string, series []Series, decimals int, lang Lang) Table {
	t := Table{Caption: caption, Corner: corner}
	for _, s := range series {
		t.Columns = append(t.Columns, seriesName(s, lang))
	}
	suppressed := false
	for i, cat := range cats {
		r := Row{Header: cat}
		for _, s := range series {
			var v Value
			if i < len(s.Values) {
				v = s.Values[i]
			}
			r.Cells = append(r.Cells, cell(v, decimals, lang))
			suppressed = suppressed || v.Suppressed
		}
		t.Rows = append(t.Rows, r)
	}
	if suppressed {
		t.Note = say(lang, "suppressed.note")
	}
	return t
}

// HTML returns the table as a <table> element (class "chart-table") with
// its caption, column and row headers with their scope, and the note in
// a <tfoot>; every text is escaped.
func (t Table) HTML() template.HTML {
	var b strings.Builder
	b.WriteString(`<table class="chart-table"><caption>` + escape(t.Caption) + `</caption><thead><tr><th scope="col">` + escape(t.Corner) + `</th>`)
	for _, c := range t.Columns {
		b.WriteString(`<th scope="col">` + escape(c) + `</th>`)
	}
	b.WriteString(`</tr></thead>`)
	if t.Note != "" {
		b.WriteString(`<tfoot><tr><td colspan="` + itoa(len(t.Columns)+1) + `">` + escape(t.Note) + `</td></tr></tfoot>`)
	}
	b.WriteString(`<tbody>`)
	for _, r := range t.Rows {
		b.WriteString(`<tr><th scope="row">` + escape(r.Header) + `</th>`)
		for _, c := range r.Cells {
			b.WriteString(`<td>` + escape(c.Text) + `</td>`)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table>`)
	// Every text above is escaped.
	return template.HTML(b.String())
}
