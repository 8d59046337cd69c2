package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/trygg"
)

// AppendAccessLog chains and writes entries in one transaction. Entries may
// belong to several tenants; each tenant's chain head is locked, extended and
// saved. It returns when the entries are durable, with Seq, At, PrevHash and
// Hash filled in.
func (db *DB) AppendAccessLog(ctx context.Context, entries []audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return db.Update(ctx, func(tx *Tx) error { return tx.AppendAccessLog(ctx, entries) })
}

// AppendAccessLog chains and writes entries inside tx, so a change and the
// log row of the read that came with it commit together.
func (tx *Tx) AppendAccessLog(ctx context.Context, entries []audit.Entry) error {
	type head struct {
		seq  int64
		hash string
		seen bool
	}
	heads := map[trygg.TenantID]*head{}
	for i := range entries {
		e := &entries[i]
		h := heads[e.Tenant]
		if h == nil {
			h = &head{hash: audit.Genesis}
			err := tx.queryRow(ctx, `SELECT seq, hash FROM access_log_heads WHERE tenant_id = ?`+tx.db.dialect.forUpdate(), string(e.Tenant)).Scan(&h.seq, &h.hash)
			if err == nil {
				h.seen = true
			} else if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: access log head: %w", err)
			}
			heads[e.Tenant] = h
		}
		e.Seq, e.At, e.PrevHash = h.seq+1, tx.Now, h.hash
		e.Hash = audit.ComputeHash(*e)
		h.seq, h.hash = e.Seq, e.Hash
	}
	if err := insertAccessLog(ctx, tx, entries); err != nil {
		return err
	}
	for tenant, h := range heads {
		var err error
		if h.seen {
			_, err = tx.exec(ctx, `UPDATE access_log_heads SET seq = ?, hash = ? WHERE tenant_id = ?`, h.seq, h.hash, string(tenant))
		} else {
			_, err = tx.exec(ctx, `INSERT INTO access_log_heads (tenant_id, seq, hash) VALUES (?, ?, ?)`, string(tenant), h.seq, h.hash)
		}
		if err != nil {
			return fmt.Errorf("store: access log head: %w", err)
		}
	}
	return nil
}

// insertAccessLog writes entries with multi-row INSERTs of at most 50 rows.
func insertAccessLog(ctx context.Context, tx *Tx, entries []audit.Entry) error {
	const cols = 11
	for start := 0; start < len(entries); start += 50 {
		end := min(start+50, len(entries))
		var b strings.Builder
		b.WriteString(`INSERT INTO access_log (tenant_id, seq, at, actor_id, action, person_id, case_id, ground, reason, prev_hash, hash) VALUES `)
		args := make([]any, 0, (end-start)*cols)
		for i, e := range entries[start:end] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
			args = append(args, string(e.Tenant), e.Seq, micros(e.At), e.ActorID, e.Action, e.PersonID, e.CaseID, e.Ground, e.Reason, e.PrevHash, e.Hash)
		}
		if _, err := tx.exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store: access log: %w", err)
		}
	}
	return nil
}

const entryCols = `seq, at, actor_id, action, person_id, case_id, ground, reason, prev_hash, hash`

func scanEntry(rows *sql.Rows, tenant trygg.TenantID) (audit.Entry, error) {
	e := audit.Entry{Tenant: tenant}
	var at int64
	err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.Action, &e.PersonID, &e.CaseID, &e.Ground, &e.Reason, &e.PrevHash, &e.Hash)
	e.At = fromMicros(at)
	return e, err
}

// emergencySQL matches the entries the review looks at first: emergency
// openings (nödöppning: the opening itself and reads on its ground), and
// registering a person or opening a case for them by identity number when
// the actor could not read them before (the identity_number ground).
const emergencySQL = `(ground IN ('emergency', 'identity_number') OR action = 'emergency_open')`

// AccessLogFilter selects access-log entries for review.
type AccessLogFilter struct {
	PersonID string
	ActorID  string
	// From is inclusive and To exclusive; a zero time leaves that end open.
	From, To time.Time
	// EmergencyOnly keeps only what emergencySQL matches.
	EmergencyOnly bool
	// Limit is at most 1000; 0 (or more than 1000) means 200.
	Limit int
}

// AccessLog returns tenant's entries matching f, emergency openings first,
// then newest first.
func (db *DB) AccessLog(ctx context.Context, tenant trygg.TenantID, f AccessLogFilter) ([]audit.Entry, error) {
	q := `SELECT ` + entryCols + ` FROM access_log WHERE tenant_id = ?`
	args := []any{string(tenant)}
	if f.PersonID != "" {
		q += ` AND person_id = ?`
		args = append(args, f.PersonID)
	}
	if f.ActorID != "" {
		q += ` AND actor_id = ?`
		args = append(args, f.ActorID)
	}
	if !f.From.IsZero() {
		q += ` AND at >= ?`
		args = append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		q += ` AND at < ?`
		args = append(args, micros(f.To))
	}
	if f.EmergencyOnly {
		q += ` AND ` + emergencySQL
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	q += ` ORDER BY CASE WHEN ` + emergencySQL + ` THEN 0 ELSE 1 END, seq DESC` + limitSQL(f.Limit)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: access log: %w", err)
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		e, err := scanEntry(rows, tenant)
		if err != nil {
			return nil, fmt.Errorf("store: access log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// UserName is who a user is, as the access-log review shows them.
type UserName struct {
	Username    string
	DisplayName string
}

// UserNames returns the names of tenant's users with ids, keyed by id, for
// showing who made each access-log entry; ids of no user are left out.
func (db *DB) UserNames(ctx context.Context, tenant trygg.TenantID, ids []string) (map[string]UserName, error) {
	out := map[string]UserName{}
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := make([]any, 0, len(batch)+1)
		args = append(args, string(tenant))
		for _, id := range batch {
			args = append(args, id)
		}
		rows, err := db.query(ctx, `SELECT id, username, display_name FROM users WHERE tenant_id = ? AND id IN (?`+
			strings.Repeat(",?", len(batch)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: user names: %w", err)
		}
		for rows.Next() {
			var id string
			var n UserName
			if err := rows.Scan(&id, &n.Username, &n.DisplayName); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: user names: %w", err)
			}
			out[id] = n
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: user names: %w", err)
		}
	}
	return out, nil
}

// VerifyAccessLog walks tenant's whole chain in sequence order and reports
// every edited, removed or reordered row.
func (db *DB) VerifyAccessLog(ctx context.Context, tenant trygg.TenantID) (audit.Report, error) {
	v := audit.NewVerifier(tenant)
	var after int64
	for {
		rows, err := db.query(ctx, `SELECT `+entryCols+`
			FROM access_log WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT 5000`, string(tenant), after)
		if err != nil {
			return audit.Report{}, fmt.Errorf("store: verify access log: %w", err)
		}
		n := 0
		for rows.Next() {
			e, err := scanEntry(rows, tenant)
			if err != nil {
				rows.Close()
				return audit.Report{}, fmt.Errorf("store: verify access log: %w", err)
			}
			v.Add(e)
			after = e.Seq
			n++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return audit.Report{}, fmt.Errorf("store: verify access log: %w", err)
		}
		if n == 0 {
			break
		}
	}
	var headSeq int64
	var headHash string
	err := db.queryRow(ctx, `SELECT seq, hash FROM access_log_heads WHERE tenant_id = ?`, string(tenant)).Scan(&headSeq, &headHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return audit.Report{}, fmt.Errorf("store: verify access log: %w", err)
	}
	return v.Finish(headSeq, headHash), nil
}
