package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/trygg"
)

// Citizens' accounts, secrecy marks and what a person's extract of their
// records (registerutdrag) reads.

// CitizenUserByPerson returns the account linked to the person, or not
// found. There is at most one (a unique index).
func (db *DB) CitizenUserByPerson(ctx context.Context, tenant trygg.TenantID, personID string) (User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE tenant_id = ? AND person_id = ?`, string(tenant), personID))
	return u, notFound(err, "User")
}

// CitizenUserByPerson is the same inside tx.
func (tx *Tx) CitizenUserByPerson(ctx context.Context, tenant trygg.TenantID, personID string) (User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE tenant_id = ? AND person_id = ?`, string(tenant), personID))
	return u, notFound(err, "User")
}

// RootUnit returns the tenant's top unit (the first without a parent), to
// which citizens' role grants are tied, or not found.
func (db *DB) RootUnit(ctx context.Context, tenant trygg.TenantID) (org.Unit, error) {
	row := db.queryRow(ctx, `SELECT `+unitCols+` FROM units WHERE tenant_id = ? AND (parent_id IS NULL OR parent_id = '')
		ORDER BY created_at, id LIMIT 1`, string(tenant))
	u, err := scanUnit(row)
	return u, notFound(err, "Unit")
}

// SecrecyMark says that a record is secret towards the person it is
// about (sekretess mot den enskilde), on a legal ground.
type SecrecyMark struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	RecordKind  string    `json:"record_kind"` // SecretNote or SecretForm
	RecordID    string    `json:"record_id"`
	LegalGround string    `json:"legal_ground"`
	MarkedBy    string    `json:"marked_by"`
	MarkedAt    time.Time `json:"marked_at"`
	LiftedBy    string    `json:"lifted_by,omitempty"`
	LiftedAt    time.Time `json:"lifted_at,omitzero"`
}

// The kinds of record a secrecy mark may be set on.
const (
	SecretNote = "journal_note"
	SecretForm = "form_entry"
)

// SecretKinds are all the kinds of record a secrecy mark may be set on.
var SecretKinds = []string{SecretNote, SecretForm}

const secrecyCols = `id, case_id, record_kind, record_id, legal_ground, marked_by, marked_at, lifted_by, lifted_at`

func scanSecrecyMark(s interface{ Scan(...any) error }) (SecrecyMark, error) {
	var m SecrecyMark
	var marked, lifted int64
	err := s.Scan(&m.ID, &m.CaseID, &m.RecordKind, &m.RecordID, &m.LegalGround, &m.MarkedBy, &marked, &m.LiftedBy, &lifted)
	m.MarkedAt, m.LiftedAt = fromMicros(marked), fromMicros(lifted)
	return m, err
}

// InsertSecrecyMark stores a mark inside tx; a record that already has a
// mark in force is a conflict.
func (tx *Tx) InsertSecrecyMark(ctx context.Context, tenant trygg.TenantID, m SecrecyMark) error {
	_, err := tx.exec(ctx, `INSERT INTO secrecy_marks (tenant_id, id, case_id, record_kind, record_id, legal_ground, marked_by, marked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), m.ID, m.CaseID, m.RecordKind, m.RecordID, m.LegalGround, m.MarkedBy, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "The record is already marked as secret towards the person.")
	}
	if err != nil {
		return fmt.Errorf("store: insert secrecy mark: %w", err)
	}
	return nil
}

// LiftSecrecyMark lifts the mark in force on a record of the case inside
// tx and returns it, or not found.
func (tx *Tx) LiftSecrecyMark(ctx context.Context, tenant trygg.TenantID, caseID, kind, recordID, by string) (SecrecyMark, error) {
	m, err := scanSecrecyMark(tx.queryRow(ctx, `SELECT `+secrecyCols+` FROM secrecy_marks WHERE tenant_id = ? AND case_id = ?
		AND record_kind = ? AND record_id = ? AND lifted_at = 0`, string(tenant), caseID, kind, recordID))
	if err != nil {
		return m, notFound(err, "Secrecy mark")
	}
	if _, err := tx.exec(ctx, `UPDATE secrecy_marks SET lifted_by = ?, lifted_at = ? WHERE tenant_id = ? AND id = ?`,
		by, micros(tx.Now), string(tenant), m.ID); err != nil {
		return m, fmt.Errorf("store: lift secrecy mark: %w", err)
	}
	m.LiftedBy, m.LiftedAt = by, tx.Now
	return m, nil
}

// SecrecyRelease says that a mark on a record earlier in a chain no
// longer withholds one later version or correction (RecordKind,
// RecordID): an officer decided so, for a reason.
type SecrecyRelease struct {
	ID         string    `json:"id"`
	CaseID     string    `json:"case_id"`
	RecordKind string    `json:"record_kind"`
	RecordID   string    `json:"record_id"`
	MarkID     string    `json:"mark_id"`
	Reason     string    `json:"reason"`
	ReleasedBy string    `json:"released_by"`
	ReleasedAt time.Time `json:"released_at"`
}

// InsertSecrecyReleases stores releases inside tx; a version already
// released from a mark is a conflict.
func (tx *Tx) InsertSecrecyReleases(ctx context.Context, tenant trygg.TenantID, rs []SecrecyRelease) error {
	for _, r := range rs {
		_, err := tx.exec(ctx, `INSERT INTO secrecy_releases (tenant_id, id, case_id, record_kind, record_id, mark_id, reason, released_by, released_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), r.ID, r.CaseID, r.RecordKind, r.RecordID, r.MarkID, r.Reason, r.ReleasedBy, micros(tx.Now))
		if tx.db.dialect.isUniqueViolation(err) {
			return trygg.Errorf(trygg.EConflict, "This version is already released.")
		}
		if err != nil {
			return fmt.Errorf("store: insert secrecy release: %w", err)
		}
	}
	return nil
}

