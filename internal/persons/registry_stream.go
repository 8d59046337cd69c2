package persons

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// RegistryWriter writes a registry file (the JSON array LoadFileRegistry
// reads) one record at a time, a record a line, so a registry of
// millions is never in memory as a whole. The file appears at its path
// only when Close succeeds.
type RegistryWriter struct {
	f         *os.File
	w         *bufio.Writer
	path, tmp string
	n         int
}

// CreateRegistryFile starts the registry file at path (its folder is made
// if missing). It returns an error when the file cannot be created.
func CreateRegistryFile(path string) (*RegistryWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	w := &RegistryWriter{f: f, w: bufio.NewWriterSize(f, 1<<16), path: path, tmp: tmp}
	w.w.WriteString("[")
	return w, nil
}

// Write adds rec to the file. It returns an error when the file cannot be
// written.
func (w *RegistryWriter) Write(rec RegistryRecord) error {
	fr := fileRecord{IdentityNumber: rec.Identity.String(), GivenName: rec.GivenName,
		FamilyName: rec.FamilyName, Street: rec.Address.Street, PostalCode: rec.Address.PostalCode,
		City: rec.Address.City, Protection: rec.Protection}
	if rec.Partner.Value != "" {
		fr.PartnerIdentityNumber = rec.Partner.String()
	}
	b, err := json.Marshal(fr)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if w.n > 0 {
		w.w.WriteByte(',')
	}
	w.w.WriteByte('\n')
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	w.n++
	return nil
}

// Close ends the file and puts it at its path, in place of any file
// there. It returns an error when the file cannot be written; then the
// path is left as it was.
func (w *RegistryWriter) Close() error {
	w.w.WriteString("\n]\n")
	err := w.w.Flush()
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(w.tmp, w.path)
	}
	if err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("registry: %w", err)
	}
	return nil
}

// Abort gives the file up: the path is left as it was.
func (w *RegistryWriter) Abort() {
	w.f.Close()
	os.Remove(w.tmp)
}

// readRegistry reads a registry file's contents from r, one record at a
// time, with identity numbers parsed as on today, and gives each record
// to add in the file's order. It returns an error for anything but a JSON
// array (null is empty) of records with valid identity numbers and known
// protection levels; an error about a record says which (from 0) and
// holds none of the file's values.
func readRegistry(r io.Reader, today time.Time, add func(RegistryRecord)) error {
	dec := json.NewDecoder(r)
	// Numbers stay text: a number where the array should be is refused
	// as such, never converted (whose error would quote it).
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return decodeError(err)
	}
	if tok == nil { // null: no records
		return atEnd(dec)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return errors.New("not a JSON array of records")
	}
	for i := 0; dec.More(); i++ {
		var m json.RawMessage
		if err := dec.Decode(&m); err != nil {
			return decodeError(err)
		}
		var fr fileRecord
		if err := json.Unmarshal(m, &fr); err != nil {
			return recordError(i, err)
		}
		if err := fr.normalText(m); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		id, err := ParseIdentityNumber(fr.IdentityNumber, today)
		if err != nil {
			return fmt.Errorf("record %d: %s", i, trygg.ErrorMessage(err))
		}
		rec := RegistryRecord{Identity: id, GivenName: fr.GivenName, FamilyName: fr.FamilyName,
			Address: Address{Street: fr.Street, PostalCode: fr.PostalCode, City: fr.City}, Protection: fr.Protection}
		if fr.PartnerIdentityNumber != "" {
			if rec.Partner, err = ParseIdentityNumber(fr.PartnerIdentityNumber, today); err != nil {
				return fmt.Errorf("record %d: partner_identity_number: %s", i, trygg.ErrorMessage(err))
			}
		}
		add(rec)
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return decodeError(err)
	}
	return atEnd(dec)
}

// decodeError says where the registry file is not JSON, never what it
// holds there (which may be an identity number).
func decodeError(err error) error {
	var se *json.SyntaxError
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("unexpected end of JSON input")
	case errors.As(err, &se):
		return fmt.Errorf("not valid JSON at byte %d", se.Offset)
	}
	return errors.New("not a JSON array of records")
}

// atEnd returns an error unless nothing but white space follows the
// registry's array.
func atEnd(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return errors.New("more than one JSON value")
		}
		return decodeError(err)
	}
	return nil
}
