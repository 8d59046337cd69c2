package access_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// The expectations below are written from DESIGN.md ("Who uses it",
// "Access") as access.go's doc comments state them, not from the code.

var (
	caseRoles = []trygg.Role{trygg.RoleOfficer, trygg.RoleTeamLead}
	citizen   = []trygg.Role{trygg.RoleCitizen}
	provider  = []trygg.Role{trygg.RoleProvider}
)

// readRules says who may read a person or case through which relation, and
// whether reading a protected person that way needs the ProtectedIdentity
// permission. Citizens see themselves and those they legally act for
// whatever the protection; staff never see a protected person without the
// permission.
var readRules = map[access.Relation]struct {
	roles           []trygg.Role
	needsPermIfProt bool
}{
	access.RelAssigned:       {caseRoles, true},
	access.RelUnit:           {caseRoles, true},
	access.RelEmergency:      {caseRoles, true},
	access.RelProvider:       {provider, true},
	access.RelSelf:           {citizen, false},
	access.RelGuardian:       {citizen, false},
	access.RelRepresentative: {citizen, false},
	// A report's read of a case is logged with this ground; it lets no
	// one read a person or case.
	access.RelReport: {nil, true},
	// Opening by identity number is logged with this ground; it lets no
	// one read a person or case by itself.
	access.RelIdentityNumber: {nil, true},
	// A log reviewer's sight of a name in the log is logged with this
	// ground; it lets no one read a person or case.
	access.RelLogReview: {nil, true},
	// An income check is logged with this ground; it lets no one read a
	// person or case.
	access.RelIncomeCheck: {nil, true},
	// A read of the analysis store is logged with this ground; it lets
	// no one read a person or case.
	access.RelAnalysis: {nil, true},
	// A register check's or file's read is logged with this ground, and
	// an archivist's read for an archive delivery with the next; neither
	// lets anyone read a person or case.
	access.RelRegister: {nil, true},
	access.RelArchive:  {nil, true},
}

// unitRules are the actions done in a unit: the roles that need a grant
// whose subtree holds the unit, and whether a protected person needs the
// ProtectedIdentity permission.
var unitRules = map[access.Action]struct {
	roles           []trygg.Role
	needsPermIfProt bool
}{
	access.OpenCase:       {caseRoles, true},
	access.RegisterPerson: {caseRoles, true},
	access.AssignCase:     {[]trygg.Role{trygg.RoleTeamLead}, false},
}

// workRelations are the relations through which a case officer or team
// lead may work on (change) a case: their own cases and their units'. An
// emergency opening or a citizen's relation lets one read, not work.
var workRelations = []access.Relation{access.RelAssigned, access.RelUnit}

// roleRules are the actions that need only a role, anywhere in the tenant.
var roleRules = map[access.Action][]trygg.Role{
	access.ReadAccessLog:      {trygg.RoleLogReviewer},
	access.ManageOrg:          {trygg.RoleSysAdmin},
	access.ReadEvents:         {trygg.RoleSysAdmin},
	access.PublishDefinitions: {trygg.RoleProcessDesigner},
}

// allActions is every access.Action; expect fails the test on one it
// does not know, so a new action must get an expectation.
var allActions = []access.Action{access.ReadPerson, access.SearchPersons, access.RegisterPerson, access.ReadCase,
	access.OpenCase, access.AssignCase, access.EmergencyOpen, access.ReadAccessLog, access.ManageOrg, access.ReadEvents,
	access.WorkCase, access.PublishDefinitions, access.RunReport, access.ReadOrder, access.WorkOrder, access.ReadPaymentBasis, access.ReadPersonName, access.IncomeCheck, access.ReadAnalysis, access.MakeRegister}

// allRelations is "no relation" followed by every access.Relation.
var allRelations = []access.Relation{"", access.RelAssigned, access.RelUnit, access.RelSelf, access.RelGuardian,
	access.RelRepresentative, access.RelProvider, access.RelEmergency, access.RelReport, access.RelIdentityNumber, access.RelLogReview, access.RelIncomeCheck, access.RelAnalysis, access.RelRegister, access.RelArchive}

var allProtections = []persons.Protection{persons.ProtectionNone, persons.ProtectionMarked, persons.ProtectionProtected}

