package analytics_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// export writes one export and returns its file and the prepared export.
func export(t *testing.T, st *analytics.Store, req analytics.ExportRequest) ([]byte, *analytics.Export) {
	t.Helper()
	e, err := st.PrepareExport(context.Background(), tenant, req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Table, req.Format, err)
	}
	defer e.Close()
	var b bytes.Buffer
	if err := e.Write(&b); err != nil {
		t.Fatalf("%s %s: %v", req.Table, req.Format, err)
	}
	return b.Bytes(), e
}

// csvRows parses an export's CSV: its header and its rows, each row its
// columns by name.
func csvRows(t *testing.T, b []byte) ([]string, []map[string]string) {
	t.Helper()
	if len(b) > 0 && !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Errorf("CSV lines end in CRLF (RFC 4180): %q", b[max(0, len(b)-10):])
	}
	r := csv.NewReader(bytes.NewReader(b))
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if len(records) == 0 {
		t.Fatal("CSV has no header")
	}
	var rows []map[string]string
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, name := range records[0] {
			row[name] = rec[i]
		}
		rows = append(rows, row)
	}
	return records[0], rows
}

// parquetRows reads an export's Parquet file back with the library:
// its rows, each its columns by name, as text.
func parquetRows(t *testing.T, b []byte) []map[string]string {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("Parquet does not open: %v", err)
	}
	var names []string
	for _, path := range f.Schema().Columns() {
		names = append(names, path[0])
	}
	r := parquet.NewReader(bytes.NewReader(b))
	defer r.Close()
	var out []map[string]string
	buf := make([]parquet.Row, 100)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			m := map[string]string{}
			for _, v := range row {
				m[names[v.Column()]] = v.String()
			}
			out = append(out, m)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestExportFormats exports every table of the hand-made history in both
// formats on both engines: the CSV parses with the table's columns as its
// header, the Parquet file read back with the same library gives the same
// rows, and the counts are the rows written.
func TestExportFormats(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			_, st, _ := projected(t, engine)
			for _, table := range analytics.ExportTables() {
				t.Run(table.Name, func(t *testing.T) {
					req := analytics.ExportRequest{Table: table.Name, Format: analytics.FormatCSV, Filter: analytics.Filter{From: "2025-12-01", To: "2026-03-31"}}
					b, e := export(t, st, req)
					header, fromCSV := csvRows(t, b)
					if !slices.Equal(header, table.Columns) {
						t.Errorf("header %v, want %v", header, table.Columns)
					}
					if len(fromCSV) != e.Rows {
						t.Errorf("%d CSV rows, the export counted %d", len(fromCSV), e.Rows)
					}
					if len(fromCSV) == 0 && e.Withheld == 0 {
						t.Errorf("no rows: the history has some")
					}
					req.Format = analytics.FormatParquet
					pb, pe := export(t, st, req)
					if !bytes.HasPrefix(pb, []byte("PAR1")) || !bytes.HasSuffix(pb, []byte("PAR1")) {
						t.Fatalf("not a Parquet file")
					}
					fromParquet := parquetRows(t, pb)
					if !reflect.DeepEqual(fromParquet, fromCSV) {
						t.Errorf("Parquet rows differ from CSV:\nparquet %v\n    csv %v", fromParquet, fromCSV)
					}
					if pe.Rows != e.Rows || pe.ContentType() != "application/vnd.apache.parquet" || !strings.HasSuffix(pe.FileName(), ".parquet") {
						t.Errorf("parquet export: %d rows, %s, %s", pe.Rows, pe.ContentType(), pe.FileName())
					}
				})
			}
		})
	}
}

