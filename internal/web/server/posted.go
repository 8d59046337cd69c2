package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/trygg/trygg/internal/trygg"
)

// A form posted to a page: reading it, and showing on the page what the
// service refused, in the user's language.

// ParseForm reads a posted form of at most 1 MiB. It returns an invalid
// error when the form cannot be read.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return trygg.Errorf(trygg.EInvalid, "The form could not be read.")
	}
	return nil
}

// FormProblem is a refused form: the message for the whole form and one
// per field, in the user's language.
type FormProblem struct {
	Message string
	Fields  map[string]string
}

// ProblemOf turns a service error a user can fix (invalid, conflict,
// forbidden) into the status and the problem to show on the form; other
// errors are returned.
func ProblemOf(lang string, err error) (int, FormProblem, error) {
	code := trygg.ErrorCode(err)
	switch code {
	case trygg.EInvalid, trygg.EConflict, trygg.EForbidden:
	default:
		return 0, FormProblem{}, err
	}
	p := FormProblem{Message: MessageIn(lang, trygg.ErrorMessage(err)), Fields: map[string]string{}}
	var te *trygg.Error
	if errors.As(err, &te) {
		for k, m := range te.Fields {
			p.Fields[k] = MessageIn(lang, m)
		}
	}
	return statusOf[code], p, nil
}

// Under returns the fields of p under prefix ("entries.0."), the prefix
// cut off.
func (p FormProblem) Under(prefix string) map[string]string {
	out := map[string]string{}
	for k, m := range p.Fields {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = m
		}
	}
	return out
}

// Refusal turns a service error into a problem shown on the page in the
// user's language (ProblemText), with its status, or returns it when it is
// not the user's to fix.
func Refusal(v *View, err error) (int, string, error) {
	switch trygg.ErrorCode(err) {
	case trygg.EInvalid, trygg.EConflict, trygg.EForbidden:
		return statusOf[trygg.ErrorCode(err)], ProblemText(v.Lang, err), nil
	}
	return 0, "", err
}
