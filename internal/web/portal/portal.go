package portal

import (
	"net/http"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// The citizen portal (Mina sidor), /portal/…: for signed-in citizens only.
// Every page acts for one person — the citizen, a child in their custody,
// or someone they represent — shown in a banner on every page and chosen
// on /portal/act-for. The choice is kept in a cookie holding the person's
// opaque id; it is checked against the registry's relations on every
// request, so a stale or forged choice falls back to the citizen.

// actForCookie holds the id of the person the citizen acts for.
const actForCookie = "trygg_for"

// portalHandler is a portal page: the citizen, whom they act for, the view.
type portalHandler func(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error

// portal wraps a portal page: sign-in required (else to /login), citizens
// only (others get a clear 403), the acting-for person resolved.
func (s *handlers) portal(fn portalHandler) http.HandlerFunc {
	return s.Page(func(w http.ResponseWriter, r *http.Request) error {
		a, err := server.ActorFrom(r)
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return nil
		}
		subjects, err := s.Svc.CitizenSubjects(r.Context(), a)
		if err != nil {
			return err
		}
		p := &server.ActingFor{Subjects: subjects, For: subjects[0]}
		if c, err := r.Cookie(actForCookie); err == nil {
			if sub, err := service.SubjectOf(subjects, c.Value); err == nil {
				p.For = sub
			}
		}
		v := s.NewView(w, r, "")
		v.Actor, v.Path, v.Name, v.Portal = &a, r.URL.Path, a.DisplayName, p
		v.Nav = server.NavFor(a, false)
		return fn(w, r, a, p, &v)
	})
}

// handlePortalHome shows the cases of the person acted for, with their
// status and decisions, a page at a time (?cursor= names the page of
// older cases).
func (s *handlers) handlePortalHome(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	o, err := s.Svc.CitizenOverviewPage(r.Context(), a, p.For.PersonID, v.Lang, r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	unread, err := s.portalUnread(r, a, o.PersonOverview)
	if err != nil {
		return err
	}
	v.Title, v.Data = v.T("portal.title"), portalHome{CitizenOverview: o, Unread: unread}
	return pages.Render(w, http.StatusOK, "portal_home", *v)
}

// handlePortalActFor lists whom the citizen may act for.
func (s *handlers) handlePortalActFor(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	v.Title = v.T("portal.actfor.title")
	return pages.Render(w, http.StatusOK, "portal_actfor", *v)
}

// handlePortalActForSave sets whom the citizen acts for; anyone else is
// not found.
func (s *handlers) handlePortalActForSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	sub, err := service.SubjectOf(p.Subjects, r.PostFormValue("person_id"))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: actForCookie, Value: sub.PersonID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
	return nil
}
