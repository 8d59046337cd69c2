package analytics

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/trygg"
)

// The formats of an export.
const (
	FormatCSV     = "csv"
	FormatParquet = "parquet"
)

// Generalised is what an export writes instead of a dimension's value in
// a row whose cell would otherwise hold fewer than MinPersons persons.
const Generalised = "*"

// columnKind is the type of an exported column.
type columnKind int

const (
	text columnKind = iota
	integer
)

// exportColumn is one column of an export: its name and type, and the
// SQL that selects it ("t." the table's own column when empty).
type exportColumn struct {
	name string
	kind columnKind
	expr string
}

// exportTable says how a table of the store is exported.
type exportTable struct {
	name string
	// fact is true for the fact tables, false for the dimensions.
	fact bool
	cols []exportColumn
	// from is the FROM clause: the table as t, joined to what gives its
	// person, unit, district and case type when it has none of its own.
	from string
	// person, unit, district and caseType select the row's person and
	// what the filter narrows on ("" when the table has none).
	person, unit, district, caseType string
	// date selects the date the period filters on; moment a moment in
	// Unix microseconds instead ("" for neither: not filtered by period).
	date, moment string
	// order is the ORDER BY of the rows: the table's key.
	order string
	// ageBand names a column selected as a month of birth and written as
	// the age band on the period's last day.
	ageBand string
}

// quasiIdentifiers are the dimensions a person could be picked out by,
// in the order an export generalises them: the finest first.
var quasiIdentifiers = []string{"age_band", "sex", "unit_id", "case_type", "district_id"}

func cols(kind columnKind, names ...string) []exportColumn {
	out := make([]exportColumn, len(names))
	for i, n := range names {
		out[i] = exportColumn{name: n, kind: kind}
	}
	return out
}

