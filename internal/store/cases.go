package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// Case is the case envelope: whose case, which unit, who is assigned. The
// process engine keeps its state beside it.
type Case struct {
	ID       string `json:"id"`
	PersonID string `json:"person_id"`
	UnitID   string `json:"unit_id"`
	UnitPath string `json:"-"`
	CaseType string `json:"case_type"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	// DefinitionVersion is the process version the case runs on (0: the
	// case type has no published process) and Step its current step.
	DefinitionVersion int64  `json:"definition_version"`
	Step              string `json:"step,omitempty"`
	AssignedTo        string `json:"assigned_to,omitempty"`
	// Reference is what people call the case ("EB-2026-00417", see
	// process.FormatReference); empty only until EnsureCaseReferences
	// has given an older case one.
	Reference string `json:"reference,omitempty"`
	// ReceivedDate is the day (YYYY-MM-DD, in Sweden) the report or
	// application the case was opened for was received: the day it was
	// opened unless the officer who registered it gave an earlier day.
	// It is empty for cases opened before the day was kept; they were
	// received the day they were opened.
	ReceivedDate string `json:"received_date,omitempty"`
	// Revision counts the changes guards read; see MoveCase.
	Revision int64     `json:"-"`
	OpenedAt time.Time `json:"opened_at"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

const caseCols = `c.id, c.person_id, c.unit_id, u.path, c.case_type, c.title, c.status, c.definition_version, c.step, c.assigned_to, c.opened_at, c.closed_at, c.revision, c.reference, c.received_date`
const caseFrom = ` FROM cases c JOIN units u ON u.tenant_id = c.tenant_id AND u.id = c.unit_id`

func scanCase(s interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var opened, closed int64
	err := s.Scan(&c.ID, &c.PersonID, &c.UnitID, &c.UnitPath, &c.CaseType, &c.Title, &c.Status, &c.DefinitionVersion, &c.Step, &c.AssignedTo, &opened, &closed, &c.Revision, &c.Reference, &c.ReceivedDate)
	c.OpenedAt, c.ClosedAt = fromMicros(opened), fromMicros(closed)
	return c, err
}

// InsertCase inserts c inside tx.
func (tx *Tx) InsertCase(ctx context.Context, tenant trygg.TenantID, c Case) error {
	q, args := insertCase(tenant, c)
	if _, err := tx.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("store: insert case: %w", err)
	}
	return nil
}

// InsertCaseWithEvent inserts c and appends its event e inside tx, in one
// statement on PostgreSQL (execWithEvent). It returns e as appended.
func (tx *Tx) InsertCaseWithEvent(ctx context.Context, tenant trygg.TenantID, c Case, e events.Event) (events.Event, error) {
	q, args := insertCase(tenant, c)
	e, err := tx.execWithEvent(ctx, q, args, e)
	if err != nil {
		return e, fmt.Errorf("store: insert case: %w", err)
	}
	return e, nil
}

func insertCase(tenant trygg.TenantID, c Case) (string, []any) {
	return `INSERT INTO cases (tenant_id, id, person_id, unit_id, case_type, title, status, definition_version, step, assigned_to, opened_at, closed_at, reference, received_date)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, []any{string(tenant), c.ID, c.PersonID, c.UnitID, c.CaseType, c.Title, c.Status,
			c.DefinitionVersion, c.Step, c.AssignedTo, micros(c.OpenedAt), micros(c.ClosedAt), c.Reference, c.ReceivedDate}
}

// NextCaseNumber returns the next number of the tenant's case references
// with prefix in year, inside tx: 1 the first time, then one more each
// time. Numbers are never given twice; a rolled-back transaction gives
// its number back.
func (tx *Tx) NextCaseNumber(ctx context.Context, tenant trygg.TenantID, prefix string, year int) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `INSERT INTO case_reference_counters (tenant_id, prefix, year, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (tenant_id, prefix, year) DO UPDATE SET last = case_reference_counters.last + 1 RETURNING last`,
		string(tenant), prefix, year).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: next case number: %w", err)
	}
	return n, nil
}

// SetCaseReference gives a case without a reference one, inside tx.
func (tx *Tx) SetCaseReference(ctx context.Context, tenant trygg.TenantID, caseID, reference string) error {
	if _, err := tx.exec(ctx, `UPDATE cases SET reference = ? WHERE tenant_id = ? AND id = ? AND reference = ''`, reference, string(tenant), caseID); err != nil {
		return fmt.Errorf("store: set case reference: %w", err)
	}
	return nil
}

// CasesWithoutReference returns up to limit cases of the tenant that have
// no reference yet, oldest first, unchecked by access.
func (db *DB) CasesWithoutReference(ctx context.Context, tenant trygg.TenantID, limit int) ([]Case, error) {
	cs, err := scanRows(scanCase)(db.query(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.tenant_id = ? AND c.reference = '' ORDER BY c.opened_at, c.id`+limitSQL(limit), string(tenant)))
	if err != nil {
		return nil, fmt.Errorf("store: cases without reference: %w", err)
	}
	return cs, nil
}

