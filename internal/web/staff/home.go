package staff

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// handleHome sends each user to their own work: a team lead to the team's
// inbox, a case officer to their inbox, provider staff to their orders, a
// citizen to Mina sidor, a process designer to Processer, a log reviewer
// to the access log, an archivist to retention (Gallring), an analyst to the dashboards (Analys), someone who
// may run reports to the reports; anyone
// else (an administrator) sees their profile. A user with several roles
// lands on the first of these.
func (s *handlers) handleHome(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if to := landing(a, len(v.Reports) > 0); to != "" {
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	}
	return s.handleMePage(w, r, a, v)
}

// landing returns where the user's work is ("" for the profile).
func landing(a trygg.Actor, hasReports bool) string {
	switch {
	case a.HasRole(trygg.RoleTeamLead):
		return "/inbox?team=1"
	case a.HasRole(trygg.RoleOfficer):
		return "/inbox"
	case a.HasRole(trygg.RoleProvider) && a.ProviderID != "":
		return "/provider/orders"
	case a.HasRole(trygg.RoleCitizen) && a.PersonID != "":
		return "/portal"
	case a.HasRole(trygg.RoleProcessDesigner):
		return "/designer"
	case a.HasRole(trygg.RoleLogReviewer):
		return "/access-log"
	case a.HasRole(trygg.RoleArchivist):
		return "/retention"
	case a.HasRole(trygg.RoleAnalyst):
		return "/analysis"
	case hasReports:
		return "/reports"
	}
	return ""
}

// profilePage is the profile's data.
type profilePage struct {
	Username  string
	Grants    []trygg.Grant
	Protected bool
}

// handleMePage shows the user's profile: name, username and roles.
func (s *handlers) handleMePage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	u, grants, err := s.Svc.Me(r.Context(), a)
	if err != nil {
		return err
	}
	v.Title = v.T("me.title")
	v.Data = profilePage{Username: u.Username, Grants: grants, Protected: a.ProtectedIdentity}
	return pages.Render(w, http.StatusOK, "home", *v)
}

func (s *handlers) handleReportsPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	v.Title = v.T("reports.title")
	registers, err := s.Svc.Registers(r.Context(), a, v.Lang)
	if err != nil {
		return err
	}
	v.Data = registersPage{Registers: registers}
	return pages.Render(w, http.StatusOK, "reports", *v)
}

// reportPage is a report's page: the report, the period asked for and
// the result (only its name when the period was refused).
type reportPage struct {
	ReportInfo service.ReportInfo
	Period     string
	Report     *process.ReportResult
}

// handleReportPage runs a report for the period asked for (this period by
// default) and shows it as a table; a bad period is shown next to the
// form, with nothing run.
func (s *handlers) handleReportPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	i := slices.IndexFunc(v.Reports, func(ri service.ReportInfo) bool { return ri.ID == r.PathValue("id") })
	if i < 0 {
		return trygg.Errorf(trygg.ENotFound, "There is no such report, or your roles may not run it.")
	}
	p := reportPage{ReportInfo: v.Reports[i]}
	v.Title = p.ReportInfo.Name
	p.Period = strings.TrimSpace(r.URL.Query().Get("period"))
	if p.Period == "" {
		p.Period = process.PeriodOf(p.ReportInfo.Period, time.Now().In(calendar.Sweden))
	}
	res, err := s.Svc.RunReport(r.Context(), a, p.ReportInfo.ID, p.Period, v.Lang)
	switch {
	case trygg.ErrorCode(err) == trygg.EInvalid:
		v.Error = v.T("reports.badperiod." + p.ReportInfo.Period)
		p.Report = &process.ReportResult{Name: p.ReportInfo.Name}
		v.Data = p
		return pages.Render(w, http.StatusUnprocessableEntity, "report", *v)
	case err != nil:
		return err
	}
	p.Report = &res
	v.Data = p
	return pages.Render(w, http.StatusOK, "report", *v)
}
