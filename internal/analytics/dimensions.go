package analytics

import (
	"context"
	"fmt"

	"github.com/trygg/trygg/internal/trygg"
)

// Unit is a unit of the analysis store's unit tree (dim_units): its id,
// name, materialised path ("/soc/norr/norr-eb/") and district.
type Unit struct {
	ID, Name, Path, District string
}

// Units returns the tenant's units in path order, for the dashboards'
// filters. Returns an error if the store cannot be read.
func (s *Store) Units(ctx context.Context, tenant trygg.TenantID) ([]Unit, error) {
	rows, err := s.query(ctx, `SELECT unit_id, name, path, district_id FROM dim_units WHERE tenant_id = ? ORDER BY path`, string(tenant))
	if err != nil {
		return nil, fmt.Errorf("analytics: units: %w", err)
	}
	defer rows.Close()
	out := []Unit{}
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.ID, &u.Name, &u.Path, &u.District); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CaseTypes returns the ids of the case types met in the tenant's log,
// in id order. Returns an error if the store cannot be read.
func (s *Store) CaseTypes(ctx context.Context, tenant trygg.TenantID) ([]string, error) {
	rows, err := s.query(ctx, `SELECT case_type FROM dim_case_types WHERE tenant_id = ? ORDER BY case_type`, string(tenant))
	if err != nil {
		return nil, fmt.Errorf("analytics: case types: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var ct string
		if err := rows.Scan(&ct); err != nil {
			return nil, err
		}
		out = append(out, ct)
	}
	return out, rows.Err()
}
