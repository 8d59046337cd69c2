package legacy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// Format is the file format of a kind's file.
type Format string

// The formats.
const (
	FormatCSV   Format = "csv"
	FormatJSONL Format = "jsonl"
)

// ManifestName is the manifest's file name in an export's folder, and
// FilesDir the folder of documents' files.
const (
	ManifestName = "manifest.json"
	FilesDir     = "files"
)

// Version is the format version this package reads and writes.
const Version = 1

// Manifest describes an export: which system and district it is from,
// when it was made, its encoding, and control totals — the number of
// records of each kind and the sum of the payments' amounts — that the
// reconciliation checks the import against.
type Manifest struct {
	Version  int    `json:"version"`
	System   string `json:"system,omitempty"`
	District string `json:"district,omitempty"`
	Exported Time   `json:"exported,omitempty"`
	// Encoding, when set, is the encoding of every CSV and JSON lines
	// file; when empty each file's is decided from its bytes.
	Encoding Encoding `json:"encoding,omitempty"`
	// Counts is the number of records (lines of data) of each kind.
	Counts map[Kind]int `json:"counts,omitempty"`
	// PaymentSum is the sum of every payment's amount.
	PaymentSum Ore `json:"payment_sum"`
}

// Export is an export's folder, opened: its manifest and the file of each
// kind it has.
type Export struct {
	Dir      string
	Manifest Manifest
	// HasManifest reports whether the folder has a manifest.json.
	HasManifest bool
	files       map[Kind]kindFile
}

type kindFile struct {
	name   string
	format Format
}

// RecordError is a record that could not be read: where it is, its
// legacy id when that could be read, the field at fault and why. Reason
// is English and never holds the record's content.
type RecordError struct {
	Pos
	LegacyID string
	Field    string
	Reason   string
}

func (e *RecordError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d", e.File, e.Line)
	if e.LegacyID != "" {
		fmt.Fprintf(&b, ": legacy id %q", e.LegacyID)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	return b.String() + ": " + e.Reason
}

// HeaderError is a CSV file whose header is wrong (an unknown column, a
// required one missing, a column twice) or a JSON lines file that cannot
// be read as such. Reading the file stops there.
type HeaderError struct {
	File   string
	Column string
	Reason string
}

func (e *HeaderError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("%s: column %q: %s", e.File, e.Column, e.Reason)
	}
	return e.File + ": " + e.Reason
}

// Open opens the export in dir: it reads manifest.json if there is one
// and finds each kind's file, <kind>.csv or <kind>.jsonl (a missing one
// means no records of that kind). It returns an error when dir cannot be
// read, the manifest is malformed or of another version, or a kind has
// both files.
func Open(dir string) (*Export, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("legacy: open the export: %w", err)
	}
	e := &Export{Dir: dir, files: map[Kind]kindFile{}}
	for _, ent := range entries {
		if ent.IsDir() {
			continue
		}
		name := ent.Name()
		lower := strings.ToLower(name)
		if lower == ManifestName {
			if err := e.readManifest(filepath.Join(dir, name)); err != nil {
				return nil, err
			}
			continue
		}
		base, ext, _ := strings.Cut(lower, ".")
		var f Format
		switch ext {
		case "csv":
			f = FormatCSV
		case "jsonl", "ndjson":
			f = FormatJSONL
		default:
			continue
		}
		k := Kind(base)
		if schemas[k] == nil {
			continue
		}
		if prev, dup := e.files[k]; dup {
			return nil, fmt.Errorf("legacy: the export has both %s and %s: keep one", prev.name, name)
		}
		e.files[k] = kindFile{name: name, format: f}
	}
	return e, nil
}

