package staff

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Subscriptions to the event log (events out, docs/integrations.md), for
// the system administrator: the list with each one's state, lag and last
// error, a webhook subscribed from the same page, and a subscription's
// page to pause, resume, replay from a position, rotate its secret (shown
// once) or remove it.

// subscriptionsPage is /admin/subscriptions.
type subscriptionsPage struct {
	Subs []service.SubscriptionInfo
	// In is the form's values, Errors its mistakes by field, Problem a
	// refusal.
	In      subscriptionForm
	Errors  map[string]string
	Problem string
	Done    string
}

// subscriptionForm is the new-subscription form as posted: a webhook's
// URL, or a NATS server and the stream that takes the messages.
type subscriptionForm struct {
	Name, Kind, URL, Types, Stream string
	CreateStream                   bool
}

// subscriptionPage is one subscription; Secret is a secret just made,
// shown this once.
type subscriptionPage struct {
	Sub     service.SubscriptionInfo
	Secret  string
	Created bool
	Done    string
	Problem string
	Errors  map[string]string
	From    string
}

func (s *handlers) handleSubscriptionsPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	done := ""
	if r.URL.Query().Get("done") == "deleted" {
		done = "deleted"
	}
	return s.renderSubscriptions(w, r, a, v, http.StatusOK, subscriptionsPage{Done: done, In: subscriptionForm{Kind: service.SubscriptionWebhook, Types: "*"}})
}

func (s *handlers) renderSubscriptions(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p subscriptionsPage) error {
	subs, err := s.Svc.Subscriptions(r.Context(), a)
	if err != nil {
		return err
	}
	p.Subs = subs
	v.Title, v.Data = v.T("subs.title"), p
	return pages.Render(w, status, "subscriptions", *v)
}

// handleSubscriptionCreate subscribes a webhook and shows its page with
// the secret, once; mistakes are shown next to their fields.
func (s *handlers) handleSubscriptionCreate(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	in := subscriptionForm{Name: r.PostForm.Get("name"), Kind: r.PostForm.Get("kind"), URL: r.PostForm.Get("destination"),
		Types: r.PostForm.Get("event_types"), Stream: r.PostForm.Get("stream"), CreateStream: r.PostForm.Get("create_stream") != ""}
	if in.Kind == "" {
		in.Kind = service.SubscriptionWebhook
	}
	sub, secret, err := s.Svc.CreateSubscription(r.Context(), a, service.SubscriptionInput{Name: in.Name, Kind: in.Kind,
		EventTypes: strings.Fields(strings.ReplaceAll(in.Types, ",", " ")), Destination: in.URL, Stream: in.Stream, CreateStream: in.CreateStream})
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderSubscriptions(w, r, a, v, status, subscriptionsPage{In: in, Problem: prob.Message, Errors: prob.Fields})
	}
	return s.renderSubscription(w, r, a, v, http.StatusCreated, sub.ID, subscriptionPage{Secret: secret, Created: true})
}

func (s *handlers) handleSubscriptionPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	done := ""
	switch d := r.URL.Query().Get("done"); d {
	case "paused", "resumed", "replayed":
		done = d
	}
	return s.renderSubscription(w, r, a, v, http.StatusOK, r.PathValue("id"), subscriptionPage{Done: done})
}

func (s *handlers) renderSubscription(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, id string, p subscriptionPage) error {
	sub, err := s.Svc.Subscription(r.Context(), a, id)
	if err != nil {
		return err
	}
	p.Sub = sub
	if p.From == "" {
		p.From = strconv.FormatInt(sub.Cursor+1, 10)
	}
	v.Title, v.Data = sub.Name, p
	return pages.Render(w, status, "subscription", *v)
}

// subscriptionAction runs a change from the subscription's page and
// goes back to it saying what was done, or shows why it was refused.
func (s *handlers) subscriptionAction(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, done string, fn func(id string) error) error {
	id := r.PathValue("id")
	if err := fn(id); err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderSubscription(w, r, a, v, status, id, subscriptionPage{Problem: prob.Message, Errors: prob.Fields, From: r.PostForm.Get("from")})
	}
	http.Redirect(w, r, "/admin/subscriptions/"+id+"?done="+done, http.StatusSeeOther)
	return nil
}

func (s *handlers) handleSubscriptionPause(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.subscriptionAction(w, r, a, v, "paused", func(id string) error { return s.Svc.PauseSubscription(r.Context(), a, id) })
}

func (s *handlers) handleSubscriptionResume(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.subscriptionAction(w, r, a, v, "resumed", func(id string) error { return s.Svc.ResumeSubscription(r.Context(), a, id) })
}

func (s *handlers) handleSubscriptionReplay(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	return s.subscriptionAction(w, r, a, v, "replayed", func(id string) error {
		from, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("from")), 10, 64)
		if err != nil {
			from = 0 // refused by the service with the numbers it takes
		}
		return s.Svc.ReplaySubscription(r.Context(), a, id, from)
	})
}

// handleSubscriptionRotate makes a new secret and shows it, once.
func (s *handlers) handleSubscriptionRotate(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id := r.PathValue("id")
	secret, err := s.Svc.RotateSubscriptionSecret(r.Context(), a, id)
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderSubscription(w, r, a, v, status, id, subscriptionPage{Problem: prob.Message})
	}
	return s.renderSubscription(w, r, a, v, http.StatusOK, id, subscriptionPage{Secret: secret})
}

func (s *handlers) handleSubscriptionDelete(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := s.Svc.DeleteSubscription(r.Context(), a, r.PathValue("id")); err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderSubscription(w, r, a, v, status, r.PathValue("id"), subscriptionPage{Problem: prob.Message})
	}
	http.Redirect(w, r, "/admin/subscriptions?done=deleted", http.StatusSeeOther)
	return nil
}
