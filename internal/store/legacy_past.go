package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/trygg"
)

// The inserts below bring in records made elsewhere (a legacy import),
// each with its own times and authors rather than the transaction's
// moment, several to a statement.

// insertPast inserts rows of cols columns into table, up to
// maxRowsPerInsert a statement.
func (tx *Tx) insertPast(ctx context.Context, table, cols string, n int, row func(i int) []any) error {
	width := strings.Count(cols, ",") + 1
	for start := 0; start < n; start += maxRowsPerInsert {
		end := min(start+maxRowsPerInsert, n)
		args := make([]any, 0, (end-start)*width)
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		if _, err := tx.exec(ctx, `INSERT INTO `+table+` (`+cols+`) VALUES `+valueRows(end-start, width), args...); err != nil {
			return fmt.Errorf("store: insert past %s: %w", table, err)
		}
	}
	return nil
}

// InsertPastRelations adds relations between persons inside tx.
func (tx *Tx) InsertPastRelations(ctx context.Context, tenant trygg.TenantID, rs []persons.Relation) error {
	return tx.insertPast(ctx, "person_relations", "tenant_id, id, from_person_id, to_person_id, kind, valid_from, valid_to, created_at", len(rs),
		func(i int) []any {
			r := rs[i]
			return []any{string(tenant), r.ID, r.FromPersonID, r.ToPersonID, string(r.Kind), r.ValidFrom, r.ValidTo, micros(tx.Now)}
		})
}

// InsertPastFormEntries adds signed form entries inside tx, each updated
// and signed at its SignedAt by its SignedBy.
func (tx *Tx) InsertPastFormEntries(ctx context.Context, tenant trygg.TenantID, es []FormEntry) error {
	for _, e := range es {
		if e.SignedAt.IsZero() || e.SignedBy == "" {
			return fmt.Errorf("store: insert past form entries: entry %s is not signed", e.ID)
		}
	}
	return tx.insertPast(ctx, "form_entries", "tenant_id, id, case_id, form_id, definition_version, status, form_values, updated_by, updated_at, signed_by, signed_at, supersedes",
		len(es), func(i int) []any {
			e := es[i]
			return []any{string(tenant), e.ID, e.CaseID, e.FormID, e.DefinitionVersion, "signed", e.Values, e.SignedBy, micros(e.SignedAt),
				e.SignedBy, micros(e.SignedAt), e.Supersedes}
		})
}

// InsertPastDecisions adds final decisions inside tx, each created and
// decided at its DecidedAt.
func (tx *Tx) InsertPastDecisions(ctx context.Context, tenant trygg.TenantID, ds []Decision) error {
	for _, d := range ds {
		if d.DecidedAt.IsZero() {
			return fmt.Errorf("store: insert past decisions: decision %s has no moment", d.ID)
		}
	}
	return tx.insertPast(ctx, "decisions", "tenant_id, id, case_id, insats, outcome, legal_basis, valid_from, valid_to, amount, justification, appeal_notice, calculation, status, drafted_by, decided_by, decided_at, appeal_by, created_at, provider_id",
		len(ds), func(i int) []any {
			d := ds[i]
			return []any{string(tenant), d.ID, d.CaseID, d.Insats, d.Outcome, d.LegalBasis, d.ValidFrom, d.ValidTo, d.Amount, d.Justification,
				d.AppealNotice, d.Calculation, "final", d.DraftedBy, d.DecidedBy, micros(d.DecidedAt), d.AppealBy, micros(d.DecidedAt), d.ProviderID}
		})
}

// InsertPastOrders adds orders inside tx, each created and last changed
// at its own CreatedAt and UpdatedAt.
func (tx *Tx) InsertPastOrders(ctx context.Context, tenant trygg.TenantID, os []Order) error {
	contents := make([]string, len(os))
	for i, o := range os {
		b, err := json.Marshal(o.Content)
		if err != nil {
			return err
		}
		contents[i] = string(b)
	}
	return tx.insertPast(ctx, "orders", "tenant_id, "+orderCols, len(os), func(i int) []any {
		o := os[i]
		return []any{string(tenant), o.ID, o.CaseID, o.DecisionID, o.PersonID, o.ProviderID, o.UnitID, o.Insats, o.Amount, o.AmountUnit,
			o.ValidFrom, o.ValidTo, o.Status, o.StartDate, o.ReturnReason, o.EndedOn, o.EndReason, boolInt(o.Protected), contents[i],
			max(o.Revision, 1), micros(o.CreatedAt), micros(o.UpdatedAt)}
	})
}

