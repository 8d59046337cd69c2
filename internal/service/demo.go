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
	l, err := s.BeginDemo(ctx, ds.Tenant.ID)
	if err != nil || l == nil {
		return false, err
	}
	if err := l.Load(ctx, ds, demo.Chunk{Persons: ds.Persons, Relations: ds.Relations, Cases: ds.Cases}); err != nil {
		return false, err
	}
	return true, l.Finish(ctx, ds)
}

// DemoLoader writes a municipality demo.Stream generates, chunk by
// chunk, so that none of it needs to be in memory all at once.
type DemoLoader struct {
	s           *Service
	tenant      trygg.TenantID
	started     bool
	hash        string            // of every demo account's password
	providerIDs map[string]string // key -> id
	comp        *process.Compiled
	version     int64
}

// BeginDemo returns a loader for the demo tenant tenant, or nil when the
// tenant already exists (nothing is written then).
func (s *Service) BeginDemo(ctx context.Context, tenant trygg.TenantID) (*DemoLoader, error) {
	if _, err := s.db.Tenant(ctx, tenant); err == nil {
		return nil, nil
	} else if trygg.ErrorCode(err) != trygg.ENotFound {
		return nil, err
	}
	return &DemoLoader{s: s, tenant: tenant, providerIDs: map[string]string{}}, nil
}

