package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Decision is a decision (beslut) on one insats of a case.
type Decision struct {
	ID            string `json:"id"`
	CaseID        string `json:"case_id"`
	Insats        string `json:"insats"`
	Outcome       string `json:"outcome"`
	LegalBasis    string `json:"legal_basis"`
	ValidFrom     string `json:"valid_from,omitempty"`
	ValidTo       string `json:"valid_to,omitempty"`
	Amount        int64  `json:"amount"`
	Justification string `json:"justification"`
	AppealNotice  string `json:"appeal_notice,omitempty"`
	// Calculation shows how the amount was reached, line by line.
	Calculation string    `json:"calculation,omitempty"`
	Status      string    `json:"status"` // draft or final
	DraftedBy   string    `json:"drafted_by"`
	DecidedBy   string    `json:"decided_by,omitempty"`
	DecidedAt   time.Time `json:"decided_at,omitzero"`
	AppealBy    string    `json:"appeal_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// ProviderID is the provider chosen to carry out a granted decision.
	ProviderID string `json:"provider_id,omitempty"`
}

const decisionCols = `id, case_id, insats, outcome, legal_basis, valid_from, valid_to, amount, justification, appeal_notice, status,
	drafted_by, decided_by, decided_at, appeal_by, created_at, calculation, provider_id`

func scanDecision(s interface{ Scan(...any) error }) (Decision, error) {
	var d Decision
	var decided, created int64
	err := s.Scan(&d.ID, &d.CaseID, &d.Insats, &d.Outcome, &d.LegalBasis, &d.ValidFrom, &d.ValidTo, &d.Amount, &d.Justification,
		&d.AppealNotice, &d.Status, &d.DraftedBy, &d.DecidedBy, &decided, &d.AppealBy, &created, &d.Calculation, &d.ProviderID)
	d.DecidedAt, d.CreatedAt = fromMicros(decided), fromMicros(created)
	return d, err
}

// Decisions returns the case's decisions, oldest first.
func (db *DB) Decisions(ctx context.Context, tenant trygg.TenantID, caseID string) ([]Decision, error) {
	rows, err := db.query(ctx, `SELECT `+decisionCols+` FROM decisions WHERE tenant_id = ? AND case_id = ? ORDER BY created_at, id`,
		string(tenant), caseID)
	if err != nil {
		return nil, fmt.Errorf("store: decisions: %w", err)
	}
	defer rows.Close()
	out := []Decision{}
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, fmt.Errorf("store: decisions: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Decision returns one decision of the case inside tx.
func (tx *Tx) Decision(ctx context.Context, tenant trygg.TenantID, caseID, id string) (Decision, error) {
	d, err := scanDecision(tx.queryRow(ctx, `SELECT `+decisionCols+` FROM decisions WHERE tenant_id = ? AND case_id = ? AND id = ?`,
		string(tenant), caseID, id))
	return d, notFound(err, "Decision")
}

// SaveDecisionDraft inserts or updates a draft decision inside tx; a final
// decision is never changed (conflict).
func (tx *Tx) SaveDecisionDraft(ctx context.Context, tenant trygg.TenantID, d Decision) error {
	res, err := tx.exec(ctx, `UPDATE decisions SET insats = ?, outcome = ?, legal_basis = ?, valid_from = ?, valid_to = ?, amount = ?,
		justification = ?, appeal_notice = ?, calculation = ? WHERE tenant_id = ? AND id = ? AND status = 'draft'`,
		d.Insats, d.Outcome, d.LegalBasis, d.ValidFrom, d.ValidTo, d.Amount, d.Justification, d.AppealNotice, d.Calculation, string(tenant), d.ID)
	if err != nil {
		return fmt.Errorf("store: save decision: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := tx.Decision(ctx, tenant, d.CaseID, d.ID); err == nil {
		return trygg.Errorf(trygg.EConflict, "The decision is final and cannot be changed.")
	}
	_, err = tx.exec(ctx, `INSERT INTO decisions (tenant_id, id, case_id, insats, outcome, legal_basis, valid_from, valid_to, amount,
		justification, appeal_notice, calculation, status, drafted_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)`,
		string(tenant), d.ID, d.CaseID, d.Insats, d.Outcome, d.LegalBasis, d.ValidFrom, d.ValidTo, d.Amount, d.Justification,
		d.AppealNotice, d.Calculation, d.DraftedBy, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert decision: %w", err)
	}
	return nil
}

// FinaliseDecision makes a draft final inside tx.
func (tx *Tx) FinaliseDecision(ctx context.Context, tenant trygg.TenantID, id, decidedBy, appealBy string) error {
	res, err := tx.exec(ctx, `UPDATE decisions SET status = 'final', decided_by = ?, decided_at = ?, appeal_by = ?
		WHERE tenant_id = ? AND id = ? AND status = 'draft'`, decidedBy, micros(tx.Now), appealBy, string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: finalise decision: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.EConflict, "The decision is already final.")
	}
	return nil
}

// CountFinalDecisions returns how many final decisions the case has.
func (db *DB) CountFinalDecisions(ctx context.Context, tenant trygg.TenantID, caseID string) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM decisions WHERE tenant_id = ? AND case_id = ? AND status = 'final'`, string(tenant), caseID).Scan(&n)
	return n, err
}

