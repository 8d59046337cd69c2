package store_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestAccessLogFilter writes one entry an hour and checks that each filter
// of the review selects the right entries, emergency openings (the reads on
// the emergency ground and the opening itself) first, then newest first.
func TestAccessLogFilter(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	hour := func(n int) time.Time { return start.Add(time.Duration(n) * time.Hour) }
	// Seq is the index + 1; At is hour(index).
	written := []audit.Entry{
		{ActorID: "u-1", Action: string(access.ReadPerson), PersonID: "p-1", Ground: string(access.RelAssigned)},
		{ActorID: "u-2", Action: string(access.ReadPerson), PersonID: "p-2", Ground: string(access.RelEmergency), Reason: "akut"},
		{ActorID: "u-1", Action: string(access.ReadCase), PersonID: "p-1", CaseID: "c-1", Ground: string(access.RelUnit)},
		{ActorID: "u-2", Action: string(access.EmergencyOpen), PersonID: "p-3", Ground: "role", Reason: "akut"},
		{ActorID: "u-2", Action: string(access.ReadPerson), PersonID: "p-1", Ground: string(access.RelUnit)},
	}
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			clock := storetest.NewClock(start)
			db := storetest.Open(t, engine, clock)
			for _, e := range written {
				e.Tenant = "t-log"
				if err := db.AppendAccessLog(t.Context(), []audit.Entry{e}); err != nil {
					t.Fatal(err)
				}
				clock.Advance(time.Hour)
			}
			if err := db.AppendAccessLog(t.Context(), []audit.Entry{{Tenant: "t-other", ActorID: "u-1", Action: "read_person",
				PersonID: "p-1", Ground: "emergency"}}); err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name string
				f    store.AccessLogFilter
				want []int64 // seqs in order
			}{
				{"all, emergency first", store.AccessLogFilter{}, []int64{4, 2, 5, 3, 1}},
				{"person", store.AccessLogFilter{PersonID: "p-1"}, []int64{5, 3, 1}},
				{"user", store.AccessLogFilter{ActorID: "u-2"}, []int64{4, 2, 5}},
				{"from is inclusive", store.AccessLogFilter{From: hour(2)}, []int64{4, 5, 3}},
				{"to is exclusive", store.AccessLogFilter{To: hour(2)}, []int64{2, 1}},
				{"period", store.AccessLogFilter{From: hour(1), To: hour(4)}, []int64{4, 2, 3}},
				{"user and period", store.AccessLogFilter{ActorID: "u-1", From: hour(1), To: hour(4)}, []int64{3}},
				{"emergency only", store.AccessLogFilter{EmergencyOnly: true}, []int64{4, 2}},
				{"limit keeps emergencies", store.AccessLogFilter{Limit: 3}, []int64{4, 2, 5}},
				{"nothing", store.AccessLogFilter{PersonID: "p-9"}, []int64{}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, err := db.AccessLog(t.Context(), "t-log", tt.f)
					if err != nil {
						t.Fatal(err)
					}
					seqs := []int64{}
					for _, e := range got {
						seqs = append(seqs, e.Seq)
						if want := hour(int(e.Seq - 1)); !e.At.Equal(want) {
							t.Errorf("entry %d at %v, want %v", e.Seq, e.At, want)
						}
					}
					if !slices.Equal(seqs, tt.want) {
						t.Errorf("seqs %v, want %v", seqs, tt.want)
					}
				})
			}
		})
	}
}

// TestUserNames checks that the names come from the tenant asked about and
// that unknown ids are left out.
func TestUserNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for _, tenant := range []trygg.TenantID{"north", "south"} {
			createTenant(t, db, tenant)
			update(t, db, func(tx *store.Tx) error {
				for _, u := range []store.User{
					{ID: "u-1", Username: "anna", DisplayName: "Anna " + string(tenant)},
					{ID: "u-2", Username: "bo", DisplayName: "Bo " + string(tenant)},
				} {
					if err := tx.InsertUser(ctx, tenant, u); err != nil {
						return err
					}
				}
				return nil
			})
		}
		got, err := db.UserNames(ctx, "north", []string{"u-1", "u-2", "u-9"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]store.UserName{"u-1": {"anna", "Anna north"}, "u-2": {"bo", "Bo north"}}
		if len(got) != len(want) || got["u-1"] != want["u-1"] || got["u-2"] != want["u-2"] {
			t.Errorf("names %v, want %v", got, want)
		}
		if got, err := db.UserNames(ctx, "north", nil); err != nil || len(got) != 0 {
			t.Errorf("no ids: %v, %v", got, err)
		}
	})
}

