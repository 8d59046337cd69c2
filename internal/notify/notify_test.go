package notify

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// File appends one JSON line per notice to a file only its owner reads.
func TestFileAppendsLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "notices.jsonl")
	f, err := NewFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		n := Notice{ID: id, UserID: "u1", Channel: ChannelSMS, Address: "+46700000000", Kind: KindCase,
			Text: Texts[KindCase][0], TextEN: Texts[KindCase][1]}
		if err := f.Notify(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines: %q", lines)
	}
	var n Notice
	if err := json.Unmarshal([]byte(lines[1]), &n); err != nil || n.ID != "b" || n.Text != "Det finns något nytt i ditt ärende på Mina sidor." {
		t.Errorf("second line: %+v, %v", n, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
}
