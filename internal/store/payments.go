package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// Payment line statuses.
const (
	PaymentProposed = "proposed"
	PaymentAttested = "attested"
	PaymentSent     = "sent"
	PaymentPaid     = "paid"
	PaymentRejected = "rejected"
	// PaymentStopped is a line stopped before it was sent, and the line
	// with the negative amount that stops it.
	PaymentStopped = "stopped"
)

// PaymentLine is one payment a final decision makes (see
// migrations/0020_payments.sql). Amounts are in öre.
type PaymentLine struct {
	ID            string `json:"id"`
	CaseID        string `json:"case_id"`
	DecisionID    string `json:"decision_id"`
	PersonID      string `json:"person_id"`
	UnitID        string `json:"unit_id"`
	CaseType      string `json:"case_type"`
	Item          string `json:"item"`
	ItemName      string `json:"item_name"`
	Schedule      string `json:"schedule"`
	Period        string `json:"period"`
	PayeeCategory string `json:"payee_category"`
	PayeeID       string `json:"payee_id,omitempty"`
	Amount        int64  `json:"amount"`
	DueDate       string `json:"due_date"`
	Account       string `json:"account,omitempty"`
	CostCentre    string `json:"cost_centre,omitempty"`
	Status        string `json:"status"`
	// Reverses is the line a stop line (negative amount) stops.
	Reverses string `json:"reverses,omitempty"`
	// Replaces is the line the bank rejected that this line pays again.
	Replaces   string    `json:"replaces,omitempty"`
	PreparedBy string    `json:"prepared_by"`
	PreparedAt time.Time `json:"prepared_at"`
	DecidedBy  string    `json:"decided_by,omitempty"`
	AttestedBy string    `json:"attested_by,omitempty"`
	AttestedAt time.Time `json:"attested_at,omitzero"`
	RunID      string    `json:"run_id,omitempty"`
	BankStatus string    `json:"bank_status,omitempty"`
	BankReason string    `json:"bank_reason,omitempty"`

	// Read with the line from its case (not stored on it).
	CaseReference     string `json:"case_reference,omitempty"`
	CaseAssignee      string `json:"case_assignee,omitempty"`
	UnitPath          string `json:"-"`
	DefinitionVersion int64  `json:"-"`
	// PersonName is filled by the proposal list (PaymentLines); reading
	// it is logged by the service.
	PersonName string `json:"person_name,omitempty"`
	// PayeeName is the chosen payee's name, where a list reads it.
	PayeeName string `json:"payee_name,omitempty"`
}

const paymentLineCols = `l.id, l.case_id, l.decision_id, l.person_id, l.unit_id, l.case_type, l.item, l.item_name, l.schedule, l.period,
	l.payee_category, l.payee_id, l.amount, l.due_date, l.account, l.cost_centre, l.status, l.reverses, l.replaces, l.prepared_by, l.prepared_at,
	l.decided_by, l.attested_by, l.attested_at, l.run_id, l.bank_status, l.bank_reason, c.reference, c.assigned_to, u.path, c.definition_version`

const paymentLineFrom = ` FROM payment_lines l JOIN cases c ON c.tenant_id = l.tenant_id AND c.id = l.case_id
	JOIN units u ON u.tenant_id = l.tenant_id AND u.id = l.unit_id`

func scanPaymentLine(s interface{ Scan(...any) error }, extra ...any) (PaymentLine, error) {
	var l PaymentLine
	var prepared, attested int64
	dest := []any{&l.ID, &l.CaseID, &l.DecisionID, &l.PersonID, &l.UnitID, &l.CaseType, &l.Item, &l.ItemName, &l.Schedule, &l.Period,
		&l.PayeeCategory, &l.PayeeID, &l.Amount, &l.DueDate, &l.Account, &l.CostCentre, &l.Status, &l.Reverses, &l.Replaces, &l.PreparedBy, &prepared,
		&l.DecidedBy, &l.AttestedBy, &attested, &l.RunID, &l.BankStatus, &l.BankReason, &l.CaseReference, &l.CaseAssignee, &l.UnitPath,
		&l.DefinitionVersion}
	err := s.Scan(append(dest, extra...)...)
	l.PreparedAt, l.AttestedAt = fromMicros(prepared), fromMicros(attested)
	return l, err
}