// InsertPastPerformed adds performed entries of provider inside tx, each
// reported at its own ReportedAt.
func (tx *Tx) InsertPastPerformed(ctx context.Context, tenant trygg.TenantID, ps []Performed, providers []string) error {
	return tx.insertPast(ctx, "performed", "tenant_id, id, order_id, provider_id, on_date, start_time, end_time, minutes, activities, deviation, note, corrects, batch_key, reported_by, reported_at",
		len(ps), func(i int) []any {
			p := ps[i]
			acts := "[]"
			if len(p.Activities) > 0 {
				b, _ := json.Marshal(p.Activities)
				acts = string(b)
			}
			return []any{string(tenant), p.ID, p.OrderID, providers[i], p.On, p.Start, p.End, p.Minutes, acts, p.Deviation, p.Note, p.Corrects,
				p.BatchKey, p.ReportedBy, micros(p.ReportedAt)}
		})
}

// InsertPastPaymentLines adds payment lines inside tx with their own
// status and times (a line paid elsewhere: prepared and attested at its
// PreparedAt and AttestedAt). Unlike InsertPaymentLines a line the
// decision already has for its item and period is a conflict: the caller
// has checked.
func (tx *Tx) InsertPastPaymentLines(ctx context.Context, tenant trygg.TenantID, ls []PaymentLine) error {
	err := tx.insertPast(ctx, "payment_lines", "tenant_id, id, case_id, decision_id, person_id, unit_id, case_type, item, item_name, schedule, period, payee_category, payee_id, amount, due_date, account, cost_centre, status, reverses, replaces, prepared_by, prepared_at, decided_by, attested_by, attested_at, run_id, bank_status, bank_reason",
		len(ls), func(i int) []any {
			l := ls[i]
			return []any{string(tenant), l.ID, l.CaseID, l.DecisionID, l.PersonID, l.UnitID, l.CaseType, l.Item, l.ItemName, l.Schedule, l.Period,
				l.PayeeCategory, l.PayeeID, l.Amount, l.DueDate, l.Account, l.CostCentre, l.Status, l.Reverses, l.Replaces, l.PreparedBy,
				micros(l.PreparedAt), l.DecidedBy, l.AttestedBy, micros(l.AttestedAt), l.RunID, l.BankStatus, l.BankReason}
		})
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "The decision already has a payment for this item and period.")
	}
	return err
}

// InsertPastAttachment stores a document of a case with its content
// inside tx, uploaded at its own UploadedAt.
func (tx *Tx) InsertPastAttachment(ctx context.Context, tenant trygg.TenantID, a Attachment) error {
	_, err := tx.exec(ctx, `INSERT INTO attachments (tenant_id, `+attachmentCols+`, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), a.ID, a.PersonID, a.DraftID, a.CaseID, a.Name, a.ContentType, a.Size, a.SHA256, a.UploadedBy, micros(a.UploadedAt), a.Content)
	if err != nil {
		return fmt.Errorf("store: insert past attachment: %w", err)
	}
	return nil
}

// PastExecution is an execution entry of a decision in a case, for
// InsertPastExecutions.
type PastExecution struct {
	CaseID string
	Execution
}

// InsertPastExecutions records execution entries inside tx as
// InsertExecution does, each recorded at tx.Now, several to a statement.
func (tx *Tx) InsertPastExecutions(ctx context.Context, tenant trygg.TenantID, es []PastExecution) error {
	return tx.insertPast(ctx, "decision_execution", "tenant_id, id, decision_id, case_id, kind, on_date, amount, reason, offers, interim_help, recorded_by, recorded_at",
		len(es), func(i int) []any {
			e := es[i]
			return []any{string(tenant), e.ID, e.DecisionID, e.CaseID, e.Kind, e.On, e.Amount, e.Reason, e.Offers, e.InterimHelp, e.RecordedBy, micros(tx.Now)}
		})
}

// SetDecisionsProvider names the provider of each decision (by id) inside
// tx, a statement per provider and chunk of decisions, as
// SetDecisionProvider does one at a time; an unknown decision is left
// alone.
func (tx *Tx) SetDecisionsProvider(ctx context.Context, tenant trygg.TenantID, providerOf map[string]string) error {
	byProvider := map[string][]string{}
	for d, p := range providerOf {
		byProvider[p] = append(byProvider[p], d)
	}
	for p, ds := range byProvider {
		err := inChunks(ds, func(chunk []string, in string) error {
			_, err := tx.exec(ctx, `UPDATE decisions SET provider_id = ? WHERE tenant_id = ? AND id IN `+in,
				append([]any{p, string(tenant)}, toAny(chunk)...)...)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: decisions' provider: %w", err)
		}
	}
	return nil
}
