package store

import (
	"context"
	"fmt"

	"github.com/trygg/trygg/internal/trygg"
)

// BookkeepingLine is a payment line of a run with its unit's name, as
// the bookkeeping export reads it.
type BookkeepingLine struct {
	PaymentLine
	UnitName string
}

// RunBookkeepingLines returns the lines of a payment run with their
// units' names, by due date and id (the order of the bank file).
func (db *DB) RunBookkeepingLines(ctx context.Context, tenant trygg.TenantID, runID string) ([]BookkeepingLine, error) {
	lines, err := scanRows(func(s interface{ Scan(...any) error }) (BookkeepingLine, error) {
		var l BookkeepingLine
		var err error
		l.PaymentLine, err = scanPaymentLine(s, &l.UnitName)
		return l, err
	})(db.query(ctx, `SELECT `+paymentLineCols+`, u.name`+paymentLineFrom+` WHERE l.tenant_id = ? AND l.run_id = ? ORDER BY l.due_date, l.id`,
		string(tenant), runID))
	if err != nil {
		return nil, fmt.Errorf("store: run bookkeeping lines: %w", err)
	}
	return lines, nil
}