func (e *Export) readManifest(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("legacy: read %s: %w", ManifestName, err)
	}
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("legacy: %s: %w", ManifestName, err)
	}
	if m.Version != Version {
		return fmt.Errorf("legacy: %s: version %d: this trygg reads version %d", ManifestName, m.Version, Version)
	}
	if m.Encoding, err = ParseEncoding(string(m.Encoding)); err != nil {
		return fmt.Errorf("legacy: %s: %w", ManifestName, err)
	}
	if m.Exported, err = ParseTime(string(m.Exported)); err != nil {
		return fmt.Errorf("legacy: %s: exported: %w", ManifestName, err)
	}
	for k := range m.Counts {
		if schemas[k] == nil {
			return fmt.Errorf("legacy: %s: counts: %q is not a kind of record", ManifestName, truncate(string(k), 40))
		}
	}
	e.Manifest, e.HasManifest = m, true
	return nil
}

// FileName returns the name of the kind's file in the export, "" when it
// has none.
func (e *Export) FileName(k Kind) string { return e.files[k].name }

// Units reads units.* record by record; see Persons.
func (e *Export) Units() iter.Seq2[Unit, error] { return read[Unit](e, KindUnits) }

// Staff reads staff.*; see Persons.
func (e *Export) Staff() iter.Seq2[Staff, error] { return read[Staff](e, KindStaff) }

// Persons reads persons.* record by record, never the whole file at once.
// A record that cannot be read is yielded as a zero Person and a
// *RecordError, and reading goes on; a wrong header (*HeaderError) or a
// read error is yielded last. A missing file yields nothing.
func (e *Export) Persons() iter.Seq2[Person, error] { return read[Person](e, KindPersons) }

// Relations reads relations.*; see Persons.
func (e *Export) Relations() iter.Seq2[Relation, error] { return read[Relation](e, KindRelations) }

// Cases reads cases.*; see Persons.
func (e *Export) Cases() iter.Seq2[Case, error] { return read[Case](e, KindCases) }

// Forms reads forms.*, one key–value row at a time; see Persons.
func (e *Export) Forms() iter.Seq2[FormValue, error] { return read[FormValue](e, KindForms) }

// Decisions reads decisions.*; see Persons.
func (e *Export) Decisions() iter.Seq2[Decision, error] { return read[Decision](e, KindDecisions) }

// Notes reads notes.*; see Persons.
func (e *Export) Notes() iter.Seq2[Note, error] { return read[Note](e, KindNotes) }

// Documents reads documents.*; see Persons and File.
func (e *Export) Documents() iter.Seq2[Document, error] { return read[Document](e, KindDocuments) }

// Orders reads orders.*; see Persons.
func (e *Export) Orders() iter.Seq2[Order, error] { return read[Order](e, KindOrders) }

// Performed reads performed.*; see Persons.
func (e *Export) Performed() iter.Seq2[Performed, error] { return read[Performed](e, KindPerformed) }

// Payments reads payments.*; see Persons.
func (e *Export) Payments() iter.Seq2[Payment, error] { return read[Payment](e, KindPayments) }

// read yields the records of kind k.
func read[T any](e *Export, k Kind) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		kf, ok := e.files[k]
		if !ok {
			return
		}
		path := filepath.Join(e.Dir, kf.name)
		enc := e.Manifest.Encoding
		if enc == "" {
			f, err := os.Open(path)
			if err != nil {
				yield(zero, fmt.Errorf("legacy: %s: %w", kf.name, err))
				return
			}
			enc, err = detectEncoding(f)
			f.Close()
			if err != nil {
				yield(zero, fmt.Errorf("legacy: %s: %w", kf.name, err))
				return
			}
		}
		f, err := os.Open(path)
		if err != nil {
			yield(zero, fmt.Errorf("legacy: %s: %w", kf.name, err))
			return
		}
		defer f.Close()
		for rec, err := range decode(f, kf.name, kf.format, enc, schemas[k]) {
			var t T
			if err == nil {
				t = rec.Interface().(T)
			}
			if !yield(t, err) {
				return
			}
		}
	}
}

// decode reads records of the schema from r, a file named name. The
// reflect.Value of a record is valid until the next one.
func decode(r io.Reader, name string, format Format, enc Encoding, s *schema) iter.Seq2[reflect.Value, error] {
	if format == FormatJSONL {
		return decodeJSONL(r, name, enc, s)
	}
	return decodeCSV(r, name, enc, s)
}

