package service

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// A day's visits. The implementation plan's activities that carry a time
// of day (and, if not every day, the weekdays) are the provider's planned
// visits: one visit is an order's activities at one time on one day. An
// order whose plan gives no time (a safety alarm, or a plan not yet
// written) has no planned visits; work on it is reported as an unplanned
// visit.

// Visit is a planned visit: the order, the time of day and the plan's
// activities done at it.
type Visit struct {
	Order store.Order
	Time  string
	Items []store.PlanItem
}

// ProviderDay is a provider's work on a day.
type ProviderDay struct {
	// Visits are the day's planned visits in time order (then by the
	// person's name).
	Visits []Visit
	// Orders are the accepted orders running on the day, by the person's
	// name: those a visit can be reported on, planned or not.
	Orders []store.Order
}

// DayVisits returns the visits the actor's provider has planned on day
// (YYYY-MM-DD) and the orders running that day (accepted, started by the
// day, within the decision's period): all of them, however many, and
// only them. Each order read is access-logged, as ProviderOrders logs it. It fails with invalid for a malformed day and
// forbidden for anyone but a provider's staff.
func (s *Service) DayVisits(ctx context.Context, a trygg.Actor, day string) (ProviderDay, error) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ProviderDay{}, trygg.Invalid("The day is not valid.", map[string]string{"day": "Give a date as YYYY-MM-DD."})
	}
	if a.ProviderID == "" || !a.HasRole(trygg.RoleProvider) {
		return ProviderDay{}, trygg.Errorf(trygg.EForbidden, "Only a provider's staff have orders to list.")
	}
	orders, err := s.db.ProviderOrdersRunning(ctx, a.Tenant, a.ProviderID, day, a.ProtectedIdentity)
	if err != nil {
		return ProviderDay{}, err
	}
	if err := s.logOrderReads(ctx, a, orders); err != nil {
		return ProviderDay{}, err
	}
	out := ProviderDay{Orders: orders}
	ids := make([]string, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	slices.SortStableFunc(out.Orders, func(x, y store.Order) int {
		return cmp.Or(cmp.Compare(x.Content.Person.Name, y.Content.Person.Name), cmp.Compare(x.Content.InsatsLabel, y.Content.InsatsLabel))
	})
	plans, err := s.db.LatestPlans(ctx, a.Tenant, ids)
	if err != nil {
		return ProviderDay{}, err
	}
	for _, o := range out.Orders {
		p, ok := plans[o.ID]
		if !ok {
			continue
		}
		for _, v := range PlanVisits(p.Content, d.Weekday()) {
			v.Order = o
			out.Visits = append(out.Visits, v)
		}
	}
	// Orders are by name already: a stable sort by time keeps that.
	slices.SortStableFunc(out.Visits, func(x, y Visit) int { return cmp.Compare(x.Time, y.Time) })
	return out, nil
}

// PlanVisits returns a plan's visits on a weekday, in time order: its
// activities with a time of day that are done on the weekday, one visit
// per time, each with its activities in the plan's order. The visits
// carry no order.
func PlanVisits(c store.PlanContent, wd time.Weekday) []Visit {
	iso := int(wd)
	if iso == 0 {
		iso = 7
	}
	var out []Visit
	at := map[string]int{}
	for _, it := range c.Items {
		if it.Time == "" || (len(it.Days) > 0 && !slices.Contains(it.Days, iso)) {
			continue
		}
		i, ok := at[it.Time]
		if !ok {
			i = len(out)
			at[it.Time] = i
			out = append(out, Visit{Time: it.Time})
		}
		out[i].Items = append(out[i].Items, it)
	}
	slices.SortFunc(out, func(x, y Visit) int { return cmp.Compare(x.Time, y.Time) })
	return out
}

// validWeekdays reports whether days names each weekday at most once, as
// 1 (Monday) to 7 (Sunday).
func validWeekdays(days []int) bool {
	seen := map[int]bool{}
	for _, d := range days {
		if d < 1 || d > 7 || seen[d] {
			return false
		}
		seen[d] = true
	}
	return true
}
