package provider

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// handleProviderDevice records the device the provider installed (a
// safety alarm) on the order, so the alarm receiving centre's alarms
// that name it find the person.
func (s *handlers) handleProviderDevice(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id, err := postedID(w, r, a)
	if err != nil {
		return err
	}
	in := service.DeviceInput{DeviceID: strings.TrimSpace(r.PostForm.Get("device_id"))}
	if err := s.Svc.RegisterAlarmDevice(r.Context(), a, id, in); err != nil {
		return s.refusedOnOrder(w, r, a, v, id, "device", err)
	}
	http.Redirect(w, r, "/provider/orders/"+url.PathEscape(id)+"?done=device", http.StatusSeeOther)
	return nil
}
