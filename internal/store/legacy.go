package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// Legacy run modes (migrations/0030_legacy.sql).
const (
	LegacyDryRun    = "dry_run"   // what an import would do; writes only the run and its report
	LegacyImport    = "import"    // the district's records
	LegacyPersons   = "persons"   // persons only, with the coexistence marker
	LegacyReconcile = "reconcile" // the export against trygg
)

// Legacy run statuses.
const (
	LegacyRunning = "running"
	LegacyStopped = "stopped" // cancelled; the next run of the export resumes it
	LegacyFailed  = "failed"  // stopped by an error; likewise resumed
	LegacyDone    = "done"
)

// Legacy record outcomes: what an import did (or a dry run would do) with
// a record, and in a reconciliation whether a difference is explained.
const (
	LegacyCreated     = "created"
	LegacyMapped      = "mapped" // created through a mapping rule (a free-text insats), or mapped onto what trygg has (a unit, a user)
	LegacyMerged      = "merged" // the same as a record already in trygg (the same person twice)
	LegacyRefused     = "refused"
	LegacySkipped     = "skipped" // imported before (its legacy id is in legacy_ids)
	LegacyExplained   = "explained"
	LegacyUnexplained = "unexplained"
)

// LegacyCounts counts records per kind and outcome.
type LegacyCounts map[string]map[string]int64

// Add counts n records of kind with outcome.
func (c LegacyCounts) Add(kind, outcome string, n int64) {
	if c[kind] == nil {
		c[kind] = map[string]int64{}
	}
	c[kind][outcome] += n
}

// Total returns the records of kind counted (all kinds when kind is "")
// with outcome (all outcomes when outcome is "").
func (c LegacyCounts) Total(kind, outcome string) int64 {
	var n int64
	for k, byOutcome := range c {
		if kind != "" && k != kind {
			continue
		}
		for o, v := range byOutcome {
			if outcome == "" || o == outcome {
				n += v
			}
		}
	}
	return n
}

// LegacyRun is one run over a legacy export: a dry run, an import, an
// import of persons only, or a reconciliation.
type LegacyRun struct {
	ID string `json:"id"`
	// Source names the export (its system and district); System and
	// District are the manifest's.
	Source            string `json:"source"`
	System            string `json:"system"`
	District          string `json:"district"`
	Mode              string `json:"mode"`
	MappingID         string `json:"mapping_id,omitempty"`
	DefinitionVersion int64  `json:"definition_version,omitempty"`
	Status            string `json:"status"`
	// CheckpointKind and CheckpointDone are how far the run has read: the
	// records of CheckpointKind done (kinds before it are all done).
	CheckpointKind string       `json:"checkpoint_kind,omitempty"`
	CheckpointDone int64        `json:"checkpoint_done,omitempty"`
	Counts         LegacyCounts `json:"counts"`
	// Summary is what a reconciliation found (JSON, the service's type).
	Summary json.RawMessage `json:"summary,omitempty"`
	// Items is how many report rows the run has (legacy_run_items).
	Items int64 `json:"items"`
	// Error is the message of the error that stopped a failed run.
	Error      string    `json:"error,omitempty"`
	StartedBy  string    `json:"started_by"`
	StartedAt  time.Time `json:"started_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// LegacyItem is one row of a run's report: a record not simply created
// (or a reconciliation's difference), named by its file, line and legacy
// id, never by its content.
type LegacyItem struct {
	Seq      int64  `json:"seq"`
	RunID    string `json:"run_id,omitempty"`
	Kind     string `json:"kind"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	LegacyID string `json:"legacy_id"`
	Outcome  string `json:"outcome"`
	// Reason is a key (unknown_unit, invalid_identity, merged_same_identity …).
	Reason string `json:"reason,omitempty"`
	// Detail names ids or codes (the mapping rule, the record merged
	// into), never content.
	Detail  string `json:"detail,omitempty"`
	TryggID string `json:"trygg_id,omitempty"`
}

// LegacyID is a legacy record an import brought in and what it became.
type LegacyID struct {
	Kind     string
	LegacyID string
	TryggID  string
	Outcome  string // created, mapped or merged
	RunID    string
}

// LegacyMarker says that a person has records in a district still in the
// old system.
type LegacyMarker struct {
	PersonID string    `json:"-"`
	Source   string    `json:"source"`
	System   string    `json:"system"`
	District string    `json:"district"`
	MarkedAt time.Time `json:"marked_at"`
}

