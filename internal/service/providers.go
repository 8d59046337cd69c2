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

// ProviderInput registers a provider: an internal unit (unit_id) or an
// external company (org_number), with the insatser it provides and the
// units whose areas it serves.
type ProviderInput struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	OrgNumber string   `json:"org_number,omitempty"`
	UnitID    string   `json:"unit_id,omitempty"`
	Insatser  []string `json:"insatser"`
	Areas     []string `json:"areas"`
}

// Provider kinds.
const (
	ProviderInternal = "internal"
	ProviderExternal = "external"
)

// CreateProvider registers a provider. A system administrator may. An
// external provider needs a valid organisation number; an internal one a
// unit of the municipality. Areas must be units.
func (s *Service) CreateProvider(ctx context.Context, a trygg.Actor, in ProviderInput) (store.Provider, error) {
	if _, err := access.Decide(a, access.ManageOrg, access.Subject{}); err != nil {
		return store.Provider{}, err
	}
	p := store.Provider{ID: newID(), Name: strings.TrimSpace(in.Name), Kind: in.Kind, Insatser: []string{}, Areas: []string{}}
	fields := map[string]string{}
	if p.Name == "" || len([]rune(p.Name)) > 200 {
		fields["name"] = "Required, at most 200 characters."
	}
	oneLine(fields, "name", p.Name)
	switch in.Kind {
	case ProviderExternal:
		n, err := org.ParseOrgNumber(in.OrgNumber)
		if err != nil {
			fields["org_number"] = trygg.ErrorMessage(err)
		}
		p.OrgNumber = n
	case ProviderInternal:
		if _, err := s.db.Unit(ctx, a.Tenant, in.UnitID); err != nil {
			fields["unit_id"] = "An internal provider is one of the municipality's units."
		}
		p.UnitID = in.UnitID
	default:
		fields["kind"] = "Must be internal or external."
	}
	for _, c := range in.Insatser {
		if c = strings.TrimSpace(c); c != "" && len(c) <= 100 {
			p.Insatser = append(p.Insatser, c)
		}
	}
	if len(p.Insatser) == 0 {
		fields["insatser"] = "Name at least one insats the provider provides."
	}
	for _, id := range in.Areas {
		if _, err := s.db.Unit(ctx, a.Tenant, id); err != nil {
			fields["areas"] = "Every area must be a unit of the municipality."
			break
		}
		p.Areas = append(p.Areas, id)
	}
	if len(fields) > 0 {
		return store.Provider{}, trygg.Invalid("The provider is not valid.", fields)
	}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertProvider(ctx, a.Tenant, p); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, events.ProviderRegistered, "provider", p.ID, p))
		return err
	})
	if err != nil {
		return store.Provider{}, err
	}
	p.CreatedAt = s.db.Now()
	return p, nil
}

// Providers lists the providers; staff may read the registry (it holds no
// personal data).
func (s *Service) Providers(ctx context.Context, a trygg.Actor) ([]store.Provider, error) {
	if len(a.Grants) == 0 || a.HasRole(trygg.RoleCitizen) && len(a.Grants) == 1 {
		return nil, trygg.Errorf(trygg.EForbidden, "You do not have permission to do this.")
	}
	return s.db.Providers(ctx, a.Tenant)
}
