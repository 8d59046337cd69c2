package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

const personCols = `p.id, p.id_type, p.id_value, p.id_issuer, p.given_name, p.family_name, p.birth_date, p.sex, p.street, p.postal_code, p.city, p.protection, p.died_on`

func scanPerson(s interface{ Scan(...any) error }) (persons.Person, error) {
	var p persons.Person
	var idType string
	err := s.Scan(&p.ID, &idType, &p.Identity.Value, &p.Identity.Issuer, &p.GivenName, &p.FamilyName, &p.BirthDate, &p.Sex,
		&p.Address.Street, &p.Address.PostalCode, &p.Address.City, &p.Protection, &p.DiedOn)
	p.Identity.Type = persons.IDType(idType)
	return p, err
}

// InsertPerson inserts p inside tx; a person with the same identity is a conflict.
func (tx *Tx) InsertPerson(ctx context.Context, tenant trygg.TenantID, p persons.Person) error {
	_, err := tx.exec(ctx, `INSERT INTO persons (tenant_id, id, id_type, id_value, id_issuer, given_name, family_name, name_search,
		birth_date, sex, street, postal_code, city, protection, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), p.ID, string(p.Identity.Type), p.Identity.Value, p.Identity.Issuer, p.GivenName, p.FamilyName, p.NameSearch(),
		p.BirthDate, p.Sex, p.Address.Street, p.Address.PostalCode, p.Address.City, int(p.Protection), micros(tx.Now), micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "A person with this identity number is already registered.")
	}
	if err != nil {
		return fmt.Errorf("store: insert person: %w", err)
	}
	return nil
}

// querier is what both the reader pool and a write transaction offer.
type querier interface {
	queryRow(ctx context.Context, query string, args ...any) *sql.Row
}

func personByIdentity(ctx context.Context, q querier, tenant trygg.TenantID, id persons.Identity) (persons.Person, error) {
	p, err := scanPerson(q.queryRow(ctx, `SELECT `+personCols+` FROM persons p WHERE p.tenant_id = ? AND p.id_type = ? AND p.id_issuer = ? AND p.id_value = ?`,
		string(tenant), string(id.Type), id.Issuer, id.Value))
	return p, notFound(err, "Person")
}

func personByID(ctx context.Context, q querier, tenant trygg.TenantID, id string) (persons.Person, error) {
	p, err := scanPerson(q.queryRow(ctx, `SELECT `+personCols+` FROM persons p WHERE p.tenant_id = ? AND p.id = ?`, string(tenant), id))
	return p, notFound(err, "Person")
}

// PersonByIdentity returns the person with the identity, unchecked by
// access: for registration and emergency opening, never shown as is.
func (db *DB) PersonByIdentity(ctx context.Context, tenant trygg.TenantID, id persons.Identity) (persons.Person, error) {
	return personByIdentity(ctx, db, tenant, id)
}

// PersonByIdentity is PersonByIdentity inside a write transaction.
func (tx *Tx) PersonByIdentity(ctx context.Context, tenant trygg.TenantID, id persons.Identity) (persons.Person, error) {
	return personByIdentity(ctx, tx, tenant, id)
}

// PersonByID returns the person unchecked by access (the caller decides).
func (db *DB) PersonByID(ctx context.Context, tenant trygg.TenantID, id string) (persons.Person, error) {
	return personByID(ctx, db, tenant, id)
}

// PersonByID is PersonByID inside a write transaction.
func (tx *Tx) PersonByID(ctx context.Context, tenant trygg.TenantID, id string) (persons.Person, error) {
	return personByID(ctx, tx, tenant, id)
}

// escapeLike escapes LIKE wildcards; use with ESCAPE '\'.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// visibleSQL returns a predicate over persons aliased p that is true for
// the rows scope allows: the SQL form of access.Decide for reads.
func visibleSQL(s access.Scope, now int64, today string) (string, []any) {
	var parts []string
	var args []any
	if s.UserID != "" || len(s.UnitPaths) > 0 {
		var via []string
		var viaArgs []any
		if s.UserID != "" {
			via = append(via, `c.assigned_to = ?`)
			viaArgs = append(viaArgs, s.UserID)
		}
		if len(s.UnitPaths) > 0 {
			pred, args := unitPathPred(s.UnitPaths)
			via = append(via, pred)
			viaArgs = append(viaArgs, args...)
		}
		// "p.id IS NOT NULL" is always true (p.id is the key): a clause on
		// the outer row that is not an equality keeps PostgreSQL from
		// turning the EXISTS into a hashed subplan, which reads every case
		// of the tenant before the first row (1.9 s at 1,000,000 persons),
		// so a search that stops at its limit probes only the rows it walks
		// (docs/benchmarks.md, "Name search at 1,000,000 persons").
		staff := `EXISTS (SELECT 1 FROM cases c JOIN units u ON u.tenant_id = c.tenant_id AND u.id = c.unit_id
			WHERE c.tenant_id = p.tenant_id AND c.person_id = p.id AND p.id IS NOT NULL AND (` + strings.Join(via, " OR ") + `))`
		staffArgs := viaArgs
		if s.Emergency && s.UserID != "" {
			staff = `(` + staff + ` OR EXISTS (SELECT 1 FROM emergency_openings e WHERE e.tenant_id = p.tenant_id
				AND e.person_id = p.id AND e.user_id = ? AND e.expires_at > ?))`
			staffArgs = append(staffArgs, s.UserID, now)
		}
		if !s.SeeProtected {
			staff = `(p.protection = 0 AND ` + staff + `)`
		}
		parts = append(parts, staff)
		args = append(args, staffArgs...)
	}
	if s.SelfPersonID != "" {
		parts = append(parts, `p.id = ?`)
		args = append(args, s.SelfPersonID)
		if s.GuardianOK || s.RepresentativeOK {
			inForce, inForceArgs := relationInForceSQL("p", today)
			parts = append(parts, `EXISTS (SELECT 1 FROM person_relations r WHERE r.tenant_id = p.tenant_id AND r.to_person_id = p.id
				AND r.from_person_id = ? AND `+inForce+`)`)
			args = append(args, s.SelfPersonID)
			args = append(args, inForceArgs...)
		}
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// relationInForceSQL returns a predicate over person_relations aliased r
// and the persons row of the person acted for, aliased as child says, true
// when the relation is in force on today (YYYY-MM-DD): between its
// valid_from and valid_to, and a guardian relation only while the child is
// under 18 (custody ends on the 18th birthday, Föräldrabalken 6 kap. 2 §),
// whatever its valid_to says. It is the SQL form of
// persons.Relation.Effective and the one place every query that lets a
// relation give access or notices asks. A guardian relation over a person
// whose birth date is unknown (some reserve numbers) ends on its valid_to,
// which recording one requires (service.AddRelation). A malformed today
// matches nothing.
func relationInForceSQL(child, today string) (string, []any) {
	day, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return "1 = 0", nil
	}
	return `(r.valid_from = '' OR r.valid_from <= ?) AND (r.valid_to = '' OR r.valid_to >= ?)
		AND (r.kind <> '` + string(persons.RelGuardian) + `' OR ` + child + `.birth_date = '' OR ` + child + `.birth_date > ?)`,
		[]any{today, today, persons.AdultsBornBy(day)}
}

// PersonRelations returns every relation the actor has to the person, for
// access.Decide. It uses the same rules as visibleSQL.
func (db *DB) PersonRelations(ctx context.Context, a trygg.Actor, personID string) ([]access.Relation, error) {
	s := access.ReadScope(a)
	now := db.Now()
	today := now.Format("2006-01-02")
	var rels []access.Relation
	if s.UserID != "" {
		var assigned, unit, emergency int
		unitPred, unitArgs := unitPathPred(s.UnitPaths)
		args := []any{string(a.Tenant), personID, s.UserID}
		args = append(args, string(a.Tenant), personID)
		args = append(args, unitArgs...)
		args = append(args, string(a.Tenant), personID, s.UserID, micros(now))
		err := db.queryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM cases c WHERE c.tenant_id = ? AND c.person_id = ? AND c.assigned_to = ?),
			(SELECT COUNT(*) FROM cases c JOIN units u ON u.tenant_id = c.tenant_id AND u.id = c.unit_id WHERE c.tenant_id = ? AND c.person_id = ? AND `+unitPred+`),
			(SELECT COUNT(*) FROM emergency_openings e WHERE e.tenant_id = ? AND e.person_id = ? AND e.user_id = ? AND e.expires_at > ?)`,
			args...).Scan(&assigned, &unit, &emergency)
		if err != nil {
			return nil, fmt.Errorf("store: person relations: %w", err)
		}
		if assigned > 0 {
			rels = append(rels, access.RelAssigned)
		}
		if unit > 0 {
			rels = append(rels, access.RelUnit)
		}
		if emergency > 0 {
			rels = append(rels, access.RelEmergency)
		}
	}
	if s.SelfPersonID != "" {
		if s.SelfPersonID == personID {
			rels = append(rels, access.RelSelf)
		}
		kinds, err := db.relationKinds(ctx, a.Tenant, s.SelfPersonID, personID, today)
		if err != nil {
			return nil, err
		}
		for _, k := range kinds {
			rels = append(rels, access.RelationForKind(k))
		}
	}
	return rels, nil
}

