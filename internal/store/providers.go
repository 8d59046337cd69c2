package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Provider is a provider of insatser (utförare): one of the municipality's
// own units, or an external company.
type Provider struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"` // internal or external
	OrgNumber string    `json:"org_number,omitempty"`
	UnitID    string    `json:"unit_id,omitempty"`
	Insatser  []string  `json:"insatser"`
	Areas     []string  `json:"areas"`
	CreatedAt time.Time `json:"created_at"`
}

// InsertProvider adds a provider inside tx; the same organisation number
// (and unit) twice is a conflict.
func (tx *Tx) InsertProvider(ctx context.Context, tenant trygg.TenantID, p Provider) error {
	ins, _ := json.Marshal(p.Insatser)
	areas, _ := json.Marshal(p.Areas)
	_, err := tx.exec(ctx, `INSERT INTO providers (tenant_id, id, name, kind, org_number, unit_id, insatser, areas, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), p.ID, p.Name, p.Kind, p.OrgNumber, p.UnitID, string(ins), string(areas), micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "A provider with this organisation number (and unit) is already registered.")
	}
	if err != nil {
		return fmt.Errorf("store: insert provider: %w", err)
	}
	return nil
}

// Providers returns the tenant's providers by name.
func (db *DB) Providers(ctx context.Context, tenant trygg.TenantID) ([]Provider, error) {
	return scanRows(scanProvider)(db.query(ctx, `SELECT id, name, kind, org_number, unit_id, insatser, areas, created_at
		FROM providers WHERE tenant_id = ? ORDER BY name, id`, string(tenant)))
}

// ProviderByID returns the provider or not found.
func (db *DB) ProviderByID(ctx context.Context, tenant trygg.TenantID, id string) (Provider, error) {
	p, err := scanProvider(db.queryRow(ctx, `SELECT id, name, kind, org_number, unit_id, insatser, areas, created_at
		FROM providers WHERE tenant_id = ? AND id = ?`, string(tenant), id))
	return p, notFound(err, "Provider")
}

func scanProvider(s interface{ Scan(...any) error }) (Provider, error) {
	var p Provider
	var ins, areas string
	var created int64
	if err := s.Scan(&p.ID, &p.Name, &p.Kind, &p.OrgNumber, &p.UnitID, &ins, &areas, &created); err != nil {
		return p, err
	}
	p.CreatedAt = fromMicros(created)
	if err := json.Unmarshal([]byte(ins), &p.Insatser); err != nil {
		return p, err
	}
	return p, json.Unmarshal([]byte(areas), &p.Areas)
}