// appendAt writes each entry to tenant t-log at its offset from start, in
// order, and returns them with Seq filled in.
func appendAt(t *testing.T, db *store.DB, clock *storetest.Clock, start time.Time, at []time.Duration, entries []audit.Entry) []audit.Entry {
	t.Helper()
	for i := range entries {
		clock.Advance(start.Add(at[i]).Sub(clock.Now()))
		entries[i].Tenant = "t-log"
		if err := db.AppendAccessLog(t.Context(), entries[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return entries
}

// TestAccessLogRuns: an officer's entries on the same case a few minutes
// apart are one row with their count and time span, even when another
// user's entries come between; a pause longer than the window, or another
// record in between, starts a new row; emergency openings still come
// first; the filter applies before grouping; the chain still verifies.
func TestAccessLogRuns(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	min := func(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }
	readCase := audit.Entry{ActorID: "u-1", Action: string(access.WorkCase), PersonID: "p-1", CaseID: "c-1", Ground: string(access.RelAssigned)}
	readPerson := audit.Entry{ActorID: "u-1", Action: string(access.ReadPerson), PersonID: "p-4", Ground: string(access.RelAssigned)}
	other := audit.Entry{ActorID: "u-2", Action: string(access.ReadPerson), PersonID: "p-2", Ground: string(access.RelUnit)}
	emergency := audit.Entry{ActorID: "u-2", Action: string(access.ReadCase), PersonID: "p-3", CaseID: "c-3", Ground: string(access.RelEmergency), Reason: "akut"}
	review := audit.Entry{ActorID: "u-9", Action: string(access.ReadPersonName), PersonID: "p-1", Ground: string(access.RelLogReview)}
	entries := []audit.Entry{readCase, readCase, readCase, other, readCase, readCase, readPerson, readCase, emergency, emergency, review}
	at := []time.Duration{0, min(1), min(2), min(2.5), min(3), min(10), min(11), min(12), min(13), min(14), min(15)}
	// The runs, as (newest seq, oldest seq, count).
	type run struct{ seq, first int64 }
	tests := []struct {
		name   string
		f      store.AccessLogFilter
		want   []run
		counts []int
	}{
		{"all", store.AccessLogFilter{}, []run{{10, 9}, {11, 11}, {8, 8}, {7, 7}, {6, 6}, {5, 1}, {4, 4}}, []int{2, 1, 1, 1, 1, 4, 1}},
		{"one user", store.AccessLogFilter{ActorID: "u-1"}, []run{{8, 8}, {7, 7}, {6, 6}, {5, 1}}, []int{1, 1, 1, 4}},
		// Without the read of the person between, the case's entries at
		// 10, 11 (left out) and 12 minutes are one run.
		{"one case", store.AccessLogFilter{PersonID: "p-1", ActorID: "u-1", From: start.Add(min(5))}, []run{{8, 6}}, []int{2}},
		{"a reviewer's own names hidden", store.AccessLogFilter{HideLogReviewBy: "u-9", EmergencyOnly: false, From: start.Add(min(13))}, []run{{10, 9}}, []int{2}},
		{"emergency only", store.AccessLogFilter{EmergencyOnly: true}, []run{{10, 9}}, []int{2}},
		{"limit counts rows", store.AccessLogFilter{Limit: 2}, []run{{10, 9}, {11, 11}}, []int{2, 1}},
	}
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			clock := storetest.NewClock(start)
			db := storetest.Open(t, engine, clock)
			appendAt(t, db, clock, start, at, entries)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, err := db.AccessLogRuns(t.Context(), "t-log", tt.f, 5*time.Minute)
					if err != nil {
						t.Fatal(err)
					}
					var runs []run
					var counts []int
					for _, r := range got {
						runs = append(runs, run{r.Seq, r.FirstSeq})
						counts = append(counts, r.Count)
						if want := start.Add(at[r.Seq-1]); !r.At.Equal(want) {
							t.Errorf("run %d at %v, want %v", r.Seq, r.At, want)
						}
						if want := start.Add(at[r.FirstSeq-1]); !r.FirstAt.Equal(want) {
							t.Errorf("run %d starts at %v, want %v", r.Seq, r.FirstAt, want)
						}
						if e := entries[r.Seq-1]; r.ActorID != e.ActorID || r.Action != e.Action || r.PersonID != e.PersonID ||
							r.CaseID != e.CaseID || r.Ground != e.Ground || r.Reason != e.Reason {
							t.Errorf("run %d is %+v, want the entry %+v", r.Seq, r, e)
						}
					}
					if !slices.Equal(runs, tt.want) || !slices.Equal(counts, tt.counts) {
						t.Errorf("runs %v with counts %v, want %v with %v", runs, counts, tt.want, tt.counts)
					}
				})
			}
			rep, err := db.VerifyAccessLog(t.Context(), "t-log")
			if err != nil || !rep.OK() || rep.Entries != int64(len(entries)) {
				t.Errorf("the chain after grouping: %+v, %v", rep, err)
			}
		})
	}
}

