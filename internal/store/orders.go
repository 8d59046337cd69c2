package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Order statuses.
const (
	OrderSent     = "sent"
	OrderAccepted = "accepted"
	OrderReturned = "returned"
	OrderEnded    = "ended"
)

// Order is an order to a provider (uppdrag): a granted decision sent to
// the provider chosen for it. Content is all the provider learns of the
// person and the investigation.
type Order struct {
	ID           string       `json:"id"`
	CaseID       string       `json:"case_id"`
	DecisionID   string       `json:"decision_id"`
	PersonID     string       `json:"-"`
	ProviderID   string       `json:"provider_id"`
	UnitID       string       `json:"unit_id"`
	Insats       string       `json:"insats"`
	Amount       int64        `json:"amount"`
	AmountUnit   string       `json:"amount_unit"`
	ValidFrom    string       `json:"valid_from,omitempty"`
	ValidTo      string       `json:"valid_to,omitempty"`
	Status       string       `json:"status"`
	StartDate    string       `json:"start_date,omitempty"`
	ReturnReason string       `json:"return_reason,omitempty"`
	EndedOn      string       `json:"ended_on,omitempty"`
	EndReason    string       `json:"end_reason,omitempty"`
	Protected    bool         `json:"-"`
	Content      OrderContent `json:"content"`
	Revision     int          `json:"revision"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// Active reports whether the order is waiting for or being carried out by
// its provider.
func (o Order) Active() bool { return o.Status == OrderSent || o.Status == OrderAccepted }

// OrderContent is what an order carries: who the person is and where, the
// insats by name, and the needs (code and qualifier, not the
// investigation's text) and goals.
type OrderContent struct {
	Person      OrderPerson `json:"person"`
	InsatsLabel string      `json:"insats_label"`
	Needs       []OrderNeed `json:"needs"`
	Goals       []OrderGoal `json:"goals"`
}

// OrderPerson is the person as the provider needs to know them.
type OrderPerson struct {
	Name           string `json:"name"`
	IdentityNumber string `json:"identity_number"`
	Address        string `json:"address"`
}

// OrderNeed is an assessed need: a code and its qualifier (0–4, 8, 9).
type OrderNeed struct {
	Code      string `json:"code"`
	Label     string `json:"label"`
	Qualifier int    `json:"qualifier"`
}

// OrderGoal is a goal for a need.
type OrderGoal struct {
	Need       string `json:"need"`
	NeedLabel  string `json:"need_label"`
	Goal       string `json:"goal"`
	FollowUpBy string `json:"follow_up_by,omitempty"`
}

const orderCols = `id, case_id, decision_id, person_id, provider_id, unit_id, insats, amount, amount_unit, valid_from, valid_to,
	status, start_date, return_reason, ended_on, end_reason, protected, content, revision, created_at, updated_at`

// protectedNow is whether an order's person has a protected identity now,
// read from the person (alias is the orders table's name in the query):
// a protection that comes after the order was sent counts at once.
func protectedNow(alias string) string {
	return `COALESCE((SELECT CASE WHEN p.protection <> 0 THEN 1 ELSE 0 END FROM persons p WHERE p.tenant_id = ` + alias +
		`.tenant_id AND p.id = ` + alias + `.person_id), 1)`
}

// orderSelect is orderCols for reading, with the protection as it is now.
var orderSelect = strings.Replace(orderCols, "protected, content", protectedNow("orders")+", content", 1)

func scanOrder(s interface{ Scan(...any) error }) (Order, error) {
	var o Order
	var content string
	var prot int
	var created, updated int64
	if err := s.Scan(&o.ID, &o.CaseID, &o.DecisionID, &o.PersonID, &o.ProviderID, &o.UnitID, &o.Insats, &o.Amount, &o.AmountUnit,
		&o.ValidFrom, &o.ValidTo, &o.Status, &o.StartDate, &o.ReturnReason, &o.EndedOn, &o.EndReason, &prot, &content, &o.Revision,
		&created, &updated); err != nil {
		return o, err
	}
	o.Protected, o.CreatedAt, o.UpdatedAt = prot == 1, fromMicros(created), fromMicros(updated)
	return o, json.Unmarshal([]byte(content), &o.Content)
}

// InsertOrder adds an order inside tx.
func (tx *Tx) InsertOrder(ctx context.Context, tenant trygg.TenantID, o Order) error {
	content, err := json.Marshal(o.Content)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO orders (tenant_id, `+orderCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), o.ID, o.CaseID, o.DecisionID, o.PersonID, o.ProviderID, o.UnitID, o.Insats, o.Amount, o.AmountUnit,
		o.ValidFrom, o.ValidTo, o.Status, o.StartDate, o.ReturnReason, o.EndedOn, o.EndReason, boolInt(o.Protected), string(content),
		o.Revision, micros(tx.Now), micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert order: %w", err)
	}
	return nil
}

