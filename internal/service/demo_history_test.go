package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/packs"
)

// TestDemoHistory writes a short demo past and projects it: every case
// type's inflow and decision times are counted from enough persons to be
// shown, some cases are still open, none of them in the journeys'
// district, and the journeys' officers' and team lead's inboxes are the
// same as before.
func TestDemoHistory(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) { testDemoHistory(t, engine) })
	}
}

func testDemoHistory(t *testing.T, engine string) {
	{
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		db, err := store.Open(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		svc := storetest.Service(t, db, nil)
		ds := demo.Generate(demo.Options{Persons: 200, Staff: 80})
		for _, f := range packs.Files() {
			ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
		}
		ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
		if _, err := svc.LoadDemo(ctx, ds); err != nil {
			t.Fatal(err)
		}
		walks, err := demo.Walks()
		if err != nil {
			t.Fatal(err)
		}
		inboxes := func() map[string]int {
			out := map[string]int{}
			for _, who := range []string{"handlaggare", "utredare", "ekonom", "lss", "arbetsledare"} {
				a, err := svc.ActorByUsername(ctx, demo.TenantID, who)
				if err != nil {
					t.Fatal(err)
				}
				v, err := svc.Inbox(ctx, a, service.InboxInput{Team: who == "arbetsledare", Sort: store.InboxByDue})
				if err != nil {
					t.Fatal(err)
				}
				out[who] = len(v.Tasks)*1000 + len(v.Cases) + v.CasesHidden
			}
			return out
		}
		// Some of the demo's own cases played as serve --demo plays them,
		// their decisions dated back to when the cases were opened.
		if _, err := svc.PlayDemoWalks(ctx, ds, walks, 3); err != nil {
			t.Fatal(err)
		}
		before := inboxes()
		today := time.Now().UTC()
		st, err := svc.LoadDemoHistory(ctx, ds, walks, demo.HistoryOptions{Weeks: 40, PerWeek: 8, Today: today})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("history: %+v", st)
		if st.Cases < 40*8*4 || st.Open == 0 || st.Open == st.Cases || st.Events < st.Cases*5 {
			t.Errorf("history: %+v: want over %d cases, some open, most closed, several events each", st, 40*8*4)
		}
		if after := inboxes(); !equalCounts(before, after) {
			t.Errorf("inboxes changed by the history: before %v, after %v", before, after)
		}

		an, err := analytics.Open(ctx, analytics.DefaultDSN(dsn))
		if err != nil {
			t.Fatal(err)
		}
		defer an.Close()
		pr, err := analytics.NewProjector(ctx, db, an, []byte("the demo history test's key 0123"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pr.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		// No decision, of the history or of the played cases, is dated
		// before its case was received (decided_date and received_date of
		// fact_decisions, in the store's column order).
		dump, err := an.Dump(ctx)
		if err != nil {
			t.Fatal(err)
		}
		early := 0
		for _, r := range dump["fact_decisions"] {
			cols := strings.Split(r, "|")
			if decided, received := cols[16], cols[17]; decided < received {
				early++
				if early <= 3 {
					t.Errorf("a decision of %s is dated before its case was received on %s", decided, received)
				}
			}
		}
		if len(dump["fact_decisions"]) == 0 || early > 0 {
			t.Errorf("%d of %d decisions dated before their case was received", early, len(dump["fact_decisions"]))
		}
		f := analytics.Filter{From: today.AddDate(0, 0, -7*40).Format(time.DateOnly), To: today.Format(time.DateOnly)}
		times, err := an.DecisionTimes(ctx, demo.TenantID, f)
		if err != nil {
			t.Fatal(err)
		}
		shown := map[string]bool{}
		for _, d := range times {
			if d.Channel == "" && !d.MedianDays.Suppressed && d.Decisions.Value >= 5 {
				shown[d.CaseType] = true
			}
		}
		for _, ct := range []string{"", demo.CaseType("ao"), demo.CaseType("bou"), demo.CaseType("eb"), demo.CaseType("fs")} {
			if !shown[ct] {
				t.Errorf("decision times of %q suppressed or missing: %+v", ct, times)
			}
		}
		flow, err := an.Flow(ctx, demo.TenantID, f)
		if err != nil {
			t.Fatal(err)
		}
		suppressed := 0
		for _, w := range flow {
			if w.Inflow.Suppressed {
				suppressed++
			}
		}
		if len(flow) < 40 || suppressed > len(flow)/10 {
			t.Errorf("flow: %d weeks, %d of them suppressed", len(flow), suppressed)
		}
		dl, err := an.Deadlines(ctx, demo.TenantID, f)
		if err != nil {
			t.Fatal(err)
		}
		missed := false
		for _, d := range dl {
			if !d.Missed.Suppressed && d.Missed.Value > 0 {
				missed = true
			}
		}
		if len(dl) == 0 || !missed {
			t.Errorf("deadlines: want some met and some missed, got %+v", dl)
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestDemoHistoryResumes writes a demo past in steps — two months, then
// a call cancelled part-way, then the rest from a dataset generated again
// (as a restarted server does, its staff with new ids) — and compares it
// with the same past written at once: the same events, in the same order,
// of the same persons and cases, no month written twice, and a call after
// the end writes nothing.
func TestDemoHistoryResumes(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) { testDemoHistoryResumes(t, engine) })
	}
}

func testDemoHistoryResumes(t *testing.T, engine string) {
	ctx := context.Background()
	today := time.Now().UTC().AddDate(0, 0, -1)
	dsOpt := demo.Options{Persons: 200, Staff: 80, Today: today}
	opt := demo.HistoryOptions{Weeks: 16, PerWeek: 3, Today: today, IDKey: "the resume test's key"}
	walks, err := demo.Walks()
	if err != nil {
		t.Fatal(err)
	}
	// load loads a new demo and returns its service, database and dataset.
	load := func() (*service.Service, *store.DB, *demo.Dataset) {
		db := storetest.Open(t, engine, nil)
		svc := storetest.Service(t, db, nil)
		ds := demo.Generate(dsOpt)
		for _, f := range packs.Files() {
			ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
		}
		ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
		if _, err := svc.LoadDemo(ctx, ds); err != nil {
			t.Fatal(err)
		}
		return svc, db, ds
	}
	// history returns the events after the plan's mark, the staff's and
	// providers' ids as their names, and the marks of the months written.
	history := func(db *store.DB, ds *demo.Dataset) (evs []string, marks int) {
		var all []events.Event
		for {
			es, err := db.Events(ctx, demo.TenantID, int64(len(all)), 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) == 0 {
				break
			}
			all = append(all, es...)
		}
		var names []string
		for _, u := range ds.Users {
			names = append(names, u.ID, u.Username)
		}
		providers, err := db.Providers(ctx, demo.TenantID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range providers {
			names = append(names, p.ID, p.Name)
		}
		staff := strings.NewReplacer(names...)
		planned := false
		for _, e := range all {
			if e.Type == service.DemoHistoryWritten {
				if planned {
					marks++
				}
				planned = true
				continue
			}
			if planned {
				evs = append(evs, staff.Replace(fmt.Sprintf("%s %s %s/%s %s %s %s %s", e.At.UTC().Format(time.RFC3339), e.ActorID, e.SubjectType, e.SubjectID,
					e.PersonID, e.CaseID, e.Type, e.Payload)))
			}
		}
		return evs, marks
	}

	svcA, dbA, dsA := load()
	all, err := svcA.LoadDemoHistory(ctx, dsA, walks, opt)
	if err != nil {
		t.Fatal(err)
	}
	want, wantMarks := history(dbA, dsA)
	if all.Left != 0 || all.Months < 4 || wantMarks != all.Months || len(want) != all.Events || all.Cases < 16*3*4 {
		t.Fatalf("written at once: %+v, %d events and %d months' marks in the log", all, len(want), wantMarks)
	}

	svcB, dbB, dsB := load()
	first := opt
	first.Months = 2
	st, err := svcB.LoadDemoHistory(ctx, dsB, walks, first)
	if err != nil {
		t.Fatal(err)
	}
	if st.Months != 2 || st.Left != all.Months-2 {
		t.Errorf("two months: %+v, want 2 written and %d left", st, all.Months-2)
	}
	// Cancelled part-way, with the dataset generated again.
	cctx, cancel := context.WithTimeout(ctx, 40*time.Millisecond)
	st, err = svcB.LoadDemoHistory(cctx, demo.Generate(dsOpt), walks, demo.HistoryOptions{})
	cancel()
	t.Logf("cancelled call: %+v, %v", st, err)
	if _, pending, err := svcB.DemoHistoryPending(ctx, demo.TenantID); err != nil || !pending {
		t.Fatalf("pending after a cancelled call: %v, %v", pending, err)
	}
	st, err = svcB.LoadDemoHistory(ctx, demo.Generate(dsOpt), walks, demo.HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Left != 0 {
		t.Errorf("the rest: %+v", st)
	}
	got, gotMarks := history(dbB, dsB)
	if gotMarks != wantMarks || len(got) != len(want) {
		t.Errorf("written in steps: %d events and %d months' marks, at once %d and %d", len(got), gotMarks, len(want), wantMarks)
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("event %d of the history differs:\nin steps: %s\nat once:  %s", i, got[i], want[i])
		}
	}
	if _, pending, err := svcB.DemoHistoryPending(ctx, demo.TenantID); err != nil || pending {
		t.Errorf("pending after the history is written: %v, %v", pending, err)
	}
	st, err = svcB.LoadDemoHistory(ctx, dsB, walks, demo.HistoryOptions{})
	if err != nil || st != (service.DemoHistoryStats{}) {
		t.Errorf("a call after the end wrote %+v, %v; want nothing", st, err)
	}
}

// BenchmarkDemoHistory times writing the demo's two years of past work,
// as serve --demo writes them, on each engine.
func BenchmarkDemoHistory(b *testing.B) {
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			walks, err := demo.Walks()
			if err != nil {
				b.Fatal(err)
			}
			for range b.N {
				b.StopTimer()
				db := storetest.Open(b, engine, nil)
				svc := storetest.Service(b, db, nil)
				ds := demo.Generate(demo.Options{})
				for _, f := range packs.Files() {
					ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
				}
				ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
				if _, err := svc.LoadDemo(ctx, ds); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				st, err := svc.LoadDemoHistory(ctx, ds, walks, demo.HistoryOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(st.Events), "events")
			}
		})
	}
}