// unitPathPred returns a predicate over units aliased u that is true in
// the subtrees of paths (a unit's path starts with its ancestors' paths).
// A path's prefix is compared with substr and a length written into the
// SQL, not with LIKE: SQLite plans a LIKE with a bound pattern again every
// time it runs (to see whether the pattern is a prefix), and that planning
// cost more than the query (docs/benchmarks.md).
func unitPathPred(paths []string) (string, []any) {
	if len(paths) == 0 {
		return "1 = 0", nil
	}
	var preds []string
	var args []any
	for _, p := range paths {
		preds = append(preds, fmt.Sprintf(`substr(u.path, 1, %d) = ?`, utf8.RuneCountInString(p)))
		args = append(args, p)
	}
	return "(" + strings.Join(preds, " OR ") + ")", args
}

func (db *DB) relationKinds(ctx context.Context, tenant trygg.TenantID, from, to, today string) ([]persons.RelationKind, error) {
	inForce, inForceArgs := relationInForceSQL("c", today)
	rows, err := db.query(ctx, `SELECT r.kind FROM person_relations r JOIN persons c ON c.tenant_id = r.tenant_id AND c.id = r.to_person_id
		WHERE r.tenant_id = ? AND r.from_person_id = ? AND r.to_person_id = ? AND `+inForce,
		append([]any{string(tenant), from, to}, inForceArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: relation kinds: %w", err)
	}
	defer rows.Close()
	var out []persons.RelationKind
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, persons.RelationKind(k))
	}
	return out, rows.Err()
}