// outcome is what Decide should return: a ground, or an error code.
type outcome struct {
	ground access.Relation
	code   string
}

func allowed(g access.Relation) outcome { return outcome{ground: g} }

var (
	notFound  = outcome{code: trygg.ENotFound}
	forbidden = outcome{code: trygg.EForbidden}
)

func (o outcome) String() string {
	if o.code != "" {
		return o.code
	}
	return "allowed on " + string(o.ground)
}

// expect returns the outcome for an actor holding role (none when "") in
// the unit of the subject, with the subject related by rel (none when "").
func expect(t *testing.T, role trygg.Role, rel access.Relation, prot persons.Protection, perm bool, action access.Action) outcome {
	t.Helper()
	protectedForActor := prot != persons.ProtectionNone && !perm
	switch action {
	case access.ReadPerson, access.SearchPersons, access.ReadCase, access.ReadOrder:
		// Invisible records are not found, never forbidden: the actor
		// must not learn that they exist. A provider reads only its
		// orders (what they carry), never a person's record or a case.
		rule, ok := readRules[rel]
		if !ok || !slices.Contains(rule.roles, role) || (rule.needsPermIfProt && protectedForActor) {
			return notFound
		}
		if rel == access.RelProvider && action != access.ReadOrder {
			return notFound
		}
		return allowed(rel)
	case access.WorkOrder:
		// Only the provider the order is sent to acts on it, and a
		// protected person's order needs the permission.
		if rel != access.RelProvider || role != trygg.RoleProvider || protectedForActor {
			return forbidden
		}
		return allowed(access.RelProvider)
	case access.ReadPaymentBasis:
		// A provider's own staff, and team leads (for their units'
		// orders, which the service filters).
		if rel == access.RelProvider && role == trygg.RoleProvider {
			return allowed(access.RelProvider)
		}
		if role == trygg.RoleTeamLead {
			return allowed("role")
		}
		return forbidden
	case access.OpenCase, access.RegisterPerson, access.AssignCase:
		rule := unitRules[action]
		if rule.needsPermIfProt && protectedForActor {
			return forbidden
		}
		if !slices.Contains(rule.roles, role) {
			return forbidden
		}
		return allowed(access.RelUnit)
	case access.WorkCase:
		// Refused work on a case the actor may see is forbidden, not
		// hidden: reading it is a separate decision.
		if !slices.Contains(workRelations, rel) || !slices.Contains(caseRoles, role) || protectedForActor {
			return forbidden
		}
		return allowed(rel)
	case access.IncomeCheck:
		// Those who may work on the case ask, on the law's ground.
		if !slices.Contains(workRelations, rel) || !slices.Contains(caseRoles, role) || protectedForActor {
			return forbidden
		}
		return allowed(access.RelIncomeCheck)
	case access.EmergencyOpen:
		// Any case officer or team lead may open in an emergency, but a
		// protected person stays hidden from those without permission.
		if !slices.Contains(caseRoles, role) {
			return forbidden
		}
		if protectedForActor {
			return notFound
		}
		return allowed(access.RelEmergency)
	case access.ReadAccessLog, access.ManageOrg, access.ReadEvents, access.PublishDefinitions:
		if slices.Contains(roleRules[action], role) {
			return allowed("role")
		}
		return forbidden
	case access.ReadAnalysis:
		// The dashboards: analysts for the tenant, team leads for their
		// units (the service narrows the filter), whatever the relation.
		if role == trygg.RoleAnalyst || role == trygg.RoleTeamLead {
			return allowed(access.RelAnalysis)
		}
		return forbidden
	case access.ReadPersonName:
		// The log reviewer sees the names of the persons in the log, on
		// the log-review ground whatever her relation; a protected
		// person's name only with the permission, else it stays hidden.
		if role != trygg.RoleLogReviewer {
			return forbidden
		}
		if protectedForActor {
			return notFound
		}
		return allowed(access.RelLogReview)
	case access.RunReport, access.MakeRegister:
		// Who may run a report or make a register file is the
		// definition's roles, decided by the service; Decide allows no one.
		return forbidden
	}
	t.Fatalf("no expectation for action %q", action)
	return outcome{}
}

