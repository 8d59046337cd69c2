package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// TestSessionUser reads a session with its user and grants in one go, and
// sees a grant taken away or a session of another tenant at once.
func TestSessionUser(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine string) {
		db := openRaw(t, engine, true)
		ctx := t.Context()
		seedTenant(t, db.DB, "north", "North")
		seedTenant(t, db.DB, "south", "South")
		now := db.Now()
		update(t, db.DB, func(tx *store.Tx) error {
			if err := tx.CreateUnit(ctx, "north", org.Unit{ID: "unit-b", ParentID: "unit-a", Name: "B", Kind: org.KindUnit, Field: org.FieldIFO, Path: "/unit-a/unit-b/"}); err != nil {
				return err
			}
			if err := tx.GrantRole(ctx, "north", "u-1", trygg.RoleTeamLead, "unit-b"); err != nil {
				return err
			}
			if err := tx.InsertUser(ctx, "north", store.User{ID: "u-none", Username: "nogrants", DisplayName: "No grants"}); err != nil {
				return err
			}
			for _, s := range []store.Session{
				{Tenant: "north", TokenHash: "h-officer", UserID: "u-1", CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Hour)},
				{Tenant: "north", TokenHash: "h-none", UserID: "u-none", CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Hour)},
			} {
				if err := tx.InsertSession(ctx, s); err != nil {
					return err
				}
			}
			return nil
		})

		s, u, grants, err := db.SessionUser(ctx, "north", "h-officer")
		if err != nil {
			t.Fatal(err)
		}
		// In the order Grants gives them: by role, then unit path.
		want := []trygg.Grant{{Role: trygg.RoleTeamLead, UnitID: "unit-b", UnitPath: "/unit-a/unit-b/"}, {Role: trygg.RoleOfficer, UnitID: "unit-a", UnitPath: "/unit-a/"}}
		if g, err := db.Grants(ctx, "north", "u-1"); err != nil || !slices.Equal(g, want) {
			t.Fatalf("Grants = %+v, %v; want %+v", g, err, want)
		}
		if s.UserID != "u-1" || u.ID != "u-1" || u.DisplayName != "North officer" || !s.ExpiresAt.Equal(now.Add(time.Hour)) || !slices.Equal(grants, want) {
			t.Errorf("SessionUser = %+v, %+v, %+v; want u-1 with %+v", s, u, grants, want)
		}
		if _, u, grants, err := db.SessionUser(ctx, "north", "h-none"); err != nil || u.ID != "u-none" || grants == nil || len(grants) != 0 {
			t.Errorf("user without grants: %+v, %+v, %v; want no grants", u, grants, err)
		}
		for _, c := range []struct {
			tenant trygg.TenantID
			hash   string
		}{{"north", "h-unknown"}, {"south", "h-officer"}} {
			_, _, _, err := db.SessionUser(ctx, c.tenant, c.hash)
			wantCode(t, err, trygg.ENotFound, "session "+c.hash+" in "+string(c.tenant))
		}

		db.exec(t, `DELETE FROM role_grants WHERE tenant_id = ? AND user_id = ? AND role = ?`, "north", "u-1", string(trygg.RoleTeamLead))
		if _, _, grants, err := db.SessionUser(ctx, "north", "h-officer"); err != nil || len(grants) != 1 || grants[0].Role != trygg.RoleOfficer {
			t.Errorf("after the team-lead grant was taken away: %+v, %v", grants, err)
		}
	})
}
