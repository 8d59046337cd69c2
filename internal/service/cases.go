package service

import (
	"context"
	"strings"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// OpenCaseInput opens a case for a person in a unit: either an already
// registered person by id, or a person given by identity number, who is
// registered from the population registry if new.
type OpenCaseInput struct {
	PersonID string `json:"person_id,omitempty"`
	PersonInput
	UnitID   string `json:"unit_id"`
	CaseType string `json:"case_type"`
	Title    string `json:"title"`
}

// OpenCase opens a case. The actor must have a case role in the unit; a
// person with protected identity needs the protected-identity permission.
func (s *Service) OpenCase(ctx context.Context, a trygg.Actor, in OpenCaseInput) (store.Case, error) {
	fields := map[string]string{}
	in.CaseType, in.Title = strings.TrimSpace(in.CaseType), strings.TrimSpace(in.Title)
	if in.CaseType == "" || len(in.CaseType) > 100 {
		fields["case_type"] = "Required, at most 100 characters."
	}
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		fields["title"] = "Required, at most 200 characters."
	}
	oneLine(fields, "title", in.Title)
	if in.PersonID == "" && in.IdentityNumber == "" && in.ReserveNumber == "" {
		fields["person_id"] = "Give the person's id or identity number."
	}
	if len(fields) > 0 {
		return store.Case{}, trygg.Invalid("The case is not valid.", fields)
	}
	unit, err := s.unitForAction(ctx, a, in.UnitID)
	if err != nil {
		return store.Case{}, err
	}
	// The unit first: whether the actor may open cases there does not
	// depend on the person, so its refusal tells nothing about them.
	if _, err := access.Decide(a, access.OpenCase, access.Subject{UnitPath: unit.Path}); err != nil {
		return store.Case{}, err
	}
	// The person: by id only one the actor may already read (opening a
	// case is never a way to read someone); by identity number also
	// someone known elsewhere, the explicit path that the access log
	// records with its own ground and the log review lists first. A new
	// person comes from the registry before the transaction (the registry
	// is outside the database).
	var newPerson *persons.Person
	var existing persons.Person
	ground := access.RelAssigned
	if in.PersonID != "" {
		if existing, _, err = s.readablePerson(ctx, a, in.PersonID); err != nil {
			if trygg.ErrorCode(err) == trygg.ENotFound {
				return store.Case{}, errNoSuchPerson
			}
			return store.Case{}, err
		}
	} else {
		if existing, newPerson, ground, err = s.personByNumber(ctx, a, in.PersonInput); err != nil {
			return store.Case{}, err
		}
	}
	if _, err := access.Decide(a, access.OpenCase, access.Subject{Protection: existing.Protection, UnitPath: unit.Path}); err != nil {
		return store.Case{}, err
	}
	c := store.Case{ID: newID(), PersonID: existing.ID, UnitID: unit.ID, UnitPath: unit.Path, CaseType: in.CaseType,
		Title: in.Title, Status: "open", AssignedTo: a.UserID}
	comp, err := s.pinCase(ctx, a.Tenant, &c)
	if err != nil {
		return store.Case{}, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if newPerson != nil {
			// Someone may have registered the person meanwhile.
			if p, err := tx.PersonByIdentity(ctx, a.Tenant, newPerson.Identity); err == nil {
				c.PersonID = p.ID
				newPerson = nil
			}
		}
		if newPerson != nil {
			if err := tx.InsertPerson(ctx, a.Tenant, *newPerson); err != nil {
				return err
			}
			e := events.New(a, events.PersonRegistered, "person", newPerson.ID, withTraits(map[string]any{"unit_id": unit.ID, "identity_type": newPerson.Identity.Type}, newPerson.Identity))
			e.PersonID = newPerson.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		if err := insertCase(ctx, tx, a, comp, &c, nil); err != nil {
			return err
		}
		// The log row commits with the case it shows.
		return tx.AppendAccessLog(ctx, []audit.Entry{entry(a, access.OpenCase, c.PersonID, c.ID, ground, "")})
	})
	if err != nil {
		return store.Case{}, err
	}
	return c, nil
}

