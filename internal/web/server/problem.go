package server

import (
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/trygg/trygg/internal/trygg"
)

var statusOf = map[string]int{
	trygg.EInvalid:      http.StatusUnprocessableEntity,
	trygg.ENotFound:     http.StatusNotFound,
	trygg.EConflict:     http.StatusConflict,
	trygg.EForbidden:    http.StatusForbidden,
	trygg.EUnauthorized: http.StatusUnauthorized,
	trygg.ETooLarge:     http.StatusRequestEntityTooLarge,
	trygg.EUnavailable:  http.StatusServiceUnavailable,
	trygg.EInternal:     http.StatusInternalServerError,
	trygg.ERateLimited:  http.StatusTooManyRequests,
}

var titleOf = map[string]string{
	trygg.EInvalid:      "The request is not valid",
	trygg.ENotFound:     "Not found",
	trygg.EConflict:     "Conflict",
	trygg.EForbidden:    "Not permitted",
	trygg.EUnauthorized: "Not signed in",
	trygg.ETooLarge:     "The request is too large",
	trygg.EUnavailable:  "Temporarily unavailable",
	trygg.EInternal:     "Internal error",
	trygg.ERateLimited:  "Too many requests",
}

// StatusOf is the HTTP status that answers an error code (trygg.ErrorCode);
// it is 0 for a code it does not know.
func StatusOf(code string) int { return statusOf[code] }

// Problem is an RFC 9457 problem document with field-level details.
type Problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Code   string         `json:"code"`
	Errors []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem names one field and what is wrong with it.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// WriteProblem maps err to problem+json. Internal errors are logged with
// their detail and shown without it.
func (s *Server) WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	err = answerable(err)
	code := trygg.ErrorCode(err)
	if code == trygg.EInternal {
		s.Log.Error("internal error", "route", r.Pattern, "err", err)
	}
	p := Problem{Type: "/api/problems/" + code, Title: titleOf[code], Status: statusOf[code], Detail: trygg.ErrorMessage(err), Code: code}
	var te *trygg.Error
	if errors.As(err, &te) {
		for _, k := range sortedKeys(te.Fields) {
			p.Errors = append(p.Errors, FieldProblem{Field: k, Message: te.Fields[k]})
		}
	}
	if code == trygg.EUnauthorized || code == trygg.EForbidden && r.Context().Value(scopeRefusedKey) != nil {
		w.Header().Set("WWW-Authenticate", wwwAuthenticate(r))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// answerable is err as the answer may tell it: every not-found is the one
// trygg.ErrNotFound, whatever was missing or hidden and however the layer
// below worded it, so no answer tells a record that does not exist from
// one the reader may not see (the API and the pages both answer through
// here).
func answerable(err error) error {
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return trygg.ErrNotFound
	}
	return err
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// jsonKind names a Go type the way a JSON client thinks of it.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}

// Encode writes v as JSON with status; it returns the error of writing.
func Encode[T any](w http.ResponseWriter, status int, v T) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// Decode reads a JSON body into T strictly: the content type must be JSON,
// unknown fields, trailing data and bodies over the limit are refused, each
// with a message that says which, and so is text that cannot be stored
// (storedJSON), at its field; text is handed on in NFC.
func Decode[T any](w http.ResponseWriter, r *http.Request, limit int64) (T, error) {
	var v T
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return v, trygg.Errorf(trygg.EInvalid, "The body must be JSON (Content-Type: application/json).")
		}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	dec, raw := recordingDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, decodeError(err, limit)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return v, trygg.Errorf(trygg.EInvalid, "The body must hold a single JSON object.")
	}
	return v, storedJSON(raw.Bytes(), &v)
}

func decodeError(err error, limit int64) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	var te *trygg.Error
	switch {
	case errors.As(err, &tooBig):
		return trygg.Errorf(trygg.ETooLarge, "The body is larger than %d bytes.", limit)
	case errors.As(err, &te):
		return te
	case errors.As(err, &syn):
		return trygg.Errorf(trygg.EInvalid, "The body is not valid JSON (error at byte %d).", syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return trygg.Errorf(trygg.EInvalid, "The body is not valid JSON (it ends too early).")
	case errors.Is(err, io.EOF):
		return trygg.Errorf(trygg.EInvalid, "The body is empty; a JSON object is required.")
	case errors.As(err, &typ):
		return trygg.Invalid("A field has the wrong type.", map[string]string{typ.Field: "Must be " + jsonKind(typ.Type) + "."})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return trygg.Invalid("The body has a field this endpoint does not know.", map[string]string{name: "Unknown field."})
	}
	return trygg.Errorf(trygg.EInvalid, "The body could not be read as JSON.")
}