// TestExportSmallCells checks the exports' small-cell rule on the
// hand-made history (docs/analytics.md, "Exports"): no combination of
// district, case type, unit, sex and age band written is shared by fewer
// than five persons; the finest dimensions are generalised first, and rows
// that stay in a cell of fewer than five persons are withheld.
func TestExportSmallCells(t *testing.T) {
	period := analytics.Filter{From: "2026-01-01", To: "2026-03-31"}
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			_, st, _ := projected(t, engine)
			tests := []struct {
				name                        string
				req                         analytics.ExportRequest
				rows, generalised, withheld int
				check                       func(t *testing.T, rows []map[string]string)
			}{
				{
					// Norra's seven eb cases are published with sex and age
					// band generalised (four women, three men); Södra's two
					// lss cases are withheld.
					name: "cases", req: analytics.ExportRequest{Table: "fact_cases", Filter: period},
					rows: 7, generalised: 7, withheld: 2,
					check: func(t *testing.T, rows []map[string]string) {
						for _, r := range rows {
							if r["sex"] != "*" || r["age_band"] != "*" || r["unit_id"] != "norr-eb" || r["case_type"] != "eb" || r["district_id"] != "norr" {
								t.Errorf("row %v", r)
							}
						}
					},
				},
				{
					// Case 1's two decisions and the other six of Norra.
					name: "decisions", req: analytics.ExportRequest{Table: "fact_decisions", Filter: period},
					rows: 8, generalised: 8, withheld: 2,
				},
				{
					// Five women (age bands generalised); four men withheld.
					name: "persons", req: analytics.ExportRequest{Table: "dim_persons", Filter: period},
					rows: 5, generalised: 5, withheld: 4,
					check: func(t *testing.T, rows []map[string]string) {
						for _, r := range rows {
							if r["sex"] != "F" || r["age_band"] != "*" || len(r) != 3 {
								t.Errorf("row %v", r)
							}
						}
					},
				},
				{
					// Steps have none of the dimensions: all nine persons'.
					name: "steps", req: analytics.ExportRequest{Table: "fact_case_steps", Filter: period},
					rows: 18, generalised: 0, withheld: 0,
				},
				{
					// Södra alone: two persons, nothing in any table.
					name: "Södra's cases", req: analytics.ExportRequest{Table: "fact_cases", Filter: analytics.Filter{From: period.From, To: period.To, District: "syd"}},
					rows: 0, withheld: 2,
				},
				{
					name: "Södra's steps", req: analytics.ExportRequest{Table: "fact_case_steps", Filter: analytics.Filter{From: period.From, To: period.To, District: "syd"}},
					rows: 0, withheld: 4,
				},
				{
					name: "Södra's persons", req: analytics.ExportRequest{Table: "dim_persons", Filter: analytics.Filter{District: "syd"}},
					rows: 0, withheld: 2,
				},
				{
					// Reports of Norra's six orders (six persons, no sex or
					// age band of their own): published as they are.
					name: "performed", req: analytics.ExportRequest{Table: "fact_performed", Filter: period},
					rows: 25, generalised: 0, withheld: 0,
				},
				{
					// One person's payment lines.
					name: "payments", req: analytics.ExportRequest{Table: "fact_payments", Filter: period},
					rows: 0, withheld: 3,
				},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					for _, format := range []string{analytics.FormatCSV, analytics.FormatParquet} {
						tc.req.Format = format
						b, e := export(t, st, tc.req)
						if e.Rows != tc.rows || e.Generalised != tc.generalised || e.Withheld != tc.withheld {
							t.Errorf("%s: %d rows, %d generalised, %d withheld; want %d, %d, %d", format, e.Rows, e.Generalised, e.Withheld,
								tc.rows, tc.generalised, tc.withheld)
						}
						var rows []map[string]string
						if format == analytics.FormatCSV {
							_, rows = csvRows(t, b)
						} else {
							rows = parquetRows(t, b)
						}
						if len(rows) != tc.rows {
							t.Errorf("%s: %d rows in the file, want %d", format, len(rows), tc.rows)
						}
						if tc.check != nil {
							tc.check(t, rows)
						}
					}
				})
			}
		})
	}
}

// TestExportNoPersonalData exports every table in both formats and looks
// for the history's ids, its case references and months of birth: none
// may be in any file.
func TestExportNoPersonalData(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			_, st, _ := projected(t, engine)
			forbidden := []string{"person-", "case-0", "order-0", "decision-", "entry-", "visit-", "line-", "must-not-be-read", "birth_month"}
			for i := 1; i <= 9; i++ {
				forbidden = append(forbidden, birthMonth(i))
			}
			for _, table := range analytics.ExportTables() {
				for _, format := range []string{analytics.FormatCSV, analytics.FormatParquet} {
					b, _ := export(t, st, analytics.ExportRequest{Table: table.Name, Format: format})
					for _, s := range forbidden {
						if bytes.Contains(b, []byte(s)) {
							t.Errorf("%s %s holds %q", table.Name, format, s)
						}
					}
				}
			}
		})
	}
}

// birthMonth is the history's i-th person's month of birth.
func birthMonth(i int) string { return fmt.Sprintf("%d-03", 1950+i*7) }

// TestExportRefusesBadRequests: an unknown table or format, or a bad
// period, is refused at its field.
func TestExportRefusesBadRequests(t *testing.T) {
	_, st, _ := projected(t, storetest.Engines[0])
	for _, tc := range []struct {
		req   analytics.ExportRequest
		field string
	}{
		{analytics.ExportRequest{Table: "cursors", Format: "csv"}, "table"},
		{analytics.ExportRequest{Table: "meta", Format: "csv"}, "table"},
		{analytics.ExportRequest{Table: "fact_cases", Format: "xlsx"}, "format"},
		{analytics.ExportRequest{Table: "fact_cases", Format: "csv", Filter: analytics.Filter{From: "2026-13-01"}}, "from"},
		{analytics.ExportRequest{Table: "fact_cases", Format: "csv", Filter: analytics.Filter{From: "2026-02-01", To: "2026-01-01"}}, "to"},
	} {
		_, err := st.PrepareExport(context.Background(), tenant, tc.req)
		var te *trygg.Error
		if !errors.As(err, &te) || te.Code != trygg.EInvalid || te.Fields[tc.field] == "" {
			t.Errorf("%+v: %v, want invalid at %s", tc.req, err, tc.field)
		}
	}
}

// TestExportCSVNoFormula: a unit's name a spreadsheet would run as a
// formula is written with a leading apostrophe in CSV, as it is in
// Parquet.
func TestExportCSVNoFormula(t *testing.T) {
	db, st, pr := projected(t, storetest.Engines[0])
	play(t, db, step{at: on("2026-03-01"), evs: []events.Event{ev(events.UnitCreated, "unit", "evil", "", "",
		map[string]any{"id": "evil", "parent_id": "soc", "name": "=HYPERLINK(\"http://x\")", "kind": "enhet"})}})
	if _, err := pr.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, _ := export(t, st, analytics.ExportRequest{Table: "dim_units", Format: analytics.FormatCSV})
	_, rows := csvRows(t, b)
	p, _ := export(t, st, analytics.ExportRequest{Table: "dim_units", Format: analytics.FormatParquet})
	found := false
	for i, r := range parquetRows(t, p) {
		if r["unit_id"] == "evil" {
			found = true
			if r["name"] != `=HYPERLINK("http://x")` || rows[i]["name"] != `'=HYPERLINK("http://x")` {
				t.Errorf("parquet %q, csv %q", r["name"], rows[i]["name"])
			}
		}
	}
	if !found {
		t.Error("the unit is not exported")
	}
}