const (
	norraPath = "/soc/norra/"
	aoPath    = "/soc/norra/ao/" // a unit under norra
)

// actorWith returns an actor with role (none when "") granted in norra.
func actorWith(role trygg.Role, perm bool) trygg.Actor {
	a := trygg.Actor{Tenant: "t", UserID: "u-1", ProtectedIdentity: perm}
	if role != "" {
		a.Grants = []trygg.Grant{{Role: role, UnitID: "norra", UnitPath: norraPath}}
	}
	if role == trygg.RoleCitizen {
		a.PersonID = "p-self"
	}
	return a
}

func decided(ground access.Relation, err error) outcome {
	if err != nil {
		return outcome{ground: ground, code: trygg.ErrorCode(err)}
	}
	return outcome{ground: ground}
}

// TestDecideMatrix checks every role × relation × protection × permission ×
// action against the expectation tables.
func TestDecideMatrix(t *testing.T) {
	roles := append([]trygg.Role{""}, trygg.Roles...)
	if len(readRules) != len(allRelations)-1 {
		t.Fatalf("readRules covers %d relations, allRelations lists %d", len(readRules), len(allRelations)-1)
	}
	seen := map[string]int{}
	n := 0
	for _, role := range roles {
		for _, rel := range allRelations {
			for _, prot := range allProtections {
				for _, perm := range []bool{false, true} {
					for _, action := range allActions {
						n++
						want := expect(t, role, rel, prot, perm, action)
						seen[want.String()]++
						var rels []access.Relation
						if rel != "" {
							rels = []access.Relation{rel}
						}
						s := access.Subject{Relations: rels, Protection: prot, UnitPath: aoPath}
						ground, err := access.Decide(actorWith(role, perm), action, s)
						if got := decided(ground, err); got != want {
							t.Errorf("role=%q rel=%q protection=%s permission=%v action=%s: got %v, want %v",
								role, rel, prot, perm, action, got, want)
						}
						if err != nil && trygg.ErrorMessage(err) == "" {
							t.Errorf("role=%q action=%s: error without message", role, action)
						}
					}
				}
			}
		}
	}
	if want := len(roles) * len(allRelations) * len(allProtections) * 2 * len(allActions); n != want {
		t.Fatalf("ran %d cases, want %d", n, want)
	}
	// The matrix must exercise every kind of outcome, or the tables are wrong.
	for _, o := range []outcome{notFound, forbidden, allowed("role"), allowed(access.RelUnit), allowed(access.RelEmergency),
		allowed(access.RelAssigned), allowed(access.RelSelf), allowed(access.RelGuardian), allowed(access.RelRepresentative),
		allowed(access.RelProvider), allowed(access.RelLogReview)} {
		if seen[o.String()] == 0 {
			t.Errorf("no case in the matrix expects %v", o)
		}
	}
}