const legacyRunCols = `id, source, system, district, mode, mapping_id, definition_version, status, checkpoint_kind, checkpoint_done,
	counts, summary, items, error, started_by, started_at, updated_at, finished_at`

func scanLegacyRun(s interface{ Scan(...any) error }) (LegacyRun, error) {
	var r LegacyRun
	var counts, summary string
	var started, updated, finished int64
	if err := s.Scan(&r.ID, &r.Source, &r.System, &r.District, &r.Mode, &r.MappingID, &r.DefinitionVersion, &r.Status, &r.CheckpointKind,
		&r.CheckpointDone, &counts, &summary, &r.Items, &r.Error, &r.StartedBy, &started, &updated, &finished); err != nil {
		return r, err
	}
	r.StartedAt, r.UpdatedAt, r.FinishedAt = fromMicros(started), fromMicros(updated), fromMicros(finished)
	r.Counts = LegacyCounts{}
	if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
		return r, fmt.Errorf("counts: %w", err)
	}
	if summary != "" && summary != "{}" {
		r.Summary = json.RawMessage(summary)
	}
	return r, nil
}

func legacyRunJSON(r LegacyRun) (counts, summary string, err error) {
	if r.Counts == nil {
		r.Counts = LegacyCounts{}
	}
	b, err := json.Marshal(r.Counts)
	if err != nil {
		return "", "", err
	}
	summary = "{}"
	if len(r.Summary) > 0 {
		summary = string(r.Summary)
	}
	return string(b), summary, nil
}