// RecordSecrecy is how one signed record of a case stands towards the
// person it is about.
type RecordSecrecy struct {
	// Own is the record's own mark in force, if any.
	Own *SecrecyMark
	// Inherited are the marks in force on records earlier in its chain
	// (the note it corrects, recursively; earlier signings of the same
	// form) that no release lifts from this record, oldest first.
	Inherited []SecrecyMark
	// Released are the releases of this record from marks in force
	// earlier in its chain.
	Released []SecrecyRelease
}

// Withheld reports whether the record is withheld from the person, and
// the mark that withholds it (its own first).
func (r RecordSecrecy) Withheld() (SecrecyMark, bool) {
	if r.Own != nil {
		return *r.Own, true
	}
	if len(r.Inherited) > 0 {
		return r.Inherited[0], true
	}
	return SecrecyMark{}, false
}

// CaseSecrecy is the secrecy towards the person of a case's signed notes
// and form entries, by kind and id.
type CaseSecrecy struct {
	records map[[2]string]RecordSecrecy
	// Marks are the marks in force on the case's records, by id.
	Marks map[string]SecrecyMark
}

// Of returns the secrecy of a record (none for one that is not a signed
// note or form entry of the case).
func (cs CaseSecrecy) Of(kind, id string) RecordSecrecy { return cs.records[[2]string{kind, id}] }

