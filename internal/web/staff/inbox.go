package staff

import (
	"net/http"
	"net/url"
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
	CaseType string
	UnitID   string
	Inbox    service.InboxView
	Labels   service.Labels
	Units    []org.Unit
	// Workers are whom the team lead may assign each unit's cases to.
	Workers map[string][]store.User
	// Names are the display names of assignees.
	Names map[string]string
	Today string
	// Hidden is how many cases are left out; AllURL shows them.
	Hidden int
	AllURL string
}

// inboxPageRows is how many cases the inbox shows before "show all".
const inboxPageRows = 50

// handleInboxPage shows my tasks and cases, or my team's, soonest due
// first, overdue ones marked, filtered by case type and unit; a team lead
// assigns and reassigns cases from here.
func (s *handlers) handleInboxPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	q := r.URL.Query()
	p := inboxPage{Team: q.Get("team") == "1", CaseType: q.Get("case_type"), UnitID: q.Get("unit_id"),
		TeamLead: a.HasRole(trygg.RoleTeamLead), Workers: map[string][]store.User{}, Names: map[string]string{}}
	if !p.Team {
		p.UnitID = ""
	}
	var err error
	if p.Inbox, err = s.Svc.Inbox(r.Context(), a, service.InboxInput{Team: p.Team, CaseType: p.CaseType, UnitID: p.UnitID}); err != nil {
		return err
	}
	if p.Labels, err = s.Svc.Labels(r.Context(), a, v.Lang); err != nil {
		return err
	}
	units, err := s.Svc.Units(r.Context(), a)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.Kind == org.KindUnit && inScopeOf(a, u.Path) {
			p.Units = append(p.Units, u)
		}
	}
	if q.Get("all") != "1" && len(p.Inbox.Cases) > inboxPageRows {
		p.Hidden = len(p.Inbox.Cases) - inboxPageRows
		p.Inbox.Cases = p.Inbox.Cases[:inboxPageRows]
		all := r.URL.Query()
		all.Set("all", "1")
		p.AllURL = "/inbox?" + all.Encode()
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
	return pages.Render(w, http.StatusOK, "inbox", *v)
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