// TestAccessLogSample: a sample is the entries of the period with the
// smallest SampleKey for the seed, in seq order, the same on both
// engines; the same seed draws the same sample, another seed another;
// names seen in log reviews and entries outside the period are not drawn.
func TestAccessLogSample(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var entries []audit.Entry
	var at []time.Duration
	for i := range 300 {
		e := audit.Entry{ActorID: fmt.Sprintf("u-%d", i%7), Action: string(access.ReadCase), PersonID: fmt.Sprintf("p-%d", i%31),
			CaseID: fmt.Sprintf("c-%d", i%31), Ground: string(access.RelUnit)}
		if i%10 == 0 {
			e = audit.Entry{ActorID: "u-9", Action: string(access.ReadPersonName), PersonID: e.PersonID, Ground: string(access.RelLogReview)}
		}
		entries = append(entries, e)
		at = append(at, time.Duration(i)*3*time.Hour) // 8 a day: seq 1-248 in March
	}
	from, to := start, start.AddDate(0, 1, 0)
	// want is the sample computed here, from the entries as written.
	want := func(n int, seed int64) ([]int64, int) {
		var pop []int64
		for i, e := range entries {
			if d := start.Add(at[i]); !d.Before(from) && d.Before(to) && e.Ground != string(access.RelLogReview) {
				pop = append(pop, int64(i+1))
			}
		}
		total := len(pop)
		slices.SortFunc(pop, func(a, b int64) int {
			return cmp.Or(cmp.Compare(store.SampleKey(a, seed), store.SampleKey(b, seed)), cmp.Compare(a, b))
		})
		pop = pop[:min(n, len(pop))]
		slices.Sort(pop)
		return pop, total
	}
	samples := map[string][]int64{}
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			clock := storetest.NewClock(start)
			db := storetest.Open(t, engine, clock)
			appendAt(t, db, clock, start, at, entries)
			draw := func(n int, seed int64) ([]int64, int) {
				t.Helper()
				got, total, err := db.AccessLogSample(t.Context(), "t-log", from, to, n, seed)
				if err != nil {
					t.Fatal(err)
				}
				seqs := []int64{}
				for _, e := range got {
					seqs = append(seqs, e.Seq)
					if e.Hash == "" || e.ActorID == "" {
						t.Errorf("entry %d is not whole: %+v", e.Seq, e)
					}
				}
				return seqs, total
			}
			for _, tt := range []struct {
				n    int
				seed int64
			}{{20, 1}, {20, 482913}, {20, store.MaxSampleSeed}, {5, 7}, {1000, 3}} {
				got, total := draw(tt.n, tt.seed)
				wantSeqs, wantTotal := want(tt.n, tt.seed)
				if !slices.Equal(got, wantSeqs) || total != wantTotal {
					t.Errorf("n=%d seed=%d: %v of %d, want %v of %d", tt.n, tt.seed, got, total, wantSeqs, wantTotal)
				}
				for _, seq := range got {
					if entries[seq-1].Ground == string(access.RelLogReview) || seq > 248 {
						t.Errorf("n=%d seed=%d: drew %d, a name seen in a review or outside the period", tt.n, tt.seed, seq)
					}
				}
				samples[fmt.Sprint(tt.n, tt.seed)] = got
			}
			if a, _ := draw(20, 482913); !slices.Equal(a, samples["20 482913"]) {
				t.Errorf("the same seed drew %v, then %v", samples["20 482913"], a)
			}
			if a, b := samples["20 1"], samples["20 482913"]; slices.Equal(a, b) {
				t.Errorf("seeds 1 and 482913 drew the same sample %v", a)
			}
			if got, total := draw(20, 1); total != 223 || len(got) != 20 {
				t.Errorf("%d of %d, want 20 of the 223 entries of March that are not names seen in reviews", len(got), total)
			}
		})
	}
}

// TestAccessLogRunsClockBack: an entry written with an earlier time than
// the one before it (a server's clock set back, or history written
// afterwards) is in the same run only if it is within the window of it.
func TestAccessLogRunsClockBack(t *testing.T) {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	work := audit.Entry{ActorID: "u-1", Action: string(access.WorkCase), PersonID: "p-1", CaseID: "c-1", Ground: string(access.RelAssigned)}
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			clock := storetest.NewClock(start)
			db := storetest.Open(t, engine, clock)
			appendAt(t, db, clock, start, []time.Duration{time.Hour, 10 * time.Minute, 11 * time.Minute, 8 * time.Minute},
				[]audit.Entry{work, work, work, work})
			runs, err := db.AccessLogRuns(t.Context(), "t-log", store.AccessLogFilter{}, 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			var got [][2]int64
			for _, r := range runs {
				got = append(got, [2]int64{r.FirstSeq, r.Seq})
			}
			if want := [][2]int64{{2, 4}, {1, 1}}; !slices.Equal(got, want) {
				t.Errorf("runs %v, want %v", got, want)
			}
		})
	}
}
