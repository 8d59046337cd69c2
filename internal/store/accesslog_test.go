package store_test

import (
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
