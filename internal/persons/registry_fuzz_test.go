package persons

import (
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/storedtext"
)

// FuzzRegistryFile feeds arbitrary bytes to the registry file's parser
// (what LoadFileRegistry reads). It must not panic; it either refuses the
// file with an error that holds no identity number of the input, or every
// record it returns has an identity number that parses again to itself, a
// known protection level, and names and address that are one line of text
// in normalisation form C, with no control or text-direction character.
// The seeds are in
// testdata/fuzz/FuzzRegistryFile.
func FuzzRegistryFile(f *testing.F) {
	f.Add([]byte(`[{"identity_number":"19121212-1212","given_name":"Tolvan","family_name":"Tolvansson","protection":"none"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		digits := onlyDigits(string(data))
		for _, today := range fuzzDays {
			records, err := parseRegistry(data, today)
			if err != nil {
				if records != nil {
					t.Fatalf("records %v with error %v", records, err)
				}
				msg := err.Error()
				if msg == "" {
					t.Fatal("empty error")
				}
				for i := 0; i+6 <= len(digits); i++ {
					if strings.Contains(msg, digits[i:i+6]) {
						t.Fatalf("error %q contains digits of the input", msg)
					}
				}
				continue
			}
			for key, rec := range records {
				id := rec.Identity
				if key != id.Value {
					t.Fatalf("record under %q has identity %q", key, id.Value)
				}
				if id.Type != IDPersonnummer && id.Type != IDSamordningsnummer {
					t.Fatalf("identity of type %q", id.Type)
				}
				again, err := ParseIdentityNumber(id.String(), today)
				if err != nil || again != id {
					t.Fatalf("identity does not parse again: %+v, %v; want %+v", again, err, id)
				}
				for _, v := range []string{rec.GivenName, rec.FamilyName, rec.Address.Street, rec.Address.PostalCode, rec.Address.City} {
					if n, err := storedtext.Normalize(v, storedtext.Line); err != nil || n != v {
						t.Fatalf("record text %q is not stored text (%v)", v, err)
					}
				}
				switch rec.Protection {
				case ProtectionNone, ProtectionMarked, ProtectionProtected:
				default:
					t.Fatalf("protection %d", rec.Protection)
				}
			}
		}
	})
}
