package store_test

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/pgtest"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestCitusDistribution: every table the migrations make has a place on
// Citus. On PostgreSQL, a table without a tenant_id column must be named in
// store.CitusSharedTables (a table of one tenant's rows needs tenant_id,
// or Citus cannot keep it on the tenant's shard). On Citus, after Migrate,
// every table with tenant_id is distributed by it and colocated with
// tenants (distributed by id), so a tenant's rows of every table are on
// one shard; the shared tables are what the list says.
func TestCitusDistribution(t *testing.T) {
	for _, engine := range []string{"postgres", "citus"} {
		t.Run(engine, func(t *testing.T) {
			r := openRaw(t, engine, true)
			rows, err := r.raw.QueryContext(t.Context(), `
SELECT c.relname,
       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
 ORDER BY 1`)
			if err != nil {
				t.Fatal(err)
			}
			tenantTables := map[string]bool{}
			var all []string
			for rows.Next() {
				var name string
				var tenantID bool
				if err := rows.Scan(&name, &tenantID); err != nil {
					t.Fatal(err)
				}
				all = append(all, name)
				if tenantID {
					tenantTables[name] = true
					if _, ok := store.CitusSharedTables[name]; ok {
						t.Errorf("table %s has tenant_id but store.CitusSharedTables names it shared", name)
					}
				} else if _, ok := store.CitusSharedTables[name]; !ok {
					t.Errorf("table %s has no tenant_id column: give it one (leading its primary key) or name it in store.CitusSharedTables", name)
				}
			}
			rows.Close()
			for _, name := range slices.Sorted(maps.Keys(store.CitusSharedTables)) {
				if !slices.Contains(all, name) {
					t.Errorf("store.CitusSharedTables names %s, which the schema does not have", name)
				}
			}
			if len(tenantTables) < 60 {
				t.Fatalf("only %d tables with tenant_id: the catalog query is wrong", len(tenantTables))
			}
			if engine != "citus" {
				return
			}

			// Each table's distribution: method, column, colocation group.
			rows, err = r.raw.QueryContext(t.Context(), `
SELECT logicalrelid::regclass::text, partmethod, COALESCE(column_to_column_name(logicalrelid, partkey), ''), colocationid
  FROM pg_dist_partition`)
			if err != nil {
				t.Fatal(err)
			}
			type dist struct {
				method, column string
				group          int
			}
			got := map[string]dist{}
			for rows.Next() {
				var name string
				var d dist
				if err := rows.Scan(&name, &d.method, &d.column, &d.group); err != nil {
					t.Fatal(err)
				}
				got[name] = d
			}
			rows.Close()
			tenants, ok := got["tenants"]
			if !ok || tenants.method != "h" || tenants.column != "id" {
				t.Fatalf("tenants is %+v, want hash-distributed by id", tenants)
			}
			for name := range tenantTables {
				d, ok := got[name]
				switch {
				case !ok:
					t.Errorf("table %s has tenant_id but is not distributed", name)
				case d.method != "h" || d.column != "tenant_id":
					t.Errorf("table %s is distributed as %+v, want by hash of tenant_id", name, d)
				case d.group != tenants.group:
					t.Errorf("table %s is in colocation group %d, tenants in %d: a tenant's rows would be on different shards", name, d.group, tenants.group)
				}
			}
			for name, place := range store.CitusSharedTables {
				d, ok := got[name]
				switch place {
				case "local":
					if ok {
						t.Errorf("table %s should stay on the coordinator, is distributed as %+v", name, d)
					}
				case "reference":
					if !ok || d.method != "n" {
						t.Errorf("table %s should be a reference table, is %+v", name, d)
					}
				}
			}
		})
	}
}

// TestCitusTenantWriteOnOneWorker: on Citus, what the store does for one
// tenant's case (its event, its timers set and cancelled, which refresh
// the case's nearest due date through a subquery) runs on the worker
// holding that tenant's shards alone: the other worker's
// pg_stat_statements shows no statement on a shard.
func TestCitusTenantWriteOnOneWorker(t *testing.T) {
	cdb := storetest.CitusMigratedOn(t)
	ctx := t.Context()
	db, err := store.Open(ctx, cdb.DSN, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const tenant = trygg.TenantID("norrby")
	seedTenant(t, db, tenant, "Norrby")
	home := pgtest.Psql(t, cdb.DSN, `SELECT nodeport FROM citus_shards WHERE table_name = 'tenants'::regclass
		AND shardid = get_shard_id_for_distribution_column('tenants', '`+string(tenant)+`')`)
	for _, w := range cdb.Workers {
		pgtest.Psql(t, w, `SELECT pg_stat_statements_reset()`)
	}
	for i := range 7 { // past the five custom plans: generic plans too
		update(t, db, func(tx *store.Tx) error {
			if err := tx.InsertTimer(ctx, tenant, store.Timer{ID: fmt.Sprintf("t-%d", i), CaseID: "c-1", DeadlineID: "d-1", Kind: "deadline",
				DueDate: "2027-01-01", FireAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
				return err
			}
			_, err := tx.CancelTimers(ctx, tenant, "c-1", "d-1")
			return err
		})
	}
	shard := regexp.MustCompile(`public\.[a-z_0-9]+_[0-9]{6,}`)
	seen := 0
	for _, w := range cdb.Workers {
		port := pgtest.Psql(t, w, `SHOW port`)
		texts := pgtest.Psql(t, w, `SELECT query FROM pg_stat_statements
			WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`)
		found := shard.FindAllString(texts, -1)
		if port == home {
			seen = len(found)
		} else if len(found) > 0 {
			t.Errorf("one tenant's writes ran on the other worker too, on %v:\n%s", found, texts)
		}
	}
	if seen == 0 {
		t.Error("the tenant's worker ran no statement on a shard: the measurement sees nothing")
	}
}
