package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestMergeOneRowPerRequest: a request's entries become one row per actor
// and reason, naming every record in the order read; Expand gives them
// back as the review lists them.
func TestMergeOneRowPerRequest(t *testing.T) {
	read := func(actor, action, person, caseID, reason string) Entry {
		return Entry{Tenant: "t", ActorID: actor, Action: action, PersonID: person, CaseID: caseID, Ground: "unit", Reason: reason}
	}
	tests := []struct {
		name string
		in   []Entry
		rows []int // records per row
	}{
		{"one record", []Entry{read("u", "read_case", "p1", "c1", "")}, []int{1}},
		{"a person and their cases", []Entry{read("u", "read_person", "p1", "", ""), read("u", "read_case", "p1", "c1", ""),
			read("u", "read_case", "p1", "c2", "")}, []int{3}},
		{"search hits", []Entry{read("u", "search", "p1", "", ""), read("u", "search", "p2", "", ""), read("u", "search", "p3", "", "")}, []int{3}},
		{"another reason is another row", []Entry{read("u", "read_person", "p1", "", ""), read("u", "read_person", "p1", "", "registerutdrag"),
			read("u", "read_case", "p1", "c1", "")}, []int{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := Merge(slices.Clone(tt.in))
			var sizes []int
			var back []Entry
			for _, r := range rows {
				sizes = append(sizes, 1+len(r.More))
				back = append(back, r.Expand()...)
			}
			if !slices.Equal(sizes, tt.rows) {
				t.Fatalf("rows of %v records, want %v", sizes, tt.rows)
			}
			// Expanded, the records are the ones read (rows in order).
			var want []Entry
			for _, r := range rows {
				for _, e := range tt.in {
					if e.ActorID == r.ActorID && e.Reason == r.Reason {
						want = append(want, e)
					}
				}
			}
			if !slices.EqualFunc(back, want, func(a, b Entry) bool {
				return a.Action == b.Action && a.PersonID == b.PersonID && a.CaseID == b.CaseID && a.Ground == b.Ground && a.Reason == b.Reason
			}) {
				t.Errorf("expanded %+v, want %+v", back, want)
			}
		})
	}
}

// TestComputeHashOfRows: a row naming one record hashes as every row did
// before rows named several (so older chains verify), and each further
// record's fields, their order and their number are in the hash.
func TestComputeHashOfRows(t *testing.T) {
	e := Entry{Tenant: "t", Seq: 7, At: time.Unix(1700000000, 123000).UTC(), ActorID: "u1", Action: "read_person",
		PersonID: "p1", Ground: "unit", Reason: "r", PrevHash: Genesis}
	// The hash of a row as written before rows named several records.
	h := sha256.New()
	for _, f := range []string{e.PrevHash, string(e.Tenant), "7", strconv.FormatInt(e.At.UnixMicro(), 10), e.ActorID, e.Action,
		e.PersonID, e.CaseID, e.Ground, e.Reason} {
		h.Write([]byte(strconv.Itoa(len(f)) + ":" + f))
	}
	if got, want := ComputeHash(e), hex.EncodeToString(h.Sum(nil)); got != want {
		t.Fatalf("a one-record row hashes %s, want %s as before", got, want)
	}

	two := e
	two.More = []Subject{{Action: "read_case", PersonID: "p1", CaseID: "c1", Ground: "unit"}, {Action: "read_case", PersonID: "p1", CaseID: "c2", Ground: "unit"}}
	base := ComputeHash(two)
	if base == ComputeHash(e) {
		t.Fatal("further records must change the hash")
	}
	changes := map[string]func(x *Entry){
		"record removed":   func(x *Entry) { x.More = x.More[:1] },
		"records swapped":  func(x *Entry) { x.More[0], x.More[1] = x.More[1], x.More[0] },
		"case edited":      func(x *Entry) { x.More[1].CaseID = "c3" },
		"ground edited":    func(x *Entry) { x.More[0].Ground = "emergency" },
		"action edited":    func(x *Entry) { x.More[0].Action = "read_person" },
		"person edited":    func(x *Entry) { x.More[1].PersonID = "p2" },
		"record added":     func(x *Entry) { x.More = append(x.More, Subject{Action: "read_case", PersonID: "p1"}) },
		"field moved over": func(x *Entry) { x.More[0].Action, x.More[0].PersonID = "read_casep", "1" },
	}
	for name, change := range changes {
		x := two
		x.More = slices.Clone(two.More)
		change(&x)
		if ComputeHash(x) == base {
			t.Errorf("%s: the hash did not change", name)
		}
	}
}
