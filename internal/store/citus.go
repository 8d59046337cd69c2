package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// Citus (a distributed PostgreSQL: a coordinator and workers) keeps each
// tenant's rows together on one worker: every table with a tenant_id
// column is distributed by it, colocated with tenants (distributed by its
// id), so a statement that names one tenant goes to that tenant's shard
// alone, and every primary key, unique constraint and foreign key (all
// lead with tenant_id) holds within it. Migrate does this after the
// migrations when the database has the citus extension; on a plain
// PostgreSQL or SQLite nothing changes. docs/scaling.md.

// CitusSharedTables are the tables without a tenant_id column and where
// they live on Citus. A table the migrations add without tenant_id must
// be named here (Migrate on Citus refuses one that is not), and a test
// checks the list against the schema on every engine.
var CitusSharedTables = map[string]string{
	// The tenants themselves, by their id: colocated with their rows, so
	// the event sequence a write advances is on the tenant's shard.
	"tenants": "distributed",
	// The migrator's own bookkeeping, read and written only by Migrate.
	"schema_migrations": "local",
}

// IsCitus reports whether the database is a Citus coordinator (the citus
// extension is created in it).
func (db *DB) IsCitus(ctx context.Context) (bool, error) {
	if db.dialect.name() != "postgres" {
		return false, nil
	}
	var n int
	if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM pg_extension WHERE extname = 'citus'`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: citus: %w", err)
	}
	return n > 0, nil
}

// onCitus is IsCitus asked once per DB (the extension is created before
// a server opens the store); an error reads as not Citus.
func (db *DB) onCitus(ctx context.Context) bool {
	switch db.citus.Load() {
	case 1:
		return false
	case 2:
		return true
	}
	yes, err := db.IsCitus(ctx)
	if err != nil {
		return false
	}
	if yes {
		db.citus.Store(2)
	} else {
		db.citus.Store(1)
	}
	return yes
}

// citusTable is a table of the schema as the distribution step sees it.
type citusTable struct {
	name        string
	tenantID    bool // has a tenant_id column
	distributed bool // already distributed (or a reference table)
}

// distribute distributes the tables that are not yet: tenants by id,
// every other table with a tenant_id column by it, colocated with
// tenants; referenced tables before the tables that reference them. It
// runs in one transaction under the migration lock, so two servers
// migrating at once do it once.
func (db *DB) distribute(ctx context.Context) error {
	citus, err := db.IsCitus(ctx)
	if err != nil || !citus {
		return err
	}
	return db.Update(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(`+strconv.Itoa(migrationLock)+`)`); err != nil {
			return err
		}
		// Several distributions in one transaction: Citus needs them
		// sequential when tables reference each other.
		if _, err := tx.exec(ctx, `SET LOCAL citus.multi_shard_modify_mode TO 'sequential'`); err != nil {
			return err
		}
		tables, err := citusTables(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			if t.distributed {
				continue
			}
			var stmt string
			switch {
			case t.name == "tenants":
				stmt = `SELECT create_distributed_table('tenants', 'id')`
			case t.tenantID:
				stmt = `SELECT create_distributed_table('` + t.name + `', 'tenant_id', colocate_with => 'tenants')`
			case CitusSharedTables[t.name] == "local":
				continue
			case CitusSharedTables[t.name] == "reference":
				stmt = `SELECT create_reference_table('` + t.name + `')`
			default:
				return fmt.Errorf("table %s has no tenant_id column and is not in store.CitusSharedTables: say whether Citus distributes it, copies it to every node (reference) or keeps it on the coordinator (local)", t.name)
			}
			if _, err := tx.exec(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", stmt, err)
			}
		}
		return nil
	})
}

// citusTables returns the schema's tables, each after the tables its
// foreign keys reference.
func citusTables(ctx context.Context, tx *Tx) ([]citusTable, error) {
	rows, err := tx.query(ctx, `
SELECT c.relname,
       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
       EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
 ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	byName := map[string]citusTable{}
	var names []string
	for rows.Next() {
		var t citusTable
		if err := rows.Scan(&t.name, &t.tenantID, &t.distributed); err != nil {
			rows.Close()
			return nil, err
		}
		byName[t.name] = t
		names = append(names, t.name)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = tx.query(ctx, `
SELECT DISTINCT c.relname, r.relname
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_class r ON r.oid = k.confrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE k.contype = 'f' AND n.nspname = current_schema() AND k.conrelid <> k.confrelid`)
	if err != nil {
		return nil, err
	}
	refs := map[string][]string{}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			rows.Close()
			return nil, err
		}
		refs[from] = append(refs[from], to)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for _, r := range refs {
		sort.Strings(r)
	}
	// Depth first: a table after everything it references.
	var out []citusTable
	done := map[string]bool{}
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		if done[name] {
			return nil
		}
		if slices.Contains(path, name) {
			return fmt.Errorf("foreign keys form a cycle: %v", append(path, name))
		}
		for _, r := range refs[name] {
			if err := visit(r, append(path, name)); err != nil {
				return err
			}
		}
		done[name] = true
		if t, ok := byName[name]; ok {
			out = append(out, t)
		}
		return nil
	}
	// tenants first: every other table is colocated with it.
	for _, n := range append([]string{"tenants"}, names...) {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
