package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// RegisterCase is a case a register reads, with its person's identity and
// everything of the case a register's records may use.
type RegisterCase struct {
	Case     Case
	UnitName string
	// The person's identity number (type and 12 digits), sex and birth
	// date. Reading them must be access-logged by the caller.
	IDType, IDValue, Sex, BirthDate string
	Decisions                       []Decision
	Executions                      []Execution
	// Payments are the case's payment lines that pay (not stopped or
	// rejected): period and amount only.
	Payments []PaymentLine
	// Forms are the case's form entries, oldest first.
	Forms []FormEntry
}

// registerChunk bounds the ids in one IN list.
const registerChunk = 500

// RegisterCases returns the cases of caseTypes in the unit subtrees paths
// that a register for the days from..to (YYYY-MM-DD) may report: those
// with a final decision made before before that runs on or after from, or
// with a payment line for a month from..to. Cases of persons with a
// protected identity are there only for readers who may see them, as in
// every list. Cases come in reference order.
func (db *DB) RegisterCases(ctx context.Context, reader trygg.Actor, caseTypes, paths []string, from, to string, before time.Time) ([]RegisterCase, error) {
	tenant := string(reader.Tenant)
	if len(caseTypes) == 0 || len(paths) == 0 {
		return nil, nil
	}
	pred, pargs := unitPathPred(paths)
	if !reader.ProtectedIdentity {
		pred = `(` + pred + ` AND p.protection = 0)`
	}
	types, targs := inList("c.case_type", caseTypes)
	q := `SELECT ` + caseCols + `, u.name, p.id_type, p.id_value, p.sex, p.birth_date
		FROM cases c JOIN units u ON u.tenant_id = c.tenant_id AND u.id = c.unit_id
		JOIN persons p ON p.tenant_id = c.tenant_id AND p.id = c.person_id
		WHERE c.tenant_id = ? AND ` + types + ` AND ` + pred + ` AND (
			EXISTS (SELECT 1 FROM decisions d WHERE d.tenant_id = c.tenant_id AND d.case_id = c.id AND d.status = 'final'
				AND d.decided_at < ? AND (d.valid_to = '' OR d.valid_to >= ?))
			OR EXISTS (SELECT 1 FROM payment_lines l WHERE l.tenant_id = c.tenant_id AND l.case_id = c.id
				AND l.status NOT IN ('stopped', 'rejected') AND substr(l.period, 1, 7) >= ? AND substr(l.period, 1, 7) <= ?))
		ORDER BY c.reference, c.id`
	args := append([]any{tenant}, targs...)
	args = append(args, pargs...)
	args = append(args, micros(before), from, from[:7], to[:7])
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: register cases: %w", err)
	}
	var out []RegisterCase
	for rows.Next() {
		var r RegisterCase
		var opened, closed int64
		c := &r.Case
		if err := rows.Scan(&c.ID, &c.PersonID, &c.UnitID, &c.UnitPath, &c.CaseType, &c.Title, &c.Status, &c.DefinitionVersion, &c.Step,
			&c.AssignedTo, &opened, &closed, &c.Revision, &c.Reference, &c.ReceivedDate, &r.UnitName, &r.IDType, &r.IDValue, &r.Sex, &r.BirthDate); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: register cases: %w", err)
		}
		c.OpenedAt, c.ClosedAt = fromMicros(opened), fromMicros(closed)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: register cases: %w", err)
	}
	index := map[string]int{}
	for i, r := range out {
		index[r.Case.ID] = i
	}
	for start := 0; start < len(out); start += registerChunk {
		var ids []string
		for _, r := range out[start:min(start+registerChunk, len(out))] {
			ids = append(ids, r.Case.ID)
		}
		if err := db.registerDetails(ctx, tenant, ids, before, out, index); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// registerDetails fills the decisions, executions, payment lines and form
// entries of the cases ids into out.
func (db *DB) registerDetails(ctx context.Context, tenant string, ids []string, before time.Time, out []RegisterCase, index map[string]int) error {
	in, iargs := inList("case_id", ids)
	args := append([]any{tenant, micros(before)}, iargs...)
	rows, err := db.query(ctx, `SELECT id, case_id, insats, outcome, legal_basis, valid_from, valid_to, amount, decided_at
		FROM decisions WHERE tenant_id = ? AND status = 'final' AND decided_at < ? AND `+in+` ORDER BY decided_at, id`, args...)
	if err != nil {
		return fmt.Errorf("store: register decisions: %w", err)
	}
	decisionCase := map[string]string{}
	for rows.Next() {
		var d Decision
		var decided int64
		if err := rows.Scan(&d.ID, &d.CaseID, &d.Insats, &d.Outcome, &d.LegalBasis, &d.ValidFrom, &d.ValidTo, &d.Amount, &decided); err != nil {
			rows.Close()
			return fmt.Errorf("store: register decisions: %w", err)
		}
		d.DecidedAt, d.Status = fromMicros(decided), "final"
		decisionCase[d.ID] = d.CaseID
		r := &out[index[d.CaseID]]
		r.Decisions = append(r.Decisions, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	execs, err := scanRows(scanExecution)(db.query(ctx, `SELECT `+executionCols+` FROM decision_execution e WHERE e.tenant_id = ? AND e.decision_id IN (
		SELECT d.id FROM decisions d WHERE d.tenant_id = ? AND d.status = 'final' AND `+inListPrefixed("d.", in)+`)
		ORDER BY e.on_date, e.recorded_at, e.id`, append([]any{tenant, tenant}, iargs...)...))
	if err != nil {
		return fmt.Errorf("store: register executions: %w", err)
	}
	for _, e := range execs {
		if c, ok := decisionCase[e.DecisionID]; ok {
			r := &out[index[c]]
			r.Executions = append(r.Executions, e)
		}
	}
	rows, err = db.query(ctx, `SELECT case_id, period, amount FROM payment_lines WHERE tenant_id = ? AND status NOT IN ('stopped', 'rejected') AND `+in+`
		ORDER BY period, id`, append([]any{tenant}, iargs...)...)
	if err != nil {
		return fmt.Errorf("store: register payments: %w", err)
	}
	for rows.Next() {
		var l PaymentLine
		if err := rows.Scan(&l.CaseID, &l.Period, &l.Amount); err != nil {
			rows.Close()
			return fmt.Errorf("store: register payments: %w", err)
		}
		r := &out[index[l.CaseID]]
		r.Payments = append(r.Payments, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = db.query(ctx, `SELECT `+formEntryCols+` FROM form_entries WHERE tenant_id = ? AND `+in+` ORDER BY updated_at, id`,
		append([]any{tenant}, iargs...)...)
	if err != nil {
		return fmt.Errorf("store: register forms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e FormEntry
		var up, signed int64
		if err := rows.Scan(&e.ID, &e.CaseID, &e.FormID, &e.DefinitionVersion, &e.Status, &e.Values, &e.UpdatedBy, &up, &e.SignedBy, &signed, &e.Supersedes); err != nil {
			return fmt.Errorf("store: register forms: %w", err)
		}
		e.UpdatedAt, e.SignedAt = fromMicros(up), fromMicros(signed)
		r := &out[index[e.CaseID]]
		r.Forms = append(r.Forms, e)
	}
	return rows.Err()
}

// inListPrefixed qualifies the column of an inList predicate.
func inListPrefixed(prefix, pred string) string { return prefix + pred }
