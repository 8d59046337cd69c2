package incomecheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// File is an income check read from a JSON file, for the demo and tests:
// an array of persons, each
//
//	{"identity_number": "19880412-2384",
//	 "payments": [{"source": "forsakringskassan", "benefit": "child_allowance",
//	               "from": "2026-01", "to": "2026-12", "amount": 250000}],
//	 "unanswered": ["csn"]}
//
// A payment is paid every month from From to To ("YYYY-MM"; no To: still
// paid), Amount öre a month; Unanswered are sources that give no answer
// about the person. A person not in the file has been paid nothing.
type File struct {
	mu      sync.RWMutex
	records map[string]Record
	// Now gives the time of an answer; nil means the wall clock.
	Now func() time.Time
}

// Record is what the file says about one person.
type Record struct {
	Identity   persons.Identity
	Payments   []Payment
	Unanswered []Source
}

// Payment is a monthly payment in the file.
type Payment struct {
	Source  Source  `json:"source"`
	Benefit Benefit `json:"benefit"`
	From    string  `json:"from"`
	To      string  `json:"to,omitempty"`
	Amount  int64   `json:"amount"`
}

// maxAmount bounds a month's payment: 10 million kronor, in öre.
const maxAmount = 1_000_000_000

type fileRecord struct {
	IdentityNumber string    `json:"identity_number"`
	Payments       []Payment `json:"payments"`
	Unanswered     []Source  `json:"unanswered,omitempty"`
}

// NewFile returns an empty income check: everyone has been paid nothing.
func NewFile() *File { return &File{records: map[string]Record{}} }

// LoadFile reads the income-check file at path. A missing file gives an
// empty income check; a malformed one an error naming the file and, for a
// bad record, its position and field (never an identity number or other
// contents).
func LoadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return NewFile(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("income check: %w", err)
	}
	records, err := parseFile(b, trygg.SystemClock{}.Now())
	if err != nil {
		return nil, fmt.Errorf("income check: %s: %w", path, err)
	}
	return &File{records: records}, nil
}

// parseFile reads an income-check file's contents, with identity numbers
// parsed as on today, into records by identity number. It returns an
// error for anything but a JSON array (null is empty) of records with valid
// identity numbers and payments of known sources and benefits, valid
// months and amounts; an error about a record says which (from 0) and
// holds none of the file's values. A later record replaces an earlier one
// with the same number.
func parseFile(b []byte, today time.Time) (map[string]Record, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return nil, errors.New("not a JSON array of records")
		case errors.As(err, &se):
			return nil, fmt.Errorf("not JSON (at byte %d)", se.Offset)
		}
		return nil, errors.New("not JSON")
	}
	records := make(map[string]Record, len(raw))
	for i, m := range raw {
		var fr fileRecord
		dec := json.NewDecoder(bytes.NewReader(m))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fr); err != nil {
			return nil, recordError(i, err)
		}
		id, err := persons.ParseIdentityNumber(fr.IdentityNumber, today)
		if err != nil {
			return nil, fmt.Errorf("record %d: identity_number: %s", i, trygg.ErrorMessage(err))
		}
		if id.Type != persons.IDPersonnummer && id.Type != persons.IDSamordningsnummer {
			return nil, fmt.Errorf("record %d: identity_number: not a personnummer or samordningsnummer", i)
		}
		for j, p := range fr.Payments {
			if err := p.check(); err != nil {
				return nil, fmt.Errorf("record %d: payment %d: %w", i, j, err)
			}
		}
		for j, s := range fr.Unanswered {
			if !knownSource(s) {
				return nil, fmt.Errorf("record %d: unanswered %d: not a known source", i, j)
			}
		}
		records[id.Value] = Record{Identity: id, Payments: fr.Payments, Unanswered: fr.Unanswered}
	}
	return records, nil
}

// check returns why p is not a valid payment, naming the field and never
// its value.
func (p Payment) check() error {
	if !knownSource(p.Source) {
		return errors.New("source: not a known source")
	}
	if !slices.Contains(Benefits[p.Source], p.Benefit) {
		return errors.New("benefit: not a benefit the source reports")
	}
	if _, err := time.Parse("2006-01", p.From); err != nil {
		return errors.New("from: not a month (YYYY-MM)")
	}
	if p.To != "" {
		if _, err := time.Parse("2006-01", p.To); err != nil {
			return errors.New("to: not a month (YYYY-MM)")
		}
		if p.To < p.From {
			return errors.New("to: before from")
		}
	}
	if p.Amount <= 0 || p.Amount > maxAmount {
		return errors.New("amount: not between 1 öre and 10 million kronor")
	}
	return nil
}

// recordError says why record i could not be read: not an object, a field
// of the wrong JSON type or one the format does not have. It names the
// format's fields and kinds of values, never a value or an unknown name.
func recordError(i int, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		got, _, _ := strings.Cut(te.Value, " ")
		if te.Field == "" {
			return fmt.Errorf("record %d: a JSON %s, not an object", i, got)
		}
		known := false
		for _, f := range []string{"identity_number", "payments", "unanswered", "source", "benefit", "from", "to", "amount"} {
			if te.Field == f || strings.HasSuffix(te.Field, "."+f) {
				known = true
			}
		}
		if known {
			return fmt.Errorf("record %d: a field is a JSON %s, not a %s", i, got, te.Type.Kind())
		}
		return fmt.Errorf("record %d: a field has the wrong JSON type", i)
	}
	if strings.HasPrefix(err.Error(), "json: unknown field") {
		return fmt.Errorf("record %d: a field the format does not have", i)
	}
	return fmt.Errorf("record %d: not a valid record", i)
}

// Add puts a record in the file's income check (replacing one with the
// same number).
func (f *File) Add(rec Record) {
	f.mu.Lock()
	f.records[rec.Identity.Value] = rec
	f.mu.Unlock()
}

// Save writes the income check to path atomically.
func (f *File) Save(path string) error {
	f.mu.RLock()
	recs := make([]fileRecord, 0, len(f.records))
	for _, rec := range f.records {
		recs = append(recs, fileRecord{IdentityNumber: rec.Identity.String(), Payments: rec.Payments, Unanswered: rec.Unanswered})
	}
	f.mu.RUnlock()
	slices.SortFunc(recs, func(a, b fileRecord) int { return strings.Compare(a.IdentityNumber, b.IdentityNumber) })
	b, err := json.MarshalIndent(recs, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("income check: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("income check: %w", err)
	}
	return os.Rename(tmp, path)
}

// Incomes answers from the file: for each of the period's months, every
// payment of the person's that runs in it, source by source in the order
// of Sources. A person not in the file has been paid nothing.
func (f *File) Incomes(_ context.Context, id persons.Identity, period Period) (Answer, error) {
	if err := period.Valid(); err != nil {
		return Answer{}, err
	}
	now := time.Now().UTC()
	if f.Now != nil {
		now = f.Now()
	}
	f.mu.RLock()
	rec := f.records[id.Value]
	f.mu.RUnlock()
	a := Answer{Period: period, AnsweredAt: now, Incomes: []Income{}, Unanswered: slices.Clone(rec.Unanswered)}
	for _, src := range Sources {
		if slices.Contains(rec.Unanswered, src) {
			continue
		}
		for _, month := range period.Months() {
			for _, p := range rec.Payments {
				if p.Source == src && p.From <= month && (p.To == "" || month <= p.To) {
					a.Incomes = append(a.Incomes, Income{Source: src, Benefit: p.Benefit, Month: month, Amount: p.Amount})
				}
			}
		}
	}
	return a, nil
}
