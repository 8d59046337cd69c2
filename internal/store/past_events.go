package store

import (
	"context"
	"fmt"

	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
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

// InsertPastPersons inserts ps, persons of the tenant new to it, inside
// tx as InsertPerson does, each created at tx.Now, several to a statement:
// for writing history.
func (tx *Tx) InsertPastPersons(ctx context.Context, tenant trygg.TenantID, ps []persons.Person) error {
	const cols = 16
	for start := 0; start < len(ps); start += maxRowsPerInsert {
		chunk := ps[start:min(start+maxRowsPerInsert, len(ps))]
		args := make([]any, 0, len(chunk)*cols)
		for _, p := range chunk {
			args = append(args, string(tenant), p.ID, string(p.Identity.Type), p.Identity.Value, p.Identity.Issuer, p.GivenName, p.FamilyName,
				p.NameSearch(), p.BirthDate, p.Sex, p.Address.Street, p.Address.PostalCode, p.Address.City, int(p.Protection), micros(tx.Now), micros(tx.Now))
		}
		_, err := tx.exec(ctx, `INSERT INTO persons (tenant_id, id, id_type, id_value, id_issuer, given_name, family_name, name_search,
			birth_date, sex, street, postal_code, city, protection, created_at, updated_at) VALUES `+valueRows(len(chunk), cols), args...)
		if tx.db.dialect.isUniqueViolation(err) {
			return trygg.Errorf(trygg.EConflict, "A person with this identity number is already registered.")
		}
		if err != nil {
			return fmt.Errorf("store: insert past persons: %w", err)
		}
	}
	return nil
}

// InsertPastCases inserts cs, cases of the tenant, inside tx as InsertCase
// does, several to a statement: for writing history.
func (tx *Tx) InsertPastCases(ctx context.Context, tenant trygg.TenantID, cs []Case) error {
	const cols = 14
	for start := 0; start < len(cs); start += maxRowsPerInsert {
		chunk := cs[start:min(start+maxRowsPerInsert, len(cs))]
		args := make([]any, 0, len(chunk)*cols)
		for _, c := range chunk {
			args = append(args, string(tenant), c.ID, c.PersonID, c.UnitID, c.CaseType, c.Title, c.Status,
				c.DefinitionVersion, c.Step, c.AssignedTo, micros(c.OpenedAt), micros(c.ClosedAt), c.Reference, c.ReceivedDate)
		}
		if _, err := tx.exec(ctx, `INSERT INTO cases (tenant_id, id, person_id, unit_id, case_type, title, status, definition_version, step,
			assigned_to, opened_at, closed_at, reference, received_date) VALUES `+valueRows(len(chunk), cols), args...); err != nil {
			return fmt.Errorf("store: insert past cases: %w", err)
		}
	}
	return nil
}

// NextCaseNumbers takes the next n numbers of the tenant's case references
// with prefix in year inside tx, as n calls of NextCaseNumber would, and
// returns the last of them (the first is last-n+1).
func (tx *Tx) NextCaseNumbers(ctx context.Context, tenant trygg.TenantID, prefix string, year, n int) (int64, error) {
	var last int64
	err := tx.queryRow(ctx, `INSERT INTO case_reference_counters (tenant_id, prefix, year, last) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, prefix, year) DO UPDATE SET last = case_reference_counters.last + ? RETURNING last`,
		string(tenant), prefix, year, n, n).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("store: next case numbers: %w", err)
	}
	return last, nil
}
