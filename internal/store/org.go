package store

import (
	"context"
	"fmt"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/trygg"
)

// CreateTenant inserts a tenant inside tx; a duplicate id is a conflict.
func (tx *Tx) CreateTenant(ctx context.Context, t org.Tenant) error {
	_, err := tx.exec(ctx, `INSERT INTO tenants (id, name, municipality_code, event_seq, created_at) VALUES (?, ?, ?, 0, ?)`,
		string(t.ID), t.Name, t.MunicipalityCode, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "A tenant with this id already exists.")
	}
	if err != nil {
		return fmt.Errorf("store: create tenant: %w", err)
	}
	// The access-log head exists from the start, so the first appends of
	// several servers lock the same row instead of racing to insert it.
	if _, err := tx.exec(ctx, `INSERT INTO access_log_heads (tenant_id, seq, hash) VALUES (?, 0, ?)`, string(t.ID), audit.Genesis); err != nil {
		return fmt.Errorf("store: create tenant: %w", err)
	}
	return nil
}

// Tenant returns the tenant with id, or not found.
func (db *DB) Tenant(ctx context.Context, id trygg.TenantID) (org.Tenant, error) {
	t := org.Tenant{ID: id}
	err := db.queryRow(ctx, `SELECT name, municipality_code FROM tenants WHERE id = ?`, string(id)).Scan(&t.Name, &t.MunicipalityCode)
	if err != nil {
		return t, notFound(err, "Tenant")
	}
	return t, nil
}

// Tenants returns all tenants ordered by id.
func (db *DB) Tenants(ctx context.Context) ([]org.Tenant, error) {
	rows, err := db.query(ctx, `SELECT id, name, municipality_code FROM tenants ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: tenants: %w", err)
	}
	defer rows.Close()
	var out []org.Tenant
	for rows.Next() {
		var t org.Tenant
		var id string
		if err := rows.Scan(&id, &t.Name, &t.MunicipalityCode); err != nil {
			return nil, err
		}
		t.ID = trygg.TenantID(id)
		out = append(out, t)
	}
	return out, rows.Err()
}

// CreateUnit inserts u inside tx; its Path must be set.
func (tx *Tx) CreateUnit(ctx context.Context, tenant trygg.TenantID, u org.Unit) error {
	var parent any
	if u.ParentID != "" {
		parent = u.ParentID
	}
	_, err := tx.exec(ctx, `INSERT INTO units (tenant_id, id, parent_id, name, kind, field, path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), u.ID, parent, u.Name, string(u.Kind), string(u.Field), u.Path, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "A unit with this id already exists.")
	}
	if err != nil {
		return fmt.Errorf("store: create unit: %w", err)
	}
	return nil
}

const unitCols = `id, COALESCE(parent_id, ''), name, kind, field, path`

func scanUnit(s interface{ Scan(...any) error }) (org.Unit, error) {
	var u org.Unit
	var kind, field string
	err := s.Scan(&u.ID, &u.ParentID, &u.Name, &kind, &field, &u.Path)
	u.Kind, u.Field = org.UnitKind(kind), org.Field(field)
	return u, err
}

// Unit returns the unit with id in tenant, or not found.
func (db *DB) Unit(ctx context.Context, tenant trygg.TenantID, id string) (org.Unit, error) {
	u, err := scanUnit(db.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE tenant_id = ? AND id = ?`, string(tenant), id))
	if err != nil {
		return u, notFound(err, "Unit")
	}
	return u, nil
}

// Units returns tenant's units in tree order (by path).
func (db *DB) Units(ctx context.Context, tenant trygg.TenantID) ([]org.Unit, error) {
	rows, err := db.query(ctx, `SELECT `+unitCols+` FROM units WHERE tenant_id = ? ORDER BY path`, string(tenant))
	if err != nil {
		return nil, fmt.Errorf("store: units: %w", err)
	}
	defer rows.Close()
	out := []org.Unit{}
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("store: units: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
