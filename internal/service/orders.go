package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Orders (uppdrag): a granted decision goes to the provider chosen for it,
// carrying the insats, its extent and period and the needs and goals of
// the investigation, as the case type's orders section says. The provider
// accepts it with a start date (which is the decision's execution) or
// returns it with a reason; writes the implementation plan; reports what
// was done; and reports back on the goals at follow-up. A provider sees
// only its own orders, and of them only what they carry.

// ordersOf returns the orders section of the case's type, or nil.
func ordersOf(comp *process.Compiled, caseType string) *process.Orders {
	if ct, ok := comp.CaseType(caseType); ok {
		return ct.Orders
	}
	return nil
}

// ChooseProviderInput names the provider for a granted decision.
type ChooseProviderInput struct {
	ProviderID string `json:"provider_id"`
}

// ChooseProvider records the provider chosen (by the citizen, under LOV,
// or by the officer) to carry out a final, granted decision. If the
// decision has been ordered before, the order goes to the new provider at
// once: an active order with another provider ends, a returned one is
// sent again.
func (s *Service) ChooseProvider(ctx context.Context, a trygg.Actor, caseID, decisionID string, in ChooseProviderInput) (store.Decision, error) {
	w, ground, err := s.loadWork(ctx, a, caseID, true)
	if err != nil {
		return store.Decision{}, err
	}
	if ordersOf(w.comp, w.c.CaseType) == nil {
		return store.Decision{}, trygg.Errorf(trygg.EConflict, "Cases of this type send no orders to providers.")
	}
	ds, err := s.db.Decisions(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return store.Decision{}, err
	}
	i := slices.IndexFunc(ds, func(d store.Decision) bool { return d.ID == decisionID })
	if i < 0 {
		return store.Decision{}, trygg.Errorf(trygg.ENotFound, "Decision not found.")
	}
	d := ds[i]
	if d.Status != "final" || d.Outcome == process.OutcomeRefused {
		return store.Decision{}, trygg.Errorf(trygg.EConflict, "Only a final decision that grants something is carried out by a provider.")
	}
	p, err := s.providerServing(ctx, a.Tenant, in.ProviderID, d.Insats, w.c.UnitID)
	if err != nil {
		return store.Decision{}, err
	}
	orders, err := s.db.CaseOrders(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return store.Decision{}, err
	}
	var active *store.Order
	ordered := false
	for i := range orders {
		if orders[i].DecisionID == d.ID {
			ordered = true
			if orders[i].Active() {
				active = &orders[i]
			}
		}
	}
	if active != nil && active.ProviderID == p.ID {
		return store.Decision{}, trygg.Errorf(trygg.EConflict, "The order is already with this provider.")
	}
	var next store.Order
	if ordered {
		person, err := s.db.PersonByID(ctx, a.Tenant, w.c.PersonID)
		if err != nil {
			return store.Decision{}, err
		}
		d.ProviderID = p.ID
		next = newOrder(w, person, d)
	}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, w.c.PersonID, w.c.ID, ground, "")}, func(tx *store.Tx) error {
		if err := tx.BumpCase(ctx, a.Tenant, w.c.ID); err != nil {
			return err
		}
		if err := tx.SetDecisionProvider(ctx, a.Tenant, d.ID, p.ID); err != nil {
			return err
		}
		e := events.New(a, events.DecisionProviderChosen, "decision", d.ID, map[string]string{"provider_id": p.ID, "insats": d.Insats})
		e.PersonID, e.CaseID = w.c.PersonID, w.c.ID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		if active != nil {
			if err := endOrder(ctx, tx, a, *active, "The citizen chose another provider."); err != nil {
				return err
			}
		}
		if ordered {
			return sendOrders(ctx, tx, a, []store.Order{next})
		}
		return nil
	})
	if err != nil {
		return store.Decision{}, err
	}
	d.ProviderID = p.ID
	return d, nil
}

// providerServing returns the provider if it provides the insats in the
// area of the unit.
func (s *Service) providerServing(ctx context.Context, tenant trygg.TenantID, providerID, insats, unitID string) (store.Provider, error) {
	if strings.TrimSpace(providerID) == "" {
		return store.Provider{}, trygg.Invalid("Choose a provider.", map[string]string{"provider_id": "Required."})
	}
	p, err := s.db.ProviderByID(ctx, tenant, providerID)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return p, trygg.Invalid("Choose a provider.", map[string]string{"provider_id": "No such provider."})
	}
	if err != nil {
		return p, err
	}
	if !slices.Contains(p.Insatser, insats) {
		return p, trygg.Invalid("The provider does not provide this insats.", map[string]string{"provider_id": "Does not provide this insats."})
	}
	ok, err := s.servesUnit(ctx, tenant, p, unitID)
	if err != nil {
		return p, err
	}
	if !ok {
		return p, trygg.Invalid("The provider does not serve the case's area.", map[string]string{"provider_id": "Does not serve this area."})
	}
	return p, nil
}

// servesUnit reports whether the provider's areas (none: all) hold the unit.
func (s *Service) servesUnit(ctx context.Context, tenant trygg.TenantID, p store.Provider, unitID string) (bool, error) {
	if len(p.Areas) == 0 {
		return true, nil
	}
	u, err := s.db.Unit(ctx, tenant, unitID)
	if err != nil {
		return false, err
	}
	for _, id := range p.Areas {
		area, err := s.db.Unit(ctx, tenant, id)
		if err != nil {
			return false, err
		}
		if org.Contains(area.Path, u.Path) {
			return true, nil
		}
	}
	return false, nil
}