// TestDecideExamples spells out single cases of DESIGN.md's rules, to check
// the expectation tables as much as Decide.
func TestDecideExamples(t *testing.T) {
	tests := []struct {
		name   string
		role   trygg.Role
		rel    access.Relation
		prot   persons.Protection
		perm   bool
		action access.Action
		want   outcome
	}{
		{"citizen reads self though protected", trygg.RoleCitizen, access.RelSelf, persons.ProtectionProtected, false, access.ReadPerson, allowed(access.RelSelf)},
		{"guardian reads child with marking", trygg.RoleCitizen, access.RelGuardian, persons.ProtectionMarked, false, access.ReadCase, allowed(access.RelGuardian)},
		{"citizen cannot use unit relation", trygg.RoleCitizen, access.RelUnit, persons.ProtectionNone, false, access.ReadPerson, notFound},
		{"officer reads assigned", trygg.RoleOfficer, access.RelAssigned, persons.ProtectionNone, false, access.ReadPerson, allowed(access.RelAssigned)},
		{"officer without permission: protected is not found", trygg.RoleOfficer, access.RelAssigned, persons.ProtectionProtected, false, access.ReadPerson, notFound},
		{"officer without permission: marked is not found", trygg.RoleOfficer, access.RelUnit, persons.ProtectionMarked, false, access.SearchPersons, notFound},
		{"officer with permission reads protected", trygg.RoleOfficer, access.RelUnit, persons.ProtectionProtected, true, access.ReadCase, allowed(access.RelUnit)},
		{"team lead reads via emergency", trygg.RoleTeamLead, access.RelEmergency, persons.ProtectionNone, false, access.ReadPerson, allowed(access.RelEmergency)},
		{"officer cannot claim guardian", trygg.RoleOfficer, access.RelGuardian, persons.ProtectionNone, false, access.ReadPerson, notFound},
		{"provider reads its order", trygg.RoleProvider, access.RelProvider, persons.ProtectionNone, false, access.ReadOrder, allowed(access.RelProvider)},
		{"provider reads no case through an order", trygg.RoleProvider, access.RelProvider, persons.ProtectionNone, false, access.ReadCase, notFound},
		{"provider reads no person through an order", trygg.RoleProvider, access.RelProvider, persons.ProtectionNone, true, access.ReadPerson, notFound},
		{"provider needs permission for a protected order", trygg.RoleProvider, access.RelProvider, persons.ProtectionMarked, false, access.ReadOrder, notFound},
		{"provider works on its order", trygg.RoleProvider, access.RelProvider, persons.ProtectionNone, false, access.WorkOrder, allowed(access.RelProvider)},
		{"officer reads an order of a case", trygg.RoleOfficer, access.RelAssigned, persons.ProtectionNone, false, access.ReadOrder, allowed(access.RelAssigned)},
		{"officer does not accept orders", trygg.RoleOfficer, access.RelAssigned, persons.ProtectionNone, false, access.WorkOrder, forbidden},
		{"team lead reads a payment basis", trygg.RoleTeamLead, "", persons.ProtectionNone, false, access.ReadPaymentBasis, allowed("role")},
		{"officer reads no payment basis", trygg.RoleOfficer, access.RelUnit, persons.ProtectionNone, false, access.ReadPaymentBasis, forbidden},
		{"provider cannot use unit relation", trygg.RoleProvider, access.RelUnit, persons.ProtectionNone, false, access.ReadPerson, notFound},
		{"sysadmin reads no person", trygg.RoleSysAdmin, access.RelUnit, persons.ProtectionNone, true, access.ReadPerson, notFound},
		{"analyst reads no person", trygg.RoleAnalyst, access.RelAssigned, persons.ProtectionNone, false, access.ReadPerson, notFound},
		{"no relation, not found", trygg.RoleTeamLead, "", persons.ProtectionNone, true, access.ReadPerson, notFound},
		{"officer opens case in unit", trygg.RoleOfficer, "", persons.ProtectionNone, false, access.OpenCase, allowed(access.RelUnit)},
		{"officer cannot open case for protected", trygg.RoleOfficer, "", persons.ProtectionProtected, false, access.OpenCase, forbidden},
		{"citizen cannot register", trygg.RoleCitizen, access.RelSelf, persons.ProtectionNone, false, access.RegisterPerson, forbidden},
		{"officer cannot assign", trygg.RoleOfficer, "", persons.ProtectionNone, false, access.AssignCase, forbidden},
		{"team lead assigns, protection aside", trygg.RoleTeamLead, "", persons.ProtectionProtected, false, access.AssignCase, allowed(access.RelUnit)},
		{"officer opens in emergency", trygg.RoleOfficer, "", persons.ProtectionNone, false, access.EmergencyOpen, allowed(access.RelEmergency)},
		{"emergency hides protected", trygg.RoleOfficer, "", persons.ProtectionProtected, false, access.EmergencyOpen, notFound},
		{"provider cannot open in emergency", trygg.RoleProvider, access.RelProvider, persons.ProtectionNone, true, access.EmergencyOpen, forbidden},
		{"log reviewer reads access log", trygg.RoleLogReviewer, "", persons.ProtectionNone, false, access.ReadAccessLog, allowed("role")},
		{"log reviewer sees a name in the log", trygg.RoleLogReviewer, "", persons.ProtectionNone, false, access.ReadPersonName, allowed(access.RelLogReview)},
		{"log reviewer sees no protected name without permission", trygg.RoleLogReviewer, "", persons.ProtectionProtected, false, access.ReadPersonName, notFound},
		{"officer sees no name through the log", trygg.RoleOfficer, access.RelUnit, persons.ProtectionNone, false, access.ReadPersonName, forbidden},
		{"sysadmin cannot read access log", trygg.RoleSysAdmin, "", persons.ProtectionNone, false, access.ReadAccessLog, forbidden},
		{"sysadmin manages org", trygg.RoleSysAdmin, "", persons.ProtectionNone, false, access.ManageOrg, allowed("role")},
		{"sysadmin reads events", trygg.RoleSysAdmin, "", persons.ProtectionNone, false, access.ReadEvents, allowed("role")},
		{"log reviewer cannot read events", trygg.RoleLogReviewer, "", persons.ProtectionNone, false, access.ReadEvents, forbidden},
		{"designer cannot manage org", trygg.RoleProcessDesigner, "", persons.ProtectionNone, false, access.ManageOrg, forbidden},
		{"officer works on assigned case", trygg.RoleOfficer, access.RelAssigned, persons.ProtectionNone, false, access.WorkCase, allowed(access.RelAssigned)},
		{"team lead works on unit's case", trygg.RoleTeamLead, access.RelUnit, persons.ProtectionNone, false, access.WorkCase, allowed(access.RelUnit)},
		{"emergency opening reads, does not work", trygg.RoleOfficer, access.RelEmergency, persons.ProtectionNone, true, access.WorkCase, forbidden},
		{"no work on protected without permission", trygg.RoleOfficer, access.RelAssigned, persons.ProtectionMarked, false, access.WorkCase, forbidden},
		{"citizen cannot work on own case", trygg.RoleCitizen, access.RelSelf, persons.ProtectionNone, false, access.WorkCase, forbidden},
		{"designer publishes", trygg.RoleProcessDesigner, "", persons.ProtectionNone, false, access.PublishDefinitions, allowed("role")},
		{"sysadmin cannot publish", trygg.RoleSysAdmin, "", persons.ProtectionNone, false, access.PublishDefinitions, forbidden},
		{"archivist refused", trygg.RoleArchivist, "", persons.ProtectionNone, true, access.ReadEvents, forbidden},
		{"no grants refused", "", "", persons.ProtectionNone, true, access.ManageOrg, forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := expect(t, tt.role, tt.rel, tt.prot, tt.perm, tt.action); got != tt.want {
				t.Errorf("expectation table says %v, example says %v", got, tt.want)
			}
			var rels []access.Relation
			if tt.rel != "" {
				rels = []access.Relation{tt.rel}
			}
			got := decided(access.Decide(actorWith(tt.role, tt.perm), tt.action, access.Subject{Relations: rels, Protection: tt.prot, UnitPath: aoPath}))
			if got != tt.want {
				t.Errorf("Decide: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDecideUnknownAction(t *testing.T) {
	for _, role := range trygg.Roles {
		_, err := access.Decide(actorWith(role, true), access.Action("delete_everything"),
			access.Subject{Relations: []access.Relation{access.RelAssigned, access.RelSelf}, UnitPath: aoPath})
		if trygg.ErrorCode(err) != trygg.EForbidden {
			t.Errorf("%s: unknown action gave %v, want forbidden", role, err)
		}
	}
}

// TestDecidePrecedence checks which ground is recorded when the actor has
// several relations, and that a relation refused for protection does not
// hide another that is allowed.
func TestDecidePrecedence(t *testing.T) {
	officerCitizen := trygg.Actor{Tenant: "t", UserID: "u-1", PersonID: "p-self", Grants: []trygg.Grant{
		{Role: trygg.RoleOfficer, UnitID: "norra", UnitPath: norraPath},
		{Role: trygg.RoleCitizen, UnitID: "soc", UnitPath: "/soc/"}}}
	officer := actorWith(trygg.RoleOfficer, false)
	permitted := actorWith(trygg.RoleOfficer, true)
	guardian := actorWith(trygg.RoleCitizen, false)
	tests := []struct {
		name  string
		actor trygg.Actor
		rels  []access.Relation
		prot  persons.Protection
		want  outcome
	}{
		{"assigned beats unit and emergency", officer, []access.Relation{access.RelEmergency, access.RelUnit, access.RelAssigned}, persons.ProtectionNone, allowed(access.RelAssigned)},
		{"unit beats emergency", officer, []access.Relation{access.RelEmergency, access.RelUnit}, persons.ProtectionNone, allowed(access.RelUnit)},
		{"guardian beats representative", guardian, []access.Relation{access.RelRepresentative, access.RelGuardian}, persons.ProtectionProtected, allowed(access.RelGuardian)},
		{"self beats guardian", guardian, []access.Relation{access.RelGuardian, access.RelSelf}, persons.ProtectionNone, allowed(access.RelSelf)},
		{"unusable relation skipped", guardian, []access.Relation{access.RelAssigned, access.RelRepresentative}, persons.ProtectionNone, allowed(access.RelRepresentative)},
		{"protected: staff relations skipped, citizen one used", officerCitizen, []access.Relation{access.RelAssigned, access.RelUnit, access.RelSelf}, persons.ProtectionProtected, allowed(access.RelSelf)},
		{"unprotected: staff relation first", officerCitizen, []access.Relation{access.RelSelf, access.RelUnit}, persons.ProtectionNone, allowed(access.RelUnit)},
		{"protected: every staff relation refused", officer, []access.Relation{access.RelAssigned, access.RelUnit, access.RelEmergency}, persons.ProtectionMarked, notFound},
		{"protected with permission", permitted, []access.Relation{access.RelEmergency, access.RelAssigned}, persons.ProtectionProtected, allowed(access.RelAssigned)},
		{"duplicates are harmless", officer, []access.Relation{access.RelUnit, access.RelUnit}, persons.ProtectionNone, allowed(access.RelUnit)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, action := range []access.Action{access.ReadPerson, access.SearchPersons, access.ReadCase} {
				got := decided(access.Decide(tt.actor, action, access.Subject{Relations: tt.rels, Protection: tt.prot}))
				if got != tt.want {
					t.Errorf("%s: got %v, want %v", action, got, tt.want)
				}
			}
		})
	}
}

// TestDecideUnitScope checks that unit actions need the role in a unit
// whose subtree holds the subject's unit.
func TestDecideUnitScope(t *testing.T) {
	grant := func(r trygg.Role, path string) trygg.Grant { return trygg.Grant{Role: r, UnitID: path, UnitPath: path} }
	actor := func(gs ...trygg.Grant) trygg.Actor { return trygg.Actor{Tenant: "t", UserID: "u-1", Grants: gs} }
	officerNorra := actor(grant(trygg.RoleOfficer, norraPath))
	leadNorra := actor(grant(trygg.RoleTeamLead, norraPath))
	tests := []struct {
		name   string
		actor  trygg.Actor
		action access.Action
		unit   string
		want   outcome
	}{
		{"own unit", officerNorra, access.OpenCase, norraPath, allowed(access.RelUnit)},
		{"sub-unit", officerNorra, access.RegisterPerson, aoPath, allowed(access.RelUnit)},
		{"parent unit", officerNorra, access.OpenCase, "/soc/", forbidden},
		{"sibling unit", officerNorra, access.OpenCase, "/soc/sodra/", forbidden},
		{"sibling sharing a name prefix", officerNorra, access.RegisterPerson, "/soc/norra-x/", forbidden},
		{"no unit given", officerNorra, access.OpenCase, "", forbidden},
		{"grant without a path", actor(trygg.Grant{Role: trygg.RoleOfficer, UnitID: "norra"}), access.OpenCase, aoPath, forbidden},
		{"case role elsewhere, other role here", actor(grant(trygg.RoleOfficer, "/soc/sodra/"), grant(trygg.RoleCitizen, norraPath), grant(trygg.RoleSysAdmin, "/soc/")), access.OpenCase, aoPath, forbidden},
		{"second grant in scope", actor(grant(trygg.RoleOfficer, "/soc/sodra/"), grant(trygg.RoleTeamLead, norraPath)), access.OpenCase, aoPath, allowed(access.RelUnit)},
		{"lead assigns in sub-unit", leadNorra, access.AssignCase, aoPath, allowed(access.RelUnit)},
		{"lead cannot assign in sibling", leadNorra, access.AssignCase, "/soc/sodra/ao/", forbidden},
		{"lead cannot assign without unit", leadNorra, access.AssignCase, "", forbidden},
		{"lead elsewhere, officer here cannot assign", actor(grant(trygg.RoleTeamLead, "/soc/sodra/"), grant(trygg.RoleOfficer, norraPath)), access.AssignCase, aoPath, forbidden},
		{"lead at the root assigns anywhere", actor(grant(trygg.RoleTeamLead, "/soc/")), access.AssignCase, "/soc/sodra/ao/", allowed(access.RelUnit)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decided(access.Decide(tt.actor, tt.action, access.Subject{UnitPath: tt.unit}))
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCaseRelations(t *testing.T) {
	officer := trygg.Actor{Tenant: "t", UserID: "u-1", Grants: []trygg.Grant{{Role: trygg.RoleOfficer, UnitID: "norra", UnitPath: norraPath}}}
	lead := trygg.Actor{Tenant: "t", UserID: "u-2", Grants: []trygg.Grant{{Role: trygg.RoleTeamLead, UnitID: "soc", UnitPath: "/soc/"}}}
	providerA := trygg.Actor{Tenant: "t", UserID: "u-3", Grants: []trygg.Grant{{Role: trygg.RoleProvider, UnitID: "norra", UnitPath: norraPath}}}
	citizenA := trygg.Actor{Tenant: "t", UserID: "u-4", PersonID: "p-self", Grants: []trygg.Grant{{Role: trygg.RoleCitizen, UnitID: "soc", UnitPath: "/soc/"}}}
	noUser := trygg.Actor{Tenant: "t", Grants: []trygg.Grant{{Role: trygg.RoleOfficer, UnitID: "sodra", UnitPath: "/soc/sodra/"}}}
	tests := []struct {
		name       string
		actor      trygg.Actor
		assignedTo string
		unitPath   string
		personRels []access.Relation
		want       []access.Relation
	}{
		{"assigned in own unit", officer, "u-1", aoPath, nil, []access.Relation{access.RelAssigned, access.RelUnit}},
		{"assigned outside unit", officer, "u-1", "/soc/sodra/", nil, []access.Relation{access.RelAssigned}},
		{"unit only", officer, "u-9", aoPath, nil, []access.Relation{access.RelUnit}},
		{"unassigned case in unit", officer, "", norraPath, nil, []access.Relation{access.RelUnit}},
		{"nothing", officer, "u-9", "/soc/sodra/", nil, nil},
		{"lead at root sees unit everywhere", lead, "u-1", "/soc/sodra/ao/", nil, []access.Relation{access.RelUnit}},
		{"person's assigned and unit relations come from other cases: dropped", officer, "u-9", "/soc/sodra/",
			[]access.Relation{access.RelAssigned, access.RelUnit}, nil},
		{"emergency carries over", officer, "u-9", "/soc/sodra/", []access.Relation{access.RelUnit, access.RelEmergency}, []access.Relation{access.RelEmergency}},
		{"citizen relations carry over", citizenA, "u-1", norraPath, []access.Relation{access.RelSelf, access.RelGuardian, access.RelRepresentative},
			[]access.Relation{access.RelSelf, access.RelGuardian, access.RelRepresentative}},
		{"citizen gets no unit relation from a citizen grant", citizenA, "", "/soc/norra/", nil, nil},
		{"provider assigned by id gets nothing", providerA, "u-3", norraPath, nil, nil},
		{"provider relation carries over", providerA, "u-1", norraPath, []access.Relation{access.RelProvider}, []access.Relation{access.RelProvider}},
		{"empty user id never matches an unassigned case", noUser, "", "/soc/norra/", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := access.CaseRelations(tt.actor, tt.assignedTo, tt.unitPath, tt.personRels)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadScope(t *testing.T) {
	g := func(r trygg.Role, path string) trygg.Grant { return trygg.Grant{Role: r, UnitID: path, UnitPath: path} }
	tests := []struct {
		name  string
		actor trygg.Actor
		want  access.Scope
		empty bool
	}{
		{"officer", trygg.Actor{UserID: "u-1", Grants: []trygg.Grant{g(trygg.RoleOfficer, norraPath)}},
			access.Scope{UserID: "u-1", UnitPaths: []string{norraPath}, Emergency: true}, false},
		{"officer with permission, paths deduplicated, other roles' units left out",
			trygg.Actor{UserID: "u-1", ProtectedIdentity: true, Grants: []trygg.Grant{g(trygg.RoleOfficer, norraPath),
				g(trygg.RoleTeamLead, norraPath), g(trygg.RoleTeamLead, "/soc/sodra/"), g(trygg.RoleSysAdmin, "/soc/"), g(trygg.RoleProvider, "/soc/ostra/")}},
			access.Scope{UserID: "u-1", UnitPaths: []string{norraPath, "/soc/sodra/"}, Emergency: true, SeeProtected: true}, false},
		{"grant without path adds no unit", trygg.Actor{UserID: "u-1", Grants: []trygg.Grant{{Role: trygg.RoleTeamLead, UnitID: "x"}}},
			access.Scope{UserID: "u-1", Emergency: true}, false},
		{"citizen", trygg.Actor{UserID: "u-4", PersonID: "p-self", Grants: []trygg.Grant{g(trygg.RoleCitizen, "/soc/")}},
			access.Scope{SelfPersonID: "p-self", GuardianOK: true, RepresentativeOK: true}, false},
		{"citizen's permission does not widen anything", trygg.Actor{UserID: "u-4", PersonID: "p-self", ProtectedIdentity: true,
			Grants: []trygg.Grant{g(trygg.RoleCitizen, "/soc/")}},
			access.Scope{SelfPersonID: "p-self", GuardianOK: true, RepresentativeOK: true}, false},
		{"citizen without person", trygg.Actor{UserID: "u-4", Grants: []trygg.Grant{g(trygg.RoleCitizen, "/soc/")}}, access.Scope{}, true},
		{"person id without citizen role", trygg.Actor{UserID: "u-5", PersonID: "p-self", Grants: []trygg.Grant{g(trygg.RoleAnalyst, "/soc/")}}, access.Scope{}, true},
		{"no grants", trygg.Actor{UserID: "u-6", ProtectedIdentity: true}, access.Scope{}, true},
	}
	for _, role := range []trygg.Role{trygg.RoleProvider, trygg.RoleProcessDesigner, trygg.RoleAnalyst, trygg.RoleLogReviewer, trygg.RoleArchivist, trygg.RoleSysAdmin} {
		tests = append(tests, struct {
			name  string
			actor trygg.Actor
			want  access.Scope
			empty bool
		}{fmt.Sprintf("%s sees no one", role), trygg.Actor{UserID: "u-7", ProtectedIdentity: true, Grants: []trygg.Grant{g(role, "/soc/")}}, access.Scope{}, true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := access.ReadScope(tt.actor)
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if got.Empty() != tt.empty {
				t.Errorf("Empty() = %v, want %v", got.Empty(), tt.empty)
			}
		})
	}
}

func TestRelationForKind(t *testing.T) {
	tests := []struct {
		kind persons.RelationKind
		want access.Relation
	}{
		{persons.RelGuardian, access.RelGuardian},
		{persons.RelRepresentative, access.RelRepresentative},
		{persons.RelGodMan, access.RelRepresentative},
		{persons.RelForvaltare, access.RelRepresentative},
	}
	for _, tt := range tests {
		if got := access.RelationForKind(tt.kind); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.kind, got, tt.want)
		}
	}
}

// constantsOf returns the values of the string constants of type typ
// declared in the package's source.
func constantsOf(t *testing.T, typ string) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != typ {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}

// TestEveryConstantCovered fails when access.go gains an action or a
// relation the matrix does not know, so each gets an expectation.
func TestEveryConstantCovered(t *testing.T) {
	actions := constantsOf(t, "Action")
	if len(actions) == 0 {
		t.Fatal("found no Action constants in the source")
	}
	for _, a := range actions {
		if !slices.Contains(allActions, access.Action(a)) {
			t.Errorf("action %q has no expectation in this test", a)
		}
	}
	relations := constantsOf(t, "Relation")
	if len(relations) == 0 {
		t.Fatal("found no Relation constants in the source")
	}
	for _, r := range relations {
		if !slices.Contains(allRelations, access.Relation(r)) {
			t.Errorf("relation %q has no expectation in this test", r)
		}
	}
}
