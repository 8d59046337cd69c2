package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/trygg"
)

// Note is a journal note on a case.
type Note struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	Status    string    `json:"status"` // draft or signed
	Body      string    `json:"body"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	SignedAt  time.Time `json:"signed_at,omitzero"`
	// Corrects is the signed note this one corrects.
	Corrects string `json:"corrects,omitempty"`
}

const noteCols = `id, case_id, status, body, author, created_at, updated_at, signed_at, corrects`

func scanNote(s interface{ Scan(...any) error }) (Note, error) {
	var n Note
	var created, updated, signed int64
	err := s.Scan(&n.ID, &n.CaseID, &n.Status, &n.Body, &n.Author, &created, &updated, &signed, &n.Corrects)
	n.CreatedAt, n.UpdatedAt, n.SignedAt = fromMicros(created), fromMicros(updated), fromMicros(signed)
	return n, err
}

// Notes returns the case's signed notes and the drafts of author, oldest
// first.
func (db *DB) Notes(ctx context.Context, tenant trygg.TenantID, caseID, author string) ([]Note, error) {
	rows, err := db.query(ctx, `SELECT `+noteCols+` FROM journal_notes WHERE tenant_id = ? AND case_id = ?
		AND (status = 'signed' OR author = ?) ORDER BY created_at, id`, string(tenant), caseID, author)
	if err != nil {
		return nil, fmt.Errorf("store: notes: %w", err)
	}
	defer rows.Close()
	out := []Note{}
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			return nil, fmt.Errorf("store: notes: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NoteTx returns a note of the case inside tx, or not found.
func (tx *Tx) Note(ctx context.Context, tenant trygg.TenantID, caseID, id string) (Note, error) {
	n, err := scanNote(tx.queryRow(ctx, `SELECT `+noteCols+` FROM journal_notes WHERE tenant_id = ? AND case_id = ? AND id = ?`,
		string(tenant), caseID, id))
	return n, notFound(err, "Note")
}

// InsertNote adds a draft note inside tx.
func (tx *Tx) InsertNote(ctx context.Context, tenant trygg.TenantID, n Note) error {
	q, args := tx.insertNote(tenant, n)
	if _, err := tx.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("store: insert note: %w", err)
	}
	return nil
}

// InsertNoteWithEvent adds a draft note and appends its event e inside
// tx, in one statement on PostgreSQL (execWithEvent). It returns e as
// appended.
func (tx *Tx) InsertNoteWithEvent(ctx context.Context, tenant trygg.TenantID, n Note, e events.Event) (events.Event, error) {
	q, args := tx.insertNote(tenant, n)
	e, err := tx.execWithEvent(ctx, q, args, e)
	if err != nil {
		return e, fmt.Errorf("store: insert note: %w", err)
	}
	return e, nil
}

func (tx *Tx) insertNote(tenant trygg.TenantID, n Note) (string, []any) {
	return `INSERT INTO journal_notes (tenant_id, id, case_id, status, body, author, created_at, updated_at, corrects)
		VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?)`, []any{string(tenant), n.ID, n.CaseID, n.Body, n.Author, micros(tx.Now), micros(tx.Now), n.Corrects}
}

// InsertSignedNotes adds notes that were written and signed elsewhere,
// with their own times and authors, inside tx: history brought in (an
// import, a generated municipality), never a note written in trygg, which
// starts as a draft.
func (tx *Tx) InsertSignedNotes(ctx context.Context, tenant trygg.TenantID, ns []Note) error {
	const cols = 10
	for start := 0; start < len(ns); start += maxRowsPerInsert {
		chunk := ns[start:min(start+maxRowsPerInsert, len(ns))]
		args := make([]any, 0, len(chunk)*cols)
		for _, n := range chunk {
			if n.SignedAt.IsZero() || n.CreatedAt.IsZero() {
				return fmt.Errorf("store: insert signed notes: note %s has no creation or signing time", n.ID)
			}
			args = append(args, string(tenant), n.ID, n.CaseID, "signed", n.Body, n.Author, micros(n.CreatedAt), micros(n.SignedAt), micros(n.SignedAt), n.Corrects)
		}
		_, err := tx.exec(ctx, `INSERT INTO journal_notes (tenant_id, id, case_id, status, body, author, created_at, updated_at, signed_at, corrects)
			VALUES `+valueRows(len(chunk), cols), args...)
		if err != nil {
			return fmt.Errorf("store: insert signed notes: %w", err)
		}
	}
	return nil
}

// UpdateNoteDraft changes the text of the author's draft on the case
// inside tx and returns the note as it is now: one statement, the
// UPDATE's RETURNING (docs/benchmarks.md, "Fewer statements per write").
// A note the case does not have is not found; a signed note or someone
// else's draft is never changed (conflict).
func (tx *Tx) UpdateNoteDraft(ctx context.Context, tenant trygg.TenantID, caseID, id, author, body string) (Note, error) {
	n, err := scanNote(tx.queryRow(ctx, `UPDATE journal_notes SET body = ?, updated_at = ?
		WHERE tenant_id = ? AND case_id = ? AND id = ? AND author = ? AND status = 'draft' RETURNING `+noteCols,
		body, micros(tx.Now), string(tenant), caseID, id, author))
	if err != nil {
		return n, tx.noteUnchanged(ctx, tenant, caseID, id, err, "Only your own draft can be changed; a signed note is corrected with a new note.")
	}
	return n, nil
}

// SignNote signs the author's draft on the case inside tx and returns the
// signed note, in one statement as UpdateNoteDraft. A note the case does
// not have is not found; a signed note or someone else's draft is a
// conflict.
func (tx *Tx) SignNote(ctx context.Context, tenant trygg.TenantID, caseID, id, author string) (Note, error) {
	n, err := scanNote(tx.queryRow(ctx, `UPDATE journal_notes SET status = 'signed', signed_at = ?, updated_at = ?
		WHERE tenant_id = ? AND case_id = ? AND id = ? AND author = ? AND status = 'draft' RETURNING `+noteCols,
		micros(tx.Now), micros(tx.Now), string(tenant), caseID, id, author))
	if err != nil {
		return n, tx.noteUnchanged(ctx, tenant, caseID, id, err, "Only your own draft can be signed, once.")
	}
	return n, nil
}

// noteUnchanged is the error of an UPDATE of a note that returned err:
// not found when the case has no such note, the conflict (with message)
// when it has one the UPDATE did not match, else err.
func (tx *Tx) noteUnchanged(ctx context.Context, tenant trygg.TenantID, caseID, id string, err error, message string) error {
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: change note: %w", err)
	}
	if _, err := tx.Note(ctx, tenant, caseID, id); err != nil {
		return err
	}
	return trygg.Errorf(trygg.EConflict, "%s", message)
}
