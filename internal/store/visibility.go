package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/trygg"
)

// caseVisibleSQL returns a predicate over cases aliased c that is true for
// the cases the actor may read as staff: the SQL form of access.Decide for
// ReadCase on the staff grounds (assigned, unit, emergency opening), with
// the person's protection. Citizens' grounds (self, guardian,
// representative) do not count: they follow their cases on Mina sidor,
// never through the staff's lists. Every list of cases for staff —
// inboxes, reports, exports — filters with it, so a list never holds a
// row that opening it would refuse (visibility_test.go proves the two
// equal).
func caseVisibleSQL(a trygg.Actor, now int64) (string, []any) {
	s := access.ReadScope(a)
	if s.UserID == "" && len(s.UnitPaths) == 0 {
		return "1 = 0", nil
	}
	var via []string
	var args []any
	via = append(via, `c.assigned_to = ?`)
	args = append(args, s.UserID)
	if len(s.UnitPaths) > 0 {
		pred, pargs := unitPathPred(s.UnitPaths)
		via = append(via, `EXISTS (SELECT 1 FROM units u WHERE u.tenant_id = c.tenant_id AND u.id = c.unit_id AND `+pred+`)`)
		args = append(args, pargs...)
	}
	if s.Emergency {
		via = append(via, `EXISTS (SELECT 1 FROM emergency_openings e WHERE e.tenant_id = c.tenant_id AND e.person_id = c.person_id
			AND e.user_id = ? AND e.expires_at > ?)`)
		args = append(args, s.UserID, now)
	}
	pred := `(` + strings.Join(via, " OR ") + `)`
	if !s.SeeProtected {
		pred = `(` + pred + ` AND EXISTS (SELECT 1 FROM persons vp WHERE vp.tenant_id = c.tenant_id AND vp.id = c.person_id AND vp.protection = 0))`
	}
	return pred, args
}

// VisibleCaseIDs returns the ids of all cases of the actor's tenant that
// the actor may read as staff (caseVisibleSQL), for tests that compare it
// with access.Decide.
func (db *DB) VisibleCaseIDs(ctx context.Context, a trygg.Actor) (map[string]bool, error) {
	vis, visArgs := caseVisibleSQL(a, micros(db.Now()))
	ids, err := scanRows(scanString)(db.query(ctx, `SELECT c.id FROM cases c WHERE c.tenant_id = ? AND `+vis, append([]any{string(a.Tenant)}, visArgs...)...))
	if err != nil {
		return nil, fmt.Errorf("store: visible cases: %w", err)
	}
	return idSet(ids), nil
}

// AllCaseIDs returns the ids of every case of the tenant, unchecked by
// access, for tests that compare lists with access.Decide.
func (db *DB) AllCaseIDs(ctx context.Context, tenant trygg.TenantID) ([]string, error) {
	ids, err := scanRows(scanString)(db.query(ctx, `SELECT id FROM cases WHERE tenant_id = ? ORDER BY id`, string(tenant)))
	if err != nil {
		return nil, fmt.Errorf("store: all cases: %w", err)
	}
	return ids, nil
}

// scanString reads a row of one text column.
func scanString(s interface{ Scan(...any) error }) (string, error) {
	var v string
	err := s.Scan(&v)
	return v, err
}

// idSet returns ids as a set.
func idSet(ids []string) map[string]bool {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}