// UpdateOrder stores the order's new state inside tx if its revision is
// still the one read (o.Revision); the stored revision becomes one more.
// A concurrent change is a conflict.
func (tx *Tx) UpdateOrder(ctx context.Context, tenant trygg.TenantID, o Order) error {
	content, err := json.Marshal(o.Content)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE orders SET decision_id = ?, amount = ?, valid_from = ?, valid_to = ?, status = ?, start_date = ?,
		return_reason = ?, ended_on = ?, end_reason = ?, content = ?, revision = revision + 1, updated_at = ?
		WHERE tenant_id = ? AND id = ? AND revision = ?`,
		o.DecisionID, o.Amount, o.ValidFrom, o.ValidTo, o.Status, o.StartDate, o.ReturnReason, o.EndedOn, o.EndReason, string(content),
		micros(tx.Now), string(tenant), o.ID, o.Revision)
	if err != nil {
		return fmt.Errorf("store: update order: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return trygg.Errorf(trygg.EConflict, "The order was changed by someone else meanwhile. Reload it and try again.")
	}
	return nil
}

// Order returns the order with id, or not found.
func (db *DB) Order(ctx context.Context, tenant trygg.TenantID, id string) (Order, error) {
	o, err := scanOrder(db.queryRow(ctx, `SELECT `+orderSelect+` FROM orders WHERE tenant_id = ? AND id = ?`, string(tenant), id))
	return o, notFound(err, "Order")
}

// Order returns the order with id inside tx, or not found.
func (tx *Tx) Order(ctx context.Context, tenant trygg.TenantID, id string) (Order, error) {
	o, err := scanOrder(tx.queryRow(ctx, `SELECT `+orderSelect+` FROM orders WHERE tenant_id = ? AND id = ?`, string(tenant), id))
	return o, notFound(err, "Order")
}

// OrdersByIDs returns the orders with ids, in no particular order; an id
// with no order is left out, not an error.
func (db *DB) OrdersByIDs(ctx context.Context, tenant trygg.TenantID, ids []string) ([]Order, error) {
	if len(ids) == 0 {
		return []Order{}, nil
	}
	in, vals := inList("id", ids)
	orders, err := scanRows(scanOrder)(db.query(ctx, `SELECT `+orderSelect+` FROM orders WHERE tenant_id = ? AND `+in,
		append([]any{string(tenant)}, vals...)...))
	if err != nil {
		return nil, fmt.Errorf("store: orders by ids: %w", err)
	}
	return orders, nil
}

// OrderCases returns the cases of the orders by case id, unchecked by
// access (the caller decides); a case not found is left out.
func (db *DB) OrderCases(ctx context.Context, tenant trygg.TenantID, orders []Order) (map[string]Case, error) {
	out := map[string]Case{}
	var ids []string
	seen := map[string]bool{}
	for _, o := range orders {
		if !seen[o.CaseID] {
			seen[o.CaseID] = true
			ids = append(ids, o.CaseID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	in, vals := inList("c.id", ids)
	cases, err := scanRows(scanCase)(db.query(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.tenant_id = ? AND `+in,
		append([]any{string(tenant)}, vals...)...))
	if err != nil {
		return nil, fmt.Errorf("store: order cases: %w", err)
	}
	for _, c := range cases {
		out[c.ID] = c
	}
	return out, nil
}

// CaseOrders returns the case's orders, oldest first.
func (db *DB) CaseOrders(ctx context.Context, tenant trygg.TenantID, caseID string) ([]Order, error) {
	return scanRows(scanOrder)(db.query(ctx, `SELECT `+orderSelect+` FROM orders WHERE tenant_id = ? AND case_id = ?
		ORDER BY created_at, id`, string(tenant), caseID))
}

