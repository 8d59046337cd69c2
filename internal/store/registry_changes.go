package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// The outcomes of a population-registry change (RegistryChange.Outcome).
const (
	RegistryApplied       = "applied"        // trygg's records changed
	RegistryNotRegistered = "not_registered" // trygg holds no such person: nothing to change
	RegistryRefused       = "refused"        // the record could not be read or applied (Detail says why)
)

// RegistryChange is a population-registry change as handled: which, where
// in the feed, about whom (a person id, "" when trygg holds no such
// person) and what came of it. Detail names fields, never their values.
type RegistryChange struct {
	ChangeID   string    `json:"change_id"`
	Position   string    `json:"position"`
	Kind       string    `json:"kind"`
	ChangeDate string    `json:"change_date"`
	PersonID   string    `json:"person_id,omitempty"`
	Outcome    string    `json:"outcome"`
	Detail     string    `json:"detail,omitempty"`
	AppliedAt  time.Time `json:"applied_at"`
}

// LeaseRegistryCursor takes or renews owner's lease on the tenant's place
// in the registry's change feed until the given time, creating it at the
// start the first time, and returns the position of the last change
// handled ("" for none). held is false, and nothing changes, while
// another owner's lease runs.
func (db *DB) LeaseRegistryCursor(ctx context.Context, tenant trygg.TenantID, owner string, until time.Time) (position string, held bool, err error) {
	err = db.Update(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO registry_cursors (tenant_id) VALUES (?) ON CONFLICT DO NOTHING`, string(tenant)); err != nil {
			return err
		}
		err := tx.queryRow(ctx, `UPDATE registry_cursors SET leased_by = ?, leased_until = ?
			WHERE tenant_id = ? AND (leased_by = ? OR leased_until < ?) RETURNING position`,
			owner, micros(until), string(tenant), owner, micros(tx.Now)).Scan(&position)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		held = err == nil
		return err
	})
	if err != nil {
		return "", false, fmt.Errorf("store: lease registry cursor: %w", err)
	}
	return position, held, nil
}

// AdvanceRegistryCursor moves the tenant's place in the change feed from
// one position to the next inside tx, the transaction that handles the
// change, while owner holds the lease. moved is false, and nothing
// changes, if the place moved meanwhile or the lease went to another.
func (tx *Tx) AdvanceRegistryCursor(ctx context.Context, tenant trygg.TenantID, owner, from, to string) (moved bool, err error) {
	res, err := tx.exec(ctx, `UPDATE registry_cursors SET position = ? WHERE tenant_id = ? AND leased_by = ? AND position = ?`,
		to, string(tenant), owner, from)
	if err != nil {
		return false, fmt.Errorf("store: advance registry cursor: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseRegistryCursor gives up owner's lease, so another server (or
// this one, restarted) goes on at once.
func (db *DB) ReleaseRegistryCursor(ctx context.Context, tenant trygg.TenantID, owner string) error {
	err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE registry_cursors SET leased_by = '', leased_until = 0 WHERE tenant_id = ? AND leased_by = ?`,
			string(tenant), owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release registry cursor: %w", err)
	}
	return nil
}

// RegistryPosition returns the position of the last change the tenant
// handled ("" for none).
func (db *DB) RegistryPosition(ctx context.Context, tenant trygg.TenantID) (string, error) {
	var p string
	err := db.queryRow(ctx, `SELECT position FROM registry_cursors WHERE tenant_id = ?`, string(tenant)).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: registry position: %w", err)
	}
	return p, nil
}

// RegistryChangeHandled reports whether the tenant has handled the change
// with the id, inside tx.
func (tx *Tx) RegistryChangeHandled(ctx context.Context, tenant trygg.TenantID, changeID string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM registry_changes WHERE tenant_id = ? AND change_id = ?`, string(tenant), changeID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: registry change handled: %w", err)
	}
	return n > 0, nil
}

// InsertRegistryChange records a change handled inside tx; one with the
// same id is a conflict.
func (tx *Tx) InsertRegistryChange(ctx context.Context, tenant trygg.TenantID, c RegistryChange) error {
	_, err := tx.exec(ctx, `INSERT INTO registry_changes (tenant_id, change_id, position, kind, change_date, person_id, outcome, detail, applied_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), c.ChangeID, c.Position, c.Kind, c.ChangeDate, c.PersonID, c.Outcome, c.Detail, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "The registry change was handled already.")
	}
	if err != nil {
		return fmt.Errorf("store: insert registry change: %w", err)
	}
	return nil
}

// RegistryChanges returns the last limit changes the tenant handled,
// newest first.
func (db *DB) RegistryChanges(ctx context.Context, tenant trygg.TenantID, limit int) ([]RegistryChange, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	out, err := scanRows(func(s interface{ Scan(...any) error }) (RegistryChange, error) {
		var c RegistryChange
		var at int64
		err := s.Scan(&c.ChangeID, &c.Position, &c.Kind, &c.ChangeDate, &c.PersonID, &c.Outcome, &c.Detail, &at)
		c.AppliedAt = fromMicros(at)
		return c, err
	})(db.query(ctx, `SELECT change_id, position, kind, change_date, person_id, outcome, detail, applied_at FROM registry_changes
		WHERE tenant_id = ? ORDER BY applied_at DESC, position DESC`+limitSQL(limit), string(tenant)))
	if err != nil {
		return nil, fmt.Errorf("store: registry changes: %w", err)
	}
	return out, nil
}

