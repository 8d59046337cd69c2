package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Citizens sign in with e-identification (an OpenID Connect broker
// vouches for their identity number) or, in the demo, with the test
// sign-in. Both end here: the number is validated, the person is found in
// trygg's person registry or registered from the population registry,
// and the person's one citizen account is found or created (role
// invånare, no password).

// The ways a citizen signs in, as the sign-in event records them.
const (
	CitizenByEID  = "eid"
	CitizenByTest = "test"
)

// The answers of a citizen sign-in that failed. None holds the number.
var (
	errCitizenNumber = trygg.Invalid("The identity number is not a valid Swedish personal identity number or coordination number.",
		map[string]string{"identity_number": "Not a valid personal identity number or coordination number."})
	errCitizenUnknown = trygg.Errorf(trygg.EUnauthorized,
		"Your identity was confirmed, but you are not in the population registry we use, so no account was created. Contact the municipality.")
	errCitizenNotCitizen = trygg.Errorf(trygg.EUnauthorized,
		"The account linked to this identity is not a citizen account. Sign in with your username and password instead.")
)

// SignInCitizen starts a session for the citizen with the identity number
// (a personnummer or samordningsnummer; any accepted form), whose identity
// the caller has verified: by the e-identification broker (method
// CitizenByEID) or, in the demo only, the test sign-in (CitizenByTest).
// On the first sign-in the person is registered from the population
// registry if trygg does not know them, and a citizen account is linked to
// them. It returns an invalid error for a number that does not parse, an
// unauthorized error for a person neither registry knows, and no account
// is created in either case.
func (s *Service) SignInCitizen(ctx context.Context, tenant trygg.TenantID, identityNumber, method string) (Session, error) {
	if method != CitizenByEID && method != CitizenByTest {
		return Session{}, fmt.Errorf("service: unknown citizen sign-in method %q", method)
	}
	id, err := persons.ParseIdentityNumber(identityNumber, s.db.Now())
	if err != nil || (id.Type != persons.IDPersonnummer && id.Type != persons.IDSamordningsnummer) {
		return Session{}, errCitizenNumber
	}
	var newPerson *persons.Person
	p, err := s.db.PersonByIdentity(ctx, tenant, id)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		// From the population registry, before the transaction (it is
		// outside the database), as opening a case does.
		if s.registry == nil {
			return Session{}, errCitizenUnknown
		}
		rec, err := s.registry.Lookup(ctx, id)
		if trygg.ErrorCode(err) == trygg.ENotFound {
			return Session{}, errCitizenUnknown
		}
		if err != nil {
			return Session{}, err
		}
		p = persons.Person{ID: newPersonID(), Identity: id, GivenName: rec.GivenName, FamilyName: rec.FamilyName,
			Address: rec.Address, Protection: rec.Protection, Sex: id.Sex()}
		if bd, ok := id.BirthDate(); ok {
			p.BirthDate = bd.Format("2006-01-02")
		}
		if err := p.Validate(); err != nil {
			return Session{}, errCitizenUnknown
		}
		newPerson = &p
	} else if err != nil {
		return Session{}, err
	}

	u, err := s.citizenAccount(ctx, tenant, p, newPerson, method)
	if err != nil {
		return Session{}, err
	}
	return s.startSession(ctx, tenant, u, method, s.SessionMax)
}

// citizenAccount returns the person's citizen account, creating it (and
// registering the person, when new) in one transaction.
func (s *Service) citizenAccount(ctx context.Context, tenant trygg.TenantID, p persons.Person, newPerson *persons.Person, method string) (store.User, error) {
	if newPerson == nil {
		u, err := s.db.CitizenUserByPerson(ctx, tenant, p.ID)
		if err == nil {
			return s.checkCitizen(ctx, tenant, u)
		}
		if trygg.ErrorCode(err) != trygg.ENotFound {
			return store.User{}, err
		}
	}
	root, err := s.db.RootUnit(ctx, tenant)
	if err != nil {
		return store.User{}, err
	}
	u := store.User{ID: newID(), Username: "e-" + newID(), DisplayName: strings.TrimSpace(p.GivenName + " " + p.FamilyName), PersonID: p.ID}
	if u.DisplayName == "" {
		u.DisplayName = "Invånare"
	}
	citizen := trygg.Actor{Tenant: tenant, UserID: u.ID, DisplayName: u.DisplayName, PersonID: p.ID,
		Grants: []trygg.Grant{{Role: trygg.RoleCitizen, UnitID: root.ID, UnitPath: root.Path}}}
	var found *store.User
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		var entries []audit.Entry
		if newPerson != nil {
			// Someone may have registered the person meanwhile.
			if existing, err := tx.PersonByIdentity(ctx, tenant, newPerson.Identity); err == nil {
				u.PersonID, citizen.PersonID = existing.ID, existing.ID
				newPerson = nil
			}
		}
		if newPerson != nil {
			if err := tx.InsertPerson(ctx, tenant, *newPerson); err != nil {
				return err
			}
			e := events.New(citizen, events.PersonRegistered, "person", newPerson.ID,
				withTraits(map[string]any{"unit_id": root.ID, "identity_type": newPerson.Identity.Type, "source": "citizen_sign_in"}, newPerson.Identity))
			e.PersonID = newPerson.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
			entries = append(entries, entry(citizen, access.RegisterPerson, newPerson.ID, "", access.RelSelf, ""))
		} else if existing, err := tx.CitizenUserByPerson(ctx, tenant, u.PersonID); err == nil {
			// Another sign-in of the same person linked it meanwhile.
			found = &existing
			return nil
		}
		if err := tx.InsertUser(ctx, tenant, u); err != nil {
			return err
		}
		e := events.New(citizen, events.UserCreated, "user", u.ID, map[string]any{"username": u.Username, "method": method})
		e.PersonID = u.PersonID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		g := trygg.Grant{Role: trygg.RoleCitizen, UnitID: root.ID}
		if err := tx.GrantRole(ctx, tenant, u.ID, g.Role, g.UnitID); err != nil {
			return err
		}
		if _, err := tx.AppendEvent(ctx, events.New(citizen, events.RoleGranted, "user", u.ID, g)); err != nil {
			return err
		}
		if len(entries) > 0 {
			return tx.AppendAccessLog(ctx, entries)
		}
		return nil
	})
	if err != nil {
		return store.User{}, err
	}
	if found != nil {
		return s.checkCitizen(ctx, tenant, *found)
	}
	return u, nil
}

// checkCitizen refuses a linked account that is not a citizen's.
func (s *Service) checkCitizen(ctx context.Context, tenant trygg.TenantID, u store.User) (store.User, error) {
	grants, err := s.db.Grants(ctx, tenant, u.ID)
	if err != nil {
		return u, err
	}
	for _, g := range grants {
		if g.Role == trygg.RoleCitizen && !u.APIClient {
			return u, nil
		}
	}
	return u, errCitizenNotCitizen
}
