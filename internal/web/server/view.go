package server

import (
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
)

// View is the data every page gets.
type View struct {
	Lang  string
	Title string
	// T returns a message in Lang (Swedish if Lang has none, else the
	// key); Tn a plural message's form for the count n, filled with n and
	// then args ("%d träffar").
	T    func(string) string
	Tn   func(key string, n int, args ...any) string
	Demo bool
	OIDC bool
	// EID offers citizens' sign-in with e-identification.
	EID   bool
	Error string

	// Signed-in pages: the actor and their name, the reports their roles
	// may run (the navigation offers them), the navigation for their
	// roles, the path asked for (to mark the current place) and the
	// page's own data.
	Actor   *trygg.Actor
	Name    string
	Reports []service.ReportInfo
	Nav     []NavItem
	Path    string
	Data    any

	// Portal pages: whom the citizen acts for (shown on every page).
	Portal *ActingFor
}

// ActingFor is whom a citizen on Mina sidor may act for and whom they act
// for now.
type ActingFor struct {
	Subjects []service.Subject
	For      service.Subject
}

// IsCurrent reports whether the navigation item href is where the page
// is: the longest item whose path the page's path is, or is under.
func (v View) IsCurrent(href string) bool {
	best := ""
	for _, n := range v.Nav {
		if (v.Path == n.Href || strings.HasPrefix(v.Path, n.Href+"/")) && len(n.Href) > len(best) {
			best = n.Href
		}
	}
	return best != "" && href == best
}

// NewView returns the view of a page in the request's language (see
// lang), titled by the message titleKey.
func (s *Server) NewView(w http.ResponseWriter, r *http.Request, titleKey string) View {
	v := ViewIn(lang(w, r))
	v.Title, v.Demo, v.OIDC, v.EID = v.T(titleKey), s.Cfg.Demo, s.Cfg.OIDC != nil, s.Cfg.CitizenOIDC != nil
	return v
}

// ViewIn returns a view in lang (sv or en) with nothing but its language
// and message lookups, T and Tn; NewView is the view of a request.
func ViewIn(lang string) View {
	return View{Lang: lang, T: translator(lang), Tn: pluralTranslator(lang)}
}

//go:embed templates/*.html
var templateFiles embed.FS

// Pages are a surface's page templates by name (the file's name without
// .html).
type Pages map[string]*template.Template

// ParsePages parses a surface's pages from fsys: every templates/*.html
// but the partials (named _*.html), each with this package's layout and
// shared partials and the surface's own partials, so a new page is a new
// file. It panics on a template that does not parse, when the program
// starts.
func ParsePages(fsys fs.FS) Pages { return parsePages(fsys, true) }

// errorPages are this package's own pages: the error page.
var errorPages = parsePages(templateFiles, false)

// parsePages parses the pages of fsys with the layout and the shared
// partials, and with fsys's own partials when surface is set.
func parsePages(fsys fs.FS, surface bool) Pages {
	_, shared := templateNames(templateFiles)
	pages, partials := templateNames(fsys)
	out := Pages{}
	for _, name := range pages {
		t := template.Must(template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles,
			append([]string{"templates/layout.html"}, shared...)...))
		files := []string{"templates/" + name + ".html"}
		if surface {
			files = append(files, partials...)
		}
		out[name] = template.Must(t.ParseFS(fsys, files...))
	}
	return out
}

// templateNames lists the templates of fsys: the pages by name, and the
// partials (and, here, the shared partials) by path; the layout is
// neither.
func templateNames(fsys fs.FS) (pages, partials []string) {
	entries, err := fs.ReadDir(fsys, "templates")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "layout.html":
		case strings.HasPrefix(name, "_"):
			partials = append(partials, "templates/"+name)
		default:
			pages = append(pages, strings.TrimSuffix(name, ".html"))
		}
	}
	return pages, partials
}

// Render writes the page name with the layout and v, with status.
func (p Pages) Render(w http.ResponseWriter, status int, name string, v View) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	return p[name].ExecuteTemplate(w, "layout", v)
}

// Page wraps an HTML handler: a posted form's text is checked first
// (formText), and an error becomes an error page in the user's language
// with the right status.
func (s *Server) Page(fn HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := withFormText(w, r, fn)
		if err == nil {
			return
		}
		err = answerable(err)
		code := trygg.ErrorCode(err)
		if code == trygg.EInternal {
			s.Log.Error("internal error", "route", r.Pattern, "err", err)
		}
		v := s.NewView(w, r, "error.title")
		v.Error = ProblemText(v.Lang, err)
		if a, err := ActorFrom(r); err == nil {
			v.Actor, v.Nav, v.Name, v.Path = &a, NavFor(a, false), a.DisplayName, r.URL.Path
		}
		_ = errorPages.Render(w, statusOf[code], "error", v)
	}
}

// NavItem is a place in the staff navigation.
type NavItem struct {
	Href, Key string
}

