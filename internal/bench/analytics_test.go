package bench

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/storetest"
)

// TestBenchAnalytics runs the analytics rows in miniature on both
// engines: the projector builds the store from zero from every event of
// the loaded municipality, and each dashboard query answers without
// error.
func TestBenchAnalytics(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			var stderr syncBuffer
			opt := wired(t, engine, Options{Persons: 100, Staff: 200, Seed: 1, History: true, NotesPerPerson: 2,
				Duration: 100 * time.Millisecond, VUs: 2, Workloads: []string{"analytics"}}, &stderr)
			rep, err := Run(context.Background(), opt)
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, stderr.String())
			}
			var md bytes.Buffer
			if err := rep.Markdown(&md); err != nil {
				t.Fatal(err)
			}
			found := map[string][]string{}
			for _, line := range strings.Split(md.String(), "\n") {
				if cells := strings.Split(strings.Trim(line, "| "), " | "); strings.HasPrefix(line, "| analytics: ") {
					found[cells[0]] = cells
				}
			}
			for _, name := range []string{"analytics: projector, the whole log from zero (rebuild)", "analytics: dashboard query, time to decision",
				"analytics: dashboard query, inflow, outflow, backlog per week", "analytics: dashboard query, deadlines met",
				"analytics: dashboard query, planned vs performed"} {
				cells := found[name]
				if len(cells) < 8 {
					t.Errorf("no row %q in\n%s", name, md.String())
					continue
				}
				rate, err := strconv.ParseFloat(strings.ReplaceAll(cells[2], ",", ""), 64)
				if err != nil || rate <= 0 || cells[6] != "0" {
					t.Errorf("%s: want a rate and no errors, got %v", name, cells)
				}
			}
		})
	}
}