// CaseOrders returns the case's orders inside tx, oldest first.
func (tx *Tx) CaseOrders(ctx context.Context, tenant trygg.TenantID, caseID string) ([]Order, error) {
	return scanRows(scanOrder)(tx.query(ctx, `SELECT `+orderSelect+` FROM orders WHERE tenant_id = ? AND case_id = ?
		ORDER BY created_at, id`, string(tenant), caseID))
}

// ProviderOrders returns a provider's orders with one of statuses (all
// when none), newest first, at most limit; orders about persons with
// protected identity only when seeProtected.
func (db *DB) ProviderOrders(ctx context.Context, tenant trygg.TenantID, providerID string, statuses []string, seeProtected bool, limit int) ([]Order, error) {
	return db.ProviderOrdersAfter(ctx, tenant, providerID, statuses, seeProtected, OrderKey{}, limit)
}

// OrderKey is an order's place in a provider's list of orders, newest
// first: its creation (microseconds) and id. The zero key is the list's
// start.
type OrderKey struct {
	CreatedAt int64
	ID        string
}

// Key returns the order's place in its provider's list.
func (o Order) Key() OrderKey { return OrderKey{CreatedAt: micros(o.CreatedAt), ID: o.ID} }

// orderStatuses are every status an order can have.
var orderStatuses = []string{OrderSent, OrderAccepted, OrderReturned, OrderEnded}

// ProviderOrdersAfter returns a page of a provider's list of orders with
// one of statuses (all when none), newest first: at most limit (1–1000)
// coming after the key (from the start for the zero key); orders about
// persons with protected identity only when seeProtected. Each status's
// orders are read from the orders_provider index in the list's order, at
// most limit of them, so a page costs its own rows however many orders
// the provider has.
func (db *DB) ProviderOrdersAfter(ctx context.Context, tenant trygg.TenantID, providerID string, statuses []string, seeProtected bool, after OrderKey, limit int) ([]Order, error) {
	q, args := providerOrdersQuery(tenant, providerID, statuses, seeProtected, after, limit)
	orders, err := scanRows(scanOrder)(db.query(ctx, q, args...))
	if err != nil {
		return nil, fmt.Errorf("store: provider orders: %w", err)
	}
	return orders, nil
}

// providerOrdersQuery is ProviderOrdersAfter's statement: a status's page
// from the index, or the pages of several statuses merged.
func providerOrdersQuery(tenant trygg.TenantID, providerID string, statuses []string, seeProtected bool, after OrderKey, limit int) (string, []any) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if len(statuses) == 0 {
		statuses = orderStatuses
	}
	var parts []string
	var args []any
	for i, st := range statuses {
		q := `SELECT ` + orderSelect + ` FROM orders WHERE tenant_id = ? AND provider_id = ? AND status = ?`
		args = append(args, string(tenant), providerID, st)
		if after.ID != "" {
			q += ` AND (created_at, id) < (?, ?)`
			args = append(args, after.CreatedAt, after.ID)
		}
		if !seeProtected {
			q += " AND " + protectedNow("orders") + " = 0"
		}
		q += ` ORDER BY created_at DESC, id DESC` + limitSQL(limit)
		if len(statuses) == 1 {
			return q, args
		}
		parts = append(parts, `SELECT * FROM (`+q+`) AS s`+strconv.Itoa(i))
	}
	return strings.Join(parts, " UNION ALL ") + ` ORDER BY created_at DESC, id DESC` + limitSQL(limit), args
}

// ProviderOrdersRunning returns a provider's accepted orders running on
// day (started by the day, within the decision's period), in no
// particular order; orders about persons with protected identity only
// when seeProtected.
func (db *DB) ProviderOrdersRunning(ctx context.Context, tenant trygg.TenantID, providerID, day string, seeProtected bool) ([]Order, error) {
	q := `SELECT ` + orderSelect + ` FROM orders WHERE tenant_id = ? AND provider_id = ? AND status = ?
		AND start_date <> '' AND start_date <= ? AND (valid_to = '' OR valid_to >= ?)`
	if !seeProtected {
		q += " AND " + protectedNow("orders") + " = 0"
	}
	orders, err := scanRows(scanOrder)(db.query(ctx, q, string(tenant), providerID, OrderAccepted, day, day))
	if err != nil {
		return nil, fmt.Errorf("store: orders running: %w", err)
	}
	return orders, nil
}