// errNoSuchPerson answers a person id that does not exist and one the
// actor may not read alike.
var errNoSuchPerson = trygg.Invalid("The person was not found.", map[string]string{"person_id": "No such person."})

// readablePerson returns the person with id and the actor's relations to
// them if the actor may read them on a staff ground; a person who does
// not exist and one the actor may not read are both trygg.ErrNotFound.
func (s *Service) readablePerson(ctx context.Context, a trygg.Actor, id string) (persons.Person, []access.Relation, error) {
	p, err := s.db.PersonByID(ctx, a.Tenant, id)
	if err != nil {
		return p, nil, err
	}
	rels, err := s.db.PersonRelations(ctx, a, id)
	if err != nil {
		return p, nil, err
	}
	ground, err := access.Decide(a, access.ReadPerson, access.Subject{Relations: rels, Protection: p.Protection})
	if err != nil || citizenGround(ground) {
		return persons.Person{}, nil, trygg.ErrNotFound
	}
	return p, rels, nil
}

// personByNumber finds the person a new report or application is about
// by identity (or reserve) number: registered already, or new from the
// population registry (newPerson, not yet stored). The ground for the
// access log is RelAssigned when the actor could read the person before,
// and RelIdentityNumber when the number is what let them in.
func (s *Service) personByNumber(ctx context.Context, a trygg.Actor, in PersonInput) (p persons.Person, newPerson *persons.Person, ground access.Relation, err error) {
	id, err := in.identity(s.db.Now())
	if err != nil {
		return p, nil, "", err
	}
	p, err = s.db.PersonByIdentity(ctx, a.Tenant, id)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		np, err := s.personFromInput(ctx, in)
		if err != nil {
			return p, nil, "", err
		}
		return np, &np, access.RelAssigned, nil
	}
	if err != nil {
		return p, nil, "", err
	}
	if _, _, err := s.readablePerson(ctx, a, p.ID); err == nil {
		return p, nil, access.RelAssigned, nil
	} else if trygg.ErrorCode(err) != trygg.ENotFound {
		return p, nil, "", err
	}
	return p, nil, access.RelIdentityNumber, nil
}

// insertCase writes a new case inside tx, opened now (and received today
// unless c says another day), with its event and, when it has a process
// (comp), the deadlines of its start step; signed are the forms signed as
// it opens (an application; a registration's received date), for
// deadlines that count from a date in one. Officers open cases with
// OpenCase and RegisterCase; citizens' applications open them with
// SubmitApplication.
func insertCase(ctx context.Context, tx *store.Tx, a trygg.Actor, comp *process.Compiled, c *store.Case, signed map[string]map[string]any) error {
	c.OpenedAt = tx.Now
	if c.ReceivedDate == "" {
		c.ReceivedDate = calendar.Today(tx.Now)
	}
	if err := giveReference(ctx, tx, a.Tenant, comp, c); err != nil {
		return err
	}
	e := events.New(a, events.CaseOpened, "case", c.ID, map[string]any{"unit_id": c.UnitID, "case_type": c.CaseType, "assigned_to": c.AssignedTo,
		"definition_version": c.DefinitionVersion, "step": c.Step, "reference": c.Reference, "received_date": c.ReceivedDate})
	e.PersonID, e.CaseID = c.PersonID, c.ID
	if _, err := tx.InsertCaseWithEvent(ctx, a.Tenant, *c, e); err != nil {
		return err
	}
	if comp != nil {
		return applyDeadlines(ctx, tx, a, comp, *c, c.Step, true, signed)
	}
	return nil
}

// giveReference sets c's reference, inside tx: its case type's prefix in
// comp (process.ReferencePrefix), the year it was opened in Sweden and the
// next number of the two.
func giveReference(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, comp *process.Compiled, c *store.Case) error {
	prefix := process.ReferencePrefix(comp, c.CaseType)
	year := c.OpenedAt.In(calendar.Sweden).Year()
	n, err := tx.NextCaseNumber(ctx, tenant, prefix, year)
	if err != nil {
		return err
	}
	c.Reference = process.FormatReference(prefix, year, n)
	return nil
}

