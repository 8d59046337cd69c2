package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Population-registry changes (address, protected identity, death,
// custody, identity number) flow in from the registry's change feed
// (persons.Registry.Changes; docs/integrations.md). Each tenant keeps its
// place in the feed in the database and applies the changes after it in
// order, each in one transaction with its event, the place moved in that
// same transaction: a crash neither repeats nor skips one. A change whose
// id the tenant has handled already is passed over, so a change delivered
// twice is applied once. A lease on the place lets one server at a time
// apply changes.
//
// What a change does:
//   - protection: the person's level; every read that hides protected
//     persons asks the person's row, so search, case pages, provider
//     orders and visit lists hide them from the commit on;
//   - death: the day is recorded, the person's running orders end on it
//     (as the service ends orders) and each of their open cases gets a
//     task for its officer (or team) in the inbox;
//   - custody: the child's guardian relations become the registry's set
//     from the change's date (a relation ends the day before, a new one
//     begins on it), which is what Mina sidor lets guardians act by; a
//     guardian trygg does not know yet is registered from the registry;
//   - address and identity number: the person's.
//
// A change about a person trygg does not hold changes nothing here (the
// registry's own records follow it); a record the feed could not read,
// or one that cannot be applied, is recorded as refused with the reason
// (fields named, never values) and passed.

// TaskPersonDied is the kind of the inbox task a death puts on each of
// the person's open cases.
const TaskPersonDied = "registry_death"

// errRegistryLeaseLost stops a round whose lease went to another server.
var errRegistryLeaseLost = errors.New("service: the registry lease went to another server")

// ApplyRegistryChanges applies up to limit of reg's changes after the
// tenant's place in the feed, as owner, and returns how many it handled
// and whether there may be more. While another owner holds the lease it
// handles none. It returns an error when the feed or the database fails;
// the change it was at is tried again next round.
func (s *Service) ApplyRegistryChanges(ctx context.Context, tenant trygg.TenantID, reg persons.Registry, owner string, limit int) (handled int, more bool, err error) {
	pos, held, err := s.db.LeaseRegistryCursor(ctx, tenant, owner, s.db.Now().Add(s.lease()))
	if err != nil || !held {
		return 0, false, err
	}
	changes, err := reg.Changes(ctx, pos, limit)
	if err != nil {
		return 0, false, fmt.Errorf("service: registry changes: %w", err)
	}
	for _, c := range changes {
		guardians, err := s.custodyGuardians(ctx, tenant, reg, c)
		if err != nil {
			return handled, false, err
		}
		err = s.db.Update(ctx, func(tx *store.Tx) error {
			moved, err := tx.AdvanceRegistryCursor(ctx, tenant, owner, pos, c.Position)
			if err != nil {
				return err
			}
			if !moved {
				return errRegistryLeaseLost
			}
			return s.applyRegistryChange(ctx, tx, tenant, c, guardians)
		})
		if errors.Is(err, errRegistryLeaseLost) {
			return handled, false, nil
		}
		if err != nil {
			return handled, false, err
		}
		pos = c.Position
		handled++
	}
	return handled, len(changes) == limit && limit > 0, nil
}

// RunRegistryChanges applies every tenant's registry changes from reg
// every interval until ctx ends, then gives up its leases so a restarted
// server goes on at once.
func (s *Service) RunRegistryChanges(ctx context.Context, reg persons.Registry, interval time.Duration) {
	owner := newID()
	s.runLeased(ctx, interval, "applying registry changes failed",
		func(ctx context.Context, tn trygg.TenantID) (bool, error) {
			n, more, err := s.ApplyRegistryChanges(ctx, tn, reg, owner, 200)
			if n > 0 {
				s.log.Info("registry changes applied", "tenant", tn, "changes", n)
			}
			return more, err
		},
		func(ctx context.Context, tn trygg.TenantID) error { return s.db.ReleaseRegistryCursor(ctx, tn, owner) })
}

// RegistryStatus is where a tenant is in the registry's change feed and
// the last changes it handled, newest first.
type RegistryStatus struct {
	Position string                 `json:"position"`
	Changes  []store.RegistryChange `json:"changes"`
}

// RegistryChangesStatus returns the tenant's place in the change feed and
// its last limit changes handled, for the system administrator (or the
// system's own actor, the CLI); others are refused.
func (s *Service) RegistryChangesStatus(ctx context.Context, a trygg.Actor, limit int) (RegistryStatus, error) {
	if !a.IsSystem() && !a.HasRole(trygg.RoleSysAdmin) {
		return RegistryStatus{}, trygg.Errorf(trygg.EForbidden, "Only a system administrator may see the registry changes.")
	}
	var st RegistryStatus
	var err error
	if st.Position, err = s.db.RegistryPosition(ctx, a.Tenant); err != nil {
		return st, err
	}
	st.Changes, err = s.db.RegistryChanges(ctx, a.Tenant, limit)
	return st, err
}

// newGuardian is a guardian a custody change names: a person trygg holds
// (ID) or one to register from the registry (New).
type newGuardian struct {
	Identity persons.Identity
	New      *persons.Person
}

// custodyGuardians looks up, before the change's transaction (the
// registry is outside the database), the guardians a custody change names
// that the tenant does not hold yet. A guardian the registry does not know
// either is left out with nothing to register: the change is refused.
func (s *Service) custodyGuardians(ctx context.Context, tenant trygg.TenantID, reg persons.Registry, c persons.Change) ([]newGuardian, error) {
	if c.Kind != persons.ChangeCustody || c.Refused != "" {
		return nil, nil
	}
	out := make([]newGuardian, 0, len(c.Guardians))
	for _, id := range c.Guardians {
		g := newGuardian{Identity: id}
		_, err := s.db.PersonByIdentity(ctx, tenant, id)
		switch trygg.ErrorCode(err) {
		case "":
		case trygg.ENotFound:
			rec, err := reg.Lookup(ctx, id)
			if trygg.ErrorCode(err) == trygg.ENotFound {
				break
			} else if err != nil {
				return nil, err
			}
			p := persons.Person{ID: newPersonID(), Identity: id, GivenName: rec.GivenName, FamilyName: rec.FamilyName,
				Address: rec.Address, Protection: rec.Protection, Sex: id.Sex()}
			if bd, ok := id.BirthDate(); ok {
				p.BirthDate = bd.Format(time.DateOnly)
			}
			if p.Validate() == nil {
				g.New = &p
			}
		default:
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// refusal is a change that cannot be applied, with the reason.
type refusal string

func (r refusal) Error() string { return string(r) }

// applyRegistryChange applies one change inside tx and records it as
// handled, with its event; a change handled already does nothing.
func (s *Service) applyRegistryChange(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, c persons.Change, guardians []newGuardian) error {
	// A record that could not be read is kept by its position, so the
	// registry may deliver it again, corrected, under the same id.
	key := c.ID
	if key == "" || c.Refused != "" {
		key = "@" + c.Position
	}
	if done, err := tx.RegistryChangeHandled(ctx, tenant, key); err != nil || done {
		return err
	}
	rc := store.RegistryChange{ChangeID: key, Position: c.Position, Kind: string(c.Kind), ChangeDate: c.Date, Outcome: store.RegistryApplied}
	if c.Refused != "" {
		rc.Outcome, rc.Detail = store.RegistryRefused, c.Refused
		if c.ID != "" {
			rc.Detail = "change " + c.ID + ": " + c.Refused
		}
		s.log.Warn("a registry change was refused", "change", key, "position", c.Position, "reason", c.Refused)
		return tx.InsertRegistryChange(ctx, tenant, rc)
	}
	p, err := tx.PersonByIdentity(ctx, tenant, c.Identity)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		rc.Outcome = store.RegistryNotRegistered
		return tx.InsertRegistryChange(ctx, tenant, rc)
	}
	if err != nil {
		return err
	}
	rc.PersonID = p.ID
	a := trygg.SystemActor(tenant)
	// The event of a change applied here; death and custody append their
	// own.
	var e events.Event
	switch c.Kind {
	case persons.ChangeAddress:
		if err = tx.SetPersonAddress(ctx, tenant, p.ID, c.Address); err == nil {
			err = followOnOrders(ctx, tx, a, p.ID, func(op *store.OrderPerson) { op.Address = orderAddress(c.Address) })
		}
		e = events.New(a, events.PersonAddressChanged, "person", p.ID, addressChanged{ChangeID: c.ID, ChangeDate: c.Date})
	case persons.ChangeProtection:
		err = tx.SetPersonProtection(ctx, tenant, p.ID, c.Protection)
		e = events.New(a, events.PersonProtectionChanged, "person", p.ID, protectionChanged{ChangeID: c.ID, ChangeDate: c.Date, Protection: c.Protection})
	case persons.ChangeDeath:
		err = s.applyDeath(ctx, tx, a, p, c)
	case persons.ChangeCustody:
		err = s.applyCustody(ctx, tx, a, p, c, guardians)
	case persons.ChangeIdentity:
		if err = applyIdentity(ctx, tx, tenant, p, c); err == nil {
			err = followOnOrders(ctx, tx, a, p.ID, func(op *store.OrderPerson) { op.IdentityNumber = c.NewIdentity.Value })
		}
		e = events.New(a, events.PersonIdentityChanged, "person", p.ID, identityChanged{ChangeID: c.ID, ChangeDate: c.Date, IdentityType: c.NewIdentity.Type})
	default:
		err = refusal("unknown kind of change")
	}
	var r refusal
	if errors.As(err, &r) {
		// Refused before anything was written: the transaction goes on
		// to record the refusal.
		rc.Outcome, rc.Detail = store.RegistryRefused, string(r)
		s.log.Warn("a registry change was refused", "change", key, "position", c.Position, "reason", string(r))
		return tx.InsertRegistryChange(ctx, tenant, rc)
	}
	if err != nil {
		return err
	}
	if e.Type != "" {
		e.PersonID = p.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
	}
	return tx.InsertRegistryChange(ctx, tenant, rc)
}

// The payloads of the registry changes' events: the change and what was
// done, never a name, an address or an identity number.
type (
	addressChanged struct {
		// ChangeID is the population registry's id of the change.
		ChangeID string `json:"change_id"`
		// ChangeDate is the day the change takes effect (YYYY-MM-DD).
		ChangeDate string `json:"change_date"`
	}
	protectionChanged struct {
		// ChangeID is the population registry's id of the change.
		ChangeID string `json:"change_id"`
		// ChangeDate is the day the change takes effect (YYYY-MM-DD).
		ChangeDate string `json:"change_date"`
		// Protection is the person's level from now on: none,
		// sekretessmarkering or skyddad_folkbokforing.
		Protection persons.Protection `json:"protection"`
	}
	personDied struct {
		// ChangeID is the population registry's id of the change.
		ChangeID string `json:"change_id"`
		// ChangeDate is the day the change takes effect (YYYY-MM-DD).
		ChangeDate string `json:"change_date"`
		// DiedOn is the date of death (YYYY-MM-DD), the day the
		// person's running orders ended.
		DiedOn string `json:"died_on"`
		// OrdersEnded is how many running orders ended (each with its
		// own order.ended).
		OrdersEnded int `json:"orders_ended"`
		// Tasks is how many open cases got a task for their officer.
		Tasks int `json:"tasks"`
	}
	custodyChanged struct {
		// ChangeID is the population registry's id of the change.
		ChangeID string `json:"change_id"`
		// ChangeDate is the day the change takes effect (YYYY-MM-DD).
		ChangeDate string `json:"change_date"`
		// Added are the ids of the guardian relations recorded, from
		// the change's date.
		Added []string `json:"added"`
		// Ended are the ids of the guardian relations ended the day
		// before the change's date.
		Ended []string `json:"ended"`
		// GuardiansRegistered are the ids of guardians registered as
		// persons from the registry (each with its person.registered).
		GuardiansRegistered []string `json:"guardians_registered"`
	}
	identityChanged struct {
		// ChangeID is the population registry's id of the change.
		ChangeID string `json:"change_id"`
		// ChangeDate is the day the change takes effect (YYYY-MM-DD).
		ChangeDate string `json:"change_date"`
		// IdentityType is the new number's type: personnummer or
		// samordningsnummer.
		IdentityType persons.IDType `json:"identity_type"`
	}
)

// followOnOrders changes what the person's running orders say about them
// (the address, the identity number) as change says, inside tx: each
// order that changes is changed as orders are (order.changed), so the
// provider's feed has it.
func followOnOrders(ctx context.Context, tx *store.Tx, a trygg.Actor, personID string, change func(*store.OrderPerson)) error {
	orders, err := tx.PersonOrders(ctx, a.Tenant, personID)
	if err != nil {
		return err
	}
	for _, o := range orders {
		before := o.Content.Person
		change(&o.Content.Person)
		if !o.Active() || o.Content.Person == before {
			continue
		}
		if err := updateOrder(ctx, tx, a, events.OrderChanged, o); err != nil {
			return err
		}
	}
	return nil
}

// orderAddress is the address as an order carries it, on one line (as
// newOrder writes it).
func orderAddress(ad persons.Address) string {
	addr := strings.TrimSpace(strings.TrimSpace(ad.Street+", "+ad.PostalCode) + " " + ad.City)
	return strings.Trim(addr, ", ")
}

// applyDeath records the death, ends the person's running orders on the
// day of death and puts a task on each of their open cases.
func (s *Service) applyDeath(ctx context.Context, tx *store.Tx, a trygg.Actor, p persons.Person, c persons.Change) error {
	if err := tx.SetPersonDied(ctx, a.Tenant, p.ID, c.DiedOn); err != nil {
		return err
	}
	orders, err := tx.PersonOrders(ctx, a.Tenant, p.ID)
	if err != nil {
		return err
	}
	ended := 0
	for _, o := range orders {
		if !o.Active() {
			continue
		}
		o.Status, o.EndedOn, o.EndReason = store.OrderEnded, c.DiedOn, "The person has died (population registry)."
		if err := updateOrder(ctx, tx, a, events.OrderEnded, o); err != nil {
			return err
		}
		ended++
	}
	cases, err := tx.PersonCases(ctx, a.Tenant, p.ID)
	if err != nil {
		return err
	}
	tasks := 0
	for _, cs := range cases {
		if cs.Status != "open" {
			continue
		}
		if err := tx.InsertTask(ctx, a.Tenant, store.Task{ID: newID(), CaseID: cs.ID, UnitID: cs.UnitID, Assignee: cs.AssignedTo,
			Kind: TaskPersonDied, Title: "Avliden " + c.DiedOn + " enligt folkbokföringen"}); err != nil {
			return err
		}
		tasks++
	}
	e := events.New(a, events.PersonDied, "person", p.ID, personDied{ChangeID: c.ID, ChangeDate: c.Date, DiedOn: c.DiedOn, OrdersEnded: ended, Tasks: tasks})
	e.PersonID = p.ID
	_, err = tx.AppendEvent(ctx, e)
	return err
}

// applyCustody makes the child's guardian relations the change's set from
// its date: a relation of someone no longer named ends the day before, a
// guardian not yet related gets a relation from the date (to the day
// before the 18th birthday), registered as a person first when new.
func (s *Service) applyCustody(ctx context.Context, tx *store.Tx, a trygg.Actor, child persons.Person, c persons.Change, guardians []newGuardian) error {
	day, _ := time.Parse(time.DateOnly, c.Date)
	before := day.AddDate(0, 0, -1).Format(time.DateOnly)
	probe := persons.Relation{Kind: persons.RelGuardian, ValidFrom: c.Date}
	if _, err := custodyEnd(probe, child, calendar.Today(tx.Now)); err != nil {
		return refusal("the child is 18 or older, or custody would begin after the 18th birthday")
	}
	// Every guardian must be one trygg holds or the registry knows.
	ids := make([]string, 0, len(guardians))
	for _, g := range guardians {
		if g.New == nil {
			if _, err := tx.PersonByIdentity(ctx, a.Tenant, g.Identity); err != nil {
				if trygg.ErrorCode(err) == trygg.ENotFound {
					return refusal("a guardian is neither in trygg nor in the population registry")
				}
				return err
			}
		}
	}
	registered := []string{}
	for _, g := range guardians {
		p, err := tx.PersonByIdentity(ctx, a.Tenant, g.Identity)
		if trygg.ErrorCode(err) == trygg.ENotFound && g.New != nil {
			p = *g.New
			if err := tx.InsertPerson(ctx, a.Tenant, p); err != nil {
				return err
			}
			e := events.New(a, events.PersonRegistered, "person", p.ID, withTraits(map[string]any{"identity_type": p.Identity.Type}, p.Identity))
			e.PersonID = p.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
			registered = append(registered, p.ID)
		} else if err != nil {
			return err
		}
		ids = append(ids, p.ID)
	}
	current, err := tx.GuardianRelations(ctx, a.Tenant, child.ID, c.Date)
	if err != nil {
		return err
	}
	added, ended := []string{}, []string{}
	kept := map[string]bool{}
	for _, r := range current {
		if slices.Contains(ids, r.FromPersonID) {
			kept[r.FromPersonID] = true
			continue
		}
		if err := tx.EndRelation(ctx, a.Tenant, r.ID, before); err != nil {
			return err
		}
		ended = append(ended, r.ID)
	}
	for _, id := range ids {
		if kept[id] {
			continue
		}
		r, err := custodyEnd(persons.Relation{ID: newID(), FromPersonID: id, ToPersonID: child.ID, Kind: persons.RelGuardian, ValidFrom: c.Date},
			child, calendar.Today(tx.Now))
		if err != nil {
			return err
		}
		if err := tx.InsertRelation(ctx, a.Tenant, r); err != nil {
			return err
		}
		added = append(added, r.ID)
	}
	e := events.New(a, events.PersonCustodyChanged, "person", child.ID,
		custodyChanged{ChangeID: c.ID, ChangeDate: c.Date, Added: added, Ended: ended, GuardiansRegistered: registered})
	e.PersonID = child.ID
	_, err = tx.AppendEvent(ctx, e)
	return err
}

// applyIdentity gives the person the change's new identity number, with
// the birth date and sex it carries; a number another person in trygg has
// is refused (the two are for an officer to sort out).
func applyIdentity(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, p persons.Person, c persons.Change) error {
	if _, err := tx.PersonByIdentity(ctx, tenant, c.NewIdentity); err == nil {
		return refusal("another person in trygg has the new identity number")
	} else if trygg.ErrorCode(err) != trygg.ENotFound {
		return err
	}
	birth := p.BirthDate
	if bd, ok := c.NewIdentity.BirthDate(); ok {
		birth = bd.Format(time.DateOnly)
	}
	return tx.ChangePersonIdentity(ctx, tenant, p.ID, c.NewIdentity, birth, c.NewIdentity.Sex())
}