// InsertLegacyRun stores a new run inside tx, started at tx.Now.
func (tx *Tx) InsertLegacyRun(ctx context.Context, tenant trygg.TenantID, r LegacyRun) error {
	counts, summary, err := legacyRunJSON(r)
	if err != nil {
		return fmt.Errorf("store: insert legacy run: %w", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO legacy_runs (tenant_id, `+legacyRunCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), r.ID, r.Source, r.System, r.District, r.Mode, r.MappingID, r.DefinitionVersion, r.Status, r.CheckpointKind,
		r.CheckpointDone, counts, summary, r.Items, r.Error, r.StartedBy, micros(tx.Now), micros(tx.Now), micros(r.FinishedAt))
	if err != nil {
		return fmt.Errorf("store: insert legacy run: %w", err)
	}
	return nil
}

// SaveLegacyRun stores the run's progress inside tx: status, checkpoint,
// counts, summary, items, error and finish, updated at tx.Now. An unknown
// run is not found.
func (tx *Tx) SaveLegacyRun(ctx context.Context, tenant trygg.TenantID, r LegacyRun) error {
	counts, summary, err := legacyRunJSON(r)
	if err != nil {
		return fmt.Errorf("store: save legacy run: %w", err)
	}
	res, err := tx.exec(ctx, `UPDATE legacy_runs SET status = ?, checkpoint_kind = ?, checkpoint_done = ?, counts = ?, summary = ?, items = ?,
		error = ?, updated_at = ?, finished_at = ? WHERE tenant_id = ? AND id = ?`,
		r.Status, r.CheckpointKind, r.CheckpointDone, counts, summary, r.Items, r.Error, micros(tx.Now), micros(r.FinishedAt), string(tenant), r.ID)
	if err != nil {
		return fmt.Errorf("store: save legacy run: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.ErrNotFound
	}
	return nil
}

// LegacyRun returns the tenant's run id, or not found.
func (db *DB) LegacyRun(ctx context.Context, tenant trygg.TenantID, id string) (LegacyRun, error) {
	r, err := scanLegacyRun(db.queryRow(ctx, `SELECT `+legacyRunCols+` FROM legacy_runs WHERE tenant_id = ? AND id = ?`, string(tenant), id))
	return r, notFound(err, "Legacy run")
}

// LegacyRun is LegacyRun inside a write transaction.
func (tx *Tx) LegacyRun(ctx context.Context, tenant trygg.TenantID, id string) (LegacyRun, error) {
	r, err := scanLegacyRun(tx.queryRow(ctx, `SELECT `+legacyRunCols+` FROM legacy_runs WHERE tenant_id = ? AND id = ?`+tx.db.dialect.forUpdate(),
		string(tenant), id))
	return r, notFound(err, "Legacy run")
}

// LegacyRunQuery narrows LegacyRuns: to one export (Source), to modes,
// and to at most Limit runs (0: 100).
type LegacyRunQuery struct {
	Source string
	Modes  []string
	Limit  int
}

// LegacyRuns returns the tenant's runs, newest first.
func (db *DB) LegacyRuns(ctx context.Context, tenant trygg.TenantID, q LegacyRunQuery) ([]LegacyRun, error) {
	where := `tenant_id = ?`
	args := []any{string(tenant)}
	if q.Source != "" {
		where += ` AND source = ?`
		args = append(args, q.Source)
	}
	if len(q.Modes) > 0 {
		where += ` AND mode IN (?` + strings.Repeat(", ?", len(q.Modes)-1) + `)`
		args = append(args, toAny(q.Modes)...)
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	rs, err := scanRows(scanLegacyRun)(db.query(ctx, `SELECT `+legacyRunCols+` FROM legacy_runs WHERE `+where+
		` ORDER BY started_at DESC, id DESC`+limitSQL(q.Limit), args...))
	if err != nil {
		return nil, fmt.Errorf("store: legacy runs: %w", err)
	}
	return rs, nil
}

const legacyItemCols = `seq, run_id, kind, file, line, legacy_id, outcome, reason, detail, trygg_id`

func scanLegacyItem(s interface{ Scan(...any) error }) (LegacyItem, error) {
	var it LegacyItem
	err := s.Scan(&it.Seq, &it.RunID, &it.Kind, &it.File, &it.Line, &it.LegacyID, &it.Outcome, &it.Reason, &it.Detail, &it.TryggID)
	return it, err
}

// InsertLegacyItems adds report rows to run runID inside tx, with the
// sequence numbers the caller gave them.
func (tx *Tx) InsertLegacyItems(ctx context.Context, tenant trygg.TenantID, runID string, items []LegacyItem) error {
	const cols = 11
	for start := 0; start < len(items); start += maxRowsPerInsert {
		chunk := items[start:min(start+maxRowsPerInsert, len(items))]
		args := make([]any, 0, len(chunk)*cols)
		for _, it := range chunk {
			args = append(args, string(tenant), runID, it.Seq, it.Kind, it.File, it.Line, it.LegacyID, it.Outcome, it.Reason, it.Detail, it.TryggID)
		}
		if _, err := tx.exec(ctx, `INSERT INTO legacy_run_items (tenant_id, run_id, seq, kind, file, line, legacy_id, outcome, reason, detail, trygg_id)
			VALUES `+valueRows(len(chunk), cols), args...); err != nil {
			return fmt.Errorf("store: insert legacy items: %w", err)
		}
	}
	return nil
}

// LegacyItemQuery pages a run's report: rows after sequence number After,
// of one outcome and kind when set, at most Limit (0: 100).
type LegacyItemQuery struct {
	Outcome, Kind string
	After         int64
	Limit         int
}

// LegacyItems returns a page of run runID's report in the order the run
// met the records.
func (db *DB) LegacyItems(ctx context.Context, tenant trygg.TenantID, runID string, q LegacyItemQuery) ([]LegacyItem, error) {
	where := `tenant_id = ? AND run_id = ? AND seq > ?`
	args := []any{string(tenant), runID, q.After}
	if q.Outcome != "" {
		where += ` AND outcome = ?`
		args = append(args, q.Outcome)
	}
	if q.Kind != "" {
		where += ` AND kind = ?`
		args = append(args, q.Kind)
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	its, err := scanRows(scanLegacyItem)(db.query(ctx, `SELECT `+legacyItemCols+` FROM legacy_run_items WHERE `+where+` ORDER BY seq`+limitSQL(q.Limit), args...))
	if err != nil {
		return nil, fmt.Errorf("store: legacy items: %w", err)
	}
	return its, nil
}

// LegacyItemCounts returns how many report rows run runID has per kind
// and outcome.
func (db *DB) LegacyItemCounts(ctx context.Context, tenant trygg.TenantID, runID string) (LegacyCounts, error) {
	rows, err := db.query(ctx, `SELECT kind, outcome, COUNT(*) FROM legacy_run_items WHERE tenant_id = ? AND run_id = ? GROUP BY kind, outcome`,
		string(tenant), runID)
	if err != nil {
		return nil, fmt.Errorf("store: legacy item counts: %w", err)
	}
	defer rows.Close()
	out := LegacyCounts{}
	for rows.Next() {
		var kind, outcome string
		var n int64
		if err := rows.Scan(&kind, &outcome, &n); err != nil {
			return nil, fmt.Errorf("store: legacy item counts: %w", err)
		}
		out.Add(kind, outcome, n)
	}
	return out, rows.Err()
}

// inChunks calls fn with ids a chunk at a time, small enough for one
// statement's placeholders on both engines.
func inChunks(ids []string, fn func(chunk []string, in string) error) error {
	for start := 0; start < len(ids); start += maxRowsPerInsert {
		chunk := ids[start:min(start+maxRowsPerInsert, len(ids))]
		if err := fn(chunk, `(?`+strings.Repeat(", ?", len(chunk)-1)+`)`); err != nil {
			return err
		}
	}
	return nil
}

func legacyIDs(ctx context.Context, q rowsQuerier, tenant trygg.TenantID, source, kind string, ids []string) (map[string]LegacyID, error) {
	out := make(map[string]LegacyID, len(ids))
	err := inChunks(ids, func(chunk []string, in string) error {
		args := append([]any{string(tenant), source, kind}, toAny(chunk)...)
		rows, err := q.query(ctx, `SELECT legacy_id, trygg_id, outcome, run_id FROM legacy_ids
			WHERE tenant_id = ? AND source = ? AND kind = ? AND legacy_id IN `+in, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			l := LegacyID{Kind: kind}
			if err := rows.Scan(&l.LegacyID, &l.TryggID, &l.Outcome, &l.RunID); err != nil {
				return err
			}
			out[l.LegacyID] = l
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: legacy ids: %w", err)
	}
	return out, nil
}

// LegacyIDs returns which of the legacy ids of kind from source an import
// brought in, by legacy id; the others are not in the map.
func (db *DB) LegacyIDs(ctx context.Context, tenant trygg.TenantID, source, kind string, ids []string) (map[string]LegacyID, error) {
	return legacyIDs(ctx, db, tenant, source, kind, ids)
}

// LegacyIDs is LegacyIDs inside a write transaction.
func (tx *Tx) LegacyIDs(ctx context.Context, tenant trygg.TenantID, source, kind string, ids []string) (map[string]LegacyID, error) {
	return legacyIDs(ctx, tx, tenant, source, kind, ids)
}

// InsertLegacyIDs records inside tx what legacy records of source became;
// a legacy id recorded before is a conflict.
func (tx *Tx) InsertLegacyIDs(ctx context.Context, tenant trygg.TenantID, source string, ids []LegacyID) error {
	const cols = 7
	for start := 0; start < len(ids); start += maxRowsPerInsert {
		chunk := ids[start:min(start+maxRowsPerInsert, len(ids))]
		args := make([]any, 0, len(chunk)*cols)
		for _, l := range chunk {
			args = append(args, string(tenant), source, l.Kind, l.LegacyID, l.TryggID, l.Outcome, l.RunID)
		}
		_, err := tx.exec(ctx, `INSERT INTO legacy_ids (tenant_id, source, kind, legacy_id, trygg_id, outcome, run_id) VALUES `+valueRows(len(chunk), cols), args...)
		if tx.db.dialect.isUniqueViolation(err) {
			return trygg.Errorf(trygg.EConflict, "A legacy record was imported twice.")
		}
		if err != nil {
			return fmt.Errorf("store: insert legacy ids: %w", err)
		}
	}
	return nil
}

// LegacyIDCounts returns how many records of source are in trygg, per
// kind and outcome (created, mapped, merged).
func (db *DB) LegacyIDCounts(ctx context.Context, tenant trygg.TenantID, source string) (LegacyCounts, error) {
	rows, err := db.query(ctx, `SELECT kind, outcome, COUNT(*) FROM legacy_ids WHERE tenant_id = ? AND source = ? GROUP BY kind, outcome`,
		string(tenant), source)
	if err != nil {
		return nil, fmt.Errorf("store: legacy id counts: %w", err)
	}
	defer rows.Close()
	out := LegacyCounts{}
	for rows.Next() {
		var kind, outcome string
		var n int64
		if err := rows.Scan(&kind, &outcome, &n); err != nil {
			return nil, fmt.Errorf("store: legacy id counts: %w", err)
		}
		out.Add(kind, outcome, n)
	}
	return out, rows.Err()
}

// LegacyRefusals returns, of the legacy ids of kind, those the newest
// import of source that met them refused (imports and imports of persons,
// never dry runs), with that report row.
func (db *DB) LegacyRefusals(ctx context.Context, tenant trygg.TenantID, source, kind string, ids []string) (map[string]LegacyItem, error) {
	out := map[string]LegacyItem{}
	started := map[string]int64{}
	err := inChunks(ids, func(chunk []string, in string) error {
		args := append([]any{string(tenant), kind}, toAny(chunk)...)
		args = append(args, source, LegacyImport, LegacyPersons)
		rows, err := db.query(ctx, `SELECT i.seq, i.run_id, i.kind, i.file, i.line, i.legacy_id, i.outcome, i.reason, i.detail, i.trygg_id, r.started_at
			FROM legacy_run_items i JOIN legacy_runs r ON r.tenant_id = i.tenant_id AND r.id = i.run_id
			WHERE i.tenant_id = ? AND i.kind = ? AND i.legacy_id IN `+in+` AND r.source = ? AND r.mode IN (?, ?)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it LegacyItem
			var at int64
			if err := rows.Scan(&it.Seq, &it.RunID, &it.Kind, &it.File, &it.Line, &it.LegacyID, &it.Outcome, &it.Reason, &it.Detail, &it.TryggID, &at); err != nil {
				return err
			}
			// The newest run's row decides; within a run, the last row.
			if prev, ok := started[it.LegacyID]; ok && (at < prev || at == prev && it.Seq < out[it.LegacyID].Seq) {
				continue
			}
			started[it.LegacyID] = at
			out[it.LegacyID] = it
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: legacy refusals: %w", err)
	}
	for id, it := range out {
		if it.Outcome != LegacyRefused {
			delete(out, id)
		}
	}
	return out, nil
}

// InsertLegacyMarkers marks persons as having records in a district still
// in the old system, inside tx; a mark already there stays as it was.
func (tx *Tx) InsertLegacyMarkers(ctx context.Context, tenant trygg.TenantID, ms []LegacyMarker) error {
	const cols = 6
	for start := 0; start < len(ms); start += maxRowsPerInsert {
		chunk := ms[start:min(start+maxRowsPerInsert, len(ms))]
		args := make([]any, 0, len(chunk)*cols)
		for _, m := range chunk {
			args = append(args, string(tenant), m.PersonID, m.Source, m.System, m.District, micros(tx.Now))
		}
		if _, err := tx.exec(ctx, `INSERT INTO legacy_markers (tenant_id, person_id, source, system, district, marked_at) VALUES `+
			valueRows(len(chunk), cols)+` ON CONFLICT (tenant_id, person_id, source) DO NOTHING`, args...); err != nil {
			return fmt.Errorf("store: insert legacy markers: %w", err)
		}
	}
	return nil
}

// DeleteLegacyMarkers removes source's markers inside tx (the district has
// moved in) and returns how many there were.
func (tx *Tx) DeleteLegacyMarkers(ctx context.Context, tenant trygg.TenantID, source string) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM legacy_markers WHERE tenant_id = ? AND source = ?`, string(tenant), source)
	if err != nil {
		return 0, fmt.Errorf("store: delete legacy markers: %w", err)
	}
	return res.RowsAffected()
}

// LegacyMarkers returns the districts still in an old system where the
// person has records, oldest mark first.
func (db *DB) LegacyMarkers(ctx context.Context, tenant trygg.TenantID, personID string) ([]LegacyMarker, error) {
	ms, err := scanRows(func(s interface{ Scan(...any) error }) (LegacyMarker, error) {
		var m LegacyMarker
		var at int64
		err := s.Scan(&m.PersonID, &m.Source, &m.System, &m.District, &at)
		m.MarkedAt = fromMicros(at)
		return m, err
	})(db.query(ctx, `SELECT person_id, source, system, district, marked_at FROM legacy_markers WHERE tenant_id = ? AND person_id = ?
		ORDER BY marked_at, source`, string(tenant), personID))
	if err != nil {
		return nil, fmt.Errorf("store: legacy markers: %w", err)
	}
	return ms, nil
}

// SetPersonIdentity gives a person a new identity number inside tx (a
// samordningsnummer replaced by a personnummer); an identity another
// person has is a conflict.
func (tx *Tx) SetPersonIdentity(ctx context.Context, tenant trygg.TenantID, personID string, id persons.Identity) error {
	res, err := tx.exec(ctx, `UPDATE persons SET id_type = ?, id_value = ?, id_issuer = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
		string(id.Type), id.Value, id.Issuer, micros(tx.Now), string(tenant), personID)
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "A person with this identity number is already registered.")
	}
	if err != nil {
		return fmt.Errorf("store: set person identity: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.ErrNotFound
	}
	return nil
}

