package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/storedtext"
	"github.com/trygg/trygg/internal/trygg"
)

// Text from clients comes in at two places only, and each checks it
// before a handler sees it: decode (every JSON body of the API) and page
// (every form posted to a staff, Mina sidor or provider page). Both refuse
// what storedtext refuses (control characters, text-direction characters,
// bytes that are not UTF-8) with the field named, and hand on the text in
// normalisation form C. Which fields must be one line is the services'
// knowledge; they check it (storedtext.Line).

// secretFields are fields whose value is a secret, never stored as text
// or shown: a password is hashed as typed, so it is neither refused nor
// normalised here (that would change what an existing password hashes to).
var secretFields = map[string]bool{"password": true}

// recordingDecoder is a JSON decoder of body that keeps what it read, so
// the text in it can be checked after decoding (storedJSON).
func recordingDecoder(body io.Reader) (*json.Decoder, *bytes.Buffer) {
	raw := new(bytes.Buffer)
	return json.NewDecoder(io.TeeReader(body, raw)), raw
}

// storedJSON checks every string of the JSON body raw, keys included,
// which v was decoded from. It returns an invalid error naming each field
// that breaks a rule by its path ("values.name", "entries.0.note"), or
// decodes raw again into v with every string in normalisation form C when
// any was not.
func storedJSON[T any](raw []byte, v *T) error {
	// Most bodies hold no escape and no character a rule is about: then
	// no string in them can break one, and the walk is not needed.
	if !bytes.ContainsRune(raw, '\\') && storedtext.Check(string(raw), storedtext.Multiline) == nil && storedtext.IsNormal(string(raw)) {
		return nil
	}
	fields, changed := jsonTextProblems(raw)
	if len(fields) > 0 {
		return trygg.Invalid("Some text has characters that are not allowed.", fields)
	}
	if !changed {
		return nil
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return decodeError(err, int64(len(raw)))
	}
	b, err := json.Marshal(normalJSON(doc))
	if err != nil {
		return err
	}
	var out T
	dec = json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return decodeError(err, int64(len(raw)))
	}
	*v = out
	return nil
}

// jsonFrame is where the walk is inside an object or an array.
type jsonFrame struct {
	object  bool
	wantKey bool
	key     string
	index   int
}

// jsonTextProblems walks the tokens of the valid JSON document raw and
// returns the rule each string breaks by its field's path, and whether
// some string is not in normalisation form C. A key that breaks a rule is
// reported at its object (the key itself is not repeated back).
func jsonTextProblems(raw []byte) (fields map[string]string, changed bool) {
	fields = map[string]string{}
	var stack []jsonFrame
	afterValue := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	check := func(s string, raw []byte, at string) {
		if secretFields[lastSegment(at)] {
			return
		}
		err := storedtext.Check(s, storedtext.Multiline)
		if err == nil && !utf8.Valid(raw) {
			err = storedtext.ErrInvalidUTF8 // the decoder made it U+FFFD
		}
		if err != nil {
			if _, seen := fields[at]; !seen {
				fields[at] = err.Error()
			}
			return
		}
		if !storedtext.IsNormal(s) {
			changed = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return fields, changed // io.EOF: the document was decoded before
		}
		span := raw[start:dec.InputOffset()]
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				afterValue()
				continue
			}
			key, _ := tok.(string)
			stack[n-1].key, stack[n-1].wantKey = key, false
			err := storedtext.Check(key, storedtext.Line)
			if err == nil && !utf8.Valid(span) {
				err = storedtext.ErrInvalidUTF8 // the decoder made it U+FFFD
			}
			if err != nil {
				at := jsonPath(stack[:n-1])
				if at == "" {
					at = "body"
				}
				if _, seen := fields[at]; !seen {
					fields[at] = err.Error()
				}
			} else if !storedtext.IsNormal(key) {
				changed = true
			}
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, jsonFrame{object: true, wantKey: true})
			case '[':
				stack = append(stack, jsonFrame{})
			default: // ']'
				stack = stack[:len(stack)-1]
				afterValue()
			}
			continue
		case string:
			check(t, span, jsonPath(stack))
		}
		afterValue()
	}
}

