package service

import (
	"context"
	"slices"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// shownNames fills m with the display names of the user ids as the reader
// a may see them (system actions and unknown ids are left out, as by
// names) and returns the ids whose names are withheld from a: accounts of
// persons with protected identity (a guardian, representative or the
// person themself writing on Mina sidor), unless a is that account or has
// the protected-identity permission. The pages show what such an author
// wrote by how they act for the person ("Vårdnadshavare (skyddade
// personuppgifter)"), and a case's history without a name. It is the one
// rule for every page and answer that names who wrote a message or a goal
// comment or did something on a case: the staff pages, the provider pages,
// Mina sidor and the API.
func (s *Service) shownNames(ctx context.Context, a trygg.Actor, ids []string, m map[string]string) (map[string]bool, error) {
	withheld := map[string]bool{}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if id == "" {
			continue
		}
		u, err := s.db.UserByID(ctx, a.Tenant, id)
		if trygg.ErrorCode(err) == trygg.ENotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if u.PersonID != "" && u.ID != a.UserID && !a.ProtectedIdentity {
			p, err := s.db.PersonByID(ctx, a.Tenant, u.PersonID)
			if err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
				return nil, err
			}
			if err != nil || p.Protection != persons.ProtectionNone {
				delete(m, id)
				withheld[id] = true
				continue
			}
		}
		m[id] = u.DisplayName
	}
	return withheld, nil
}
