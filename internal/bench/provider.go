package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
)

const (
	// benchProviderLogin is the demo's provider staff login; the provider
	// workload reports for its provider.
	benchProviderLogin = "utforare"
	// benchBatch is how many performed entries one batch carries.
	benchBatch = 100
	// benchMonthlyHours is the seeded orders' extent, hours a month.
	benchMonthlyHours = 30
	// benchMaxOrders bounds the seeded orders (one per 20 persons); each
	// has a report a day for a year.
	benchMaxOrders = 5000
)

// providerSetup is what the provider workload's set-up made: the orders
// its batches spread over and the month its payment basis covers.
type providerSetup struct {
	providerID, providerName string
	orders                   []string
	activity                 string // the activity code the reports name
	start, today             string // the orders' start date; the last day a batch may name
	days                     int    // start through today
	month                    string // of the seeded reports
	seeded                   int    // reports seeded in month
	reports                  int    // reports seeded in all
}

// provider measures the provider side over the API: the payment basis for
// a month of seeded reports, then performed-insats batches of benchBatch
// entries, each a POST expecting 201. The basis runs first, so it reads
// the seeded reports and not whatever the batches added; the rows are
// listed batches first.
func (b *bench) provider(ctx context.Context) ([]benchRow, error) {
	ps, err := b.seedProvider(ctx)
	if err != nil {
		return nil, err
	}
	if err := b.signInProvider(ctx); err != nil {
		return nil, err
	}
	basisPath := "/api/v1/providers/" + ps.providerID + "/payment-basis?month=" + ps.month
	// Check the basis once (not timed): every seeded order with its reports.
	var pb struct {
		Rows []struct {
			OrderID string `json:"order_id"`
		}
		Minutes int
	}
	if err := b.callJSON(ctx, b.logURL, b.vus[0].providerToken, "GET", basisPath, nil, http.StatusOK, &pb); err != nil {
		return nil, err
	}
	if len(pb.Rows) < len(ps.orders) || pb.Minutes < ps.seeded*benchProviderMinutes {
		return nil, fmt.Errorf("payment basis for %s: %d rows and %d minutes, want at least %d and %d", ps.month, len(pb.Rows), pb.Minutes,
			len(ps.orders), ps.seeded*benchProviderMinutes)
	}
	b.progress("workload provider, payment basis for %s (%v)", ps.month, b.opt.Duration)
	basis, err := b.httpWorkload(ctx, "provider: payment basis for a month (API)", fmt.Sprintf("request (%s orders)", num(float64(len(pb.Rows)))),
		b.logURL, func(b *bench, ctx context.Context, base string, vu *benchVU) error {
			_, err := b.call(ctx, base, vu.providerToken, "GET", basisPath, nil, http.StatusOK)
			return err
		})
	if err != nil {
		return nil, err
	}
	b.progress("workload provider, batches of %d (%v)", benchBatch, b.opt.Duration)
	var next atomic.Int64
	batches, err := b.writeWorkload(ctx, fmt.Sprintf("provider: performed-insats batches of %d (API)", benchBatch),
		fmt.Sprintf("batch of %d entries", benchBatch), 1, func(b *bench, ctx context.Context, vu *benchVU) error {
			return b.performedBatch(ctx, vu, ps, next.Add(1)-1)
		})
	if err != nil {
		return nil, err
	}
	r := batches[0]
	b.providerNotes = append(b.providerNotes,
		fmt.Sprintf("provider batches: %s entries/s. One op is one POST /api/v1/performed-batches of %d minutes-only entries on %d of the %s accepted orders "+
			"seeded for %s (the provider of the demo login %s), dated %s to %s, with a new key: one transaction with the entries, an event per order "+
			"and the access-log rows; signed in as the provider's staff.",
			num(r.rate()*benchBatch), benchBatch, min(benchBatch, len(ps.orders)), num(float64(len(ps.orders))), ps.providerName, benchProviderLogin, ps.start, ps.today),
		fmt.Sprintf("provider payment basis: GET /api/v1/providers/{id}/payment-basis?month=%s over %s orders, with %s seeded reports in the month "+
			"(one a day per seeded order, %s in the year seeded); every row is access-logged. Measured before the batches, so it does not read what they add.",
			ps.month, num(float64(len(pb.Rows))), num(float64(ps.seeded)), num(float64(ps.reports))))
	return append(batches, basis...), nil
}

// benchProviderMinutes is the length of every seeded and reported visit.
const benchProviderMinutes = 30

// performedBatch posts the n-th batch: benchBatch entries on consecutive
// orders, moving to the next day each time every order has had one.
// Entries with minutes and no start or end never overlap.
func (b *bench) performedBatch(ctx context.Context, vu *benchVU, ps *providerSetup, n int64) error {
	start, _ := time.Parse(time.DateOnly, ps.start)
	entries := make([]map[string]any, benchBatch)
	for i := range entries {
		k := int(n)*benchBatch + i
		day := k / len(ps.orders) % ps.days
		entries[i] = map[string]any{"order_id": ps.orders[k%len(ps.orders)], "on": start.AddDate(0, 0, day).Format(time.DateOnly),
			"minutes": benchProviderMinutes, "activities": []string{ps.activity}}
	}
	_, err := b.call(ctx, b.logURL, vu.providerToken, "POST", "/api/v1/performed-batches",
		map[string]any{"key": "bench-" + uuid.NewString(), "entries": entries}, http.StatusCreated)
	return err
}

