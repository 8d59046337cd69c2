package staff

import (
	"net/http"
	"strings"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Registering a report or an application ("Registrera anmälan/ansökan"):
// from a hit of "Sök person" or the person page (by the person's id), or
// from a search by identity number that found no one the officer may see
// (the number is posted, never put in a URL). The case opens with its
// first form's draft filled in and the officer lands on the case page.

// registrationPage is the registration page's data.
type registrationPage struct {
	service.RegistrationView
	// Number is the identity number the person was found by, posted back
	// in a hidden field ("" for a person by id).
	Number string
	// Chosen is the chosen case type and unit ("unit case_type"), Title
	// and Received what the officer wrote.
	Chosen, Title, Received string
	Errors                  map[string]string
	Problem                 string
}

// choiceValue is how a case type in a unit is posted: "unit case_type"
// (neither id holds a space).
func choiceValue(c service.RegistrationChoice) string { return c.UnitID + " " + c.CaseType }

// handleRegistrationPage shows the registration form for a person the
// officer may read.
func (s *handlers) handleRegistrationPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	rv, err := s.Svc.RegistrationForm(r.Context(), a, service.RegistrationInput{PersonID: r.PathValue("id")}, v.Lang)
	if err != nil {
		return err
	}
	return s.renderRegistration(w, v, http.StatusOK, registrationPage{RegistrationView: rv})
}

// handleRegistrationByNumber shows the registration form for the person
// with the posted identity number, as the population registry knows them.
func (s *handlers) handleRegistrationByNumber(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	number := strings.TrimSpace(r.PostForm.Get("identity_number"))
	rv, err := s.Svc.RegistrationForm(r.Context(), a, service.RegistrationInput{IdentityNumber: number}, v.Lang)
	if trygg.ErrorCode(err) == trygg.EInvalid {
		v.Title = v.T("persons.title")
		v.Data = searchPage{Query: number, FieldError: v.T("persons.badquery")}
		return pages.Render(w, http.StatusUnprocessableEntity, "persons", *v)
	}
	if err != nil {
		return err
	}
	return s.renderRegistration(w, v, http.StatusOK, registrationPage{RegistrationView: rv, Number: number})
}

// handleRegistration registers the report or application and sends the
// officer to the new case; mistakes are shown next to their fields.
func (s *handlers) handleRegistration(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	in := service.RegistrationInput{PersonID: f.Get("person_id"), IdentityNumber: strings.TrimSpace(f.Get("identity_number")),
		GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"), Title: f.Get("title"), ReceivedDate: f.Get("received_date")}
	in.UnitID, in.CaseType, _ = strings.Cut(f.Get("choice"), " ")
	c, err := s.Svc.RegisterCase(r.Context(), a, in)
	if err == nil {
		http.Redirect(w, r, "/cases/"+c.ID, http.StatusSeeOther)
		return nil
	}
	status, prob, err := server.ProblemOf(v.Lang, err)
	if err != nil {
		return err
	}
	show := in
	show.GivenName, show.FamilyName = strings.TrimSpace(in.GivenName), strings.TrimSpace(in.FamilyName)
	// The form again, with the refusal; a refusal the form shares (a
	// protected person, a unit the officer has left) is its error page.
	rv, ferr := s.Svc.RegistrationForm(r.Context(), a, show, v.Lang)
	if ferr != nil {
		return ferr
	}
	if errs := prob.Fields; errs["given_name"] != "" || errs["family_name"] != "" {
		rv.NeedsName = true
	}
	errs := prob.Fields
	// The choice is one field on the page.
	for _, k := range []string{"unit_id", "case_type"} {
		if m := errs[k]; m != "" {
			errs["choice"] = m
		}
	}
	if errs["person_id"] != "" || errs["identity_number"] != "" {
		prob.Message = errs["person_id"] + errs["identity_number"]
	}
	return s.renderRegistration(w, v, status, registrationPage{RegistrationView: rv, Number: in.IdentityNumber, Chosen: f.Get("choice"),
		Title: in.Title, Received: in.ReceivedDate, Errors: errs, Problem: prob.Message})
}

func (s *handlers) renderRegistration(w http.ResponseWriter, v *server.View, status int, p registrationPage) error {
	if p.Received == "" {
		p.Received = p.Today
	}
	if p.Chosen == "" && len(p.Choices) > 0 {
		p.Chosen = choiceValue(p.Choices[0])
	}
	v.Title = v.T("registration.title")
	v.Data = p
	return pages.Render(w, status, "registration", *v)
}
