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
// the value 0) when fewer than MinPersons distinct persons are behind it,
// or when it and shown figures would give such a one away.
type Figure struct {
	Value      float64 `json:"value"`
	Suppressed bool    `json:"suppressed"`
	// persons is how many distinct persons a shown figure rests on: the
	// number, or at least MinPersons where counting on would not matter.
	persons int
}

// figure returns value as a Figure counted from persons distinct persons.
func figure(value float64, persons int) Figure {
	if persons < MinPersons {
		return Figure{Suppressed: true}
	}
	return Figure{Value: value, persons: persons}
}

// Filter narrows a query: the period (dates, inclusive, YYYY-MM-DD), the
// district, the unit and the case type ("" for all).
type Filter struct {
	From, To string
	District string
	Unit     string
	CaseType string
	// CodeSystem is the code system of the needs NeedsMatch follows
	// (ICF for the IBIC packs); empty means the one most needs are
	// assessed in. Other queries ignore it.
	CodeSystem string
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

// percentileCounts is Percentile of values given as value: how many.
func percentileCounts(counts map[int64]int64, p float64) float64 {
	keys := make([]int64, 0, len(counts))
	var n int64
	for k, c := range counts {
		keys = append(keys, k)
		n += c
	}
	if n == 0 {
		return 0
	}
	slices.Sort(keys)
	rank := min(max(int64(math.Ceil(p*float64(n)))-1, 0), n-1)
	var seen int64
	for _, k := range keys {
		seen += counts[k]
		if seen > rank {
			return float64(k)
		}
	}
	return float64(keys[len(keys)-1])
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
	from, _ := time.Parse(time.DateOnly, f.From)
	to, _ := time.Parse(time.DateOnly, f.To)
	monday := from.AddDate(0, 0, -((int(from.Weekday()) + 6) % 7))
	type week struct {
		start, end             string
		in, out, leave, before tally
	}
	var weeks []*week
	var values []string
	for w := monday; !w.After(to); w = w.AddDate(0, 0, 7) {
		x := &week{start: w.Format(time.DateOnly), end: w.AddDate(0, 0, 6).Format(time.DateOnly)}
		values = append(values, fmt.Sprintf("(%d, '%s', '%s')", len(weeks), x.start, x.end))
		weeks = append(weeks, x)
	}
	// The weeks as a table (dates this function wrote), joined with the
	// cases received and closed in each: counted, and their persons.
	weekTable := `WITH w (i, s, e) AS (VALUES ` + strings.Join(values, ", ") + `) `
	where, args := f.where(tenant, "")
	where += ` AND received_date <= ?`
	args = append(args, f.To)
	for _, x := range []struct {
		what, col string
	}{{"inflow", "received_date"}, {"outflow", "closed_date"}} {
		rows, err := s.query(ctx, weekTable+`SELECT w.i, COUNT(*), COUNT(DISTINCT person_key),
			COUNT(CASE WHEN received_date <= w.e THEN 1 END) FROM w JOIN fact_cases ON `+x.col+` >= w.s AND `+x.col+` <= w.e`+
			where+` GROUP BY w.i`, args...)
		if err != nil {
			return nil, fmt.Errorf("analytics: flow: %s: %w", x.what, err)
		}
		for rows.Next() {
			var i, n, persons, leave int
			if err := rows.Scan(&i, &n, &persons, &leave); err != nil {
				rows.Close()
				return nil, err
			}
			if x.col == "received_date" {
				weeks[i].in = tally{float64(n), persons}
			} else {
				weeks[i].out, weeks[i].leave = tally{float64(n), persons}, tally{float64(leave), 0}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// The backlog: the cases open before the first Monday, then each
	// week's received added and closed taken away.
	var open int64
	if err := s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT COUNT(*) FROM fact_cases`+where+
		` AND received_date < ? AND (closed_date = '' OR closed_date >= ?)`), append(slices.Clone(args), weeks[0].start, weeks[0].start)...).
		Scan(&open); err != nil {
		return nil, fmt.Errorf("analytics: flow: backlog: %w", err)
	}
	var cells []tally
	var sums []sum
	for i, x := range weeks {
		open += int64(x.in.value) - int64(x.leave.value)
		persons, err := s.persons(ctx, `FROM fact_cases`+where+` AND received_date <= ? AND (closed_date = '' OR closed_date > ?)`,
			append(slices.Clone(args), x.end, x.end))
		if err != nil {
			return nil, fmt.Errorf("analytics: flow: backlog: %w", err)
		}
		cells = append(cells, x.in, x.out, tally{float64(open), persons})
		// A week's backlog is the last week's with its inflow added and
		// outflow taken away: one of the four hidden could be worked out.
		if i > 0 {
			sums = append(sums, sum{total: 3*i + 2, parts: []int{3*i - 1, 3 * i, 3*i + 1}})
		}
	}
	hidden := suppress(cells, sums)
	out := []WeekFlow{}
	for i, x := range weeks {
		w, _ := time.Parse(time.DateOnly, x.start)
		y, wk := w.ISOWeek()
		out = append(out, WeekFlow{Week: fmt.Sprintf("%d-W%02d", y, wk), Start: x.start,
			Inflow: shown(cells[3*i], hidden[3*i]), Outflow: shown(cells[3*i+1], hidden[3*i+1]), Backlog: shown(cells[3*i+2], hidden[3*i+2])})
	}
	return out, nil
}

// probeRows is how many rows persons reads before it counts them all.
const probeRows = 256

// persons returns the distinct persons (person_key) of the rows of from
// (a FROM and WHERE clause), exactly when fewer than MinPersons, and
// otherwise at least MinPersons: what suppression needs, counted from the
// first rows alone when they have enough.
func (s *Store) persons(ctx context.Context, from string, args []any) (int, error) {
	var n, rows int
	err := s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT COUNT(DISTINCT person_key), COUNT(*) FROM (SELECT person_key `+from+
		` LIMIT `+fmt.Sprint(probeRows)+`) x`), args...).Scan(&n, &rows)
	if err != nil || n >= MinPersons || rows < probeRows {
		return n, err
	}
	err = s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT COUNT(DISTINCT person_key) `+from), args...).Scan(&n)
	return n, err
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
	// Those still running and not yet overdue are not decided either way.
	where += ` AND status <> 'restarted' AND NOT (status = 'running' AND overdue = 0)`
	const (
		met  = `met_date <> '' AND met_date <= due_date`
		late = `met_date <> '' AND met_date > due_date`
	)
	// Per deadline: due, met and missed and their persons, the persons
	// of those met late; then the days late of those, counted per number.
	rows, err := s.query(ctx, `SELECT 0, deadline_id, COUNT(*), COUNT(DISTINCT person_key),
		COUNT(CASE WHEN `+met+` THEN 1 END), COUNT(DISTINCT CASE WHEN `+met+` THEN person_key END),
		COUNT(CASE WHEN NOT (`+met+`) THEN 1 END), COUNT(DISTINCT CASE WHEN NOT (`+met+`) THEN person_key END),
		COUNT(DISTINCT CASE WHEN `+late+` THEN person_key END) FROM fact_deadlines`+where+` GROUP BY deadline_id
		UNION ALL SELECT 1, deadline_id, days_late, COUNT(*), 0, 0, 0, 0, 0 FROM fact_deadlines`+where+` AND `+late+`
		GROUP BY deadline_id, days_late`, append(slices.Clone(args), args...)...)
	if err != nil {
		return nil, fmt.Errorf("analytics: deadlines: %w", err)
	}
	defer rows.Close()
	type acc struct {
		due, met, missed tally
		latePersons      int
		late             map[int64]int64
	}
	by := map[string]*acc{}
	get := func(id string) *acc {
		if by[id] == nil {
			by[id] = &acc{late: map[int64]int64{}}
		}
		return by[id]
	}
	for rows.Next() {
		var kind int
		var id string
		var v [7]int64
		if err := rows.Scan(&kind, &id, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]); err != nil {
			return nil, err
		}
		a := get(id)
		if kind == 1 {
			a.late[v[0]] += v[1]
			continue
		}
		a.due, a.met, a.missed = tally{float64(v[0]), int(v[1])}, tally{float64(v[2]), int(v[3])}, tally{float64(v[4]), int(v[5])}
		a.latePersons = int(v[6])
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(by))
	for id := range by {
		ids[id] = true
	}
	// Each deadline's due is its met and missed: secondary suppression.
	var cells []tally
	var sums []sum
	list := sortedKeys(ids)
	for i, id := range list {
		a := by[id]
		cells = append(cells, a.due, a.met, a.missed)
		sums = append(sums, sum{total: 3 * i, parts: []int{3*i + 1, 3*i + 2}})
	}
	hidden := suppress(cells, sums)
	out := []DeadlineFigures{}
	for i, id := range list {
		a := by[id]
		row := DeadlineFigures{Deadline: id, Due: shown(cells[3*i], hidden[3*i]), Met: shown(cells[3*i+1], hidden[3*i+1]),
			Missed: shown(cells[3*i+2], hidden[3*i+2])}
		row.MetPercent = percent(row.Met, row.Due)
		row.MedianDaysLate = figure(percentileCounts(a.late, 0.5), a.latePersons)
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
	// Per month and insats ("" for all): orders, planned, performed,
	// visits and deviations, each with its persons.
	type cell struct{ c [5]tally }
	cells := map[[2]string]*cell{}
	get := func(month, insats string) *cell {
		k := [2]string{month, insats}
		if cells[k] == nil {
			cells[k] = &cell{}
		}
		return cells[k]
	}
	var months []string
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	insatser := map[string]bool{}
	// An order counts in each month some day of which it had started and
	// not ended (nor run out); its hours turned into a month's minutes.
	// Read row by row: joined with the months in SQL it was slower.
	type persons struct{ orders, hours map[string]bool }
	who := map[[2]string]*persons{}
	where, args := f.where(tenant, "")
	rows, err := s.query(ctx, `SELECT person_key, insats, amount, amount_unit, amount_period, start_date, valid_to, ended_on FROM fact_orders`+
		where+` AND start_date <> '' AND start_date <= ?`, append(args, months[len(months)-1]+"-31")...)
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
				k := [2]string{m, in}
				c, p := get(m, in), who[k]
				if p == nil {
					p = &persons{orders: map[string]bool{}, hours: map[string]bool{}}
					who[k] = p
				}
				c.c[0].value++
				c.c[1].value += minutes
				p.orders[person] = true
				if unit == "hours" {
					p.hours[person] = true
				}
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for k, p := range who {
		c := cells[k]
		c.c[0].persons, c.c[1] = len(p.orders), tally{math.Round(c.c[1].value), len(p.hours)}
	}

	// Reports (corrected ones replaced): minutes, visits (time and no
	// deviation), deviations, each with its persons; read row by row too.
	type reported struct{ all, visits, deviations map[string]bool }
	by := map[[2]string]*reported{}
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
			k := [2]string{day[:7], in}
			c, r := get(day[:7], in), by[k]
			if r == nil {
				r = &reported{all: map[string]bool{}, visits: map[string]bool{}, deviations: map[string]bool{}}
				by[k] = r
			}
			c.c[2].value += float64(minutes)
			r.all[person] = true
			if deviation != "" {
				c.c[4].value++
				r.deviations[person] = true
			} else if minutes > 0 {
				c.c[3].value++
				r.visits[person] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for k, r := range by {
		c := cells[k]
		c.c[2].persons, c.c[3].persons, c.c[4].persons = len(r.all), len(r.visits), len(r.deviations)
	}
	// Each month's all insatser are the sum of its insatser, column by
	// column: secondary suppression.
	type at struct {
		month, insats string
	}
	var list []at
	var all []tally
	var sums []sum
	for _, m := range months {
		first := len(list)
		for _, in := range append([]string{""}, sortedKeys(insatser)...) {
			c := cells[[2]string{m, in}]
			if c == nil {
				if in != "" {
					continue
				}
				c = &cell{}
			}
			list = append(list, at{m, in})
			all = append(all, c.c[:]...)
		}
		for col := range 5 {
			if len(list) == first+1 {
				break // no insats: nothing to work out
			}
			s := sum{total: 5*first + col}
			for k := first + 1; k < len(list); k++ {
				s.parts = append(s.parts, 5*k+col)
			}
			sums = append(sums, s)
		}
	}
	hidden := suppress(all, sums)
	out := []MonthService{}
	for i, x := range list {
		fig := func(col int) Figure { return shown(all[5*i+col], hidden[5*i+col]) }
		row := MonthService{Month: x.month, Insats: x.insats, Orders: fig(0), PlannedMinutes: fig(1), PerformedMinutes: fig(2),
			Visits: fig(3), Deviations: fig(4)}
		row.DeviationsPer1000 = ratio(row.Deviations, row.Visits, 1000)
		row.PerformedPercent = percent(row.PerformedMinutes, row.PlannedMinutes)
		out = append(out, row)
	}
	return out, nil
}
