package store_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/trygg/trygg/internal/store"
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