// PersonQuery is a person search: an exact identity, or a name.
//
// A name search's words are compared in persons.NameKey's form with
// "family given" (name_search). Every word must be found in the name; a
// search whose words are all shorter than three letters finds only names
// that start with its first word, a longer word is found anywhere in the
// name. Names that start with the first word come first, each group in
// name order.
type PersonQuery struct {
	Identity *persons.Identity
	Name     string
	Limit    int
	// Plan chooses where a name search starts; PlanAuto (the zero value)
	// lets the store choose. The others are for tests and benchmarks: the
	// answer is the same whichever plan runs.
	Plan SearchPlan
}

// SearchPlan is where a name search starts.
type SearchPlan int

const (
	// PlanAuto starts from the actor's scope when it holds at most
	// ScopeFirstCases cases, from the names otherwise.
	PlanAuto SearchPlan = iota
	// PlanByName walks the names that start with the first word in name
	// order and stops at the limit, then (when a word has three letters
	// or more and the limit is not reached) the names that hold the words
	// elsewhere, found through the trigram index; every candidate is
	// checked against the access rule.
	PlanByName
	// PlanByScope starts from the persons of the actor's cases (assigned,
	// in their units' subtrees, opened in an emergency) and keeps those
	// whose names match: cheap when the actor's scope is small, whatever
	// the size of the municipality. Only staff have such a scope; a
	// citizen's search is by name whatever the plan asked.
	PlanByScope
)

// ScopeFirstCases is the most cases an actor's scope may hold for a name
// search to start from it (docs/benchmarks.md, "Name search at 1,000,000
// persons"): counting them stops here, so the count costs at most this
// many index entries.
const ScopeFirstCases = 5000