// NavFor returns the navigation for the actor's roles, in a fixed order.
func NavFor(a trygg.Actor, hasReports bool) []NavItem {
	var out []NavItem
	if a.HasRole(trygg.RoleOfficer) || a.HasRole(trygg.RoleTeamLead) {
		out = append(out, NavItem{"/inbox", "nav.inbox"}, NavItem{"/persons", "nav.search"})
		out = append(out, NavItem{"/slots", "nav.slots"})
		out = append(out, NavItem{"/payments", "nav.payments"})
		out = append(out, NavItem{"/payees", "nav.payees"})
		out = append(out, NavItem{"/letters/print", "nav.printqueue"})
	}
	if hasReports {
		out = append(out, NavItem{"/reports", "nav.reports"})
	}
	if a.HasRole(trygg.RoleAnalyst) || a.HasRole(trygg.RoleTeamLead) {
		out = append(out, NavItem{"/analysis", "nav.analysis"})
	}
	if a.HasRole(trygg.RoleProvider) && a.ProviderID != "" {
		out = append(out, NavItem{"/provider/orders", "nav.provider.orders"}, NavItem{"/provider/report", "nav.provider.report"})
	}
	if a.HasRole(trygg.RoleCitizen) && a.PersonID != "" {
		out = append(out, NavItem{"/portal", "nav.portal"})
		out = append(out, NavItem{"/portal/apply", "nav.portal.apply"}, NavItem{"/portal/bookings", "nav.portal.bookings"})
		out = append(out, NavItem{"/portal/records", "nav.records"})
	}
	if a.HasRole(trygg.RoleProcessDesigner) {
		out = append(out, NavItem{"/designer", "nav.designer"})
	}
	if a.HasRole(trygg.RoleLogReviewer) {
		out = append(out, NavItem{"/access-log", "nav.accesslog"})
	}
	if a.HasRole(trygg.RoleArchivist) {
		out = append(out, NavItem{"/archive", "nav.archive"})
	}
	if a.HasRole(trygg.RoleArchivist) {
		out = append(out, NavItem{"/retention", "nav.retention"})
	}
	if a.HasRole(trygg.RoleSysAdmin) {
		out = append(out, NavItem{"/admin/legacy", "nav.legacy"})
		out = append(out, NavItem{"/admin/subscriptions", "nav.subscriptions"})
	}
	return out
}

// SignedInHandler is a page handler for a signed-in user: v is ready with
// the language, the actor and the navigation.
type SignedInHandler func(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *View) error

// SignedIn wraps a page for a signed-in user (the staff pages, the
// provider pages, the process designer): without a session it sends the
// browser to the sign-in page; errors become error pages (Page).
func (s *Server) SignedIn(fn SignedInHandler) http.HandlerFunc {
	return s.Page(func(w http.ResponseWriter, r *http.Request) error {
		a, err := ActorFrom(r)
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return nil
		}
		v := s.NewView(w, r, "")
		reports, err := s.Svc.Reports(r.Context(), a, v.Lang)
		if err != nil {
			return err
		}
		v.Actor, v.Path, v.Reports = &a, r.URL.Path, reports
		v.Nav = NavFor(a, len(reports) > 0)
		v.Name = a.DisplayName
		return fn(w, r, a, &v)
	})
}

// IsHTMX reports whether the request came from htmx (a partial update).
func IsHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// templateFuncs are the helpers templates may call.
var templateFuncs = template.FuncMap{
	// money writes öre as Swedish kronor.
	"money": process.FormatMoney,
	// day writes a time as its Swedish date.
	"day": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(calendar.Sweden).Format("2006-01-02")
	},
	// clock writes a time as Swedish date and time.
	"clock": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(calendar.Sweden).Format("2006-01-02 15:04")
	},
	// has reports whether s starts with prefix (for the current nav item).
	"hasPrefix": strings.HasPrefix,
	// amount writes an amount in the words people use, in lang: a
	// decision's by its process.Measure ("40 timmar per månad", "12 345
	// kr"), an order's by its amount unit (process.OrderMeasure).
	"amount": func(lang string, m any, n int64) string {
		switch m := m.(type) {
		case process.Measure:
			return m.Format(n, lang)
		case string:
			return process.OrderMeasure(m).Format(n, lang)
		}
		return process.Measure{Unit: process.UnitCount}.Format(n, lang)
	},
	// duration writes minutes as hours and minutes ("12 h 30 min").
	"duration": FormatMinutes,
	// orderStatus says where an order stands, in plain words.
	"orderStatus": orderStatus,
	// join joins texts with sep.
	"join": func(s []string, sep string) string { return strings.Join(s, sep) },
	// json writes v as JSON, for a data attribute trygg.js reads.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	// add adds whole numbers (row numbers from 1).
	"add": func(a, b int) int { return a + b },
	// list makes a list of strings.
	"list": func(s ...string) []string { return s },
	// dict builds a map for passing several values to a partial.
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
}

// TemplateFuncs returns the helpers templates may call, for a surface's
// template that is not a page (the records extract).
func TemplateFuncs() template.FuncMap { return maps.Clone(templateFuncs) }

// TodaySweden is today's date in Sweden.
func TodaySweden() string { return calendar.Today(time.Now()) }
