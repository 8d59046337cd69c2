package service_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// TestDayVisits: the plan's activities that carry a time of day are the
// day's visits: one per order and time (an order visited morning and
// evening is two visits), on the weekdays the plan names, in time order.
// An order whose plan gives no time (an alarm, say) has no visits but is
// still one to report on; one not yet started is neither. A time or
// weekdays the plan cannot use are refused next to the activity, and the
// read is access-logged once per order.
func TestDayVisits(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newReportWorld(t, engine, 4, 0) // today is Monday 23 November 2026
			goals := []store.OrderGoal{{Need: "d510", Goal: "Duschar tryggt."}, {Need: "d540", Goal: "Klär sig själv."}}
			names := map[string]string{}
			err := w.db.Update(w.ctx, func(tx *store.Tx) error {
				for i, id := range w.orders {
					o, err := tx.Order(w.ctx, demo.TenantID, id)
					if err != nil {
						return err
					}
					o.Content.Goals = goals
					o.Content.Person.Name = fmt.Sprintf("Person %d", i)
					if i == 3 {
						o.StartDate = "2026-12-01" // not started yet
					}
					names[id] = o.Content.Person.Name
					if err := tx.UpdateOrder(w.ctx, demo.TenantID, o); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			item := func(goal int, code, at string, days ...int) store.PlanItem {
				return store.PlanItem{Goal: goal, Code: code, Activity: "Stöd med " + code, When: "Enligt schema", Who: "Hemtjänsten", Time: at, Days: days}
			}
			plan := func(items ...store.PlanItem) service.PlanInput {
				return service.PlanInput{Participation: "took_part", Items: items}
			}

			// Refused: each message on its activity, nothing saved.
			for _, tc := range []struct {
				name  string
				item  store.PlanItem
				field string
				msg   string
			}{
				{"a time without a leading zero", item(0, "d510", "8:00"), "items.0.time", "Give the time of day as HH:MM."},
				{"a time past midnight", item(0, "d510", "24:00"), "items.0.time", "Give the time of day as HH:MM."},
				{"weekdays without a time", item(0, "d510", "", 2, 5), "items.0.time", "Give the time of day of the visits on these days."},
				{"weekday 0", item(0, "d510", "08:00", 0), "items.0.days", "Give each weekday once, as 1 (Monday) to 7 (Sunday)."},
				{"a weekday twice", item(0, "d510", "08:00", 2, 2), "items.0.days", "Give each weekday once, as 1 (Monday) to 7 (Sunday)."},
			} {
				_, err := w.svc.SavePlan(w.ctx, w.staff, w.orders[0], plan(tc.item, item(1, "d540", "")))
				var te *trygg.Error
				if !errors.As(err, &te) || te.Code != trygg.EInvalid || te.Fields[tc.field] != tc.msg {
					t.Errorf("%s: %v %+v, want %s: %q", tc.name, err, te, tc.field, tc.msg)
				}
			}
			if ps, err := w.svc.Plans(w.ctx, w.staff, w.orders[0]); err != nil || len(ps) != 0 {
				t.Fatalf("refused plans: %d saved, %v", len(ps), err)
			}

			// Person 0: dressing every morning at 08:00 and every evening at
			// 19:30, a shower at the morning visit on Mondays and Thursdays.
			// Person 1: one visit at 07:45 on weekdays. Person 2: a plan
			// without times. Person 3 starts in December.
			for i, p := range []service.PlanInput{
				plan(item(1, "d540", "19:30"), item(1, "d540", "08:00"), item(0, "d510", "08:00", 4, 1)),
				plan(item(0, "d510", "07:45", 1, 2, 3, 4, 5), item(1, "d540", "07:45", 5, 4, 3, 2, 1)),
				plan(item(0, "d510", ""), item(1, "d540", "")),
				plan(item(0, "d510", "06:00"), item(1, "d540", "06:00")),
			} {
				if _, err := w.svc.SavePlan(w.ctx, w.staff, w.orders[i], p); err != nil {
					t.Fatalf("plan %d: %v", i, err)
				}
			}
			saved, err := w.svc.Plans(w.ctx, w.staff, w.orders[0])
			if err != nil || len(saved) != 1 || !slices.Equal(saved[0].Content.Items[2].Days, []int{1, 4}) {
				t.Fatalf("the saved plan: %+v %v, want the days in order", saved, err)
			}

			show := func(d service.ProviderDay) (visits, orders []string) {
				for _, v := range d.Visits {
					var codes []string
					for _, it := range v.Items {
						codes = append(codes, it.Code)
					}
					visits = append(visits, v.Time+" "+names[v.Order.ID]+" "+strings.Join(codes, ","))
				}
				for _, o := range d.Orders {
					orders = append(orders, names[o.ID])
				}
				return visits, orders
			}
			log := func() int {
				l, err := w.db.AccessLog(w.ctx, demo.TenantID, store.AccessLogFilter{ActorID: w.staff.UserID, Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				return len(l)
			}
			for _, tc := range []struct {
				day            string
				visits, orders []string
			}{
				{"2026-11-23", // a Monday
					[]string{"07:45 Person 1 d510,d540", "08:00 Person 0 d540,d510", "19:30 Person 0 d540"},
					[]string{"Person 0", "Person 1", "Person 2"}},
				{"2026-11-28", // a Saturday
					[]string{"08:00 Person 0 d540", "19:30 Person 0 d540"},
					[]string{"Person 0", "Person 1", "Person 2"}},
				{"2026-12-01", // Tuesday: person 3 has started
					[]string{"06:00 Person 3 d510,d540", "07:45 Person 1 d510,d540", "08:00 Person 0 d540", "19:30 Person 0 d540"},
					[]string{"Person 0", "Person 1", "Person 2", "Person 3"}},
			} {
				before := log()
				d, err := w.svc.DayVisits(w.ctx, w.staff, tc.day)
				if err != nil {
					t.Fatalf("%s: %v", tc.day, err)
				}
				visits, orders := show(d)
				if !slices.Equal(visits, tc.visits) || !slices.Equal(orders, tc.orders) {
					t.Errorf("%s:\n visits %q\n  want  %q\n orders %q\n  want  %q", tc.day, visits, tc.visits, orders, tc.orders)
				}
				// The day reads the orders running that day, no others.
				if n := log() - before; n != len(tc.orders) {
					t.Errorf("%s: %d access-log rows, want one per order running that day (%d)", tc.day, n, len(tc.orders))
				}
			}

			if _, err := w.svc.DayVisits(w.ctx, w.staff, "23/11"); trygg.ErrorCode(err) != trygg.EInvalid {
				t.Errorf("a malformed day: %v, want invalid", err)
			}
			officer := trygg.Actor{Tenant: demo.TenantID, UserID: "someone", Grants: []trygg.Grant{{Role: trygg.RoleOfficer, UnitID: "soc"}}}
			if _, err := w.svc.DayVisits(w.ctx, officer, "2026-11-23"); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Errorf("an officer: %v, want forbidden", err)
			}
		})
	}
}
