// Package persons holds the people trygg serves: identity numbers, names,
// addresses, protection levels, the relations through which one person acts
// for another, and the population registry they come from.
package persons

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/storedtext"
	"github.com/trygg/trygg/internal/trygg"
)

// Protection is a person's level of protected identity.
type Protection int

// The protection levels, from the population registry.
const (
	ProtectionNone      Protection = 0
	ProtectionMarked    Protection = 1 // sekretessmarkering (Navet 01003)
	ProtectionProtected Protection = 2 // skyddad folkbokföring (Navet 01020)
)

// String returns the API name of the level.
func (p Protection) String() string {
	switch p {
	case ProtectionMarked:
		return "sekretessmarkering"
	case ProtectionProtected:
		return "skyddad_folkbokforing"
	}
	return "none"
}

// ParseProtection parses an API name of a level.
func ParseProtection(s string) (Protection, error) {
	for _, p := range []Protection{ProtectionNone, ProtectionMarked, ProtectionProtected} {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, trygg.Invalid("Unknown protection level.", map[string]string{"protection": "Must be none, sekretessmarkering or skyddad_folkbokforing."})
}

// MarshalJSON writes the API name.
func (p Protection) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads the API name.
func (p *Protection) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseProtection(s)
	*p = v
	return err
}

// Address is a postal address.
type Address struct {
	Street     string `json:"street"`
	PostalCode string `json:"postal_code"`
	City       string `json:"city"`
}

// Person is someone trygg holds data about.
type Person struct {
	ID         string     `json:"id"`
	Identity   Identity   `json:"-"`
	GivenName  string     `json:"given_name"`
	FamilyName string     `json:"family_name"`
	BirthDate  string     `json:"birth_date,omitempty"` // YYYY-MM-DD when known
	Sex        string     `json:"sex,omitempty"`        // "M", "F" or ""
	Address    Address    `json:"address"`
	Protection Protection `json:"protection"`
	// DiedOn is the day the person died (YYYY-MM-DD), as the population
	// registry said; "" while they live.
	DiedOn string `json:"died_on,omitempty"`
}

// NameSearch is the "family given" form used for name search, in
// NameKey's form.
func (p Person) NameSearch() string {
	return NameKey(p.FamilyName + " " + p.GivenName)
}

// Validate checks names and address lengths; the identity is validated when
// parsed.
func (p Person) Validate() error {
	fields := map[string]string{}
	check := func(name, v string, required bool, max int) {
		switch {
		case required && strings.TrimSpace(v) == "":
			fields[name] = "Required."
		case utf8.RuneCountInString(v) > max:
			fields[name] = fmt.Sprintf("Longer than %d characters.", max)
		case storedtext.Check(v, storedtext.Line) != nil:
			fields[name] = storedtext.Check(v, storedtext.Line).Error()
		}
	}
	check("given_name", p.GivenName, true, 100)
	check("family_name", p.FamilyName, true, 100)
	check("address.street", p.Address.Street, false, 200)
	check("address.postal_code", p.Address.PostalCode, false, 10)
	check("address.city", p.Address.City, false, 100)
	if len(fields) > 0 {
		return trygg.Invalid("The person's details are not valid.", fields)
	}
	return nil
}

// RelationKind is how one person may act for another.
type RelationKind string

// The relation kinds.
const (
	RelGuardian       RelationKind = "guardian"       // vårdnadshavare
	RelRepresentative RelationKind = "representative" // ombud
	RelGodMan         RelationKind = "god_man"        // god man
	RelForvaltare     RelationKind = "forvaltare"     // förvaltare
)

// Valid reports whether k is a known kind.
func (k RelationKind) Valid() bool {
	switch k {
	case RelGuardian, RelRepresentative, RelGodMan, RelForvaltare:
		return true
	}
	return false
}

// Relation says that From acts for To, between ValidFrom and ValidTo
// (dates YYYY-MM-DD; empty means open).
type Relation struct {
	ID           string       `json:"id"`
	FromPersonID string       `json:"from_person_id"`
	ToPersonID   string       `json:"to_person_id"`
	Kind         RelationKind `json:"kind"`
	ValidFrom    string       `json:"valid_from,omitempty"`
	ValidTo      string       `json:"valid_to,omitempty"`
}

// RegistryRecord is what the population registry tells about a person.
type RegistryRecord struct {
	Identity   Identity
	GivenName  string
	FamilyName string
	Address    Address
	Protection Protection
	// Partner is the person's spouse or registered partner (make, maka,
	// registrerad partner), when the registry has one; the zero Identity
	// otherwise. Cohabitants (sambor) are not registered.
	Partner Identity
	// DiedOn is the date of death (YYYY-MM-DD), "" while the person lives.
	DiedOn string
	// Guardians are those with custody of the person (vårdnadshavare),
	// as the registry's custody changes said; nil when none said.
	Guardians []Identity
}