// ProvidersFor lists the providers that provide the insats in the area of
// the case's unit, for choosing one.
func (s *Service) ProvidersFor(ctx context.Context, a trygg.Actor, caseID, insats string) ([]store.Provider, error) {
	c, _, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	all, err := s.db.Providers(ctx, a.Tenant)
	if err != nil {
		return nil, err
	}
	var out []store.Provider
	for _, p := range all {
		if !slices.Contains(p.Insatser, insats) {
			continue
		}
		ok, err := s.servesUnit(ctx, a.Tenant, p, c.UnitID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// newOrder builds the order for the final decision d (its provider chosen)
// from the case's signed forms, as the case type's orders section says.
func newOrder(w *caseWork, p persons.Person, d store.Decision) store.Order {
	def := ordersOf(w.comp, w.c.CaseType)
	amountUnit := process.UnitCount
	if ct, ok := w.comp.CaseType(w.c.CaseType); ok && ct.Decisions != nil && ct.Decisions.AmountUnit.Value != "" {
		amountUnit = ct.Decisions.AmountUnit.Value
	}
	o := store.Order{ID: newID(), CaseID: w.c.ID, DecisionID: d.ID, PersonID: w.c.PersonID, ProviderID: d.ProviderID,
		UnitID: w.c.UnitID, Insats: d.Insats, Amount: d.Amount, AmountUnit: amountUnit, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
		Status: store.OrderSent, Protected: p.Protection != persons.ProtectionNone, Revision: 1}
	addr := strings.TrimSpace(strings.TrimSpace(p.Address.Street+", "+p.Address.PostalCode) + " " + p.Address.City)
	o.Content = store.OrderContent{
		Person:      store.OrderPerson{Name: p.GivenName + " " + p.FamilyName, IdentityNumber: p.Identity.Value, Address: strings.Trim(addr, ", ")},
		InsatsLabel: w.comp.InsatsLabel(w.c.CaseType, d.Insats, "sv"),
		Needs:       []store.OrderNeed{},
		Goals:       []store.OrderGoal{},
	}
	if def == nil {
		return o
	}
	form := w.ctx.Forms[def.Form.Value]
	needsCS := w.comp.FieldCodeSystem(def.Form.Value, def.Needs.Value)
	for _, r := range rowsOf(form[def.Needs.Value]) {
		code, _ := r["code"].(string)
		q, _ := r["qualifier"].(float64)
		o.Content.Needs = append(o.Content.Needs, store.OrderNeed{Code: code, Label: w.comp.CodeLabel(needsCS, code, "sv"), Qualifier: int(q)})
	}
	for _, r := range rowsOf(form[def.Goals.Value]) {
		need, _ := r[def.GoalNeed.Value].(string)
		goal, _ := r[def.GoalText.Value].(string)
		by, _ := r[def.GoalFollowUp.Value].(string)
		o.Content.Goals = append(o.Content.Goals, store.OrderGoal{Need: need, NeedLabel: w.comp.CodeLabel(needsCS, need, "sv"), Goal: goal, FollowUpBy: by})
	}
	return o
}

// rowsOf returns the rows of a group or assessment value as read back
// from JSON.
func rowsOf(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// prepareOrders builds, before a create_orders transition, an order for
// each final granted decision of the case (the newest per insats) that has
// no active order. A granted decision without a chosen provider stops the
// transition with a message naming it.
func (s *Service) prepareOrders(ctx context.Context, a trygg.Actor, w *caseWork) ([]store.Order, error) {
	if ordersOf(w.comp, w.c.CaseType) == nil {
		return nil, nil
	}
	ds, err := s.db.Decisions(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return nil, err
	}
	existing, err := s.db.CaseOrders(ctx, a.Tenant, w.c.ID)
	if err != nil {
		return nil, err
	}
	person, err := s.db.PersonByID(ctx, a.Tenant, w.c.PersonID)
	if err != nil {
		return nil, err
	}
	var out []store.Order
	var missing []string
	for _, d := range currentDecisions(ds) {
		if d.Outcome == process.OutcomeRefused || slices.ContainsFunc(existing, func(o store.Order) bool { return o.DecisionID == d.ID && o.Active() }) {
			continue
		}
		if d.ProviderID == "" {
			missing = append(missing, w.comp.InsatsLabel(w.c.CaseType, d.Insats, "sv"))
			continue
		}
		out = append(out, newOrder(w, person, d))
	}
	if len(missing) > 0 {
		return nil, trygg.Invalid(fmt.Sprintf("Choose a provider for every granted decision before ordering: %s.", strings.Join(missing, ", ")),
			map[string]string{"provider_id": "Required for every granted decision."})
	}
	return out, nil
}

// currentDecisions returns the final decisions in force: the newest per
// insats.
func currentDecisions(ds []store.Decision) []store.Decision {
	newest := map[string]store.Decision{}
	var order []string
	for _, d := range ds {
		if d.Status != "final" {
			continue
		}
		prev, seen := newest[d.Insats]
		if !seen {
			order = append(order, d.Insats)
		}
		if !seen || d.DecidedAt.After(prev.DecidedAt) || d.DecidedAt.Equal(prev.DecidedAt) && d.ID > prev.ID {
			newest[d.Insats] = d
		}
	}
	out := make([]store.Decision, 0, len(order))
	for _, k := range order {
		out = append(out, newest[k])
	}
	return out
}

// sendOrders inserts the orders inside tx, each with its event.
func sendOrders(ctx context.Context, tx *store.Tx, a trygg.Actor, orders []store.Order) error {
	for _, o := range orders {
		o.CreatedAt, o.UpdatedAt = tx.Now, tx.Now
		if err := tx.InsertOrder(ctx, a.Tenant, o); err != nil {
			return err
		}
		if err := orderEvent(ctx, tx, a, events.OrderSent, o); err != nil {
			return err
		}
	}
	return nil
}

// orderEvent appends an event about the order carrying its state then,
// which the orders feed serves. What the order carries about the person
// (name, identity number, address, needs and goals) is not copied into the
// event log, as no form text is: the feed takes it from the order.
func orderEvent(ctx context.Context, tx *store.Tx, a trygg.Actor, typ string, o store.Order) error {
	o.Content = store.OrderContent{InsatsLabel: o.Content.InsatsLabel}
	// The provider's reason for a return is its own text: the feed takes
	// it from the order.
	o.ReturnReason = ""
	e := events.New(a, typ, "order", o.ID, o)
	e.PersonID, e.CaseID = o.PersonID, o.CaseID
	_, err := tx.AppendEvent(ctx, e)
	return err
}

// updateOrder stores o (read at o.Revision) and appends its event.
func updateOrder(ctx context.Context, tx *store.Tx, a trygg.Actor, typ string, o store.Order) error {
	if err := tx.UpdateOrder(ctx, a.Tenant, o); err != nil {
		return err
	}
	o.Revision++
	o.UpdatedAt = tx.Now
	return orderEvent(ctx, tx, a, typ, o)
}

// endOrder ends an active order today with the reason, inside tx.
func endOrder(ctx context.Context, tx *store.Tx, a trygg.Actor, o store.Order, reason string) error {
	o.Status, o.EndedOn, o.EndReason = store.OrderEnded, calendar.Today(tx.Now), reason
	return updateOrder(ctx, tx, a, events.OrderEnded, o)
}

// endCaseOrders ends the case's active orders inside tx (the case closes).
func endCaseOrders(ctx context.Context, tx *store.Tx, a trygg.Actor, caseID, reason string) error {
	orders, err := tx.CaseOrders(ctx, a.Tenant, caseID)
	if err != nil {
		return err
	}
	for _, o := range orders {
		if o.Active() {
			if err := endOrder(ctx, tx, a, o, reason); err != nil {
				return err
			}
		}
	}
	return nil
}

// followDecision carries a new final decision d over to the case's active
// order of the same insats inside tx: a grant changes the order's extent
// and period (and the provider stays chosen), a refusal ends it.
func followDecision(ctx context.Context, tx *store.Tx, a trygg.Actor, d store.Decision) error {
	orders, err := tx.CaseOrders(ctx, a.Tenant, d.CaseID)
	if err != nil {
		return err
	}
	for _, o := range orders {
		if !o.Active() || o.Insats != d.Insats || o.DecisionID == d.ID {
			continue
		}
		if d.Outcome == process.OutcomeRefused {
			if err := endOrder(ctx, tx, a, o, "A new decision no longer grants the insats."); err != nil {
				return err
			}
			continue
		}
		o.DecisionID, o.Amount, o.ValidFrom, o.ValidTo = d.ID, d.Amount, d.ValidFrom, d.ValidTo
		if err := updateOrder(ctx, tx, a, events.OrderChanged, o); err != nil {
			return err
		}
		if err := tx.SetDecisionProvider(ctx, a.Tenant, d.ID, o.ProviderID); err != nil {
			return err
		}
	}
	return nil
}

// orderFor returns the order and the ground on which the actor may read
// it or, with work, act on it as its provider. An order the actor may not
// read is not found; an ended or returned one takes no more work.
func (s *Service) orderFor(ctx context.Context, a trygg.Actor, id string, work bool) (store.Order, access.Relation, error) {
	o, err := s.db.Order(ctx, a.Tenant, id)
	if err != nil {
		return o, "", err
	}
	return s.orderAccess(ctx, a, o, nil, work)
}

// orderAccess is orderFor for an order read already, with its case if
// that was read too (nil: it is read when needed).
func (s *Service) orderAccess(ctx context.Context, a trygg.Actor, o store.Order, c *store.Case, work bool) (store.Order, access.Relation, error) {
	var rels []access.Relation
	if a.ProviderID != "" && a.ProviderID == o.ProviderID {
		rels = append(rels, access.RelProvider)
	}
	// Case staff read an order through the case; a citizen follows the
	// plan on Mina sidor, not the order as such.
	if a.HasRole(trygg.RoleOfficer) || a.HasRole(trygg.RoleTeamLead) {
		if c == nil {
			cc, err := s.db.CaseByID(ctx, a.Tenant, o.CaseID)
			if err != nil {
				return o, "", err
			}
			c = &cc
		}
		caseRels, err := s.db.CaseRelations(ctx, a, *c)
		if err != nil {
			return o, "", err
		}
		rels = append(rels, caseRels...)
	}
	subj := access.Subject{Relations: rels}
	if o.Protected {
		subj.Protection = persons.ProtectionProtected
	}
	ground, err := access.Decide(a, access.ReadOrder, subj)
	if err != nil || !work {
		return o, ground, err
	}
	if ground, err = access.Decide(a, access.WorkOrder, subj); err != nil {
		return o, "", err
	}
	switch o.Status {
	case store.OrderEnded:
		return o, "", trygg.Errorf(trygg.EConflict, "The order has ended; it can be read but no longer changed.")
	case store.OrderReturned:
		return o, "", trygg.Errorf(trygg.EConflict, "The order was returned; it can be read but no longer changed.")
	}
	return o, ground, nil
}

// OrderView is an order with its plan, reports back and this month's
// figures, as its provider and the case's officer see it.
type OrderView struct {
	Order    store.Order       `json:"order"`
	Provider store.Provider    `json:"provider"`
	Plan     *store.Plan       `json:"plan,omitempty"`
	FollowUp FollowUpView      `json:"follow_up"`
	Recent   []store.Performed `json:"recent"`
}

// Order returns an order with its newest plan, the follow-up figures and
// the last 31 days' reports. The read is access-logged.
func (s *Service) Order(ctx context.Context, a trygg.Actor, id string) (OrderView, error) {
	o, ground, err := s.orderFor(ctx, a, id, false)
	if err != nil {
		return OrderView{}, err
	}
	v, err := s.orderView(ctx, a.Tenant, o)
	if err != nil {
		return OrderView{}, err
	}
	if err := s.logAccess(ctx, entry(a, access.ReadOrder, o.PersonID, o.CaseID, ground, "")); err != nil {
		return OrderView{}, err
	}
	return v, nil
}

func (s *Service) orderView(ctx context.Context, tenant trygg.TenantID, o store.Order) (OrderView, error) {
	v := OrderView{Order: o}
	var err error
	if v.Provider, err = s.db.ProviderByID(ctx, tenant, o.ProviderID); err != nil {
		return v, err
	}
	plans, err := s.db.Plans(ctx, tenant, o.ID)
	if err != nil {
		return v, err
	}
	if len(plans) > 0 {
		v.Plan = &plans[0]
	}
	today := calendar.Today(s.db.Now())
	if v.FollowUp, err = s.followUp(ctx, tenant, o, today); err != nil {
		return v, err
	}
	from := calendar.Today(s.db.Now().AddDate(0, 0, -31))
	v.Recent, err = s.db.PerformedBetween(ctx, tenant, o.ID, from, today)
	return v, err
}

// OrdersInput filters a provider's orders and says which page of them.
type OrdersInput struct {
	// Status is sent, accepted, returned, ended, or "" for the active ones.
	Status string `json:"status"`
	// Limit is the most orders of the page: 1–500, 100 when 0.
	Limit int `json:"limit,omitempty"`
	// Cursor is where the page starts: the Next of the page before, or
	// "" for the first page.
	Cursor string `json:"cursor,omitempty"`
}

// OrdersPage is a page of a provider's orders, newest first.
type OrdersPage struct {
	Orders []store.Order `json:"orders"`
	// Next is the cursor of the next page, or "" when this is the last.
	Next string `json:"next,omitempty"`
}

const (
	defaultOrdersPage = 100
	maxOrdersPage     = 500
)

// ProviderOrders lists the first page of the orders of the actor's
// provider (ProviderOrdersPage) without its cursor.
func (s *Service) ProviderOrders(ctx context.Context, a trygg.Actor, in OrdersInput) ([]store.Order, error) {
	p, err := s.ProviderOrdersPage(ctx, a, in)
	return p.Orders, err
}

// ProviderOrdersPage lists a page of the orders of the actor's provider,
// newest first, each read access-logged. It fails with forbidden for
// anyone but a provider's staff and clients, and invalid for an unknown
// status, a limit outside 0–500 or a cursor it did not make.
func (s *Service) ProviderOrdersPage(ctx context.Context, a trygg.Actor, in OrdersInput) (OrdersPage, error) {
	if a.ProviderID == "" || !a.HasRole(trygg.RoleProvider) {
		return OrdersPage{}, trygg.Errorf(trygg.EForbidden, "Only a provider's staff have orders to list.")
	}
	fields := map[string]string{}
	statuses := []string{store.OrderSent, store.OrderAccepted}
	switch in.Status {
	case "":
	case store.OrderSent, store.OrderAccepted, store.OrderReturned, store.OrderEnded:
		statuses = []string{in.Status}
	default:
		fields["status"] = "Must be sent, accepted, returned or ended."
	}
	limit := in.Limit
	switch {
	case limit == 0:
		limit = defaultOrdersPage
	case limit < 0 || limit > maxOrdersPage:
		fields["limit"] = fmt.Sprintf("Must be between 1 and %d.", maxOrdersPage)
	}
	var after store.OrderKey
	if in.Cursor != "" {
		us, id, ok := parseKeyCursor(in.Cursor)
		if !ok {
			fields["cursor"] = "Not a cursor of this list: give the next of the page before, or leave it out."
		}
		after = store.OrderKey{CreatedAt: us, ID: id}
	}
	if len(fields) > 0 {
		return OrdersPage{}, trygg.Invalid("The filter is not valid.", fields)
	}
	// One more than the page tells whether there is a next page.
	orders, err := s.db.ProviderOrdersAfter(ctx, a.Tenant, a.ProviderID, statuses, a.ProtectedIdentity, after, limit+1)
	if err != nil {
		return OrdersPage{}, err
	}
	out := OrdersPage{Orders: orders}
	if len(orders) > limit {
		out.Orders = orders[:limit]
		out.Next = keyCursor(orders[limit-1].CreatedAt, orders[limit-1].ID)
	}
	if err := s.logOrderReads(ctx, a, out.Orders); err != nil {
		return OrdersPage{}, err
	}
	return out, nil
}

// logOrderReads access-logs a provider's read of the orders.
func (s *Service) logOrderReads(ctx context.Context, a trygg.Actor, orders []store.Order) error {
	entries := make([]audit.Entry, len(orders))
	for i, o := range orders {
		entries[i] = entry(a, access.ReadOrder, o.PersonID, o.CaseID, access.RelProvider, "")
	}
	return s.logAccess(ctx, entries...)
}

// CaseOrders returns the orders of a case the actor may read, with their
// providers and follow-up figures, for the officer's case view. The read
// is access-logged (as one read of the case).
func (s *Service) CaseOrders(ctx context.Context, a trygg.Actor, caseID string) ([]OrderView, error) {
	c, ground, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	out, err := s.caseOrderViews(ctx, a.Tenant, c.ID)
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		if err := s.logAccess(ctx, entry(a, access.ReadOrder, c.PersonID, c.ID, ground, "")); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// caseOrderViews returns the views of a case's orders, for a caller that
// has decided the access to the case and logs the read.
func (s *Service) caseOrderViews(ctx context.Context, tenant trygg.TenantID, caseID string) ([]OrderView, error) {
	orders, err := s.db.CaseOrders(ctx, tenant, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]OrderView, 0, len(orders))
	for _, o := range orders {
		v, err := s.orderView(ctx, tenant, o)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// FeedPage is a page of the orders feed.
type FeedPage struct {
	Items []store.FeedItem `json:"items"`
	// Next is the cursor to ask with next time (the last item's, or the
	// one asked with when there was nothing new).
	Next int64 `json:"next"`
}

// OrderFeed returns the events of the actor's provider's orders after the
// cursor: sent, changed, accepted, returned, ended, each with the order as
// it was then. A provider's system polls it to stay in step. Events of
// orders about persons with protected identity are left out unless the
// actor may see them. Every order in the page is access-logged.
func (s *Service) OrderFeed(ctx context.Context, a trygg.Actor, after int64, limit int) (FeedPage, error) {
	if a.ProviderID == "" || !a.HasRole(trygg.RoleProvider) {
		return FeedPage{}, trygg.Errorf(trygg.EForbidden, "Only a provider's staff and systems read the orders feed.")
	}
	if after < 0 {
		return FeedPage{}, trygg.Invalid("The cursor is not valid.", map[string]string{"after": "Must be 0 or a cursor from the feed."})
	}
	switch {
	case limit <= 0:
		limit = 100
	case limit > 500:
		limit = 500
	}
	items, err := s.db.OrderFeed(ctx, a.Tenant, a.ProviderID, after, limit)
	if err != nil {
		return FeedPage{}, err
	}
	page := FeedPage{Items: []store.FeedItem{}, Next: after}
	var entries []audit.Entry
	for _, it := range items {
		page.Next = it.Cursor
		if it.Protected && !a.ProtectedIdentity {
			continue
		}
		page.Items = append(page.Items, it)
		entries = append(entries, entry(a, access.ReadOrder, it.PersonID, "", access.RelProvider, ""))
	}
	if err := s.logAccess(ctx, entries...); err != nil {
		return FeedPage{}, err
	}
	return page, nil
}

// AcceptInput accepts an order from a start date.
type AcceptInput struct {
	StartDate string `json:"start_date"`
}

// AcceptOrder is the provider accepting a sent order from a start date,
// which may not be before the decision or its period. A start today or
// earlier is recorded as the decision's execution at once; a later start
// is recorded by the first report of work done.
func (s *Service) AcceptOrder(ctx context.Context, a trygg.Actor, id string, in AcceptInput) (store.Order, error) {
	if _, err := time.Parse(time.DateOnly, in.StartDate); err != nil {
		return store.Order{}, trygg.Invalid("The acceptance is not valid.", map[string]string{"start_date": "Must be a date YYYY-MM-DD."})
	}
	o, ground, err := s.orderFor(ctx, a, id, true)
	if err != nil {
		return store.Order{}, err
	}
	if o.Status != store.OrderSent {
		return store.Order{}, trygg.Errorf(trygg.EConflict, "The order is already accepted.")
	}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkOrder, o.PersonID, o.CaseID, ground, "")}, func(tx *store.Tx) error {
		d, err := tx.Decision(ctx, a.Tenant, o.CaseID, o.DecisionID)
		if err != nil {
			return err
		}
		decided := calendar.Today(d.DecidedAt)
		bad := func(msg string, args ...any) error {
			return trygg.Invalid("The acceptance is not valid.", map[string]string{"start_date": fmt.Sprintf(msg, args...)})
		}
		switch {
		case in.StartDate < decided:
			return bad("Cannot be before the decision (%s).", decided)
		case o.ValidFrom != "" && in.StartDate < o.ValidFrom:
			return bad("Cannot be before the decision's period starts (%s).", o.ValidFrom)
		case o.ValidTo != "" && in.StartDate > o.ValidTo:
			return bad("Cannot be after the decision's period ends (%s).", o.ValidTo)
		}
		o.Status, o.StartDate = store.OrderAccepted, in.StartDate
		if err := updateOrder(ctx, tx, a, events.OrderAccepted, o); err != nil {
			return err
		}
		if in.StartDate <= calendar.Today(tx.Now) {
			return executeOnce(ctx, tx, a, o, in.StartDate)
		}
		return nil
	})
	if err != nil {
		return store.Order{}, err
	}
	o.Revision++
	return o, nil
}

// executeOnce records the order's decision as executed on the date,
// unless its execution is recorded already, inside tx.
func executeOnce(ctx context.Context, tx *store.Tx, a trygg.Actor, o store.Order, on string) error {
	prev, err := tx.Executions(ctx, a.Tenant, o.DecisionID)
	if err != nil || len(prev) > 0 {
		return err
	}
	c, err := tx.CaseByID(ctx, a.Tenant, o.CaseID)
	if err != nil {
		return err
	}
	d, err := tx.Decision(ctx, a.Tenant, o.CaseID, o.DecisionID)
	if err != nil {
		return err
	}
	_, err = recordExecution(ctx, tx, a, c, d, ExecutionInput{Kind: process.ExecExecuted, On: on})
	return err
}

// ReturnInput returns an order with a reason.
type ReturnInput struct {
	Reason string `json:"reason"`
}

// ReturnOrder is the provider returning a sent order it cannot take, with
// the reason; the case's officer gets a task to choose another provider.
func (s *Service) ReturnOrder(ctx context.Context, a trygg.Actor, id string, in ReturnInput) (store.Order, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" || len([]rune(in.Reason)) > 1000 {
		return store.Order{}, trygg.Invalid("The return is not valid.", map[string]string{"reason": "Say why, in at most 1000 characters."})
	}
	o, ground, err := s.orderFor(ctx, a, id, true)
	if err != nil {
		return store.Order{}, err
	}
	if o.Status != store.OrderSent {
		return store.Order{}, trygg.Errorf(trygg.EConflict, "An accepted order cannot be returned; ask the officer to end or change it.")
	}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkOrder, o.PersonID, o.CaseID, ground, "")}, func(tx *store.Tx) error {
		o.Status, o.ReturnReason = store.OrderReturned, in.Reason
		if err := updateOrder(ctx, tx, a, events.OrderReturned, o); err != nil {
			return err
		}
		c, err := tx.CaseByID(ctx, a.Tenant, o.CaseID)
		if err != nil {
			return err
		}
		return tx.InsertTask(ctx, a.Tenant, store.Task{ID: newID(), CaseID: c.ID, UnitID: c.UnitID, Assignee: c.AssignedTo,
			Kind: "order_returned", DeadlineID: o.ID, Title: "Uppdraget returnerades (" + o.Content.InsatsLabel + "): välj en annan utförare"})
	})
	if err != nil {
		return store.Order{}, err
	}
	o.Revision++
	return o, nil
}

