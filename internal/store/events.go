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
	var seq int64
	err := tx.queryRow(ctx, `UPDATE tenants SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq`, string(e.Tenant)).Scan(&seq)
	if err != nil {
		return e, fmt.Errorf("store: append event: %w", notFound(err, "Tenant"))
	}
	e.Seq, e.At = seq, tx.Now
	if len(e.Payload) == 0 {
		e.Payload = []byte("{}")
	}
	_, err = tx.exec(ctx, `INSERT INTO events (tenant_id, seq, at, actor_id, type, subject_type, subject_id, person_id, case_id, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(e.Tenant), e.Seq, micros(e.At), e.ActorID, e.Type, e.SubjectType, e.SubjectID, e.PersonID, e.CaseID, string(e.Payload))
	if err != nil {
		return e, fmt.Errorf("store: append event: %w", err)
	}
	return e, nil
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

// CaseEvents returns the newest limit events of a case, newest first.
func (db *DB) CaseEvents(ctx context.Context, tenant trygg.TenantID, caseID string, limit int) ([]events.Event, error) {
	rows, err := db.query(ctx, `SELECT seq, at, actor_id, type, subject_type, subject_id, person_id, case_id, payload
		FROM events WHERE tenant_id = ? AND case_id = ? ORDER BY seq DESC`+limitSQL(limit), string(tenant), caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case events: %w", err)
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
