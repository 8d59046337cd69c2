package store

import (
	"cmp"
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// AppendAccessLog chains and writes entries in one transaction, one row
// each: the group committer's batch, each entry already one request's row
// (audit.Merge). Entries may belong to several tenants; each tenant's
// chain head is locked, extended and saved. It returns when the entries
// are durable, with Seq, At, PrevHash and Hash filled in.
func (db *DB) AppendAccessLog(ctx context.Context, entries []audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return db.Update(ctx, func(tx *Tx) error { return tx.appendAccessLog(ctx, entries) })
}

// AppendAccessLog chains and writes one request's entries inside tx, so a
// change and the log row of the read that came with it commit together.
// The entries of each actor and reason become one row (audit.Merge); the
// caller's entries get their row's Seq, At and hashes.
func (tx *Tx) AppendAccessLog(ctx context.Context, entries []audit.Entry) error {
	rows := audit.Merge(entries)
	if err := tx.appendAccessLog(ctx, rows); err != nil {
		return err
	}
	if len(rows) < len(entries) {
		for i := range entries {
			for _, r := range rows {
				if r.Tenant == entries[i].Tenant && r.ActorID == entries[i].ActorID && r.Reason == entries[i].Reason {
					entries[i].Seq, entries[i].At, entries[i].PrevHash, entries[i].Hash = r.Seq, r.At, r.PrevHash, r.Hash
					break
				}
			}
		}
	}
	return nil
}

func (tx *Tx) appendAccessLog(ctx context.Context, entries []audit.Entry) error {
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

// insertAccessLog writes the rows with multi-row INSERTs of at most 50
// rows, and their further records (More) with multi-row INSERTs of at
// most 100 into access_log_subjects.
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
	const subjectCols, perInsert = 7, 100
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		q := `INSERT INTO access_log_subjects (tenant_id, seq, n, action, person_id, case_id, ground) VALUES (?,?,?,?,?,?,?)` +
			strings.Repeat(",(?,?,?,?,?,?,?)", len(args)/subjectCols-1)
		_, err := tx.exec(ctx, q, args...)
		args = args[:0]
		if err != nil {
			return fmt.Errorf("store: access log: %w", err)
		}
		return nil
	}
	for _, e := range entries {
		for i, s := range e.More {
			args = append(args, string(e.Tenant), e.Seq, i+1, s.Action, s.PersonID, s.CaseID, s.Ground)
			if len(args) == perInsert*subjectCols {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
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
	// HideLogReviewBy leaves out this user's entries on the log-review
	// ground: the names a reviewer saw while reviewing, which would
	// otherwise crowd the list she is reading.
	HideLogReviewBy string
	// Limit is at most 1000; 0 (or more than 1000) means 200.
	Limit int
}

// where returns the filter as a WHERE clause over access_log with its
// arguments, tenant first.
func (f AccessLogFilter) where(tenant trygg.TenantID) (string, []any) {
	q := ` WHERE tenant_id = ?`
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
	if f.HideLogReviewBy != "" {
		q += ` AND NOT (actor_id = ? AND ground = '` + logReviewGround + `')`
		args = append(args, f.HideLogReviewBy)
	}
	return q, args
}

// limit is the filter's limit as the store applies it.
func (f AccessLogFilter) limit() int {
	if f.Limit <= 0 || f.Limit > 1000 {
		return 200
	}
	return f.Limit
}

// logReviewGround is access.RelLogReview: the ground of the names a log
// reviewer sees in the log. The sample leaves these entries out.
const logReviewGround = "log_review"

// AccessLog returns tenant's entries matching f, emergency openings first,
// then newest first.
func (db *DB) AccessLog(ctx context.Context, tenant trygg.TenantID, f AccessLogFilter) ([]audit.Entry, error) {
	where, args := f.where(tenant)
	q := `SELECT ` + entryCols + ` FROM access_log_entries` + where +
		` ORDER BY CASE WHEN ` + emergencySQL + ` THEN 0 ELSE 1 END, seq DESC, n DESC` + limitSQL(f.limit())
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

// AccessLogRun is a run of entries shown as one row in the review: one
// actor's consecutive entries with the same action, person, case, ground
// and reason, each written at most the window before or after the one
// before it (an officer's form saved as she types, a case page read again
// and again; "or after" for a clock set back).
type AccessLogRun struct {
	// Seq is the newest entry's and FirstSeq the oldest's; At and FirstAt
	// are the latest and the earliest time among them.
	Seq, FirstSeq int64
	At, FirstAt   time.Time
	// Count is the number of entries in the run, 1 or more.
	Count                                             int
	ActorID, Action, PersonID, CaseID, Ground, Reason string
}

// AccessLogRuns returns tenant's entries matching f grouped into runs
// (see AccessLogRun; "consecutive" among the actor's entries f selects):
// emergency openings first, then newest first, at most f's limit of runs.
// The entries themselves, and so the chain, are untouched.
func (db *DB) AccessLogRuns(ctx context.Context, tenant trygg.TenantID, f AccessLogFilter, window time.Duration) ([]AccessLogRun, error) {
	where, args := f.where(tenant)
	// A run starts where the actor's entry before differs, or is more
	// than the window older; a run's number is the count of starts so far.
	q := `WITH f AS (
		SELECT seq, n, at, actor_id, action, person_id, case_id, ground, reason, ROW_NUMBER() OVER (ORDER BY seq, n) AS ord,
			LAG(at) OVER w AS p_at, LAG(action) OVER w AS p_action, LAG(person_id) OVER w AS p_person,
			LAG(case_id) OVER w AS p_case, LAG(ground) OVER w AS p_ground, LAG(reason) OVER w AS p_reason
		FROM access_log_entries` + where + `
		WINDOW w AS (PARTITION BY actor_id ORDER BY seq, n)
	), r AS (
		SELECT seq, ord, at, actor_id, action, person_id, case_id, ground, reason,
			SUM(CASE WHEN p_at IS NOT NULL AND ABS(at - p_at) <= ? AND action = p_action AND person_id = p_person
				AND case_id = p_case AND ground = p_ground AND reason = p_reason THEN 0 ELSE 1 END)
				OVER (PARTITION BY actor_id ORDER BY seq, n ROWS UNBOUNDED PRECEDING) AS run
		FROM f
	)
	SELECT MAX(seq), MIN(seq), MAX(at), MIN(at), COUNT(*), actor_id, action, person_id, case_id, ground, reason
	FROM r GROUP BY actor_id, run, action, person_id, case_id, ground, reason
	ORDER BY CASE WHEN ` + emergencySQL + ` THEN 0 ELSE 1 END, MAX(ord) DESC` + limitSQL(f.limit())
	args = append(args, window.Microseconds())
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: access log runs: %w", err)
	}
	defer rows.Close()
	out := []AccessLogRun{}
	for rows.Next() {
		var r AccessLogRun
		var at, first int64
		if err := rows.Scan(&r.Seq, &r.FirstSeq, &at, &first, &r.Count, &r.ActorID, &r.Action, &r.PersonID, &r.CaseID, &r.Ground, &r.Reason); err != nil {
			return nil, fmt.Errorf("store: access log runs: %w", err)
		}
		r.At, r.FirstAt = fromMicros(at), fromMicros(first)
		out = append(out, r)
	}
	return out, rows.Err()
}

// The sample's order is a hash of each entry's seq and the seed, in
// integer arithmetic both engines compute alike and without overflow
// (every product stays below 2^63): k1 = (seq mod p · 48271 + seed) mod p,
// then (k1² mod p · 69621 + k1) mod p, with p = 2^31 − 1.
const (
	sampleModulus = 2147483647
	// MaxSampleSeed is the largest seed a sample takes; the smallest is 1.
	MaxSampleSeed = sampleModulus - 1
)

// SampleKey is the place of the entry with seq in the sample drawn with
// seed: the sample is the entries with the smallest keys (ties by seq).
// The records one row names share its seq, and so its key: the sample
// takes them in their order in the row. It is what AccessLogSample
// computes in SQL, for checking it.
func SampleKey(seq, seed int64) int64 {
	k1 := ((seq%sampleModulus)*48271 + seed) % sampleModulus
	return ((k1*k1)%sampleModulus*69621 + k1) % sampleModulus
}

// AccessLogSample draws a sample (stickprov) of n of tenant's entries at
// or after from and before to, leaving out the names seen in log reviews
// (the log_review ground): the n entries with the smallest SampleKey for
// seed, in seq order, and the number of entries it was drawn from. The same
// period, n and seed draw the same sample on either engine, as long as
// the period has ended.
func (db *DB) AccessLogSample(ctx context.Context, tenant trygg.TenantID, from, to time.Time, n int, seed int64) ([]audit.Entry, int, error) {
	where := ` WHERE tenant_id = ? AND at >= ? AND at < ? AND ground <> '` + logReviewGround + `'`
	args := []any{string(tenant), micros(from), micros(to)}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM access_log_entries`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: access log sample: %w", err)
	}
	q := `SELECT ` + entryCols + ` FROM (
		SELECT ` + entryCols + `, n, ((seq % 2147483647) * 48271 + ?) % 2147483647 AS k1 FROM access_log_entries` + where + `
	) s ORDER BY ((k1 * k1) % 2147483647 * 69621 + k1) % 2147483647, seq, n` + limitSQL(n)
	rows, err := db.query(ctx, q, append([]any{seed}, args...)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: access log sample: %w", err)
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		e, err := scanEntry(rows, tenant)
		if err != nil {
			return nil, 0, fmt.Errorf("store: access log sample: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: access log sample: %w", err)
	}
	// Stable: a row's records come out of SQL in their order and share a key.
	slices.SortStableFunc(out, func(a, b audit.Entry) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, total, nil
}

// PersonName is a person as the log review names them.
type PersonName struct {
	GivenName, FamilyName string
	Protection            persons.Protection
}

// PersonNames returns the names of tenant's persons with ids, keyed by id,
// unchecked by access (the caller decides and logs); ids of no person are
// left out.
func (db *DB) PersonNames(ctx context.Context, tenant trygg.TenantID, ids []string) (map[string]PersonName, error) {
	out := map[string]PersonName{}
	err := inBatches(ctx, db, `SELECT id, given_name, family_name, protection FROM persons`, tenant, ids, func(rows *sql.Rows) error {
		var id string
		var n PersonName
		if err := rows.Scan(&id, &n.GivenName, &n.FamilyName, &n.Protection); err != nil {
			return err
		}
		out[id] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: person names: %w", err)
	}
	return out, nil
}

// CaseReferences returns the references ("BU-2026-00012") of tenant's
// cases with ids, keyed by id; ids of no case, and cases without a
// reference, are left out.
func (db *DB) CaseReferences(ctx context.Context, tenant trygg.TenantID, ids []string) (map[string]string, error) {
	out := map[string]string{}
	err := inBatches(ctx, db, `SELECT id, reference FROM cases`, tenant, ids, func(rows *sql.Rows) error {
		var id, ref string
		if err := rows.Scan(&id, &ref); err != nil {
			return err
		}
		if ref != "" {
			out[id] = ref
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: case references: %w", err)
	}
	return out, nil
}

// inBatches runs query (a SELECT ... FROM a table with tenant_id and id)
// for the ids in batches of 500 and calls scan for each row.
func inBatches(ctx context.Context, db *DB, query string, tenant trygg.TenantID, ids []string, scan func(*sql.Rows) error) error {
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		args := make([]any, 0, len(batch)+1)
		args = append(args, string(tenant))
		for _, id := range batch {
			args = append(args, id)
		}
		rows, err := db.query(ctx, query+` WHERE tenant_id = ? AND id IN (?`+strings.Repeat(",?", len(batch)-1)+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
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
	err := inBatches(ctx, db, `SELECT id, username, display_name FROM users`, tenant, ids, func(rows *sql.Rows) error {
		var id string
		var n UserName
		if err := rows.Scan(&id, &n.Username, &n.DisplayName); err != nil {
			return err
		}
		out[id] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: user names: %w", err)
	}
	return out, nil
}

// VerifyAccessLog walks tenant's whole chain in sequence order and reports
// every edited, removed or reordered row.
func (db *DB) VerifyAccessLog(ctx context.Context, tenant trygg.TenantID) (audit.Report, error) {
	v := audit.NewVerifier(tenant)
	var after int64
	cp, ok, err := db.LatestAccessLogCheckpoint(ctx, tenant)
	if err != nil {
		return audit.Report{}, fmt.Errorf("store: verify access log: %w", err)
	}
	if ok {
		// Rows up to the checkpoint were removed by retention: the chain
		// goes on from the last removed row, whose signed hash says where.
		v = audit.NewVerifierFrom(tenant, cp.Seq, cp.Hash)
		after = cp.Seq
		switch {
		case len(db.accessLogKey) == 0:
			v.Problem(cp.Seq, "the retention checkpoint cannot be checked: no retention key is set (TRYGG_RETENTION_KEY)")
		case !hmac.Equal([]byte(cp.MAC), []byte(db.SignAccessLogCheckpoint(tenant, cp))):
			v.Problem(cp.Seq, "the retention checkpoint's signature does not match: it was altered or signed with another key")
		}
	}
	for {
		batch, err := db.accessLogRows(ctx, tenant, after, 5000)
		if err != nil {
			return audit.Report{}, fmt.Errorf("store: verify access log: %w", err)
		}
		for _, e := range batch {
			v.Add(e)
			after = e.Seq
		}
		if len(batch) == 0 {
			break
		}
	}
	var headSeq int64
	var headHash string
	err = db.queryRow(ctx, `SELECT seq, hash FROM access_log_heads WHERE tenant_id = ?`, string(tenant)).Scan(&headSeq, &headHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return audit.Report{}, fmt.Errorf("store: verify access log: %w", err)
	}
	return v.Finish(headSeq, headHash), nil
}

// accessLogRows returns up to limit of tenant's rows after seq, in seq
// order, each with the further records it names (More), as they were
// chained. A record left in access_log_subjects without its row is
// attached to no row, and so shows only where the row it belonged to
// fails its hash.
func (db *DB) accessLogRows(ctx context.Context, tenant trygg.TenantID, after int64, limit int) ([]audit.Entry, error) {
	rows, err := db.query(ctx, `SELECT `+entryCols+` FROM access_log WHERE tenant_id = ? AND seq > ? ORDER BY seq`+limitSQL(limit), string(tenant), after)
	if err != nil {
		return nil, err
	}
	var out []audit.Entry
	for rows.Next() {
		e, err := scanEntry(rows, tenant)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
	}
	err = rows.Err()
	rows.Close()
	if err != nil || len(out) == 0 {
		return out, err
	}
	bySeq := make(map[int64]int, len(out))
	for i, e := range out {
		bySeq[e.Seq] = i
	}
	rows, err = db.query(ctx, `SELECT seq, action, person_id, case_id, ground FROM access_log_subjects
		WHERE tenant_id = ? AND seq > ? AND seq <= ? ORDER BY seq, n`, string(tenant), after, out[len(out)-1].Seq)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var s audit.Subject
		if err := rows.Scan(&seq, &s.Action, &s.PersonID, &s.CaseID, &s.Ground); err != nil {
			return nil, err
		}
		if i, ok := bySeq[seq]; ok {
			out[i].More = append(out[i].More, s)
		}
	}
	return out, rows.Err()
}