// personUpdate runs one UPDATE of a person's row inside tx; a person that
// is not there is not found.
func (tx *Tx) personUpdate(ctx context.Context, what, set string, tenant trygg.TenantID, personID string, args ...any) error {
	args = append(args, micros(tx.Now), string(tenant), personID)
	res, err := tx.exec(ctx, `UPDATE persons SET `+set+`, updated_at = ? WHERE tenant_id = ? AND id = ?`, args...)
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "Another person has this identity number.")
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.ENotFound, "Person not found.")
	}
	return nil
}

// SetPersonAddress sets a person's address inside tx.
func (tx *Tx) SetPersonAddress(ctx context.Context, tenant trygg.TenantID, personID string, a persons.Address) error {
	return tx.personUpdate(ctx, "set person address", `street = ?, postal_code = ?, city = ?`, tenant, personID, a.Street, a.PostalCode, a.City)
}

// SetPersonProtection sets a person's protected-identity level inside tx;
// every read that hides protected persons asks the person's row, so it
// counts from the commit on.
func (tx *Tx) SetPersonProtection(ctx context.Context, tenant trygg.TenantID, personID string, p persons.Protection) error {
	return tx.personUpdate(ctx, "set person protection", `protection = ?`, tenant, personID, int(p))
}

// SetPersonDied records the day a person died inside tx.
func (tx *Tx) SetPersonDied(ctx context.Context, tenant trygg.TenantID, personID, day string) error {
	return tx.personUpdate(ctx, "set person died", `died_on = ?`, tenant, personID, day)
}

// PersonDiedOn returns the day the person died, "" while they live.
func (db *DB) PersonDiedOn(ctx context.Context, tenant trygg.TenantID, personID string) (string, error) {
	var d string
	err := db.queryRow(ctx, `SELECT died_on FROM persons WHERE tenant_id = ? AND id = ?`, string(tenant), personID).Scan(&d)
	return d, notFound(err, "Person")
}

// ChangePersonIdentity gives a person a new identity number, with the
// birth date and sex it carries, inside tx; a number another person has
// is a conflict.
func (tx *Tx) ChangePersonIdentity(ctx context.Context, tenant trygg.TenantID, personID string, id persons.Identity, birthDate, sex string) error {
	return tx.personUpdate(ctx, "change person identity", `id_type = ?, id_value = ?, id_issuer = ?, birth_date = ?, sex = ?`,
		tenant, personID, string(id.Type), id.Value, id.Issuer, birthDate, sex)
}

// GuardianRelations returns the guardian relations over the child that
// are in force on today or begin later, inside tx, oldest first.
func (tx *Tx) GuardianRelations(ctx context.Context, tenant trygg.TenantID, childID, today string) ([]persons.Relation, error) {
	out, err := scanRows(func(s interface{ Scan(...any) error }) (persons.Relation, error) {
		var r persons.Relation
		var kind string
		err := s.Scan(&r.ID, &r.FromPersonID, &r.ToPersonID, &kind, &r.ValidFrom, &r.ValidTo)
		r.Kind = persons.RelationKind(kind)
		return r, err
	})(tx.query(ctx, `SELECT id, from_person_id, to_person_id, kind, valid_from, valid_to FROM person_relations
		WHERE tenant_id = ? AND to_person_id = ? AND kind = ? AND (valid_to = '' OR valid_to >= ?) ORDER BY created_at, id`,
		string(tenant), childID, string(persons.RelGuardian), today))
	if err != nil {
		return nil, fmt.Errorf("store: guardian relations: %w", err)
	}
	return out, nil
}

// EndRelation sets the last day a relation is in force inside tx.
func (tx *Tx) EndRelation(ctx context.Context, tenant trygg.TenantID, relationID, validTo string) error {
	if _, err := tx.exec(ctx, `UPDATE person_relations SET valid_to = ? WHERE tenant_id = ? AND id = ?`, validTo, string(tenant), relationID); err != nil {
		return fmt.Errorf("store: end relation: %w", err)
	}
	return nil
}

// PersonCases returns the person's cases inside tx, unchecked by access.
func (tx *Tx) PersonCases(ctx context.Context, tenant trygg.TenantID, personID string) ([]Case, error) {
	out, err := scanRows(scanCase)(tx.query(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.tenant_id = ? AND c.person_id = ? ORDER BY c.opened_at, c.id`,
		string(tenant), personID))
	if err != nil {
		return nil, fmt.Errorf("store: person cases: %w", err)
	}
	return out, nil
}

// PersonOrders returns the orders of the person's cases inside tx, oldest
// first.
func (tx *Tx) PersonOrders(ctx context.Context, tenant trygg.TenantID, personID string) ([]Order, error) {
	out, err := scanRows(scanOrder)(tx.query(ctx, `SELECT `+orderSelect+` FROM orders WHERE tenant_id = ? AND case_id IN
		(SELECT c.id FROM cases c WHERE c.tenant_id = ? AND c.person_id = ?) ORDER BY created_at, id`,
		string(tenant), string(tenant), personID))
	if err != nil {
		return nil, fmt.Errorf("store: person orders: %w", err)
	}
	return out, nil
}
