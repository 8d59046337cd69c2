package main

import (
	"database/sql"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeFeedsAnalytics: trygg serve with a pseudonym key projects the
// event log into the analysis store in the background and says how far
// behind it is in /metrics; without a key it runs and says analytics is
// off. trygg analytics rebuild rebuilds the store from the whole log, and
// refuses without a key. Both engines.
func TestServeFeedsAnalytics(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			data := t.TempDir()
			dbFlags := append([]string{"--data", data}, eng.dbArgs(t)...)
			initArgs := append([]string{"init", "--tenant", "lillby", "--name", "Lillby kommun", "--code", "0123", "--admin", "sigrid"}, dbFlags...)
			if _, stderr, err := runCmd(t, map[string]string{"TRYGG_ADMIN_PASSWORD": "Lillbys förste förvaltare 2026"}, initArgs...); err != nil {
				t.Fatalf("init: %v\n%s", err, stderr)
			}
			key := map[string]string{"TRYGG_ANALYTICS_KEY": "lillby's own key, kept by the operator"}

			srv := startServer(t, key, append(dbFlags, "--analytics-interval", "50ms")...)
			caughtUp := regexp.MustCompile(`(?m)^trygg_analytics_events_behind\{tenant="lillby"\} 0$`)
			deadline := time.Now().Add(20 * time.Second)
			for {
				resp, err := http.Get(srv.URL + "/metrics")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if caughtUp.Match(body) && strings.Contains(string(body), `trygg_analytics_seconds_behind{tenant="lillby"} 0`) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("/metrics never said the analysis store caught up:\n%s", body)
				}
				time.Sleep(50 * time.Millisecond)
			}
			srv.stop()

			out, stderr, err := runCmd(t, key, append([]string{"analytics", "rebuild"}, dbFlags...)...)
			if err != nil || !regexp.MustCompile(`rebuilt from [1-9]\d* events`).MatchString(out) {
				t.Fatalf("rebuild: %q %v\n%s", out, err, stderr)
			}
			if _, _, err := runCmd(t, nil, append([]string{"analytics", "rebuild"}, dbFlags...)...); err == nil || !strings.Contains(err.Error(), "TRYGG_ANALYTICS_KEY") {
				t.Errorf("rebuild without a key: %v", err)
			}

			off := startServer(t, nil, dbFlags...)
			if !strings.Contains(off.Stderr.String(), "analytics is off") {
				t.Errorf("serve without a key did not say analytics is off:\n%s", off.Stderr)
			}
		})
	}
}

// TestAnalyticsRebuildProfile: trygg analytics rebuild writes a CPU
// profile of the rebuild with --cpuprofile, and leaves the store with the
// planner's statistics (without them a server's projector after the
// rebuild reads a unit's every fact where a batch looks up a few cases by
// key).
func TestAnalyticsRebuildProfile(t *testing.T) {
	data := smallDemo(t)
	prof := filepath.Join(t.TempDir(), "rebuild.prof")
	out, stderr, err := runCmd(t, nil, "analytics", "rebuild", "--demo", "--data", data, "--cpuprofile", prof)
	if err != nil || !regexp.MustCompile(`rebuilt from [1-9]\d* events`).MatchString(out) {
		t.Fatalf("rebuild: %q %v\n%s", out, err, stderr)
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("--cpuprofile wrote no profile: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "analytics.db")+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_stat1 WHERE idx = 'fact_cases_unit'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("statistics of fact_cases_unit after trygg analytics rebuild: %d rows, want 1", n)
	}
}
