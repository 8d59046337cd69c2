package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// maxNoteRunes bounds one journal note.
const maxNoteRunes = 50_000

// NoteInput is a journal note's text, and for a correction the signed note
// it corrects.
type NoteInput struct {
	Body     string `json:"body"`
	Corrects string `json:"corrects,omitempty"`
}

func (in NoteInput) check() error {
	switch {
	case strings.TrimSpace(in.Body) == "":
		return trygg.Invalid("The note is empty.", map[string]string{"body": "Write the note."})
	case utf8.RuneCountInString(in.Body) > maxNoteRunes:
		return trygg.Invalid("The note is too long.", map[string]string{"body": "At most 50 000 characters."})
	}
	return nil
}

// Notes returns the case's signed journal notes and the actor's own
// drafts, after logging the read.
func (s *Service) Notes(ctx context.Context, a trygg.Actor, caseID string) ([]store.Note, error) {
	c, ground, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	notes, err := s.db.Notes(ctx, a.Tenant, c.ID, a.UserID)
	if err != nil {
		return nil, err
	}
	return notes, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}

// AddNote starts a draft journal note on the case. With Corrects it is a
// correction of that signed note, which stays as it was.
func (s *Service) AddNote(ctx context.Context, a trygg.Actor, caseID string, in NoteInput) (store.Note, error) {
	if err := in.check(); err != nil {
		return store.Note{}, err
	}
	c, ground, err := s.workableCase(ctx, a, caseID)
	if err != nil {
		return store.Note{}, err
	}
	n := store.Note{ID: newID(), CaseID: c.ID, Status: "draft", Body: in.Body, Author: a.UserID, Corrects: in.Corrects}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		if in.Corrects != "" {
			old, err := tx.Note(ctx, a.Tenant, c.ID, in.Corrects)
			if err != nil || old.Status != "signed" {
				return trygg.Invalid("Only a signed note of this case can be corrected.", map[string]string{"corrects": "No signed note with this id on the case."})
			}
		}
		n.CreatedAt, n.UpdatedAt = tx.Now, tx.Now
		e := events.New(a, events.NoteDraftSaved, "note", n.ID, map[string]any{"corrects": n.Corrects})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err := tx.InsertNoteWithEvent(ctx, a.Tenant, n, e)
		return err
	})
	if err != nil {
		return store.Note{}, err
	}
	return n, nil
}

// SaveNote changes the text of the actor's own draft (autosave).
func (s *Service) SaveNote(ctx context.Context, a trygg.Actor, caseID, noteID string, in NoteInput) (store.Note, error) {
	if err := in.check(); err != nil {
		return store.Note{}, err
	}
	if in.Corrects != "" {
		return store.Note{}, trygg.Invalid("What a note corrects is set when it is started.", map[string]string{"corrects": "Leave out when saving a draft."})
	}
	return s.changeNote(ctx, a, caseID, func(tx *store.Tx) (store.Note, error) {
		return tx.UpdateNoteDraft(ctx, a.Tenant, caseID, noteID, a.UserID, in.Body)
	}, events.NoteDraftSaved)
}

// SignNote signs the actor's own draft; from then on it never changes.
func (s *Service) SignNote(ctx context.Context, a trygg.Actor, caseID, noteID string) (store.Note, error) {
	return s.changeNote(ctx, a, caseID, func(tx *store.Tx) (store.Note, error) {
		return tx.SignNote(ctx, a.Tenant, caseID, noteID, a.UserID)
	}, events.NoteSigned)
}

// changeNote changes a note of the case with change, which returns the
// note as changed (the store's UPDATE ... RETURNING: no read before or
// after it), and appends the event of type typ.
func (s *Service) changeNote(ctx context.Context, a trygg.Actor, caseID string, change func(tx *store.Tx) (store.Note, error), typ string) (store.Note, error) {
	c, ground, err := s.workableCase(ctx, a, caseID)
	if err != nil {
		return store.Note{}, err
	}
	var n store.Note
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		var err error
		if n, err = change(tx); err != nil {
			return err
		}
		e := events.New(a, typ, "note", n.ID, map[string]any{"corrects": n.Corrects})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return store.Note{}, err
	}
	return n, nil
}
