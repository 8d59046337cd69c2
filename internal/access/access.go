// Package access decides who may do what with whose data. It is the one
// place the rules live: Decide answers for a single record, and Scope gives
// the same rules in a form the store turns into SQL, so a list or search can
// never return a row Decide would refuse.
package access

import (
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// Action is something an actor wants to do.
type Action string

// The actions.
const (
	ReadPerson     Action = "read_person"
	SearchPersons  Action = "search_persons"
	RegisterPerson Action = "register_person"
	ReadCase       Action = "read_case"
	OpenCase       Action = "open_case"
	AssignCase     Action = "assign_case"
	EmergencyOpen  Action = "emergency_open"
	ReadAccessLog  Action = "read_access_log"
	ManageOrg      Action = "manage_org"
	ReadEvents     Action = "read_events"
	// WorkCase is changing a case: moving it, filling its forms.
	WorkCase Action = "work_case"
	// PublishDefinitions is validating and publishing process definitions.
	PublishDefinitions Action = "publish_definitions"
	// RunReport is running a report definition; who may is data (the
	// report's roles), so it is not decided here, only logged.
	RunReport Action = "run_report"
	// ReadOrder is reading an order to a provider (uppdrag) with its plan
	// and reports: the provider's staff read their own provider's orders
	// (RelProvider), case staff those of cases they may read.
	ReadOrder Action = "read_order"
	// WorkOrder is the provider's part of an order: accepting or
	// returning it, writing the plan, reporting what was done.
	WorkOrder Action = "work_order"
	// ReadPaymentBasis is reading a provider's basis for payment: the
	// provider's own staff, and team leads.
	ReadPaymentBasis Action = "read_payment_basis"
	// ReadPersonName is seeing a person's name where the work shows only
	// names, never the record: the log reviewer's list of who read whom,
	// and the rows of an inbox (on the ground of reading the case). A
	// protected person's name needs the ProtectedIdentity permission.
	ReadPersonName Action = "read_person_name"
	// IncomeCheck is asking the national income check what other
	// agencies paid the person of a case: those who may work on the case,
	// on the legal ground RelIncomeCheck.
	IncomeCheck Action = "income_check"
	// ReadAnalysis is reading the analysis store's figures (the
	// dashboards): counts over pseudonyms, never a person. Analysts read
	// the whole tenant's, team leads their own units' (the service
	// narrows the filter); the ground is RelAnalysis.
	ReadAnalysis Action = "read_analysis"
	// MakeRegister is checking or making a register file for an
	// authority (Socialstyrelsen's registers); who may is data (the
	// register's roles), so it is not decided here, only logged, on the
	// ground RelRegister.
	MakeRegister Action = "make_register"
)

// Relation is how an actor is connected to a person or case.
type Relation string

// The relations, in order of precedence as the ground of an access.
const (
	RelAssigned       Relation = "assigned"       // a case of the person is assigned to the actor
	RelUnit           Relation = "unit"           // a case of the person is in the actor's unit scope
	RelSelf           Relation = "self"           // the citizen is the person
	RelGuardian       Relation = "guardian"       // the citizen is the person's guardian (vårdnadshavare)
	RelRepresentative Relation = "representative" // ombud, god man or förvaltare
	RelProvider       Relation = "provider"       // the order is to the actor's provider (orders only)
	RelEmergency      Relation = "emergency"      // an active emergency opening (nödöppning)
	// RelReport is the ground of a case read by a report the actor may
	// run for the case's unit; it is never a ground for reading a person.
	RelReport Relation = "report"
	// RelIdentityNumber is the ground of registering a person, or opening
	// a case for them, by their full identity number when the actor could
	// not read them before: the explicit path for a new report or
	// application about someone known elsewhere in social services. It is
	// never a ground for reading; the log review lists it first, beside
	// emergency openings.
	RelIdentityNumber Relation = "identity_number"
	// RelLogReview is the ground of the names a log reviewer sees in the
	// entries under review (ReadPersonName). It is never a ground for
	// reading a person's record or a case.
	RelLogReview Relation = "log_review"
	// RelIncomeCheck is the legal ground of an income check: the duty of
	// Försäkringskassan, Arbetsförmedlingen, the unemployment funds,
	// Pensionsmyndigheten, CSN and Skatteverket to tell the social
	// welfare committee what they paid an applicant for economic
	// assistance (11 kap. 11–11 b §§ socialtjänstlagen (2001:453), and
	// förordningen (2008:975) om uppgiftsskyldighet i vissa fall enligt
	// socialtjänstlagen, which says what each tells). It is never a
	// ground for reading a person or case.
	RelIncomeCheck Relation = "income_check"
	// RelAnalysis is the ground of a read of the analysis store: an
	// analyst's for the tenant, a team lead's for their units. Its log
	// entries name no person or case (the figures are aggregates of
	// pseudonyms); the reason says which dashboard and filter. It is
	// never a ground for reading a person or case.
	RelAnalysis Relation = "analysis"
	// RelRegister is the ground of a case read by a register check, and
	// of each person in a register file, which holds their identity
	// number because the authority requires it (for example HSLF-FS
	// 2015:30 for economic assistance). It is never a ground for reading
	// a person's record or a case.
	RelRegister Relation = "register"
	// RelArchive is the ground of an archivist's read of a case and its
	// person for an archive delivery (the package holds the records and
	// the identity number because the archive must keep them). It is
	// never a ground for reading a person's record or a case otherwise.
	RelArchive Relation = "archive"
)

// precedence lists relations from strongest to weakest ground.
var precedence = []Relation{RelAssigned, RelUnit, RelSelf, RelGuardian, RelRepresentative, RelProvider, RelEmergency}

// Subject is what Decide needs to know about the record acted on.
type Subject struct {
	// Relations are all the actor's relations to the person or case.
	Relations []Relation
	// Protection is the person's protected-identity level.
	Protection persons.Protection
	// UnitPath is the unit the action happens in (opening a case there,
	// managing it); empty when the action is not about a unit.
	UnitPath string
}

func (s Subject) has(r Relation) bool {
	for _, x := range s.Relations {
		if x == r {
			return true
		}
	}
	return false
}

// caseRoles may read persons and cases through their units and assignments.
var caseRoles = []trygg.Role{trygg.RoleOfficer, trygg.RoleTeamLead}

// relationRoles says which role may use which relation to read.
var relationRoles = map[Relation][]trygg.Role{
	RelAssigned:       caseRoles,
	RelUnit:           caseRoles,
	RelEmergency:      caseRoles,
	RelProvider:       {trygg.RoleProvider},
	RelSelf:           {trygg.RoleCitizen},
	RelGuardian:       {trygg.RoleCitizen},
	RelRepresentative: {trygg.RoleCitizen},
}

// staffRelation reports whether protection rules apply to reads through r.
// A citizen's own data and that of those they legally act for are theirs to
// see whatever the protection level.
func staffRelation(r Relation) bool {
	switch r {
	case RelSelf, RelGuardian, RelRepresentative:
		return false
	}
	return true
}

func hasAnyRole(a trygg.Actor, roles []trygg.Role) bool {
	for _, r := range roles {
		if a.HasRole(r) {
			return true
		}
	}
	return false
}

// inScope reports whether the actor has one of roles in a unit whose subtree
// holds unitPath.
func inScope(a trygg.Actor, roles []trygg.Role, unitPath string) bool {
	for _, g := range a.Grants {
		for _, r := range roles {
			if g.Role == r && org.Contains(g.UnitPath, unitPath) {
				return true
			}
		}
	}
	return false
}

var (
	errNotFound  = trygg.ErrNotFound
	errForbidden = trygg.Errorf(trygg.EForbidden, "You do not have permission to do this.")
)

// ErrNotForYou refuses registering a person or opening a case for them
// by identity number when the actor may not handle them (a protected
// identity without the permission). It says what to do, not why, so it
// tells nothing about the person.
var ErrNotForYou = trygg.Errorf(trygg.EForbidden, "You cannot register this person or open a case for them. Ask your team lead who can.")

// Decide returns the ground on which actor may do action on subject: the
// relation recorded in the access log for reads, or "role" for actions that
// need only a role. It returns a not-found error where the actor must not
// learn that the record exists, and a forbidden error otherwise.
func Decide(a trygg.Actor, action Action, s Subject) (Relation, error) {
	switch action {
	case ReadPerson, SearchPersons, ReadCase, ReadOrder:
		for _, rel := range precedence {
			if rel == RelProvider && action != ReadOrder {
				// A provider reads what its orders carry, never the
				// person's record or case as such.
				continue
			}
			if !s.has(rel) || !hasAnyRole(a, relationRoles[rel]) {
				continue
			}
			if staffRelation(rel) && s.Protection != persons.ProtectionNone && !a.ProtectedIdentity {
				continue
			}
			return rel, nil
		}
		return "", errNotFound
	case RegisterPerson, OpenCase:
		if s.UnitPath == "" || !inScope(a, caseRoles, s.UnitPath) {
			return "", trygg.Errorf(trygg.EForbidden, "You may not open cases in this unit.")
		}
		if s.Protection != persons.ProtectionNone && !a.ProtectedIdentity {
			// The message does not say why: the refusal must not tell
			// the person's protection (see ErrNotForYou).
			return "", ErrNotForYou
		}
		return RelUnit, nil
	case AssignCase:
		if !inScope(a, []trygg.Role{trygg.RoleTeamLead}, s.UnitPath) {
			return "", trygg.Errorf(trygg.EForbidden, "Only a team lead of the case's unit may assign it.")
		}
		return RelUnit, nil
	case EmergencyOpen:
		if !hasAnyRole(a, caseRoles) {
			return "", errForbidden
		}
		if s.Protection != persons.ProtectionNone && !a.ProtectedIdentity {
			return "", errNotFound
		}
		return RelEmergency, nil
	case WorkCase:
		for _, rel := range []Relation{RelAssigned, RelUnit} {
			if s.has(rel) && hasAnyRole(a, caseRoles) && (s.Protection == persons.ProtectionNone || a.ProtectedIdentity) {
				return rel, nil
			}
		}
		return "", trygg.Errorf(trygg.EForbidden, "You may read this case but not work on it: it is neither assigned to you nor in your unit.")
	case IncomeCheck:
		// Only the case's own officers ask other agencies about the
		// person, never through an emergency opening.
		if _, err := Decide(a, WorkCase, s); err != nil {
			return "", err
		}
		return RelIncomeCheck, nil
	case WorkOrder:
		if s.has(RelProvider) && a.HasRole(trygg.RoleProvider) && (s.Protection == persons.ProtectionNone || a.ProtectedIdentity) {
			return RelProvider, nil
		}
		return "", trygg.Errorf(trygg.EForbidden, "Only the provider the order is sent to may do this.")
	case ReadPaymentBasis:
		if s.has(RelProvider) && a.HasRole(trygg.RoleProvider) {
			return RelProvider, nil
		}
		return roleOnly(a, trygg.RoleTeamLead)
	case PublishDefinitions:
		return roleOnly(a, trygg.RoleProcessDesigner)
	case ReadAccessLog:
		return roleOnly(a, trygg.RoleLogReviewer)
	case ReadPersonName:
		if !a.HasRole(trygg.RoleLogReviewer) {
			return "", errForbidden
		}
		if s.Protection != persons.ProtectionNone && !a.ProtectedIdentity {
			return "", errNotFound
		}
		return RelLogReview, nil
	case ReadAnalysis:
		if a.HasRole(trygg.RoleAnalyst) || a.HasRole(trygg.RoleTeamLead) {
			return RelAnalysis, nil
		}
		return "", errForbidden
	case ManageOrg, ReadEvents:
		return roleOnly(a, trygg.RoleSysAdmin)
	}
	return "", errForbidden
}

func roleOnly(a trygg.Actor, r trygg.Role) (Relation, error) {
	if a.HasRole(r) {
		return "role", nil
	}
	return "", errForbidden
}

// Scope is the read rule of Decide for ReadPerson/ReadCase in a form the
// store turns into a query filter. A person (or case) is visible when one of
// these holds, and, for the staff parts, its protection allows it.
type Scope struct {
	// UserID matches cases assigned to the actor (staff with case roles).
	UserID string
	// UnitPaths are the subtrees in which the actor's case roles apply.
	UnitPaths []string
	// Emergency includes persons with an active emergency opening by UserID.
	Emergency bool
	// SelfPersonID is the citizen's own person; Represented includes those
	// the citizen acts for through a valid guardian or representative relation.
	SelfPersonID string
	// GuardianOK and RepresentativeOK say which relation kinds count.
	GuardianOK, RepresentativeOK bool
	// SeeProtected lets the staff parts match protected persons.
	SeeProtected bool
}

// Empty reports whether nothing at all is visible.
func (s Scope) Empty() bool {
	return s.UserID == "" && len(s.UnitPaths) == 0 && s.SelfPersonID == ""
}

// ReadScope returns the rows the actor may read, matching Decide for
// ReadPerson and ReadCase.
func ReadScope(a trygg.Actor) Scope {
	var s Scope
	if hasAnyRole(a, caseRoles) {
		s.UserID = a.UserID
		s.Emergency = true
		seen := map[string]bool{}
		for _, g := range a.Grants {
			if (g.Role == trygg.RoleOfficer || g.Role == trygg.RoleTeamLead) && g.UnitPath != "" && !seen[g.UnitPath] {
				seen[g.UnitPath] = true
				s.UnitPaths = append(s.UnitPaths, g.UnitPath)
			}
		}
		s.SeeProtected = a.ProtectedIdentity
	}
	if a.HasRole(trygg.RoleCitizen) && a.PersonID != "" {
		s.SelfPersonID = a.PersonID
		s.GuardianOK = true
		s.RepresentativeOK = true
	}
	return s
}

// RelationForKind maps a person-registry relation kind to the access
// relation it gives the one who acts.
func RelationForKind(k persons.RelationKind) Relation {
	if k == persons.RelGuardian {
		return RelGuardian
	}
	return RelRepresentative
}

// CaseRelations returns the actor's relations to a case from the case's
// assignee and unit path and the actor's relations to the case's person:
// assignment and unit scope count for the case itself, the person-level
// relations (self, guardian, representative, provider, emergency) carry over.
func CaseRelations(a trygg.Actor, assignedTo, unitPath string, personRels []Relation) []Relation {
	var rels []Relation
	if assignedTo != "" && assignedTo == a.UserID && hasAnyRole(a, caseRoles) {
		rels = append(rels, RelAssigned)
	}
	if inScope(a, caseRoles, unitPath) {
		rels = append(rels, RelUnit)
	}
	for _, r := range personRels {
		if r != RelAssigned && r != RelUnit {
			rels = append(rels, r)
		}
	}
	return rels
}
