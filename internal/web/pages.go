package web

import (
	"embed"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/style.css
var styleCSS []byte

//go:embed static/htmx.min.js
var htmxJS []byte

//go:embed static/trygg.js
var tryggJS []byte

// pageTemplates holds one template set per page: every templates/*.html
// but the layout and the partials (named _*.html), each parsed with the
// layout and all partials, so a new page is a new file.
var pageTemplates = func() map[string]*template.Template {
	entries, err := templateFiles.ReadDir("templates")
	if err != nil {
		panic(err)
	}
	var partials, pages []string
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "layout.html":
		case strings.HasPrefix(name, "_"):
			partials = append(partials, "templates/"+name)
		default:
			pages = append(pages, strings.TrimSuffix(name, ".html"))
		}
	}
	out := map[string]*template.Template{}
	for _, name := range pages {
		files := append([]string{"templates/layout.html", "templates/" + name + ".html"}, partials...)
		out[name] = template.Must(template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, files...))
	}
	return out
}()

// view is the data every page gets.
type view struct {
	Lang  string
	Title string
	T     func(string) string
	Demo  bool
	OIDC  bool
	// EID offers citizens' sign-in with e-identification.
	EID   bool
	Error string

	Username  string
	Name      string
	Grants    []trygg.Grant
	Protected bool

	Reports    []service.ReportInfo
	ReportInfo service.ReportInfo
	Report     *process.ReportResult
	Period     string

	// Staff pages: the signed-in actor, the navigation for their roles,
	// the path asked for (to mark the current place) and the page's own
	// data.
	Actor *trygg.Actor
	Nav   []navItem
	Path  string
	Data  any

	// Portal pages: whom the citizen acts for (shown on every page).
	Portal *portalCtx
}

// IsCurrent reports whether the navigation item href is where the page
// is: the longest item whose path the page's path is, or is under.
func (v view) IsCurrent(href string) bool {
	best := ""
	for _, n := range v.Nav {
		if (v.Path == n.Href || strings.HasPrefix(v.Path, n.Href+"/")) && len(n.Href) > len(best) {
			best = n.Href
		}
	}
	return best != "" && href == best
}

func (s *Server) newView(w http.ResponseWriter, r *http.Request, titleKey string) view {
	l := lang(w, r)
	t := translator(l)
	return view{Lang: l, Title: t(titleKey), T: t, Demo: s.cfg.Demo, OIDC: s.cfg.OIDC != nil, EID: s.cfg.CitizenOIDC != nil}
}

func (s *Server) render(w http.ResponseWriter, status int, name string, v view) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	return pageTemplates[name].ExecuteTemplate(w, "layout", v)
}

// page wraps an HTML handler: a posted form's text is checked first
// (formText), and an error becomes an error page in the user's language
// with the right status.
func (s *Server) page(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := withFormText(w, r, fn)
		if err == nil {
			return
		}
		err = answerable(err)
		code := trygg.ErrorCode(err)
		if code == trygg.EInternal {
			s.log.Error("internal error", "route", r.Pattern, "err", err)
		}
		v := s.newView(w, r, "error.title")
		v.Error = problemText(v.Lang, err)
		if a, err := actorFrom(r); err == nil {
			v.Actor, v.Nav, v.Name, v.Path = &a, navFor(a, false), a.DisplayName, r.URL.Path
		}
		_ = s.render(w, statusOf[code], "error", v)
	}
}

// handleHome sends case officers and team leads to their inbox, provider
// staff to their orders, and shows others their roles and where to go.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *view) error {
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
func (s *Server) handleMePage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *view) error {
	u, grants, err := s.svc.Me(r.Context(), a)
	if err != nil {
		return err
	}
	v.Title = v.T("me.title")
	v.Username, v.Grants, v.Protected = u.Username, grants, a.ProtectedIdentity
	return s.render(w, http.StatusOK, "home", *v)
}

func (s *Server) handleReportsPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *view) error {
	v.Title = v.T("reports.title")
	return s.render(w, http.StatusOK, "reports", *v)
}

// handleReportPage runs a report for the period asked for (this period by
// default) and shows it as a table; a bad period is shown next to the
// form, with nothing run.
func (s *Server) handleReportPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *view) error {
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
	res, err := s.svc.RunReport(r.Context(), a, v.ReportInfo.ID, v.Period, v.Lang)
	switch {
	case trygg.ErrorCode(err) == trygg.EInvalid:
		v.Error = v.T("reports.badperiod." + v.ReportInfo.Period)
		v.Report = &process.ReportResult{Name: v.ReportInfo.Name}
		return s.render(w, http.StatusUnprocessableEntity, "report", *v)
	case err != nil:
		return err
	}
	v.Report = &res
	return s.render(w, http.StatusOK, "report", *v)
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, http.StatusOK, "login", s.newView(w, r, "login.title"))
}

