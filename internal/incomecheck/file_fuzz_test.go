package incomecheck

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/trygg/trygg/internal/persons"
)

// FuzzIncomeFile feeds arbitrary bytes to the income-check file's parser
// (what LoadFile reads). It must not panic; it either refuses the file
// with an error that holds no run of six digits of the input (so no
// identity number), or every record it returns has an identity number
// that parses again to itself and payments of known sources and benefits,
// in months, with amounts in bounds; and the answers it gives for a year
// hold only such payments.
func FuzzIncomeFile(f *testing.F) {
	f.Add([]byte(`[{"identity_number":"19910415-9901","payments":[{"source":"forsakringskassan","benefit":"child_allowance","from":"2026-01","amount":250000}],"unanswered":["csn"]}]`))
	f.Add([]byte(`[{"identity_number":"19121212-1212","payments":[{"source":"skatteverket","benefit":"salary","from":"2025-11","to":"2026-02","amount":2500000}]}]`))
	f.Add([]byte(`[{"identity_number":"19910415-9901","payments":[{"source":"a_kassa","benefit":"salary","from":"2026-01","amount":1}]}]`))
	f.Add([]byte(`[{"identity_number":"19910415-9901","x19910415":1}]`))
	days := []time.Time{time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, data []byte) {
		digits := strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) && r < 128 {
				return r
			}
			return -1
		}, string(data))
		for _, today := range days {
			records, err := parseFile(data, today)
			if err != nil {
				if records != nil {
					t.Fatalf("records %v with error %v", records, err)
				}
				msg := err.Error()
				for i := 0; i+6 <= len(digits); i++ {
					if strings.Contains(msg, digits[i:i+6]) {
						t.Fatalf("error %q contains digits of the input", msg)
					}
				}
				continue
			}
			file := &File{records: records}
			for key, rec := range records {
				id := rec.Identity
				if key != id.Value || (id.Type != persons.IDPersonnummer && id.Type != persons.IDSamordningsnummer) {
					t.Fatalf("record under %q has identity %+v", key, id)
				}
				if again, err := persons.ParseIdentityNumber(id.String(), today); err != nil || again != id {
					t.Fatalf("identity does not parse again: %+v, %v", again, err)
				}
				for _, p := range rec.Payments {
					if err := p.check(); err != nil {
						t.Fatalf("payment %+v kept: %v", p, err)
					}
				}
				a, err := file.Incomes(context.Background(), id, Period{"2026-01", "2026-12"})
				if err != nil {
					t.Fatal(err)
				}
				for _, in := range a.Incomes {
					if !slices.Contains(Benefits[in.Source], in.Benefit) || in.Amount <= 0 || in.Month < "2026-01" || in.Month > "2026-12" {
						t.Fatalf("answer holds %+v", in)
					}
				}
			}
		}
	})
}
