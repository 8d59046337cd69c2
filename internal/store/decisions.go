package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Decision is a decision (beslut) on one insats of a case.
type Decision struct {
	ID            string    `json:"id"`
	CaseID        string    `json:"case_id"`
	Insats        string    `json:"insats"`
	Outcome       string    `json:"outcome"`
	LegalBasis    string    `json:"legal_basis"`
	ValidFrom     string    `json:"valid_from,omitempty"`
	ValidTo       string    `json:"valid_to,omitempty"`
	Amount        int64     `json:"amount"`
	Justification string    `json:"justification"`
	AppealNotice  string    `json:"appeal_notice,omitempty"`
	Status        string    `json:"status"` // draft or final
	DraftedBy     string    `json:"drafted_by"`
	DecidedBy     string    `json:"decided_by,omitempty"`
	DecidedAt     time.Time `json:"decided_at,omitzero"`
	AppealBy      string    `json:"appeal_by,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

const decisionCols = `id, case_id, insats, outcome, legal_basis, valid_from, valid_to, amount, justification, appeal_notice, status,
	drafted_by, decided_by, decided_at, appeal_by, created_at`

func scanDecision(s interface{ Scan(...any) error }) (Decision, error) {
	var d Decision
	var decided, created int64
	err := s.Scan(&d.ID, &d.CaseID, &d.Insats, &d.Outcome, &d.LegalBasis, &d.ValidFrom, &d.ValidTo, &d.Amount, &d.Justification,
		&d.AppealNotice, &d.Status, &d.DraftedBy, &d.DecidedBy, &decided, &d.AppealBy, &created)
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
		justification = ?, appeal_notice = ? WHERE tenant_id = ? AND id = ? AND status = 'draft'`,
		d.Insats, d.Outcome, d.LegalBasis, d.ValidFrom, d.ValidTo, d.Amount, d.Justification, d.AppealNotice, string(tenant), d.ID)
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
		justification, appeal_notice, status, drafted_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)`,
		string(tenant), d.ID, d.CaseID, d.Insats, d.Outcome, d.LegalBasis, d.ValidFrom, d.ValidTo, d.Amount, d.Justification,
		d.AppealNotice, d.DraftedBy, micros(tx.Now))
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
