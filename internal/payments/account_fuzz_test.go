package payments

import (
	"errors"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

// FuzzAccount: ParseAccount never panics; it either refuses with an
// EInvalid *trygg.Error that does not repeat the number, or returns an
// account whose normal form parses back to itself and whose String and
// BBAN hold its digits.
func FuzzAccount(f *testing.F) {
	kinds := []Kind{KindBankAccount, KindBankgiro, KindPlusgiro, KindIBAN}
	for _, c := range oneNumberPerRow {
		f.Add(uint8(0), c.clearing, c.number)
		f.Add(uint8(0), c.clearing, c.wrong)
	}
	for _, s := range []struct {
		kind             uint8
		clearing, number string
	}{
		{0, "8424", "4 983 189 224-6"}, {0, "8424-1", "983 189 224-6"}, {0, "3300", "121232-1218"},
		{0, "6475", "39825973"}, {0, "", ""}, {0, "1000", "1"}, {0, "56561", "2466067"},
		{1, "", "5402-9681"}, {1, "", "000-0000"}, {2, "", "4-2"}, {2, "", "410 54 68-6"},
		{3, "", "SE45 5000 0000 0583 9825 7466"}, {3, "", "se45-5000"}, {4, "", "1"},
	} {
		f.Add(s.kind, s.clearing, s.number)
	}
	f.Fuzz(func(t *testing.T, k uint8, clearing, number string) {
		kind := Kind("other")
		if int(k) < len(kinds) {
			kind = kinds[k]
		}
		a, err := ParseAccount(kind, clearing, number)
		if err != nil {
			var e *trygg.Error
			if !errors.As(err, &e) || e.Code != trygg.EInvalid || len(e.Fields) != 1 {
				t.Fatalf("error %v is not an EInvalid *trygg.Error with one field", err)
			}
			if a != (Account{}) {
				t.Fatalf("account %+v with an error", a)
			}
			assertNoNumber(t, e, number)
			return
		}
		if a.Kind != kind {
			t.Fatalf("kind %q, asked for %q", a.Kind, kind)
		}
		again, err := ParseAccount(a.Kind, a.Clearing, a.Number)
		if err != nil || again != a {
			t.Fatalf("normal form %+v parses to %+v, %v", a, again, err)
		}
		if a.Number == "" || a.String() == "" || a.BBAN() == "" {
			t.Fatalf("empty parts in %+v", a)
		}
		if kind == KindBankAccount {
			if len(a.Clearing) < 4 || a.Bank == "" || a.BBAN() != a.Clearing[:4]+a.Number {
				t.Fatalf("bank account %+v", a)
			}
		} else if a.Clearing != "" || a.Bank != "" {
			t.Fatalf("%s with clearing or bank: %+v", kind, a)
		}
	})
}