func decodeCSV(r io.Reader, name string, enc Encoding, s *schema) iter.Seq2[reflect.Value, error] {
	return func(yield func(reflect.Value, error) bool) {
		sc := newCSVScanner(r)
		_, header, problem, ok, err := sc.next()
		if err != nil {
			yield(reflect.Value{}, fmt.Errorf("legacy: %s: %w", name, err))
			return
		}
		if !ok {
			return // an empty file: no records
		}
		if problem != "" {
			yield(reflect.Value{}, &HeaderError{File: name, Reason: "the header: " + problem})
			return
		}
		cols, herr := headerColumns(name, header, enc, s)
		if herr != nil {
			yield(reflect.Value{}, herr)
			return
		}
		idCol := -1
		for i, c := range cols {
			if c == s.idIndex {
				idCol = i
			}
		}
		v := reflect.New(s.typ).Elem()
		for {
			line, fields, problem, ok, err := sc.next()
			if err != nil {
				yield(reflect.Value{}, fmt.Errorf("legacy: %s: %w", name, err))
				return
			}
			if !ok {
				return
			}
			v.SetZero()
			re := &RecordError{Pos: Pos{File: name, Line: line}}
			if idCol < len(fields) {
				re.LegacyID = strings.TrimSpace(decodeText(fields[idCol], enc))
			}
			switch {
			case problem != "":
				re.Reason = problem
			case len(fields) != len(cols):
				re.Reason = fmt.Sprintf("%d values where the header has %d columns", len(fields), len(cols))
			default:
				for i, raw := range fields {
					c := &s.cols[cols[i]]
					if err := c.set(v, decodeText(raw, enc)); err != nil {
						re.Field, re.Reason = c.name, err.Error()
						break
					}
				}
			}
			if re.Reason != "" {
				if !yield(reflect.Value{}, re) {
					return
				}
				continue
			}
			v.Field(s.posIdx).Set(reflect.ValueOf(re.Pos))
			if !yield(v, nil) {
				return
			}
		}
	}
}

// headerColumns maps each header column to its schema column: names are
// the record's JSON names, in any order and case.
func headerColumns(name string, header [][]byte, enc Encoding, s *schema) ([]int, error) {
	cols := make([]int, len(header))
	seen := make([]bool, len(s.cols))
	names := make([]string, len(header))
	unknown := 0
	for i, h := range header {
		names[i] = strings.ToLower(strings.TrimSpace(decodeText(h, enc)))
		if _, ok := s.byName[names[i]]; !ok {
			unknown++
		}
	}
	for i, col := range names {
		j, ok := s.byName[col]
		if !ok {
			if !nameLike(col) || unknown*2 > len(header) {
				// Perhaps a record where the header belongs: never show it.
				return nil, &HeaderError{File: name, Reason: fmt.Sprintf("column %d of the header is not a column of %s: does the file lack its header? (see docs/migration.md)", i+1, s.kind)}
			}
			return nil, &HeaderError{File: name, Column: col, Reason: fmt.Sprintf("not a column of %s (see docs/migration.md)", s.kind)}
		}
		if seen[j] {
			return nil, &HeaderError{File: name, Column: col, Reason: "the column is there twice"}
		}
		seen[j] = true
		cols[i] = j
	}
	for j, c := range s.cols {
		if c.required && !seen[j] {
			return nil, &HeaderError{File: name, Column: c.name, Reason: "a required column is missing"}
		}
	}
	return cols, nil
}

