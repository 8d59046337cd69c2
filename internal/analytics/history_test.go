package analytics_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

const tenant = trygg.TenantID("t1")

// testKey is the pseudonym key of the tests.
var testKey = []byte("a key only the tests know, 32 b")

// step is a moment of the hand-made history and the events appended then.
type step struct {
	at  time.Time
	evs []events.Event
}

// on is 10:00 in Sweden on the date.
func on(date string) time.Time {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic(err)
	}
	return d.Add(9 * time.Hour) // 10:00 CET
}

func addDays(date string, n int) string {
	d, _ := time.Parse(time.DateOnly, date)
	return d.AddDate(0, 0, n).Format(time.DateOnly)
}

var actor = trygg.Actor{Tenant: tenant, UserID: "officer-1"}

func ev(typ, subjectType, subjectID, person, caseID string, payload any) events.Event {
	e := events.New(actor, typ, subjectType, subjectID, payload)
	e.PersonID, e.CaseID = person, caseID
	return e
}

// history is the small hand-made history the golden tests count: two
// districts, nine persons, nine cases (seven of case type eb in Norra,
// five of them applied for on Mina sidor; two of lss in Södra), their
// decisions, deadlines, orders, reports and a payment. docs/analytics.md
// explains the figures the tests expect.
func history() []step {
	var steps []step
	add := func(date string, evs ...events.Event) {
		steps = append(steps, step{at: on(date), evs: evs})
	}
	add("2025-12-01",
		ev(events.UnitCreated, "unit", "soc", "", "", map[string]any{"id": "soc", "name": "Socialförvaltningen", "kind": "forvaltning"}),
		ev(events.UnitCreated, "unit", "norr", "", "", map[string]any{"id": "norr", "parent_id": "soc", "name": "Norra", "kind": "avdelning"}),
		ev(events.UnitCreated, "unit", "norr-eb", "", "", map[string]any{"id": "norr-eb", "parent_id": "norr", "name": "EB Norra", "kind": "enhet"}),
		ev(events.UnitCreated, "unit", "syd", "", "", map[string]any{"id": "syd", "parent_id": "soc", "name": "Södra", "kind": "avdelning"}),
		ev(events.UnitCreated, "unit", "syd-lss", "", "", map[string]any{"id": "syd-lss", "parent_id": "syd", "name": "LSS Södra", "kind": "enhet"}))
	var persons []events.Event
	for i := 1; i <= 9; i++ {
		sex := "F"
		if i%2 == 0 {
			sex = "M"
		}
		persons = append(persons, ev(events.PersonRegistered, "person", pid(i), pid(i), "",
			map[string]any{"identity_type": "personnummer", "birth_month": fmt.Sprintf("%d-03", 1950+i*7), "sex": sex}))
	}
	add("2025-12-02", persons...)

	type c struct {
		n        int
		caseType string
		unit     string
		received string
		portal   bool
		days     int // to the first decision
		deadline string
		outcome  string
		amount   int64
	}
	cases := []c{
		{1, "eb", "norr-eb", "2026-01-05", true, 3, "beslut", "granted", 1000},
		{2, "eb", "norr-eb", "2026-01-06", true, 5, "beslut", "granted", 1000},
		{3, "eb", "norr-eb", "2026-01-07", true, 7, "beslut", "granted", 1000},
		{4, "eb", "norr-eb", "2026-01-08", true, 10, "beslut", "granted", 1000},
		{5, "eb", "norr-eb", "2026-01-09", true, 14, "beslut", "granted", 1000},
		{6, "eb", "norr-eb", "2026-01-12", false, 30, "beslut", "granted", 500},
		{7, "eb", "norr-eb", "2026-01-13", false, 40, "beslut", "refused", 0},
		{8, "lss", "syd-lss", "2026-01-14", false, 20, "utredning", "granted", 0},
		{9, "lss", "syd-lss", "2026-01-15", false, 25, "utredning", "granted", 0},
	}
	for _, x := range cases {
		id, p := cid(x.n), pid(x.n)
		due := addDays(x.received, 14)
		opened := []events.Event{
			ev(events.CaseOpened, "case", id, p, id, map[string]any{"unit_id": x.unit, "case_type": x.caseType, "step": "received",
				"received_date": x.received, "reference": "must-not-be-read"}),
			ev(events.DeadlineStarted, "case", id, p, id, map[string]any{"deadline_id": x.deadline, "due_date": due, "step": "received"}),
		}
		if x.portal {
			opened = append(opened, ev(events.ApplicationSubmitted, "case", id, p, id, map[string]any{"case_type": x.caseType}))
		}
		add(x.received, opened...)
		add(addDays(x.received, 1),
			ev(events.CaseTransitioned, "case", id, p, id, map[string]any{"transition": "investigate", "from": "received", "to": "investigation"}),
			ev(events.FormSigned, "form_entry", "entry-"+id, p, id, map[string]any{"form_id": "assessment", "supersedes": "",
				"codes": []map[string]any{{"field": "needs", "code_system": "icf", "code": "d510", "qualifier": 2}}}))
		if x.days > 14 {
			add(addDays(due, 1), ev(events.DeadlineOverdue, "case", id, p, id, map[string]any{"deadline_id": x.deadline, "due_date": due}))
		}
		decided := addDays(x.received, x.days)
		made := []events.Event{
			ev(events.DecisionMade, "decision", "decision-"+id, p, id, map[string]any{"insats": "stod", "outcome": x.outcome,
				"amount": x.amount, "amount_unit": "hours", "amount_period": "month", "valid_from": "2026-02-01"}),
		}
		if x.n != 9 { // case 9's deadline runs on, overdue
			made = append(made, ev(events.DeadlineMet, "case", id, p, id, map[string]any{"deadline_id": x.deadline, "step": "decided"}))
		}
		add(decided, made...)
	}
	// Case 1 gets a second decision: time to decision counts the first.
	add("2026-02-24", ev(events.DecisionMade, "decision", "decision-again-1", pid(1), cid(1), map[string]any{"insats": "stod",
		"outcome": "granted", "amount": 1200, "amount_unit": "hours", "amount_period": "month"}))
	add("2026-01-16", ev(events.CaseClosed, "case", cid(1), pid(1), cid(1), map[string]any{"step": "closed"}))
	add("2026-01-17", ev(events.CaseClosed, "case", cid(2), pid(2), cid(2), map[string]any{"step": "closed"}))
	add("2026-01-20", ev(events.CaseClosed, "case", cid(3), pid(3), cid(3), map[string]any{"step": "closed"}))
	add("2026-01-21", ev(events.CaseClosed, "case", cid(8), pid(8), cid(8), map[string]any{"step": "closed"}))

	// Orders for cases 1–6, accepted from 1 February; case 6's ends on
	// the 15th.
	for n := 1; n <= 6; n++ {
		id, p := cid(n), pid(n)
		amount := int64(1000)
		if n == 6 {
			amount = 500
		}
		order := map[string]any{"id": oid(n), "case_id": id, "decision_id": "decision-" + id, "provider_id": "prov-1", "unit_id": "norr-eb",
			"insats": "stod", "amount": amount, "amount_unit": "hours", "status": "sent", "content": map[string]any{"insats_label": "Stöd"}}
		add("2026-01-28", ev(events.OrderSent, "order", oid(n), p, id, order))
		accepted := map[string]any{}
		for k, v := range order {
			accepted[k] = v
		}
		accepted["status"], accepted["start_date"] = "accepted", "2026-02-01"
		add("2026-01-29", ev(events.OrderAccepted, "order", oid(n), p, id, accepted),
			ev(events.OrderPlanWritten, "order", oid(n), p, id, map[string]any{"version": 1, "participation": "took_part", "activities": 1,
				"codes": []string{"d510"}}))
		visits := []map[string]any{}
		days := []string{"2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23"}
		if n == 6 {
			days = []string{"2026-02-03", "2026-02-10"}
		}
		for i, d := range days {
			minutes := 60
			if n == 6 {
				minutes = 30
			}
			visits = append(visits, map[string]any{"id": fmt.Sprintf("visit-%d-%d", n, i), "on": d, "minutes": minutes, "activities": []string{"d510"}})
		}
		add("2026-02-26", ev(events.OrderPerformed, "order", oid(n), p, id, map[string]any{"batch_key": "", "entries": visits}))
	}
	add("2026-02-11", ev(events.OrderPerformed, "order", oid(2), pid(2), cid(2), map[string]any{"entries": []map[string]any{
		{"id": "extra-2", "on": "2026-02-10", "minutes": 30, "activities": []string{"d510"}}}}))
	add("2026-02-12", ev(events.OrderPerformed, "order", oid(2), pid(2), cid(2), map[string]any{"entries": []map[string]any{
		{"id": "extra-2b", "on": "2026-02-10", "minutes": 45, "activities": []string{"d510"}, "corrects": "extra-2"}}}))
	add("2026-02-25", ev(events.OrderPerformed, "order", oid(1), pid(1), cid(1), map[string]any{"entries": []map[string]any{
		{"id": "missed-1", "on": "2026-02-25", "minutes": 0, "activities": []string{}, "deviation": "cancelled_by_person"}}}))
	ended := map[string]any{"id": oid(6), "case_id": cid(6), "decision_id": "decision-" + cid(6), "provider_id": "prov-1", "unit_id": "norr-eb",
		"insats": "stod", "amount": 500, "amount_unit": "hours", "status": "ended", "start_date": "2026-02-01", "ended_on": "2026-02-15",
		"end_reason": "case_closed"}
	add("2026-02-15", ev(events.OrderEnded, "order", oid(6), pid(6), cid(6), ended))

	// A payment line for case 6, attested and paid; another stopped.
	add("2026-02-12", ev(events.PaymentProposed, "payment_line", "line-1", pid(6), cid(6), map[string]any{"decision_id": "decision-" + cid(6),
		"item": "norm", "period": "2026-02", "amount": 812300, "payee_category": "person", "due_date": "2026-02-25"}),
		ev(events.PaymentProposed, "payment_line", "line-2", pid(6), cid(6), map[string]any{"decision_id": "decision-" + cid(6),
			"item": "rent", "period": "2026-02", "amount": 650000, "payee_category": "landlord", "due_date": "2026-02-25"}))
	add("2026-02-13", ev(events.PaymentAttested, "payment_line", "line-1", pid(6), cid(6), map[string]any{"amount": 812300}),
		ev(events.PaymentStopped, "payment_line", "line-3", pid(6), cid(6), map[string]any{"reverses": "line-2", "amount": -650000,
			"item": "rent", "period": "2026-02", "status_before": "proposed"}))
	add("2026-02-25", ev(events.PaymentPaid, "payment_line", "line-1", pid(6), cid(6), map[string]any{"run_id": "run-1", "status": "ACSC"}))
	// The log is in the order things happened.
	slices.SortStableFunc(steps, func(a, b step) int { return a.at.Compare(b.at) })
	return steps
}

