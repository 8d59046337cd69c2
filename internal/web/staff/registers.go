package staff

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// registersPage lists the registers the team lead may make.
type registersPage struct {
	Registers []service.RegisterInfo
}

// handleRegistersPage lists the registers the actor's roles may make,
// each with its föreskrift, its latest ended period and that period's due
// day, and a link that checks it.
func (s *handlers) handleRegistersPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	list, err := s.Svc.Registers(r.Context(), a, v.Lang)
	if err != nil {
		return err
	}
	v.Title = v.T("registers.title")
	v.Data = registersPage{Registers: list}
	return pages.Render(w, http.StatusOK, "registers", *v)
}

// registerPage is one register: the period chooser and, once checked,
// what is missing per case or that the file can be made.
type registerPage struct {
	Info    service.RegisterInfo
	Period  string
	Checked bool
	Records int
	Missing []process.RegisterIssue
	// Months says whether the list shows each record's month (a record
	// per month in a longer period).
	Months bool
	// Refused is set when the file was asked for and refused; Problem and
	// PeriodError are the error summary and the period field's error.
	Refused     bool
	Problem     string
	PeriodError string
	// FileURL makes the file for the period checked.
	FileURL string
}

// registerInfo finds register id among those the actor may make; any
// other is refused, as the service refuses it.
func (s *handlers) registerInfo(r *http.Request, a trygg.Actor, lang string) (service.RegisterInfo, error) {
	list, err := s.Svc.Registers(r.Context(), a, lang)
	if err != nil {
		return service.RegisterInfo{}, err
	}
	i := slices.IndexFunc(list, func(ri service.RegisterInfo) bool { return ri.ID == r.PathValue("id") })
	if i < 0 {
		return service.RegisterInfo{}, trygg.Errorf(trygg.EForbidden, "Your roles may not make this register.")
	}
	return list[i], nil
}

// handleRegisterPage shows a register. With ?period= it checks the
// period (GET: the check writes nothing but the access log) and lists per
// case what is missing, or offers the file when nothing is.
func (s *handlers) handleRegisterPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	info, err := s.registerInfo(r, a, v.Lang)
	if err != nil {
		return err
	}
	v.Title = info.Name
	p := registerPage{Info: info, Period: info.Period}
	period, asked := r.URL.Query()["period"]
	if !asked {
		v.Data = p
		return pages.Render(w, http.StatusOK, "register", *v)
	}
	p.Period = period[0]
	check, err := s.Svc.RegisterCheck(r.Context(), a, info.ID, p.Period)
	if err != nil {
		return s.renderRegisterProblem(w, v, p, err)
	}
	p.Checked, p.Records, p.Missing = true, check.Records, check.Missing
	p.Months = showMonths(info, p.Missing)
	p.FileURL = "/registers/" + url.PathEscape(info.ID) + "/file?period=" + url.QueryEscape(p.Period)
	if len(p.Missing) > 0 {
		p.Problem = v.Tn("registers.missing.summary", len(p.Missing))
	}
	v.Data = p
	return pages.Render(w, http.StatusOK, "register", *v)
}

// renderRegisterProblem shows the register page with the problem of a
// check or file refused for its period; other errors are error pages.
func (s *handlers) renderRegisterProblem(w http.ResponseWriter, v *server.View, p registerPage, err error) error {
	status, prob, err := server.ProblemOf(v.Lang, err)
	if err != nil {
		return err
	}
	if status == http.StatusForbidden {
		return trygg.Errorf(trygg.EForbidden, "Your roles may not make this register.")
	}
	p.Problem, p.PeriodError = prob.Message, prob.Fields["period"]
	v.Data = p
	return pages.Render(w, status, "register", *v)
}

// handleRegisterFile downloads the register's file for the period, named
// as the register says (no personal data in the name). While anything is
// missing it is refused with the register page and the list.
func (s *handlers) handleRegisterFile(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	info, err := s.registerInfo(r, a, v.Lang)
	if err != nil {
		return err
	}
	v.Title = info.Name
	p := registerPage{Info: info, Period: r.URL.Query().Get("period")}
	f, err := s.Svc.RegisterFile(r.Context(), a, info.ID, p.Period)
	var incomplete *service.RegisterIncomplete
	if errors.As(err, &incomplete) {
		p.Checked, p.Refused, p.Missing = true, true, incomplete.Missing
		p.Months = showMonths(info, p.Missing)
		p.Problem = v.Tn("registers.missing.refused", len(p.Missing))
		v.Data = p
		return pages.Render(w, http.StatusConflict, "register", *v)
	}
	if err != nil {
		return s.renderRegisterProblem(w, v, p, err)
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeRegisterFileName(f.Name)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(f.Data)
	return err
}

// showMonths says whether the list of what is missing names each
// record's month: when a period longer than a month has a record per month.
func showMonths(info service.RegisterInfo, missing []process.RegisterIssue) bool {
	return info.PeriodKind != process.PeriodMonth && slices.ContainsFunc(missing, func(m process.RegisterIssue) bool { return m.Month != "" })
}

// safeRegisterFileName keeps the characters a register's file name may
// have (the definition checker allows no others).
func safeRegisterFileName(s string) string {
	b := []byte{}
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			b = append(b, c)
		}
	}
	return string(b)
}
