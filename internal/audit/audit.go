// Package audit is the access log: one entry per read of personal data,
// one row per request naming them all (Merge), hash-chained per tenant so
// an edited or removed row is detected. Entries are made durable before
// the response that shows the data is sent; a group committer batches the
// rows of concurrent requests into one commit.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Entry is one access-log row: one request's reads by one actor. Its own
// Action, PersonID, CaseID and Ground are the first record read; More
// holds every further one (a person and their cases, an inbox's persons,
// a search's hits), so a request writes one row however many records it
// shows. The review reads a row as one entry per record (Expand).
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
	// More is the row's further records read, in the order read; the
	// hash covers them.
	More []Subject `json:"-"`
}

// Subject is one record a row names beyond its first: the person and
// case read, how and on what ground.
type Subject struct {
	Action, PersonID, CaseID, Ground string
}

// Merge makes one row of one request's entries: the entries of each actor
// and reason (in a tenant) become one entry whose More names the rest, in
// the order given. Entries already merged keep their More.
func Merge(entries []Entry) []Entry {
	if len(entries) < 2 {
		return entries
	}
	type key struct {
		tenant        trygg.TenantID
		actor, reason string
	}
	at := map[key]int{}
	out := make([]Entry, 0, 1)
	for _, e := range entries {
		k := key{e.Tenant, e.ActorID, e.Reason}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			e.More = slices.Clone(e.More)
			out = append(out, e)
			continue
		}
		out[i].More = append(out[i].More, Subject{Action: e.Action, PersonID: e.PersonID, CaseID: e.CaseID, Ground: e.Ground})
		out[i].More = append(out[i].More, e.More...)
	}
	return out
}

// Expand returns the row as one entry per record it names, each with the
// row's seq, time, actor, reason and hashes: the entries the review shows.
func (e Entry) Expand() []Entry {
	first := e
	first.More = nil
	out := []Entry{first}
	for _, s := range e.More {
		x := first
		x.Action, x.PersonID, x.CaseID, x.Ground = s.Action, s.PersonID, s.CaseID, s.Ground
		out = append(out, x)
	}
	return out
}

// Genesis is the previous hash of a tenant's first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the chain hash of e given its PrevHash: SHA-256 over
// the previous hash and every field, each length-prefixed so no two entries
// encode alike. A row with further records (More) goes on with their
// number and each one's four fields; a row without hashes as rows did
// before rows named several records, so older chains verify unchanged.
func ComputeHash(e Entry) string {
	h := sha256.New()
	var n [20]byte
	field := func(f string) {
		h.Write(strconv.AppendInt(n[:0], int64(len(f)), 10))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	field(e.PrevHash)
	field(string(e.Tenant))
	field(strconv.FormatInt(e.Seq, 10))
	field(strconv.FormatInt(e.At.UnixMicro(), 10))
	for _, f := range []string{e.ActorID, e.Action, e.PersonID, e.CaseID, e.Ground, e.Reason} {
		field(f)
	}
	if len(e.More) > 0 {
		field("more")
		field(strconv.Itoa(len(e.More)))
		for _, s := range e.More {
			field(s.Action)
			field(s.PersonID)
			field(s.CaseID)
			field(s.Ground)
		}
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
