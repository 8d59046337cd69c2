package web

import (
	"net/http"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
)

// The citizen portal (Mina sidor), /portal/…: for signed-in citizens only.
// Every page acts for one person — the citizen, a child in their custody,
// or someone they represent — shown in a banner on every page and chosen
// on /portal/act-for. The choice is kept in a cookie holding the person's
// opaque id; it is checked against the registry's relations on every
// request, so a stale or forged choice falls back to the citizen.

// actForCookie holds the id of the person the citizen acts for.
const actForCookie = "trygg_for"

// portalCtx is whom the citizen may act for and whom they act for now.
type portalCtx struct {
	Subjects []service.Subject
	For      service.Subject
}

// portalHandler is a portal page: the citizen, whom they act for, the view.
type portalHandler func(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *portalCtx, v *view) error

// portal wraps a portal page: sign-in required (else to /login), citizens
// only (others get a clear 403), the acting-for person resolved.
func (s *Server) portal(fn portalHandler) http.HandlerFunc {
	return s.page(func(w http.ResponseWriter, r *http.Request) error {
		a, err := actorFrom(r)
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return nil
		}
		subjects, err := s.svc.CitizenSubjects(r.Context(), a)
		if err != nil {
			return err
		}
		p := &portalCtx{Subjects: subjects, For: subjects[0]}
		if c, err := r.Cookie(actForCookie); err == nil {
			if sub, err := service.SubjectOf(subjects, c.Value); err == nil {
				p.For = sub
			}
		}
		v := s.newView(w, r, "")
		v.Actor, v.Path, v.Name, v.Portal = &a, r.URL.Path, a.DisplayName, p
		v.Nav = navFor(a, false)
		return fn(w, r, a, p, &v)
	})
}

// handlePortalHome shows the cases of the person acted for, with their
// decisions.
func (s *Server) handlePortalHome(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *portalCtx, v *view) error {
	o, err := s.svc.PersonOverview(r.Context(), a, p.For.PersonID, v.Lang)
	if err != nil {
		return err
	}
	unread, err := s.portalUnread(r, a, o)
	if err != nil {
		return err
	}
	v.Title, v.Data = v.T("portal.title"), portalHome{PersonOverview: o, Unread: unread}
	return s.render(w, http.StatusOK, "portal_home", *v)
}

// handlePortalActFor lists whom the citizen may act for.
func (s *Server) handlePortalActFor(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *portalCtx, v *view) error {
	v.Title = v.T("portal.actfor.title")
	return s.render(w, http.StatusOK, "portal_actfor", *v)
}

// handlePortalActForSave sets whom the citizen acts for; anyone else is
// not found.
func (s *Server) handlePortalActForSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *portalCtx, v *view) error {
	sub, err := service.SubjectOf(p.Subjects, r.PostFormValue("person_id"))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: actForCookie, Value: sub.PersonID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
	return nil
}