// PlanInput is a new version of an order's implementation plan.
type PlanInput struct {
	Items             []store.PlanItem `json:"items"`
	Participation     string           `json:"participation"`
	ParticipationNote string           `json:"participation_note"`
}

// Ways the person took part in writing the plan.
var participations = []string{"took_part", "partly", "declined", "unable"}

// SavePlan writes the next version of the order's implementation plan:
// for each goal, how it will be met (activity, coded; when; who), and how
// the person took part. Every goal needs at least one activity.
func (s *Service) SavePlan(ctx context.Context, a trygg.Actor, id string, in PlanInput) (store.Plan, error) {
	o, ground, err := s.orderFor(ctx, a, id, true)
	if err != nil {
		return store.Plan{}, err
	}
	if o.Status != store.OrderAccepted {
		return store.Plan{}, trygg.Errorf(trygg.EConflict, "Accept the order before writing its plan.")
	}
	comp, def, err := s.orderDefinition(ctx, a.Tenant, o)
	if err != nil {
		return store.Plan{}, err
	}
	fields := map[string]string{}
	if !slices.Contains(participations, in.Participation) {
		fields["participation"] = "Say how the person took part: took_part, partly, declined or unable."
	}
	if len([]rune(in.ParticipationNote)) > 2000 {
		fields["participation_note"] = "At most 2000 characters."
	}
	if len(in.Items) == 0 || len(in.Items) > 100 {
		fields["items"] = "Give between 1 and 100 activities."
	}
	covered := map[int]bool{}
	for i, it := range in.Items {
		key := fmt.Sprintf("items.%d", i)
		it.Activity, it.When, it.Who = strings.TrimSpace(it.Activity), strings.TrimSpace(it.When), strings.TrimSpace(it.Who)
		it.Time = strings.TrimSpace(it.Time)
		it.Days = slices.Sorted(slices.Values(it.Days))
		in.Items[i] = it
		switch {
		case it.Goal < 0 || it.Goal >= len(o.Content.Goals):
			fields[key+".goal"] = "Not one of the order's goals."
		case it.Code != "" && !comp.KnownCode(def.Activities.Value, it.Code):
			fields[key+".code"] = "Not a known activity code."
		case it.Activity == "" || len([]rune(it.Activity)) > 1000:
			fields[key+".activity"] = "Say what will be done, in at most 1000 characters."
		case it.When == "" || len([]rune(it.When)) > 200:
			fields[key+".when"] = "Say when, in at most 200 characters."
		case it.Who == "" || len([]rune(it.Who)) > 200:
			fields[key+".who"] = "Say who, in at most 200 characters."
		case it.Time != "" && !clockRe.MatchString(it.Time):
			fields[key+".time"] = "Give the time of day as HH:MM."
		case len(it.Days) > 0 && it.Time == "":
			fields[key+".time"] = "Give the time of day of the visits on these days."
		case !validWeekdays(it.Days):
			fields[key+".days"] = "Give each weekday once, as 1 (Monday) to 7 (Sunday)."
		default:
			covered[it.Goal] = true
		}
	}
	if len(fields) == 0 {
		for g := range o.Content.Goals {
			if !covered[g] {
				fields["items"] = fmt.Sprintf("Every goal needs an activity; goal %d has none.", g+1)
				break
			}
		}
	}
	if len(fields) > 0 {
		return store.Plan{}, trygg.Invalid("The plan is not valid.", fields)
	}
	p := store.Plan{OrderID: o.ID, Content: store.PlanContent{Items: in.Items, Participation: in.Participation,
		ParticipationNote: strings.TrimSpace(in.ParticipationNote)}, WrittenBy: a.UserID}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkOrder, o.PersonID, o.CaseID, ground, "")}, func(tx *store.Tx) error {
		v, err := tx.LatestPlanVersion(ctx, a.Tenant, o.ID)
		if err != nil {
			return err
		}
		p.Version, p.WrittenAt = v+1, tx.Now
		if err := tx.InsertPlan(ctx, a.Tenant, p); err != nil {
			return err
		}
		codes := []string{}
		for _, it := range p.Content.Items {
			codes = append(codes, it.Code)
		}
		// The plan's texts stay in the plan; the event says what changed.
		e := events.New(a, events.OrderPlanWritten, "order", o.ID, map[string]any{"version": p.Version,
			"participation": p.Content.Participation, "activities": len(p.Content.Items), "codes": codes})
		e.PersonID, e.CaseID = o.PersonID, o.CaseID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	return p, err
}

