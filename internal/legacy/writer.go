package legacy

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Writer writes an export: each kind's file as its first record comes
// (in any order of kinds, records streamed to disk), documents' files
// into files/, and on Close manifest.json with the control totals.
type Writer struct {
	// Manifest's System, District and Exported are the caller's to set
	// before Close; Close sets the rest.
	Manifest Manifest
	// BOM, set before the first record, starts each UTF-8 file with a
	// byte order mark, as some Windows programs write.
	BOM bool

	dir     string
	format  Format
	enc     Encoding
	files   map[Kind]*kindWriter
	counts  map[Kind]int
	sum     Ore
	buf     []byte
	scratch []byte
	closed  bool
}

type kindWriter struct {
	f  *os.File
	bw *bufio.Writer
}

// NewWriter starts an export in dir, which must be empty or not yet
// exist. It returns an error for an unknown format or encoding, or when
// dir cannot be made or already holds files.
func NewWriter(dir string, format Format, enc Encoding) (*Writer, error) {
	if format != FormatCSV && format != FormatJSONL {
		return nil, fmt.Errorf("legacy: unknown format %q: use csv or jsonl", format)
	}
	if enc != EncodingUTF8 && enc != EncodingWindows1252 {
		return nil, fmt.Errorf("legacy: unknown encoding %q: use utf-8 or windows-1252", enc)
	}
	if format == FormatJSONL && enc != EncodingUTF8 {
		// JSON is UTF-8; the reader decodes Windows-1252 lines, but
		// nothing should write them.
		return nil, errors.New("legacy: JSON lines are written in UTF-8")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("legacy: make the export's folder: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("legacy: read the export's folder: %w", err)
	}
	if len(entries) > 0 {
		return nil, fmt.Errorf("legacy: %s is not empty: write an export into an empty folder", dir)
	}
	return &Writer{dir: dir, format: format, enc: enc, files: map[Kind]*kindWriter{}, counts: map[Kind]int{}}, nil
}

// Unit writes a unit.
func (w *Writer) Unit(r Unit) error { return w.write(KindUnits, &r) }

// Staff writes a member of staff.
func (w *Writer) Staff(r Staff) error { return w.write(KindStaff, &r) }

// Person writes a person.
func (w *Writer) Person(r Person) error { return w.write(KindPersons, &r) }

// Relation writes a relation.
func (w *Writer) Relation(r Relation) error { return w.write(KindRelations, &r) }

// Case writes a case.
func (w *Writer) Case(r Case) error { return w.write(KindCases, &r) }

// Form writes one key–value row of a form.
func (w *Writer) Form(r FormValue) error { return w.write(KindForms, &r) }

// Decision writes a decision.
func (w *Writer) Decision(r Decision) error { return w.write(KindDecisions, &r) }

// Note writes a journal note.
func (w *Writer) Note(r Note) error { return w.write(KindNotes, &r) }

// Document writes a document's record; its file is written with
// WriteFile.
func (w *Writer) Document(r Document) error { return w.write(KindDocuments, &r) }

// Order writes an order.
func (w *Writer) Order(r Order) error { return w.write(KindOrders, &r) }

// Performed writes a performed visit.
func (w *Writer) Performed(r Performed) error { return w.write(KindPerformed, &r) }

// Payment writes a payment and adds its amount to the manifest's sum.
func (w *Writer) Payment(r Payment) error {
	if err := w.write(KindPayments, &r); err != nil {
		return err
	}
	w.sum += r.Amount
	return nil
}

// WriteFile writes a document's file at name inside files/ ('/' between
// folders, no "..").
func (w *Writer) WriteFile(name string, data []byte) error {
	if name == "" || strings.ContainsRune(name, '\\') || !filepath.IsLocal(filepath.FromSlash(name)) {
		return errors.New("legacy: a document's file: not a path inside files/")
	}
	path := filepath.Join(w.dir, FilesDir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("legacy: write a document's file: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("legacy: write a document's file: %w", bareErr(err))
	}
	return nil
}

// Counts returns the number of records written of each kind so far.
func (w *Writer) Counts() map[Kind]int {
	out := make(map[Kind]int, len(w.counts))
	for k, n := range w.counts {
		out[k] = n
	}
	return out
}

func (w *Writer) write(k Kind, rec any) error {
	if w.closed {
		return errors.New("legacy: the writer is closed")
	}
	s := schemas[k]
	kw, err := w.file(k, s)
	if err != nil {
		return err
	}
	v := reflect.ValueOf(rec).Elem()
	b := w.buf[:0]
	if w.format == FormatCSV {
		for i := range s.cols {
			if i > 0 {
				b = append(b, ';')
			}
			c := &s.cols[i]
			text, empty := c.text(v, false)
			if empty && !c.required && c.typ != colBool {
				text = "" // an optional amount or number of 0: none
			}
			w.scratch = encodeText(w.scratch[:0], text, w.enc)
			b = appendCSV(b, w.scratch)
		}
		b = append(b, '\r', '\n')
	} else {
		b = append(b, '{')
		first := true
		for i := range s.cols {
			c := &s.cols[i]
			text, empty := c.text(v, true)
			if empty && !c.required {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, c.name)
			b = append(b, ':')
			switch c.typ {
			case colOre, colAmount, colInt, colBool:
				b = append(b, text...)
			default:
				b = appendJSONString(b, text)
			}
		}
		b = append(b, '}', '\n')
	}
	w.buf = b
	if _, err := kw.bw.Write(b); err != nil {
		return fmt.Errorf("legacy: write %s: %w", k, bareErr(err))
	}
	w.counts[k]++
	return nil
}

// file returns the kind's file, creating it and writing its header.
func (w *Writer) file(k Kind, s *schema) (*kindWriter, error) {
	if kw := w.files[k]; kw != nil {
		return kw, nil
	}
	name := string(k) + "." + string(w.format)
	f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("legacy: create %s: %w", name, bareErr(err))
	}
	kw := &kindWriter{f: f, bw: bufio.NewWriterSize(f, 256<<10)}
	w.files[k] = kw
	if w.BOM && w.enc == EncodingUTF8 {
		kw.bw.WriteString("\xEF\xBB\xBF")
	}
	if w.format == FormatCSV {
		for i, c := range s.cols {
			if i > 0 {
				kw.bw.WriteByte(';')
			}
			kw.bw.WriteString(c.name)
		}
		kw.bw.WriteString("\r\n")
	}
	return kw, nil
}

// Abort closes every file without writing manifest.json, so an export
// cut short is never taken for a whole one.
func (w *Writer) Abort() error {
	if w.closed {
		return nil
	}
	w.closed = true
	var first error
	for _, kw := range w.files {
		if err := kw.f.Close(); err != nil && first == nil {
			first = fmt.Errorf("legacy: close: %w", bareErr(err))
		}
	}
	return first
}

// Close ends every file and writes manifest.json with the number of
// records of each kind (0 for a kind with none) and the payments' sum.
// It returns the first error writing them.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	var first error
	for _, k := range Kinds {
		kw := w.files[k]
		if kw == nil {
			continue
		}
		if err := kw.bw.Flush(); err != nil && first == nil {
			first = fmt.Errorf("legacy: write %s: %w", k, bareErr(err))
		}
		if err := kw.f.Close(); err != nil && first == nil {
			first = fmt.Errorf("legacy: write %s: %w", k, bareErr(err))
		}
	}
	if first != nil {
		return first
	}
	m := w.Manifest
	m.Version, m.Encoding, m.PaymentSum = Version, w.enc, w.sum
	m.Counts = map[Kind]int{}
	for _, k := range Kinds {
		m.Counts[k] = w.counts[k]
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("legacy: write %s: %w", ManifestName, err)
	}
	if err := os.WriteFile(filepath.Join(w.dir, ManifestName), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("legacy: write %s: %w", ManifestName, bareErr(err))
	}
	return nil
}

// appendCSV appends a value, quoted when it holds ';', a quote, a line
// break or space at either end.
func appendCSV(b, v []byte) []byte {
	need := len(v) > 0 && (v[0] == ' ' || v[len(v)-1] == ' ')
	for _, c := range v {
		if c == ';' || c == '"' || c == '\n' || c == '\r' {
			need = true
			break
		}
	}
	if !need {
		return append(b, v...)
	}
	b = append(b, '"')
	for _, c := range v {
		if c == '"' {
			b = append(b, '"')
		}
		b = append(b, c)
	}
	return append(b, '"')
}

// appendJSONString appends s as a JSON string. Bytes that are not valid
// UTF-8 are written as they are (encoding/json would replace them), so a
// generator can write text in the wrong encoding; the reader repairs them.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			_, n := utf8.DecodeRuneInString(s[i:])
			b = append(b, s[i:i+n]...)
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}