// InsertPaymentLine adds a line inside tx, prepared now. It returns false,
// and writes nothing, when the decision already has a line for the item
// and period (or that stop line, or that replacement of a rejected line):
// nothing is paid twice.
func (tx *Tx) InsertPaymentLine(ctx context.Context, tenant trygg.TenantID, l PaymentLine) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO payment_lines (tenant_id, id, case_id, decision_id, person_id, unit_id, case_type, item, item_name,
		schedule, period, payee_category, payee_id, amount, due_date, account, cost_centre, status, reverses, replaces, prepared_by, prepared_at, decided_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, decision_id, item, period, reverses, replaces) DO NOTHING`,
		string(tenant), l.ID, l.CaseID, l.DecisionID, l.PersonID, l.UnitID, l.CaseType, l.Item, l.ItemName, l.Schedule, l.Period,
		l.PayeeCategory, l.PayeeID, l.Amount, l.DueDate, l.Account, l.CostCentre, l.Status, l.Reverses, l.Replaces, l.PreparedBy, micros(tx.Now), l.DecidedBy)
	if err != nil {
		return false, fmt.Errorf("store: insert payment line: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// InsertPaymentLines adds lines inside tx as InsertPaymentLine does, up
// to maxRowsPerInsert a statement, and returns the ids of those added: a
// line the decision already has for its item and period (or that stop
// or replacement) is left out.
func (tx *Tx) InsertPaymentLines(ctx context.Context, tenant trygg.TenantID, ls []PaymentLine) (map[string]bool, error) {
	added := make(map[string]bool, len(ls))
	const cols = 23
	for start := 0; start < len(ls); start += maxRowsPerInsert {
		chunk := ls[start:min(start+maxRowsPerInsert, len(ls))]
		args := make([]any, 0, len(chunk)*cols)
		for _, l := range chunk {
			args = append(args, string(tenant), l.ID, l.CaseID, l.DecisionID, l.PersonID, l.UnitID, l.CaseType, l.Item, l.ItemName, l.Schedule, l.Period,
				l.PayeeCategory, l.PayeeID, l.Amount, l.DueDate, l.Account, l.CostCentre, l.Status, l.Reverses, l.Replaces, l.PreparedBy, micros(tx.Now), l.DecidedBy)
		}
		ids, err := scanRows(scanString)(tx.query(ctx, `INSERT INTO payment_lines (tenant_id, id, case_id, decision_id, person_id, unit_id, case_type,
			item, item_name, schedule, period, payee_category, payee_id, amount, due_date, account, cost_centre, status, reverses, replaces, prepared_by,
			prepared_at, decided_by) VALUES `+valueRows(len(chunk), cols)+`
			ON CONFLICT (tenant_id, decision_id, item, period, reverses, replaces) DO NOTHING RETURNING id`, args...))
		if err != nil {
			return nil, fmt.Errorf("store: insert payment lines: %w", err)
		}
		for _, id := range ids {
			added[id] = true
		}
	}
	return added, nil
}

// PaymentLinesForUpdate returns the lines with ids inside tx, locked
// until it ends, in the order of ids; an id that is not a line of the
// tenant is a not-found error.
func (tx *Tx) PaymentLinesForUpdate(ctx context.Context, tenant trygg.TenantID, ids []string) ([]PaymentLine, error) {
	byID := make(map[string]PaymentLine, len(ids))
	for start := 0; start < len(ids); start += maxRowsPerInsert {
		pred, pargs := inList("l.id", ids[start:min(start+maxRowsPerInsert, len(ids))])
		lines, err := scanRows(func(s interface{ Scan(...any) error }) (PaymentLine, error) { return scanPaymentLine(s) })(
			tx.query(ctx, `SELECT `+paymentLineCols+paymentLineFrom+` WHERE l.tenant_id = ? AND `+pred+` ORDER BY l.id`+
				tx.db.dialect.forUpdate()+ofLines(tx), append([]any{string(tenant)}, pargs...)...))
		if err != nil {
			return nil, fmt.Errorf("store: payment lines: %w", err)
		}
		for _, l := range lines {
			byID[l.ID] = l
		}
	}
	out := make([]PaymentLine, 0, len(ids))
	for _, id := range ids {
		l, ok := byID[id]
		if !ok {
			return nil, notFound(sql.ErrNoRows, "PaymentLine")
		}
		out = append(out, l)
	}
	return out, nil
}

// AttestPaymentLines marks the lines ids attested by by, inside tx, many
// a statement. The caller has locked them (PaymentLinesForUpdate) and seen
// them proposed; the update goes by the key alone, so PostgreSQL never
// plans it over the status index. A conflict error when one is missing.
func (tx *Tx) AttestPaymentLines(ctx context.Context, tenant trygg.TenantID, ids []string, by string) error {
	for start := 0; start < len(ids); start += maxRowsPerInsert {
		chunk := ids[start:min(start+maxRowsPerInsert, len(ids))]
		pred, pargs := inList("id", chunk)
		res, err := tx.exec(ctx, `UPDATE payment_lines SET status = 'attested', attested_by = ?, attested_at = ?
			WHERE tenant_id = ? AND `+pred, append([]any{by, micros(tx.Now), string(tenant)}, pargs...)...)
		if err != nil {
			return fmt.Errorf("store: attest payment lines: %w", err)
		}
		if n, _ := res.RowsAffected(); int(n) != len(chunk) {
			return trygg.Errorf(trygg.EConflict, "The payment is no longer waiting to be attested.")
		}
	}
	return nil
}

// PaymentLinesByID returns the lines with ids (at most 1,000), by id;
// ids that are not lines of the tenant are left out.
func (db *DB) PaymentLinesByID(ctx context.Context, tenant trygg.TenantID, ids []string) (map[string]PaymentLine, error) {
	out := make(map[string]PaymentLine, len(ids))
	for start := 0; start < len(ids); start += maxRowsPerInsert {
		pred, pargs := inList("l.id", ids[start:min(start+maxRowsPerInsert, len(ids))])
		lines, err := scanRows(func(s interface{ Scan(...any) error }) (PaymentLine, error) { return scanPaymentLine(s) })(
			db.query(ctx, `SELECT `+paymentLineCols+paymentLineFrom+` WHERE l.tenant_id = ? AND `+pred, append([]any{string(tenant)}, pargs...)...))
		if err != nil {
			return nil, fmt.Errorf("store: payment lines: %w", err)
		}
		for _, l := range lines {
			out[l.ID] = l
		}
	}
	return out, nil
}

// CaseAccess is what an access decision on a case reads (the service's
// caseAccess): the case with its unit's path, its person's protection,
// and whether the reader has an emergency opening of the person in force.
type CaseAccess struct {
	Case       Case
	Protection persons.Protection
	Emergency  bool
}

// CasesAccess returns what an access decision reads for each of the cases
// ids of the actor's tenant, by id, in one query per 500 ids (a case that
// does not exist is left out): what CaseByID, PersonByID and
// PersonRelations read for a staff member, case by case, but without a
// round trip per case. The relations of a citizen (self, guardian,
// representative) are not read: the caller decides those case by case.
func (db *DB) CasesAccess(ctx context.Context, a trygg.Actor, ids []string) (map[string]CaseAccess, error) {
	s := access.ReadScope(a)
	out := make(map[string]CaseAccess, len(ids))
	for start := 0; start < len(ids); start += maxRowsPerInsert {
		pred, pargs := inList("c.id", ids[start:min(start+maxRowsPerInsert, len(ids))])
		emergency, args := `0`, []any{}
		if s.UserID != "" {
			emergency = `CASE WHEN EXISTS (SELECT 1 FROM emergency_openings e WHERE e.tenant_id = c.tenant_id AND e.person_id = c.person_id
				AND e.user_id = ? AND e.expires_at > ?) THEN 1 ELSE 0 END`
			args = append(args, s.UserID, micros(db.Now()))
		}
		args = append(append(args, string(a.Tenant)), pargs...)
		rows, err := scanRows(func(sc interface{ Scan(...any) error }) (CaseAccess, error) {
			var ca CaseAccess
			var prot, em int
			var err error
			ca.Case, err = scanCaseWith(sc, &prot, &em)
			ca.Protection, ca.Emergency = persons.Protection(prot), em != 0
			return ca, err
		})(db.query(ctx, `SELECT `+caseCols+`, p.protection, `+emergency+caseFrom+`
			JOIN persons p ON p.tenant_id = c.tenant_id AND p.id = c.person_id
			WHERE c.tenant_id = ? AND `+pred, args...))
		if err != nil {
			return nil, fmt.Errorf("store: cases access: %w", err)
		}
		for _, ca := range rows {
			out[ca.Case.ID] = ca
		}
	}
	return out, nil
}

// scanCaseWith is scanCase with extra columns after the case's.
func scanCaseWith(s interface{ Scan(...any) error }, extra ...any) (Case, error) {
	var c Case
	var opened, closed int64
	err := s.Scan(append([]any{&c.ID, &c.PersonID, &c.UnitID, &c.UnitPath, &c.CaseType, &c.Title, &c.Status, &c.DefinitionVersion, &c.Step,
		&c.AssignedTo, &opened, &closed, &c.Revision, &c.Reference, &c.ReceivedDate}, extra...)...)
	c.OpenedAt, c.ClosedAt = fromMicros(opened), fromMicros(closed)
	return c, err
}

// PaymentLine returns one line.
func (db *DB) PaymentLine(ctx context.Context, tenant trygg.TenantID, id string) (PaymentLine, error) {
	l, err := scanPaymentLine(db.queryRow(ctx, `SELECT `+paymentLineCols+paymentLineFrom+` WHERE l.tenant_id = ? AND l.id = ?`, string(tenant), id))
	return l, notFound(err, "PaymentLine")
}

// AttestPaymentLine marks a proposed line attested by by, inside tx, and
// sets its payee when payeeID is not empty. It returns a conflict error
// when the line is no longer proposed.
func (tx *Tx) AttestPaymentLine(ctx context.Context, tenant trygg.TenantID, id, by, payeeID string) error {
	res, err := tx.exec(ctx, `UPDATE payment_lines SET status = 'attested', attested_by = ?, attested_at = ?,
		payee_id = CASE WHEN ? <> '' THEN ? ELSE payee_id END WHERE tenant_id = ? AND id = ? AND status = 'proposed'`,
		by, micros(tx.Now), payeeID, payeeID, string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: attest payment line: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.EConflict, "The payment is no longer waiting to be attested.")
	}
	return nil
}

// ChoosePaymentPayee gives a proposed line its payee, prepared by by,
// inside tx; a conflict error when the line is no longer proposed.
func (tx *Tx) ChoosePaymentPayee(ctx context.Context, tenant trygg.TenantID, id, payeeID, by string) error {
	res, err := tx.exec(ctx, `UPDATE payment_lines SET payee_id = ?, prepared_by = ?, prepared_at = ? WHERE tenant_id = ? AND id = ? AND status = 'proposed'`,
		payeeID, by, micros(tx.Now), string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: choose payee: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.EConflict, "The payment is no longer waiting to be attested.")
	}
	return nil
}

// StopPaymentLine marks a line that is not yet sent stopped, inside tx; a
// conflict error when it is sent or stopped already.
func (tx *Tx) StopPaymentLine(ctx context.Context, tenant trygg.TenantID, id string) error {
	res, err := tx.exec(ctx, `UPDATE payment_lines SET status = 'stopped' WHERE tenant_id = ? AND id = ? AND status IN ('proposed', 'attested')`,
		string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: stop payment line: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.EConflict, "Only a payment not yet sent to the bank can be stopped.")
	}
	return nil
}

// PaymentQuery filters the lines PaymentLines lists.
type PaymentQuery struct {
	// Status is the lines' status; empty: proposed.
	Status string
	// CaseID, if set, lists only the lines of one case.
	CaseID string
	// RunID, if set, lists only the lines of one run.
	RunID string
	Limit int
}

// PaymentLines returns the lines the actor may read as staff (their
// cases' visibility, caseVisibleSQL) with the status asked for, the
// person's name with each, by due date. Reading the names must be
// access-logged by the caller.
func (db *DB) PaymentLines(ctx context.Context, a trygg.Actor, q PaymentQuery) ([]PaymentLine, error) {
	vis, visArgs := caseVisibleSQL(a, micros(db.Now()))
	status := q.Status
	if status == "" {
		status = PaymentProposed
	}
	where := ` WHERE l.tenant_id = ? AND l.status = ? AND ` + vis
	args := append([]any{string(a.Tenant), status}, visArgs...)
	if q.CaseID != "" {
		where += ` AND l.case_id = ?`
		args = append(args, q.CaseID)
	}
	if q.RunID != "" {
		where += ` AND l.run_id = ?`
		args = append(args, q.RunID)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 500
	}
	lines, err := scanRows(func(s interface{ Scan(...any) error }) (PaymentLine, error) {
		var given, family, payee string
		l, err := scanPaymentLine(s, &given, &family, &payee)
		l.PersonName, l.PayeeName = strings.TrimSpace(given+" "+family), payee
		return l, err
	})(db.query(ctx, `SELECT `+paymentLineCols+`, p.given_name, p.family_name, COALESCE(y.name, '')`+paymentLineFrom+`
		JOIN persons p ON p.tenant_id = l.tenant_id AND p.id = l.person_id
		LEFT JOIN payees y ON y.tenant_id = l.tenant_id AND y.id = l.payee_id`+where+` ORDER BY l.due_date, l.id`+limitSQL(limit), args...))
	if err != nil {
		return nil, fmt.Errorf("store: payment lines: %w", err)
	}
	return lines, nil
}

// MonthlyLinesToFollow returns, inside tx, the first line of each
// monthly item of a final decision in the units unitIDs that pays the
// month before month (YYYY-MM) or earlier, has no line for month yet, and
// runs into month (no valid_to, or one not before the month's first day):
// the lines ProposeMonth follows. With each it returns the id of the
// payee registered now for the line's person ("" when none), read in the
// same query so a month of many lines needs no lookup per line.
func (tx *Tx) MonthlyLinesToFollow(ctx context.Context, tenant trygg.TenantID, unitIDs []string, month string) ([]PaymentLine, []string, error) {
	pred, pargs := inList("l.unit_id", unitIDs)
	args := append([]any{string(tenant), month}, pargs...)
	args = append(args, month+"-01", month)
	var payees []string
	lines, err := scanRows(func(s interface{ Scan(...any) error }) (PaymentLine, error) {
		var payee string
		l, err := scanPaymentLine(s, &payee)
		payees = append(payees, payee)
		return l, err
	})(tx.query(ctx, `SELECT `+paymentLineCols+`, COALESCE(yp.id, '')`+paymentLineFrom+`
		JOIN decisions d ON d.tenant_id = l.tenant_id AND d.id = l.decision_id
		LEFT JOIN payees yp ON yp.tenant_id = l.tenant_id AND yp.person_id = l.person_id AND yp.person_id <> ''
		WHERE l.tenant_id = ? AND l.schedule = 'monthly' AND l.reverses = '' AND l.replaces = '' AND l.period < ? AND `+pred+`
		AND (d.valid_to = '' OR d.valid_to >= ?) AND c.status <> 'closed'
		AND NOT EXISTS (SELECT 1 FROM payment_lines e WHERE e.tenant_id = l.tenant_id AND e.decision_id = l.decision_id
			AND e.item = l.item AND e.reverses = '' AND e.replaces = '' AND e.period < l.period)
		AND NOT EXISTS (SELECT 1 FROM payment_lines m WHERE m.tenant_id = l.tenant_id AND m.decision_id = l.decision_id
			AND m.item = l.item AND m.reverses = '' AND m.period = ?)
		ORDER BY l.id`, args...))
	if err != nil {
		return nil, nil, fmt.Errorf("store: monthly lines: %w", err)
	}
	return lines, payees, nil
}

// RunnableLine is an attested line with what the bank file needs of its
// payee.
type RunnableLine struct {
	PaymentLine
	PayeeName        string
	PayeeAccountKind string
	PayeeAccount     string
}

// AttestedLines returns, inside tx and locked, the attested lines not yet
// in a run in the units unitIDs, with their payees, by due date.
func (tx *Tx) AttestedLines(ctx context.Context, tenant trygg.TenantID, unitIDs []string) ([]RunnableLine, error) {
	pred, pargs := inList("l.unit_id", unitIDs)
	lines, err := scanRows(func(s interface{ Scan(...any) error }) (RunnableLine, error) {
		var r RunnableLine
		var err error
		r.PaymentLine, err = scanPaymentLine(s, &r.PayeeName, &r.PayeeAccountKind, &r.PayeeAccount)
		return r, err
	})(tx.query(ctx, `SELECT `+paymentLineCols+`, y.name, y.account_kind, y.account`+paymentLineFrom+`
		JOIN payees y ON y.tenant_id = l.tenant_id AND y.id = l.payee_id
		WHERE l.tenant_id = ? AND l.status = 'attested' AND l.run_id = '' AND `+pred+` ORDER BY l.due_date, l.id`+tx.db.dialect.forUpdate()+ofLines(tx),
		append([]any{string(tenant)}, pargs...)...))
	if err != nil {
		return nil, fmt.Errorf("store: attested lines: %w", err)
	}
	return lines, nil
}

// PaymentRun is a payment run: the attested lines gathered into one bank
// file (pain.001), kept as sent.
type PaymentRun struct {
	ID            string    `json:"id"`
	MessageID     string    `json:"message_id"`
	ExecutionDate string    `json:"execution_date"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
	Lines         int       `json:"lines"`
	Total         int64     `json:"total"`
	File          []byte    `json:"-"`
}