// Plans returns every version of the order's plan, newest first; the read
// is access-logged.
func (s *Service) Plans(ctx context.Context, a trygg.Actor, id string) ([]store.Plan, error) {
	o, ground, err := s.orderFor(ctx, a, id, false)
	if err != nil {
		return nil, err
	}
	plans, err := s.db.Plans(ctx, a.Tenant, o.ID)
	if err != nil {
		return nil, err
	}
	if err := s.logAccess(ctx, entry(a, access.ReadOrder, o.PersonID, o.CaseID, ground, "")); err != nil {
		return nil, err
	}
	return plans, nil
}

// orderDefinition returns the compiled definitions of the order's case and
// its case type's orders section.
func (s *Service) orderDefinition(ctx context.Context, tenant trygg.TenantID, o store.Order) (*process.Compiled, *process.Orders, error) {
	c, err := s.db.CaseByID(ctx, tenant, o.CaseID)
	if err != nil {
		return nil, nil, err
	}
	return s.caseOrdersDefinition(ctx, tenant, c)
}

// caseOrdersDefinition is orderDefinition for the order's case c, read
// already.
func (s *Service) caseOrdersDefinition(ctx context.Context, tenant trygg.TenantID, c store.Case) (*process.Compiled, *process.Orders, error) {
	comp, err := s.compiled(ctx, tenant, c.DefinitionVersion)
	if err != nil {
		return nil, nil, err
	}
	def := ordersOf(comp, c.CaseType)
	if def == nil {
		return nil, nil, trygg.Errorf(trygg.EConflict, "Cases of this type send no orders to providers.")
	}
	return comp, def, nil
}

