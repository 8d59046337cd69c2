package service

import (
	"context"
	"strings"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// SystemActor is the actor for changes made by the system itself (the CLI,
// the demo loader, migrations of data); see trygg.SystemActor.
func SystemActor(tenant trygg.TenantID) trygg.Actor { return trygg.SystemActor(tenant) }

// CreateTenant creates a tenant (kommun). It is a system operation: the
// CLI and the demo loader call it.
func (s *Service) CreateTenant(ctx context.Context, t org.Tenant) error {
	fields := map[string]string{}
	if !validSlug(string(t.ID)) {
		fields["id"] = "Use 2–40 lower-case letters, digits and '-'."
	}
	if strings.TrimSpace(t.Name) == "" {
		fields["name"] = "Required."
	}
	if len(t.MunicipalityCode) != 4 || strings.Trim(t.MunicipalityCode, "0123456789") != "" {
		fields["municipality_code"] = "Must be the 4-digit municipality code."
	}
	if len(fields) > 0 {
		return trygg.Invalid("The tenant is not valid.", fields)
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateTenant(ctx, t); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(SystemActor(t.ID), events.TenantCreated, "tenant", string(t.ID), t))
		return err
	})
}

func validSlug(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// UnitInput creates a unit.
type UnitInput struct {
	ID       string       `json:"id,omitempty"`
	ParentID string       `json:"parent_id,omitempty"`
	Name     string       `json:"name"`
	Kind     org.UnitKind `json:"kind"`
	Field    org.Field    `json:"field"`
}

// CreateUnit adds a unit to the tree. Only a system administrator may; the
// system actor (CLI, demo) always may.
func (s *Service) CreateUnit(ctx context.Context, a trygg.Actor, in UnitInput) (org.Unit, error) {
	if !a.IsSystem() {
		if _, err := access.Decide(a, access.ManageOrg, access.Subject{}); err != nil {
			return org.Unit{}, err
		}
	}
	u := org.Unit{ID: in.ID, ParentID: in.ParentID, Name: strings.TrimSpace(in.Name), Kind: in.Kind, Field: in.Field}
	if u.ID == "" {
		u.ID = newID()
	} else if !validSlug(u.ID) {
		return u, trygg.Invalid("The unit is not valid.", map[string]string{"id": "Use 2–40 lower-case letters, digits and '-'."})
	}
	var parent *org.Unit
	if u.ParentID != "" {
		p, err := s.db.Unit(ctx, a.Tenant, u.ParentID)
		if err != nil {
			return u, trygg.Invalid("The unit is not valid.", map[string]string{"parent_id": "No such unit."})
		}
		parent = &p
		u.Path = p.Path + u.ID + "/"
	} else {
		u.Path = "/" + u.ID + "/"
	}
	if err := u.Validate(parent); err != nil {
		return u, err
	}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUnit(ctx, a.Tenant, u); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, events.UnitCreated, "unit", u.ID, u))
		return err
	})
	return u, err
}

// Units lists the tenant's organisation; it holds no personal data, so any
// signed-in staff member may read it.
func (s *Service) Units(ctx context.Context, a trygg.Actor) ([]org.Unit, error) {
	return s.db.Units(ctx, a.Tenant)
}

// unitForAction returns the unit with id, or an invalid error on unit_id.
func (s *Service) unitForAction(ctx context.Context, a trygg.Actor, id string) (org.Unit, error) {
	if id == "" {
		return org.Unit{}, trygg.Invalid("A unit is required.", map[string]string{"unit_id": "Required."})
	}
	u, err := s.db.Unit(ctx, a.Tenant, id)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return u, trygg.Invalid("The unit does not exist.", map[string]string{"unit_id": "No such unit."})
	}
	return u, err
}
