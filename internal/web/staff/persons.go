package staff

import (
	"net/http"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// searchPage is the person search's data.
type searchPage struct {
	Query    string
	Searched bool
	Results  []service.MarkedSearchResult
	// FieldError is the message next to the search field.
	FieldError string
	// Emergency is the emergency-opening form's state.
	EmergencyNumber, EmergencyReason, EmergencyError string
	// ByNumber is the identity number searched for when it found no one
	// the user may see: a report or application can be registered with
	// it (the explicit path).
	ByNumber string
}

// handlePersonSearchPage shows the search form. Searches are posted, so
// identity numbers never appear in a URL.
func (s *handlers) handlePersonSearchPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	v.Title = v.T("persons.title")
	v.Data = searchPage{}
	return pages.Render(w, http.StatusOK, "persons", *v)
}

// handlePersonSearch searches by name or identity number among the
// persons the user may see; hits are access-logged by the service.
func (s *handlers) handlePersonSearch(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	p := searchPage{Query: strings.TrimSpace(r.PostForm.Get("query")), Searched: true}
	v.Title = v.T("persons.title")
	res, err := s.Svc.SearchPersonsMarked(r.Context(), a, service.SearchInput{Query: p.Query, Limit: 50})
	status := http.StatusOK
	switch {
	case trygg.ErrorCode(err) == trygg.EInvalid:
		p.FieldError, status = v.T("persons.badquery"), http.StatusUnprocessableEntity
	case err != nil:
		return err
	}
	p.Results = res
	if len(res) == 0 {
		if _, err := persons.ParseIdentityNumber(p.Query, time.Now()); err == nil {
			p.ByNumber = p.Query
		}
	}
	v.Data = p
	return pages.Render(w, status, "persons", *v)
}

// handleEmergencyForm opens a person's records in an emergency: the
// identity number and the reason are posted; the opening is logged and
// reviewed. The person page follows directly (no redirect, so the
// identity number never reaches a URL).
func (s *handlers) handleEmergencyForm(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	in := service.EmergencyInput{IdentityNumber: strings.TrimSpace(r.PostForm.Get("identity_number")), Reason: r.PostForm.Get("reason")}
	po, err := s.Svc.EmergencyOverview(r.Context(), a, in, v.Lang)
	if trygg.ErrorCode(err) == trygg.EInvalid || trygg.ErrorCode(err) == trygg.ENotFound {
		v.Title = v.T("persons.title")
		msg := v.T("persons.emergency.invalid")
		if trygg.ErrorCode(err) == trygg.ENotFound {
			msg = v.T("persons.emergency.notfound")
		}
		v.Data = searchPage{EmergencyNumber: in.IdentityNumber, EmergencyReason: in.Reason, EmergencyError: msg}
		return pages.Render(w, http.StatusUnprocessableEntity, "persons", *v)
	}
	if err != nil {
		return err
	}
	v.Title = po.GivenName + " " + po.FamilyName
	v.Data = po
	return pages.Render(w, http.StatusOK, "person", *v)
}

// handlePersonPage shows a person: identity, relations, the cases the user
// may see and their decisions.
func (s *handlers) handlePersonPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	po, err := s.Svc.PersonOverview(r.Context(), a, r.PathValue("id"), v.Lang)
	if err != nil {
		return err
	}
	v.Title = po.GivenName + " " + po.FamilyName
	v.Data = po
	return pages.Render(w, http.StatusOK, "person", *v)
}
