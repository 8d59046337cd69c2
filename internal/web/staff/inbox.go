package staff

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// inboxPage is the inbox's data.
type inboxPage struct {
	Team     bool
	TeamLead bool
	// The filters and the order, as asked (see service.InboxInput).
	CaseType, UnitID, Step, Search, Sort string
	Overdue, Desc                        bool
	Inbox                                service.InboxView
	Labels                               service.Labels
	Units                                []org.Unit
	// Steps are the steps to filter by: the chosen case type's, or every
	// case type's (each id once).
	Steps []stepOption
	// Workers are whom the team lead may assign each unit's cases to.
	Workers map[string][]store.User
	// Names are the display names of assignees.
	Names map[string]string
	Today string
	// AllURL shows all the rows the inbox holds when some are left out.
	AllURL string
	// Here is this inbox with its filters and order, for the assignment
	// form to return to; Sorts are the columns' sort links.
	Here  string
	Sorts map[string]sortLink
}

// stepOption is a step to filter the inbox by.
type stepOption struct{ ID, Name string }

// sortLink is a column header's link: the inbox sorted by the column (the
// other way round when it is sorted by it already), and how it is sorted
// now ("ascending", "descending" or "" for aria-sort).
type sortLink struct{ URL, Now string }

// inboxPageRows is how many tasks and cases the inbox shows before "show
// all".
const inboxPageRows = 50

// inboxSorts are the columns the cases can be sorted by, by key.
var inboxSorts = []string{store.InboxByDue, store.InboxByReceived, store.InboxByName, store.InboxByRef}

// handleInboxPage shows my tasks and cases, or my team's, each row saying
// whose case it is, soonest due first or sorted by a column, filtered by
// case type, step, unit, name or reference and overdue; a team lead
// assigns and reassigns cases from here. The filter form and the sort
// links are plain GETs; with htmx only the results are replaced.
func (s *handlers) handleInboxPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	q := r.URL.Query()
	p := inboxPage{Team: q.Get("team") == "1", CaseType: q.Get("case_type"), UnitID: q.Get("unit_id"), Step: q.Get("step"),
		Search: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Overdue: q.Get("overdue") == "1", Desc: q.Get("desc") == "1",
		TeamLead: a.HasRole(trygg.RoleTeamLead), Workers: map[string][]store.User{}, Names: map[string]string{}}
	if !p.Team {
		p.UnitID = ""
	}
	if !slices.Contains(inboxSorts, p.Sort) {
		p.Sort = ""
	}
	if rs := []rune(p.Search); len(rs) > 100 {
		p.Search = string(rs[:100])
	}
	limit := inboxPageRows
	if q.Get("all") == "1" {
		limit = 0
	}
	var err error
	if p.Inbox, err = s.Svc.Inbox(r.Context(), a, service.InboxInput{Team: p.Team, CaseType: p.CaseType, UnitID: p.UnitID, Step: p.Step,
		Search: p.Search, Overdue: p.Overdue, Sort: p.Sort, Desc: p.Desc, Limit: limit}); err != nil {
		return err
	}
	if p.Labels, err = s.Svc.Labels(r.Context(), a, v.Lang); err != nil {
		return err
	}
	p.Steps = stepOptions(p.Labels, p.CaseType)
	units, err := s.Svc.Units(r.Context(), a)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.Kind == org.KindUnit && inScopeOf(a, u.Path) {
			p.Units = append(p.Units, u)
		}
	}
	params := p.params()
	p.Here = "/inbox?" + params.Encode()
	if limit > 0 && (p.Inbox.TasksHidden > 0 || p.Inbox.CasesHidden > 0) {
		all := p.params()
		all.Set("all", "1")
		p.AllURL = "/inbox?" + all.Encode()
	}
	p.Sorts = map[string]sortLink{}
	for _, col := range inboxSorts {
		link := p.params()
		link.Del("sort")
		link.Del("desc")
		now := ""
		if col == p.Sort {
			now = "ascending"
			if p.Desc {
				now = "descending"
			} else {
				link.Set("desc", "1")
			}
		}
		if col != "" {
			link.Set("sort", col)
		}
		p.Sorts[col] = sortLink{URL: "/inbox?" + link.Encode(), Now: now}
	}
	for _, c := range p.Inbox.Cases {
		if p.TeamLead && p.Team {
			if _, ok := p.Workers[c.UnitID]; !ok {
				ws, err := s.Svc.AssignableUsers(r.Context(), a, c.UnitID)
				if err != nil && trygg.ErrorCode(err) != trygg.EForbidden {
					return err
				}
				p.Workers[c.UnitID] = ws
				for _, u := range ws {
					p.Names[u.ID] = u.DisplayName
				}
			}
		}
	}
	p.Today = server.TodaySweden()
	v.Title = v.T("inbox.title")
	if p.Team {
		v.Title = v.T("inbox.team")
	}
	v.Data = p
	if server.IsHTMX(r) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return pages["inbox"].ExecuteTemplate(w, "inbox-results", *v)
	}
	return pages.Render(w, http.StatusOK, "inbox", *v)
}

// params are the inbox's filters and order as a query.
func (p inboxPage) params() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	if p.Team {
		q.Set("team", "1")
	}
	set("case_type", p.CaseType)
	set("unit_id", p.UnitID)
	set("step", p.Step)
	set("q", p.Search)
	if p.Overdue {
		q.Set("overdue", "1")
	}
	set("sort", p.Sort)
	if p.Desc {
		q.Set("desc", "1")
	}
	return q
}

// stepOptions are the steps of caseType in order, or, for every case
// type, each step id once with its first name.
func stepOptions(l service.Labels, caseType string) []stepOption {
	var out []stepOption
	seen := map[string]bool{}
	for _, ct := range l.Order {
		if caseType != "" && ct != caseType {
			continue
		}
		for _, id := range l.StepOrder[ct] {
			if !seen[id] {
				seen[id] = true
				out = append(out, stepOption{ID: id, Name: l.Steps[ct][id]})
			}
		}
	}
	return out
}

// inScopeOf reports whether a holds a case role in a unit whose subtree
// holds path.
func inScopeOf(a trygg.Actor, path string) bool {
	for _, g := range a.Grants {
		if (g.Role == trygg.RoleOfficer || g.Role == trygg.RoleTeamLead) && strings.HasPrefix(path, g.UnitPath) {
			return true
		}
	}
	return false
}

// handleAssignForm assigns a case from the inbox and returns to it.
func (s *handlers) handleAssignForm(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	if _, err := s.Svc.AssignCase(r.Context(), a, r.PathValue("id"), service.AssignInput{UserID: r.PostForm.Get("user_id")}); err != nil {
		return err
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("back"), "/inbox?team=1"), http.StatusSeeOther)
	return nil
}

// localPath returns p if it is a path on this site (so a redirect cannot
// be sent elsewhere), else def.
func localPath(p, def string) string {
	u, err := url.Parse(p)
	if err != nil || p == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, `\`) {
		return def
	}
	return p
}
