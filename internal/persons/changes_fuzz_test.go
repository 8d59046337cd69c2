package persons

import (
	"bytes"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/storedtext"
)

// FuzzChanges feeds arbitrary bytes to the change-file parser
// (ParseChanges). It must not panic; every line that is not empty or a
// comment is either a change or an error, never both; an error names its
// line and either no change id or the line's own first field, and its
// reason holds no digits of the input; every change has a valid id and
// date, a known kind, identity numbers that parse again to themselves,
// and an address that is one line of stored text.
func FuzzChanges(f *testing.F) {
	f.Add([]byte("A1;2026-12-01;address;" + chOld + ";Storgatan 1;123 45;Trygstad\n"))
	f.Add([]byte("A2;2026-12-01;protection;19121212-1212;skyddad_folkbokforing\r\n# comment\n\nA3;2026-12-02;death;" + chOld + ";2026-11-30"))
	f.Add([]byte("A5;2026-12-02;custody;" + chChild + ";" + chMother + "," + chStep + "\nA5;2026-12-02;custody;" + chChild + ";\n"))
	f.Add([]byte("A7;2026-12-02;identity;" + chOld + ";" + chOldNew + "\n" + chOld + ";x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		digits := onlyDigits(string(data))
		for _, today := range fuzzDays {
			changes, errs := ParseChanges(data, today)
			lines := bytes.Split(data, []byte("\n"))
			records := 0
			for _, l := range lines {
				l = bytes.TrimSuffix(l, []byte("\r"))
				if len(bytes.TrimSpace(l)) > 0 && l[0] != '#' {
					records++
				}
			}
			if len(changes)+len(errs) != records {
				t.Fatalf("%d changes and %d errors for %d records", len(changes), len(errs), records)
			}
			for _, e := range errs {
				if e.Line < 1 || e.Line > len(lines) || e.Reason == "" {
					t.Fatalf("error %+v", e)
				}
				if e.ChangeID != "" {
					first, _, _ := strings.Cut(string(lines[e.Line-1]), ";")
					if !validChangeID(e.ChangeID) || e.ChangeID != strings.TrimSpace(strings.TrimSuffix(first, "\r")) {
						t.Fatalf("error %+v names a change id that is not its line's", e)
					}
				}
				for i := 0; i+6 <= len(digits); i++ {
					if strings.Contains(e.Reason, digits[i:i+6]) {
						t.Fatalf("reason %q contains digits of the input", e.Reason)
					}
				}
			}
			for _, c := range changes {
				if !validChangeID(c.ID) || !validDate(c.Date) || c.Refused != "" {
					t.Fatalf("change %+v", c)
				}
				ids := append([]Identity{c.Identity}, c.Guardians...)
				switch c.Kind {
				case ChangeAddress:
					for _, v := range []string{c.Address.Street, c.Address.PostalCode, c.Address.City} {
						if n, err := storedtext.Normalize(v, storedtext.Line); err != nil || n != v {
							t.Fatalf("address text %q is not stored text (%v)", v, err)
						}
					}
				case ChangeProtection:
					if c.Protection < ProtectionNone || c.Protection > ProtectionProtected {
						t.Fatalf("protection %d", c.Protection)
					}
				case ChangeDeath:
					if !validDate(c.DiedOn) || c.DiedOn > c.Date {
						t.Fatalf("date of death %q on %q", c.DiedOn, c.Date)
					}
				case ChangeCustody:
					if len(c.Guardians) > 2 {
						t.Fatalf("%d guardians", len(c.Guardians))
					}
				case ChangeIdentity:
					ids = append(ids, c.NewIdentity)
				default:
					t.Fatalf("kind %q", c.Kind)
				}
				for _, id := range ids {
					again, err := ParseIdentityNumber(id.String(), today)
					if err != nil || again != id || id.Type == IDReserve {
						t.Fatalf("identity does not parse again: %+v, %v; want %+v", again, err, id)
					}
				}
			}
		}
	})
}
