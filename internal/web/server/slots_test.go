package server

import (
	"testing"
	"time"

	"github.com/trygg/trygg/internal/store"
)

// TestSlotChoice: a meeting time reads as its weekday, date and clock in
// the reader's language, and its kind in words.
func TestSlotChoice(t *testing.T) {
	s := store.Slot{ID: "s1", StartsAt: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC), Minutes: 45, Kind: "phone"}
	tests := []struct {
		lang, when, kind string
	}{
		{"sv", "onsdag 2026-03-04, kl. 10.00–10.45", "Per telefon"},
		{"en", "Wednesday 2026-03-04, 10:00–10:45", "By phone"},
	}
	for _, tt := range tests {
		v := ViewIn(tt.lang)
		if got := SlotChoiceOf(s, &v); got.When != tt.when || got.Kind != tt.kind {
			t.Errorf("%s: %q, %q; want %q, %q", tt.lang, got.When, got.Kind, tt.when, tt.kind)
		}
	}
}
