package audit

import (
	"strings"
	"testing"
	"time"
)

func chain(n int) []Entry {
	prev := Genesis
	var out []Entry
	for i := 1; i <= n; i++ {
		e := Entry{Tenant: "t", Seq: int64(i), At: time.Unix(int64(1700000000+i), 0).UTC(), ActorID: "u1",
			Action: "read_person", PersonID: "p1", Ground: "unit", PrevHash: prev}
		e.Hash = ComputeHash(e)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func verify(entries []Entry, headSeq int64, headHash string) Report {
	v := NewVerifier("t")
	for _, e := range entries {
		v.Add(e)
	}
	return v.Finish(headSeq, headHash)
}

func TestVerifier(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]Entry) ([]Entry, int64, string)
		want   string // substring of the first problem; "" means the chain verifies
	}{
		{"intact", func(es []Entry) ([]Entry, int64, string) { return es, 5, es[4].Hash }, ""},
		{"empty", func(es []Entry) ([]Entry, int64, string) { return nil, 0, "" }, ""},
		{"edited field", func(es []Entry) ([]Entry, int64, string) {
			es[2].ActorID = "someone-else"
			return es, 5, es[4].Hash
		}, "altered"},
		{"edited reason keeps hash", func(es []Entry) ([]Entry, int64, string) {
			es[1].Reason = "added later"
			return es, 5, es[4].Hash
		}, "altered"},
		{"middle row removed", func(es []Entry) ([]Entry, int64, string) {
			return append(es[:2:2], es[3:]...), 5, es[4].Hash
		}, "missing"},
		{"last row removed", func(es []Entry) ([]Entry, int64, string) { return es[:4], 5, es[4].Hash }, "removed"},
		{"rows swapped", func(es []Entry) ([]Entry, int64, string) {
			es[1], es[2] = es[2], es[1]
			return es, 5, es[4].Hash
		}, "missing"},
		{"row rehashed after edit", func(es []Entry) ([]Entry, int64, string) {
			es[2].PersonID = "p2"
			es[2].Hash = ComputeHash(es[2])
			return es, 5, es[4].Hash
		}, "previous-hash link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, seq, hash := tt.tamper(chain(5))
			rep := verify(es, seq, hash)
			if tt.want == "" {
				if !rep.OK() {
					t.Fatalf("want verified, got %s", rep)
				}
				return
			}
			if rep.OK() {
				t.Fatalf("tampering not detected")
			}
			if !strings.Contains(rep.String(), tt.want) {
				t.Fatalf("report %q does not mention %q", rep, tt.want)
			}
		})
	}
}

func TestComputeHashSeparatesFields(t *testing.T) {
	a := Entry{Tenant: "t", Seq: 1, ActorID: "ab", Action: "c", PrevHash: Genesis}
	b := Entry{Tenant: "t", Seq: 1, ActorID: "a", Action: "bc", PrevHash: Genesis}
	if ComputeHash(a) == ComputeHash(b) {
		t.Fatal("moving characters between fields must change the hash")
	}
}