// FeedItem is one event of the orders feed.
type FeedItem struct {
	Cursor  int64           `json:"cursor"`
	Type    string          `json:"type"`
	At      time.Time       `json:"at"`
	OrderID string          `json:"order_id"`
	Order   json.RawMessage `json:"order"`
	// PersonID and Protected are for access logging and filtering.
	PersonID  string `json:"-"`
	Protected bool   `json:"-"`
}

// OrderFeed returns the events that changed a provider's orders (sent,
// changed, accepted, returned, ended; each carrying the order as it was
// then) after the cursor (an event sequence number), oldest first, at
// most limit.
func (db *DB) OrderFeed(ctx context.Context, tenant trygg.TenantID, providerID string, after int64, limit int) ([]FeedItem, error) {
	return scanRows(func(s interface{ Scan(...any) error }) (FeedItem, error) {
		var f FeedItem
		var at int64
		var payload string
		var prot int
		var content, returnReason string
		if err := s.Scan(&f.Cursor, &f.Type, &at, &f.OrderID, &payload, &f.PersonID, &prot, &content, &returnReason); err != nil {
			return f, err
		}
		f.At, f.Protected = fromMicros(at), prot == 1
		// The event holds the order's state then without what it carries
		// about the person; that is the order's own (it never changes).
		var o map[string]json.RawMessage
		if err := json.Unmarshal([]byte(payload), &o); err != nil {
			return f, err
		}
		o["content"] = json.RawMessage(content)
		if f.Type == "order.returned" {
			reason, _ := json.Marshal(returnReason)
			o["return_reason"] = reason
		}
		var err error
		f.Order, err = json.Marshal(o)
		return f, err
	})(db.query(ctx, `SELECT e.seq, e.type, e.at, e.subject_id, e.payload, o.person_id, `+protectedNow("o")+`, o.content, o.return_reason FROM events e
		JOIN orders o ON o.tenant_id = e.tenant_id AND o.id = e.subject_id
		WHERE e.tenant_id = ? AND e.subject_type = 'order' AND o.provider_id = ? AND e.seq > ?
		AND e.type IN ('order.sent', 'order.changed', 'order.accepted', 'order.returned', 'order.ended')
		ORDER BY e.seq`+limitSQL(limit), string(tenant), providerID, after))
}

// SetDecisionProvider records the provider chosen for a final decision
// inside tx.
func (tx *Tx) SetDecisionProvider(ctx context.Context, tenant trygg.TenantID, decisionID, providerID string) error {
	_, err := tx.exec(ctx, `UPDATE decisions SET provider_id = ? WHERE tenant_id = ? AND id = ?`, providerID, string(tenant), decisionID)
	if err != nil {
		return fmt.Errorf("store: decision provider: %w", err)
	}
	return nil
}

// Plan is a version of an order's implementation plan (genomförandeplan).
type Plan struct {
	OrderID   string      `json:"order_id"`
	Version   int         `json:"version"`
	Content   PlanContent `json:"content"`
	WrittenBy string      `json:"written_by"`
	WrittenAt time.Time   `json:"written_at"`
}

// PlanContent is how each goal will be met, and how the person took part.
type PlanContent struct {
	Items             []PlanItem `json:"items"`
	Participation     string     `json:"participation"` // took_part, partly, declined, unable
	ParticipationNote string     `json:"participation_note,omitempty"`
}

// PlanItem is an activity for a goal: what, when and who.
type PlanItem struct {
	Goal     int    `json:"goal"` // index into the order's goals
	Code     string `json:"code"`
	Activity string `json:"activity"`
	When     string `json:"when"`
	Who      string `json:"who"`
	// Time is the time of day ("08:00") of the visit the activity is done
	// at, if it is done at a planned visit; Days the weekdays of those
	// visits, 1 (Monday) to 7 (Sunday), none for every day.
	Time string `json:"time,omitempty"`
	Days []int  `json:"days,omitempty"`
}

