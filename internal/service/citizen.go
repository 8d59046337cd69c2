package service

import (
	"context"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// The citizen portal (Mina sidor) acts for one person at a time: the
// citizen themselves, a child in their custody (vårdnadshavare) or a person
// they represent (ombud, god man, förvaltare), as the person registry's
// relations say today. Which one is always shown.

// Subject is someone a citizen may act for on the portal.
type Subject struct {
	PersonID string          `json:"person_id"`
	Name     string          `json:"name"`
	Relation access.Relation `json:"relation"` // self, guardian or representative
}

var errNotCitizen = trygg.Errorf(trygg.EForbidden, "Mina sidor is for citizens; staff work in the staff pages.")

// CitizenSubjects returns the persons the citizen may act for, themselves
// first, from the relations valid today. Their names are personal data:
// the read is access-logged.
func (s *Service) CitizenSubjects(ctx context.Context, a trygg.Actor) ([]Subject, error) {
	if !a.HasRole(trygg.RoleCitizen) || a.PersonID == "" {
		return nil, errNotCitizen
	}
	self, err := s.db.PersonByID(ctx, a.Tenant, a.PersonID)
	if err != nil {
		return nil, err
	}
	out := []Subject{{PersonID: self.ID, Name: self.GivenName + " " + self.FamilyName, Relation: access.RelSelf}}
	entries := []audit.Entry{entry(a, access.ReadPerson, self.ID, "", access.RelSelf, "")}
	rels, err := s.db.Relations(ctx, a.Tenant, a.PersonID)
	if err != nil {
		return nil, err
	}
	today := s.db.Now().Format("2006-01-02")
	seen := map[string]bool{self.ID: true}
	for _, r := range rels {
		if r.FromPersonID != a.PersonID || seen[r.ToPersonID] || !actsFor(r.Kind) || r.ValidFrom > today || (r.ValidTo != "" && r.ValidTo < today) {
			continue
		}
		p, err := s.db.PersonByID(ctx, a.Tenant, r.ToPersonID)
		if err != nil {
			return nil, err
		}
		seen[p.ID] = true
		rel := access.RelationForKind(r.Kind)
		out = append(out, Subject{PersonID: p.ID, Name: p.GivenName + " " + p.FamilyName, Relation: rel})
		entries = append(entries, entry(a, access.ReadPerson, p.ID, "", rel, ""))
	}
	if err := s.logAccess(ctx, entries...); err != nil {
		return nil, err
	}
	return out, nil
}

// actsFor reports whether a relation of kind lets its holder act for the
// other person.
func actsFor(k persons.RelationKind) bool {
	switch k {
	case persons.RelGuardian, persons.RelRepresentative, persons.RelGodMan, persons.RelForvaltare:
		return true
	}
	return false
}

// SubjectOf returns the subject with personID among subjects, or a
// not-found error: a citizen never learns of persons they may not act for.
func SubjectOf(subjects []Subject, personID string) (Subject, error) {
	for _, s := range subjects {
		if s.PersonID == personID {
			return s, nil
		}
	}
	return Subject{}, trygg.Errorf(trygg.ENotFound, "Not found.")
}
