package server

import (
	"maps"
	"testing"

	"github.com/trygg/trygg/internal/storedtext"
)

// TestStoredTextRulesHaveSwedish: the pages show each rule's message in
// Swedish.
func TestStoredTextRulesHaveSwedish(t *testing.T) {
	for _, r := range storedtext.Rules {
		if errorSwedish[r.Error()] == nil {
			t.Errorf("the message %q has no Swedish in locales/errors.sv.yaml", r.Error())
		}
	}
}

// TestJSONTextProblems: each string of a JSON body is checked at its path,
// keys at their object; a password is neither refused nor normalised.
func TestJSONTextProblems(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		fields  map[string]string
		changed bool
	}{
		{"clean", `{"name":"Åsa","values":{"a":["x",1,true,null,{"b":"y"}]}}`, map[string]string{}, false},
		{"nested in a list", `{"key":"k","entries":[{"note":"ok"},{"note":"bell\u0007","activities":["a","\u202eb"]}]}`,
			map[string]string{"entries.1.note": string(storedtext.ErrControl), "entries.1.activities.1": string(storedtext.ErrDirection)}, false},
		{"a key", `{"values":{"na\u0000me":"x"}}`, map[string]string{"values": string(storedtext.ErrControl)}, false},
		{"not UTF-8", "{\"body\":\"\xff\"}", map[string]string{"body": string(storedtext.ErrInvalidUTF8)}, false},
		{"decomposed", `{"values":{"ka\u0308rl":"a\u0308"}}`, map[string]string{}, true},
		{"password", `{"username":"u","password":"a\u0000\u202ea\u0308"}`, map[string]string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields, changed := jsonTextProblems([]byte(tt.body))
			if !maps.Equal(fields, tt.fields) || changed != tt.changed {
				t.Errorf("jsonTextProblems = %v, %v; want %v, %v", fields, changed, tt.fields, tt.changed)
			}
		})
	}
}

// TestStoredJSONNormalises: decoded text comes out in NFC, map keys too,
// and a password as it was sent.
func TestStoredJSONNormalises(t *testing.T) {
	type in struct {
		Name     string         `json:"name"`
		Password string         `json:"password"`
		Values   map[string]any `json:"values"`
	}
	raw := []byte(`{"name":"A\u030asa","password":"a\u0308","values":{"ka\u0308rl":["o\u0308",2]}}`)
	var v in
	if err := storedJSON(raw, &v); err != nil {
		t.Fatal(err)
	}
	list, _ := v.Values["kärl"].([]any)
	if v.Name != "Åsa" || v.Password != "a\u0308" || len(list) != 2 || list[0] != "ö" {
		t.Fatalf("got %+v", v)
	}
}
