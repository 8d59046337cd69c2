package store

import (
	"context"
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

// SecrecyMarks returns the marks in force on the case's records, oldest
// first.
func (db *DB) SecrecyMarks(ctx context.Context, tenant trygg.TenantID, caseID string) ([]SecrecyMark, error) {
	rows, err := db.query(ctx, `SELECT `+secrecyCols+` FROM secrecy_marks WHERE tenant_id = ? AND case_id = ? AND lifted_at = 0
		ORDER BY marked_at, id`, string(tenant), caseID)
	if err != nil {
		return nil, fmt.Errorf("store: secrecy marks: %w", err)
	}
	defer rows.Close()
	out := []SecrecyMark{}
	for rows.Next() {
		m, err := scanSecrecyMark(rows)
		if err != nil {
			return nil, fmt.Errorf("store: secrecy marks: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// PersonAccessLog returns the access-log entries about the person, newest
// first, at most limit of them, and whether there were more.
func (db *DB) PersonAccessLog(ctx context.Context, tenant trygg.TenantID, personID string, limit int) ([]audit.Entry, bool, error) {
	rows, err := db.query(ctx, `SELECT `+entryCols+` FROM access_log WHERE tenant_id = ? AND person_id = ? ORDER BY seq DESC`+limitSQL(limit+1),
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
