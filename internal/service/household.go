package service

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/trygg"
)

// A form's group with a household (process.Household) proposes its rows
// from what the registry knows of the household of the person the case
// is about: the person, a spouse or registered partner the population
// registry has at the same address, and the children in the person's
// custody (guardian relations in force) registered at the same address.
// The proposals are worked out only when a form shows such a group with
// no rows yet, and the members' names shown are access-logged.

// householdFunc returns the household of a form's person, worked out the
// first time it is asked for.
type householdFunc func() ([]process.Member, error)

// householdLater returns the household of p for a form on caseID ("" for
// an application not yet sent) read by a on ground, worked out and
// logged when first asked for.
func (s *Service) householdLater(ctx context.Context, a trygg.Actor, p persons.Person, caseID string, ground access.Relation) householdFunc {
	var once sync.Once
	var members []process.Member
	var err error
	return func() ([]process.Member, error) {
		once.Do(func() {
			var logs []audit.Entry
			members, logs, err = s.household(ctx, a, p, caseID, ground)
			if err == nil && len(logs) > 0 {
				err = s.logAccess(ctx, logs...)
			}
		})
		return members, err
	}
}

// household returns the household of p, the person first, then a
// partner, then the children, oldest first; and the access-log entries of
// the other members' names it shows. A member with protected identity is
// proposed without a name.
func (s *Service) household(ctx context.Context, a trygg.Actor, p persons.Person, caseID string, ground access.Relation) ([]process.Member, []audit.Entry, error) {
	now := s.db.Now()
	today := now.Format("2006-01-02")
	age := func(id persons.Identity) int {
		n, _ := id.Age(now)
		return n
	}
	out := []process.Member{{Kind: process.MemberSelf, Name: p.GivenName, Age: age(p.Identity)}}
	var logs []audit.Entry
	name := func(given string, protection persons.Protection) string {
		if protection != persons.ProtectionNone {
			return ""
		}
		return given
	}
	if s.registry != nil {
		rec, err := s.registry.Lookup(ctx, p.Identity)
		if err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
			return nil, nil, err
		}
		if err == nil && rec.Partner.Value != "" {
			partner, err := s.registry.Lookup(ctx, rec.Partner)
			if err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
				return nil, nil, err
			}
			if err == nil && sameAddress(partner.Address, rec.Address) {
				out = append(out, process.Member{Kind: process.MemberPartner, Name: name(partner.GivenName, partner.Protection), Age: age(partner.Identity)})
				if known, err := s.db.PersonByIdentity(ctx, a.Tenant, partner.Identity); err == nil {
					logs = append(logs, entry(a, access.ReadPersonName, known.ID, caseID, ground, ""))
				} else if trygg.ErrorCode(err) != trygg.ENotFound {
					return nil, nil, err
				}
			}
		}
	}
	rels, err := s.db.Relations(ctx, a.Tenant, p.ID)
	if err != nil {
		return nil, nil, err
	}
	var children []process.Member
	for _, r := range rels {
		if r.FromPersonID != p.ID || r.Kind != persons.RelGuardian || (r.ValidFrom != "" && r.ValidFrom > today) || (r.ValidTo != "" && r.ValidTo < today) {
			continue
		}
		child, err := s.db.PersonByID(ctx, a.Tenant, r.ToPersonID)
		if err != nil {
			return nil, nil, err
		}
		if child.Address.Street != "" && p.Address.Street != "" && !sameAddress(child.Address, p.Address) {
			continue // in custody, but registered elsewhere
		}
		children = append(children, process.Member{Kind: process.MemberChild, Name: name(child.GivenName, child.Protection), Age: age(child.Identity)})
		logs = append(logs, entry(a, access.ReadPersonName, child.ID, caseID, ground, ""))
	}
	sort.SliceStable(children, func(i, j int) bool { return children[i].Age > children[j].Age })
	return append(out, children...), logs, nil
}

// sameAddress reports whether two addresses are the same street address
// in the same postal code, written with or without spaces and capitals.
func sameAddress(x, y persons.Address) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	return norm(x.Street) != "" && norm(x.Street) == norm(y.Street) && norm(x.PostalCode) == norm(y.PostalCode)
}

// householdProposals returns the rows the form's household groups
// propose, by field, for the groups that have no rows yet in values.
func householdProposals(comp *process.Compiled, formID string, values map[string]any, lang string, members householdFunc) (map[string][]process.HouseholdRow, error) {
	fields := comp.HouseholdFields(formID)
	if len(fields) == 0 || members == nil {
		return nil, nil
	}
	var out map[string][]process.HouseholdRow
	for id := range fields {
		switch rows := values[id].(type) {
		case []map[string]any:
			if len(rows) > 0 {
				continue
			}
		case []any:
			if len(rows) > 0 {
				continue
			}
		}
		ms, err := members()
		if err != nil {
			return nil, err
		}
		if rows := comp.HouseholdRows(formID, id, ms, lang); len(rows) > 0 {
			if out == nil {
				out = map[string][]process.HouseholdRow{}
			}
			out[id] = rows
		}
	}
	return out, nil
}