// InsertPaymentRun stores a run inside tx and marks its lines sent in it;
// a line no longer attested is a conflict error.
func (tx *Tx) InsertPaymentRun(ctx context.Context, tenant trygg.TenantID, r PaymentRun, lineIDs []string) error {
	if _, err := tx.exec(ctx, `INSERT INTO payment_runs (tenant_id, id, message_id, execution_date, created_by, created_at, lines, total, file)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), r.ID, r.MessageID, r.ExecutionDate, r.CreatedBy, micros(tx.Now), r.Lines, r.Total, r.File); err != nil {
		return fmt.Errorf("store: insert payment run: %w", err)
	}
	const batch = 500
	for i := 0; i < len(lineIDs); i += batch {
		ids := lineIDs[i:min(i+batch, len(lineIDs))]
		pred, pargs := inList("id", ids)
		// The lines are locked by AttestedLines in this transaction, so
		// they are still attested and in no run; by the key alone, so
		// PostgreSQL never plans it over the status index with statistics
		// from before the month's lines were made.
		res, err := tx.exec(ctx, `UPDATE payment_lines SET status = 'sent', run_id = ? WHERE tenant_id = ? AND `+pred,
			append([]any{r.ID, string(tenant)}, pargs...)...)
		if err != nil {
			return fmt.Errorf("store: mark lines sent: %w", err)
		}
		if n, _ := res.RowsAffected(); int(n) != len(ids) {
			return trygg.Errorf(trygg.EConflict, "A payment changed while the run was made. Try again.")
		}
	}
	// The run's units, which say who may read it (runWithinSQL).
	if _, err := tx.exec(ctx, `INSERT INTO payment_run_units (tenant_id, run_id, unit_id)
		SELECT DISTINCT tenant_id, run_id, unit_id FROM payment_lines WHERE tenant_id = ? AND run_id = ?`, string(tenant), r.ID); err != nil {
		return fmt.Errorf("store: payment run units: %w", err)
	}
	return nil
}

// runWithinSQL is the condition that the run r (an alias of
// payment_runs) pays only from units under the unit paths within: it has
// units, and none of them is outside within. No paths: no run.
func runWithinSQL(within []string) (string, []any) {
	if len(within) == 0 {
		return "1 = 0", nil
	}
	pred, args := unitPathPred(within)
	return `EXISTS (SELECT 1 FROM payment_run_units ru WHERE ru.tenant_id = r.tenant_id AND ru.run_id = r.id)
		AND NOT EXISTS (SELECT 1 FROM payment_run_units ru WHERE ru.tenant_id = r.tenant_id AND ru.run_id = r.id
			AND NOT EXISTS (SELECT 1 FROM units u WHERE u.tenant_id = ru.tenant_id AND u.id = ru.unit_id AND ` + pred + `))`, args
}

const paymentRunCols = `r.id, r.message_id, r.execution_date, r.created_by, r.created_at, r.lines, r.total`

// PaymentRun returns a run with its file, if every unit it pays from is
// under one of the unit paths within (the units where the reader is team
// lead); a run of other units is not found, as one that does not exist.
func (db *DB) PaymentRun(ctx context.Context, tenant trygg.TenantID, within []string, id string) (PaymentRun, error) {
	var r PaymentRun
	var created int64
	pred, args := runWithinSQL(within)
	err := db.queryRow(ctx, `SELECT `+paymentRunCols+`, r.file FROM payment_runs r WHERE r.tenant_id = ? AND r.id = ? AND `+pred,
		append([]any{string(tenant), id}, args...)...).
		Scan(&r.ID, &r.MessageID, &r.ExecutionDate, &r.CreatedBy, &created, &r.Lines, &r.Total, &r.File)
	r.CreatedAt = fromMicros(created)
	return r, notFound(err, "PaymentRun")
}

// PaymentRuns returns the tenant's runs that pay only from units under
// the unit paths within, newest first, without files.
func (db *DB) PaymentRuns(ctx context.Context, tenant trygg.TenantID, within []string, limit int) ([]PaymentRun, error) {
	if limit <= 0 {
		limit = 100
	}
	pred, args := runWithinSQL(within)
	runs, err := scanRows(func(s interface{ Scan(...any) error }) (PaymentRun, error) {
		var r PaymentRun
		var created int64
		err := s.Scan(&r.ID, &r.MessageID, &r.ExecutionDate, &r.CreatedBy, &created, &r.Lines, &r.Total)
		r.CreatedAt = fromMicros(created)
		return r, err
	})(db.query(ctx, `SELECT `+paymentRunCols+` FROM payment_runs r WHERE r.tenant_id = ? AND `+pred+` ORDER BY r.created_at DESC, r.id DESC`+limitSQL(limit),
		append([]any{string(tenant)}, args...)...))
	if err != nil {
		return nil, fmt.Errorf("store: payment runs: %w", err)
	}
	return runs, nil
}

// RunLines returns the lines of a run inside tx, locked, by due date and
// id (the order of the bank file).
func (tx *Tx) RunLines(ctx context.Context, tenant trygg.TenantID, runID string) ([]PaymentLine, error) {
	lines, err := scanRows(func(s interface{ Scan(...any) error }) (PaymentLine, error) { return scanPaymentLine(s) })(
		tx.query(ctx, `SELECT `+paymentLineCols+paymentLineFrom+` WHERE l.tenant_id = ? AND l.run_id = ? ORDER BY l.due_date, l.id`+
			tx.db.dialect.forUpdate(), string(tenant), runID))
	if err != nil {
		return nil, fmt.Errorf("store: run lines: %w", err)
	}
	return lines, nil
}

// RunPersons returns the persons and cases of a run's lines, for the
// access log of reading its file.
func (db *DB) RunPersons(ctx context.Context, tenant trygg.TenantID, runID string) ([][2]string, error) {
	rows, err := scanRows(func(s interface{ Scan(...any) error }) ([2]string, error) {
		var p [2]string
		err := s.Scan(&p[0], &p[1])
		return p, err
	})(db.query(ctx, `SELECT DISTINCT person_id, case_id FROM payment_lines WHERE tenant_id = ? AND run_id = ? ORDER BY person_id, case_id`,
		string(tenant), runID))
	if err != nil {
		return nil, fmt.Errorf("store: run persons: %w", err)
	}
	return rows, nil
}

// SetPaymentOutcome records the bank's answer on a sent line inside tx:
// status paid or rejected, the bank's status code and reason. It returns
// false when the line is no longer sent (already answered).
func (tx *Tx) SetPaymentOutcome(ctx context.Context, tenant trygg.TenantID, id, status, bankStatus, reason string) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE payment_lines SET status = ?, bank_status = ?, bank_reason = ? WHERE tenant_id = ? AND id = ? AND status = 'sent'`,
		status, bankStatus, reason, string(tenant), id)
	if err != nil {
		return false, fmt.Errorf("store: payment outcome: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// StatusReport is a bank's status report (pain.002) read for a run.
type StatusReport struct {
	ID        string    `json:"id"`
	RunID     string    `json:"run_id"`
	MessageID string    `json:"message_id"`
	ReadBy    string    `json:"read_by"`
	ReadAt    time.Time `json:"read_at"`
	Accepted  int       `json:"accepted"`
	Rejected  int       `json:"rejected"`
	File      []byte    `json:"-"`
}

// InsertStatusReport stores a report read for a run inside tx. It
// returns false, and writes nothing, when the run already has a report
// with the same message id.
func (tx *Tx) InsertStatusReport(ctx context.Context, tenant trygg.TenantID, r StatusReport) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO payment_status_reports (tenant_id, id, run_id, message_id, read_by, read_at, accepted, rejected, file)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, run_id, message_id) DO NOTHING`,
		string(tenant), r.ID, r.RunID, r.MessageID, r.ReadBy, micros(tx.Now), r.Accepted, r.Rejected, r.File)
	if err != nil {
		return false, fmt.Errorf("store: insert status report: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// UpdateStatusReportCounts sets how many payments a stored report
// accepted and rejected, inside tx.
func (tx *Tx) UpdateStatusReportCounts(ctx context.Context, tenant trygg.TenantID, id string, accepted, rejected int) error {
	_, err := tx.exec(ctx, `UPDATE payment_status_reports SET accepted = ?, rejected = ? WHERE tenant_id = ? AND id = ?`,
		accepted, rejected, string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: status report counts: %w", err)
	}
	return nil
}
