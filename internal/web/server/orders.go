package server

import (
	"fmt"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/store"
)

// Orders to providers in plain words, as the case page and the provider
// pages both show them (the templates' orderStatus and duration).

// endReasons are the service's reasons for ending an order, by message key.
var endReasons = map[string]string{
	"The citizen chose another provider.":         "order.end.chose",
	"A new decision no longer grants the insats.": "order.end.refused",
	"The case was closed.":                        "order.end.closed",
}

// endReason returns an order's end reason in the user's language.
func endReason(t func(string) string, reason string) string {
	if k, ok := endReasons[reason]; ok {
		return t(k)
	}
	return reason
}

// FormatMinutes writes minutes as hours and minutes ("12 h 30 min").
func FormatMinutes(m int) string {
	if m < 0 {
		return "−" + FormatMinutes(-m)
	}
	h, mm := m/60, m%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", mm)
	case mm == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, mm)
}

// orderStatus says where an order stands, in plain words: sent (when),
// received from (the start), returned (why), ended (when, why).
func orderStatus(t func(string) string, o store.Order) string {
	switch o.Status {
	case store.OrderSent:
		return fmt.Sprintf(t("order.status.sent"), calendar.Today(o.CreatedAt))
	case store.OrderAccepted:
		return fmt.Sprintf(t("order.status.accepted"), o.StartDate)
	case store.OrderReturned:
		return fmt.Sprintf(t("order.status.returned"), o.ReturnReason)
	case store.OrderEnded:
		return fmt.Sprintf(t("order.status.ended"), o.EndedOn, endReason(t, o.EndReason))
	}
	return o.Status
}
