package service

import (
	"context"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/trygg"
)

// PreviewInput asks how a form looks and behaves for an officer: in a
// published version (or the working draft, version 0), for a case type
// and a person's age and sex, with the values typed so far.
type PreviewInput struct {
	Version  int64
	FormID   string
	CaseType string
	Age      int
	Sex      string
	Values   map[string]any
}

// PreviewForms lists the forms of a version (0: the working draft) for
// the preview, with the case types that use them.
func (s *Service) PreviewForms(ctx context.Context, a trygg.Actor, version int64, lang string) ([]Choice, []Choice, error) {
	comp, err := s.previewCompiled(ctx, a, version)
	if err != nil {
		return nil, nil, err
	}
	var forms, types []Choice
	for _, f := range comp.Bundle.Forms {
		forms = append(forms, Choice{Code: f.ID.Value, Label: f.Name.In(lang)})
	}
	for _, ct := range comp.Bundle.CaseTypes {
		types = append(types, Choice{Code: ct.ID.Value, Label: ct.Name.In(lang)})
	}
	return forms, types, nil
}

// PreviewForm evaluates a form with made-up values, as a case officer in
// the given case type would see it; nothing is saved and no personal data
// is read. A process designer may.
func (s *Service) PreviewForm(ctx context.Context, a trygg.Actor, in PreviewInput, lang string) (FormView, error) {
	comp, err := s.previewCompiled(ctx, a, in.Version)
	if err != nil {
		return FormView{}, err
	}
	f, ok := comp.Form(in.FormID)
	if !ok {
		return FormView{}, trygg.Errorf(trygg.ENotFound, "There is no form %q in this version.", in.FormID)
	}
	pctx := process.Context{PersonAge: in.Age, PersonSex: in.Sex, CaseType: in.CaseType, Today: s.db.Now(),
		CaseOpened: s.db.Now().Add(-24 * time.Hour), Roles: []trygg.Role{trygg.RoleOfficer}, Forms: map[string]map[string]any{}}
	if st, ok := comp.Start(in.CaseType); ok {
		pctx.CaseStep = st
	}
	st, err := comp.EvaluateForm(in.FormID, in.Values, pctx, lang)
	if err != nil {
		return FormView{}, err
	}
	status := ""
	if len(in.Values) > 0 {
		status = "draft"
	}
	return FormView{FormID: in.FormID, Name: f.Name.In(lang), Status: status, State: st, Def: f, Options: formOptions(comp, f, lang), Given: in.Values}, nil
}

// previewCompiled compiles a published version, or the working draft.
func (s *Service) previewCompiled(ctx context.Context, a trygg.Actor, version int64) (*process.Compiled, error) {
	if _, err := access.Decide(a, access.PublishDefinitions, access.Subject{}); err != nil {
		return nil, err
	}
	if version > 0 {
		return s.compiled(ctx, a.Tenant, version)
	}
	files, err := s.db.DraftFiles(ctx, a.Tenant)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		v, err := s.db.LatestDefinitionVersion(ctx, a.Tenant)
		if err != nil || v == 0 {
			return nil, trygg.Errorf(trygg.ENotFound, "There is neither a draft nor a published version to preview.")
		}
		return s.compiled(ctx, a.Tenant, v)
	}
	pf := make([]process.File, len(files))
	for i, f := range files {
		pf[i] = process.File{Name: f.Name, Data: []byte(f.Content)}
	}
	comp, probs, err := s.check(ctx, a, pf)
	if err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		return nil, trygg.Errorf(trygg.EConflict, "The draft has problems; correct them to preview its forms.")
	}
	return comp, nil
}
