package store

import (
	"context"
	"fmt"

	"github.com/trygg/trygg/internal/trygg"
)

// LegacyMarkersOf returns the coexistence markers of the persons with ids
// (a page of search hits), by person id, oldest mark first; persons with
// none are not in the map.
func (db *DB) LegacyMarkersOf(ctx context.Context, tenant trygg.TenantID, personIDs []string) (map[string][]LegacyMarker, error) {
	out := map[string][]LegacyMarker{}
	err := inChunks(personIDs, func(chunk []string, in string) error {
		ms, err := scanRows(func(s interface{ Scan(...any) error }) (LegacyMarker, error) {
			var m LegacyMarker
			var at int64
			err := s.Scan(&m.PersonID, &m.Source, &m.System, &m.District, &at)
			m.MarkedAt = fromMicros(at)
			return m, err
		})(db.query(ctx, `SELECT person_id, source, system, district, marked_at FROM legacy_markers WHERE tenant_id = ? AND person_id IN `+in+`
			ORDER BY marked_at, source`, append([]any{string(tenant)}, toAny(chunk)...)...))
		if err != nil {
			return err
		}
		for _, m := range ms {
			out[m.PersonID] = append(out[m.PersonID], m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: legacy markers of persons: %w", err)
	}
	return out, nil
}

// LegacyOrigin is where an imported record came from: the export (its
// system and district) and the record's legacy id there.
type LegacyOrigin struct {
	Source   string `json:"source"`
	LegacyID string `json:"legacy_id"`
}

// LegacyOrigins returns, of the trygg records of kind with ids, those an
// import brought in (created or mapped onto them), by trygg id; a record
// several legacy records were merged into gets the first by source and
// legacy id.
func (db *DB) LegacyOrigins(ctx context.Context, tenant trygg.TenantID, kind string, tryggIDs []string) (map[string]LegacyOrigin, error) {
	out := map[string]LegacyOrigin{}
	err := inChunks(tryggIDs, func(chunk []string, in string) error {
		rows, err := db.query(ctx, `SELECT trygg_id, source, legacy_id FROM legacy_ids WHERE tenant_id = ? AND kind = ? AND trygg_id IN `+in+`
			ORDER BY source, legacy_id`, append([]any{string(tenant), kind}, toAny(chunk)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var o LegacyOrigin
			if err := rows.Scan(&id, &o.Source, &o.LegacyID); err != nil {
				return err
			}
			if _, ok := out[id]; !ok {
				out[id] = o
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: legacy origins: %w", err)
	}
	return out, nil
}