// Goal statuses at follow-up.
var goalStatuses = []string{"achieved", "partly", "not_achieved"}

// FollowUpInput is the provider's report back on the order's goals.
type FollowUpInput struct {
	Goals []store.GoalStatus `json:"goals"`
	Note  string             `json:"note"`
}

// ReportFollowUp records the provider's report back (återrapportering):
// each goal's status and the need's qualifier now. Every goal must be
// there, once.
func (s *Service) ReportFollowUp(ctx context.Context, a trygg.Actor, id string, in FollowUpInput) (store.FollowUp, error) {
	o, ground, err := s.orderFor(ctx, a, id, true)
	if err != nil {
		return store.FollowUp{}, err
	}
	if o.Status != store.OrderAccepted {
		return store.FollowUp{}, trygg.Errorf(trygg.EConflict, "Accept the order before reporting on its goals.")
	}
	fields := map[string]string{}
	seen := map[int]bool{}
	for i, g := range in.Goals {
		key := fmt.Sprintf("goals.%d", i)
		g.Comment = strings.TrimSpace(g.Comment)
		in.Goals[i] = g
		switch {
		case g.Goal < 0 || g.Goal >= len(o.Content.Goals):
			fields[key+".goal"] = "Not one of the order's goals."
		case seen[g.Goal]:
			fields[key+".goal"] = "The goal is reported twice."
		case !slices.Contains(goalStatuses, g.Status):
			fields[key+".status"] = "Must be achieved, partly or not_achieved."
		case !(g.Qualifier >= 0 && g.Qualifier <= 4 || g.Qualifier == 8 || g.Qualifier == 9):
			fields[key+".qualifier"] = "The qualifier must be 0–4, 8 or 9."
		case len([]rune(g.Comment)) > 2000:
			fields[key+".comment"] = "At most 2000 characters."
		}
		seen[g.Goal] = true
	}
	if len(fields) == 0 && len(seen) != len(o.Content.Goals) {
		fields["goals"] = "Report on every goal of the order."
	}
	if len([]rune(in.Note)) > 4000 {
		fields["note"] = "At most 4000 characters."
	}
	if len(fields) > 0 {
		return store.FollowUp{}, trygg.Invalid("The report back is not valid.", fields)
	}
	slices.SortFunc(in.Goals, func(x, y store.GoalStatus) int { return x.Goal - y.Goal })
	f := store.FollowUp{ID: newID(), OrderID: o.ID, Content: store.FollowUpContent{Goals: in.Goals, Note: strings.TrimSpace(in.Note)}, WrittenBy: a.UserID}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkOrder, o.PersonID, o.CaseID, ground, "")}, func(tx *store.Tx) error {
		f.WrittenAt = tx.Now
		if err := tx.InsertFollowUp(ctx, a.Tenant, f); err != nil {
			return err
		}
		goals := make([]map[string]any, len(f.Content.Goals))
		for i, g := range f.Content.Goals {
			goals[i] = map[string]any{"goal": g.Goal, "status": g.Status, "qualifier": g.Qualifier}
		}
		e := events.New(a, events.OrderFollowedUp, "order", o.ID, map[string]any{"id": f.ID, "goals": goals})
		e.PersonID, e.CaseID = o.PersonID, o.CaseID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	return f, err
}

