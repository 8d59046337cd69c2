package store

import (
	"context"
	"fmt"

	"github.com/trygg/trygg/internal/events"
)

// AppendPastEvents appends es, all of one tenant, to the event log inside
// tx as AppendEvents does, but each at its own At (set by the caller, in
// the past, in order) rather than the transaction's moment: for writing
// history — an import, the demo's past — many days in one transaction.
// Returns an error if an event has no At, one is earlier than the event
// before it, or the events are of several tenants.
func (tx *Tx) AppendPastEvents(ctx context.Context, es []events.Event) ([]events.Event, error) {
	if len(es) == 0 {
		return es, nil
	}
	for i, e := range es {
		if e.Tenant != es[0].Tenant {
			return nil, fmt.Errorf("store: append past events: events of tenants %q and %q in one call", es[0].Tenant, e.Tenant)
		}
		if e.At.IsZero() || (i > 0 && e.At.Before(es[i-1].At)) {
			return nil, fmt.Errorf("store: append past events: event %d has no moment or one before the event before it", i)
		}
	}
	var last int64
	err := tx.queryRow(ctx, `UPDATE tenants SET event_seq = event_seq + ? WHERE id = ? RETURNING event_seq`, len(es), string(es[0].Tenant)).Scan(&last)
	if err != nil {
		return nil, fmt.Errorf("store: append past events: %w", notFound(err, "Tenant"))
	}
	out := make([]events.Event, len(es))
	for i, e := range es {
		e.Seq = last - int64(len(es)-1-i)
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
			return nil, fmt.Errorf("store: append past events: %w", err)
		}
	}
	return out, nil
}
