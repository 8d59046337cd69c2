package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// RecoveryDebt is a recovery decision (återkrav) on a case: the amount
// the person is to repay, why and on what legal basis, the payments it
// concerns (if it names any), and the repayments registered against it.
type RecoveryDebt struct {
	ID       string `json:"id"`
	CaseID   string `json:"case_id"`
	PersonID string `json:"person_id"`
	// Amount is what was decided to be repaid, Repaid the sum of the
	// repayments, both in öre.
	Amount     int64     `json:"amount"`
	Repaid     int64     `json:"repaid"`
	Reason     string    `json:"reason"`
	LegalBasis string    `json:"legal_basis"`
	PaymentIDs []string  `json:"payment_ids"`
	DecidedBy  string    `json:"decided_by"`
	DecidedAt  time.Time `json:"decided_at"`
	// Repayments are the repayments, the earliest first.
	Repayments []Repayment `json:"repayments"`
}

// Balance is what is left to repay, in öre; never below zero.
func (d RecoveryDebt) Balance() int64 { return d.Amount - d.Repaid }

// Repayment is an amount repaid against a debt on a day.
type Repayment struct {
	ID           string    `json:"id"`
	DebtID       string    `json:"debt_id"`
	PaidOn       string    `json:"paid_on"` // YYYY-MM-DD
	Amount       int64     `json:"amount"`  // öre
	RegisteredBy string    `json:"registered_by"`
	RegisteredAt time.Time `json:"registered_at"`
}

const recoveryDebtCols = `d.id, d.case_id, d.person_id, d.amount, d.repaid, d.reason, d.legal_basis, d.decided_by, d.decided_at`

func scanRecoveryDebt(s interface{ Scan(...any) error }) (RecoveryDebt, error) {
	var d RecoveryDebt
	var decided int64
	err := s.Scan(&d.ID, &d.CaseID, &d.PersonID, &d.Amount, &d.Repaid, &d.Reason, &d.LegalBasis, &d.DecidedBy, &decided)
	d.DecidedAt = fromMicros(decided)
	return d, err
}

// InsertRecoveryDebt adds a recovery decision with the payments it
// concerns inside tx, decided now; Repaid starts at 0.
func (tx *Tx) InsertRecoveryDebt(ctx context.Context, tenant trygg.TenantID, d RecoveryDebt) error {
	_, err := tx.exec(ctx, `INSERT INTO recovery_debts (tenant_id, id, case_id, person_id, amount, repaid, reason, legal_basis, decided_by, decided_at)
		VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`, string(tenant), d.ID, d.CaseID, d.PersonID, d.Amount, d.Reason, d.LegalBasis, d.DecidedBy, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert recovery debt: %w", err)
	}
	for _, p := range d.PaymentIDs {
		if _, err := tx.exec(ctx, `INSERT INTO recovery_debt_payments (tenant_id, debt_id, payment_line_id) VALUES (?, ?, ?)`,
			string(tenant), d.ID, p); err != nil {
			return fmt.Errorf("store: insert recovery debt payment: %w", err)
		}
	}
	return nil
}

// AddRepayment registers a repayment against its debt inside tx, if it
// is no more than the debt's balance as the transaction sees it; false
// (and nothing written) if it is more.
func (tx *Tx) AddRepayment(ctx context.Context, tenant trygg.TenantID, r Repayment) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE recovery_debts SET repaid = repaid + ? WHERE tenant_id = ? AND id = ? AND repaid + ? <= amount`,
		r.Amount, string(tenant), r.DebtID, r.Amount)
	if err != nil {
		return false, fmt.Errorf("store: add repayment: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("store: add repayment: %w", err)
	} else if n == 0 {
		return false, nil
	}
	_, err = tx.exec(ctx, `INSERT INTO recovery_repayments (tenant_id, id, debt_id, paid_on, amount, registered_by, registered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, string(tenant), r.ID, r.DebtID, r.PaidOn, r.Amount, r.RegisteredBy, micros(tx.Now))
	if err != nil {
		return false, fmt.Errorf("store: add repayment: %w", err)
	}
	return true, nil
}

// RecoveryDebt returns a debt of the case with its payments and
// repayments as the transaction sees it, or a not-found error.
func (tx *Tx) RecoveryDebt(ctx context.Context, tenant trygg.TenantID, caseID, id string) (RecoveryDebt, error) {
	d, err := scanRecoveryDebt(tx.queryRow(ctx, `SELECT `+recoveryDebtCols+` FROM recovery_debts d WHERE d.tenant_id = ? AND d.case_id = ? AND d.id = ?`,
		string(tenant), caseID, id))
	if err != nil {
		return d, notFound(err, "Recovery debt")
	}
	debts := []RecoveryDebt{d}
	if err := recoveryDetails(ctx, tx.query, tenant, debts); err != nil {
		return d, err
	}
	return debts[0], nil
}

// CaseRecoveryDebts returns the case's recovery debts, the earliest
// decided first, each with its payments and repayments.
func (db *DB) CaseRecoveryDebts(ctx context.Context, tenant trygg.TenantID, caseID string) ([]RecoveryDebt, error) {
	rows, err := db.query(ctx, `SELECT `+recoveryDebtCols+` FROM recovery_debts d WHERE d.tenant_id = ? AND d.case_id = ?
		ORDER BY d.decided_at, d.id`, string(tenant), caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case recovery debts: %w", err)
	}
	out := []RecoveryDebt{}
	func() {
		defer rows.Close()
		for rows.Next() {
			d, e := scanRecoveryDebt(rows)
			if e != nil {
				err = e
				return
			}
			out = append(out, d)
		}
		err = rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("store: case recovery debts: %w", err)
	}
	if err := recoveryDetails(ctx, db.query, tenant, out); err != nil {
		return nil, err
	}
	return out, nil
}

// recoveryDetails fills the debts' payments and repayments with query
// (the reader pool's or a transaction's).
func recoveryDetails(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error), tenant trygg.TenantID, debts []RecoveryDebt) error {
	for i := range debts {
		d := &debts[i]
		d.PaymentIDs, d.Repayments = []string{}, []Repayment{}
		rows, err := query(ctx, `SELECT payment_line_id FROM recovery_debt_payments WHERE tenant_id = ? AND debt_id = ? ORDER BY payment_line_id`,
			string(tenant), d.ID)
		if err != nil {
			return fmt.Errorf("store: recovery debt payments: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("store: recovery debt payments: %w", err)
			}
			d.PaymentIDs = append(d.PaymentIDs, id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("store: recovery debt payments: %w", err)
		}
		rows, err = query(ctx, `SELECT id, debt_id, paid_on, amount, registered_by, registered_at FROM recovery_repayments
			WHERE tenant_id = ? AND debt_id = ? ORDER BY paid_on, registered_at, id`, string(tenant), d.ID)
		if err != nil {
			return fmt.Errorf("store: recovery repayments: %w", err)
		}
		for rows.Next() {
			var r Repayment
			var at int64
			if err := rows.Scan(&r.ID, &r.DebtID, &r.PaidOn, &r.Amount, &r.RegisteredBy, &at); err != nil {
				rows.Close()
				return fmt.Errorf("store: recovery repayments: %w", err)
			}
			r.RegisteredAt = fromMicros(at)
			d.Repayments = append(d.Repayments, r)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("store: recovery repayments: %w", err)
		}
	}
	return nil
}