// Execution is one entry in a decision's execution record (verkställighet):
// executed, interrupted, resumed, or a delay note with the reason, the
// offers made and the interim help given.
type Execution struct {
	ID         string `json:"id"`
	DecisionID string `json:"decision_id"`
	Kind       string `json:"kind"`
	On         string `json:"on"`
	// Amount is, for an execution, how much of the decided amount is
	// executed from On, in the decision's unit; 0 is all of it.
	Amount      int64     `json:"amount,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Offers      string    `json:"offers,omitempty"`
	InterimHelp string    `json:"interim_help,omitempty"`
	RecordedBy  string    `json:"recorded_by"`
	RecordedAt  time.Time `json:"recorded_at"`
}

const executionCols = `id, decision_id, kind, on_date, amount, reason, offers, interim_help, recorded_by, recorded_at`

func scanExecution(s interface{ Scan(...any) error }) (Execution, error) {
	var e Execution
	var at int64
	err := s.Scan(&e.ID, &e.DecisionID, &e.Kind, &e.On, &e.Amount, &e.Reason, &e.Offers, &e.InterimHelp, &e.RecordedBy, &at)
	e.RecordedAt = fromMicros(at)
	return e, err
}

// InsertExecution records an execution entry inside tx.
func (tx *Tx) InsertExecution(ctx context.Context, tenant trygg.TenantID, caseID string, e Execution) error {
	_, err := tx.exec(ctx, `INSERT INTO decision_execution (tenant_id, id, decision_id, case_id, kind, on_date, amount, reason, offers,
		interim_help, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), e.ID, e.DecisionID, caseID,
		e.Kind, e.On, e.Amount, e.Reason, e.Offers, e.InterimHelp, e.RecordedBy, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert execution: %w", err)
	}
	return nil
}

// Executions returns a decision's execution entries in date order inside
// tx (so a new entry is checked against what is committed).
func (tx *Tx) Executions(ctx context.Context, tenant trygg.TenantID, decisionID string) ([]Execution, error) {
	return scanRows(scanExecution)(tx.query(ctx, `SELECT `+executionCols+` FROM decision_execution WHERE tenant_id = ? AND decision_id = ?
		ORDER BY on_date, recorded_at, id`, string(tenant), decisionID))
}

// CaseExecutions returns the execution entries of all the case's
// decisions, in date order.
func (db *DB) CaseExecutions(ctx context.Context, tenant trygg.TenantID, caseID string) ([]Execution, error) {
	return scanRows(scanExecution)(db.query(ctx, `SELECT `+executionCols+` FROM decision_execution WHERE tenant_id = ? AND case_id = ?
		ORDER BY on_date, recorded_at, id`, string(tenant), caseID))
}

// ReportDecision is a final decision with what a report says about it:
// its case, unit and person (sex and birth date only) and its execution.
type ReportDecision struct {
	Decision   Decision
	Case       Case
	UnitName   string
	PersonSex  string
	BirthDate  string
	Protected  bool
	Executions []Execution
}