func pid(n int) string { return fmt.Sprintf("person-%04d", n) }
func cid(n int) string { return fmt.Sprintf("case-%04d", n) }
func oid(n int) string { return fmt.Sprintf("order-%04d", n) }

// setup returns a fresh main store of engine with the tenant, and an
// analysis store beside it.
func setup(t *testing.T, engine string) (*store.DB, *analytics.Store) {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, engine)
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := storetest.Service(t, db, nil).CreateTenant(ctx, org.Tenant{ID: tenant, Name: "Test", MunicipalityCode: "0000"}); err != nil {
		t.Fatal(err)
	}
	st, err := analytics.Open(ctx, analytics.DefaultDSN(dsn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return db, st
}

// play appends a step's events to the event log at its moment.
func play(t *testing.T, db *store.DB, s step) {
	t.Helper()
	db.ReplayAt(s.at)
	defer db.ReplayAt(time.Time{})
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		for _, e := range s.evs {
			if _, err := tx.AppendEvent(context.Background(), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// projected returns the stores with the whole history appended and
// projected.
func projected(t *testing.T, engine string) (*store.DB, *analytics.Store, *analytics.Projector) {
	t.Helper()
	db, st := setup(t, engine)
	for _, s := range history() {
		play(t, db, s)
	}
	pr, err := analytics.NewProjector(context.Background(), db, st, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pr.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, st, pr
}
