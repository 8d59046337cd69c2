package api

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
)

// TestPaymentCSVLanguage: the basis for payment's header row and total
// are in the language asked for, Swedish by default.
func TestPaymentCSVLanguage(t *testing.T) {
	pb := service.PaymentBasis{Provider: store.Provider{Name: "Omsorg AB"}, Month: "2026-01", Minutes: 90,
		Rows: []service.PaymentRow{{OrderID: "o1", Name: "Anna", Minutes: 90, Visits: 2}}}
	tests := []struct {
		lang  string
		head  []string
		total string
	}{
		{"sv", []string{"Utförare", "Månad", "Uppdrag", "Personnummer", "Namn", "Insats", "Planerade timmar", "Utförda timmar", "Besök", "Avvikelser"}, "Summa"},
		{"en", []string{"Provider", "Month", "Order", "Identity number", "Name", "Service", "Planned hours", "Performed hours", "Visits", "Deviations"}, "Total"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			var b bytes.Buffer
			if err := writePaymentCSV(&b, pb, tt.lang); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b.Bytes(), []byte("\uFEFF")))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 3 || !slices.Equal(recs[0], tt.head) || recs[2][2] != tt.total {
				t.Errorf("got %q, want the header %q and the total %q", recs, tt.head, tt.total)
			}
		})
	}
}
