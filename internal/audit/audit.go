// Package audit is the access log: one entry per read of personal data,
// hash-chained per tenant so an edited or removed row is detected. Entries
// are made durable before the response that shows the data is sent; a group
// committer batches the entries of concurrent requests into one commit.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Entry is one access-log row.
type Entry struct {
	Tenant   trygg.TenantID `json:"-"`
	Seq      int64          `json:"seq"`
	At       time.Time      `json:"at"`
	ActorID  string         `json:"actor_id"`
	Action   string         `json:"action"`
	PersonID string         `json:"person_id,omitempty"`
	CaseID   string         `json:"case_id,omitempty"`
	Ground   string         `json:"ground"`
	Reason   string         `json:"reason,omitempty"`
	PrevHash string         `json:"prev_hash"`
	Hash     string         `json:"hash"`
}

// Genesis is the previous hash of a tenant's first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the chain hash of e given its PrevHash: SHA-256 over
// the previous hash and every field, each length-prefixed so no two entries
// encode alike.
func ComputeHash(e Entry) string {
	h := sha256.New()
	for _, f := range []string{e.PrevHash, string(e.Tenant), strconv.FormatInt(e.Seq, 10),
		strconv.FormatInt(e.At.UnixMicro(), 10), e.ActorID, e.Action, e.PersonID, e.CaseID, e.Ground, e.Reason} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Problem is one break found by Verify.
type Problem struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// Report is the result of verifying a tenant's chain.
type Report struct {
	Tenant   trygg.TenantID `json:"tenant"`
	Entries  int64          `json:"entries"`
	Problems []Problem      `json:"problems"`
}

// OK reports whether the chain verified.
func (r Report) OK() bool { return len(r.Problems) == 0 }

func (r Report) String() string {
	if r.OK() {
		return fmt.Sprintf("tenant %s: %d entries, chain verified", r.Tenant, r.Entries)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "tenant %s: %d entries, %d problems:", r.Tenant, r.Entries, len(r.Problems))
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "\n  seq %d: %s", p.Seq, p.Reason)
	}
	return b.String()
}

// Verifier checks a chain entry by entry, in sequence order.
type Verifier struct {
	report   Report
	prevSeq  int64
	prevHash string
}

// NewVerifier starts verifying tenant's chain.
func NewVerifier(tenant trygg.TenantID) *Verifier {
	return &Verifier{report: Report{Tenant: tenant}, prevHash: Genesis}
}

func (v *Verifier) problem(seq int64, format string, args ...any) {
	if len(v.report.Problems) < 1000 {
		v.report.Problems = append(v.report.Problems, Problem{Seq: seq, Reason: fmt.Sprintf(format, args...)})
	}
}

// NewVerifierFrom starts verifying tenant's chain after a checkpoint:
// the rows up to seq were removed by retention, the last of them had hash.
func NewVerifierFrom(tenant trygg.TenantID, seq int64, hash string) *Verifier {
	return &Verifier{report: Report{Tenant: tenant}, prevSeq: seq, prevHash: hash}
}

// Problem records a problem found outside the chain itself (a checkpoint
// whose signature does not match).
func (v *Verifier) Problem(seq int64, reason string) { v.problem(seq, "%s", reason) }

// CheckpointMAC signs a retention checkpoint of tenant's chain: the seq
// and hash of the last removed row, the number removed and when, with
// HMAC-SHA-256 under key, each field length-prefixed as in ComputeHash.
func CheckpointMAC(key []byte, tenant trygg.TenantID, seq int64, hash string, removed int64, at time.Time) string {
	m := hmac.New(sha256.New, key)
	for _, f := range []string{"access-log-checkpoint", string(tenant), strconv.FormatInt(seq, 10), hash,
		strconv.FormatInt(removed, 10), strconv.FormatInt(at.UnixMicro(), 10)} {
		m.Write([]byte(strconv.Itoa(len(f))))
		m.Write([]byte{':'})
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// Add checks the next entry.
func (v *Verifier) Add(e Entry) {
	v.report.Entries++
	if e.Seq != v.prevSeq+1 {
		v.problem(e.Seq, "entries %d to %d are missing", v.prevSeq+1, e.Seq-1)
	}
	if e.PrevHash != v.prevHash {
		v.problem(e.Seq, "previous-hash link does not match the entry before it")
	}
	if ComputeHash(e) != e.Hash {
		v.problem(e.Seq, "entry has been altered (hash mismatch)")
	}
	v.prevSeq, v.prevHash = e.Seq, e.Hash
}

// Finish compares the end of the chain with the recorded head (the last
// sequence number and hash the writer committed) and returns the report.
func (v *Verifier) Finish(headSeq int64, headHash string) Report {
	if headSeq != v.prevSeq {
		v.problem(headSeq, "the log ends at %d but %d entries were written: entries at the end were removed", v.prevSeq, headSeq)
	} else if headHash != v.prevHash && headSeq > 0 {
		v.problem(headSeq, "the last entry does not match the recorded head")
	}
	return v.report
}

// Store appends entries durably. The store package implements it.
type Store interface {
	// AppendAccessLog chains and writes the entries in one transaction,
	// filling Seq, PrevHash and Hash; it returns when they are durable.
	AppendAccessLog(ctx context.Context, entries []Entry) error
}