// AnalyzeTables refreshes the planner's statistics of tables, for a
// bulk load (a legacy import) that reads what it writes. A table that
// grew from a few rows within minutes keeps the statistics of a small one
// until they are taken again (on PostgreSQL by autovacuum when it comes
// round, on SQLite by serve's next start), and lookups of many keys in it
// are planned as scans of the whole table, each slower than the one
// before. PostgreSQL's ANALYZE samples a bounded number of rows whatever
// the table's size; on SQLite it is Optimize, which analyzes, with a
// bounded sample too, the tables whose size changed tenfold since.
func (db *DB) AnalyzeTables(ctx context.Context, tables ...string) error {
	if db.dialect.name() != "postgres" {
		return db.Optimize(ctx)
	}
	if len(tables) == 0 {
		return nil
	}
	for _, t := range tables {
		if strings.Trim(t, "abcdefghijklmnopqrstuvwxyz_") != "" {
			return fmt.Errorf("store: analyze: %q is not a table's name", t)
		}
	}
	db.statements.Add(1)
	if _, err := db.write.ExecContext(ctx, `ANALYZE `+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("store: analyze: %w", err)
	}
	return nil
}

// LegacyIDsOfKind returns every legacy id of kind from source an import
// brought in, by legacy id: for the small kinds (units, staff) a run
// keeps in memory.
func (db *DB) LegacyIDsOfKind(ctx context.Context, tenant trygg.TenantID, source, kind string) (map[string]LegacyID, error) {
	rows, err := db.query(ctx, `SELECT legacy_id, trygg_id, outcome, run_id FROM legacy_ids WHERE tenant_id = ? AND source = ? AND kind = ?`,
		string(tenant), source, kind)
	if err != nil {
		return nil, fmt.Errorf("store: legacy ids of kind: %w", err)
	}
	defer rows.Close()
	out := map[string]LegacyID{}
	for rows.Next() {
		l := LegacyID{Kind: kind}
		if err := rows.Scan(&l.LegacyID, &l.TryggID, &l.Outcome, &l.RunID); err != nil {
			return nil, fmt.Errorf("store: legacy ids of kind: %w", err)
		}
		out[l.LegacyID] = l
	}
	return out, rows.Err()
}

