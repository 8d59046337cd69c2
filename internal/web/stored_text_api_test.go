package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/storetest"
)

// textProblem is a problem document's field errors.
type textProblem struct {
	Status int `json:"status"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p textProblem) message(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// TestAPIRefusesControlAndDirectionCharacters: a unit name with a
// right-to-left override, a journal note with NUL, a form value with an
// isolate, bytes that are not UTF-8 and line breaks in one-line fields
// were stored and shown in lists. Now each is refused at its field, and
// nothing is stored: no event, the list as it was. Decomposed text is
// stored composed (NFC).
func TestAPIRefusesControlAndDirectionCharacters(t *testing.T) {
	const (
		direction = "Contains a character that changes the text direction."
		control   = "Contains a control character."
		notUTF8   = "Contains bytes that are not UTF-8 text."
		oneLine   = "Must be one line, without line breaks or tabs."
	)
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newPackWorld(t, engine, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 20)
			jc := w.journeyCase("ekonomiskt_bistand")
			notes := "/api/v1/cases/" + jc.ID + "/notes"
			unit := func(name string) string {
				b, _ := json.Marshal(map[string]string{"parent_id": "norra-omr", "name": name, "kind": "enhet", "field": "IFO"})
				return string(b)
			}
			list := func(user, path string) string {
				var b []byte
				w.call(user, "GET", path, nil, http.StatusOK, &b)
				return string(b)
			}
			tests := []struct {
				name, user, method, path, body string
				list                           string // a list that must not change
				field, message                 string
			}{
				{"unit name with a right-to-left override", "admin", "POST", "/api/v1/units", unit("Hemtjänst \u202eNorr"),
					"/api/v1/units", "name", direction},
				{"note with NUL", "ekonom", "POST", notes, `{"body":"Besök hos den enskilde\u0000 idag."}`,
					notes, "body", control},
				{"note with a bell written raw in a JSON escape", "ekonom", "POST", notes, `{"body":"ring\u0007"}`,
					notes, "body", control},
				{"note with C1 control", "ekonom", "POST", notes, "{\"body\":\"one\u0085two\"}",
					notes, "body", control},
				{"note that is not UTF-8", "ekonom", "POST", notes, "{\"body\":\"Berg\xff\"}",
					notes, "body", notUTF8},
				{"form value with an isolate", "ekonom", "PUT", "/api/v1/cases/" + jc.ID + "/forms/eb_ansokan",
					`{"values":{"month":"\u20662026-03-01"}}`, "/api/v1/cases/" + jc.ID + "/process", "values.month", direction},
				{"case title on two lines", "ekonom", "POST", "/api/v1/cases",
					`{"person_id":"` + jc.PersonID + `","unit_id":"norra-eb","case_type":"ekonomiskt_bistand","title":"Ansökan\nom bistånd"}`,
					"/api/v1/inbox", "title", oneLine},
				{"display name with a tab", "admin", "POST", "/api/v1/users",
					`{"username":"ny.handlaggare","display_name":"Ny\tHandläggare","grants":[]}`, "/api/v1/units", "display_name", oneLine},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before, seq := list(tt.user, tt.list), w.lastEventSeq()
					status, body := w.rawCall(tt.user, tt.method, tt.path, "application/json", tt.body)
					if status != http.StatusUnprocessableEntity {
						t.Fatalf("status %d, want %d: %s", status, http.StatusUnprocessableEntity, body)
					}
					var p textProblem
					if err := json.Unmarshal([]byte(body), &p); err != nil {
						t.Fatalf("not a problem document: %v: %s", err, body)
					}
					if got := p.message(tt.field); got != tt.message {
						t.Errorf("field %s: message %q, want %q (%s)", tt.field, got, tt.message, body)
					}
					if after := w.lastEventSeq(); after != seq {
						t.Errorf("a refused request appended %d events", after-seq)
					}
					if after := list(tt.user, tt.list); after != before {
						t.Errorf("%s changed:\n before %.300s\n after  %.300s", tt.list, before, after)
					}
				})
			}

			// Decomposed text is stored composed: "Ga" + combining ring.
			status, body := w.rawCall("admin", "POST", "/api/v1/units", "application/json", unit("Ga\u030ardsenheten"))
			if status != http.StatusCreated {
				t.Fatalf("a unit with a decomposed name: status %d: %s", status, body)
			}
			units := list("admin", "/api/v1/units")
			if !strings.Contains(units, "Gårdsenheten") || strings.Contains(units, "Ga\u030ardsenheten") {
				t.Errorf("the unit's name is not stored in NFC: %s", units)
			}
			// A note's line breaks and tabs are kept.
			var n struct{ Body string }
			w.call("ekonom", "POST", notes, map[string]string{"body": "Första raden\n\tandra raden"}, http.StatusCreated, &n)
			if n.Body != "Första raden\n\tandra raden" {
				t.Errorf("note body %q", n.Body)
			}
		})
	}
}
