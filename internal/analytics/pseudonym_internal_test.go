package analytics

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
)

// TestPseudonymIsKeyedHash: a pseudonym is the first 128 bits of
// HMAC-SHA256 of the kind, a zero byte and the id, with the key, in hex;
// the same whoever asks and however many ask at once.
func TestPseudonymIsKeyedHash(t *testing.T) {
	key := []byte("a key only the tests know, 32 b")
	p, err := newPseudonymizer(key)
	if err != nil {
		t.Fatal(err)
	}
	want := func(kind, id string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(kind + "\x00" + id))
		return hex.EncodeToString(m.Sum(nil)[:16])
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				kind, id := []string{"person", "case", "decision"}[i%3], fmt.Sprintf("id-%d-%d-with a long tail to pass one block of sixty-four bytes", g, i)
				if got, w := p.of(kind, id), want(kind, id); got != w {
					t.Errorf("of(%q, %q) = %s, want %s", kind, id, got, w)
					return
				}
			}
		})
	}
	wg.Wait()
	if p.of("case", "") != "" {
		t.Error("the pseudonym of no id is not empty")
	}
}
