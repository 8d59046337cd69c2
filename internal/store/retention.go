package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/trygg"
)

// RetentionCase is what a retention preview needs of one case: its
// person, type, whether and when it was closed, its newest entry (the
// newest event that is not the archive's or a purge's own) and the
// insatser of its decisions.
type RetentionCase struct {
	ID, PersonID, CaseType string
	PersonBirthDate        string
	ClosedAt               time.Time // zero while open
	LastSeq                int64
	LastAt                 time.Time
	Insatser               []string
	// OpenDebt: a recovery debt on the case is not repaid.
	OpenDebt bool
}

// lastEntrySQL is a case's newest entry: the retention run's and the
// archive's own events are not entries in the personakt.
const lastEntrySQL = `FROM events e WHERE e.tenant_id = c.tenant_id AND e.case_id = c.id
	AND e.type NOT IN ('case.archived', 'case.purged') ORDER BY e.seq DESC LIMIT 1`

// RetentionCases returns tenant's cases that are not purged, with their
// persons' birth dates, ordered by person; personID narrows them to one
// person.
func (db *DB) RetentionCases(ctx context.Context, tenant trygg.TenantID, personID string) ([]RetentionCase, error) {
	q := `SELECT c.id, c.person_id, c.case_type, p.birth_date, c.closed_at,
		COALESCE((SELECT e.seq ` + lastEntrySQL + `), 0),
		COALESCE((SELECT e.at ` + lastEntrySQL + `), c.opened_at)
		FROM cases c JOIN persons p ON p.tenant_id = c.tenant_id AND p.id = c.person_id
		WHERE c.tenant_id = ? AND c.status <> 'purged'`
	args := []any{string(tenant)}
	if personID != "" {
		q += ` AND c.person_id = ?`
		args = append(args, personID)
	}
	rows, err := db.query(ctx, q+` ORDER BY c.person_id, c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: retention cases: %w", err)
	}
	var out []RetentionCase
	idx := map[string]int{}
	for rows.Next() {
		var c RetentionCase
		var closed, last int64
		if err := rows.Scan(&c.ID, &c.PersonID, &c.CaseType, &c.PersonBirthDate, &closed, &c.LastSeq, &last); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: retention cases: %w", err)
		}
		if closed > 0 {
			c.ClosedAt = fromMicros(closed)
		}
		c.LastAt = fromMicros(last)
		idx[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: retention cases: %w", err)
	}
	q = `SELECT DISTINCT d.case_id, d.insats FROM decisions d`
	args = []any{string(tenant)}
	if personID != "" {
		q += ` JOIN cases c ON c.tenant_id = d.tenant_id AND c.id = d.case_id WHERE d.tenant_id = ? AND c.person_id = ?`
		args = append(args, personID)
	} else {
		q += ` WHERE d.tenant_id = ?`
	}
	rows, err = db.query(ctx, q+` ORDER BY d.case_id, d.insats`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: retention cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid, insats string
		if err := rows.Scan(&cid, &insats); err != nil {
			return nil, fmt.Errorf("store: retention cases: %w", err)
		}
		if i, ok := idx[cid]; ok {
			out[i].Insatser = append(out[i].Insatser, insats)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: retention cases: %w", err)
	}
	rows.Close()
	rows, err = db.query(ctx, `SELECT DISTINCT case_id FROM recovery_debts WHERE tenant_id = ? AND repaid < amount`, string(tenant))
	if err != nil {
		return nil, fmt.Errorf("store: retention cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid string
		if err := rows.Scan(&cid); err != nil {
			return nil, fmt.Errorf("store: retention cases: %w", err)
		}
		if i, ok := idx[cid]; ok {
			out[i].OpenDebt = true
		}
	}
	return out, rows.Err()
}

// RetentionPreview is a stored preview of a retention run and, once run,
// the head of its protocol.
type RetentionPreview struct {
	ID, AsOf                                     string
	DefinitionVersion                            int64
	Fingerprint                                  string
	Persons, PurgeCount, ArchiveCount, KeepCount int
	CreatedBy                                    string
	CreatedAt                                    time.Time
	Status                                       string
	ApprovedBy                                   string
	ApprovedAt                                   time.Time
	RunBy                                        string
	StartedAt, FinishedAt                        time.Time
	AccessLogRemoved                             int64
}

// RetentionItem is one case of a preview: what the run does to it and,
// once done, when and how many rows of each table it removed or blanked.
type RetentionItem struct {
	CaseID, PersonID, Action, Rule string
	// Reason says why a case due is kept ("open_debt"); "" otherwise.
	Reason             string
	DutyFrom, Deadline string
	Fingerprint        string
	DoneAt             time.Time
	Counts             string // JSON: table -> rows
	PackageID          string
}

// Retention statuses.
const (
	RetentionPreviewed = "previewed"
	RetentionApproved  = "approved"
	RetentionRunning   = "running"
	RetentionDone      = "done"
)

const previewCols = `id, as_of, definition_version, fingerprint, persons, purge_count, archive_count, keep_count,
	created_by, created_at, status, approved_by, approved_at, run_by, started_at, finished_at, access_log_removed`

// InsertRetentionPreview stores a preview and its items.
func (tx *Tx) InsertRetentionPreview(ctx context.Context, tenant trygg.TenantID, p RetentionPreview, items []RetentionItem) error {
	_, err := tx.exec(ctx, `INSERT INTO retention_previews (tenant_id, `+previewCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, '', 0, 0, 0)`,
		string(tenant), p.ID, p.AsOf, p.DefinitionVersion, p.Fingerprint, p.Persons, p.PurgeCount, p.ArchiveCount, p.KeepCount,
		p.CreatedBy, micros(tx.Now), RetentionPreviewed)
	if err != nil {
		return fmt.Errorf("store: retention preview: %w", err)
	}
	const n = 100
	for start := 0; start < len(items); start += n {
		batch := items[start:min(start+n, len(items))]
		q := `INSERT INTO retention_items (tenant_id, preview_id, case_id, person_id, action, rule, reason, duty_from, deadline, fingerprint) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?,?,?),", len(batch)), ",")
		args := make([]any, 0, 10*len(batch))
		for _, it := range batch {
			args = append(args, string(tenant), p.ID, it.CaseID, it.PersonID, it.Action, it.Rule, it.Reason, it.DutyFrom, it.Deadline, it.Fingerprint)
		}
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("store: retention items: %w", err)
		}
	}
	return nil
}

func scanPreview(sc interface{ Scan(...any) error }) (RetentionPreview, error) {
	var p RetentionPreview
	var created, approved, started, finished int64
	err := sc.Scan(&p.ID, &p.AsOf, &p.DefinitionVersion, &p.Fingerprint, &p.Persons, &p.PurgeCount, &p.ArchiveCount, &p.KeepCount,
		&p.CreatedBy, &created, &p.Status, &p.ApprovedBy, &approved, &p.RunBy, &started, &finished, &p.AccessLogRemoved)
	p.CreatedAt = fromMicros(created)
	if approved > 0 {
		p.ApprovedAt = fromMicros(approved)
	}
	if started > 0 {
		p.StartedAt = fromMicros(started)
	}
	if finished > 0 {
		p.FinishedAt = fromMicros(finished)
	}
	return p, err
}

// RetentionPreview returns tenant's preview id; an unknown id is not found.
func (db *DB) RetentionPreview(ctx context.Context, tenant trygg.TenantID, id string) (RetentionPreview, error) {
	p, err := scanPreview(db.queryRow(ctx, `SELECT `+previewCols+` FROM retention_previews WHERE tenant_id = ? AND id = ?`, string(tenant), id))
	if err != nil {
		return p, fmt.Errorf("store: retention preview: %w", notFound(err, "Retention preview"))
	}
	return p, nil
}

// RetentionPreviewForUpdate is RetentionPreview inside tx, locking the row
// on PostgreSQL so two runs of one preview wait for each other.
func (tx *Tx) RetentionPreviewForUpdate(ctx context.Context, tenant trygg.TenantID, id string) (RetentionPreview, error) {
	p, err := scanPreview(tx.queryRow(ctx, `SELECT `+previewCols+` FROM retention_previews WHERE tenant_id = ? AND id = ?`+tx.db.dialect.forUpdate(), string(tenant), id))
	if err != nil {
		return p, fmt.Errorf("store: retention preview: %w", notFound(err, "Retention preview"))
	}
	return p, nil
}

// RetentionPreviews returns tenant's previews, newest first: the protocol's
// list.
func (db *DB) RetentionPreviews(ctx context.Context, tenant trygg.TenantID) ([]RetentionPreview, error) {
	rows, err := db.query(ctx, `SELECT `+previewCols+` FROM retention_previews WHERE tenant_id = ? ORDER BY created_at DESC, id DESC`, string(tenant))
	if err != nil {
		return nil, fmt.Errorf("store: retention previews: %w", err)
	}
	defer rows.Close()
	out := []RetentionPreview{}
	for rows.Next() {
		p, err := scanPreview(rows)
		if err != nil {
			return nil, fmt.Errorf("store: retention previews: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RetentionItems returns a preview's items by person and case.
func (db *DB) RetentionItems(ctx context.Context, tenant trygg.TenantID, previewID string) ([]RetentionItem, error) {
	rows, err := db.query(ctx, `SELECT case_id, person_id, action, rule, reason, duty_from, deadline, fingerprint, done_at, counts, package_id
		FROM retention_items WHERE tenant_id = ? AND preview_id = ? ORDER BY person_id, case_id`, string(tenant), previewID)
	if err != nil {
		return nil, fmt.Errorf("store: retention items: %w", err)
	}
	defer rows.Close()
	out := []RetentionItem{}
	for rows.Next() {
		var it RetentionItem
		var done int64
		if err := rows.Scan(&it.CaseID, &it.PersonID, &it.Action, &it.Rule, &it.Reason, &it.DutyFrom, &it.Deadline, &it.Fingerprint, &done, &it.Counts, &it.PackageID); err != nil {
			return nil, fmt.Errorf("store: retention items: %w", err)
		}
		if done > 0 {
			it.DoneAt = fromMicros(done)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// SetRetentionStatus moves a preview from status from to status to,
// recording who and when for approved, running and done; it is a conflict
// when the preview is not in from (another did it first).
func (tx *Tx) SetRetentionStatus(ctx context.Context, tenant trygg.TenantID, id, from, to, actor string, accessLogRemoved int64) error {
	q := `UPDATE retention_previews SET status = ?`
	args := []any{to}
	switch to {
	case RetentionApproved:
		q += `, approved_by = ?, approved_at = ?`
		args = append(args, actor, micros(tx.Now))
	case RetentionRunning:
		q += `, run_by = ?, started_at = ?`
		args = append(args, actor, micros(tx.Now))
	case RetentionDone:
		q += `, finished_at = ?, access_log_removed = ?`
		args = append(args, micros(tx.Now), accessLogRemoved)
	}
	res, err := tx.exec(ctx, q+` WHERE tenant_id = ? AND id = ? AND status = ?`, append(args, string(tenant), id, from)...)
	if err != nil {
		return fmt.Errorf("store: retention status: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return trygg.Errorf(trygg.EConflict, "The retention preview is no longer %s.", from)
	}
	return nil
}

// MarkRetentionItemDone checkpoints one case of a run.
func (tx *Tx) MarkRetentionItemDone(ctx context.Context, tenant trygg.TenantID, previewID, caseID, counts, packageID string) error {
	res, err := tx.exec(ctx, `UPDATE retention_items SET done_at = ?, counts = ?, package_id = ?
		WHERE tenant_id = ? AND preview_id = ? AND case_id = ? AND done_at = 0`, micros(tx.Now), counts, packageID, string(tenant), previewID, caseID)
	if err != nil {
		return fmt.Errorf("store: retention item: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return trygg.Errorf(trygg.EConflict, "This case of the retention run is already done.")
	}
	return nil
}

// InsertRetentionPackage keeps an archive package a run delivered.
func (tx *Tx) InsertRetentionPackage(ctx context.Context, tenant trygg.TenantID, previewID, packageID, sha string, content []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO retention_packages (tenant_id, preview_id, package_id, sha256, content, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		string(tenant), previewID, packageID, sha, content, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: retention package: %w", err)
	}
	return nil
}

// purgeSteps are what purging a case does, table by table, in an order
// the foreign keys allow; each runs with (tenant, case id) and counts
// its rows under its name.
var purgeSteps = []struct{ name, sql string }{
	{"form_entries", `DELETE FROM form_entries WHERE tenant_id = ? AND case_id = ?`},
	{"journal_notes", `DELETE FROM journal_notes WHERE tenant_id = ? AND case_id = ?`},
	{"attachments", `DELETE FROM attachments WHERE tenant_id = ? AND case_id = ?`},
	{"timers", `DELETE FROM timers WHERE tenant_id = ? AND case_id = ?`},
	{"tasks", `DELETE FROM tasks WHERE tenant_id = ? AND case_id = ?`},
	{"bookings", `DELETE FROM bookings WHERE tenant_id = ? AND case_id = ?`},
	{"case_message_reads", `DELETE FROM case_message_reads WHERE tenant_id = ? AND case_id = ?`},
	{"case_messages", `DELETE FROM case_messages WHERE tenant_id = ? AND case_id = ?`},
	{"secrecy_releases", `DELETE FROM secrecy_releases WHERE tenant_id = ? AND case_id = ?`},
	{"secrecy_marks", `DELETE FROM secrecy_marks WHERE tenant_id = ? AND case_id = ?`},
	{"goal_comments", `DELETE FROM goal_comments WHERE tenant_id = ? AND case_id = ?`},
	{"order_plans", `DELETE FROM order_plans WHERE tenant_id = ? AND order_id IN (SELECT id FROM orders WHERE tenant_id = ? AND case_id = ?)`},
	{"performed", `DELETE FROM performed WHERE tenant_id = ? AND order_id IN (SELECT id FROM orders WHERE tenant_id = ? AND case_id = ?)`},
	{"order_follow_ups", `DELETE FROM order_follow_ups WHERE tenant_id = ? AND order_id IN (SELECT id FROM orders WHERE tenant_id = ? AND case_id = ?)`},
	{"orders", `DELETE FROM orders WHERE tenant_id = ? AND case_id = ?`},
	{"decision_execution", `DELETE FROM decision_execution WHERE tenant_id = ? AND case_id = ?`},
	{"recovery_repayments", `DELETE FROM recovery_repayments WHERE tenant_id = ? AND debt_id IN (SELECT id FROM recovery_debts WHERE tenant_id = ? AND case_id = ?)`},
	{"recovery_debt_payments", `DELETE FROM recovery_debt_payments WHERE tenant_id = ? AND debt_id IN (SELECT id FROM recovery_debts WHERE tenant_id = ? AND case_id = ?)`},
	{"recovery_debts", `DELETE FROM recovery_debts WHERE tenant_id = ? AND case_id = ?`},
	{"letters_out", `DELETE FROM letters_out WHERE tenant_id = ? AND case_id = ?`},
	// Bookkeeping keeps its lines and totals; their personal links go.
	{"payment_lines", `UPDATE payment_lines SET person_id = '', payee_id = '' WHERE tenant_id = ? AND case_id = ?`},
	{"payment_control_findings", `UPDATE payment_control_findings SET person_id = '' WHERE tenant_id = ? AND case_id = ?`},
	// A decision payment lines point at stays as an empty shell.
	{"decisions", `UPDATE decisions SET justification = '', appeal_notice = '', legal_basis = '', calculation = ''
		WHERE tenant_id = ? AND case_id = ? AND id IN (SELECT decision_id FROM payment_lines WHERE tenant_id = ? AND case_id = ?)`},
	{"decisions", `DELETE FROM decisions WHERE tenant_id = ? AND case_id = ? AND id NOT IN (SELECT decision_id FROM payment_lines WHERE tenant_id = ? AND case_id = ?)`},
	{"events", `UPDATE events SET payload = '{}' WHERE tenant_id = ? AND case_id = ?`},
	{"cases", `UPDATE cases SET status = 'purged', title = '', assigned_to = '', step = '' WHERE tenant_id = ? AND id = ?`},
}

// PurgeCase purges tenant's case inside tx (docs/retention.md: what
// "purged" means) and returns the rows removed or blanked per table.
func (tx *Tx) PurgeCase(ctx context.Context, tenant trygg.TenantID, caseID string) (map[string]int64, error) {
	counts := map[string]int64{}
	for _, s := range purgeSteps {
		args := []any{string(tenant), caseID}
		if n := strings.Count(s.sql, "?"); n == 3 {
			args = []any{string(tenant), string(tenant), caseID}
		} else if n == 4 {
			args = []any{string(tenant), caseID, string(tenant), caseID}
		}
		res, err := tx.exec(ctx, s.sql, args...)
		if err != nil {
			return nil, fmt.Errorf("store: purge case (%s): %w", s.name, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			counts[s.name] += n
		}
	}
	if counts["cases"] != 1 {
		return nil, fmt.Errorf("store: purge case: %w", notFound(sql.ErrNoRows, "Case"))
	}
	return counts, nil
}

// PurgePersonIfDone blanks tenant's person once none of their cases is
// left unpurged and no relation or user points at them: name, identity
// number, birth date, sex and address go, their own relations, payees
// and drafts are deleted and their events' payloads emptied. It returns
// the rows touched per table, empty when the person stays.
func (tx *Tx) PurgePersonIfDone(ctx context.Context, tenant trygg.TenantID, personID string) (map[string]int64, error) {
	var left int
	err := tx.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM cases WHERE tenant_id = ? AND person_id = ? AND status <> 'purged') +
		(SELECT COUNT(*) FROM users WHERE tenant_id = ? AND person_id = ?) +
		(SELECT COUNT(*) FROM person_relations WHERE tenant_id = ? AND from_person_id = ?)`,
		string(tenant), personID, string(tenant), personID, string(tenant), personID).Scan(&left)
	if err != nil {
		return nil, fmt.Errorf("store: purge person: %w", err)
	}
	counts := map[string]int64{}
	if left > 0 {
		return counts, nil
	}
	steps := []struct{ name, sql string }{
		{"person_relations", `DELETE FROM person_relations WHERE tenant_id = ? AND to_person_id = ?`},
		{"application_drafts", `DELETE FROM application_drafts WHERE tenant_id = ? AND person_id = ?`},
		{"attachments", `DELETE FROM attachments WHERE tenant_id = ? AND person_id = ?`},
		{"payee_account_changes", `DELETE FROM payee_account_changes WHERE tenant_id = ? AND payee_id IN (SELECT id FROM payees WHERE tenant_id = ? AND person_id = ?)`},
		{"payees", `DELETE FROM payees WHERE tenant_id = ? AND person_id = ?`},
		{"events", `UPDATE events SET payload = '{}' WHERE tenant_id = ? AND person_id = ?`},
		{"persons", `UPDATE persons SET given_name = '', family_name = '', name_search = '', birth_date = '', sex = '',
			street = '', postal_code = '', city = '', died_on = '', id_type = 'purged', id_issuer = '', id_value = id WHERE tenant_id = ? AND id = ?`},
	}
	for _, s := range steps {
		args := []any{string(tenant), personID}
		if strings.Count(s.sql, "?") == 3 {
			args = []any{string(tenant), string(tenant), personID}
		}
		res, err := tx.exec(ctx, s.sql, args...)
		if err != nil {
			return nil, fmt.Errorf("store: purge person (%s): %w", s.name, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			counts[s.name] += n
		}
	}
	return counts, nil
}

// AccessLogCheckpoint is where removed access-log rows ended.
type AccessLogCheckpoint struct {
	Seq     int64
	Hash    string
	Removed int64
	At      time.Time
	MAC     string
}

// PruneAccessLog removes tenant's access-log rows written before cutoff,
// after writing a checkpoint with the last removed row's seq and hash,
// signed by sign; it returns the number removed (0 and no checkpoint when
// none is that old).
func (tx *Tx) PruneAccessLog(ctx context.Context, tenant trygg.TenantID, cutoff time.Time, sign func(AccessLogCheckpoint) string) (int64, error) {
	var cp AccessLogCheckpoint
	err := tx.queryRow(ctx, `SELECT seq, hash FROM access_log WHERE tenant_id = ? AND at < ? ORDER BY seq DESC LIMIT 1`, string(tenant), micros(cutoff)).Scan(&cp.Seq, &cp.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: prune access log: %w", err)
	}
	// A row's further records go with it (access_log_subjects); Removed
	// counts rows, the chain's links.
	if _, err := tx.exec(ctx, `DELETE FROM access_log_subjects WHERE tenant_id = ? AND seq <= ?`, string(tenant), cp.Seq); err != nil {
		return 0, fmt.Errorf("store: prune access log: %w", err)
	}
	res, err := tx.exec(ctx, `DELETE FROM access_log WHERE tenant_id = ? AND seq <= ?`, string(tenant), cp.Seq)
	if err != nil {
		return 0, fmt.Errorf("store: prune access log: %w", err)
	}
	cp.Removed, _ = res.RowsAffected()
	cp.At = tx.Now
	cp.MAC = sign(cp)
	if _, err := tx.exec(ctx, `INSERT INTO access_log_checkpoints (tenant_id, seq, hash, removed, at, mac) VALUES (?, ?, ?, ?, ?, ?)`,
		string(tenant), cp.Seq, cp.Hash, cp.Removed, micros(cp.At), cp.MAC); err != nil {
		return 0, fmt.Errorf("store: prune access log: %w", err)
	}
	return cp.Removed, nil
}

// LatestAccessLogCheckpoint returns tenant's newest checkpoint, and false
// when the log was never pruned.
func (db *DB) LatestAccessLogCheckpoint(ctx context.Context, tenant trygg.TenantID) (AccessLogCheckpoint, bool, error) {
	var cp AccessLogCheckpoint
	var at int64
	err := db.queryRow(ctx, `SELECT seq, hash, removed, at, mac FROM access_log_checkpoints WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1`, string(tenant)).
		Scan(&cp.Seq, &cp.Hash, &cp.Removed, &at, &cp.MAC)
	if errors.Is(err, sql.ErrNoRows) {
		return cp, false, nil
	}
	if err != nil {
		return cp, false, fmt.Errorf("store: access log checkpoint: %w", err)
	}
	cp.At = fromMicros(at)
	return cp, true, nil
}

// SetAccessLogKey sets the key that signs and checks the access log's
// retention checkpoints; without one, pruning is refused and a checkpoint
// is reported as unchecked.
func (db *DB) SetAccessLogKey(key []byte) { db.accessLogKey = key }

// HasAccessLogKey reports whether a checkpoint key is set.
func (db *DB) HasAccessLogKey() bool { return len(db.accessLogKey) > 0 }

// SignAccessLogCheckpoint is the checkpoint's signature under the key.
func (db *DB) SignAccessLogCheckpoint(tenant trygg.TenantID, cp AccessLogCheckpoint) string {
	return audit.CheckpointMAC(db.accessLogKey, tenant, cp.Seq, cp.Hash, cp.Removed, cp.At)
}

// RetentionTask is the archivists' warning that the purge duty of Cases
// cases ends on Deadline (31 December of the year after it arose).
type RetentionTask struct {
	Deadline  string    `json:"deadline"`
	Cases     int       `json:"cases"`
	Title     string    `json:"title"`
	CreatedAt time.Time `json:"created_at"`
	DoneAt    time.Time `json:"done_at"`
}

// InsertRetentionTask adds the warning for t.Deadline unless tenant has
// one for that deadline already (open or done); it reports whether it did.
func (tx *Tx) InsertRetentionTask(ctx context.Context, tenant trygg.TenantID, t RetentionTask) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO retention_tasks (tenant_id, deadline, cases, title, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, deadline) DO NOTHING`, string(tenant), t.Deadline, t.Cases, t.Title, micros(tx.Now))
	if err != nil {
		return false, fmt.Errorf("store: retention task: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// CloseRetentionTask marks tenant's open warning for deadline done; it
// reports whether one was open.
func (tx *Tx) CloseRetentionTask(ctx context.Context, tenant trygg.TenantID, deadline string) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE retention_tasks SET done_at = ? WHERE tenant_id = ? AND deadline = ? AND done_at = 0`,
		micros(tx.Now), string(tenant), deadline)
	if err != nil {
		return false, fmt.Errorf("store: retention task: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RetentionTasks returns tenant's warnings, the nearest deadline first;
// open leaves out those done.
func (db *DB) RetentionTasks(ctx context.Context, tenant trygg.TenantID, open bool) ([]RetentionTask, error) {
	q := `SELECT deadline, cases, title, created_at, done_at FROM retention_tasks WHERE tenant_id = ?`
	if open {
		q += ` AND done_at = 0`
	}
	rows, err := db.query(ctx, q+` ORDER BY deadline`, string(tenant))
	if err != nil {
		return nil, fmt.Errorf("store: retention tasks: %w", err)
	}
	defer rows.Close()
	out := []RetentionTask{}
	for rows.Next() {
		var t RetentionTask
		var created, done int64
		if err := rows.Scan(&t.Deadline, &t.Cases, &t.Title, &created, &done); err != nil {
			return nil, fmt.Errorf("store: retention tasks: %w", err)
		}
		t.CreatedAt = fromMicros(created)
		if done > 0 {
			t.DoneAt = fromMicros(done)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