// AssignCase sets the case's assignee inside tx.
func (tx *Tx) AssignCase(ctx context.Context, tenant trygg.TenantID, caseID, userID string) error {
	res, err := tx.exec(ctx, `UPDATE cases SET assigned_to = ? WHERE tenant_id = ? AND id = ?`, userID, string(tenant), caseID)
	if err != nil {
		return fmt.Errorf("store: assign case: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.ENotFound, "Case not found.")
	}
	return nil
}

// CaseByID returns the case unchecked by access (the caller decides).
func (db *DB) CaseByID(ctx context.Context, tenant trygg.TenantID, id string) (Case, error) {
	c, err := scanCase(db.queryRow(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.tenant_id = ? AND c.id = ?`, string(tenant), id))
	return c, notFound(err, "Case")
}

// CaseByID is CaseByID inside a write transaction.
func (tx *Tx) CaseByID(ctx context.Context, tenant trygg.TenantID, id string) (Case, error) {
	c, err := scanCase(tx.queryRow(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.tenant_id = ? AND c.id = ?`, string(tenant), id))
	return c, notFound(err, "Case")
}

// CaseRelations returns the actor's relations to case c, see
// access.CaseRelations.
func (db *DB) CaseRelations(ctx context.Context, a trygg.Actor, c Case) ([]access.Relation, error) {
	personRels, err := db.PersonRelations(ctx, a, c.PersonID)
	if err != nil {
		return nil, err
	}
	return access.CaseRelations(a, c.AssignedTo, c.UnitPath, personRels), nil
}

// CasesOfPerson returns all the person's cases, unchecked by access: the
// caller filters them with access.Decide.
func (db *DB) CasesOfPerson(ctx context.Context, tenant trygg.TenantID, personID string) ([]Case, error) {
	rows, err := db.query(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.tenant_id = ? AND c.person_id = ? ORDER BY c.opened_at DESC, c.id`,
		string(tenant), personID)
	if err != nil {
		return nil, fmt.Errorf("store: cases of person: %w", err)
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: cases of person: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// CaseKey is a case's place in its person's list of cases, newest first:
// when it was opened (microseconds) and its id. The zero key is the list's
// start.
type CaseKey struct {
	OpenedAt int64
	ID       string
}

// CasesOfPersonAfter returns a page of the person's cases, unchecked by
// access (the caller filters them with access.Decide): at most limit,
// newest first (by opening, then id), coming after the key.
func (db *DB) CasesOfPersonAfter(ctx context.Context, tenant trygg.TenantID, personID string, after CaseKey, limit int) ([]Case, error) {
	q := `SELECT ` + caseCols + caseFrom + ` WHERE c.tenant_id = ? AND c.person_id = ?`
	args := []any{string(tenant), personID}
	if after.ID != "" {
		q += ` AND (c.opened_at, c.id) < (?, ?)`
		args = append(args, after.OpenedAt, after.ID)
	}
	cases, err := scanRows(scanCase)(db.query(ctx, q+` ORDER BY c.opened_at DESC, c.id DESC`+limitSQL(limit), args...))
	if err != nil {
		return nil, fmt.Errorf("store: cases of person: %w", err)
	}
	return cases, nil
}

// BumpCase raises the case's revision inside tx: something a guard reads
// changed (a form was signed, a decision made).
func (tx *Tx) BumpCase(ctx context.Context, tenant trygg.TenantID, caseID string) error {
	if _, err := tx.exec(ctx, `UPDATE cases SET revision = revision + 1 WHERE tenant_id = ? AND id = ?`, string(tenant), caseID); err != nil {
		return fmt.Errorf("store: bump case: %w", err)
	}
	return nil
}

// CaseWork is what working on a case reads before its transaction, in one
// query: the case, its person, whether the actor has an emergency opening
// for the person, and how many final decisions the case has.
type CaseWork struct {
	Case           Case
	Person         persons.Person
	Emergency      bool
	FinalDecisions int
}

// CaseWork returns case id of the actor's tenant with its person, the
// actor's emergency opening and its final decisions, unchecked by access
// (the caller decides, as with CaseByID, PersonByID and PersonRelations,
// whose three queries and CountFinalDecisions' this one replaces); a case
// that does not exist is not found.
func (db *DB) CaseWork(ctx context.Context, a trygg.Actor, id string) (CaseWork, error) {
	emergency, args := `0`, []any{}
	if s := access.ReadScope(a); s.UserID != "" {
		emergency = `CASE WHEN EXISTS (SELECT 1 FROM emergency_openings e WHERE e.tenant_id = c.tenant_id AND e.person_id = c.person_id
			AND e.user_id = ? AND e.expires_at > ?) THEN 1 ELSE 0 END`
		args = append(args, s.UserID, micros(db.Now()))
	}
	args = append(args, string(a.Tenant), id)
	var w CaseWork
	var idType string
	var em int
	p := &w.Person
	var err error
	// The person's columns are written out, not personCols, so they stay
	// those scanned here.
	w.Case, err = scanCaseWith(db.queryRow(ctx, `SELECT `+caseCols+`, p.id, p.id_type, p.id_value, p.id_issuer, p.given_name, p.family_name,
		p.birth_date, p.sex, p.street, p.postal_code, p.city, p.protection, p.died_on, `+emergency+`,
		(SELECT COUNT(*) FROM decisions d WHERE d.tenant_id = c.tenant_id AND d.case_id = c.id AND d.status = 'final')`+caseFrom+`
		JOIN persons p ON p.tenant_id = c.tenant_id AND p.id = c.person_id
		WHERE c.tenant_id = ? AND c.id = ?`, args...),
		&p.ID, &idType, &p.Identity.Value, &p.Identity.Issuer, &p.GivenName, &p.FamilyName, &p.BirthDate, &p.Sex,
		&p.Address.Street, &p.Address.PostalCode, &p.Address.City, &p.Protection, &p.DiedOn, &em, &w.FinalDecisions)
	p.Identity.Type = persons.IDType(idType)
	w.Emergency = em != 0
	return w, notFound(err, "Case")
}