// InsertPlan adds the next version of an order's plan inside tx; two
// writers of the same version conflict.
func (tx *Tx) InsertPlan(ctx context.Context, tenant trygg.TenantID, p Plan) error {
	content, err := json.Marshal(p.Content)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO order_plans (tenant_id, order_id, version, content, written_by, written_at) VALUES (?, ?, ?, ?, ?, ?)`,
		string(tenant), p.OrderID, p.Version, string(content), p.WrittenBy, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "Someone saved the plan meanwhile. Reload it and try again.")
	}
	if err != nil {
		return fmt.Errorf("store: insert plan: %w", err)
	}
	return nil
}

func scanPlan(s interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	var content string
	var at int64
	if err := s.Scan(&p.OrderID, &p.Version, &content, &p.WrittenBy, &at); err != nil {
		return p, err
	}
	p.WrittenAt = fromMicros(at)
	return p, json.Unmarshal([]byte(content), &p.Content)
}

// Plans returns every version of an order's plan, newest first.
func (db *DB) Plans(ctx context.Context, tenant trygg.TenantID, orderID string) ([]Plan, error) {
	return scanRows(scanPlan)(db.query(ctx, `SELECT order_id, version, content, written_by, written_at FROM order_plans
		WHERE tenant_id = ? AND order_id = ? ORDER BY version DESC`, string(tenant), orderID))
}

// LatestPlans returns the newest plan of each of the orders that has
// one, by order id.
func (db *DB) LatestPlans(ctx context.Context, tenant trygg.TenantID, orderIDs []string) (map[string]Plan, error) {
	in, args := inList("p.order_id", orderIDs)
	plans, err := scanRows(scanPlan)(db.query(ctx, `SELECT p.order_id, p.version, p.content, p.written_by, p.written_at FROM order_plans p
		WHERE p.tenant_id = ? AND `+in+` AND p.version = (SELECT MAX(q.version) FROM order_plans q
		WHERE q.tenant_id = p.tenant_id AND q.order_id = p.order_id)`, append([]any{string(tenant)}, args...)...))
	if err != nil {
		return nil, fmt.Errorf("store: latest plans: %w", err)
	}
	out := make(map[string]Plan, len(plans))
	for _, p := range plans {
		out[p.OrderID] = p
	}
	return out, nil
}

// LatestPlanVersion returns the newest plan version of the order inside tx
// (0 when there is none).
func (tx *Tx) LatestPlanVersion(ctx context.Context, tenant trygg.TenantID, orderID string) (int, error) {
	var v int
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM order_plans WHERE tenant_id = ? AND order_id = ?`,
		string(tenant), orderID).Scan(&v)
	return v, err
}

// Performed is a report of an insats performed (or not: a deviation) on a
// day. Corrects names the entry it replaces.
type Performed struct {
	ID         string    `json:"id"`
	OrderID    string    `json:"order_id"`
	On         string    `json:"on"`
	Start      string    `json:"start,omitempty"`
	End        string    `json:"end,omitempty"`
	Minutes    int       `json:"minutes"`
	Activities []string  `json:"activities"`
	Deviation  string    `json:"deviation,omitempty"`
	Note       string    `json:"note,omitempty"`
	Corrects   string    `json:"corrects,omitempty"`
	BatchKey   string    `json:"-"`
	ReportedBy string    `json:"reported_by"`
	ReportedAt time.Time `json:"reported_at"`
	// CorrectedBy is the entry that replaces this one, if any.
	CorrectedBy string `json:"corrected_by,omitempty"`
}

// InsertPerformed adds performed entries inside tx, with multi-row
// INSERTs. A second correction of the same entry is a conflict.
func (tx *Tx) InsertPerformed(ctx context.Context, tenant trygg.TenantID, providerID string, ps []Performed) error {
	const cols = 15
	for start := 0; start < len(ps); start += maxRowsPerInsert {
		chunk := ps[start:min(start+maxRowsPerInsert, len(ps))]
		args := make([]any, 0, len(chunk)*cols)
		for _, p := range chunk {
			acts, _ := json.Marshal(p.Activities)
			args = append(args, string(tenant), p.ID, p.OrderID, providerID, p.On, p.Start, p.End, p.Minutes, string(acts), p.Deviation,
				p.Note, p.Corrects, p.BatchKey, p.ReportedBy, micros(tx.Now))
		}
		_, err := tx.exec(ctx, `INSERT INTO performed (tenant_id, id, order_id, provider_id, on_date, start_time, end_time, minutes,
			activities, deviation, note, corrects, batch_key, reported_by, reported_at) VALUES `+valueRows(len(chunk), cols), args...)
		if tx.db.dialect.isUniqueViolation(err) {
			return trygg.Errorf(trygg.EConflict, "The entry has already been corrected; correct the newest entry instead.")
		}
		if err != nil {
			return fmt.Errorf("store: insert performed: %w", err)
		}
	}
	return nil
}

