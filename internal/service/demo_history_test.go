package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/demo"
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
