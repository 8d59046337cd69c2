package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// RetentionPackage is an archive package a retention run delivered, as
// kept with the run's protocol.
type RetentionPackage struct {
	PackageID, SHA256 string
	Content           []byte
	CreatedAt         int64 // micros, as stored
}

// RetentionPackages returns the packages preview previewID delivered.
func (db *DB) RetentionPackages(ctx context.Context, tenant trygg.TenantID, previewID string) ([]RetentionPackage, error) {
	rows, err := db.query(ctx, `SELECT package_id, sha256, content, created_at FROM retention_packages
		WHERE tenant_id = ? AND preview_id = ? ORDER BY package_id`, string(tenant), previewID)
	if err != nil {
		return nil, fmt.Errorf("store: retention packages: %w", err)
	}
	defer rows.Close()
	var out []RetentionPackage
	for rows.Next() {
		var p RetentionPackage
		if err := rows.Scan(&p.PackageID, &p.SHA256, &p.Content, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: retention packages: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RestoreRetentionProtocol puts one preview of another database's
// protocol (a newer one than a restored backup) into this one, as it was
// there: the preview with its approval and run, its items with what was
// done, and its packages. It reports false and changes nothing when the
// preview is already here.
func (tx *Tx) RestoreRetentionProtocol(ctx context.Context, tenant trygg.TenantID, p RetentionPreview, items []RetentionItem, pkgs []RetentionPackage) (bool, error) {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM retention_previews WHERE tenant_id = ? AND id = ?`, string(tenant), p.ID).Scan(&one)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("store: restore retention protocol: %w", err)
	}
	orZero := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		return micros(t)
	}
	_, err = tx.exec(ctx, `INSERT INTO retention_previews (tenant_id, `+previewCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), p.ID, p.AsOf, p.DefinitionVersion, p.Fingerprint, p.Persons, p.PurgeCount, p.ArchiveCount, p.KeepCount,
		p.CreatedBy, micros(p.CreatedAt), p.Status, p.ApprovedBy, orZero(p.ApprovedAt),
		p.RunBy, orZero(p.StartedAt), orZero(p.FinishedAt), p.AccessLogRemoved)
	if err != nil {
		return false, fmt.Errorf("store: restore retention protocol: %w", err)
	}
	for _, it := range items {
		_, err := tx.exec(ctx, `INSERT INTO retention_items (tenant_id, preview_id, case_id, person_id, action, rule, duty_from, deadline,
			fingerprint, done_at, counts, package_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			string(tenant), p.ID, it.CaseID, it.PersonID, it.Action, it.Rule, it.DutyFrom, it.Deadline, it.Fingerprint,
			orZero(it.DoneAt), it.Counts, it.PackageID)
		if err != nil {
			return false, fmt.Errorf("store: restore retention protocol: %w", err)
		}
	}
	for _, pkg := range pkgs {
		_, err := tx.exec(ctx, `INSERT INTO retention_packages (tenant_id, preview_id, package_id, sha256, content, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			string(tenant), p.ID, pkg.PackageID, pkg.SHA256, pkg.Content, pkg.CreatedAt)
		if err != nil {
			return false, fmt.Errorf("store: restore retention protocol: %w", err)
		}
	}
	return true, nil
}

// CasePurgeState reports whether tenant's case exists and whether it is
// purged.
func (tx *Tx) CasePurgeState(ctx context.Context, tenant trygg.TenantID, caseID string) (exists, purged bool, err error) {
	var status string
	err = tx.queryRow(ctx, `SELECT status FROM cases WHERE tenant_id = ? AND id = ?`, string(tenant), caseID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("store: case purge state: %w", err)
	}
	return true, status == "purged", nil
}