// maxRowsPerInsert bounds a multi-row INSERT so that its placeholders
// (rows × columns) stay far below SQLite's 32,766 and PostgreSQL's 65,535.
const maxRowsPerInsert = 500

// valueRows returns the VALUES list of a multi-row INSERT: rows groups of
// cols placeholders.
func valueRows(rows, cols int) string {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	var b strings.Builder
	b.Grow(rows * (len(row) + 2))
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

const performedCols = `p.id, p.order_id, p.on_date, p.start_time, p.end_time, p.minutes, p.activities, p.deviation, p.note, p.corrects,
	p.reported_by, p.reported_at, COALESCE((SELECT c.id FROM performed c WHERE c.tenant_id = p.tenant_id AND c.corrects = p.id AND c.corrects <> ''), '')`

func scanPerformed(s interface{ Scan(...any) error }) (Performed, error) {
	var p Performed
	var acts string
	var at int64
	if err := s.Scan(&p.ID, &p.OrderID, &p.On, &p.Start, &p.End, &p.Minutes, &acts, &p.Deviation, &p.Note, &p.Corrects,
		&p.ReportedBy, &at, &p.CorrectedBy); err != nil {
		return p, err
	}
	p.ReportedAt = fromMicros(at)
	return p, json.Unmarshal([]byte(acts), &p.Activities)
}

// PerformedBetween returns the order's entries dated from..to (inclusive),
// corrected ones included and marked, by date and time.
func (db *DB) PerformedBetween(ctx context.Context, tenant trygg.TenantID, orderID, from, to string) ([]Performed, error) {
	return scanRows(scanPerformed)(db.query(ctx, `SELECT `+performedCols+` FROM performed p
		WHERE p.tenant_id = ? AND p.order_id = ? AND p.on_date >= ? AND p.on_date <= ? ORDER BY p.on_date, p.start_time, p.reported_at, p.id`,
		string(tenant), orderID, from, to))
}

// PerformedOn returns the entries of the orders dated on any of the days
// inside tx, corrected ones included and marked, by order, date and time.
// An order's entries on a day not asked for it may be among them (the
// orders and days are matched each with each).
func (tx *Tx) PerformedOn(ctx context.Context, tenant trygg.TenantID, orderIDs, days []string) ([]Performed, error) {
	if len(orderIDs) == 0 || len(days) == 0 {
		return []Performed{}, nil
	}
	inOrders, orderVals := inList("p.order_id", orderIDs)
	inDays, dayVals := inList("p.on_date", days)
	args := append(append([]any{string(tenant)}, orderVals...), dayVals...)
	return scanRows(scanPerformed)(tx.query(ctx, `SELECT `+performedCols+` FROM performed p
		WHERE p.tenant_id = ? AND `+inOrders+` AND `+inDays+` ORDER BY p.order_id, p.on_date, p.start_time, p.id`, args...))
}

// PerformedByIDs returns the entries with ids inside tx.
func (tx *Tx) PerformedByIDs(ctx context.Context, tenant trygg.TenantID, ids []string) ([]Performed, error) {
	in, vals := inList("p.id", ids)
	return scanRows(scanPerformed)(tx.query(ctx, `SELECT `+performedCols+` FROM performed p WHERE p.tenant_id = ? AND `+in,
		append([]any{string(tenant)}, vals...)...))
}

// DecisionsExecuted returns which of the decisions have an execution
// entry of any kind, inside tx.
func (tx *Tx) DecisionsExecuted(ctx context.Context, tenant trygg.TenantID, decisionIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(decisionIDs) == 0 {
		return out, nil
	}
	in, vals := inList("decision_id", decisionIDs)
	ids, err := scanRows(func(s interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, s.Scan(&id)
	})(tx.query(ctx, `SELECT DISTINCT decision_id FROM decision_execution WHERE tenant_id = ? AND `+in, append([]any{string(tenant)}, vals...)...))
	if err != nil {
		return nil, fmt.Errorf("store: decisions executed: %w", err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// CountDeviations counts the order's deviations in force dated from..to
// inside tx.
func (tx *Tx) CountDeviations(ctx context.Context, tenant trygg.TenantID, orderID, from, to string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM performed p WHERE p.tenant_id = ? AND p.order_id = ? AND p.on_date >= ? AND p.on_date <= ?
		AND p.deviation <> '' AND NOT EXISTS (SELECT 1 FROM performed c WHERE c.tenant_id = p.tenant_id AND c.corrects = p.id AND c.corrects <> '')`,
		string(tenant), orderID, from, to).Scan(&n)
	return n, err
}

// Batch is a stored answer to a batch of performed reports.
type Batch struct {
	BodyHash string
	Result   json.RawMessage
}

// BatchByKey returns the provider's batch with key; found is false when
// there is none.
func (db *DB) BatchByKey(ctx context.Context, tenant trygg.TenantID, providerID, key string) (b Batch, found bool, err error) {
	var result string
	err = db.queryRow(ctx, `SELECT body_hash, result FROM performed_batches WHERE tenant_id = ? AND provider_id = ? AND batch_key = ?`,
		string(tenant), providerID, key).Scan(&b.BodyHash, &result)
	if err == sql.ErrNoRows {
		return b, false, nil
	}
	b.Result = json.RawMessage(result)
	return b, err == nil, err
}

// InsertBatch stores a batch's answer under its key inside tx; a key
// taken meanwhile is a conflict (the retry finds the stored answer).
func (tx *Tx) InsertBatch(ctx context.Context, tenant trygg.TenantID, providerID, key string, b Batch) error {
	_, err := tx.exec(ctx, `INSERT INTO performed_batches (tenant_id, provider_id, batch_key, body_hash, result, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		string(tenant), providerID, key, b.BodyHash, string(b.Result), micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "A batch with this key is being stored right now; send it again to get its answer.")
	}
	if err != nil {
		return fmt.Errorf("store: insert batch: %w", err)
	}
	return nil
}

// FollowUp is the provider's report back on an order's goals.
type FollowUp struct {
	ID        string          `json:"id"`
	OrderID   string          `json:"order_id"`
	Content   FollowUpContent `json:"content"`
	WrittenBy string          `json:"written_by"`
	WrittenAt time.Time       `json:"written_at"`
}

// FollowUpContent is each goal's status and the need's qualifier now.
type FollowUpContent struct {
	Goals []GoalStatus `json:"goals"`
	Note  string       `json:"note,omitempty"`
}

// GoalStatus is a goal's status at a follow-up.
type GoalStatus struct {
	Goal      int    `json:"goal"`
	Status    string `json:"status"` // achieved, partly, not_achieved
	Qualifier int    `json:"qualifier"`
	Comment   string `json:"comment,omitempty"`
}

// InsertFollowUp adds a report back inside tx.
func (tx *Tx) InsertFollowUp(ctx context.Context, tenant trygg.TenantID, f FollowUp) error {
	content, err := json.Marshal(f.Content)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO order_follow_ups (tenant_id, id, order_id, content, written_by, written_at) VALUES (?, ?, ?, ?, ?, ?)`,
		string(tenant), f.ID, f.OrderID, string(content), f.WrittenBy, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert follow-up: %w", err)
	}
	return nil
}

// FollowUps returns an order's reports back, newest first.
func (db *DB) FollowUps(ctx context.Context, tenant trygg.TenantID, orderID string) ([]FollowUp, error) {
	return scanRows(func(s interface{ Scan(...any) error }) (FollowUp, error) {
		var f FollowUp
		var content string
		var at int64
		if err := s.Scan(&f.ID, &f.OrderID, &content, &f.WrittenBy, &at); err != nil {
			return f, err
		}
		f.WrittenAt = fromMicros(at)
		return f, json.Unmarshal([]byte(content), &f.Content)
	})(db.query(ctx, `SELECT id, order_id, content, written_by, written_at FROM order_follow_ups WHERE tenant_id = ? AND order_id = ?
		ORDER BY written_at DESC, id DESC`, string(tenant), orderID))
}

// MonthTotal is an order's performed time and deviations in a month.
type MonthTotal struct {
	Month      string `json:"month"`
	Minutes    int    `json:"minutes"`
	Visits     int    `json:"visits"`
	Deviations int    `json:"deviations"`
}

// PerformedByMonth sums the order's entries in force (not corrected) dated
// from..to by month.
func (db *DB) PerformedByMonth(ctx context.Context, tenant trygg.TenantID, orderID, from, to string) ([]MonthTotal, error) {
	return scanRows(func(s interface{ Scan(...any) error }) (MonthTotal, error) {
		var m MonthTotal
		return m, s.Scan(&m.Month, &m.Minutes, &m.Visits, &m.Deviations)
	})(db.query(ctx, `SELECT SUBSTR(p.on_date, 1, 7) AS month, COALESCE(SUM(p.minutes), 0),
		SUM(CASE WHEN p.deviation = '' THEN 1 ELSE 0 END), SUM(CASE WHEN p.deviation <> '' THEN 1 ELSE 0 END)
		FROM performed p WHERE p.tenant_id = ? AND p.order_id = ? AND p.on_date >= ? AND p.on_date <= ?
		AND NOT EXISTS (SELECT 1 FROM performed c WHERE c.tenant_id = p.tenant_id AND c.corrects = p.id AND c.corrects <> '')
		GROUP BY SUBSTR(p.on_date, 1, 7) ORDER BY month`, string(tenant), orderID, from, to))
}

// PaymentRow is an order's line in a provider's basis for payment.
type PaymentRow struct {
	Order      Order
	Minutes    int
	Visits     int
	Deviations int
}

// PaymentBasis returns, for every order of the provider with entries in
// force dated from..to, the order and its performed time, visits and
// deviations, by order creation. The month's entries drive the join
// (CROSS JOIN keeps SQLite's planner from scanning every order of the
// tenant instead), so its cost follows the provider's orders, not the
// municipality's.
func (db *DB) PaymentBasis(ctx context.Context, tenant trygg.TenantID, providerID, from, to string) ([]PaymentRow, error) {
	cols := strings.Replace(prefixed("o.", orderCols), "o.protected", protectedNow("o"), 1)
	return scanRows(func(s interface{ Scan(...any) error }) (PaymentRow, error) {
		var r PaymentRow
		var content string
		var prot int
		var created, updated int64
		o := &r.Order
		if err := s.Scan(&o.ID, &o.CaseID, &o.DecisionID, &o.PersonID, &o.ProviderID, &o.UnitID, &o.Insats, &o.Amount, &o.AmountUnit,
			&o.ValidFrom, &o.ValidTo, &o.Status, &o.StartDate, &o.ReturnReason, &o.EndedOn, &o.EndReason, &prot, &content, &o.Revision,
			&created, &updated, &r.Minutes, &r.Visits, &r.Deviations); err != nil {
			return r, err
		}
		o.Protected, o.CreatedAt, o.UpdatedAt = prot == 1, fromMicros(created), fromMicros(updated)
		return r, json.Unmarshal([]byte(content), &o.Content)
	})(db.query(ctx, paymentBasisSQL(cols), string(tenant), providerID, from, to, string(tenant)))
}

// paymentBasisSQL is PaymentBasis's query selecting cols of orders o.
func paymentBasisSQL(cols string) string {
	return `SELECT ` + cols + `, t.minutes, t.visits, t.deviations FROM (
		SELECT p.order_id, COALESCE(SUM(p.minutes), 0) AS minutes, SUM(CASE WHEN p.deviation = '' THEN 1 ELSE 0 END) AS visits,
			SUM(CASE WHEN p.deviation <> '' THEN 1 ELSE 0 END) AS deviations
		FROM performed p WHERE p.tenant_id = ? AND p.provider_id = ? AND p.on_date >= ? AND p.on_date <= ?
		AND NOT EXISTS (SELECT 1 FROM performed c WHERE c.tenant_id = p.tenant_id AND c.corrects = p.id AND c.corrects <> '')
		GROUP BY p.order_id) t CROSS JOIN orders o
		WHERE o.tenant_id = ? AND o.id = t.order_id ORDER BY o.created_at, o.id`
}

// TaskExists reports whether the case has a task with the marker (its
// deadline_id), done or not, inside tx.
func (tx *Tx) TaskExists(ctx context.Context, tenant trygg.TenantID, caseID, marker string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM tasks WHERE tenant_id = ? AND case_id = ? AND deadline_id = ?`,
		string(tenant), caseID, marker).Scan(&n)
	return n > 0, err
}