// minTrigram is the length of a word (in letters) the trigram indexes
// can find in the middle of a name.
const minTrigram = 3

// SearchPersons returns the persons matching q that the actor may see.
// Rows outside the actor's access scope are never returned, whichever
// plan finds them: every plan filters with the same predicate
// (visibleSQL) as every list.
func (db *DB) SearchPersons(ctx context.Context, a trygg.Actor, q PersonQuery) ([]persons.Person, error) {
	now := db.Now()
	scope := access.ReadScope(a)
	vis, visArgs := visibleSQL(scope, micros(now), now.Format("2006-01-02"))
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 25
	}
	if q.Identity != nil {
		sqlText := `SELECT ` + personCols + ` FROM persons p WHERE p.tenant_id = ? AND p.id_type = ? AND p.id_issuer = ? AND p.id_value = ?
			AND ` + vis + ` ORDER BY p.name_search, p.id` + limitSQL(q.Limit)
		args := append([]any{string(a.Tenant), string(q.Identity.Type), q.Identity.Issuer, q.Identity.Value}, visArgs...)
		return db.searchRows(ctx, sqlText, args)
	}
	terms := strings.Fields(persons.NameKey(q.Name))
	if len(terms) == 0 {
		return nil, trygg.Invalid("Give a name or an identity number to search for.", map[string]string{"query": "Required."})
	}
	long := false
	for _, t := range terms {
		long = long || utf8.RuneCountInString(t) >= minTrigram
	}
	plan := q.Plan
	if !staffScope(scope) {
		plan = PlanByName
	}
	if plan == PlanAuto {
		plan = PlanByName
		if small, err := db.smallScope(ctx, a.Tenant, scope); err != nil {
			return nil, err
		} else if small {
			plan = PlanByScope
		}
	}
	// The first word as a prefix: a range lets the name index serve it.
	lo, hi := terms[0], terms[0]+"\U0010FFFF"
	contains := func(ts []string) (string, []any) {
		var preds []string
		var args []any
		for _, t := range ts {
			preds = append(preds, `p.name_search LIKE ? ESCAPE '\'`)
			args = append(args, "%"+escapeLike(t)+"%")
		}
		return strings.Join(preds, " AND "), args
	}

	if plan == PlanByScope {
		from, fromArgs := scopePersonsSQL(a.Tenant, scope, micros(now))
		match, matchArgs := contains(terms)
		if !long {
			match += ` AND p.name_search >= ? AND p.name_search < ?`
			matchArgs = append(matchArgs, lo, hi)
		}
		sqlText := `SELECT ` + personCols + ` FROM persons p WHERE p.tenant_id = ? AND p.id IN (` + from + `) AND ` + match + ` AND ` + vis + `
			ORDER BY CASE WHEN p.name_search >= ? AND p.name_search < ? THEN 0 ELSE 1 END, p.name_search, p.id` + limitSQL(q.Limit)
		args := []any{string(a.Tenant)}
		args = append(args, fromArgs...)
		args = append(args, matchArgs...)
		args = append(args, visArgs...)
		args = append(args, lo, hi)
		return db.searchRows(ctx, sqlText, args)
	}

	// By name: first the names that start with the first word, in name
	// order (the walk stops at the limit).
	sqlText := `SELECT ` + personCols + ` FROM persons p WHERE p.tenant_id = ? AND p.name_search >= ? AND p.name_search < ?`
	args := []any{string(a.Tenant), lo, hi}
	if len(terms) > 1 {
		match, matchArgs := contains(terms[1:])
		sqlText += ` AND ` + match
		args = append(args, matchArgs...)
	}
	sqlText += ` AND ` + vis + ` ORDER BY p.name_search, p.id` + limitSQL(q.Limit)
	args = append(args, visArgs...)
	out, err := db.searchRows(ctx, sqlText, args)
	if err != nil || len(out) == q.Limit || !long {
		return out, err
	}
	// Then the names that hold the words elsewhere, found through the
	// trigram index.
	cand, candArgs := db.nameTrigramSQL(a.Tenant, terms)
	match, matchArgs := contains(terms)
	from := `persons p WHERE p.tenant_id = ? AND ` + cand + ` AND ` + match
	wrapped := db.dialect.name() == "postgres" && !db.onCitus(ctx)
	if wrapped {
		// OFFSET 0 keeps the candidates a query of their own, found through
		// the trigram index: else PostgreSQL walks the whole name index in
		// name order for the limit, testing the LIKE on every name. Citus
		// refuses the access rule's correlated subqueries over a subquery
		// in FROM, so there the plain form runs (on the tenant's shard).
		from = `(SELECT * FROM ` + from + ` OFFSET 0) p WHERE 1 = 1`
	}
	sqlText = `SELECT ` + personCols + ` FROM ` + from + `
		AND NOT (p.name_search >= ? AND p.name_search < ?) AND ` + vis + ` ORDER BY p.name_search, p.id` + limitSQL(q.Limit-len(out))
	args = []any{string(a.Tenant)}
	args = append(args, candArgs...)
	args = append(args, matchArgs...)
	args = append(args, lo, hi)
	args = append(args, visArgs...)
	more, err := db.searchRows(ctx, sqlText, args)
	return append(out, more...), err
}