// EnsureCaseReferences gives every case of every tenant that has no
// reference one (cases opened before references existed), oldest first,
// by the latest published definitions' prefixes, and returns how many.
// It is a system operation: the server runs it at start.
func (s *Service) EnsureCaseReferences(ctx context.Context) (int, error) {
	tenants, err := s.db.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	given := 0
	for _, t := range tenants {
		comp, err := s.latest(ctx, t.ID)
		if err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
			return given, err
		}
		for {
			cs, err := s.db.CasesWithoutReference(ctx, t.ID, 500)
			if err != nil {
				return given, err
			}
			if len(cs) == 0 {
				break
			}
			err = s.db.Update(ctx, func(tx *store.Tx) error {
				for i := range cs {
					if err := giveReference(ctx, tx, t.ID, comp, &cs[i]); err != nil {
						return err
					}
					if err := tx.SetCaseReference(ctx, t.ID, cs[i].ID, cs[i].Reference); err != nil {
						return err
					}
					e := events.New(trygg.SystemActor(t.ID), events.CaseReferenceGiven, "case", cs[i].ID, map[string]any{"reference": cs[i].Reference})
					e.PersonID, e.CaseID = cs[i].PersonID, cs[i].ID
					if _, err := tx.AppendEvent(ctx, e); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return given, err
			}
			given += len(cs)
			if len(cs) < 500 {
				break
			}
		}
	}
	return given, nil
}

// Case returns the case if the actor may read it, after logging the read.
func (s *Service) Case(ctx context.Context, a trygg.Actor, id string) (store.Case, error) {
	c, ground, err := s.readableCase(ctx, a, id)
	if err != nil {
		return c, err
	}
	return c, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}

// readableCase returns the case if the actor may read it, with the ground.
func (s *Service) readableCase(ctx context.Context, a trygg.Actor, id string) (store.Case, access.Relation, error) {
	c, _, ground, err := s.caseFor(ctx, a, id, false)
	return c, ground, err
}

// workableCase returns the case if the actor may work on it (move it, fill
// its forms, write notes and decisions), with the ground. A case the actor
// cannot read is not found; one they can only read is forbidden; a closed
// case takes no more work.
func (s *Service) workableCase(ctx context.Context, a trygg.Actor, id string) (store.Case, access.Relation, error) {
	if access.ReadScope(a).SelfPersonID != "" {
		c, _, ground, err := s.caseFor(ctx, a, id, true)
		return c, ground, err
	}
	// Staff: the case, its person's protection and the actor's emergency
	// opening in one query (CaseByID, PersonByID and PersonRelations were
	// three; a write sends each before its transaction, see
	// docs/benchmarks.md). Of a person's relations only the emergency
	// opening counts for a case of staff: being assigned and the unit are
	// the case's own (access.CaseRelations).
	found, err := s.db.CasesAccess(ctx, a, []string{id})
	if err != nil {
		return store.Case{}, "", err
	}
	ca, ok := found[id]
	if !ok {
		return store.Case{}, "", trygg.ErrNotFound
	}
	var personRels []access.Relation
	if ca.Emergency {
		personRels = append(personRels, access.RelEmergency)
	}
	c, ground, err := decideCase(a, ca.Case, ca.Protection, personRels, true)
	if err == nil && citizenGround(ground) {
		return c, "", trygg.Errorf(trygg.ENotFound, "Not found.")
	}
	return c, ground, err
}

// caseFor returns the case, its person and the ground on which the actor
// may read it or, with work, work on it, for the staff's pages and the
// API. A citizen's ground (self, guardian, representative) does not count
// here: the case as the staff see it holds working material (drafts, the
// investigation, notes) the person does not get this way. Citizens follow
// their cases on Mina sidor, through citizenCase.
func (s *Service) caseFor(ctx context.Context, a trygg.Actor, id string, work bool) (store.Case, persons.Person, access.Relation, error) {
	c, p, ground, err := s.caseAccess(ctx, a, id, work)
	if err == nil && citizenGround(ground) {
		return c, p, "", trygg.Errorf(trygg.ENotFound, "Not found.")
	}
	return c, p, ground, err
}

// caseAccess is caseFor with the citizen's grounds allowed.
func (s *Service) caseAccess(ctx context.Context, a trygg.Actor, id string, work bool) (store.Case, persons.Person, access.Relation, error) {
	c, err := s.db.CaseByID(ctx, a.Tenant, id)
	if err != nil {
		return c, persons.Person{}, "", err
	}
	p, err := s.db.PersonByID(ctx, a.Tenant, c.PersonID)
	if err != nil {
		return c, p, "", err
	}
	personRels, err := s.db.PersonRelations(ctx, a, c.PersonID)
	if err != nil {
		return c, p, "", err
	}
	c, ground, err := decideCase(a, c, p.Protection, personRels, work)
	return c, p, ground, err
}

// decideCase decides whether the actor may read case c (or, with work,
// work on it) given its person's protection and the actor's relations to
// the person (store.DB.PersonRelations), and returns the ground.
func decideCase(a trygg.Actor, c store.Case, prot persons.Protection, personRels []access.Relation, work bool) (store.Case, access.Relation, error) {
	subj := access.Subject{Relations: access.CaseRelations(a, c.AssignedTo, c.UnitPath, personRels), Protection: prot}
	ground, err := access.Decide(a, access.ReadCase, subj)
	if err != nil || !work {
		return c, ground, err
	}
	if ground, err = access.Decide(a, access.WorkCase, subj); err != nil {
		return c, "", err
	}
	if c.Status == "closed" {
		return c, "", trygg.Errorf(trygg.EConflict, "The case is closed; nothing more can be added to it.")
	}
	return c, ground, nil
}

// mayBeAssigned returns nil if the case c of person p may be assigned to
// the user: one with a case role in the case's unit who could work on it
// once it is theirs (so a protected person's case goes only to someone
// with the permission), or an invalid error on user_id. The assigner can
// read the case, so the answer tells them nothing new.
func mayBeAssigned(assignee trygg.Actor, c store.Case, p persons.Person) error {
	subj := access.Subject{Relations: []access.Relation{access.RelAssigned}, Protection: p.Protection, UnitPath: c.UnitPath}
	if _, err := access.Decide(assignee, access.OpenCase, access.Subject{UnitPath: c.UnitPath}); err != nil {
		return trygg.Invalid("The user does not work in the case's unit.", map[string]string{"user_id": "Has no case role in this unit."})
	}
	if _, err := access.Decide(assignee, access.WorkCase, subj); err != nil {
		return trygg.Invalid("The user may not see persons with protected identity.", map[string]string{"user_id": "May not see persons with protected identity, as this case's person has."})
	}
	return nil
}

// AssignInput assigns a case to an officer.
type AssignInput struct {
	UserID string `json:"user_id"`
}

// AssignCase assigns the case to a user with a case role in the case's unit
// scope, with the open tasks of the citizen's new application and
// messages. Only a team lead of the unit may.
func (s *Service) AssignCase(ctx context.Context, a trygg.Actor, caseID string, in AssignInput) (store.Case, error) {
	c, p, _, err := s.caseFor(ctx, a, caseID, false)
	if err != nil {
		return c, err
	}
	if _, err := access.Decide(a, access.AssignCase, access.Subject{UnitPath: c.UnitPath}); err != nil {
		return c, err
	}
	assignee, err := s.actorFor(ctx, a.Tenant, in.UserID)
	if err != nil {
		return c, trygg.Invalid("The user does not exist.", map[string]string{"user_id": "No such user."})
	}
	if err := mayBeAssigned(assignee, c, p); err != nil {
		return c, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.AssignCase(ctx, a.Tenant, c.ID, assignee.UserID); err != nil {
			return err
		}
		// The citizen's new application and messages go with the case.
		if err := tx.MoveCaseTasks(ctx, a.Tenant, c.ID, []string{TaskApplication, TaskMessage}, assignee.UserID); err != nil {
			return err
		}
		e := events.New(a, events.CaseAssigned, "case", c.ID, map[string]any{"assigned_to": assignee.UserID, "previous": c.AssignedTo})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	c.AssignedTo = assignee.UserID
	return c, err
}