func join(parts ...[]exportColumn) []exportColumn {
	var out []exportColumn
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// exportTables are the tables an export may name, in the order they are
// listed: the facts, then the dimensions an analyst joins them with.
// Nothing of a person but the pseudonym, sex and age band is in them: the
// store holds no names, identity numbers, free text or addresses, and the
// month of birth is written as the age band.
var exportTables = []exportTable{
	{name: "fact_cases", fact: true, from: "fact_cases t", person: "t.person_key", unit: "t.unit_id", district: "t.district_id",
		caseType: "t.case_type", date: "t.received_date", order: "t.case_key",
		cols: join(cols(text, "case_key", "person_key", "case_type", "unit_id", "district_id", "channel", "received_date"),
			cols(integer, "opened_at"), cols(text, "opened_date"), cols(integer, "closed_at"),
			cols(text, "closed_date", "step", "sex", "age_band"))},
	{name: "fact_case_steps", fact: true,
		from:   "fact_case_steps t LEFT JOIN fact_cases c ON c.tenant_id = t.tenant_id AND c.case_key = t.case_key",
		person: "c.person_key", unit: "c.unit_id", district: "c.district_id", caseType: "c.case_type", moment: "t.entered_at",
		order: "t.case_key, t.entered_seq",
		cols:  join(cols(text, "case_key"), cols(integer, "entered_seq"), cols(text, "step"), cols(integer, "entered_at", "left_at", "duration_seconds"))},
	{name: "fact_decisions", fact: true, from: "fact_decisions t", person: "t.person_key", unit: "t.unit_id", district: "t.district_id",
		caseType: "t.case_type", date: "t.decided_date", order: "t.decision_key",
		cols: join(cols(text, "decision_key", "case_key", "person_key", "case_type", "unit_id", "district_id", "channel", "insats", "outcome"),
			cols(integer, "amount"), cols(text, "amount_unit", "amount_period", "valid_from", "valid_to"), cols(integer, "decided_at"),
			cols(text, "decided_date", "received_date"), cols(integer, "days_to_decision"), cols(text, "executed_date", "sex", "age_band"))},
	{name: "fact_orders", fact: true, from: "fact_orders t", person: "t.person_key", unit: "t.unit_id", district: "t.district_id",
		caseType: "t.case_type", date: "t.sent_date", order: "t.order_key",
		cols: join(cols(text, "order_key", "case_key", "decision_key", "person_key", "case_type", "unit_id", "district_id", "provider_id", "insats"),
			cols(integer, "amount"), cols(text, "amount_unit", "amount_period", "valid_from", "valid_to", "status", "sent_date", "start_date",
				"ended_on", "end_reason"), cols(integer, "plan_version"), cols(text, "plan_date"))},
	{name: "fact_plans", fact: true,
		from:   "fact_plans t LEFT JOIN fact_orders o ON o.tenant_id = t.tenant_id AND o.order_key = t.order_key",
		person: "o.person_key", unit: "o.unit_id", district: "o.district_id", caseType: "o.case_type", date: "t.written_date",
		order: "t.order_key, t.version",
		cols:  join(cols(text, "order_key"), cols(integer, "version"), cols(text, "written_date", "participation"), cols(integer, "activities"))},
	{name: "fact_performed", fact: true, from: "fact_performed t", person: "t.person_key", unit: "t.unit_id", district: "t.district_id",
		caseType: "t.case_type", date: "t.day", order: "t.entry_key",
		cols: join(cols(text, "entry_key", "order_key", "person_key", "insats", "unit_id", "district_id", "case_type", "day"),
			cols(integer, "minutes"), cols(text, "deviation"), cols(integer, "corrected"))},
	{name: "fact_deadlines", fact: true, from: "fact_deadlines t", person: "t.person_key", unit: "t.unit_id", district: "t.district_id",
		caseType: "t.case_type", date: "t.due_date", order: "t.case_key, t.deadline_id, t.started_seq",
		cols: join(cols(text, "case_key", "deadline_id"), cols(integer, "started_seq"),
			cols(text, "person_key", "case_type", "unit_id", "district_id", "started_date", "due_date", "met_date"), cols(integer, "overdue"),
			cols(text, "status"), cols(integer, "days_late"))},
	{name: "fact_payments", fact: true, from: "fact_payments t", person: "t.person_key", unit: "t.unit_id", district: "t.district_id",
		caseType: "t.case_type", date: "t.due_date", order: "t.line_key",
		cols: join(cols(text, "line_key", "case_key", "person_key", "decision_key", "case_type", "unit_id", "district_id", "item", "period"),
			cols(integer, "amount"), cols(text, "payee_category", "due_date", "status", "proposed_date", "attested_date", "settled_date", "reverses_key"))},
	{name: "fact_codes", fact: true,
		from:   "fact_codes t LEFT JOIN fact_cases c ON c.tenant_id = t.tenant_id AND c.case_key = t.case_key",
		person: "t.person_key", unit: "c.unit_id", district: "t.district_id", caseType: "c.case_type", date: "t.on_date",
		order: "t.source, t.source_key, t.code_system, t.code",
		cols: join(cols(text, "source", "source_key", "code_system", "code", "case_key", "person_key", "district_id"),
			cols(integer, "qualifier"), cols(text, "on_date"))},
	{name: "dim_persons", from: "dim_persons t", person: "t.person_key", order: "t.person_key", ageBand: "age_band",
		cols: []exportColumn{{name: "person_key", kind: text}, {name: "sex", kind: text}, {name: "age_band", kind: text, expr: "t.birth_month"}}},
	{name: "dim_units", from: "dim_units t", order: "t.unit_id",
		cols: cols(text, "unit_id", "parent_id", "kind", "name", "path", "district_id")},
	{name: "dim_case_types", from: "dim_case_types t", order: "t.case_type", cols: cols(text, "case_type")},
	{name: "dim_insatser", from: "dim_insatser t", order: "t.case_type, t.insats", cols: cols(text, "case_type", "insats", "amount_unit", "amount_period")},
	{name: "dim_codes", from: "dim_codes t", order: "t.code_system, t.code", cols: cols(text, "code_system", "code")},
}

// ExportTable describes a table an export may name.
type ExportTable struct {
	Name string `json:"name"`
	// Fact is true for a fact table, false for a dimension.
	Fact bool `json:"fact"`
	// Columns are its columns, in the order a CSV file has them.
	Columns []string `json:"columns"`
}

// ExportTables returns the tables an export may name: the facts, then the
// dimensions.
func ExportTables() []ExportTable {
	out := make([]ExportTable, len(exportTables))
	for i, t := range exportTables {
		out[i] = ExportTable{Name: t.name, Fact: t.fact}
		for _, c := range t.cols {
			out[i].Columns = append(out[i].Columns, c.name)
		}
	}
	return out
}

func findExportTable(name string) (exportTable, bool) {
	for _, t := range exportTables {
		if t.name == name {
			return t, true
		}
	}
	return exportTable{}, false
}

// ExportRequest is what to export: a table in a format, its rows narrowed
// by the filter: the period by each table's own date, the district, unit
// and case type by the row's (the persons' dimension by their cases'); the
// other dimensions are not narrowed.
type ExportRequest struct {
	Table  string
	Format string
	Filter Filter
	// Today is the date ages are counted on when the filter's period has
	// no end (YYYY-MM-DD).
	Today string
}

// Export is a prepared export: its rows counted and its small cells
// found, ready to be written once. Close it when done.
type Export struct {
	s       *Store
	tx      *sql.Tx
	ctx     context.Context
	tenant  trygg.TenantID
	t       exportTable
	req     ExportRequest
	where   string
	args    []any
	qi      []string // the quasi-identifiers the table has, finest first
	level   map[string]int
	written bool

	// Rows is how many rows the file has, Generalised how many of them
	// had a value written as Generalised, and Withheld how many rows of
	// the table were left out because even fully generalised they
	// belonged to fewer than MinPersons persons.
	Rows, Generalised, Withheld int
}

// PrepareExport counts the rows req asks for and decides, cell by cell,
// which of their dimensions are generalised or which rows withheld (see
// docs/analytics.md, "Exports"), in one snapshot of the store that Write
// then writes from. Returns an invalid error for an unknown table or
// format or a bad filter.
func (s *Store) PrepareExport(ctx context.Context, tenant trygg.TenantID, req ExportRequest) (*Export, error) {
	t, ok := findExportTable(req.Table)
	fields := map[string]string{}
	if !ok {
		fields["table"] = "No such table."
	}
	if req.Format != FormatCSV && req.Format != FormatParquet {
		fields["format"] = "Must be csv or parquet."
	}
	if len(fields) > 0 {
		return nil, trygg.Invalid("The export is not valid.", fields)
	}
	if err := req.Filter.validate(); err != nil {
		return nil, err
	}
	e := &Export{s: s, ctx: ctx, tenant: tenant, t: t, req: req, level: map[string]int{}}
	for _, q := range quasiIdentifiers {
		for _, c := range t.cols {
			if c.name == q {
				e.qi = append(e.qi, q)
			}
		}
	}
	e.where, e.args = e.conditions()
	// One snapshot for counting and writing: rows the projector adds
	// meanwhile are in neither.
	opts := &sql.TxOptions{ReadOnly: true}
	if s.pg {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("analytics: export: %w", err)
	}
	e.tx = tx
	if err := e.count(); err != nil {
		e.Close()
		return nil, fmt.Errorf("analytics: export %s: %w", t.name, err)
	}
	return e, nil
}

// Close ends the export's snapshot.
func (e *Export) Close() error {
	if e.tx == nil {
		return nil
	}
	err := e.tx.Rollback()
	e.tx = nil
	return err
}

// ageOn is the date the persons' age bands are counted on.
func (e *Export) ageOn() string {
	if e.req.Filter.To != "" {
		return e.req.Filter.To
	}
	if e.req.Today != "" {
		return e.req.Today
	}
	return calendar.Today(time.Now())
}

// conditions returns the WHERE clause of the export's rows and its
// arguments.
func (e *Export) conditions() (string, []any) {
	t, f := e.t, e.req.Filter
	conds, args := []string{"t.tenant_id = ?"}, []any{string(e.tenant)}
	if t.date != "" {
		if f.From != "" {
			conds, args = append(conds, t.date+" >= ?"), append(args, f.From)
		}
		if f.To != "" {
			conds, args = append(conds, t.date+" <= ?"), append(args, f.To)
		}
	}
	if t.moment != "" {
		if f.From != "" {
			from, _ := time.Parse(time.DateOnly, f.From)
			conds, args = append(conds, t.moment+" >= ?"), append(args, calendar.StartOf(from).UnixMicro())
		}
		if f.To != "" {
			to, _ := time.Parse(time.DateOnly, f.To)
			conds, args = append(conds, t.moment+" < ?"), append(args, calendar.StartOf(to.AddDate(0, 0, 1)).UnixMicro())
		}
	}
	if t.unit == "" && t.person != "" {
		// The persons' dimension: the persons with a case the filter
		// keeps.
		var sub []string
		for _, kv := range [][2]string{{"district_id", f.District}, {"unit_id", f.Unit}, {"case_type", f.CaseType}} {
			if kv[1] != "" {
				sub, args = append(sub, "f."+kv[0]+" = ?"), append(args, kv[1])
			}
		}
		if len(sub) > 0 {
			conds = append(conds, t.person+" IN (SELECT f.person_key FROM fact_cases f WHERE f.tenant_id = t.tenant_id AND "+
				strings.Join(sub, " AND ")+")")
		}
		return " WHERE " + strings.Join(conds, " AND "), args
	}
	for _, kv := range [][2]string{{t.district, f.District}, {t.unit, f.Unit}, {t.caseType, f.CaseType}} {
		// The dimensions of no person (units, case types, insatser,
		// codes) are not narrowed.
		if kv[0] != "" && kv[1] != "" {
			conds, args = append(conds, kv[0]+" = ?"), append(args, kv[1])
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// cell is the persons and rows of one combination of an export's
// quasi-identifiers.
type cell struct {
	persons map[uint64]struct{}
	rows    int
}

var personSeed = maphash.MakeSeed()

// count reads the quasi-identifiers and persons of the export's rows
// (not the rows: an export is never held in memory) and gives each
// combination the finest level at which it is published: level i writes
// the first i quasi-identifiers as Generalised, and is the finest at
// which the rows published with those values together have at least
// MinPersons persons. A combination with no such level is withheld.
func (e *Export) count() error {
	if e.t.person == "" {
		// A dimension of no persons: nothing to suppress.
		return e.tx.QueryRowContext(e.ctx, rebind(e.s.pg, "SELECT COUNT(*) FROM "+e.t.from+e.where), e.args...).Scan(&e.Rows)
	}
	sel := []string{e.t.person}
	for _, q := range e.qi {
		sel = append(sel, e.colExpr(q))
	}
	rows, err := e.tx.QueryContext(e.ctx, rebind(e.s.pg, "SELECT "+strings.Join(sel, ", ")+" FROM "+e.t.from+e.where), e.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cells := map[string]*cell{}
	vals := make([]sql.NullString, len(sel))
	ptrs := make([]any, len(sel))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		key := e.key(vals[1:])
		c := cells[key]
		if c == nil {
			c = &cell{persons: map[uint64]struct{}{}}
			cells[key] = c
		}
		c.rows++
		if vals[0].String != "" {
			c.persons[maphash.String(personSeed, vals[0].String)] = struct{}{}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	remaining := make(map[string]*cell, len(cells))
	for k, c := range cells {
		remaining[k] = c
	}
	for level := 0; level <= len(e.qi) && len(remaining) > 0; level++ {
		groups := map[string][]string{}
		for key := range remaining {
			g := generalise(key, level)
			groups[g] = append(groups[g], key)
		}
		for _, keys := range groups {
			persons := map[uint64]struct{}{}
			for _, k := range keys {
				for p := range cells[k].persons {
					persons[p] = struct{}{}
				}
			}
			if len(persons) < MinPersons {
				continue
			}
			for _, k := range keys {
				e.level[k] = level
				delete(remaining, k)
				e.Rows += cells[k].rows
				if level > 0 {
					e.Generalised += cells[k].rows
				}
			}
		}
	}
	for _, c := range remaining {
		e.Withheld += c.rows
	}
	return nil
}

// colExpr is the SQL selecting the export's column name.
func (e *Export) colExpr(name string) string {
	for _, c := range e.t.cols {
		if c.name == name && c.expr != "" {
			return c.expr
		}
	}
	return "t." + name
}

// key joins a row's quasi-identifiers (an age band's month of birth
// turned into the band).
func (e *Export) key(vals []sql.NullString) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = v.String
		if e.qi[i] == e.t.ageBand {
			parts[i] = AgeBand(v.String, e.ageOn())
		}
	}
	return strings.Join(parts, "\x00")
}

// generalise writes the first level parts of a key as Generalised.
func generalise(key string, level int) string {
	parts := strings.Split(key, "\x00")
	for i := 0; i < level && i < len(parts); i++ {
		parts[i] = Generalised
	}
	return strings.Join(parts, "\x00")
}

// ContentType is the media type of the export's file.
func (e *Export) ContentType() string {
	if e.req.Format == FormatParquet {
		return "application/vnd.apache.parquet"
	}
	return "text/csv; charset=utf-8"
}

// FileName is the name the export's file is offered under: the table and
// the period ("fact_cases_2026-01-01_2026-03-31.csv").
func (e *Export) FileName() string {
	name := e.t.name
	if e.t.date != "" || e.t.moment != "" {
		if e.req.Filter.From != "" {
			name += "_" + e.req.Filter.From
		}
		if e.req.Filter.To != "" {
			name += "_" + e.req.Filter.To
		}
	}
	return name + "." + e.req.Format
}

// exportBatch is how many rows are written to Parquet at a time, and
// maxRowGroup the most rows in a row group: what the writer holds.
const (
	exportBatch = 1024
	maxRowGroup = 64 * 1024
)

// Write writes the export's file to w, row by row as the store returns
// them, the rows of small cells generalised or withheld as counted.
// Returns an error if the store or w fails, or if called twice.
func (e *Export) Write(w io.Writer) error {
	if e.tx == nil || e.written {
		return fmt.Errorf("analytics: export %s: already written or closed", e.t.name)
	}
	e.written = true
	sel := make([]string, len(e.t.cols))
	for i, c := range e.t.cols {
		sel[i] = e.colExpr(c.name)
	}
	if e.t.person != "" {
		sel = append(sel, e.t.person)
	}
	rows, err := e.tx.QueryContext(e.ctx, rebind(e.s.pg, "SELECT "+strings.Join(sel, ", ")+" FROM "+e.t.from+e.where+" ORDER BY "+e.t.order), e.args...)
	if err != nil {
		return fmt.Errorf("analytics: export %s: %w", e.t.name, err)
	}
	defer rows.Close()
	var out rowWriter
	if e.req.Format == FormatParquet {
		out = newParquetRows(w, e.t)
	} else {
		out = newCSVRows(w, e.t)
	}
	n := len(e.t.cols)
	vals := make([]sql.NullString, len(sel))
	ptrs := make([]any, len(sel))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	index := map[string]int{}
	for i, c := range e.t.cols {
		index[c.name] = i
	}
	record := make([]string, n)
	qi := make([]sql.NullString, len(e.qi))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("analytics: export %s: %w", e.t.name, err)
		}
		for i := range n {
			record[i] = vals[i].String
		}
		if e.t.ageBand != "" {
			record[index[e.t.ageBand]] = AgeBand(record[index[e.t.ageBand]], e.ageOn())
		}
		if e.t.person != "" {
			for i, q := range e.qi {
				qi[i] = vals[index[q]]
			}
			level, ok := e.level[e.key(qi)]
			if !ok {
				continue // withheld
			}
			for i := 0; i < level; i++ {
				record[index[e.qi[i]]] = Generalised
			}
		}
		if err := out.write(record); err != nil {
			return fmt.Errorf("analytics: export %s: %w", e.t.name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("analytics: export %s: %w", e.t.name, err)
	}
	if err := out.close(); err != nil {
		return fmt.Errorf("analytics: export %s: %w", e.t.name, err)
	}
	return nil
}

// rowWriter writes an export's rows, each its columns' values as text.
type rowWriter interface {
	write(record []string) error
	close() error
}

// csvRows writes RFC 4180 CSV: a header, then a line per row, CRLF.
type csvRows struct {
	w      *csv.Writer
	header []string
	kinds  []columnKind
	n      int
}

func newCSVRows(w io.Writer, t exportTable) *csvRows {
	c := &csvRows{w: csv.NewWriter(w)}
	c.w.UseCRLF = true
	for _, col := range t.cols {
		c.header = append(c.header, col.name)
		c.kinds = append(c.kinds, col.kind)
	}
	return c
}

// notFormula keeps a spreadsheet from reading a text cell as a formula
// (CSV injection): text starting with = + - @ or a tab or carriage
// return, and not a number, gets a leading apostrophe. Only the units'
// names could: the rest are codes, dates and pseudonyms.
func notFormula(v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return v
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	return "'" + v
}

func (c *csvRows) write(record []string) error {
	if c.header != nil {
		if err := c.w.Write(c.header); err != nil {
			return err
		}
		c.header = nil
	}
	for i, v := range record {
		if c.kinds[i] == text {
			record[i] = notFormula(v)
		}
	}
	if err := c.w.Write(record); err != nil {
		return err
	}
	if c.n++; c.n%exportBatch == 0 {
		c.w.Flush()
		return c.w.Error()
	}
	return nil
}

func (c *csvRows) close() error {
	if c.header != nil { // no rows: the header alone
		if err := c.w.Write(c.header); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

// parquetRows writes a Parquet file of the table's columns (text as UTF-8
// strings, integers as INT64), Snappy-compressed, in row groups of at most
// maxRowGroup rows.
type parquetRows struct {
	w     *parquet.Writer
	kinds []columnKind
	index []int // the Parquet column of each of the table's columns
	batch []parquet.Row
}

func newParquetRows(w io.Writer, t exportTable) *parquetRows {
	group := parquet.Group{}
	for _, c := range t.cols {
		if c.kind == integer {
			group[c.name] = parquet.Int(64)
		} else {
			group[c.name] = parquet.String()
		}
	}
	schema := parquet.NewSchema(t.name, group)
	p := &parquetRows{w: parquet.NewWriter(w, schema, parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(maxRowGroup),
		parquet.CreatedBy("trygg", "", "")), index: make([]int, len(t.cols))}
	columns := map[string]int{}
	for i, path := range schema.Columns() {
		columns[path[0]] = i
	}
	for i, c := range t.cols {
		p.kinds = append(p.kinds, c.kind)
		p.index[i] = columns[c.name]
	}
	return p
}

func (p *parquetRows) write(record []string) error {
	row := make(parquet.Row, len(record))
	for i, v := range record {
		var value parquet.Value
		if p.kinds[i] == integer {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("column %d: %w", i, err)
			}
			value = parquet.Int64Value(n)
		} else {
			value = parquet.ByteArrayValue([]byte(v))
		}
		row[p.index[i]] = value.Level(0, 0, p.index[i])
	}
	p.batch = append(p.batch, row)
	if len(p.batch) >= exportBatch {
		return p.flush()
	}
	return nil
}

func (p *parquetRows) flush() error {
	if len(p.batch) == 0 {
		return nil
	}
	_, err := p.w.WriteRows(p.batch)
	p.batch = p.batch[:0]
	return err
}

func (p *parquetRows) close() error {
	if err := p.flush(); err != nil {
		return err
	}
	return p.w.Close()
}
