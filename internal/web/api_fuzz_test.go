package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzAPIBodies sends arbitrary bodies to the JSON API's write operations
// as a signed-in officer (and designer): whatever arrives, the answer is a
// 2xx or a 4xx problem document, never a 5xx or a crash.
func FuzzAPIBodies(f *testing.F) {
	w := newFuzzWorld(f)
	routes := w.routes
	seeds := []string{
		`{"query":"andersson"}`, `{"query":"19121212-1212"}`, `{"query":""}`, `{"query":123}`,
		`{"person_id":"p-000001","unit_id":"norra-ao","case_type":"ibic_sol_aldre","title":"x"}`,
		`{"identity_number":"not a number","unit_id":"norra-ao","case_type":"ibic_sol_aldre"}`,
		`{"values":{"applicant_kind":"self","applied_sol":["hemtjanst"],"own_description":"x"}}`,
		`{"values":{"applied_sol":"not a list","unknown":1}}`, `{"values":{"needs_assessment":[{"code":"d510","qualifier":99}]}}`,
		`{"transition":"start_investigation"}`, `{"transition":""}`, `{"body":"anteckning"}`, `{"body":""}`,
		`{"insats":"hemtjanst","outcome":"granted","legal_basis":"SoL 4 kap. 1 §","amount":-1}`,
		`{"kind":"executed","on":"2026-13-45"}`, `{"files":[{"name":"a.yaml","content":"kind: form\nid: x"}]}`,
		`{"files":[{"name":"../x","content":""}]}`, `null`, `[]`, `"x"`, `{`, ``, `{"a":` + strings.Repeat("[", 200),
		`{"body":"nul\u0000"}`, `{"values":{"own_description":"\u202e"}}`, `{"values":{"a\u0308":["o\u0308"]}}`, "{\"body\":\"\xff\"}",
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		req, err := http.NewRequest(rt.method, w.srv.URL+rt.path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+w.tokens[rt.user])
		resp, err := w.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s with %q: status %d", rt.method, rt.path, body, resp.StatusCode)
		}
		if resp.StatusCode >= 400 {
			var p struct {
				Title  string `json:"title"`
				Status int    `json:"status"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.Status != resp.StatusCode || p.Title == "" {
				t.Fatalf("%s %s with %q: status %d without a problem document (%v)", rt.method, rt.path, body, resp.StatusCode, err)
			}
		}
	})
}

type fuzzRoute struct{ method, path, user string }

type fuzzWorld struct {
	*packWorld
	routes []fuzzRoute
}

// newFuzzWorld is a small demo municipality with an open case and a
// draft decision, and the write operations to throw bodies at.
func newFuzzWorld(f *testing.F) *fuzzWorld {
	w := newPackWorld(f, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 40)
	c := w.journeyCase("ibic_sol_aldre").ID
	for _, u := range []string{"handlaggare", "designer"} {
		w.call(u, "GET", "/api/v1/me", nil, http.StatusOK, nil)
	}
	var d struct{ ID string }
	w.call("handlaggare", "POST", "/api/v1/cases/"+c+"/decisions", map[string]any{"insats": "trygghetslarm", "outcome": "granted",
		"legal_basis": "SoL 4 kap. 1 §"}, http.StatusCreated, &d)
	return &fuzzWorld{packWorld: w, routes: []fuzzRoute{
		{"POST", "/api/v1/persons/search", "handlaggare"},
		{"POST", "/api/v1/cases", "handlaggare"},
		{"PUT", "/api/v1/cases/" + c + "/forms/ibic_ansokan", "handlaggare"},
		{"PUT", "/api/v1/cases/" + c + "/forms/ibic_utredning", "handlaggare"},
		{"POST", "/api/v1/cases/" + c + "/transitions", "handlaggare"},
		{"POST", "/api/v1/cases/" + c + "/notes", "handlaggare"},
		{"PUT", "/api/v1/cases/" + c + "/decisions/" + d.ID, "handlaggare"},
		{"POST", "/api/v1/cases/" + c + "/decisions/" + d.ID + "/executions", "handlaggare"},
		{"POST", "/api/v1/emergency-openings", "handlaggare"},
		{"POST", "/api/v1/definitions/validation", "designer"},
		{"PUT", "/api/v1/definitions/draft", "designer"},
	}}
}