// ReportDecisions returns the final decisions of cases of caseTypes in the
// unit subtrees paths (where the reader may run the report), decided
// before (a time), with their executions. Cases of persons with protected
// identity are left out unless the reader may see them: a report row
// follows the read rule like every list.
func (db *DB) ReportDecisions(ctx context.Context, reader trygg.Actor, caseTypes, paths []string, before time.Time) ([]ReportDecision, error) {
	tenant := reader.Tenant
	if len(caseTypes) == 0 || len(paths) == 0 {
		return nil, nil
	}
	pred, args := unitPathPred(paths)
	if !reader.ProtectedIdentity {
		pred = `(` + pred + ` AND c.person_id IN (SELECT vp.id FROM persons vp WHERE vp.tenant_id = c.tenant_id AND vp.id = c.person_id AND vp.protection = 0))`
	}
	typeMarks := strings.TrimSuffix(strings.Repeat("?, ", len(caseTypes)), ", ")
	q := `SELECT d.id, d.case_id, d.insats, d.outcome, d.legal_basis, d.valid_from, d.valid_to, d.amount, d.justification, d.appeal_notice,
		d.status, d.drafted_by, d.decided_by, d.decided_at, d.appeal_by, d.created_at, d.calculation, ` + caseCols + `, u.name, p.sex, p.birth_date, p.protection
		FROM decisions d JOIN cases c ON c.tenant_id = d.tenant_id AND c.id = d.case_id
		JOIN units u ON u.tenant_id = c.tenant_id AND u.id = c.unit_id
		JOIN persons p ON p.tenant_id = c.tenant_id AND p.id = c.person_id
		WHERE d.tenant_id = ? AND d.status = 'final' AND d.decided_at < ? AND c.case_type IN (` + typeMarks + `) AND ` + pred + `
		ORDER BY d.decided_at, d.id`
	all := append([]any{string(tenant), micros(before)}, toAny(caseTypes)...)
	all = append(all, args...)
	rows, err := db.query(ctx, q, all...)
	if err != nil {
		return nil, fmt.Errorf("store: report decisions: %w", err)
	}
	defer rows.Close()
	var out []ReportDecision
	index := map[string]int{}
	for rows.Next() {
		var r ReportDecision
		var decided, created, opened, closed int64
		var protection int
		d := &r.Decision
		c := &r.Case
		if err := rows.Scan(&d.ID, &d.CaseID, &d.Insats, &d.Outcome, &d.LegalBasis, &d.ValidFrom, &d.ValidTo, &d.Amount, &d.Justification,
			&d.AppealNotice, &d.Status, &d.DraftedBy, &d.DecidedBy, &decided, &d.AppealBy, &created, &d.Calculation,
			&c.ID, &c.PersonID, &c.UnitID, &c.UnitPath, &c.CaseType, &c.Title, &c.Status, &c.DefinitionVersion, &c.Step, &c.AssignedTo,
			&opened, &closed, &c.Revision, &c.Reference, &c.ReceivedDate, &r.UnitName, &r.PersonSex, &r.BirthDate, &protection); err != nil {
			return nil, fmt.Errorf("store: report decisions: %w", err)
		}
		d.DecidedAt, d.CreatedAt, c.OpenedAt, c.ClosedAt = fromMicros(decided), fromMicros(created), fromMicros(opened), fromMicros(closed)
		r.Protected = protection != 0
		index[d.ID] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// The executions of the same decisions, in one query.
	q = `SELECT ` + executionCols + ` FROM decision_execution e WHERE e.tenant_id = ? AND e.decision_id IN (
		SELECT d.id FROM decisions d JOIN cases c ON c.tenant_id = d.tenant_id AND c.id = d.case_id
		JOIN units u ON u.tenant_id = c.tenant_id AND u.id = c.unit_id
		WHERE d.tenant_id = ? AND d.status = 'final' AND d.decided_at < ? AND c.case_type IN (` + typeMarks + `) AND ` + pred + `)
		ORDER BY e.on_date, e.recorded_at, e.id`
	all = append([]any{string(tenant), string(tenant), micros(before)}, toAny(caseTypes)...)
	all = append(all, args...)
	execs, err := scanRows(scanExecution)(db.query(ctx, q, all...))
	if err != nil {
		return nil, fmt.Errorf("store: report executions: %w", err)
	}
	for _, e := range execs {
		if i, ok := index[e.DecisionID]; ok {
			out[i].Executions = append(out[i].Executions, e)
		}
	}
	return out, nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// scanRows returns a function that reads every row with scan and closes
// the rows: scanRows(scanX)(db.query(...)).
func scanRows[T any](scan func(interface{ Scan(...any) error }) (T, error)) func(*sql.Rows, error) ([]T, error) {
	return func(rows *sql.Rows, err error) ([]T, error) {
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := []T{}
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
}
