package analytics

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"sync"
)

// MinKeyLength is the shortest key the projector accepts, in bytes.
const MinKeyLength = 16

// ErrNoKey is returned when analytics is asked for without a key.
var ErrNoKey = errors.New("analytics needs a pseudonym key: set --analytics-key or TRYGG_ANALYTICS_KEY (at least 16 characters; keep it secret and keep it: a new key needs 'trygg analytics rebuild')")

// pseudonymizer turns the main store's ids into the analysis store's
// keys: HMAC-SHA256 of the kind and the id with the operator's key, the
// first 128 bits in hex. Without the key, a key cannot be traced back to
// the id, nor the same id found in another store built with another key.
type pseudonymizer struct {
	key []byte
	// macs are HMACs with the key, reset and used again: a reset one
	// starts from the key's state instead of hashing the key again.
	macs *sync.Pool
}

func newPseudonymizer(key []byte) (pseudonymizer, error) {
	if len(key) == 0 {
		return pseudonymizer{}, ErrNoKey
	}
	if len(key) < MinKeyLength {
		return pseudonymizer{}, errors.New("the analytics key is too short: use at least 16 characters")
	}
	key = append([]byte(nil), key...)
	return pseudonymizer{key: key, macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}, nil
}

// of returns the pseudonym of id, a record of kind ("person", "case",
// "decision", ...); "" for an empty id.
func (p pseudonymizer) of(kind, id string) string {
	if id == "" {
		return ""
	}
	m := p.macs.Get().(hash.Hash)
	m.Reset()
	var buf [64]byte
	b := append(append(append(buf[:0], kind...), 0), id...)
	m.Write(b)
	var sum [sha256.Size]byte
	s := hex.EncodeToString(m.Sum(sum[:0])[:16])
	p.macs.Put(m)
	return s
}

// check is the fingerprint of the key the store keeps, so that a store
// built with one key is not continued with another.
func (p pseudonymizer) check() string { return p.of("key-check", "trygg analytics") }
