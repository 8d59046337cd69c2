package service

import (
	"context"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Draft is the tenant's working draft of its definitions with what is
// wrong in it now.
type Draft struct {
	Files      []store.DefinitionFile `json:"files"`
	Validation ValidationResult       `json:"validation"`
}

// DefinitionDraft returns the working draft and its validation. A process
// designer may.
func (s *Service) DefinitionDraft(ctx context.Context, a trygg.Actor) (Draft, error) {
	if _, err := access.Decide(a, access.PublishDefinitions, access.Subject{}); err != nil {
		return Draft{}, err
	}
	files, err := s.db.DraftFiles(ctx, a.Tenant)
	if err != nil {
		return Draft{}, err
	}
	d := Draft{Files: files, Validation: ValidationResult{Problems: []process.Problem{}}}
	if len(files) == 0 {
		return d, nil
	}
	d.Validation, err = s.ValidateDefinitions(ctx, a, DefinitionsInput{Files: files})
	return d, err
}

// DefinitionDraftFiles returns the working draft's files without checking
// them: what an editor changes one file of. A process designer may.
func (s *Service) DefinitionDraftFiles(ctx context.Context, a trygg.Actor) ([]store.DefinitionFile, error) {
	if _, err := access.Decide(a, access.PublishDefinitions, access.Subject{}); err != nil {
		return nil, err
	}
	return s.db.DraftFiles(ctx, a.Tenant)
}

// SaveDefinitionDraft replaces the working draft with the files (a draft
// may have problems; they are reported, not refused). The event log
// records the author and the diff against the previous draft.
func (s *Service) SaveDefinitionDraft(ctx context.Context, a trygg.Actor, in DefinitionsInput) (Draft, error) {
	if _, err := access.Decide(a, access.PublishDefinitions, access.Subject{}); err != nil {
		return Draft{}, err
	}
	if _, err := in.files(); err != nil {
		return Draft{}, err
	}
	before, err := s.db.DraftFiles(ctx, a.Tenant)
	if err != nil {
		return Draft{}, err
	}
	diff := process.Diff(fileMap(before), fileMap(in.Files))
	if len(diff) == 0 {
		return s.DefinitionDraft(ctx, a)
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceDraft(ctx, a.Tenant, in.Files, a.UserID); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, events.DefinitionsDraftChanged, "definitions", "draft", map[string]any{"diff": diff}))
		return err
	})
	if err != nil {
		return Draft{}, err
	}
	return s.DefinitionDraft(ctx, a)
}

// PublishDraft publishes the working draft as a new version.
func (s *Service) PublishDraft(ctx context.Context, a trygg.Actor, note string) (store.DefinitionVersion, error) {
	if _, err := access.Decide(a, access.PublishDefinitions, access.Subject{}); err != nil {
		return store.DefinitionVersion{}, err
	}
	files, err := s.db.DraftFiles(ctx, a.Tenant)
	if err != nil {
		return store.DefinitionVersion{}, err
	}
	if len(files) == 0 {
		return store.DefinitionVersion{}, trygg.Errorf(trygg.EConflict, "The draft is empty; save definitions in it first.")
	}
	return s.PublishDefinitions(ctx, a, DefinitionsInput{Files: files, Note: note})
}
