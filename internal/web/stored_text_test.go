package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
)

// lastEventSeq is the sequence number of the newest event of the demo
// tenant: a refused request must leave it as it was.
func (w *packWorld) lastEventSeq() int64 {
	w.t.Helper()
	var last int64
	for {
		evs, err := w.db.Events(w.t.Context(), demo.TenantID, last, 1000)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(evs) == 0 {
			return last
		}
		last = evs[len(evs)-1].Seq
	}
}

// rawCall sends body as it is (so it may hold bytes json.Marshal would
// have replaced) and returns the status and the answer.
func (w *packWorld) rawCall(user, method, path, contentType, body string) (int, string) {
	w.t.Helper()
	if w.tokens[user] == "" {
		w.call(user, "GET", "/api/v1/me", nil, http.StatusOK, nil)
	}
	req, err := http.NewRequest(method, w.srv.URL+path, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+w.tokens[user])
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPageFormsRefuseControlAndDirectionCharacters: the same through the
// staff pages' forms (a journal note) and Mina sidor (a message), in the
// page's language, and a multipart body where the page takes a form;
// nothing stored. A decomposed note is saved composed.
func TestPageFormsRefuseControlAndDirectionCharacters(t *testing.T) {
	w := newPackWorld(t, "sqlite", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 20)
	jc := w.journeyCase("ekonomiskt_bistand")
	notes := "/api/v1/cases/" + jc.ID + "/notes"
	var before []byte
	w.call("ekonom", "GET", notes, nil, http.StatusOK, &before)
	w.call("invanare", "GET", "/api/v1/me", nil, http.StatusOK, nil) // signing in is an event
	seq := w.lastEventSeq()

	body := w.mustPage("ekonom", "POST", "/cases/"+jc.ID+"/notes", url.Values{"body": {"Samtal med \u202eden enskilde"}}, false,
		http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Anteckning: Innehåller ett tecken som ändrar textens riktning.") {
		t.Errorf("the page does not say which field and what is wrong:\n%s", mainOf(body))
	}
	status, page := w.rawCall("ekonom", "POST", "/cases/"+jc.ID+"/notes", "multipart/form-data; boundary=x",
		"--x\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nnul\x00\r\n--x--\r\n")
	if status != http.StatusUnprocessableEntity {
		t.Errorf("a multipart note: status %d, want %d\n%s", status, http.StatusUnprocessableEntity, mainOf(page))
	}
	// Mina sidor: a message to the officer with NUL.
	body = w.mustPage("invanare", "POST", "/portal/cases/"+jc.ID+"/messages", url.Values{"body": {"Hej\x00"}}, false,
		http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Innehåller ett styrtecken.") {
		t.Errorf("Mina sidor does not say what is wrong:\n%s", mainOf(body))
	}
	var after []byte
	w.call("ekonom", "GET", notes, nil, http.StatusOK, &after)
	if string(after) != string(before) {
		t.Errorf("the notes changed:\n before %.300s\n after  %.300s", before, after)
	}
	if s := w.lastEventSeq(); s != seq {
		t.Errorf("refused forms appended %d events", s-seq)
	}

	w.mustPage("ekonom", "POST", "/cases/"+jc.ID+"/notes", url.Values{"body": {"Ha\u0308lsobesök"}}, false, http.StatusOK)
	w.call("ekonom", "GET", notes, nil, http.StatusOK, &after)
	if !strings.Contains(string(after), "Hälsobesök") || strings.Contains(string(after), "Ha\u0308lsobesök") {
		t.Errorf("the note is not saved in NFC: %s", after)
	}
}