// Registry is the population registry (folkbokföringen, via Navet). The demo
// uses FileRegistry; the real adapter comes behind the same interface.
type Registry interface {
	// Lookup returns the record for id, or a not-found error.
	Lookup(ctx context.Context, id Identity) (RegistryRecord, error)
	// Changes returns up to limit of the registry's changes after the
	// position after ("" for the first), in the order they are to be
	// applied (changes.go), records that could not be read among them
	// (their Refused set); none when there are no more. It returns an
	// error when the changes cannot be read now.
	Changes(ctx context.Context, after string, limit int) ([]Change, error)
}

// FileRegistry is a population registry read from a JSON file: an array of
// {"identity_number", "given_name", "family_name", "street", "postal_code",
// "city", "protection", "partner_identity_number"}. It is for the demo and
// tests.
type FileRegistry struct {
	mu      sync.RWMutex
	records map[string]RegistryRecord
	// changes is the folder of change files (changes_file.go); nil: none.
	changes *changeFolder
}

type fileRecord struct {
	IdentityNumber string     `json:"identity_number"`
	GivenName      string     `json:"given_name"`
	FamilyName     string     `json:"family_name"`
	Street         string     `json:"street"`
	PostalCode     string     `json:"postal_code"`
	City           string     `json:"city"`
	Protection     Protection `json:"protection"`
	// PartnerIdentityNumber is the spouse's or registered partner's.
	PartnerIdentityNumber string `json:"partner_identity_number,omitempty"`
}

// NewFileRegistry returns an empty registry.
func NewFileRegistry() *FileRegistry {
	return &FileRegistry{records: map[string]RegistryRecord{}}
}

// LoadFileRegistry reads the registry file at path. A missing file gives an
// empty registry; a malformed one an error naming the file and, for a bad
// record, its position (never its identity number or other contents).
// Every record loaded has a valid identity number and a known protection
// level; a later record replaces an earlier one with the same number.
//
// The file is read a record at a time; the registry keeps every record
// in memory (about 400 bytes a person).
func LoadFileRegistry(path string) (*FileRegistry, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return NewFileRegistry(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer f.Close()
	records := map[string]RegistryRecord{}
	if err := readRegistry(bufio.NewReaderSize(f, 1<<16), trygg.SystemClock{}.Now(), func(rec RegistryRecord) {
		records[rec.Identity.Value] = rec
	}); err != nil {
		return nil, fmt.Errorf("registry: %s: %w", path, err)
	}
	return &FileRegistry{records: records}, nil
}

// parseRegistry reads a registry file's contents, with identity numbers
// parsed as on today, into records by identity number. It returns an error
// for anything but a JSON array (null is empty) of records with valid
// identity numbers and known protection levels; an error about a record
// says which (from 0) and holds none of the file's values.
func parseRegistry(b []byte, today time.Time) (map[string]RegistryRecord, error) {
	records := map[string]RegistryRecord{}
	if err := readRegistry(bytes.NewReader(b), today, func(rec RegistryRecord) { records[rec.Identity.Value] = rec }); err != nil {
		return nil, err
	}
	return records, nil
}

// recordError says why record i could not be read: a field of the wrong
// JSON type, or a value the field refuses (an unknown protection level).
// It names fields and kinds of values, never a value.
func recordError(i int, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// Value is the kind ("number"), in some Go versions followed by
		// the literal, which is cut off.
		got, _, _ := strings.Cut(te.Value, " ")
		if te.Field == "" {
			return fmt.Errorf("record %d: a JSON %s, not an object", i, got)
		}
		return fmt.Errorf("record %d: %s is a JSON %s, not a %s", i, te.Field, got, te.Type.Kind())
	}
	var e *trygg.Error
	if errors.As(err, &e) {
		msg := e.Message
		for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
			msg += " " + e.Fields[k]
		}
		return fmt.Errorf("record %d: %s", i, msg)
	}
	return fmt.Errorf("record %d: not a valid record", i)
}

// Add puts a record in the registry (replacing one with the same number).
func (r *FileRegistry) Add(rec RegistryRecord) {
	r.mu.Lock()
	r.records[rec.Identity.Value] = rec
	r.mu.Unlock()
}

// Save writes the registry to path atomically, a record a line in the
// order of their identity numbers.
func (r *FileRegistry) Save(path string) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	w, err := CreateRegistryFile(path)
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(r.records)) {
		if err := w.Write(r.records[k]); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

// Lookup returns the record for id or a not-found error.
func (r *FileRegistry) Lookup(_ context.Context, id Identity) (RegistryRecord, error) {
	r.mu.RLock()
	rec, ok := r.records[id.Value]
	r.mu.RUnlock()
	if !ok {
		return RegistryRecord{}, trygg.Errorf(trygg.ENotFound, "The identity number is not in the population registry.")
	}
	return rec, nil
}
