package persons

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/storedtext"
)

// ChangeKind is what a population-registry change is about.
type ChangeKind string

// The kinds of change the population registry notifies (docs/integrations.md,
// "Population registry changes").
const (
	// ChangeAddress is a new address (folkbokföringsadress).
	ChangeAddress ChangeKind = "address"
	// ChangeProtection sets or lifts a protected identity.
	ChangeProtection ChangeKind = "protection"
	// ChangeDeath is a death, with its date.
	ChangeDeath ChangeKind = "death"
	// ChangeCustody names who has custody of a child (vårdnadshavare):
	// the whole set from the change's date, none to two persons.
	ChangeCustody ChangeKind = "custody"
	// ChangeIdentity is a new identity number (a samordningsnummer that
	// becomes a personnummer, a corrected number).
	ChangeIdentity ChangeKind = "identity"
)

// Change is one change the population registry notifies about a person.
type Change struct {
	// ID is the registry's id of the change, unique within the feed: a
	// change whose id was applied already is not applied again.
	ID string
	// Date is the day (YYYY-MM-DD) the change takes effect.
	Date string
	Kind ChangeKind
	// Identity is whom the change is about (the child, for custody).
	Identity Identity
	// Address is the new address (ChangeAddress).
	Address Address
	// Protection is the new level (ChangeProtection).
	Protection Protection
	// DiedOn is the date of death, YYYY-MM-DD (ChangeDeath).
	DiedOn string
	// Guardians are the child's guardians from Date (ChangeCustody).
	Guardians []Identity
	// NewIdentity is the person's identity from now on (ChangeIdentity).
	NewIdentity Identity
	// Position is where the change is in its feed; the feed returns the
	// changes after a position (Registry.Changes).
	Position string
	// Refused says why the record could not be read ("" when it could):
	// a feed hands bad records on too, so they are seen and passed.
	// It names fields, never their values.
	Refused string
	// line is the line of its file the change was read from.
	line int
}

// ChangeError is a change record that could not be read: its line and,
// when the line has a valid one, its change id. Reason names the field
// that is wrong and never holds the record's personal content.
type ChangeError struct {
	Line     int
	ChangeID string
	Reason   string
}

// Error returns "line N, change ID: reason".
func (e ChangeError) Error() string {
	if e.ChangeID == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, change %s: %s", e.Line, e.ChangeID, e.Reason)
}

// maxChangeLine bounds a record's length in bytes.
const maxChangeLine = 2000

// maxChangeID bounds a change id's length.
const maxChangeID = 64

