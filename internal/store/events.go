package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/trygg"
)

// AppendEvent appends e to the event log inside tx, taking the next
// sequence number of e's tenant. The tenant's row stays locked until the
// transaction ends, so sequence numbers become visible in order, without gaps.
func (tx *Tx) AppendEvent(ctx context.Context, e events.Event) (events.Event, error) {
	if len(e.Payload) == 0 {
		e.Payload = []byte("{}")
	}
	if tx.db.dialect.name() == "postgres" {
		return tx.appendEventPostgres(ctx, e)
	}
	var seq int64
	err := tx.queryRow(ctx, `UPDATE tenants SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq`, string(e.Tenant)).Scan(&seq)
	if err != nil {
		return e, fmt.Errorf("store: append event: %w", notFound(err, "Tenant"))
	}
	e.Seq, e.At = seq, tx.Now
	_, err = tx.exec(ctx, `INSERT INTO events (tenant_id, seq, at, actor_id, type, subject_type, subject_id, person_id, case_id, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(e.Tenant), e.Seq, micros(e.At), e.ActorID, e.Type, e.SubjectType, e.SubjectID, e.PersonID, e.CaseID, string(e.Payload))
	if err != nil {
		return e, fmt.Errorf("store: append event: %w", err)
	}
	return e, nil
}

// appendEventPostgres is AppendEvent in one statement, one round trip
// instead of two: the tenant's counter is raised in a data-modifying WITH
// and the INSERT takes its number from it. SQLite has no UPDATE in a WITH,
// and a statement there is a call into the library, not a round trip, so
// it keeps the two (docs/benchmarks.md, "Fewer statements per write").
func (tx *Tx) appendEventPostgres(ctx context.Context, e events.Event) (events.Event, error) {
	err := tx.queryRow(ctx, `WITH s AS (UPDATE tenants SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq)
		INSERT INTO events (tenant_id, seq, at, actor_id, type, subject_type, subject_id, person_id, case_id, payload)
		SELECT ?, s.event_seq, ?, ?, ?, ?, ?, ?, ?, ? FROM s RETURNING seq`,
		string(e.Tenant), string(e.Tenant), micros(tx.Now), e.ActorID, e.Type, e.SubjectType, e.SubjectID, e.PersonID, e.CaseID, string(e.Payload)).Scan(&e.Seq)
	if err != nil {
		return e, fmt.Errorf("store: append event: %w", notFound(err, "Tenant"))
	}
	e.At = tx.Now
	return e, nil
}

// execWithEvent runs write (an INSERT or UPDATE whose result is not read,
// with its args) and appends e, inside tx, and returns e as AppendEvent
// does. On PostgreSQL the two are one statement, the write a
// data-modifying WITH of the event's INSERT: one round trip where there
// were three (write, counter, event).
//
// Why WITH and not pgx's batches: a batch needs the *pgx.Conn under
// database/sql's transaction, which sql.Tx does not give (the store would
// run its own BEGIN and COMMIT on a sql.Conn through Conn.Raw), and most
// of a write's statements are read before the next is sent (RETURNING a
// sequence, rows affected for a conflict), so a batch could hold only
// what is left. One statement keeps Update and the SQLite path as they
// are; docs/benchmarks.md, "Fewer statements per write".
func (tx *Tx) execWithEvent(ctx context.Context, write string, args []any, e events.Event) (events.Event, error) {
	if tx.db.dialect.name() != "postgres" {
		if _, err := tx.exec(ctx, write, args...); err != nil {
			return e, err
		}
		return tx.AppendEvent(ctx, e)
	}
	if len(e.Payload) == 0 {
		e.Payload = []byte("{}")
	}
	err := tx.queryRow(ctx, `WITH w AS (`+write+`), s AS (UPDATE tenants SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq)
		INSERT INTO events (tenant_id, seq, at, actor_id, type, subject_type, subject_id, person_id, case_id, payload)
		SELECT ?, s.event_seq, ?, ?, ?, ?, ?, ?, ?, ? FROM s RETURNING seq`,
		append(args, string(e.Tenant), string(e.Tenant), micros(tx.Now), e.ActorID, e.Type, e.SubjectType, e.SubjectID, e.PersonID, e.CaseID, string(e.Payload))...).Scan(&e.Seq)
	if err != nil {
		return e, notFound(err, "Tenant")
	}
	e.At = tx.Now
	return e, nil
}

// AppendEvents appends es, all of one tenant, to the event log inside tx
// as AppendEvent does one at a time: they take the tenant's next
// sequence numbers in the order given, with the tenant's row locked until
// the transaction ends. It returns the events with Seq and At set.
func (tx *Tx) AppendEvents(ctx context.Context, es []events.Event) ([]events.Event, error) {
	if len(es) == 0 {
		return es, nil
	}
	tenant := es[0].Tenant
	for _, e := range es {
		if e.Tenant != tenant {
			return nil, fmt.Errorf("store: append events: events of tenants %q and %q in one call", tenant, e.Tenant)
		}
	}
	var last int64
	err := tx.queryRow(ctx, `UPDATE tenants SET event_seq = event_seq + ? WHERE id = ? RETURNING event_seq`, len(es), string(tenant)).Scan(&last)
	if err != nil {
		return nil, fmt.Errorf("store: append events: %w", notFound(err, "Tenant"))
	}
	out := make([]events.Event, len(es))
	for i, e := range es {
		e.Seq, e.At = last-int64(len(es)-1-i), tx.Now
		if len(e.Payload) == 0 {
			e.Payload = []byte("{}")
		}
		out[i] = e
	}
	const cols = 10
	for start := 0; start < len(out); start += maxRowsPerInsert {
		chunk := out[start:min(start+maxRowsPerInsert, len(out))]
		args := make([]any, 0, len(chunk)*cols)
		for _, e := range chunk {
			args = append(args, string(e.Tenant), e.Seq, micros(e.At), e.ActorID, e.Type, e.SubjectType, e.SubjectID, e.PersonID, e.CaseID, string(e.Payload))
		}
		if _, err := tx.exec(ctx, `INSERT INTO events (tenant_id, seq, at, actor_id, type, subject_type, subject_id, person_id, case_id, payload)
			VALUES `+valueRows(len(chunk), cols), args...); err != nil {
			return nil, fmt.Errorf("store: append events: %w", err)
		}
	}
	return out, nil
}

// Events returns up to limit events of tenant with sequence greater than
// after, in sequence order. A consumer passes the last sequence it handled.
func (db *DB) Events(ctx context.Context, tenant trygg.TenantID, after int64, limit int) ([]events.Event, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := db.query(ctx, `SELECT seq, at, actor_id, type, subject_type, subject_id, person_id, case_id, payload
		FROM events WHERE tenant_id = ? AND seq > ? ORDER BY seq`+limitSQL(limit), string(tenant), after)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return scanEvents(tenant, rows)
}

// LastEventSeq returns the sequence number of tenant's newest event (0
// when it has none): how far a consumer of the log has to read.
func (db *DB) LastEventSeq(ctx context.Context, tenant trygg.TenantID) (int64, error) {
	var seq int64
	if err := db.queryRow(ctx, `SELECT event_seq FROM tenants WHERE id = ?`, string(tenant)).Scan(&seq); err != nil {
		return 0, fmt.Errorf("store: last event: %w", notFound(err, "Tenant"))
	}
	return seq, nil
}

// CaseEvents returns the newest limit events of a case, newest first.
func (db *DB) CaseEvents(ctx context.Context, tenant trygg.TenantID, caseID string, limit int) ([]events.Event, error) {
	rows, err := db.query(ctx, `SELECT seq, at, actor_id, type, subject_type, subject_id, person_id, case_id, payload
		FROM events WHERE tenant_id = ? AND case_id = ? ORDER BY seq DESC`+limitSQL(limit), string(tenant), caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case events: %w", err)
	}
	return scanEvents(tenant, rows)
}

// LatestEventsOfType returns the newest limit events of tenant of the
// type, newest first (the log review's list of privileged grants).
func (db *DB) LatestEventsOfType(ctx context.Context, tenant trygg.TenantID, typ string, limit int) ([]events.Event, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := db.query(ctx, `SELECT seq, at, actor_id, type, subject_type, subject_id, person_id, case_id, payload
		FROM events WHERE tenant_id = ? AND type = ? ORDER BY seq DESC`+limitSQL(limit), string(tenant), typ)
	if err != nil {
		return nil, fmt.Errorf("store: events of type: %w", err)
	}
	return scanEvents(tenant, rows)
}

// scanEvents reads event rows (seq, at, actor, type, subject, person, case,
// payload) and closes them.
func scanEvents(tenant trygg.TenantID, rows *sql.Rows) ([]events.Event, error) {
	defer rows.Close()
	out := []events.Event{}
	for rows.Next() {
		e := events.Event{Tenant: tenant}
		var at int64
		var payload string
		if err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.Type, &e.SubjectType, &e.SubjectID, &e.PersonID, &e.CaseID, &payload); err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		e.At, e.Payload = fromMicros(at), []byte(payload)
		out = append(out, e)
	}
	return out, rows.Err()
}
