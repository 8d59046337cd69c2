package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Archiving is a case's delivery to the archive: which delivery and
// package hold it, who delivered it and when.
type Archiving struct {
	CaseID     string    `json:"case_id"`
	DeliveryID string    `json:"delivery_id"`
	PackageID  string    `json:"package_id"`
	ArchivedBy string    `json:"archived_by"`
	ArchivedAt time.Time `json:"archived_at"`
}

const archivableWhere = ` WHERE c.tenant_id = ? AND c.status = 'closed' AND c.closed_at > 0 AND c.closed_at < ?
	AND NOT EXISTS (SELECT 1 FROM case_archivings a WHERE a.tenant_id = c.tenant_id AND a.case_id = c.id)`

// ArchivableCases returns the tenant's closed cases closed before
// closedBefore that no delivery has archived yet, by person and opening,
// at most limit.
func (db *DB) ArchivableCases(ctx context.Context, tenant trygg.TenantID, closedBefore time.Time, limit int) ([]Case, error) {
	rows, err := db.query(ctx, `SELECT `+caseCols+caseFrom+archivableWhere+` ORDER BY c.person_id, c.opened_at, c.id`+limitSQL(limit),
		string(tenant), micros(closedBefore))
	if err != nil {
		return nil, fmt.Errorf("store: archivable cases: %w", err)
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: archivable cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CountArchivable counts what ArchivableCases would return without a
// limit: the cases and their persons.
func (db *DB) CountArchivable(ctx context.Context, tenant trygg.TenantID, closedBefore time.Time) (cases, persons int, err error) {
	err = db.queryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT c.person_id) FROM cases c`+archivableWhere,
		string(tenant), micros(closedBefore)).Scan(&cases, &persons)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count archivable: %w", err)
	}
	return cases, persons, nil
}

// InsertArchiving records a case's delivery to the archive inside tx, at
// the transaction's time; a case already in that delivery is a conflict.
func (tx *Tx) InsertArchiving(ctx context.Context, tenant trygg.TenantID, a Archiving) error {
	_, err := tx.exec(ctx, `INSERT INTO case_archivings (tenant_id, case_id, delivery_id, package_id, archived_by, archived_at) VALUES (?, ?, ?, ?, ?, ?)`,
		string(tenant), a.CaseID, a.DeliveryID, a.PackageID, a.ArchivedBy, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "The case is already in this archive delivery.")
	}
	if err != nil {
		return fmt.Errorf("store: insert archiving: %w", err)
	}
	return nil
}

// CaseArchivings returns the case's deliveries to the archive, oldest first.
func (db *DB) CaseArchivings(ctx context.Context, tenant trygg.TenantID, caseID string) ([]Archiving, error) {
	rows, err := db.query(ctx, `SELECT case_id, delivery_id, package_id, archived_by, archived_at FROM case_archivings
		WHERE tenant_id = ? AND case_id = ? ORDER BY archived_at, delivery_id`, string(tenant), caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case archivings: %w", err)
	}
	defer rows.Close()
	out := []Archiving{}
	for rows.Next() {
		var a Archiving
		var at int64
		if err := rows.Scan(&a.CaseID, &a.DeliveryID, &a.PackageID, &a.ArchivedBy, &at); err != nil {
			return nil, fmt.Errorf("store: case archivings: %w", err)
		}
		a.ArchivedAt = fromMicros(at)
		out = append(out, a)
	}
	return out, rows.Err()
}