// byIDs reads rows of the tenant whose id column is one of ids inside
// tx, a chunk at a time, scanned by scan and keyed by key.
func byIDs[T any](ctx context.Context, tx *Tx, tenant trygg.TenantID, sel, idCol string, ids []string, scan func(interface{ Scan(...any) error }) (T, error), key func(T) string) (map[string]T, error) {
	out := make(map[string]T, len(ids))
	err := inChunks(ids, func(chunk []string, in string) error {
		vs, err := scanRows(scan)(tx.query(ctx, sel+` AND `+idCol+` IN `+in, append([]any{string(tenant)}, toAny(chunk)...)...))
		if err != nil {
			return err
		}
		for _, v := range vs {
			out[key(v)] = v
		}
		return nil
	})
	return out, err
}

// casesByIDCols are caseCols with the unit's path read by the case's
// unit: with the join of caseFrom, SQLite's planner (given statistics
// where every case has the tenant's id) reads the units first and each
// unit's cases for the ids, every case of the tenant per statement.
var casesByIDCols = strings.Replace(caseCols, "u.path", "(SELECT u.path FROM units u WHERE u.tenant_id = c.tenant_id AND u.id = c.unit_id)", 1)

// CasesByIDs returns the tenant's cases with ids inside tx, by id; an
// unknown id is left out.
func (tx *Tx) CasesByIDs(ctx context.Context, tenant trygg.TenantID, ids []string) (map[string]Case, error) {
	out, err := byIDs(ctx, tx, tenant, `SELECT `+casesByIDCols+` FROM cases c WHERE c.tenant_id = ?`, "c.id", ids, scanCase, func(c Case) string { return c.ID })
	if err != nil {
		return nil, fmt.Errorf("store: cases by ids: %w", err)
	}
	return out, nil
}

