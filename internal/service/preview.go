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
// and a person's age and sex, with the values typed so far. With a unit,
// the officer works there: where a variant of the case type names the unit
// (or one above it), the variant's form is shown in the form's place.
type PreviewInput struct {
	Version  int64
	FormID   string
	CaseType string
	UnitID   string
	Age      int
	Sex      string
	Values   map[string]any
}

// PreviewUnit is what a unit makes of a form in the preview.
type PreviewUnit struct {
	// FormID and FormName are the form an officer in the unit fills: the
	// variant's form, or the form asked about when no variant names it.
	FormID, FormName string
	// Variant is set when that is a variant's form.
	Variant bool
	// Allowed reports whether the unit may open cases of the case type.
	Allowed bool
}

// PreviewUnitForm says which form an officer in in.UnitID fills in the
// place of in.FormID in cases of in.CaseType (nothing is evaluated). It
// returns not found for a form the version lacks, invalid for an unknown
// unit, and forbidden to anyone but a process designer.
func (s *Service) PreviewUnitForm(ctx context.Context, a trygg.Actor, in PreviewInput, lang string) (PreviewUnit, error) {
	comp, err := s.previewCompiled(ctx, a, in.Version)
	if err != nil {
		return PreviewUnit{}, err
	}
	formID, allowed, err := s.previewFormFor(ctx, a, comp, in)
	if err != nil {
		return PreviewUnit{}, err
	}
	f, ok := comp.Form(formID)
	if !ok {
		return PreviewUnit{}, trygg.Errorf(trygg.ENotFound, "There is no form %q in this version.", formID)
	}
	return PreviewUnit{FormID: formID, FormName: f.Name.In(lang), Variant: formID != in.FormID, Allowed: allowed}, nil
}

// previewFormFor returns the form an officer in in.UnitID fills for
// in.FormID (in.FormID itself without a unit) and whether the unit may
// open cases of in.CaseType.
func (s *Service) previewFormFor(ctx context.Context, a trygg.Actor, comp *process.Compiled, in PreviewInput) (string, bool, error) {
	if in.UnitID == "" {
		return in.FormID, true, nil
	}
	u, err := s.unitForAction(ctx, a, in.UnitID)
	if err != nil {
		return "", false, err
	}
	return comp.FormFor(in.CaseType, u.Path, in.FormID), comp.UnitAllowed(in.CaseType, u.Path), nil
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
// the given case type (and unit, whose variant of the form it is then)
// would see it; nothing is saved and no personal data is read. A process
// designer may.
func (s *Service) PreviewForm(ctx context.Context, a trygg.Actor, in PreviewInput, lang string) (FormView, error) {
	comp, err := s.previewCompiled(ctx, a, in.Version)
	if err != nil {
		return FormView{}, err
	}
	if _, ok := comp.Form(in.FormID); !ok {
		return FormView{}, trygg.Errorf(trygg.ENotFound, "There is no form %q in this version.", in.FormID)
	}
	if in.FormID, _, err = s.previewFormFor(ctx, a, comp, in); err != nil {
		return FormView{}, err
	}
	f, _ := comp.Form(in.FormID)
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