// rowsQuerier is what both the reader pool and a write transaction offer.
type rowsQuerier interface {
	query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// CaseSecrecy decides which of the case's signed records are withheld
// from the person they are about: the one rule behind the register
// extract and every page of Mina sidor. A mark covers the record's whole
// chain: a journal note's corrections (and theirs), and every later
// signing of the same form on the case (a later one either supersedes it,
// directly or through others, or was signed after it). A later record is
// given only if an officer released it from every mark in force earlier
// in its chain; a release names one record and one mark.
func (db *DB) CaseSecrecy(ctx context.Context, tenant trygg.TenantID, caseID string) (CaseSecrecy, error) {
	return caseSecrecy(ctx, db, tenant, caseID)
}

// CaseSecrecy is the same inside tx.
func (tx *Tx) CaseSecrecy(ctx context.Context, tenant trygg.TenantID, caseID string) (CaseSecrecy, error) {
	return caseSecrecy(ctx, tx, tenant, caseID)
}

func caseSecrecy(ctx context.Context, q rowsQuerier, tenant trygg.TenantID, caseID string) (CaseSecrecy, error) {
	cs := CaseSecrecy{records: map[[2]string]RecordSecrecy{}, Marks: map[string]SecrecyMark{}}
	fail := func(err error) (CaseSecrecy, error) { return CaseSecrecy{}, fmt.Errorf("store: case secrecy: %w", err) }

	marks, err := scanRows(scanSecrecyMark)(q.query(ctx, `SELECT `+secrecyCols+` FROM secrecy_marks
		WHERE tenant_id = ? AND case_id = ? AND lifted_at = 0 ORDER BY marked_at, id`, string(tenant), caseID))
	if err != nil {
		return fail(err)
	}
	markOn := map[[2]string]SecrecyMark{}
	for _, m := range marks {
		markOn[[2]string{m.RecordKind, m.RecordID}] = m
		cs.Marks[m.ID] = m
	}
	releases, err := scanRows(scanSecrecyRelease)(q.query(ctx, `SELECT id, case_id, record_kind, record_id, mark_id, reason, released_by, released_at
		FROM secrecy_releases WHERE tenant_id = ? AND case_id = ? ORDER BY released_at, id`, string(tenant), caseID))
	if err != nil {
		return fail(err)
	}
	released := map[[3]string]SecrecyRelease{}
	for _, r := range releases {
		released[[3]string{r.RecordKind, r.RecordID, r.MarkID}] = r
	}

	// The chains: a note's corrections, a form's signings.
	type link struct {
		id, to, form string
		signed       int64
	}
	links := func(query string) ([]link, error) {
		return scanRows(func(s interface{ Scan(...any) error }) (link, error) {
			var l link
			err := s.Scan(&l.id, &l.to, &l.form, &l.signed)
			return l, err
		})(q.query(ctx, query, string(tenant), caseID))
	}
	notes, err := links(`SELECT id, corrects, '', signed_at FROM journal_notes WHERE tenant_id = ? AND case_id = ? AND status = 'signed'`)
	if err != nil {
		return fail(err)
	}
	forms, err := links(`SELECT id, supersedes, form_id, signed_at FROM form_entries WHERE tenant_id = ? AND case_id = ? AND status = 'signed'`)
	if err != nil {
		return fail(err)
	}
	decide := func(kind string, ls []link) {
		byID := make(map[string]link, len(ls))
		for _, l := range ls {
			byID[l.id] = l
		}
		for _, l := range ls {
			// Everything earlier in l's chain, each once: what l
			// corrects or supersedes, and for a form every signing of
			// the same form before it, and so on from each of those.
			earlier := map[string]bool{}
			queue := []link{l}
			for len(queue) > 0 {
				x := queue[0]
				queue = queue[1:]
				var next []link
				if p, ok := byID[x.to]; ok && x.to != "" {
					next = append(next, p)
				}
				if kind == SecretForm {
					for _, o := range ls {
						if o.form == x.form && o.signed < x.signed {
							next = append(next, o)
						}
					}
				}
				for _, n := range next {
					if n.id != l.id && !earlier[n.id] {
						earlier[n.id] = true
						queue = append(queue, n)
					}
				}
			}
			var rs RecordSecrecy
			if m, ok := markOn[[2]string{kind, l.id}]; ok {
				rs.Own = &m
			}
			for _, m := range marks { // oldest first
				if m.RecordKind != kind || !earlier[m.RecordID] {
					continue
				}
				if r, ok := released[[3]string{kind, l.id, m.ID}]; ok {
					rs.Released = append(rs.Released, r)
				} else {
					rs.Inherited = append(rs.Inherited, m)
				}
			}
			cs.records[[2]string{kind, l.id}] = rs
		}
	}
	decide(SecretNote, notes)
	decide(SecretForm, forms)
	return cs, nil
}

func scanSecrecyRelease(s interface{ Scan(...any) error }) (SecrecyRelease, error) {
	var r SecrecyRelease
	var at int64
	err := s.Scan(&r.ID, &r.CaseID, &r.RecordKind, &r.RecordID, &r.MarkID, &r.Reason, &r.ReleasedBy, &at)
	r.ReleasedAt = fromMicros(at)
	return r, err
}

// PersonAccessLog returns the access-log entries about the person, newest
// first, at most limit of them, and whether there were more.
func (db *DB) PersonAccessLog(ctx context.Context, tenant trygg.TenantID, personID string, limit int) ([]audit.Entry, bool, error) {
	rows, err := db.query(ctx, `SELECT `+entryCols+` FROM access_log_entries WHERE tenant_id = ? AND person_id = ? ORDER BY seq DESC, n DESC`+limitSQL(limit+1),
		string(tenant), personID)
	if err != nil {
		return nil, false, fmt.Errorf("store: person access log: %w", err)
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		e, err := scanEntry(rows, tenant)
		if err != nil {
			return nil, false, fmt.Errorf("store: person access log: %w", err)
		}
		out = append(out, e)
	}
	if len(out) > limit {
		return out[:limit], true, rows.Err()
	}
	return out, false, rows.Err()
}