func (s *Server) handleLoginSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return trygg.Errorf(trygg.EInvalid, "The form could not be read.")
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	tenant := s.tenantOrDefault(r.PostForm.Get("tenant"))
	// Rate limits: per client address, and per account for failures.
	done, err := s.signInAttempt(w, r, accountKey(tenant, username))
	var sess service.Session
	if err == nil {
		sess, err = s.svc.SignIn(r.Context(), tenant, username, r.PostForm.Get("password"))
		done(err == nil)
	}
	if err != nil {
		code := trygg.ErrorCode(err)
		if code != trygg.EUnauthorized && code != trygg.EInvalid && code != trygg.ERateLimited {
			return err
		}
		v := s.newView(w, r, "login.title")
		v.Error, v.Username = messageIn(v.Lang, trygg.ErrorMessage(err)), username
		return s.render(w, statusOf[code], "login", v)
	}
	setSessionCookie(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if a, err := actorFrom(r); err == nil {
		if err := s.svc.SignOut(r.Context(), a, tokenFrom(r)); err != nil {
			return err
		}
	}
	clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

const oidcCookie = "trygg_oidc"

func (s *Server) handleOIDCLogin(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.OIDC == nil {
		return trygg.Errorf(trygg.ENotFound, "Sign-in through an identity provider is not configured.")
	}
	flow, url := s.cfg.OIDC.Start()
	startFlow(w, r, oidcCookie, "/auth/oidc/", flow, url)
	return nil
}

// startFlow keeps a sign-in flow's secrets (state, nonce, PKCE verifier)
// in a short-lived cookie for the callback under path, and sends the
// browser to the provider.
func startFlow(w http.ResponseWriter, r *http.Request, cookie, path string, flow auth.Flow, url string) {
	http.SetCookie(w, &http.Cookie{Name: cookie, Value: flow.State + "." + flow.Nonce + "." + flow.Verifier,
		Path: path, MaxAge: 600, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, url, http.StatusFound)
}

// takeFlow reads and clears (its secrets are single use, whatever the
// outcome) the flow cookie of a callback. It fails when the cookie is
// missing or malformed, or the provider answered with an error (logged
// under what, without the user's data).
func (s *Server) takeFlow(w http.ResponseWriter, r *http.Request, cookie, path, what string) (auth.Flow, bool) {
	c, err := r.Cookie(cookie)
	if err != nil {
		return auth.Flow{}, false
	}
	http.SetCookie(w, &http.Cookie{Name: cookie, Value: "", Path: path, MaxAge: -1, HttpOnly: true, Secure: true})
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return auth.Flow{}, false
	}
	if e := r.URL.Query().Get("error"); e != "" {
		s.log.Warn(what+" returned an error", "error", e)
		return auth.Flow{}, false
	}
	return auth.Flow{State: parts[0], Nonce: parts[1], Verifier: parts[2]}, true
}

func (s *Server) handleOIDCCallback(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.OIDC == nil {
		return trygg.Errorf(trygg.ENotFound, "Sign-in through an identity provider is not configured.")
	}
	failed := trygg.Errorf(trygg.EUnauthorized, "The sign-in could not be completed. Start again from the sign-in page.")
	flow, ok := s.takeFlow(w, r, oidcCookie, "/auth/oidc/", "oidc provider")
	if !ok {
		return failed
	}
	subject, err := s.cfg.OIDC.Finish(r.Context(), flow, r.URL.Query().Get("state"), r.URL.Query().Get("code"))
	if err != nil {
		s.log.Warn("oidc sign-in failed", "err", err)
		return failed
	}
	sess, err := s.svc.SignInOIDC(r.Context(), s.cfg.DefaultTenant, s.cfg.OIDC.Issuer(), subject)
	if err != nil {
		return err
	}
	setSessionCookie(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func (s *Server) handleCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(styleCSS)
}

// handleHTMX serves the vendored htmx (2.x, from npm; see static/VENDOR.md).
func (s *Server) handleHTMX(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(htmxJS)
}

// handleTryggJS serves the one small script of our own (static/trygg.js).
func (s *Server) handleTryggJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(tryggJS)
}

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}