// seedProvider makes sure the provider of benchProviderLogin has accepted
// orders to report on: it inserts them straight through the store (not
// timed), each on a case of a type that sends orders for an insats the
// provider provides (see providerCase), with a final granted decision already
// executed and an accepted order that started a year ago, and one report
// a day from its start to yesterday: benchMaxOrders orders and a year of
// reports at 100,000 persons, fewer for smaller towns.
func (b *bench) seedProvider(ctx context.Context) (*providerSetup, error) {
	staff, err := b.svc.ActorByUsername(ctx, demo.TenantID, benchProviderLogin)
	if err != nil {
		return nil, fmt.Errorf("provider login %s: %w", benchProviderLogin, err)
	}
	prov, err := b.db.ProviderByID(ctx, demo.TenantID, staff.ProviderID)
	if err != nil {
		return nil, err
	}
	c, pt, err := b.providerCase(ctx, prov)
	if err != nil {
		return nil, err
	}
	today := calendar.Today(b.db.Now())
	t, _ := time.Parse(time.DateOnly, today)
	start := t.AddDate(-1, 0, 0)
	yesterday := t.AddDate(0, 0, -1)
	month := time.Date(yesterday.Year(), yesterday.Month(), 1, 0, 0, 0, 0, time.UTC)
	ps := &providerSetup{providerID: prov.ID, providerName: prov.Name, activity: pt.activity, start: start.Format(time.DateOnly), today: today,
		days: int(t.Sub(start).Hours()/24) + 1, month: yesterday.Format("2006-01")}
	var people []persons.Person
	for _, p := range b.ds.Persons {
		if p.Protection == persons.ProtectionNone {
			people = append(people, p)
		}
	}
	if len(people) == 0 {
		return nil, errors.New("the generated municipality has no person without protected identity")
	}
	n := min(benchMaxOrders, max(benchBatch, b.opt.Persons/20))
	b.progress("inserting %d accepted orders of %s with a report a day since %s (not timed)", n, prov.Name, start.Format(time.DateOnly))
	const perTx = 100
	for from := 0; from < n; from += perTx {
		err := b.db.Update(ctx, func(tx *store.Tx) error {
			for i := from; i < min(from+perTx, n); i++ {
				p := people[i%len(people)]
				sc := store.Case{ID: uuid.Must(uuid.NewV7()).String(), PersonID: p.ID, UnitID: c.UnitID, CaseType: c.CaseType,
					Title: "Prestandatest", Status: "open", DefinitionVersion: c.DefinitionVersion, Step: "implementation",
					AssignedTo: c.AssignedTo, OpenedAt: tx.Now}
				if err := tx.InsertCase(ctx, demo.TenantID, sc); err != nil {
					return err
				}
				d := store.Decision{ID: uuid.Must(uuid.NewV7()).String(), CaseID: sc.ID, Insats: pt.insats, Outcome: process.OutcomeGranted,
					LegalBasis: pt.legalBasis, ValidFrom: ps.start, Amount: benchMonthlyHours * 100, Justification: "Prestandatest.",
					DraftedBy: sc.AssignedTo}
				if err := tx.SaveDecisionDraft(ctx, demo.TenantID, d); err != nil {
					return err
				}
				if err := tx.FinaliseDecision(ctx, demo.TenantID, d.ID, sc.AssignedTo, ""); err != nil {
					return err
				}
				if err := tx.SetDecisionProvider(ctx, demo.TenantID, d.ID, prov.ID); err != nil {
					return err
				}
				if err := tx.InsertExecution(ctx, demo.TenantID, sc.ID, store.Execution{ID: uuid.Must(uuid.NewV7()).String(), DecisionID: d.ID,
					Kind: process.ExecExecuted, On: ps.start, RecordedBy: sc.AssignedTo}); err != nil {
					return err
				}
				o := store.Order{ID: uuid.Must(uuid.NewV7()).String(), CaseID: sc.ID, DecisionID: d.ID, PersonID: p.ID, ProviderID: prov.ID,
					UnitID: sc.UnitID, Insats: d.Insats, Amount: d.Amount, AmountUnit: process.UnitHours, ValidFrom: d.ValidFrom,
					Status: store.OrderAccepted, StartDate: ps.start, Revision: 1,
					Content: store.OrderContent{Person: store.OrderPerson{Name: p.GivenName + " " + p.FamilyName, IdentityNumber: p.Identity.Value,
						Address: p.Address.Street + ", " + p.Address.PostalCode + " " + p.Address.City}, InsatsLabel: pt.insatsLabel,
						Needs: []store.OrderNeed{{Code: pt.activity, Qualifier: 3}}, Goals: []store.OrderGoal{{Need: pt.activity, Goal: "Prestandatest."}}}}
				if err := tx.InsertOrder(ctx, demo.TenantID, o); err != nil {
					return err
				}
				ps.orders = append(ps.orders, o.ID)
				var reports []store.Performed
				for day := start; !day.After(yesterday); day = day.AddDate(0, 0, 1) {
					reports = append(reports, store.Performed{ID: uuid.Must(uuid.NewV7()).String(), OrderID: o.ID, On: day.Format(time.DateOnly),
						Minutes: benchProviderMinutes, Activities: []string{pt.activity}, ReportedBy: staff.UserID})
					if !day.Before(month) {
						ps.seeded++
					}
				}
				if err := tx.InsertPerformed(ctx, demo.TenantID, prov.ID, reports); err != nil {
					return err
				}
				ps.reports += len(reports)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("insert orders: %w", err)
		}
	}
	return ps, b.analyze(ctx)
}

// providerTerms is what the seeded orders are made of, from the
// definitions: the insats, its legal basis and label, and an activity code.
type providerTerms struct {
	insats, insatsLabel, legalBasis, activity string
}

// providerCase returns a demo case, and the terms of its orders, of a case
// type whose definitions send orders (an orders section) for an insats the
// provider provides; the seeded orders' cases are opened like it (its
// definitions version, unit and officer), in the provider's areas if one
// is there. None in the dataset is an error.
func (b *bench) providerCase(ctx context.Context, prov store.Provider) (store.Case, providerTerms, error) {
	parent := map[string]string{}
	for _, u := range b.ds.Units {
		parent[u.ID] = u.ParentID
	}
	inAreas := func(unit string) bool {
		for ; unit != ""; unit = parent[unit] {
			if slices.Contains(prov.Areas, unit) {
				return true
			}
		}
		return len(prov.Areas) == 0
	}
	termsOf := func(c store.Case) (providerTerms, bool, error) {
		comp, err := b.definitions(ctx, c.DefinitionVersion)
		if err != nil {
			return providerTerms{}, false, err
		}
		ct, ok := comp.CaseType(c.CaseType)
		if !ok || ct.Orders == nil || ct.Decisions == nil || len(ct.Decisions.LegalBases) == 0 {
			return providerTerms{}, false, nil
		}
		codes := comp.Codes(ct.Orders.Activities.Value)
		for _, ins := range prov.Insatser {
			if comp.KnownCode(ct.Decisions.Insatser.Value, ins) && len(codes) > 0 {
				return providerTerms{insats: ins, insatsLabel: comp.InsatsLabel(c.CaseType, ins, "sv"),
					legalBasis: ct.Decisions.LegalBases[0].Value, activity: codes[len(codes)-1].Code.Value}, true, nil
			}
		}
		return providerTerms{}, false, nil
	}
	var best store.Case
	var bestTerms providerTerms
	found := false
	tried := map[string]bool{}
	for _, dc := range b.ds.Cases {
		key := dc.CaseType + "|" + fmt.Sprint(inAreas(dc.UnitID))
		if tried[key] || found && !inAreas(dc.UnitID) {
			continue
		}
		tried[key] = true
		c, err := b.db.CaseByID(ctx, demo.TenantID, dc.ID)
		if err != nil {
			return store.Case{}, providerTerms{}, err
		}
		t, ok, err := termsOf(c)
		if err != nil {
			return store.Case{}, providerTerms{}, err
		}
		if ok {
			best, bestTerms, found = c, t, true
			if inAreas(c.UnitID) {
				break
			}
		}
	}
	if !found {
		return store.Case{}, providerTerms{}, fmt.Errorf("the generated municipality has no case of a type that sends orders for what %s provides (give more --persons)", prov.Name)
	}
	return best, bestTerms, nil
}

// signInProvider signs each virtual user in as a staff member of the
// provider of benchProviderLogin over the API, that login first: each VU
// its own session, as the officers have.
func (b *bench) signInProvider(ctx context.Context) error {
	var key string
	for _, u := range b.ds.Users {
		if u.Username == benchProviderLogin {
			key = u.Provider
		}
	}
	names := []string{benchProviderLogin}
	for _, u := range b.ds.Users {
		if key != "" && u.Provider == key && u.Username != benchProviderLogin {
			names = append(names, u.Username)
		}
	}
	b.progress("signing in %d virtual users as the staff of %s's provider (%d accounts)", len(b.vus), benchProviderLogin, len(names))
	for i, vu := range b.vus {
		var sess struct{ Token string }
		if err := b.callJSON(ctx, b.logURL, "", "POST", "/api/v1/session",
			map[string]string{"tenant": string(demo.TenantID), "username": names[i%len(names)], "password": demo.Password}, http.StatusCreated, &sess); err != nil {
			return fmt.Errorf("sign in provider staff: %w", err)
		}
		vu.providerToken = sess.Token
	}
	return nil
}
