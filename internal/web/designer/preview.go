package designer

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// previewPage is the form preview's data.
type previewPage struct {
	Version                  int64
	FormID, CaseType, UnitID string
	Age                      int
	Sex                      string
	Forms, CaseTypes         []service.Choice
	Units                    []designerUnit
	// Variant says what the chosen unit makes of the form: its variant, or
	// the form as written, and whether it may open such cases at all.
	Variant, NotAllowed string
	Form                *server.FormRender
}

// previewInput reads the preview's choices from a query or a form.
func previewInput(q url.Values) service.PreviewInput {
	in := service.PreviewInput{FormID: q.Get("form"), CaseType: q.Get("case_type"), UnitID: q.Get("unit"), Sex: q.Get("sex"), Age: 40}
	in.Version, _ = strconv.ParseInt(q.Get("version"), 10, 64)
	if n, err := strconv.Atoi(q.Get("age")); err == nil && n >= 0 && n < 130 {
		in.Age = n
	}
	return in
}

// previewAction is where the previewed form posts, carrying the choices.
func previewAction(in service.PreviewInput) string {
	q := url.Values{"version": {strconv.FormatInt(in.Version, 10)}, "form": {in.FormID}, "case_type": {in.CaseType},
		"unit": {in.UnitID}, "age": {strconv.Itoa(in.Age)}, "sex": {in.Sex}}
	return "/designer/preview?" + q.Encode()
}

// handlePreviewPage shows a form of a version (or the working draft) as
// an officer would see it, for a chosen case type and person, and as an
// officer in a chosen unit: the unit's variant of the form where one
// applies. Typing in it shows the conditions and computations at work, and
// nothing is saved.
func (s *handlers) handlePreviewPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	in := previewInput(r.URL.Query())
	forms, types, err := s.Svc.PreviewForms(r.Context(), a, in.Version, v.Lang)
	if err != nil {
		return err
	}
	if in.FormID == "" && len(forms) > 0 {
		in.FormID = forms[0].Code
	}
	if in.CaseType == "" && len(types) > 0 {
		in.CaseType = types[0].Code
	}
	p := previewPage{Version: in.Version, FormID: in.FormID, CaseType: in.CaseType, UnitID: in.UnitID, Age: in.Age, Sex: in.Sex, Forms: forms, CaseTypes: types}
	if p.Units, err = s.units(r, a); err != nil {
		return err
	}
	unitName := map[string]string{}
	for _, u := range p.Units {
		unitName[u.ID] = u.Name
	}
	if in.UnitID != "" && in.FormID != "" {
		pu, err := s.Svc.PreviewUnitForm(r.Context(), a, in, v.Lang)
		if err != nil {
			return err
		}
		formName := in.FormID
		if i := slices.IndexFunc(forms, func(c service.Choice) bool { return c.Code == in.FormID }); i >= 0 {
			formName = forms[i].Label
		}
		if pu.Variant {
			p.Variant = fmt.Sprintf(v.T("preview.variant"), unitName[in.UnitID], pu.FormName, formName)
		} else {
			p.Variant = fmt.Sprintf(v.T("preview.novariant"), unitName[in.UnitID])
		}
		if !pu.Allowed {
			p.NotAllowed = fmt.Sprintf(v.T("preview.notallowed"), unitName[in.UnitID])
		}
	}
	if r.Method == http.MethodPost {
		if err := server.ParseForm(w, r); err != nil {
			return err
		}
	}
	if in.FormID != "" {
		fr, err := s.previewForm(r, a, in, v.Lang)
		if err != nil {
			return err
		}
		if r.Method == http.MethodPost && server.IsHTMX(r) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			return pages["designer_preview"].ExecuteTemplate(w, "form", map[string]any{"F": fr, "T": v.T})
		}
		p.Form = &fr
	}
	v.Title = v.T("preview.title")
	v.Data = p
	return pages.Render(w, http.StatusOK, "designer_preview", *v)
}

// previewForm evaluates the form with the posted values (none on GET).
func (s *handlers) previewForm(r *http.Request, a trygg.Actor, in service.PreviewInput, lang string) (server.FormRender, error) {
	if r.Method == http.MethodPost {
		fv, err := s.Svc.PreviewForm(r.Context(), a, in, lang)
		if err != nil {
			return server.FormRender{}, err
		}
		in.Values = server.FormValues(fv.Def, r.PostForm)
		server.WithRowChange(fv.Def, in.Values, r.PostForm)
	}
	fv, err := s.Svc.PreviewForm(r.Context(), a, in, lang)
	if err != nil {
		return server.FormRender{}, err
	}
	fr := server.RenderForm("", fv, true, lang)
	fr.Action, fr.Preview = previewAction(in), true
	return fr, nil
}
