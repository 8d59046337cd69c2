package staff

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Payees and their accounts (/payees): the register and its search, a
// payee's page with its account and change log, registering a payee and
// changing an account, and the team lead's review of account changes.
// Accounts are personal data: they are posted, never put in a URL.

// payeeFieldIDs are the ids of the form fields the service's field
// errors name, in the order the error summary lists them.
var payeeFieldIDs = []struct{ field, id string }{
	{"category", "payee-category"}, {"person_id", "payee-person"}, {"name", "payee-name"}, {"org_number", "payee-org"},
	{"kind", "acc-kind"}, {"clearing_number", "acc-clearing"}, {"account_number", "acc-number"},
}

// fieldLink is one line of an error summary: the field's id and what is
// wrong with it.
type fieldLink struct{ ID, Message string }

func errorLinks(fields map[string]string) []fieldLink {
	var out []fieldLink
	for _, f := range payeeFieldIDs {
		if m := fields[f.field]; m != "" {
			out = append(out, fieldLink{ID: f.id, Message: m})
		}
	}
	return out
}

// payeesPage is /payees: the search and its hits.
type payeesPage struct {
	Query, Category string
	Categories      []string
	Payees          []store.Payee
	Problem         string
	TeamLead        bool
}

// payeeForm is the registration form's data (/payees/new).
type payeeForm struct {
	In         service.PayeeInput
	PersonName string
	Categories []string
	Kinds      []string
	Errors     map[string]string
	ErrorLinks []fieldLink
	Problem    string
}

// payeePage is a payee's page.
type payeePage struct {
	service.PayeeView
	Kinds      []string
	In         service.AccountInput
	Errors     map[string]string
	ErrorLinks []fieldLink
	Problem    string
	Done       string
	TeamLead   bool
}

// reviewPage is the team lead's list of account changes to review.
type reviewPage struct {
	service.ReviewView
	Me      string
	Problem string
	Done    bool
}

var accountKinds = []string{"bank_account", "bankgiro", "plusgiro", "iban"}

func organisationCategories() []string {
	return slices.DeleteFunc(slices.Clone(store.PayeeCategories), func(c string) bool { return c == store.PayeePerson })
}

// handlePayeesPage lists and searches the payees the user may see.
func (s *handlers) handlePayeesPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	q := r.URL.Query()
	p := payeesPage{Query: strings.TrimSpace(q.Get("q")), Category: q.Get("category"), Categories: store.PayeeCategories,
		TeamLead: a.HasRole(trygg.RoleTeamLead)}
	status := http.StatusOK
	found, err := s.Svc.SearchPayees(r.Context(), a, service.PayeeSearch{Query: p.Query, Category: p.Category})
	if err != nil {
		var prob string
		if status, prob, err = server.Refusal(v, err); err != nil {
			return err
		}
		p.Problem = prob
	}
	p.Payees = found
	v.Title, v.Data = v.T("payees.title"), p
	return pages.Render(w, status, "payees", *v)
}

// handlePayeeNew shows the registration form: for the person given
// (from the person page), or for an organisation.
func (s *handlers) handlePayeeNew(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	in := service.PayeeInput{Category: store.PayeeLandlord, AccountInput: service.AccountInput{Kind: "bank_account"}}
	if id := r.URL.Query().Get("person_id"); id != "" {
		in.Category, in.PersonID = store.PayeePerson, id
	}
	return s.renderPayeeForm(w, r, a, v, http.StatusOK, payeeForm{In: in})
}

func (s *handlers) renderPayeeForm(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, f payeeForm) error {
	if f.In.PersonID != "" {
		pv, err := s.Svc.Person(r.Context(), a, f.In.PersonID)
		if err != nil {
			return err
		}
		f.PersonName = strings.TrimSpace(pv.Person.GivenName + " " + pv.Person.FamilyName)
	}
	f.Categories, f.Kinds = organisationCategories(), accountKinds
	f.ErrorLinks = errorLinks(f.Errors)
	v.Title, v.Data = v.T("payees.new.title"), f
	return pages.Render(w, status, "payee_new", *v)
}

