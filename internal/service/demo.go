package service

import (
	"context"
	"fmt"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/notify"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// LoadDemo writes a generated municipality, unless its tenant already
// exists (then it returns false and changes nothing). Persons, relations and
// cases go in batches, each batch one transaction with its events.
func (s *Service) LoadDemo(ctx context.Context, ds *demo.Dataset) (bool, error) {
	if _, err := s.db.Tenant(ctx, ds.Tenant.ID); err == nil {
		return false, nil
	} else if trygg.ErrorCode(err) != trygg.ENotFound {
		return false, err
	}
	sys := SystemActor(ds.Tenant.ID)
	if err := s.CreateTenant(ctx, ds.Tenant); err != nil {
		return false, fmt.Errorf("demo: tenant: %w", err)
	}
	for _, u := range ds.Units {
		if _, err := s.CreateUnit(ctx, sys, UnitInput{ID: u.ID, ParentID: u.ParentID, Name: u.Name, Kind: u.Kind, Field: u.Field}); err != nil {
			return false, fmt.Errorf("demo: unit %s: %w", u.ID, err)
		}
	}
	const batch = 2000
	if err := inBatches(ctx, s, len(ds.Persons), batch, func(tx *store.Tx, i int) error {
		p := ds.Persons[i]
		if err := tx.InsertPerson(ctx, sys.Tenant, p); err != nil {
			return err
		}
		e := events.New(sys, events.PersonRegistered, "person", p.ID, withTraits(map[string]any{"identity_type": p.Identity.Type, "source": "demo"}, p.Identity))
		e.PersonID = p.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	}); err != nil {
		return false, fmt.Errorf("demo: persons: %w", err)
	}
	// Users after persons: citizen accounts point at their person. One
	// password hash serves every demo account, so loading stays fast.
	hash, err := auth.HashPassword(demo.Password)
	if err != nil {
		return false, err
	}
	// The municipality's staff first: its system administrator registers
	// the providers, and then their staff get accounts.
	providerIDs := map[string]string{} // key -> id
	createUsers := func(providerStaff bool) error {
		for _, u := range ds.Users {
			if (u.Provider != "") != providerStaff {
				continue
			}
			in := UserInput{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, PasswordHash: hash,
				PersonID: u.PersonID, ProtectedIdentity: u.ProtectedIdentity, Grants: u.Grants}
			if u.Provider != "" {
				if in.ProviderID = providerIDs[u.Provider]; in.ProviderID == "" {
					return fmt.Errorf("demo: user %s: no provider %q", u.Username, u.Provider)
				}
			}
			if _, err := s.CreateUser(ctx, sys, in); err != nil {
				return fmt.Errorf("demo: user %s: %w", u.Username, err)
			}
			if u.PersonID != "" {
				// Demo citizens take their notices by e-mail, at a
				// reserved domain that never delivers.
				if err := s.setNoticeContact(ctx, ds.Tenant.ID, u.ID, notify.ChannelEmail, u.Username+"@demo.invalid"); err != nil {
					return fmt.Errorf("demo: user %s: %w", u.Username, err)
				}
			}
		}
		return nil
	}
	if err := createUsers(false); err != nil {
		return false, err
	}
	if len(ds.Providers) > 0 {
		admin, err := s.ActorByUsername(ctx, ds.Tenant.ID, "admin")
		if err != nil {
			return false, fmt.Errorf("demo: admin: %w", err)
		}
		for _, p := range ds.Providers {
			sp, err := s.CreateProvider(ctx, admin, ProviderInput{Name: p.Name, Kind: p.Kind, OrgNumber: p.OrgNumber, UnitID: p.UnitID,
				Insatser: p.Insatser, Areas: p.Areas})
			if err != nil {
				return false, fmt.Errorf("demo: provider %s: %w", p.Key, err)
			}
			providerIDs[p.Key] = sp.ID
		}
	}
	if err := createUsers(true); err != nil {
		return false, err
	}
	// The demo's process definitions, published by its process designer,
	// so the cases below run on them.
	var comp *process.Compiled
	var version int64
	if len(ds.Definitions) > 0 {
		designer, err := s.ActorByUsername(ctx, ds.Tenant.ID, "designer")
		if err != nil {
			return false, fmt.Errorf("demo: designer: %w", err)
		}
		in := DefinitionsInput{Note: "the packs shipped with trygg"}
		for _, d := range ds.Definitions {
			in.Files = append(in.Files, store.DefinitionFile{Name: d.Name, Content: d.Content})
		}
		dv, err := s.PublishDefinitions(ctx, designer, in)
		if err != nil {
			return false, fmt.Errorf("demo: definitions: %w", err)
		}
		if comp, err = s.compiled(ctx, ds.Tenant.ID, dv.Version); err != nil {
			return false, err
		}
		version = dv.Version
	}
	if err := inBatches(ctx, s, len(ds.Relations), batch, func(tx *store.Tx, i int) error {
		r := ds.Relations[i]
		if err := tx.InsertRelation(ctx, sys.Tenant, r); err != nil {
			return err
		}
		e := events.New(sys, events.RelationAdded, "relation", r.ID, r)
		e.PersonID = r.ToPersonID
		_, err := tx.AppendEvent(ctx, e)
		return err
	}); err != nil {
		return false, fmt.Errorf("demo: relations: %w", err)
	}
	if err := inBatches(ctx, s, len(ds.Cases), batch, func(tx *store.Tx, i int) error {
		c := ds.Cases[i]
		sc := store.Case{ID: c.ID, PersonID: c.PersonID, UnitID: c.UnitID, CaseType: c.CaseType, Title: c.Title, Status: "open",
			AssignedTo: c.AssignedTo, OpenedAt: c.OpenedAt, ReceivedDate: calendar.Today(c.OpenedAt)}
		if comp != nil {
			if start, ok := comp.Start(c.CaseType); ok {
				sc.DefinitionVersion, sc.Step = version, start
			}
		}
		if err := giveReference(ctx, tx, sys.Tenant, comp, &sc); err != nil {
			return err
		}
		if err := tx.InsertCase(ctx, sys.Tenant, sc); err != nil {
			return err
		}
		// The received date is the day the case was opened, which its
		// played history (PlayDemoWalks) starts from, not the day the demo
		// is loaded: without it analysis would count the history's
		// decisions as made before their cases were received.
		e := events.New(sys, events.CaseOpened, "case", c.ID, map[string]any{"unit_id": c.UnitID, "case_type": c.CaseType, "assigned_to": c.AssignedTo,
			"reference": sc.Reference, "received_date": sc.ReceivedDate})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	}); err != nil {
		return false, fmt.Errorf("demo: cases: %w", err)
	}
	if err := s.loadDemoPayees(ctx, ds); err != nil {
		return false, err
	}
	return true, nil
}

func inBatches(ctx context.Context, s *Service, n, size int, fn func(tx *store.Tx, i int) error) error {
	for start := 0; start < n; start += size {
		end := min(start+size, n)
		err := s.db.Update(ctx, func(tx *store.Tx) error {
			for i := start; i < end; i++ {
				if err := fn(tx, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
