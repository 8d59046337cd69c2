package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// ofLines narrows a FOR UPDATE over payment lines joined with their case,
// unit and payee to the lines (l) themselves: PostgreSQL would otherwise
// lock every joined row too. "" on SQLite, which has no row locks.
func ofLines(tx *Tx) string {
	if tx.db.dialect.forUpdate() == "" {
		return ""
	}
	return " OF l"
}

// ControlHit is a line of a run that a control query found, with what it
// compared. The service decides, from Kind and what is filled, whether it
// is a finding.
type ControlHit struct {
	LineID, CaseID, PersonID, UnitID, CaseType string
	DefinitionVersion                          int64
	// Subject is what the finding is about (a payee, an account change,
	// a decision and period, a person and month); a finding is made once
	// per kind and subject.
	Subject string
	// AttestedAt and ChangedAt are the line's attest and its payee's
	// account change (account changes).
	AttestedAt, ChangedAt time.Time
	// Decided and Paid are the decision's amount and the sum of its lines
	// for the period, in öre (amounts above the decision).
	Decided, Paid int64
	// Count is how many persons share the account, or how many units pay
	// the person in the month.
	Count int64
}

// paidStatuses are the statuses of a line that pays or will pay, as the
// controls count them: not proposed, stopped or rejected.
const paidStatuses = `('attested', 'sent', 'paid')`

func scanHits(q func(s interface{ Scan(...any) error }, h *ControlHit) error) func(s interface{ Scan(...any) error }) (ControlHit, error) {
	return func(s interface{ Scan(...any) error }) (ControlHit, error) {
		var h ControlHit
		err := q(s, &h)
		return h, err
	}
}

// RunSharedAccounts returns, inside tx, the lines of run runID paid to a
// person's payee whose account (kind and number) is also a payee
// account of another person. Subject is the least id of the payees
// sharing the account, so the persons sharing one account make one
// finding; Count is how many persons share it.
func (tx *Tx) RunSharedAccounts(ctx context.Context, tenant trygg.TenantID, runID string) ([]ControlHit, error) {
	hits, err := scanRows(scanHits(func(s interface{ Scan(...any) error }, h *ControlHit) error {
		return s.Scan(&h.LineID, &h.CaseID, &h.PersonID, &h.UnitID, &h.CaseType, &h.Subject, &h.Count)
	}))(tx.query(ctx, `SELECT l.id, l.case_id, l.person_id, l.unit_id, l.case_type, MIN(o.id), COUNT(DISTINCT o.person_id)
		FROM payment_lines l JOIN payees y ON y.tenant_id = l.tenant_id AND y.id = l.payee_id
		JOIN payees o ON o.tenant_id = y.tenant_id AND o.account_kind = y.account_kind AND o.account = y.account AND o.person_id <> ''
		WHERE l.tenant_id = ? AND l.run_id = ? AND y.person_id <> ''
		GROUP BY l.id, l.case_id, l.person_id, l.unit_id, l.case_type HAVING COUNT(DISTINCT o.person_id) > 1 ORDER BY l.id`,
		string(tenant), runID))
	if err != nil {
		return nil, fmt.Errorf("store: shared accounts: %w", err)
	}
	return hits, nil
}

// RunAccountChanges returns, inside tx, the lines of run runID whose
// payee's account was changed (a change from another account, not the
// first one given) at since or later, one row per line and change, with
// the line's attest and the change's time; Subject is the change's id.
func (tx *Tx) RunAccountChanges(ctx context.Context, tenant trygg.TenantID, runID string, since time.Time) ([]ControlHit, error) {
	hits, err := scanRows(scanHits(func(s interface{ Scan(...any) error }, h *ControlHit) error {
		var attested, changed int64
		err := s.Scan(&h.LineID, &h.CaseID, &h.PersonID, &h.UnitID, &h.CaseType, &h.DefinitionVersion, &h.Subject, &attested, &changed)
		h.AttestedAt, h.ChangedAt = fromMicros(attested), fromMicros(changed)
		return err
	}))(tx.query(ctx, `SELECT l.id, l.case_id, l.person_id, l.unit_id, l.case_type, c.definition_version, ch.id, l.attested_at, ch.changed_at
		FROM payment_lines l JOIN cases c ON c.tenant_id = l.tenant_id AND c.id = l.case_id
		JOIN payee_account_changes ch ON ch.tenant_id = l.tenant_id AND ch.payee_id = l.payee_id AND ch.old_account <> ''
		WHERE l.tenant_id = ? AND l.run_id = ? AND ch.changed_at >= ? ORDER BY l.id, ch.changed_at DESC`,
		string(tenant), runID, micros(since)))
	if err != nil {
		return nil, fmt.Errorf("store: account changes: %w", err)
	}
	return hits, nil
}

// RunAboveDecided returns, inside tx, each line of run runID with its
// decision's amount (Decided) and the sum of the decision's lines for the
// line's period that pay (Paid: attested, sent or paid; not a stopped
// line, its stop, or one the bank rejected); Subject is the decision and
// period. Decisions without an amount are left out; the caller compares.
// Each line's sum is read by the decision's index, so the query stays
// linear in the run's size whatever the planner's statistics say.
func (tx *Tx) RunAboveDecided(ctx context.Context, tenant trygg.TenantID, runID string) ([]ControlHit, error) {
	hits, err := scanRows(scanHits(func(s interface{ Scan(...any) error }, h *ControlHit) error {
		var decision, period string
		err := s.Scan(&h.LineID, &h.CaseID, &h.PersonID, &h.UnitID, &h.CaseType, &h.DefinitionVersion, &decision, &period, &h.Decided, &h.Paid)
		h.Subject = decision + "/" + period
		return err
	}))(tx.query(ctx, `SELECT l.id, l.case_id, l.person_id, l.unit_id, l.case_type, c.definition_version, l.decision_id, l.period, d.amount,
		(SELECT COALESCE(SUM(x.amount), 0) FROM payment_lines x WHERE x.tenant_id = l.tenant_id AND x.decision_id = l.decision_id
			AND x.period = l.period AND x.status IN `+paidStatuses+`)
		FROM payment_lines l JOIN cases c ON c.tenant_id = l.tenant_id AND c.id = l.case_id
		JOIN decisions d ON d.tenant_id = l.tenant_id AND d.id = l.decision_id
		WHERE l.tenant_id = ? AND l.run_id = ? AND d.amount > 0 ORDER BY l.id`,
		string(tenant), runID))
	if err != nil {
		return nil, fmt.Errorf("store: above decided: %w", err)
	}
	return hits, nil
}

