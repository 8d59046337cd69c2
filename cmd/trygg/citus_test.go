package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/pgtest"
)

// TestCitusTenantShard: on Citus (a coordinator and two workers) one
// tenant's requests touch only that tenant's shards. Two municipalities
// made with trygg init, on different workers (citus_shards says where);
// the server's loops are slowed to once an hour so that only the requests
// speak. Each worker's pg_stat_statements is emptied, the first tenant's
// system administrator signs in, reads and writes through the API, and
// then every statement either worker ran names only shards of the first
// tenant, on its worker: the other worker ran none. The same requests by
// the second tenant's administrator reach only the other worker (the
// measurement can see a worker at all).
func TestCitusTenantShard(t *testing.T) {
	cdb := pgtest.NewCitusDatabaseOn(t)
	var stdout, stderr syncBuffer
	if err := run(t.Context(), []string{"migrate", "--db", cdb.DSN}, envOf(nil), &stdout, &stderr); err != nil {
		t.Fatalf("trygg migrate: %v\n%s", err, stderr.String())
	}
	sql := func(dsn, q string) string { return pgtest.Psql(t, dsn, q) }
	// The worker (its port) holding a tenant's shard of tenants, and the
	// names of all that tenant's shards (every table's, colocated).
	workerOf := func(tenant string) string {
		return sql(cdb.DSN, `SELECT nodeport FROM citus_shards WHERE table_name = 'tenants'::regclass
			AND shardid = get_shard_id_for_distribution_column('tenants', '`+tenant+`')`)
	}
	shardsOf := func(tenant string) []string {
		out := sql(cdb.DSN, `SELECT s.logicalrelid::regclass::text || '_' || s.shardid FROM pg_dist_shard s
			JOIN pg_dist_shard o ON o.shardminvalue = s.shardminvalue
			WHERE o.shardid = get_shard_id_for_distribution_column('tenants', '`+tenant+`')`)
		return strings.Fields(out)
	}
	var tenants []string
	for _, c := range []string{"norrby", "soderby", "osterby", "vasterby", "ekby", "askby", "lundby", "bergby"} {
		if len(tenants) == 0 || workerOf(c) != workerOf(tenants[0]) {
			tenants = append(tenants, c)
		}
		if len(tenants) == 2 {
			break
		}
	}
	if len(tenants) < 2 {
		t.Fatal("no two candidate tenants on different workers")
	}
	const password = "a long password for the test only"
	for i, tn := range tenants {
		args := []string{"init", "--db", cdb.DSN, "--tenant", tn, "--name", tn, "--code", fmt.Sprintf("%04d", 180+i), "--admin", "admin"}
		if err := run(t.Context(), args, envOf(map[string]string{"TRYGG_ADMIN_PASSWORD": password}), &stdout, &stderr); err != nil {
			t.Fatalf("trygg init %s: %v\n%s", tn, err, stderr.String())
		}
	}
	srv := startServer(t, nil, "--data", t.TempDir(), "--db", cdb.DSN, "--tenant", tenants[0],
		"--timer-interval", "1h", "--notify-interval", "1h", "--delivery-interval", "1h", "--registry-changes-interval", "1h", "--lease", "1h")

	// All shard names of the cluster, to find them in statement texts.
	allShards := strings.Fields(sql(cdb.DSN, `SELECT logicalrelid::regclass::text || '_' || shardid FROM pg_dist_shard`))
	shardRE := regexp.MustCompile(`\b[a-z_0-9]+_[0-9]{6,}\b`)
	workers := map[string]string{} // port -> worker DSN
	for _, w := range cdb.Workers {
		workers[sql(w, `SHOW port`)] = w
	}

	// check makes the requests as tn's administrator and asserts that
	// only the worker home ran statements on shards, only on tn's.
	check := func(t *testing.T, tn, home, other string, unit string) {
		for _, w := range cdb.Workers {
			sql(w, `SELECT pg_stat_statements_reset()`)
		}
		// Sign in, read and write as the tenant's administrator.
		body, _ := json.Marshal(map[string]string{"tenant": tn, "username": "admin", "password": password})
		var s struct {
			Token string `json:"token"`
		}
		do(t, srv.URL, request{Method: "POST", Path: "/api/v1/session", Body: string(body)}).expect(t, http.StatusCreated, &s)
		do(t, srv.URL, request{Method: "GET", Path: "/api/v1/me", Token: s.Token}).expect(t, http.StatusOK, nil)
		do(t, srv.URL, request{Method: "GET", Path: "/api/v1/units", Token: s.Token}).expect(t, http.StatusOK, nil)
		do(t, srv.URL, request{Method: "POST", Path: "/api/v1/units", Token: s.Token,
			Body: `{"id":"` + unit + `","parent_id":"root","name":"` + unit + `","kind":"avdelning","field":"IFO"}`}).expect(t, http.StatusCreated, nil)
		do(t, srv.URL, request{Method: "GET", Path: "/api/v1/events?after=0", Token: s.Token}).expect(t, http.StatusOK, nil)

		mine := shardsOf(tn)
		for port, w := range workers {
			texts := sql(w, `SELECT query FROM pg_stat_statements
				WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0`)
			var named []string
			for _, m := range shardRE.FindAllString(texts, -1) {
				if slices.Contains(allShards, m) && !slices.Contains(named, m) {
					named = append(named, m)
				}
			}
			switch port {
			case home:
				if len(named) == 0 {
					t.Errorf("the worker holding %s's shard ran no statement on any shard: the requests did not reach it\n%s", tn, texts)
				}
				for _, n := range named {
					if !slices.Contains(mine, n) {
						t.Errorf("a request of %s touched shard %s, which is not %s's", tn, n, tn)
					}
				}
			case other:
				if len(named) > 0 {
					t.Errorf("a request of %s reached the other worker (port %s), which holds the other tenant's shards: %v", tn, port, named)
				}
			}
		}
	}
	for i, tn := range tenants {
		t.Run(tn, func(t *testing.T) {
			check(t, tn, workerOf(tn), workerOf(tenants[1-i]), "hemtjanst")
		})
	}

	// Moving a municipality to the other worker, as docs/scaling.md says:
	// its own shard group first, then the group moved; its requests then
	// reach only its new worker.
	t.Run("moved", func(t *testing.T) {
		tn := tenants[0]
		from, to := workerOf(tn), workerOf(tenants[1])
		shard := sql(cdb.DSN, `SELECT isolate_tenant_to_new_shard('tenants', '`+tn+`'::text, 'CASCADE', shard_transfer_mode => 'block_writes')`)
		sql(cdb.DSN, `SELECT citus_move_shard_placement(`+shard+`, '127.0.0.1', `+from+`, '127.0.0.1', `+to+`, shard_transfer_mode => 'block_writes')`)
		if got := workerOf(tn); got != to {
			t.Fatalf("%s is on the worker on port %s after the move, want %s", tn, got, to)
		}
		if n := sql(cdb.DSN, `SELECT count(*) FROM pg_dist_shard s JOIN pg_dist_shard o ON o.shardminvalue = s.shardminvalue
			WHERE o.shardid = `+shard+` AND s.shardminvalue = s.shardmaxvalue`); n == "0" {
			t.Errorf("the isolated shard group holds more than one hash value")
		}
		allShards = strings.Fields(sql(cdb.DSN, `SELECT logicalrelid::regclass::text || '_' || shardid FROM pg_dist_shard`))
		check(t, tn, to, from, "flyttad")
	})
}

// TestEndToEndCitus is TestEndToEnd on the Citus cluster. It is not in
// `make test`: the demo it starts takes minutes to load on Citus (see
// docs/scaling.md); TRYGG_TEST_CITUS_E2E=on runs it.
func TestEndToEndCitus(t *testing.T) {
	if os.Getenv("TRYGG_TEST_CITUS_E2E") != "on" {
		t.Skip("the end-to-end test on Citus runs with TRYGG_TEST_CITUS_E2E=on")
	}
	testEndToEnd(t, engine{"citus", func(t testing.TB) []string { return []string{"--db", pgtest.NewCitusDatabase(t)} }})
}