// jsonPath is the path of the value the walk is at: the keys and indexes
// of the frames, joined with dots.
func jsonPath(stack []jsonFrame) string {
	parts := make([]string, len(stack))
	for i, f := range stack {
		if f.object {
			parts[i] = f.key
		} else {
			parts[i] = strconv.Itoa(f.index)
		}
	}
	return strings.Join(parts, ".")
}

// normalJSON returns the decoded JSON document v with every string and
// key in normalisation form C.
func normalJSON(v any) any {
	switch t := v.(type) {
	case string:
		s, _ := storedtext.Normalize(t, storedtext.Multiline)
		return s
	case []any:
		for i, e := range t {
			t[i] = normalJSON(e)
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if secretFields[k] {
				out[k] = e
				continue
			}
			nk, _ := storedtext.Normalize(k, storedtext.Multiline)
			out[nk] = normalJSON(e)
		}
		return out
	}
	return v
}

func lastSegment(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// MaxDefinitionBytes bounds a request carrying definition files: a body
// of the API's definition operations, the process designer's form.
const MaxDefinitionBytes = 8 << 20

// Forms before sign-in are the sign-in forms, which their handlers read
// up to 16 KiB; a signed-in user's form is read up to the largest a page
// takes, the designer's definition files.
const (
	maxSignInFormBytes = 16 << 10
	maxFormBytes       = MaxDefinitionBytes
)

// uploadKey marks, in a request's context, a route that reads an upload.
type uploadKey struct{}

// ReadsUpload marks h as a route that takes a multipart body and reads it
// as a stream in its handler. Its only text is the file's name, which the
// service cleans (service.AddAttachment). Any other page refuses a
// multipart body, so no form value reaches a handler unchecked.
func ReadsUpload(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), uploadKey{}, true)))
	})
}

// withFormText runs the page handler fn once the posted form's text is
// checked (formText).
func withFormText(w http.ResponseWriter, r *http.Request, fn HandlerFunc) error {
	if err := formText(w, r); err != nil {
		return err
	}
	return fn(w, r)
}

// formText reads a posted form (application/x-www-form-urlencoded), checks
// every value with the rules of storedtext and puts the body back, with
// each value in normalisation form C, for the handler to read as before
// (with its own limit). A value that breaks a rule gives an invalid error
// naming its field; nothing is handed on.
func formText(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
	case "multipart/form-data":
		if upload, _ := r.Context().Value(uploadKey{}).(bool); upload {
			return nil
		}
		return trygg.Errorf(trygg.EInvalid, "The form could not be read.")
	default:
		return nil // no form values: ParseForm reads none
	}
	limit := int64(maxSignInFormBytes)
	if _, err := ActorFrom(r); err == nil {
		limit = maxFormBytes
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return trygg.Errorf(trygg.ETooLarge, "The form is larger than %d kB.", limit>>10)
		}
		return trygg.Errorf(trygg.EInvalid, "The form could not be read.")
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return trygg.Errorf(trygg.EInvalid, "The form could not be read.")
	}
	fields := map[string]string{}
	changed := false
	for k, vs := range values {
		if storedtext.Check(k, storedtext.Line) != nil {
			return trygg.Errorf(trygg.EInvalid, "The form could not be read.")
		}
		if secretFields[k] {
			continue
		}
		for i, v := range vs {
			n, err := storedtext.Normalize(v, storedtext.Multiline)
			if err != nil {
				fields[k] = err.Error()
				continue
			}
			if n != v {
				vs[i], changed = n, true
			}
		}
	}
	if len(fields) > 0 {
		return trygg.Invalid("Some text has characters that are not allowed.", fields)
	}
	if changed {
		body = []byte(values.Encode())
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return nil
}