// RunTwoUnits returns, inside tx, each line of run runID with how many
// units (Count) pay its person in the line's month (the month of a
// monthly line, or of a one-off's day), counting the lines that pay
// (attested, sent or paid); Subject is the person and month. The caller
// keeps those paid from more than one. Each count is read by the
// person's index.
func (tx *Tx) RunTwoUnits(ctx context.Context, tenant trygg.TenantID, runID string) ([]ControlHit, error) {
	hits, err := scanRows(scanHits(func(s interface{ Scan(...any) error }, h *ControlHit) error {
		var period string
		err := s.Scan(&h.LineID, &h.CaseID, &h.PersonID, &h.UnitID, &h.CaseType, &period, &h.Count)
		h.Subject = h.PersonID + "/" + period[:min(7, len(period))]
		return err
	}))(tx.query(ctx, `SELECT l.id, l.case_id, l.person_id, l.unit_id, l.case_type, l.period,
		(SELECT COUNT(DISTINCT x.unit_id) FROM payment_lines x WHERE x.tenant_id = l.tenant_id AND x.person_id = l.person_id
			AND SUBSTR(x.period, 1, 7) = SUBSTR(l.period, 1, 7) AND x.status IN `+paidStatuses+`)
		FROM payment_lines l WHERE l.tenant_id = ? AND l.run_id = ? ORDER BY l.id`,
		string(tenant), runID))
	if err != nil {
		return nil, fmt.Errorf("store: two units: %w", err)
	}
	return hits, nil
}

// ControlFinding is what a control of a payment run found, once per kind
// and subject, with the task it made for the team leads of the line's
// unit. It holds no names or account numbers.
type ControlFinding struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Subject string `json:"-"`
	RunID   string `json:"run_id"`
	LineID  string `json:"line_id"`
	CaseID  string `json:"case_id"`
	// PersonID is the line's person: the pages read the name through
	// the service, access-logged.
	PersonID string `json:"-"`
	UnitID   string `json:"unit_id"`
	TaskID   string `json:"task_id"`
	// Decided and Paid (öre) for an amount above the decision; Count is
	// the persons sharing an account, the units paying one person, or the
	// days from an account change to the line's attest.
	Decided   int64     `json:"decided,omitempty"`
	Paid      int64     `json:"paid,omitempty"`
	Count     int64     `json:"count,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Read with the finding: its task's title, whether it is done, and
	// the case's reference.
	Title         string `json:"title"`
	Done          bool   `json:"done"`
	CaseReference string `json:"case_reference,omitempty"`
}

// InsertControlFinding stores a finding inside tx. It returns false, and
// writes nothing, when the kind and subject were found before.
func (tx *Tx) InsertControlFinding(ctx context.Context, tenant trygg.TenantID, f ControlFinding) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO payment_control_findings (tenant_id, id, kind, subject, run_id, line_id, case_id, person_id, unit_id,
		task_id, decided, paid, how_many, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, kind, subject) DO NOTHING`,
		string(tenant), f.ID, f.Kind, f.Subject, f.RunID, f.LineID, f.CaseID, f.PersonID, f.UnitID, f.TaskID, f.Decided, f.Paid, f.Count, micros(tx.Now))
	if err != nil {
		return false, fmt.Errorf("store: insert control finding: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RunFindings returns the findings of run runID with their tasks' titles
// and state, in the order found.
func (db *DB) RunFindings(ctx context.Context, tenant trygg.TenantID, runID string) ([]ControlFinding, error) {
	out, err := scanRows(func(s interface{ Scan(...any) error }) (ControlFinding, error) {
		var f ControlFinding
		var created, done int64
		err := s.Scan(&f.ID, &f.Kind, &f.Subject, &f.RunID, &f.LineID, &f.CaseID, &f.PersonID, &f.UnitID, &f.TaskID, &f.Decided, &f.Paid, &f.Count,
			&created, &f.Title, &done, &f.CaseReference)
		f.CreatedAt, f.Done = fromMicros(created), done != 0
		return f, err
	})(db.query(ctx, `SELECT f.id, f.kind, f.subject, f.run_id, f.line_id, f.case_id, f.person_id, f.unit_id, f.task_id, f.decided, f.paid,
		f.how_many, f.created_at, COALESCE(t.title, ''), COALESCE(t.done_at, 0), c.reference
		FROM payment_control_findings f JOIN cases c ON c.tenant_id = f.tenant_id AND c.id = f.case_id
		LEFT JOIN tasks t ON t.tenant_id = f.tenant_id AND t.id = f.task_id
		WHERE f.tenant_id = ? AND f.run_id = ? ORDER BY f.created_at, f.id`, string(tenant), runID))
	if err != nil {
		return nil, fmt.Errorf("store: run findings: %w", err)
	}
	return out, nil
}