// FollowUpView is an order's follow-up: planned against performed time per
// month, and each goal with its qualifier then (in the investigation) and
// now (at the latest report back).
type FollowUpView struct {
	Months []MonthView `json:"months"`
	Goals  []GoalView  `json:"goals"`
	// ReportedAt is when the goals were last reported on.
	ReportedAt time.Time `json:"reported_at,omitzero"`
}

// MonthView is one month's planned and performed time (minutes).
type MonthView struct {
	Month            string `json:"month"`
	PlannedMinutes   int    `json:"planned_minutes"`
	PerformedMinutes int    `json:"performed_minutes"`
	Visits           int    `json:"visits"`
	Deviations       int    `json:"deviations"`
	// DifferencePercent is performed against planned, when time is planned.
	DifferencePercent int `json:"difference_percent"`
}

// GoalView is a goal with its status at the latest report back.
type GoalView struct {
	store.OrderGoal
	QualifierThen int    `json:"qualifier_then"`
	QualifierNow  *int   `json:"qualifier_now,omitempty"`
	Status        string `json:"status,omitempty"`
	Comment       string `json:"comment,omitempty"`
}

// followUp computes the order's follow-up up to today.
func (s *Service) followUp(ctx context.Context, tenant trygg.TenantID, o store.Order, today string) (FollowUpView, error) {
	v := FollowUpView{Months: []MonthView{}, Goals: []GoalView{}}
	start := o.StartDate
	if start == "" {
		start = o.ValidFrom
	}
	end := today
	for _, e := range []string{o.ValidTo, o.EndedOn} {
		if e != "" && e < end {
			end = e
		}
	}
	if start != "" && start <= end {
		totals, err := s.db.PerformedByMonth(ctx, tenant, o.ID, start, end)
		if err != nil {
			return v, err
		}
		byMonth := map[string]store.MonthTotal{}
		for _, t := range totals {
			byMonth[t.Month] = t
		}
		for _, m := range monthsBetween(start, end) {
			t := byMonth[m]
			mv := MonthView{Month: m, PlannedMinutes: plannedMinutes(o, m, start, end), PerformedMinutes: t.Minutes, Visits: t.Visits, Deviations: t.Deviations}
			if mv.PlannedMinutes > 0 {
				mv.DifferencePercent = (mv.PerformedMinutes - mv.PlannedMinutes) * 100 / mv.PlannedMinutes
			}
			v.Months = append(v.Months, mv)
		}
	}
	ups, err := s.db.FollowUps(ctx, tenant, o.ID)
	if err != nil {
		return v, err
	}
	quals := map[string]int{}
	for _, n := range o.Content.Needs {
		quals[n.Code] = n.Qualifier
	}
	for i, g := range o.Content.Goals {
		gv := GoalView{OrderGoal: g, QualifierThen: quals[g.Need]}
		if len(ups) > 0 {
			for _, st := range ups[0].Content.Goals {
				if st.Goal == i {
					q := st.Qualifier
					gv.QualifierNow, gv.Status, gv.Comment = &q, st.Status, st.Comment
				}
			}
		}
		v.Goals = append(v.Goals, gv)
	}
	if len(ups) > 0 {
		v.ReportedAt = ups[0].WrittenAt
	}
	return v, nil
}

// monthsBetween lists the months ("2026-03") from the date from to the
// date to.
func monthsBetween(from, to string) []string {
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || t.Before(f) {
		return nil
	}
	var out []string
	for m := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(t); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// plannedMinutes is the order's planned time in month m between the dates
// from and to: the monthly extent (hours, in hundredths) in full, or by
// the share of the month's days inside from..to.
func plannedMinutes(o store.Order, m, from, to string) int {
	if o.AmountUnit != process.UnitHours || o.Amount <= 0 {
		return 0
	}
	first, err := time.Parse("2006-01", m)
	if err != nil {
		return 0
	}
	last := first.AddDate(0, 1, -1)
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	lo, hi := first, last
	if f.After(lo) {
		lo = f
	}
	if t.Before(hi) {
		hi = t
	}
	if hi.Before(lo) {
		return 0
	}
	days := int(hi.Sub(lo).Hours()/24) + 1
	full := int(o.Amount) * 60 / 100
	return full * days / last.Day()
}