func postedAccount(r *http.Request) service.AccountInput {
	in := service.AccountInput{Kind: r.PostForm.Get("kind"), Number: r.PostForm.Get("account_number")}
	if in.Kind == "bank_account" {
		in.Clearing = r.PostForm.Get("clearing_number")
	}
	return in
}

// handlePayeeCreate registers a payee; mistakes are listed above the form
// and shown next to their fields.
func (s *handlers) handlePayeeCreate(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	in := service.PayeeInput{Category: r.PostForm.Get("category"), PersonID: r.PostForm.Get("person_id"), Name: r.PostForm.Get("name"),
		OrgNumber: r.PostForm.Get("org_number"), AccountInput: postedAccount(r)}
	if in.PersonID != "" {
		in.Category = store.PayeePerson
	}
	y, err := s.Svc.RegisterPayee(r.Context(), a, in)
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderPayeeForm(w, r, a, v, status, payeeForm{In: in, Problem: prob.Message, Errors: prob.Fields})
	}
	http.Redirect(w, r, "/payees/"+url.PathEscape(y.ID)+"?done=registered", http.StatusSeeOther)
	return nil
}

// handlePersonPayee leads from the person page to the person's payee, or
// to registering one with the person filled in.
func (s *handlers) handlePersonPayee(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	personID := r.PathValue("id")
	id, err := s.Svc.PersonPayee(r.Context(), a, personID)
	switch {
	case err == nil:
		http.Redirect(w, r, "/payees/"+url.PathEscape(id), http.StatusSeeOther)
	case trygg.ErrorCode(err) == trygg.ENotFound:
		if _, err := s.Svc.Person(r.Context(), a, personID); err != nil {
			return err
		}
		http.Redirect(w, r, "/payees/new?person_id="+url.QueryEscape(personID), http.StatusSeeOther)
	default:
		return err
	}
	return nil
}

// handlePayeePage shows a payee, its account and its change log, with the
// form to change the account.
func (s *handlers) handlePayeePage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	done := ""
	switch d := r.URL.Query().Get("done"); d {
	case "registered", "changed":
		done = d
	}
	return s.renderPayee(w, r, a, v, http.StatusOK, payeePage{Done: done})
}

func (s *handlers) renderPayee(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p payeePage) error {
	pv, err := s.Svc.Payee(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	p.PayeeView, p.Kinds, p.TeamLead = pv, accountKinds, a.HasRole(trygg.RoleTeamLead)
	if p.In.Kind == "" {
		p.In.Kind = pv.Payee.AccountKind
	}
	p.ErrorLinks = errorLinks(p.Errors)
	v.Title, v.Data = pv.Payee.Name+" – "+v.T("payees.title"), p
	return pages.Render(w, status, "payee", *v)
}

// handlePayeeAccount changes a payee's account.
func (s *handlers) handlePayeeAccount(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	in := postedAccount(r)
	if _, err := s.Svc.ChangePayeeAccount(r.Context(), a, r.PathValue("id"), in); err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderPayee(w, r, a, v, status, payeePage{In: in, Problem: prob.Message, Errors: prob.Fields})
	}
	http.Redirect(w, r, "/payees/"+url.PathEscape(r.PathValue("id"))+"?done=changed", http.StatusSeeOther)
	return nil
}

// handleReviewPage lists the account changes waiting for review.
func (s *handlers) handleReviewPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderReview(w, r, a, v, http.StatusOK, reviewPage{Done: r.URL.Query().Get("done") == "reviewed"})
}

func (s *handlers) renderReview(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p reviewPage) error {
	rv, err := s.Svc.AccountChangesToReview(r.Context(), a)
	if err != nil {
		return err
	}
	p.ReviewView, p.Me = rv, a.UserID
	v.Title, v.Data = v.T("payees.review.title"), p
	return pages.Render(w, status, "payee_review", *v)
}

// handleReviewChange marks an account change reviewed.
func (s *handlers) handleReviewChange(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := s.Svc.ReviewPayeeAccountChange(r.Context(), a, r.PathValue("id")); err != nil {
		status, problem, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderReview(w, r, a, v, status, reviewPage{Problem: problem})
	}
	http.Redirect(w, r, "/payees/review?done=reviewed", http.StatusSeeOther)
	return nil
}
