package portal

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Following a case on Mina sidor (/portal/cases/{id}): its status in plain
// words, its decisions, the implementation plans with a comment on each
// goal, and the case's secure conversation (/portal/cases/{id}/messages).
// The officer answers from the case page (POST /cases/{id}/messages). A
// case of anyone but the person acted for is not found, on every page and
// every post.

// portalHome is the portal home's data: the person's cases with their
// status, and the officers' messages the citizen has not read, by case.
type portalHome struct {
	service.CitizenOverview
	Unread map[string]int
}

// portalUnread counts the unread messages of the cases listed.
func (s *handlers) portalUnread(r *http.Request, a trygg.Actor, o service.PersonOverview) (map[string]int, error) {
	ids := make([]string, len(o.Cases))
	for i, c := range o.Cases {
		ids[i] = c.ID
	}
	return s.Svc.UnreadMessages(r.Context(), a, ids)
}

// portalCasePage is the data of a followed case's page.
type portalCasePage struct {
	Follow  service.CaseFollow
	Message string
	// CommentAt names the goal ("order/goal") whose refused comment is
	// shown, with the problem and the text given.
	CommentAt string
	Problem   server.FormProblem
	Body      string
}

// handlePortalCase shows a case of the person acted for.
func (s *handlers) handlePortalCase(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	pg := portalCasePage{}
	if r.URL.Query().Get("comment") == "1" {
		pg.Message = v.T("follow.comment.sent")
	}
	return s.renderPortalCase(w, r, a, p, v, http.StatusOK, pg)
}

func (s *handlers) renderPortalCase(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View, status int, pg portalCasePage) error {
	f, err := s.Svc.CaseFollow(r.Context(), a, p.For.PersonID, r.PathValue("id"), v.Lang)
	if err != nil {
		return err
	}
	pg.Follow = f
	v.Title, v.Data = f.Title, pg
	return pages.Render(w, status, "portal_case", *v)
}

// handlePortalComment adds the citizen's comment to a goal of an order of
// the case; a refused comment is shown at its goal with the text kept.
func (s *handlers) handlePortalComment(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := s.LimitCitizen(w, r, a); err != nil {
		return err
	}
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	caseID := r.PathValue("id")
	goal, err := strconv.Atoi(r.PostForm.Get("goal"))
	if err != nil {
		return trygg.Errorf(trygg.ENotFound, "Not found.")
	}
	in := service.CommentInput{OrderID: r.PostForm.Get("order"), Goal: goal, Body: r.PostForm.Get("body")}
	if _, err := s.Svc.CommentGoal(r.Context(), a, p.For.PersonID, caseID, in); err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderPortalCase(w, r, a, p, v, status, portalCasePage{CommentAt: fmt.Sprintf("%s/%d", in.OrderID, goal),
			Problem: prob, Body: in.Body})
	}
	http.Redirect(w, r, fmt.Sprintf("/portal/cases/%s?comment=1#goal-%s-%d", caseID, in.OrderID, goal), http.StatusSeeOther)
	return nil
}

// portalMessagesPage is the data of a case's conversation on Mina sidor.
type portalMessagesPage struct {
	Conv    service.Conversation
	Message string
	Problem server.FormProblem
	Body    string
}

// handlePortalMessages shows the case's conversation (and marks it read).
func (s *handlers) handlePortalMessages(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	pg := portalMessagesPage{}
	if r.URL.Query().Get("sent") == "1" {
		pg.Message = v.T("msg.sent")
	}
	return s.renderPortalMessages(w, r, a, p, v, http.StatusOK, pg)
}

func (s *handlers) renderPortalMessages(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View, status int, pg portalMessagesPage) error {
	cv, err := s.Svc.CitizenMessages(r.Context(), a, p.For.PersonID, r.PathValue("id"))
	if err != nil {
		return err
	}
	pg.Conv = cv
	v.Title, v.Data = v.T("msg.title")+" – "+cv.Title, pg
	return pages.Render(w, status, "portal_messages", *v)
}

// handlePortalMessageSend sends the citizen's message; a refused one is
// shown next to the field with the text kept.
func (s *handlers) handlePortalMessageSend(w http.ResponseWriter, r *http.Request, a trygg.Actor, p *server.ActingFor, v *server.View) error {
	if err := s.LimitCitizen(w, r, a); err != nil {
		return err
	}
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	caseID, body := r.PathValue("id"), r.PostForm.Get("body")
	m, err := s.Svc.SendCitizenMessage(r.Context(), a, p.For.PersonID, caseID, body)
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderPortalMessages(w, r, a, p, v, status, portalMessagesPage{Problem: prob, Body: body})
	}
	http.Redirect(w, r, fmt.Sprintf("/portal/cases/%s/messages?sent=1#msg-%d", caseID, m.Seq), http.StatusSeeOther)
	return nil
}
