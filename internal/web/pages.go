package web

import (
	"embed"
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

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/style.css
var styleCSS []byte

//go:embed static/htmx.min.js
var htmxJS []byte

//go:embed static/trygg.js
var tryggJS []byte

// handleHome sends case officers and team leads to their inbox, provider
// staff to their orders, and shows others their roles and where to go.
func (s *handlers) handleHome(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if a.HasRole(trygg.RoleOfficer) || a.HasRole(trygg.RoleTeamLead) {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return nil
	}
	if a.HasRole(trygg.RoleProvider) && a.ProviderID != "" {
		http.Redirect(w, r, "/provider/orders", http.StatusSeeOther)
		return nil
	}
	if a.HasRole(trygg.RoleCitizen) && a.PersonID != "" {
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
		return nil
	}
	return s.handleMePage(w, r, a, v)
}

// handleMePage shows the user's profile: name, username and roles.
func (s *handlers) handleMePage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	u, grants, err := s.Svc.Me(r.Context(), a)
	if err != nil {
		return err
	}
	v.Title = v.T("me.title")
	v.Username, v.Grants, v.Protected = u.Username, grants, a.ProtectedIdentity
	return pages.Render(w, http.StatusOK, "home", *v)
}

func (s *handlers) handleReportsPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	v.Title = v.T("reports.title")
	return pages.Render(w, http.StatusOK, "reports", *v)
}

// handleReportPage runs a report for the period asked for (this period by
// default) and shows it as a table; a bad period is shown next to the
// form, with nothing run.
func (s *handlers) handleReportPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	i := slices.IndexFunc(v.Reports, func(ri service.ReportInfo) bool { return ri.ID == r.PathValue("id") })
	if i < 0 {
		return trygg.Errorf(trygg.ENotFound, "There is no such report, or your roles may not run it.")
	}
	v.ReportInfo = v.Reports[i]
	v.Title = v.ReportInfo.Name
	v.Period = strings.TrimSpace(r.URL.Query().Get("period"))
	if v.Period == "" {
		v.Period = process.PeriodOf(v.ReportInfo.Period, time.Now().In(calendar.Sweden))
	}
	res, err := s.Svc.RunReport(r.Context(), a, v.ReportInfo.ID, v.Period, v.Lang)
	switch {
	case trygg.ErrorCode(err) == trygg.EInvalid:
		v.Error = v.T("reports.badperiod." + v.ReportInfo.Period)
		v.Report = &process.ReportResult{Name: v.ReportInfo.Name}
		return pages.Render(w, http.StatusUnprocessableEntity, "report", *v)
	case err != nil:
		return err
	}
	v.Report = &res
	return pages.Render(w, http.StatusOK, "report", *v)
}

func (s *handlers) handleLoginPage(w http.ResponseWriter, r *http.Request) error {
	return pages.Render(w, http.StatusOK, "login", s.NewView(w, r, "login.title"))
}

func (s *handlers) handleLoginSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return trygg.Errorf(trygg.EInvalid, "The form could not be read.")
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	tenant := s.TenantOrDefault(r.PostForm.Get("tenant"))
	// Rate limits: per client address, and per account for failures.
	done, err := s.SignInAttempt(w, r, server.AccountKey(tenant, username))
	var sess service.Session
	if err == nil {
		sess, err = s.Svc.SignIn(r.Context(), tenant, username, r.PostForm.Get("password"))
		done(err == nil)
	}
	if err != nil {
		code := trygg.ErrorCode(err)
		if code != trygg.EUnauthorized && code != trygg.EInvalid && code != trygg.ERateLimited {
			return err
		}
		v := s.NewView(w, r, "login.title")
		v.Error, v.Username = server.MessageIn(v.Lang, trygg.ErrorMessage(err)), username
		return pages.Render(w, server.StatusOf(code), "login", v)
	}
	server.SetSessionCookie(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *handlers) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if a, err := server.ActorFrom(r); err == nil {
		if err := s.Svc.SignOut(r.Context(), a, server.TokenFrom(r)); err != nil {
			return err
		}
	}
	server.ClearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

const oidcCookie = "trygg_oidc"

func (s *handlers) handleOIDCLogin(w http.ResponseWriter, r *http.Request) error {
	if s.Cfg.OIDC == nil {
		return trygg.Errorf(trygg.ENotFound, "Sign-in through an identity provider is not configured.")
	}
	flow, url := s.Cfg.OIDC.Start()
	server.StartFlow(w, r, oidcCookie, "/auth/oidc/", flow, url)
	return nil
}

func (s *handlers) handleOIDCCallback(w http.ResponseWriter, r *http.Request) error {
	if s.Cfg.OIDC == nil {
		return trygg.Errorf(trygg.ENotFound, "Sign-in through an identity provider is not configured.")
	}
	failed := trygg.Errorf(trygg.EUnauthorized, "The sign-in could not be completed. Start again from the sign-in page.")
	flow, ok := s.TakeFlow(w, r, oidcCookie, "/auth/oidc/", "oidc provider")
	if !ok {
		return failed
	}
	subject, err := s.Cfg.OIDC.Finish(r.Context(), flow, r.URL.Query().Get("state"), r.URL.Query().Get("code"))
	if err != nil {
		s.Log.Warn("oidc sign-in failed", "err", err)
		return failed
	}
	sess, err := s.Svc.SignInOIDC(r.Context(), s.Cfg.DefaultTenant, s.Cfg.OIDC.Issuer(), subject)
	if err != nil {
		return err
	}
	server.SetSessionCookie(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *handlers) handleCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(styleCSS)
}

// handleHTMX serves the vendored htmx (2.x, from npm; see static/VENDOR.md).
func (s *handlers) handleHTMX(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(htmxJS)
}

// handleTryggJS serves the one small script of our own (static/trygg.js).
func (s *handlers) handleTryggJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(tryggJS)
}