// DecisionsByIDs returns the tenant's decisions with ids inside tx, by
// id; an unknown id is left out.
func (tx *Tx) DecisionsByIDs(ctx context.Context, tenant trygg.TenantID, ids []string) (map[string]Decision, error) {
	out, err := byIDs(ctx, tx, tenant, `SELECT `+decisionCols+` FROM decisions WHERE tenant_id = ?`, "id", ids, scanDecision,
		func(d Decision) string { return d.ID })
	if err != nil {
		return nil, fmt.Errorf("store: decisions by ids: %w", err)
	}
	return out, nil
}

// OrdersByIDs returns the tenant's orders with ids inside tx, by id; an
// unknown id is left out.
func (tx *Tx) OrdersByIDs(ctx context.Context, tenant trygg.TenantID, ids []string) (map[string]Order, error) {
	out, err := byIDs(ctx, tx, tenant, `SELECT `+orderSelect+` FROM orders WHERE tenant_id = ?`, "id", ids, scanOrder,
		func(o Order) string { return o.ID })
	if err != nil {
		return nil, fmt.Errorf("store: orders by ids: %w", err)
	}
	return out, nil
}

// PersonsByIDs returns the tenant's persons with ids inside tx, by id,
// unchecked by access; an unknown id is left out.
func (tx *Tx) PersonsByIDs(ctx context.Context, tenant trygg.TenantID, ids []string) (map[string]persons.Person, error) {
	out, err := byIDs(ctx, tx, tenant, `SELECT `+personCols+` FROM persons p WHERE p.tenant_id = ?`, "p.id", ids, scanPerson,
		func(p persons.Person) string { return p.ID })
	if err != nil {
		return nil, fmt.Errorf("store: persons by ids: %w", err)
	}
	return out, nil
}

