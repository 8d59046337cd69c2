package mailbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The file says who has a mailbox; a letter is written once however often
// it is sent, and a person without a mailbox is not reachable.
func TestFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "mailboxes.json")
	if err := os.WriteFile(path, []byte(`[{"identity_number": "19880412-2384", "operator": "Kivra"},
		{"identity_number": "197001011234", "operator": "Min Myndighetspost", "refused_senders": ["2120000001"]}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFile(path, filepath.Join(dir, "sent"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		identity, sender string
		want             Reach
	}{
		{"198804122384", "2120000001", Reach{Reachable: true, Operator: "Kivra"}},
		{"19700101-1234", "2120000002", Reach{Reachable: true, Operator: "Min Myndighetspost"}},
		{"19700101-1234", "2120000001", Reach{}},
		{"19991231-9999", "2120000001", Reach{}},
	} {
		got, err := f.Reachable(ctx, tc.sender, tc.identity)
		if err != nil || got != tc.want {
			t.Errorf("Reachable(%s, %s) = %+v, %v; want %+v", tc.sender, tc.identity, got, err, tc.want)
		}
	}
	l := Letter{ID: "t1-17-p1", Sender: "2120000001", Recipient: "19880412-2384", Subject: "Beslut", ContentType: ContentHTML, Body: []byte("<p>Beslut</p>")}
	first, err := f.Send(ctx, l)
	if err != nil || first == "" {
		t.Fatalf("Send: %q, %v", first, err)
	}
	again, err := f.Send(ctx, l)
	if err != nil || again != first {
		t.Errorf("Send again: %q, %v; want %q", again, err, first)
	}
	sent, err := f.Sent()
	if err != nil || len(sent) != 1 || sent[0].Operator != "Kivra" || string(sent[0].Body) != "<p>Beslut</p>" {
		t.Fatalf("Sent: %+v, %v", sent, err)
	}
	if _, err := f.Send(ctx, Letter{ID: "t1-18-p2", Sender: "2120000001", Recipient: "19991231-9999", Body: []byte("x")}); !errors.Is(err, ErrNotReachable) {
		t.Errorf("Send to no mailbox: %v", err)
	}
	_, err = f.Send(ctx, Letter{ID: "../x", Recipient: "19880412-2384"})
	if err == nil || strings.Contains(err.Error(), "19880412") {
		t.Errorf("Send with a bad id: %v", err)
	}
	st, err := os.Stat(filepath.Join(dir, "sent", "t1-17-p1.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the letter's record: %v, %v", st, err)
	}
	// Saved and loaded again, the mailboxes are the same.
	f.Add("20100101-0000", "Kivra")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	g, err := LoadFile(path, filepath.Join(dir, "sent"))
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := g.Reachable(ctx, "x", "201001010000"); !r.Reachable {
		t.Errorf("added mailbox not saved")
	}
	// A malformed file names the entry, not its contents.
	if err := os.WriteFile(path, []byte(`[{"identity_number": "1988", "operator": ""}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(path, dir); err == nil || !strings.Contains(err.Error(), "mailbox 1") || strings.Contains(err.Error(), "1988") {
		t.Errorf("malformed file: %v", err)
	}
}
