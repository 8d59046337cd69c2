package service_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestAccessLogReviewNames: the log reviewer sees the names of the persons
// in the log, and each time she does, one entry per person is logged on the
// log-review ground; a protected person's name stays hidden without the
// permission, and is not logged. Her own such entries stay out of her list
// unless she filters on herself, where a page viewed twice is one row.
// No one else may see the names.
func TestAccessLogReviewNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newDemoWorld(t, db, 80, 20, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		as := w.actorFunc(t)
		reviewer, officer := as("granskare"), as("handlaggare")
		var plain, protected persons.Person
		for _, p := range w.ds.Persons {
			switch {
			case p.Protection == persons.ProtectionNone && plain.ID == "":
				plain = p
			case p.Protection != persons.ProtectionNone && protected.ID == "":
				protected = p
			}
		}
		if plain.ID == "" || protected.ID == "" {
			t.Fatal("the demo lacks a plain or a protected person")
		}
		ids := []string{plain.ID, protected.ID, "p-nobody", plain.ID}
		for view := 1; view <= 2; view++ {
			names, err := w.svc.AccessLogPersonNames(ctx, reviewer, ids)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{plain.ID: plain.GivenName + " " + plain.FamilyName}; !maps.Equal(names, want) {
				t.Errorf("view %d: names %v, want %v", view, names, want)
			}
			logged, err := w.svc.AccessLog(ctx, reviewer, store.AccessLogFilter{ActorID: reviewer.UserID})
			if err != nil {
				t.Fatal(err)
			}
			if len(logged) != view {
				t.Fatalf("view %d: %d entries of the reviewer, want one per view and person: %+v", view, len(logged), logged)
			}
			if e := logged[0]; e.Action != string(access.ReadPersonName) || e.Ground != string(access.RelLogReview) || e.PersonID != plain.ID || e.CaseID != "" {
				t.Errorf("view %d: logged %+v", view, e)
			}
		}

		runs, err := w.svc.AccessLogRuns(ctx, reviewer, store.AccessLogFilter{PersonID: plain.ID})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(runs, func(r store.AccessLogRun) bool { return r.ActorID == reviewer.UserID }) {
			t.Errorf("the reviewer's own names seen are in her list: %+v", runs)
		}
		runs, err = w.svc.AccessLogRuns(ctx, reviewer, store.AccessLogFilter{ActorID: reviewer.UserID})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].Count != 2 || runs[0].Action != string(access.ReadPersonName) {
			t.Errorf("filtered on herself: %+v, want one row of her two views", runs)
		}

		if _, err := w.svc.AccessLogPersonNames(ctx, officer, []string{plain.ID}); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Errorf("an officer asking for names: %v, want forbidden", err)
		}
		if _, err := w.svc.AccessLogRuns(ctx, officer, store.AccessLogFilter{}); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Errorf("an officer listing the log: %v, want forbidden", err)
		}
	})
}

// TestDrawAccessLogSample: a sample needs a period, a size and a seed in
// range, each wrong field named; a good one draws the same entries twice.
func TestDrawAccessLogSample(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		w := newDemoWorld(t, db, 80, 20, day.Add(9*time.Hour))
		as := w.actorFunc(t)
		reviewer := as("granskare")
		for _, tt := range []struct {
			name   string
			in     service.AccessLogSampleInput
			fields []string
		}{
			{"nothing", service.AccessLogSampleInput{}, []string{"from", "n", "seed", "to"}},
			{"backwards", service.AccessLogSampleInput{From: day, To: day, N: 10, Seed: 1}, []string{"to"}},
			{"too many", service.AccessLogSampleInput{From: day, To: day.AddDate(0, 0, 1), N: service.MaxSampleSize + 1, Seed: 1}, []string{"n"}},
			{"seed too large", service.AccessLogSampleInput{From: day, To: day.AddDate(0, 0, 1), N: 10, Seed: store.MaxSampleSeed + 1}, []string{"seed"}},
		} {
			_, err := w.svc.DrawAccessLogSample(ctx, reviewer, tt.in)
			var te *trygg.Error
			if trygg.ErrorCode(err) != trygg.EInvalid || !asError(err, &te) || !slices.Equal(slices.Sorted(maps.Keys(te.Fields)), tt.fields) {
				t.Errorf("%s: %v, want invalid on %v", tt.name, err, tt.fields)
			}
		}
		// The officer reads the persons of her unit's cases: entries to draw from.
		officer := as("handlaggare")
		read := 0
		for range 3 {
			for _, c := range w.ds.Cases {
				if c.UnitID == "norra-ao" {
					if _, err := w.svc.Person(ctx, officer, c.PersonID); err == nil {
						read++
					}
				}
			}
		}
		if read < 5 {
			t.Fatalf("the officer read %d persons, want 5 or more", read)
		}
		now := db.Now()
		in := service.AccessLogSampleInput{From: now.Add(-time.Hour), To: now.Add(time.Hour), N: 5, Seed: 4711}
		first, err := w.svc.DrawAccessLogSample(ctx, reviewer, in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := w.svc.DrawAccessLogSample(ctx, reviewer, in)
		if err != nil {
			t.Fatal(err)
		}
		seqs := func(s service.AccessLogSample) (out []int64) {
			for _, e := range s.Entries {
				out = append(out, e.Seq)
			}
			return out
		}
		if first.Total < read || len(first.Entries) != 5 || !slices.Equal(seqs(first), seqs(again)) || first.Total != again.Total {
			t.Errorf("drew %v of %d, then %v of %d", seqs(first), first.Total, seqs(again), again.Total)
		}
		if _, err := w.svc.DrawAccessLogSample(ctx, officer, in); trygg.ErrorCode(err) != trygg.EForbidden {
			t.Errorf("an officer drawing a sample: %v, want forbidden", err)
		}
	})
}
