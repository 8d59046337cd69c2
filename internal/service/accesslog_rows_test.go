package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
)

// TestAccessLogOneRowPerRequest: a request that reads several persons and
// cases (a person with their cases; a name search's hits) adds one row to
// the chain, and the review still lists every person and case it read, in
// the order read, as entries of that row; the person's own log names it.
func TestAccessLogOneRowPerRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newDemoWorld(t, db, 200, 20, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		as := w.actorFunc(t)
		officer, reviewer := as("handlaggare"), as("granskare")
		rows := func(t *testing.T) int64 {
			t.Helper()
			rep, err := db.VerifyAccessLog(ctx, demo.TenantID)
			if err != nil || !rep.OK() {
				t.Fatalf("verify: %v, %v", rep, err)
			}
			return rep.Entries
		}
		mine := func(t *testing.T, before int64) []storeEntry {
			t.Helper()
			got, err := w.svc.AccessLog(ctx, reviewer, store.AccessLogFilter{ActorID: officer.UserID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var out []storeEntry
			for _, e := range got {
				if e.Seq > before {
					out = append(out, storeEntry{e.Seq, e.Action, e.PersonID, e.CaseID})
				}
			}
			return out
		}
		head := func(t *testing.T) int64 {
			t.Helper()
			got, err := db.AccessLog(ctx, demo.TenantID, store.AccessLogFilter{Limit: 1})
			if err != nil || len(got) == 0 {
				t.Fatalf("access log: %v, %v", got, err)
			}
			return got[0].Seq
		}

		// A person with two cases the officer may read: one of the demo's
		// and one more she opens.
		var view service.PersonView
		for _, p := range w.ds.Persons {
			v, err := w.svc.Person(ctx, officer, p.ID)
			if err != nil || len(v.Cases) == 0 {
				continue
			}
			c := v.Cases[0]
			if _, err := w.svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonID: p.ID, UnitID: c.UnitID, CaseType: c.CaseType, Title: "Ytterligare"}); err == nil {
				view = v
				break
			}
		}
		if view.Person.ID == "" {
			t.Fatal("no person with two cases the officer may read")
		}
		tests := []struct {
			name string
			read func(t *testing.T) []storeEntry // what the request showed, in order
		}{
			{"a person and their cases", func(t *testing.T) []storeEntry {
				v, err := w.svc.Person(ctx, officer, view.Person.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := []storeEntry{{0, string(access.ReadPerson), v.Person.ID, ""}}
				for _, c := range v.Cases {
					want = append(want, storeEntry{0, string(access.ReadCase), v.Person.ID, c.ID})
				}
				return want
			}},
			{"a name search's hits", func(t *testing.T) []storeEntry {
				hits, err := w.svc.SearchPersons(ctx, officer, service.SearchInput{Query: view.Person.FamilyName[:2]})
				if err != nil {
					t.Fatal(err)
				}
				if len(hits) < 2 {
					t.Skipf("the search found %d persons", len(hits))
				}
				var want []storeEntry
				for _, h := range hits {
					want = append(want, storeEntry{0, string(access.SearchPersons), h.ID, ""})
				}
				return want
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, seq := rows(t), head(t)
				want := tt.read(t)
				if got := rows(t); got != before+1 {
					t.Fatalf("the request added %d rows to the chain, want 1 naming all %d records", got-before, len(want))
				}
				got := mine(t, seq)
				if len(got) != len(want) {
					t.Fatalf("the review lists %d entries of the request, want %d: %+v", len(got), len(want), got)
				}
				// The review lists newest first: the request's records
				// in reverse, all on the row's seq.
				for i, g := range got {
					x := want[len(want)-1-i]
					x.seq = seq + 1
					if g != x {
						t.Errorf("entry %d: %+v, want %+v", i, g, x)
					}
				}
				last := want[len(want)-1]
				own, _, err := db.PersonAccessLog(ctx, demo.TenantID, last.person, 10)
				if err != nil || len(own) == 0 || own[0].Seq != seq+1 || own[0].Action != last.action || own[0].CaseID != last.caseID {
					t.Errorf("the person's own log: %+v, %v; want the request's row first", own, err)
				}
				runs, err := w.svc.AccessLogRuns(ctx, reviewer, store.AccessLogFilter{PersonID: last.person})
				if err != nil || len(runs) == 0 || runs[0].Seq != seq+1 || runs[0].CaseID != last.caseID {
					t.Errorf("the review filtered on the person: %+v, %v", runs, err)
				}
			})
		}
	})
}

type storeEntry struct {
	seq                    int64
	action, person, caseID string
}