// PersonIDsByIdentity returns inside tx the ids of the tenant's persons
// with the identities ids, by identityKey; an identity no person has is
// left out. It reads a statement per kind of identity and chunk.
func (tx *Tx) PersonIDsByIdentity(ctx context.Context, tenant trygg.TenantID, ids []persons.Identity) (map[string]string, error) {
	type kind struct{ typ, issuer string }
	values := map[kind][]string{}
	seen := map[string]bool{}
	for _, id := range ids {
		if k := IdentityKey(id); !seen[k] {
			seen[k] = true
			values[kind{string(id.Type), id.Issuer}] = append(values[kind{string(id.Type), id.Issuer}], id.Value)
		}
	}
	out := make(map[string]string, len(ids))
	for k, vs := range values {
		err := inChunks(vs, func(chunk []string, in string) error {
			rows, err := tx.query(ctx, `SELECT id, id_value FROM persons WHERE tenant_id = ? AND id_type = ? AND id_issuer = ? AND id_value IN `+in,
				append([]any{string(tenant), k.typ, k.issuer}, toAny(chunk)...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, value string
				if err := rows.Scan(&id, &value); err != nil {
					return err
				}
				out[IdentityKey(persons.Identity{Type: persons.IDType(k.typ), Issuer: k.issuer, Value: value})] = id
			}
			return rows.Err()
		})
		if err != nil {
			return nil, fmt.Errorf("store: persons by identity: %w", err)
		}
	}
	return out, nil
}

// IdentityKey is an identity's key in PersonIDsByIdentity's map: its
// type, issuer and value.
func IdentityKey(id persons.Identity) string {
	return string(id.Type) + "|" + id.Issuer + "|" + id.Value
}

// PaymentLineKeys returns, of the decisions with ids, which item and
// period each already has a line for (not a stop or a replacement), as
// "decision|item|period", inside tx.
func (tx *Tx) PaymentLineKeys(ctx context.Context, tenant trygg.TenantID, decisionIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := inChunks(decisionIDs, func(chunk []string, in string) error {
		keys, err := scanRows(scanString)(tx.query(ctx, `SELECT decision_id || '|' || item || '|' || period FROM payment_lines
			WHERE tenant_id = ? AND reverses = '' AND replaces = '' AND decision_id IN `+in, append([]any{string(tenant)}, toAny(chunk)...)...))
		for _, k := range keys {
			out[k] = true
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: payment line keys: %w", err)
	}
	return out, nil
}

// legacyTables is the table each kind's records become.
var legacyTables = map[string]string{"units": "units", "staff": "users", "persons": "persons", "relations": "person_relations",
	"cases": "cases", "forms": "form_entries", "decisions": "decisions", "notes": "journal_notes", "documents": "attachments",
	"orders": "orders", "performed": "performed", "payments": "payment_lines"}

// LegacyMissing returns how many records of kind that source brought in
// trygg no longer has (a row purged, say).
func (db *DB) LegacyMissing(ctx context.Context, tenant trygg.TenantID, source, kind string) (int64, error) {
	table, ok := legacyTables[kind]
	if !ok {
		return 0, fmt.Errorf("store: legacy missing: unknown kind %q", kind)
	}
	var n int64
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM legacy_ids li WHERE li.tenant_id = ? AND li.source = ? AND li.kind = ?
		AND NOT EXISTS (SELECT 1 FROM `+table+` t WHERE t.tenant_id = li.tenant_id AND t.id = li.trygg_id)`, string(tenant), source, kind).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: legacy missing: %w", err)
	}
	return n, nil
}

func countsByPerson(ctx context.Context, db *DB, q string, args ...any) (map[string]int64, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// LegacyOpenDecisions returns, per person, how many of the decisions
// source brought in are in force on the day today (YYYY-MM-DD): final,
// not refused, valid to today or later or without an end.
func (db *DB) LegacyOpenDecisions(ctx context.Context, tenant trygg.TenantID, source, today string) (map[string]int64, error) {
	out, err := countsByPerson(ctx, db, `SELECT c.person_id, COUNT(*) FROM legacy_ids li
		JOIN decisions d ON d.tenant_id = li.tenant_id AND d.id = li.trygg_id
		JOIN cases c ON c.tenant_id = d.tenant_id AND c.id = d.case_id
		WHERE li.tenant_id = ? AND li.source = ? AND li.kind = 'decisions' AND d.status = 'final' AND d.outcome <> 'refused'
		AND (d.valid_to = '' OR d.valid_to >= ?) GROUP BY c.person_id`, string(tenant), source, today)
	if err != nil {
		return nil, fmt.Errorf("store: legacy open decisions: %w", err)
	}
	return out, nil
}

// LegacyRunningOrders returns, per person, how many of the orders source
// brought in are running (sent or accepted).
func (db *DB) LegacyRunningOrders(ctx context.Context, tenant trygg.TenantID, source string) (map[string]int64, error) {
	out, err := countsByPerson(ctx, db, `SELECT o.person_id, COUNT(*) FROM legacy_ids li
		JOIN orders o ON o.tenant_id = li.tenant_id AND o.id = li.trygg_id
		WHERE li.tenant_id = ? AND li.source = ? AND li.kind = 'orders' AND o.status IN (?, ?) GROUP BY o.person_id`,
		string(tenant), source, OrderSent, OrderAccepted)
	if err != nil {
		return nil, fmt.Errorf("store: legacy running orders: %w", err)
	}
	return out, nil
}

// LegacyPaymentSum returns the sum in öre of the payment lines source
// brought in.
func (db *DB) LegacyPaymentSum(ctx context.Context, tenant trygg.TenantID, source string) (int64, error) {
	var n int64
	err := db.queryRow(ctx, `SELECT COALESCE(SUM(l.amount), 0) FROM legacy_ids li JOIN payment_lines l ON l.tenant_id = li.tenant_id AND l.id = li.trygg_id
		WHERE li.tenant_id = ? AND li.source = ? AND li.kind = 'payments'`, string(tenant), source).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: legacy payment sum: %w", err)
	}
	return n, nil
}

// LegacyTableRows returns how many rows the tenant has in each table an
// import writes (and the event log and legacy_ids): what a dry run must
// leave as it was, and a re-run of a finished import too.
func (db *DB) LegacyTableRows(ctx context.Context, tenant trygg.TenantID) (map[string]int64, error) {
	out := map[string]int64{}
	tables := []string{"events", "legacy_ids", "legacy_markers"}
	for _, t := range legacyTables {
		tables = append(tables, t)
	}
	for _, t := range tables {
		var n int64
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM `+t+` WHERE tenant_id = ?`, string(tenant)).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: legacy table rows: %w", err)
		}
		out[t] = n
	}
	return out, nil
}
