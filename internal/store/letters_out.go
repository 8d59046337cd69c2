package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// The channels and states of a letter out.
const (
	LetterDigital = "digital"
	LetterPrint   = "print"

	LetterDelivered = "delivered"
	LetterQueued    = "queued"
	LetterPrinted   = "printed"
)

// LetterOut is a letter to a citizen as it went out: to the recipient's
// digital mailbox (with the delivery's id) or into the print queue.
type LetterOut struct {
	ID          string `json:"id"`
	CaseID      string `json:"case_id"`
	DecisionID  string `json:"decision_id,omitempty"`
	Kind        string `json:"kind"`
	RecipientID string `json:"recipient_id"`
	Channel     string `json:"channel"`
	Status      string `json:"status"`
	Operator    string `json:"operator,omitempty"`
	DeliveryID  string `json:"delivery_id,omitempty"`
	// Forwarding says the letter goes through the Tax Agency's
	// forwarding to a person with protected registration: printed
	// without an address.
	Forwarding bool      `json:"forwarding,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	PrintedAt  time.Time `json:"printed_at,omitzero"`
	PrintedBy  string    `json:"printed_by,omitempty"`
}

const letterOutCols = `id, case_id, decision_id, kind, recipient_id, channel, status, operator, delivery_id, forwarding, created_at, printed_at, printed_by`

func scanLetterOut(s interface{ Scan(...any) error }) (LetterOut, error) {
	var l LetterOut
	var fwd, created, printed int64
	err := s.Scan(&l.ID, &l.CaseID, &l.DecisionID, &l.Kind, &l.RecipientID, &l.Channel, &l.Status, &l.Operator, &l.DeliveryID,
		&fwd, &created, &printed, &l.PrintedBy)
	l.Forwarding, l.CreatedAt, l.PrintedAt = fwd == 1, fromMicros(created), fromMicros(printed)
	return l, err
}

// InsertLetterOut records a letter that went out inside tx, at the
// transaction's time, and says whether it was new: a letter recorded
// before (the same id) is left as it is.
func (tx *Tx) InsertLetterOut(ctx context.Context, tenant trygg.TenantID, l LetterOut) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO letters_out (tenant_id, id, case_id, decision_id, kind, recipient_id, channel, status, operator,
		delivery_id, forwarding, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		string(tenant), l.ID, l.CaseID, l.DecisionID, l.Kind, l.RecipientID, l.Channel, l.Status, l.Operator, l.DeliveryID,
		boolInt(l.Forwarding), micros(tx.Now))
	if err != nil {
		return false, fmt.Errorf("store: insert letter out: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// LetterOut returns one letter; not found if there is none.
func (db *DB) LetterOut(ctx context.Context, tenant trygg.TenantID, id string) (LetterOut, error) {
	l, err := scanLetterOut(db.queryRow(ctx, `SELECT `+letterOutCols+` FROM letters_out WHERE tenant_id = ? AND id = ?`, string(tenant), id))
	if err != nil {
		return LetterOut{}, fmt.Errorf("store: letter out: %w", notFound(err, "Letter"))
	}
	return l, nil
}

// CaseLettersOut returns a case's letters, the newest first.
func (db *DB) CaseLettersOut(ctx context.Context, tenant trygg.TenantID, caseID string) ([]LetterOut, error) {
	return db.lettersOut(ctx, `SELECT `+letterOutCols+` FROM letters_out WHERE tenant_id = ? AND case_id = ? ORDER BY created_at DESC, id`,
		string(tenant), caseID)
}

// LettersOutWithStatus returns up to limit letters in a status, the
// oldest first (the print queue: status queued).
func (db *DB) LettersOutWithStatus(ctx context.Context, tenant trygg.TenantID, status string, limit int) ([]LetterOut, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return db.lettersOut(ctx, `SELECT `+letterOutCols+` FROM letters_out WHERE tenant_id = ? AND status = ? ORDER BY created_at, id`+limitSQL(limit),
		string(tenant), status)
}

func (db *DB) lettersOut(ctx context.Context, q string, args ...any) ([]LetterOut, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: letters out: %w", err)
	}
	defer rows.Close()
	out := []LetterOut{}
	for rows.Next() {
		l, err := scanLetterOut(rows)
		if err != nil {
			return nil, fmt.Errorf("store: letters out: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// MarkLetterPrinted marks a queued letter printed and posted by userID
// inside tx. It returns a conflict if the letter is not in the print
// queue (any longer), not found if there is no such letter.
func (tx *Tx) MarkLetterPrinted(ctx context.Context, tenant trygg.TenantID, id, userID string) error {
	res, err := tx.exec(ctx, `UPDATE letters_out SET status = ?, printed_at = ?, printed_by = ? WHERE tenant_id = ? AND id = ? AND status = ?`,
		LetterPrinted, micros(tx.Now), userID, string(tenant), id, LetterQueued)
	if err != nil {
		return fmt.Errorf("store: mark letter printed: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var status string
	if err := tx.queryRow(ctx, `SELECT status FROM letters_out WHERE tenant_id = ? AND id = ?`, string(tenant), id).Scan(&status); err != nil {
		return fmt.Errorf("store: mark letter printed: %w", notFound(err, "Letter"))
	}
	return trygg.Errorf(trygg.EConflict, "The letter is not in the print queue.")
}

// GuardiansInForce returns the persons who have custody of the child
// today (YYYY-MM-DD), ordered by id; none once the child is 18.
func (db *DB) GuardiansInForce(ctx context.Context, tenant trygg.TenantID, childID, today string) ([]string, error) {
	inForce, inForceArgs := relationInForceSQL("c", today)
	args := append([]any{string(tenant), childID, string(persons.RelGuardian)}, inForceArgs...)
	rows, err := db.query(ctx, `SELECT DISTINCT r.from_person_id FROM person_relations r
		JOIN persons c ON c.tenant_id = r.tenant_id AND c.id = r.to_person_id
		WHERE r.tenant_id = ? AND r.to_person_id = ? AND r.kind = ? AND `+inForce+` ORDER BY r.from_person_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: guardians: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: guardians: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
