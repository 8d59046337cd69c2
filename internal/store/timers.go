package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// Timer is a durable timer of a case's deadline.
type Timer struct {
	ID         string    `json:"id"`
	CaseID     string    `json:"case_id"`
	DeadlineID string    `json:"deadline_id"`
	Kind       string    `json:"kind"`
	DueDate    string    `json:"due_date"`
	FireAt     time.Time `json:"fire_at"`
	Status     string    `json:"status"` // pending, fired, cancelled
}

// InsertTimer adds a pending timer inside tx.
func (tx *Tx) InsertTimer(ctx context.Context, tenant trygg.TenantID, t Timer) error {
	_, err := tx.exec(ctx, `INSERT INTO timers (tenant_id, id, case_id, deadline_id, kind, due_date, fire_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
		string(tenant), t.ID, t.CaseID, t.DeadlineID, t.Kind, t.DueDate, micros(t.FireAt))
	if err != nil {
		return fmt.Errorf("store: insert timer: %w", err)
	}
	return tx.refreshNextDue(ctx, tenant, t.CaseID)
}

// noDue is the stored next_due of a case without running deadlines.
const noDue = "9999-12-31"

// refreshNextDue stores the case's nearest due date of its pending
// deadlines and follow-ups (warnings do not count), inside tx. The
// subquery names the tenant itself: Citus sends an UPDATE whose subquery
// is tied to the updated row only by a join to every shard.
func (tx *Tx) refreshNextDue(ctx context.Context, tenant trygg.TenantID, caseID string) error {
	_, err := tx.exec(ctx, `UPDATE cases SET next_due = COALESCE((SELECT MIN(t.due_date) FROM timers t WHERE t.tenant_id = ?
		AND t.case_id = cases.id AND t.status = 'pending' AND t.kind <> 'warning'), '`+noDue+`') WHERE tenant_id = ? AND id = ?`, string(tenant), string(tenant), caseID)
	if err != nil {
		return fmt.Errorf("store: next due: %w", err)
	}
	return nil
}

// CancelTimers cancels the case's pending timers of a deadline and closes
// the open tasks they made, inside tx. It returns how many timers it
// cancelled.
func (tx *Tx) CancelTimers(ctx context.Context, tenant trygg.TenantID, caseID, deadlineID string) (int64, error) {
	res, err := tx.exec(ctx, `UPDATE timers SET status = 'cancelled' WHERE tenant_id = ? AND case_id = ? AND deadline_id = ? AND status = 'pending'`,
		string(tenant), caseID, deadlineID)
	if err != nil {
		return 0, fmt.Errorf("store: cancel timers: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.exec(ctx, `UPDATE tasks SET done_at = ? WHERE tenant_id = ? AND case_id = ? AND deadline_id = ? AND done_at = 0`,
		micros(tx.Now), string(tenant), caseID, deadlineID); err != nil {
		return 0, fmt.Errorf("store: close deadline tasks: %w", err)
	}
	if n > 0 {
		if err := tx.refreshNextDue(ctx, tenant, caseID); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// CancelCaseTimers cancels all the case's pending timers inside tx (the
// case is closed), closes its open tasks and leaves it nothing due. On
// PostgreSQL the three are one statement (data-modifying WITHs), one round
// trip instead of three (docs/benchmarks.md, "Fewer statements per write").
func (tx *Tx) CancelCaseTimers(ctx context.Context, tenant trygg.TenantID, caseID string) error {
	if tx.db.dialect.name() == "postgres" {
		if _, err := tx.exec(ctx, `WITH t AS (UPDATE timers SET status = 'cancelled' WHERE tenant_id = ? AND case_id = ? AND status = 'pending'),
			k AS (UPDATE tasks SET done_at = ? WHERE tenant_id = ? AND case_id = ? AND done_at = 0)
			UPDATE cases SET next_due = '`+noDue+`' WHERE tenant_id = ? AND id = ?`,
			string(tenant), caseID, micros(tx.Now), string(tenant), caseID, string(tenant), caseID); err != nil {
			return fmt.Errorf("store: cancel case timers: %w", err)
		}
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE timers SET status = 'cancelled' WHERE tenant_id = ? AND case_id = ? AND status = 'pending'`,
		string(tenant), caseID); err != nil {
		return fmt.Errorf("store: cancel case timers: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE tasks SET done_at = ? WHERE tenant_id = ? AND case_id = ? AND done_at = 0`,
		micros(tx.Now), string(tenant), caseID); err != nil {
		return fmt.Errorf("store: close case tasks: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE cases SET next_due = '`+noDue+`' WHERE tenant_id = ? AND id = ?`, string(tenant), caseID); err != nil {
		return fmt.Errorf("store: next due: %w", err)
	}
	return nil
}

// CaseTimers returns the case's timers, by fire time.
func (db *DB) CaseTimers(ctx context.Context, tenant trygg.TenantID, caseID string) ([]Timer, error) {
	rows, err := db.query(ctx, `SELECT id, case_id, deadline_id, kind, due_date, fire_at, status FROM timers
		WHERE tenant_id = ? AND case_id = ? ORDER BY fire_at, id`, string(tenant), caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case timers: %w", err)
	}
	return scanTimers(rows)
}

func scanTimers(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]Timer, error) {
	defer rows.Close()
	out := []Timer{}
	for rows.Next() {
		var t Timer
		var at int64
		if err := rows.Scan(&t.ID, &t.CaseID, &t.DeadlineID, &t.Kind, &t.DueDate, &at, &t.Status); err != nil {
			return nil, err
		}
		t.FireAt = fromMicros(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

// ClaimDueTimers marks up to limit of tenant's pending timers that are due
// at tx.Now as fired and returns them, inside tx. On PostgreSQL rows another
// server is claiming are skipped; on SQLite the writer lock serialises
// claims. Either way a timer fires once: the caller does its work in the
// same transaction.
func (tx *Tx) ClaimDueTimers(ctx context.Context, tenant trygg.TenantID, limit int) ([]Timer, error) {
	lock := ""
	if tx.db.dialect.name() == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := tx.query(ctx, `SELECT id, case_id, deadline_id, kind, due_date, fire_at, status FROM timers
		WHERE tenant_id = ? AND status = 'pending' AND fire_at <= ? ORDER BY fire_at, id`+limitSQL(limit)+lock, string(tenant), micros(tx.Now))
	if err != nil {
		return nil, fmt.Errorf("store: due timers: %w", err)
	}
	timers, err := scanTimers(rows)
	if err != nil || len(timers) == 0 {
		return timers, err
	}
	ids := make([]any, 0, len(timers)+2)
	ids = append(ids, micros(tx.Now), string(tenant))
	for _, t := range timers {
		ids = append(ids, t.ID)
	}
	res, err := tx.exec(ctx, `UPDATE timers SET status = 'fired', fired_at = ? WHERE tenant_id = ? AND status = 'pending' AND id IN (?`+
		strings.Repeat(",?", len(timers)-1)+`)`, ids...)
	if err != nil {
		return nil, fmt.Errorf("store: fire timers: %w", err)
	}
	if n, _ := res.RowsAffected(); int(n) != len(timers) {
		return nil, trygg.Errorf(trygg.EConflict, "timers were claimed by another server")
	}
	refreshed := map[string]bool{}
	for _, t := range timers {
		if t.Kind != "warning" && !refreshed[t.CaseID] {
			refreshed[t.CaseID] = true
			if err := tx.refreshNextDue(ctx, tenant, t.CaseID); err != nil {
				return nil, err
			}
		}
	}
	return timers, nil
}

// Task is an item in an inbox.
type Task struct {
	ID         string    `json:"id"`
	CaseID     string    `json:"case_id"`
	UnitID     string    `json:"unit_id"`
	Assignee   string    `json:"assignee,omitempty"`
	Kind       string    `json:"kind"`
	DeadlineID string    `json:"deadline_id,omitempty"`
	Title      string    `json:"title"`
	DueDate    string    `json:"due_date,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	CaseTitle  string    `json:"case_title"`
	CaseType   string    `json:"case_type"`
	Overdue    bool      `json:"overdue"`
	// InboxRow says whose case it is, in an inbox (Inbox fills it; a
	// case's own list of tasks leaves it empty).
	InboxRow
}

// InboxRow is what an inbox row says about whose case it is: the person
// by name and masked identity number, and the case by reference, step
// and the day its report or application was received.
type InboxRow struct {
	PersonID       string `json:"person_id,omitempty"`
	PersonName     string `json:"person_name,omitempty"`
	IdentityMasked string `json:"identity_masked,omitempty"`
	Reference      string `json:"reference,omitempty"`
	// ReceivedDate is Case.ReceivedDate; empty for a case opened before
	// it was kept (OpenedAt says the day).
	ReceivedDate string `json:"received_date,omitempty"`
	// CaseStep, CaseAssignedTo and CaseOpenedAt are the case's step,
	// officer and opening, for the page and the access log (an
	// InboxCase has them as its own fields too).
	CaseStep       string    `json:"-"`
	CaseAssignedTo string    `json:"-"`
	CaseOpenedAt   time.Time `json:"-"`
	// SortName is the name as the inbox sorts it: "family given", in
	// lower case.
	SortName string `json:"-"`
}

// inboxRowCols are the columns of an InboxRow, over cases c and persons p.
const inboxRowCols = `p.id, p.given_name, p.family_name, p.id_type, p.id_value, c.reference, c.received_date, c.step, c.assigned_to, c.opened_at`

// inboxRowScan returns the scan targets of inboxRowCols for r and a
// function that finishes r once scanned.
func inboxRowScan(r *InboxRow) ([]any, func()) {
	var given, family, idType, idValue string
	var opened int64
	return []any{&r.PersonID, &given, &family, &idType, &idValue, &r.Reference, &r.ReceivedDate, &r.CaseStep, &r.CaseAssignedTo, &opened},
		func() {
			r.PersonName = given + " " + family
			r.SortName = strings.ToLower(family + " " + given)
			r.IdentityMasked = persons.Identity{Type: persons.IDType(idType), Value: idValue}.Masked()
			r.CaseOpenedAt = fromMicros(opened)
		}
}

// Inbox sort orders (InboxQuery.Sort).
const (
	InboxByDue      = ""          // the nearest deadline first (cases without one last)
	InboxByReceived = "received"  // the day it was received, oldest first
	InboxByName     = "name"      // the person's family and given name
	InboxByRef      = "reference" // the case's reference
)

// InsertTask adds a task inside tx.
func (tx *Tx) InsertTask(ctx context.Context, tenant trygg.TenantID, t Task) error {
	_, err := tx.exec(ctx, `INSERT INTO tasks (tenant_id, id, case_id, unit_id, assignee, kind, deadline_id, title, due_date, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), t.ID, t.CaseID, t.UnitID, t.Assignee, t.Kind, t.DeadlineID, t.Title, t.DueDate, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert task: %w", err)
	}
	return nil
}

// MoveCaseTasks gives the case's open tasks of the kinds to assignee,
// inside tx: a case assigned to another officer takes its citizen's new
// application and messages with it.
func (tx *Tx) MoveCaseTasks(ctx context.Context, tenant trygg.TenantID, caseID string, kinds []string, assignee string) error {
	pred, args := inList("kind", kinds)
	if _, err := tx.exec(ctx, `UPDATE tasks SET assignee = ? WHERE tenant_id = ? AND case_id = ? AND done_at = 0 AND `+pred,
		append([]any{assignee, string(tenant), caseID}, args...)...); err != nil {
		return fmt.Errorf("store: move tasks: %w", err)
	}
	return nil
}

// InboxQuery selects open tasks: the user's own, or those of the units
// under the given paths (a team's inbox).
type InboxQuery struct {
	UserID   string
	UnitIDs  []string
	CaseType string
	// Step keeps the cases in that step (and their tasks).
	Step string
	// Search keeps the cases whose person's name or whose reference
	// holds the text (case-insensitive).
	Search string
	// Overdue keeps what is past its due date.
	Overdue bool
	// Sort orders the cases (InboxByDue …), Desc the other way round;
	// tasks are always soonest due first.
	Sort  string
	Desc  bool
	Limit int
}

// filters adds q's filters of the case (c), the person (p) and, for
// tasks, the task (t) to where.
func (q InboxQuery) filters(where []string, args []any, today string, tasks bool) ([]string, []any) {
	if q.CaseType != "" {
		where = append(where, "c.case_type = ?")
		args = append(args, q.CaseType)
	}
	if q.Step != "" {
		where = append(where, "c.step = ?")
		args = append(args, q.Step)
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		// Names are searched in persons.NameKey's form (name_search),
		// references as written, in capitals (ÄO-2026-00417).
		where = append(where, `(p.name_search LIKE ? ESCAPE '\' OR c.reference LIKE ? ESCAPE '\')`)
		args = append(args, "%"+escapeLike(persons.NameKey(s))+"%", "%"+escapeLike(strings.ToUpper(s))+"%")
	}
	if q.Overdue {
		if tasks {
			where = append(where, "t.due_date <> '' AND t.due_date < ?")
		} else {
			where = append(where, "c.next_due < ?")
		}
		args = append(args, today)
	}
	return where, args
}

// caseOrder is the ORDER BY of q's sort over cases c and persons p.
func (q InboxQuery) caseOrder() string {
	dir := ""
	if q.Desc {
		dir = " DESC"
	}
	switch q.Sort {
	case InboxByReceived:
		return "c.received_date" + dir + ", c.opened_at" + dir
	case InboxByName:
		return "p.name_search" + dir
	case InboxByRef:
		return "c.reference" + dir
	}
	return "c.next_due" + dir
}

// Inbox returns the open tasks matching q of the cases the reader may
// read (caseVisibleSQL), soonest due first. Order only by the indexed due
// date, so the index serves it; callers break ties.
func (db *DB) Inbox(ctx context.Context, reader trygg.Actor, q InboxQuery, today string) ([]Task, error) {
	where := []string{"t.tenant_id = ?", "t.done_at = 0"}
	args := []any{string(reader.Tenant)}
	switch {
	case q.UserID != "":
		where = append(where, "t.assignee = ?")
		args = append(args, q.UserID)
	default:
		pred, pargs := inList("t.unit_id", q.UnitIDs)
		where = append(where, pred)
		args = append(args, pargs...)
	}
	where, args = q.filters(where, args, today, true)
	vis, visArgs := caseVisibleSQL(reader, micros(db.Now()))
	where = append(where, vis)
	args = append(args, visArgs...)
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 200
	}
	rows, err := db.query(ctx, `SELECT t.id, t.case_id, t.unit_id, t.assignee, t.kind, t.deadline_id, t.title, t.due_date, t.created_at, c.title, c.case_type,
		`+inboxRowCols+`
		FROM tasks t JOIN cases c ON c.tenant_id = t.tenant_id AND c.id = t.case_id
		JOIN persons p ON p.tenant_id = c.tenant_id AND p.id = c.person_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY t.due_date`+limitSQL(q.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("store: inbox: %w", err)
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		var t Task
		var created int64
		row, done := inboxRowScan(&t.InboxRow)
		if err := rows.Scan(append([]any{&t.ID, &t.CaseID, &t.UnitID, &t.Assignee, &t.Kind, &t.DeadlineID, &t.Title, &t.DueDate, &created,
			&t.CaseTitle, &t.CaseType}, row...)...); err != nil {
			return nil, fmt.Errorf("store: inbox: %w", err)
		}
		done()
		t.CreatedAt = fromMicros(created)
		t.Overdue = t.DueDate != "" && t.DueDate < today
		out = append(out, t)
	}
	return out, rows.Err()
}

// InboxCase is an open case in an inbox, with its step and the nearest due
// date of its running deadlines and follow-ups.
type InboxCase struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	CaseType   string    `json:"case_type"`
	Step       string    `json:"step,omitempty"`
	UnitID     string    `json:"unit_id"`
	AssignedTo string    `json:"assigned_to,omitempty"`
	OpenedAt   time.Time `json:"opened_at"`
	NextDue    string    `json:"next_due,omitempty"`
	Overdue    bool      `json:"overdue"`
	// Protected says the person has a protected identity (only readers
	// with the permission see such cases): it may be assigned only to
	// someone with the permission too.
	Protected bool `json:"protected,omitempty"`
	// InboxRow says whose case it is.
	InboxRow
}

// InboxCases returns open cases matching q (assigned to the user, or in the
// units) that the reader may read (caseVisibleSQL), the nearest deadline
// first, cases without one last. The nearest deadline is kept on the
// case, so an index serves the order.
func (db *DB) InboxCases(ctx context.Context, reader trygg.Actor, q InboxQuery, today string) ([]InboxCase, error) {
	where := []string{"c.tenant_id = ?", "c.status = 'open'"}
	args := []any{string(reader.Tenant)}
	if q.UserID != "" {
		where = append(where, "c.assigned_to = ?")
		args = append(args, q.UserID)
	} else {
		pred, pargs := inList("c.unit_id", q.UnitIDs)
		where = append(where, pred)
		args = append(args, pargs...)
	}
	where, args = q.filters(where, args, today, false)
	vis, visArgs := caseVisibleSQL(reader, micros(db.Now()))
	where = append(where, vis)
	args = append(args, visArgs...)
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 200
	}
	rows, err := db.query(ctx, `SELECT c.id, c.title, c.case_type, c.step, c.unit_id, c.assigned_to, c.opened_at, c.next_due, p.protection,
		`+inboxRowCols+`
		FROM cases c JOIN persons p ON p.tenant_id = c.tenant_id AND p.id = c.person_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY `+q.caseOrder()+limitSQL(q.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("store: inbox cases: %w", err)
	}
	defer rows.Close()
	out := []InboxCase{}
	for rows.Next() {
		var c InboxCase
		var opened int64
		var protection int
		row, done := inboxRowScan(&c.InboxRow)
		if err := rows.Scan(append([]any{&c.ID, &c.Title, &c.CaseType, &c.Step, &c.UnitID, &c.AssignedTo, &opened, &c.NextDue, &protection},
			row...)...); err != nil {
			return nil, fmt.Errorf("store: inbox cases: %w", err)
		}
		done()
		if c.NextDue == noDue {
			c.NextDue = ""
		}
		c.OpenedAt = fromMicros(opened)
		c.Overdue = c.NextDue != "" && c.NextDue < today
		c.Protected = protection != 0
		out = append(out, c)
	}
	return out, rows.Err()
}

// inList returns "col IN (?, …)" for values, or a false predicate for none.
func inList(col string, values []string) (string, []any) {
	if len(values) == 0 {
		return "1 = 0", nil
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return col + " IN (?" + strings.Repeat(", ?", len(values)-1) + ")", args
}

// UnitIDsUnder returns the ids of the units in the subtrees at paths.
func (db *DB) UnitIDsUnder(ctx context.Context, tenant trygg.TenantID, paths []string) ([]string, error) {
	pred, args := unitPathPred(paths)
	ids, err := scanRows(scanString)(db.query(ctx, `SELECT u.id FROM units u WHERE u.tenant_id = ? AND `+pred+` ORDER BY u.id`, append([]any{string(tenant)}, args...)...))
	if err != nil {
		return nil, fmt.Errorf("store: units under: %w", err)
	}
	return ids, nil
}

// CaseOpenTasks returns a case's open tasks, soonest due first.
func (db *DB) CaseOpenTasks(ctx context.Context, tenant trygg.TenantID, caseID, today string) ([]Task, error) {
	rows, err := db.query(ctx, `SELECT t.id, t.case_id, t.unit_id, t.assignee, t.kind, t.deadline_id, t.title, t.due_date, t.created_at, c.title, c.case_type
		FROM tasks t JOIN cases c ON c.tenant_id = t.tenant_id AND c.id = t.case_id
		WHERE t.tenant_id = ? AND t.case_id = ? AND t.done_at = 0 ORDER BY t.due_date, t.id`, string(tenant), caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case tasks: %w", err)
	}
	return scanTasks(rows, today)
}

// CloseTasks marks the case's open tasks of a deadline and kind done,
// inside tx (an overdue notice replaces the warning before it).
func (tx *Tx) CloseTasks(ctx context.Context, tenant trygg.TenantID, caseID, deadlineID, kind string) error {
	if _, err := tx.exec(ctx, `UPDATE tasks SET done_at = ? WHERE tenant_id = ? AND case_id = ? AND deadline_id = ? AND kind = ? AND done_at = 0`,
		micros(tx.Now), string(tenant), caseID, deadlineID, kind); err != nil {
		return fmt.Errorf("store: close tasks: %w", err)
	}
	return nil
}

// scanTasks reads task rows with their case's title and type, marks those
// due before today overdue, and closes the rows.
func scanTasks(rows *sql.Rows, today string) ([]Task, error) {
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		var t Task
		var created int64
		if err := rows.Scan(&t.ID, &t.CaseID, &t.UnitID, &t.Assignee, &t.Kind, &t.DeadlineID, &t.Title, &t.DueDate, &created, &t.CaseTitle, &t.CaseType); err != nil {
			return nil, fmt.Errorf("store: tasks: %w", err)
		}
		t.CreatedAt = fromMicros(created)
		t.Overdue = t.DueDate != "" && t.DueDate < today
		out = append(out, t)
	}
	return out, rows.Err()
}