func decodeJSONL(r io.Reader, name string, enc Encoding, s *schema) iter.Seq2[reflect.Value, error] {
	return func(yield func(reflect.Value, error) bool) {
		sc := newLineScanner(r)
		v := reflect.New(s.typ).Elem()
		seen := make([]bool, len(s.cols))
		for {
			line, text, problem, ok, err := sc.next()
			if err != nil {
				yield(reflect.Value{}, fmt.Errorf("legacy: %s: %w", name, err))
				return
			}
			if !ok {
				return
			}
			v.SetZero()
			clear(seen)
			re := &RecordError{Pos: Pos{File: name, Line: line}}
			var obj map[string]json.RawMessage
			if problem != "" {
				re.Reason = problem
			} else if err := json.Unmarshal([]byte(decodeText(text, enc)), &obj); err != nil || obj == nil {
				re.Reason = "not a JSON object on one line"
			}
			if raw, ok := obj[s.cols[s.idIndex].name]; ok {
				if id, err := jsonScalar(raw); err == nil {
					re.LegacyID = strings.TrimSpace(id)
				}
			}
			if re.Reason == "" {
				unknown := ""
				for key := range obj {
					if _, ok := s.byName[key]; !ok && (unknown == "" || key < unknown) {
						unknown = key
					}
				}
				if unknown != "" {
					re.Reason = fmt.Sprintf("a key that is not a field of %s", s.kind)
					if nameLike(unknown) {
						re.Field, re.Reason = unknown, fmt.Sprintf("not a field of %s", s.kind)
					}
				}
			}
			if re.Reason == "" {
				for j := range s.cols {
					c := &s.cols[j]
					raw, ok := obj[c.name]
					if !ok {
						continue
					}
					val, err := jsonScalar(raw)
					if err == nil {
						err = c.set(v, val)
					}
					if err != nil {
						re.Field, re.Reason = c.name, err.Error()
						break
					}
					seen[j] = true
				}
			}
			if re.Reason == "" {
				for j, c := range s.cols {
					if c.needValue && !seen[j] {
						re.Field, re.Reason = c.name, errMissing.Error()
						break
					}
				}
			}
			if re.Reason != "" {
				if !yield(reflect.Value{}, re) {
					return
				}
				continue
			}
			v.Field(s.posIdx).Set(reflect.ValueOf(re.Pos))
			if !yield(v, nil) {
				return
			}
		}
	}
}

// nameLike reports whether s looks like a column name (letters, digits,
// '_' and spaces, starting with a letter, at most 40) rather than data,
// which an error must never show.
func nameLike(s string) bool {
	if s == "" || len(s) > 40 || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == ' ') {
			return false
		}
	}
	return true
}

var errNotScalar = errors.New("not a string, number or boolean")

// jsonScalar gives a JSON value's text: a string's content, a number's
// or boolean's literal, "" for null.
func jsonScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", errNotScalar
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", errNotScalar
		}
		return s, nil
	case '{', '[':
		return "", errNotScalar
	}
	if string(raw) == "null" {
		return "", nil
	}
	return string(raw), nil
}

// File opens a document's file: name is a path inside the export's
// files/ folder (Document.File), with '/' between folders. It refuses
// absolute paths, "..", and symbolic links that lead out of files/, and
// anything but a regular file. It returns the file and its size; the
// errors never name the file (its name may be personal data), and a
// missing file's wraps fs.ErrNotExist.
func (e *Export) File(name string) (io.ReadCloser, int64, error) {
	if name == "" || strings.ContainsRune(name, '\\') || strings.ContainsRune(name, 0) || !filepath.IsLocal(filepath.FromSlash(name)) {
		return nil, 0, errors.New("legacy: a document's file: not a path inside files/")
	}
	root, err := os.OpenRoot(filepath.Join(e.Dir, FilesDir))
	if err != nil {
		return nil, 0, fmt.Errorf("legacy: a document's file: %w", bareErr(err))
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(name))
	if err != nil {
		return nil, 0, fmt.Errorf("legacy: a document's file: %w", bareErr(err))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("legacy: a document's file: %w", bareErr(err))
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, errors.New("legacy: a document's file: not a regular file")
	}
	return f, st.Size(), nil
}

// bareErr drops the path from a *fs.PathError.
func bareErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