// Load writes chunk c of the dataset ds: before the first, the tenant,
// its units and, after the first chunk's persons, the municipality's
// staff and citizens' accounts, the providers and ds's definitions,
// published by its process designer so the cases run on them.
func (l *DemoLoader) Load(ctx context.Context, ds *demo.Dataset, c demo.Chunk) error {
	s := l.s
	sys := SystemActor(l.tenant)
	if !l.started {
		l.started = true
		if err := s.CreateTenant(ctx, ds.Tenant); err != nil {
			return fmt.Errorf("demo: tenant: %w", err)
		}
		for _, u := range ds.Units {
			if _, err := s.CreateUnit(ctx, sys, UnitInput{ID: u.ID, ParentID: u.ParentID, Name: u.Name, Kind: u.Kind, Field: u.Field}); err != nil {
				return fmt.Errorf("demo: unit %s: %w", u.ID, err)
			}
		}
	}
	const batch = 2000
	if err := inBatches(ctx, s, len(c.Persons), batch, func(tx *store.Tx, i int) error {
		p := c.Persons[i]
		if err := tx.InsertPerson(ctx, sys.Tenant, p); err != nil {
			return err
		}
		e := events.New(sys, events.PersonRegistered, "person", p.ID, withTraits(map[string]any{"identity_type": p.Identity.Type, "source": "demo"}, p.Identity))
		e.PersonID = p.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	}); err != nil {
		return fmt.Errorf("demo: persons: %w", err)
	}
	if l.hash == "" {
		if err := l.staff(ctx, ds); err != nil {
			return err
		}
	}
	if err := inBatches(ctx, s, len(c.Relations), batch, func(tx *store.Tx, i int) error {
		r := c.Relations[i]
		if err := tx.InsertRelation(ctx, sys.Tenant, r); err != nil {
			return err
		}
		e := events.New(sys, events.RelationAdded, "relation", r.ID, r)
		e.PersonID = r.ToPersonID
		_, err := tx.AppendEvent(ctx, e)
		return err
	}); err != nil {
		return fmt.Errorf("demo: relations: %w", err)
	}
	if err := inBatches(ctx, s, len(c.Cases), batch, func(tx *store.Tx, i int) error {
		c := c.Cases[i]
		sc := store.Case{ID: c.ID, PersonID: c.PersonID, UnitID: c.UnitID, CaseType: c.CaseType, Title: c.Title, Status: "open",
			AssignedTo: c.AssignedTo, OpenedAt: c.OpenedAt, ReceivedDate: calendar.Today(c.OpenedAt)}
		if l.comp != nil {
			if start, ok := l.comp.Start(c.CaseType); ok {
				sc.DefinitionVersion, sc.Step = l.version, start
			}
		}
		if err := giveReference(ctx, tx, sys.Tenant, l.comp, &sc); err != nil {
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
		return fmt.Errorf("demo: cases: %w", err)
	}
	return nil
}

// staff creates the municipality's staff and citizens' accounts (after
// the persons the citizens' point at), the providers, registered by the
// system administrator, and publishes the definitions.
func (l *DemoLoader) staff(ctx context.Context, ds *demo.Dataset) error {
	s := l.s
	// One password hash serves every demo account, so loading stays fast.
	hash, err := auth.HashPassword(demo.Password)
	if err != nil {
		return err
	}
	l.hash = hash
	if err := l.users(ctx, ds, false); err != nil {
		return err
	}
	if len(ds.Providers) > 0 {
		admin, err := s.ActorByUsername(ctx, l.tenant, "admin")
		if err != nil {
			return fmt.Errorf("demo: admin: %w", err)
		}
		for _, p := range ds.Providers {
			sp, err := s.CreateProvider(ctx, admin, ProviderInput{Name: p.Name, Kind: p.Kind, OrgNumber: p.OrgNumber, UnitID: p.UnitID,
				Insatser: p.Insatser, Areas: p.Areas})
			if err != nil {
				return fmt.Errorf("demo: provider %s: %w", p.Key, err)
			}
			l.providerIDs[p.Key] = sp.ID
		}
	}
	// The demo's process definitions, published by its process designer,
	// so the cases run on them.
	if len(ds.Definitions) > 0 {
		designer, err := s.ActorByUsername(ctx, l.tenant, "designer")
		if err != nil {
			return fmt.Errorf("demo: designer: %w", err)
		}
		in := DefinitionsInput{Note: "the packs shipped with trygg"}
		for _, d := range ds.Definitions {
			in.Files = append(in.Files, store.DefinitionFile{Name: d.Name, Content: d.Content})
		}
		dv, err := s.PublishDefinitions(ctx, designer, in)
		if err != nil {
			return fmt.Errorf("demo: definitions: %w", err)
		}
		if l.comp, err = s.compiled(ctx, l.tenant, dv.Version); err != nil {
			return err
		}
		l.version = dv.Version
	}
	return nil
}

// users creates ds's accounts of the municipality (the staff and the
// citizens), or of its providers' staff.
func (l *DemoLoader) users(ctx context.Context, ds *demo.Dataset, providerStaff bool) error {
	for _, u := range ds.Users {
		if (u.Provider != "") != providerStaff {
			continue
		}
		in := UserInput{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, PasswordHash: l.hash,
			PersonID: u.PersonID, ProtectedIdentity: u.ProtectedIdentity, Grants: u.Grants}
		if u.Provider != "" {
			if in.ProviderID = l.providerIDs[u.Provider]; in.ProviderID == "" {
				return fmt.Errorf("demo: user %s: no provider %q", u.Username, u.Provider)
			}
		}
		if _, err := l.s.CreateUser(ctx, SystemActor(l.tenant), in); err != nil {
			return fmt.Errorf("demo: user %s: %w", u.Username, err)
		}
		if u.PersonID != "" {
			// Demo citizens take their notices by e-mail, at a
			// reserved domain that never delivers.
			if err := l.s.setNoticeContact(ctx, l.tenant, u.ID, notify.ChannelEmail, u.Username+"@demo.invalid"); err != nil {
				return fmt.Errorf("demo: user %s: %w", u.Username, err)
			}
		}
	}
	return nil
}

// Finish writes what comes after the last chunk: the providers' staff's
// accounts and the payees.
func (l *DemoLoader) Finish(ctx context.Context, ds *demo.Dataset) error {
	if !l.started {
		return fmt.Errorf("demo: nothing loaded")
	}
	if l.hash == "" {
		if err := l.staff(ctx, ds); err != nil {
			return err
		}
	}
	if err := l.users(ctx, ds, true); err != nil {
		return err
	}
	return l.s.loadDemoPayees(ctx, ds)
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