func (db *DB) searchRows(ctx context.Context, sqlText string, args []any) ([]persons.Person, error) {
	rows, err := db.query(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search persons: %w", err)
	}
	defer rows.Close()
	out := []persons.Person{}
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, fmt.Errorf("store: search persons: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// staffScope reports whether s is made of cases only (staff), so that a
// search may start from it; a citizen's (self and those they act for) is
// searched by name.
func staffScope(s access.Scope) bool {
	return s.SelfPersonID == "" && (s.UserID != "" || len(s.UnitPaths) > 0)
}

// smallScope reports whether the staff scope s holds at most
// ScopeFirstCases cases (assigned, or in the units' subtrees).
func (db *DB) smallScope(ctx context.Context, tenant trygg.TenantID, s access.Scope) (bool, error) {
	unitPred, unitArgs := unitPathPred(s.UnitPaths)
	bound := limitSQL(ScopeFirstCases + 1)
	args := []any{string(tenant), s.UserID, string(tenant)}
	args = append(args, unitArgs...)
	var assigned, inUnits int
	err := db.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE c.tenant_id = ? AND c.assigned_to = ?`+bound+`) x),
		(SELECT COUNT(*) FROM (SELECT 1 FROM units u CROSS JOIN cases c WHERE u.tenant_id = ? AND `+unitPred+`
			AND c.tenant_id = u.tenant_id AND c.unit_id = u.id`+bound+`) y)`, args...).Scan(&assigned, &inUnits)
	if err != nil {
		return false, fmt.Errorf("store: search scope: %w", err)
	}
	return assigned+inUnits <= ScopeFirstCases, nil
}

// scopePersonsSQL returns a query of the ids of the persons in the staff
// scope s: those with a case assigned to the actor or in their units'
// subtrees, and those they opened in an emergency. It is wider than what
// the actor may read (protection is not asked): the search filters it
// with visibleSQL.
func scopePersonsSQL(tenant trygg.TenantID, s access.Scope, now int64) (string, []any) {
	parts := []string{`SELECT c.person_id FROM cases c WHERE c.tenant_id = ? AND c.assigned_to = ?`}
	args := []any{string(tenant), s.UserID}
	if len(s.UnitPaths) > 0 {
		pred, pargs := unitPathPred(s.UnitPaths)
		// The units first (a handful), then their cases by index: a
		// CROSS JOIN keeps SQLite to that order (PostgreSQL plans it as
		// any join).
		parts = append(parts, `SELECT c.person_id FROM units u CROSS JOIN cases c WHERE u.tenant_id = ? AND `+pred+`
			AND c.tenant_id = u.tenant_id AND c.unit_id = u.id`)
		args = append(args, string(tenant))
		args = append(args, pargs...)
	}
	if s.Emergency {
		parts = append(parts, `SELECT e.person_id FROM emergency_openings e WHERE e.tenant_id = ? AND e.user_id = ? AND e.expires_at > ?`)
		args = append(args, string(tenant), s.UserID, now)
	}
	// UNION ALL: the IN needs no duplicates removed, and SQLite's UNION
	// would read each part in person order to merge them.
	return strings.Join(parts, " UNION ALL "), args
}

// nameTrigramSQL returns a predicate over persons aliased p that holds
// for every name holding all of the words' trigrams (and some others,
// which the LIKE beside it refuses), served by the engine's trigram index:
// on PostgreSQL pg_trgm's index serves the LIKE itself; on SQLite the
// FTS5 table person_names_fts, whose rows the triggers of migration 0036
// keep.
func (db *DB) nameTrigramSQL(tenant trygg.TenantID, terms []string) (string, []any) {
	if db.dialect.name() == "postgres" {
		return "1 = 1", nil
	}
	var quoted []string
	for _, g := range trigrams(terms) {
		quoted = append(quoted, `"`+strings.ReplaceAll(g, `"`, `""`)+`"`)
	}
	return `p.id IN (SELECT n.person_id FROM person_names_fts JOIN person_names n ON n.rid = person_names_fts.rowid
		WHERE person_names_fts MATCH ? AND n.tenant_id = ?)`, []any{strings.Join(quoted, " "), string(tenant)}
}

