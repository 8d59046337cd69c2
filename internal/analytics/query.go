package analytics

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// MinPersons is the fewest distinct persons a figure may be counted from:
// a figure from fewer is suppressed, for every caller.
const MinPersons = 5

// Figure is one number the queries return: its value, or Suppressed (and
// the value 0) when fewer than MinPersons distinct persons are behind it.
type Figure struct {
	Value      float64 `json:"value"`
	Suppressed bool    `json:"suppressed"`
}

// figure returns value as a Figure counted from persons distinct persons.
func figure(value float64, persons int) Figure {
	if persons < MinPersons {
		return Figure{Suppressed: true}
	}
	return Figure{Value: value}
}

// Filter narrows a query: the period (dates, inclusive, YYYY-MM-DD), the
// district, the unit and the case type ("" for all).
type Filter struct {
	From, To string
	District string
	Unit     string
	CaseType string
}

// where returns the filter's conditions on the columns of a fact (its
// date column named) and their arguments.
func (f Filter) where(tenant trygg.TenantID, dateCol string) (string, []any) {
	conds, args := []string{"tenant_id = ?"}, []any{string(tenant)}
	if f.From != "" && dateCol != "" {
		conds, args = append(conds, dateCol+" >= ?"), append(args, f.From)
	}
	if f.To != "" && dateCol != "" {
		conds, args = append(conds, dateCol+" <= ?"), append(args, f.To)
	}
	if f.District != "" {
		conds, args = append(conds, "district_id = ?"), append(args, f.District)
	}
	if f.Unit != "" {
		conds, args = append(conds, "unit_id = ?"), append(args, f.Unit)
	}
	if f.CaseType != "" {
		conds, args = append(conds, "case_type = ?"), append(args, f.CaseType)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// validate checks the filter's dates.
func (f Filter) validate() error {
	fields := map[string]string{}
	for name, v := range map[string]string{"from": f.From, "to": f.To} {
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			fields[name] = "Give a date as YYYY-MM-DD."
		}
	}
	if len(fields) > 0 {
		return trygg.Invalid("The period is not valid.", fields)
	}
	if f.From != "" && f.To != "" && f.To < f.From {
		return trygg.Invalid("The period is not valid.", map[string]string{"to": "The period ends before it starts."})
	}
	return nil
}

// needPeriod checks that the filter has both dates.
func (f Filter) needPeriod() error {
	fields := map[string]string{}
	if f.From == "" {
		fields["from"] = "Give a date as YYYY-MM-DD."
	}
	if f.To == "" {
		fields["to"] = "Give a date as YYYY-MM-DD."
	}
	if len(fields) > 0 {
		return trygg.Invalid("The period is not valid.", fields)
	}
	return f.validate()
}

// Percentile returns the p-th percentile (0 < p <= 1) of values by the
// nearest-rank method: the smallest value with at least p of the values
// at or below it. values need not be sorted; 0 for none.
func Percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := slices.Clone(values)
	slices.Sort(s)
	rank := int(math.Ceil(p*float64(len(s)))) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// DecisionTime is the time from application to decision of one case
// type (CaseType "" for all) and channel ("portal", "paper", or "" for
// both): the cases decided, and the median and 90th percentile of the
// days from the day the application or report was received to its first
// decision.
type DecisionTime struct {
	CaseType   string `json:"case_type"`
	Channel    string `json:"channel"`
	Decisions  Figure `json:"decisions"`
	MedianDays Figure `json:"median_days"`
	P90Days    Figure `json:"p90_days"`
}

// DecisionTimes returns the time from application to first decision of
// the cases whose first decision was made in the filter's period, per
// case type and channel, all case types first (then in name order), each
// with both channels, then portal, then paper. Returns an invalid error
// for a bad filter.
func (s *Store) DecisionTimes(ctx context.Context, tenant trygg.TenantID, f Filter) ([]DecisionTime, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	// The first decision of each case: the rows are read in decision
	// order and the first per case kept.
	where, args := f.where(tenant, "")
	rows, err := s.query(ctx, `SELECT case_key, person_key, case_type, channel, decided_date, days_to_decision FROM fact_decisions`+where+
		` ORDER BY case_key, decided_at, decision_key`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: decision times: %w", err)
	}
	defer rows.Close()
	type cell struct {
		days    []float64
		persons map[string]bool
	}
	cells := map[[2]string]*cell{}
	add := func(k [2]string, person string, days float64) {
		c := cells[k]
		if c == nil {
			c = &cell{persons: map[string]bool{}}
			cells[k] = c
		}
		c.days = append(c.days, days)
		c.persons[person] = true
	}
	types := map[string]bool{}
	last := ""
	for rows.Next() {
		var caseKey, person, caseType, channel, decided string
		var days int64
		if err := rows.Scan(&caseKey, &person, &caseType, &channel, &decided, &days); err != nil {
			return nil, err
		}
		if caseKey == last {
			continue
		}
		last = caseKey
		if (f.From != "" && decided < f.From) || (f.To != "" && decided > f.To) {
			continue
		}
		types[caseType] = true
		for _, ct := range []string{"", caseType} {
			for _, ch := range []string{"", channel} {
				add([2]string{ct, ch}, person, float64(days))
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []DecisionTime{}
	// The decisions of both channels are the sum of portal and paper, and
	// those of all case types the sum of each type's: secondary
	// suppression hides what subtraction would give away.
	var counts []tally
	var sums []sum
	cts := append([]string{""}, sortedKeys(types)...)
	for i, ct := range cts {
		for _, ch := range []string{"", "portal", "paper"} {
			c := cells[[2]string{ct, ch}]
			row := DecisionTime{CaseType: ct, Channel: ch}
			if c == nil {
				row.Decisions, row.MedianDays, row.P90Days = figure(0, 0), figure(0, 0), figure(0, 0)
				counts = append(counts, tally{})
			} else {
				n := len(c.persons)
				row.MedianDays = figure(Percentile(c.days, 0.5), n)
				row.P90Days = figure(Percentile(c.days, 0.9), n)
				counts = append(counts, tally{float64(len(c.days)), n})
			}
			out = append(out, row)
		}
		sums = append(sums, sum{total: 3 * i, parts: []int{3*i + 1, 3*i + 2}})
	}
	for ch := range 3 {
		s := sum{total: ch}
		for i := 1; i < len(cts); i++ {
			s.parts = append(s.parts, 3*i+ch)
		}
		sums = append(sums, s)
	}
	hidden := suppress(counts, sums)
	for i := range out {
		out[i].Decisions = shown(counts[i], hidden[i])
	}
	return out, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// WeekFlow is one week's flow of cases: cases received (inflow), cases
// closed (outflow) and cases open at the end of its Sunday (backlog).
type WeekFlow struct {
	Week    string `json:"week"`  // ISO week, "2026-W02"
	Start   string `json:"start"` // its Monday
	Inflow  Figure `json:"inflow"`
	Outflow Figure `json:"outflow"`
	Backlog Figure `json:"backlog"`
}

// Flow returns the inflow, outflow and backlog of cases for each week
// (Monday to Sunday) that has a day in the filter's period, which must
// have both dates. Returns an invalid error for a bad filter.
func (s *Store) Flow(ctx context.Context, tenant trygg.TenantID, f Filter) ([]WeekFlow, error) {
	if err := f.needPeriod(); err != nil {
		return nil, err
	}
	where, args := f.where(tenant, "")
	rows, err := s.query(ctx, `SELECT person_key, received_date, closed_date FROM fact_cases`+where+` AND received_date <= ?`,
		append(args, f.To)...)
	if err != nil {
		return nil, fmt.Errorf("analytics: flow: %w", err)
	}
	defer rows.Close()
	type c struct{ person, received, closed string }
	var cases []c
	for rows.Next() {
		var x c
		if err := rows.Scan(&x.person, &x.received, &x.closed); err != nil {
			return nil, err
		}
		cases = append(cases, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	from, _ := time.Parse(time.DateOnly, f.From)
	to, _ := time.Parse(time.DateOnly, f.To)
	monday := from.AddDate(0, 0, -((int(from.Weekday()) + 6) % 7))
	out := []WeekFlow{}
	for w := monday; !w.After(to); w = w.AddDate(0, 0, 7) {
		start, end := w.Format(time.DateOnly), w.AddDate(0, 0, 6).Format(time.DateOnly)
		in, outp, open := map[string]bool{}, map[string]bool{}, map[string]bool{}
		var nIn, nOut, nOpen int
		for _, x := range cases {
			if x.received >= start && x.received <= end {
				nIn++
				in[x.person] = true
			}
			if x.closed >= start && x.closed <= end {
				nOut++
				outp[x.person] = true
			}
			if x.received <= end && (x.closed == "" || x.closed > end) {
				nOpen++
				open[x.person] = true
			}
		}
		y, wk := w.ISOWeek()
		out = append(out, WeekFlow{Week: fmt.Sprintf("%d-W%02d", y, wk), Start: start,
			Inflow: figure(float64(nIn), len(in)), Outflow: figure(float64(nOut), len(outp)), Backlog: figure(float64(nOpen), len(open))})
	}
	return out, nil
}

// DeadlineFigures are one deadline's figures over the deadlines due in a
// period: how many fell due (not counting those still running and not
// yet overdue), how many were met by their due date, how many were missed
// (met late, overdue, or ended with the case before they were met), the
// share met in percent, and the median days late of those met late.
type DeadlineFigures struct {
	Deadline       string `json:"deadline"`
	Due            Figure `json:"due"`
	Met            Figure `json:"met"`
	Missed         Figure `json:"missed"`
	MetPercent     Figure `json:"met_percent"`
	MedianDaysLate Figure `json:"median_days_late"`
}

// Deadlines returns the figures of each deadline (by id, in name order)
// whose due date is in the filter's period. Returns an invalid error for a
// bad filter.
func (s *Store) Deadlines(ctx context.Context, tenant trygg.TenantID, f Filter) ([]DeadlineFigures, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	where, args := f.where(tenant, "due_date")
	rows, err := s.query(ctx, `SELECT deadline_id, person_key, due_date, met_date, overdue, status, days_late FROM fact_deadlines`+where+
		` AND status <> 'restarted'`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: deadlines: %w", err)
	}
	defer rows.Close()
	type acc struct {
		due, met, missed int
		persons          map[string]bool
		late             []float64
	}
	by := map[string]*acc{}
	for rows.Next() {
		var id, person, due, met, status string
		var overdue, late int64
		if err := rows.Scan(&id, &person, &due, &met, &overdue, &status, &late); err != nil {
			return nil, err
		}
		if status == "running" && overdue == 0 {
			continue // not yet decided either way
		}
		a := by[id]
		if a == nil {
			a = &acc{persons: map[string]bool{}}
			by[id] = a
		}
		a.due++
		a.persons[person] = true
		if met != "" && met <= due {
			a.met++
		} else {
			a.missed++
			if met != "" {
				a.late = append(a.late, float64(late))
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []DeadlineFigures{}
	for _, id := range sortedKeys(func() map[string]bool {
		m := map[string]bool{}
		for k := range by {
			m[k] = true
		}
		return m
	}()) {
		a := by[id]
		n := len(a.persons)
		row := DeadlineFigures{Deadline: id, Due: figure(float64(a.due), n), Met: figure(float64(a.met), n),
			Missed: figure(float64(a.missed), n), MetPercent: figure(math.Round(1000*float64(a.met)/float64(a.due))/10, n)}
		if len(a.late) == 0 {
			row.MedianDaysLate = figure(0, n)
		} else {
			row.MedianDaysLate = figure(Percentile(a.late, 0.5), n)
		}
		out = append(out, row)
	}
	return out, nil
}

// MonthService is one month's planned and performed time of one insats
// (Insats "" for all): the orders with a start date active some day of
// the month, the minutes their decisions grant for the month (decisions
// counted in hours), the minutes performed, the visits (reports with time
// and no deviation), the deviations, and deviations per 1,000 visits.
type MonthService struct {
	Month             string `json:"month"` // "2026-01"
	Insats            string `json:"insats"`
	Orders            Figure `json:"orders"`
	PlannedMinutes    Figure `json:"planned_minutes"`
	PerformedMinutes  Figure `json:"performed_minutes"`
	Visits            Figure `json:"visits"`
	Deviations        Figure `json:"deviations"`
	DeviationsPer1000 Figure `json:"deviations_per_1000_visits"`
	PerformedPercent  Figure `json:"performed_percent"`
}

// periodsPerMonth is how many of an amount's periods make a month.
var periodsPerMonth = map[string]float64{"": 1, "month": 1, "day": 365.0 / 12, "week": 52.0 / 12, "year": 1.0 / 12}

// PlannedPerformed returns, for each month with a day in the filter's
// period (which must have both dates) and each insats, the time planned
// by the orders against the time performed, all insatser first (then in
// name order). Returns an invalid error for a bad filter.
func (s *Store) PlannedPerformed(ctx context.Context, tenant trygg.TenantID, f Filter) ([]MonthService, error) {
	if err := f.needPeriod(); err != nil {
		return nil, err
	}
	from, _ := time.Parse(time.DateOnly, f.From)
	to, _ := time.Parse(time.DateOnly, f.To)
	type cell struct {
		orders                        int
		planned                       float64
		performed, visits, deviations int64
		persons                       map[string]bool
	}
	cells := map[[2]string]*cell{}
	get := func(month, insats string) *cell {
		k := [2]string{month, insats}
		if cells[k] == nil {
			cells[k] = &cell{persons: map[string]bool{}}
		}
		return cells[k]
	}
	var months []string
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	insatser := map[string]bool{}

	where, args := f.where(tenant, "")
	rows, err := s.query(ctx, `SELECT person_key, insats, amount, amount_unit, amount_period, start_date, valid_to, ended_on FROM fact_orders`+
		where+` AND start_date <> ''`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: planned: %w", err)
	}
	for rows.Next() {
		var person, insats, unit, period, start, validTo, ended string
		var amount int64
		if err := rows.Scan(&person, &insats, &amount, &unit, &period, &start, &validTo, &ended); err != nil {
			rows.Close()
			return nil, err
		}
		last := ended
		if validTo != "" && (last == "" || validTo < last) {
			last = validTo
		}
		for _, m := range months {
			first, end := m+"-01", m+"-31"
			if start > end || (last != "" && last < first) {
				continue
			}
			insatser[insats] = true
			minutes := 0.0
			if unit == "hours" {
				minutes = float64(amount) * 60 / 100 * periodsPerMonth[period]
			}
			for _, in := range []string{"", insats} {
				c := get(m, in)
				c.orders++
				c.planned += minutes
				c.persons[person] = true
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	where, args = f.where(tenant, "day")
	rows, err = s.query(ctx, `SELECT person_key, insats, day, minutes, deviation FROM fact_performed`+where+` AND corrected = 0`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: performed: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var person, insats, day, deviation string
		var minutes int64
		if err := rows.Scan(&person, &insats, &day, &minutes, &deviation); err != nil {
			return nil, err
		}
		if len(day) < len("2006-01") {
			continue
		}
		insatser[insats] = true
		for _, in := range []string{"", insats} {
			c := get(day[:7], in)
			c.performed += minutes
			if deviation != "" {
				c.deviations++
			} else if minutes > 0 {
				c.visits++
			}
			c.persons[person] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []MonthService{}
	for _, m := range months {
		for _, in := range append([]string{""}, sortedKeys(insatser)...) {
			c := cells[[2]string{m, in}]
			if c == nil {
				if in != "" {
					continue
				}
				c = &cell{persons: map[string]bool{}}
			}
			n := len(c.persons)
			row := MonthService{Month: m, Insats: in, Orders: figure(float64(c.orders), n), PlannedMinutes: figure(math.Round(c.planned), n),
				PerformedMinutes: figure(float64(c.performed), n), Visits: figure(float64(c.visits), n), Deviations: figure(float64(c.deviations), n)}
			row.DeviationsPer1000 = figure(0, n)
			if c.visits > 0 {
				row.DeviationsPer1000 = figure(math.Round(10000*float64(c.deviations)/float64(c.visits))/10, n)
			}
			row.PerformedPercent = figure(0, n)
			if c.planned > 0 {
				row.PerformedPercent = figure(math.Round(1000*float64(c.performed)/c.planned)/10, n)
			}
			out = append(out, row)
		}
	}
	return out, nil
}
