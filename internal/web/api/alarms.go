package api

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Welfare-technology alarms: the alarm receiving centres' clients (for
// system administrators), the alarm events a centre posts, the devices a
// provider records on its orders and the provider's open alarms.

type alarmCentreRequest struct {
	Name string `json:"name"`
}

func (s *handlers) handleCreateAlarmCentre(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[alarmCentreRequest](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	c, err := s.Svc.CreateAlarmCentre(r.Context(), a, in.Name)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusCreated, c)
}

func (s *handlers) handleAlarmCentres(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	cs, err := s.Svc.AlarmCentres(r.Context(), a)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"centres": cs})
}

func (s *handlers) handleRevokeAlarmCentre(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	if err := s.Svc.RevokeAlarmCentre(r.Context(), a, r.PathValue("client")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handlePostAlarm takes an event of an alarm from an alarm receiving
// centre. The first post of an event id answers 201 with the alarm; a
// repeat of the same event answers the same, marked with the header
// Idempotent-Replayed: true, and changes nothing.
func (s *handlers) handlePostAlarm(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return trygg.Errorf(trygg.EInvalid, "The body must be JSON (Content-Type: application/json).")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.Cfg.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return trygg.Errorf(trygg.ETooLarge, "The alarm event is larger than 4 KiB.")
	}
	if err != nil {
		return err
	}
	in, err := service.ParseAlarmPost(body)
	if err != nil {
		return err
	}
	res, replayed, err := s.Svc.PostAlarm(r.Context(), a, in)
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return server.Encode(w, http.StatusCreated, res)
}

func (s *handlers) handleProviderAlarms(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	tasks, err := s.Svc.ProviderAlarms(r.Context(), a)
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"alarms": tasks})
}

func (s *handlers) handleOrderDevices(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	ds, err := s.Svc.OrderDevices(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return server.Encode(w, http.StatusOK, map[string]any{"devices": ds})
}

func (s *handlers) handleRegisterDevice(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	in, err := server.Decode[service.DeviceInput](w, r, s.Cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	if err := s.Svc.RegisterAlarmDevice(r.Context(), a, r.PathValue("id"), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