// trigrams returns the query words of at least minTrigram letters cut
// into their trigrams, each once.
func trigrams(terms []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range terms {
		r := []rune(t)
		for i := 0; i+minTrigram <= len(r); i++ {
			if g := string(r[i : i+minTrigram]); !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// VisiblePersonIDs returns the ids of all persons of the actor's tenant that
// the actor may see, for tests that compare it with access.Decide.
func (db *DB) VisiblePersonIDs(ctx context.Context, a trygg.Actor) (map[string]bool, error) {
	now := db.Now()
	vis, visArgs := visibleSQL(access.ReadScope(a), micros(now), now.Format("2006-01-02"))
	ids, err := scanRows(scanString)(db.query(ctx, `SELECT p.id FROM persons p WHERE p.tenant_id = ? AND `+vis, append([]any{string(a.Tenant)}, visArgs...)...))
	if err != nil {
		return nil, fmt.Errorf("store: visible persons: %w", err)
	}
	return idSet(ids), nil
}

// InsertRelation inserts r inside tx.
func (tx *Tx) InsertRelation(ctx context.Context, tenant trygg.TenantID, r persons.Relation) error {
	_, err := tx.exec(ctx, `INSERT INTO person_relations (tenant_id, id, from_person_id, to_person_id, kind, valid_from, valid_to, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), r.ID, r.FromPersonID, r.ToPersonID, string(r.Kind), r.ValidFrom, r.ValidTo, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert relation: %w", err)
	}
	return nil
}

// Relations returns the relations in which the person is either side,
// each with the end it has in force (persons.Relation.Effective: a
// guardian relation ends the day before the child's 18th birthday).
func (db *DB) Relations(ctx context.Context, tenant trygg.TenantID, personID string) ([]persons.Relation, error) {
	// Two indexed lookups: SQLite does not use both indexes for an OR.
	rows, err := db.query(ctx, `SELECT r.id, r.from_person_id, r.to_person_id, r.kind, r.valid_from, r.valid_to, c.birth_date
		FROM person_relations r JOIN persons c ON c.tenant_id = r.tenant_id AND c.id = r.to_person_id
		WHERE r.tenant_id = ? AND r.from_person_id = ?
		UNION ALL
		SELECT r.id, r.from_person_id, r.to_person_id, r.kind, r.valid_from, r.valid_to, c.birth_date
		FROM person_relations r JOIN persons c ON c.tenant_id = r.tenant_id AND c.id = r.to_person_id
		WHERE r.tenant_id = ? AND r.to_person_id = ? AND r.from_person_id <> ?`, string(tenant), personID, string(tenant), personID, personID)
	if err != nil {
		return nil, fmt.Errorf("store: relations: %w", err)
	}
	defer rows.Close()
	out := []persons.Relation{}
	for rows.Next() {
		var r persons.Relation
		var kind, birth string
		if err := rows.Scan(&r.ID, &r.FromPersonID, &r.ToPersonID, &kind, &r.ValidFrom, &r.ValidTo, &birth); err != nil {
			return nil, err
		}
		r.Kind = persons.RelationKind(kind)
		out = append(out, r.Effective(birth))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Sorted here: an ORDER BY makes SQLite scan the primary key instead.
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