// validChangeID reports whether s is a change id: a letter, then up to 63
// letters, digits, '.', '_' or '-'. Starting with a letter, it can never
// be an identity number.
func validChangeID(s string) bool {
	if len(s) == 0 || len(s) > maxChangeID {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		switch {
		case letter:
		case i > 0 && (c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// validDate reports whether s is a date YYYY-MM-DD.
func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// ParseChanges reads a change file (docs/integrations.md): one change a
// line, fields separated by ';', lines that are empty or start with '#'
// skipped, identity numbers parsed as on today. It returns the changes it
// could read, in the file's order, and an error for every record it could
// not, with its line (from 1) and change id; a record whose change id was
// used by an earlier line of the file is an error too. The changes have
// no Position (the feed gives it). No error holds a record's content but
// its change id.
func ParseChanges(b []byte, today time.Time) ([]Change, []ChangeError) {
	var out []Change
	var errs []ChangeError
	seen := map[string]bool{}
	for n := 1; len(b) > 0; n++ {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 || line[0] == '#' {
			continue
		}
		c, err := parseChange(line, today)
		if err == nil && seen[c.ID] {
			err = &ChangeError{ChangeID: c.ID, Reason: "the change id is used by an earlier line"}
		}
		if err != nil {
			err.Line = n
			errs = append(errs, *err)
			continue
		}
		seen[c.ID] = true
		c.line = n
		out = append(out, c)
	}
	return out, errs
}

// changeFields is how many fields each kind's record has.
var changeFields = map[ChangeKind]int{ChangeAddress: 7, ChangeProtection: 5, ChangeDeath: 5, ChangeCustody: 5, ChangeIdentity: 5}

// parseChange reads one record; its error has no line yet.
func parseChange(line []byte, today time.Time) (Change, *ChangeError) {
	if len(line) > maxChangeLine {
		return Change{}, &ChangeError{Reason: fmt.Sprintf("longer than %d bytes", maxChangeLine)}
	}
	if !utf8.Valid(line) {
		return Change{}, &ChangeError{Reason: "not UTF-8"}
	}
	f := strings.Split(string(line), ";")
	var c Change
	if !validChangeID(strings.TrimSpace(f[0])) {
		return c, &ChangeError{Reason: "the change id is missing or not a letter followed by letters, digits, '.', '_' or '-' (at most 64)"}
	}
	c.ID = strings.TrimSpace(f[0])
	bad := func(format string, args ...any) (Change, *ChangeError) {
		return Change{}, &ChangeError{ChangeID: c.ID, Reason: fmt.Sprintf(format, args...)}
	}
	if len(f) < 3 {
		return bad("too few fields")
	}
	c.Kind = ChangeKind(strings.TrimSpace(f[2]))
	want, ok := changeFields[c.Kind]
	if !ok {
		return bad("unknown kind of change (address, protection, death, custody or identity)")
	}
	if len(f) != want {
		return bad("a %s change has %d fields, this one %d", c.Kind, want, len(f))
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	if c.Date = f[1]; !validDate(c.Date) {
		return bad("the date is not a date YYYY-MM-DD")
	}
	id, err := parseRegistryNumber(f[3], today)
	if err != "" {
		return bad("the identity number %s", err)
	}
	c.Identity = id
	switch c.Kind {
	case ChangeAddress:
		for i, fl := range []struct {
			name  string
			value *string
			max   int
		}{{"street", &c.Address.Street, 200}, {"postal code", &c.Address.PostalCode, 10}, {"city", &c.Address.City, 100}} {
			v, err := storedtext.Normalize(f[4+i], storedtext.Line)
			if err != nil {
				return bad("the %s: %s", fl.name, err.Error())
			}
			if utf8.RuneCountInString(v) > fl.max {
				return bad("the %s is longer than %d characters", fl.name, fl.max)
			}
			*fl.value = v
		}
	case ChangeProtection:
		p, err := ParseProtection(f[4])
		if err != nil {
			return bad("the protection is not none, sekretessmarkering or skyddad_folkbokforing")
		}
		c.Protection = p
	case ChangeDeath:
		if c.DiedOn = f[4]; !validDate(c.DiedOn) {
			return bad("the date of death is not a date YYYY-MM-DD")
		}
		if c.DiedOn > c.Date {
			return bad("the date of death is after the change's date")
		}
		if b, ok := c.Identity.BirthDate(); ok && c.DiedOn < b.Format(time.DateOnly) {
			return bad("the date of death is before the birth date")
		}
	case ChangeCustody:
		if f[4] != "" {
			for g := range strings.SplitSeq(f[4], ",") {
				gid, err := parseRegistryNumber(strings.TrimSpace(g), today)
				if err != "" {
					return bad("a guardian's identity number %s", err)
				}
				if gid == c.Identity {
					return bad("a child cannot be its own guardian")
				}
				for _, other := range c.Guardians {
					if other == gid {
						return bad("a guardian is named twice")
					}
				}
				c.Guardians = append(c.Guardians, gid)
			}
		}
		if len(c.Guardians) > 2 {
			return bad("more than two guardians")
		}
	case ChangeIdentity:
		nid, err := parseRegistryNumber(f[4], today)
		if err != "" {
			return bad("the new identity number %s", err)
		}
		if nid == c.Identity {
			return bad("the new identity number is the old one")
		}
		c.NewIdentity = nid
	}
	return c, nil
}

// parseRegistryNumber parses a personnummer or samordningsnummer; the
// reason it is refused ("" when it is not) never holds the number.
func parseRegistryNumber(s string, today time.Time) (Identity, string) {
	if s == "" {
		return Identity{}, "is missing"
	}
	id, err := ParseIdentityNumber(s, today)
	if err != nil {
		return Identity{}, "is not valid"
	}
	return id, ""
}
