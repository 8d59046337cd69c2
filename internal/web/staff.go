package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/trygg"
)

// navItem is a place in the staff navigation.
type navItem struct {
	Href, Key string
}

// navFor returns the navigation for the actor's roles, in a fixed order.
func navFor(a trygg.Actor, hasReports bool) []navItem {
	var out []navItem
	if a.HasRole(trygg.RoleOfficer) || a.HasRole(trygg.RoleTeamLead) {
		out = append(out, navItem{"/inbox", "nav.inbox"}, navItem{"/persons", "nav.search"})
		out = append(out, navItem{"/slots", "nav.slots"})
	}
	if hasReports {
		out = append(out, navItem{"/reports", "nav.reports"})
	}
	if a.HasRole(trygg.RoleProvider) && a.ProviderID != "" {
		out = append(out, navItem{"/provider/orders", "nav.provider.orders"}, navItem{"/provider/report", "nav.provider.report"})
	}
	if a.HasRole(trygg.RoleCitizen) && a.PersonID != "" {
		out = append(out, navItem{"/portal", "nav.portal"})
		out = append(out, navItem{"/portal/apply", "nav.portal.apply"}, navItem{"/portal/bookings", "nav.portal.bookings"})
		out = append(out, navItem{"/portal/records", "nav.records"})
	}
	if a.HasRole(trygg.RoleProcessDesigner) {
		out = append(out, navItem{"/designer", "nav.designer"})
	}
	if a.HasRole(trygg.RoleLogReviewer) {
		out = append(out, navItem{"/access-log", "nav.accesslog"})
	}
	return out
}

// staffHandler is a page handler for a signed-in user: v is ready with the
// language, the actor and the navigation.
type staffHandler func(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *view) error

// staff wraps a page for signed-in staff: without a session it sends the
// browser to the sign-in page; errors become error pages (page).
func (s *Server) staff(fn staffHandler) http.HandlerFunc {
	return s.page(func(w http.ResponseWriter, r *http.Request) error {
		a, err := actorFrom(r)
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return nil
		}
		v := s.newView(w, r, "")
		reports, err := s.svc.Reports(r.Context(), a, v.Lang)
		if err != nil {
			return err
		}
		v.Actor, v.Path, v.Reports = &a, r.URL.Path, reports
		v.Nav = navFor(a, len(reports) > 0)
		v.Name = a.DisplayName
		return fn(w, r, a, &v)
	})
}

// isHTMX reports whether the request came from htmx (a partial update).
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

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
	// amount writes a decision's amount by what it counts (see
	// process.UnitMoney and the others).
	"amount": func(unit string, n int64) string {
		switch unit {
		case process.UnitMoney:
			return process.FormatMoney(n)
		case process.UnitHours:
			h := strconv.FormatFloat(float64(n)/100, 'f', -1, 64)
			return strings.Replace(h, ".", ",", 1) + " h"
		}
		return strconv.FormatInt(n, 10)
	},
	// duration writes minutes as hours and minutes ("12 h 30 min").
	"duration": formatMinutes,
	// orderStatus says where an order stands, in plain words.
	"orderStatus": orderStatus,
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

// todaySweden is today's date in Sweden.
func todaySweden() string { return calendar.Today(time.Now()) }
