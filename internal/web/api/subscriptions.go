package api

import (
	"net/http"
	"time"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Subscriptions to the event log (events out, docs/integrations.md), for
// the system administrator: listed, made, paused, resumed, replayed from
// a position, a webhook's secret rotated, removed.

// newSubscriptionResponse is a subscription just made, with its webhook
// secret, shown this once.
type newSubscriptionResponse struct {
	Subscription service.SubscriptionInfo `json:"subscription"`
	Secret       string                   `json:"secret,omitempty"`
}

// replayRequest moves a subscription's cursor: delivery goes on from the
// event with sequence number from.
type replayRequest struct {
	From int64 `json:"from"`
}

// rotatedSecretResponse is a webhook's new secret, shown this once, and
// when the old one stops signing.
type rotatedSecretResponse struct {
	Secret       string    `json:"secret"`
	RotationEnds time.Time `json:"rotation_ends"`
}

func (s *handlers) handleSubscriptions(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	subs, err := s.Svc.Subscriptions(r.Context(), a)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"subscriptions": subs})
}

func (s *handlers) handleCreateSubscription(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.SubscriptionInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	sub, secret, err := s.Svc.CreateSubscription(r.Context(), a, in)
	if err != nil {
		return err
	}
	info, err := s.Svc.Subscription(r.Context(), a, sub.ID)
	if err != nil {
		return err
	}
	if in.Kind != service.SubscriptionWebhook {
		secret = ""
	}
	return server.Encode(w, http.StatusCreated, newSubscriptionResponse{Subscription: info, Secret: secret})
}

func (s *handlers) handleSubscription(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	info, err := s.Svc.Subscription(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, info)
}

// subscriptionChange answers a change with the subscription after it.
func (s *handlers) subscriptionChange(fn func(r *http.Request, a trygg.Actor, id string) error) func(http.ResponseWriter, *http.Request, trygg.Actor) error {
	return func(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
		if err := fn(r, a, r.PathValue("id")); err != nil {
			return err
		}
		return s.handleSubscription(w, r, a)
	}
}

func (s *handlers) handlePauseSubscription(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	return s.subscriptionChange(func(r *http.Request, a trygg.Actor, id string) error {
		return s.Svc.PauseSubscription(r.Context(), a, id)
	})(w, r, a)
}

func (s *handlers) handleResumeSubscription(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	return s.subscriptionChange(func(r *http.Request, a trygg.Actor, id string) error {
		return s.Svc.ResumeSubscription(r.Context(), a, id)
	})(w, r, a)
}

func (s *handlers) handleReplaySubscription(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[replayRequest](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	return s.subscriptionChange(func(r *http.Request, a trygg.Actor, id string) error {
		return s.Svc.ReplaySubscription(r.Context(), a, id, in.From)
	})(w, r, a)
}

func (s *handlers) handleRotateSubscriptionSecret(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	secret, err := s.Svc.RotateSubscriptionSecret(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	info, err := s.Svc.Subscription(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, rotatedSecretResponse{Secret: secret, RotationEnds: info.PreviousUntil})
}

func (s *handlers) handleDeleteSubscription(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	if err := s.Svc.DeleteSubscription(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
