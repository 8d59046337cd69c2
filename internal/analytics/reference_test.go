package analytics

// The dashboards' queries as they were before the summaries
// (summary.go): each figure counted from the facts. TestDashboardsAsBefore
// compares the queries with them.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

func (s *Store) RefDecisionTimes(ctx context.Context, tenant trygg.TenantID, f Filter) ([]DecisionTime, error) {
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

func (s *Store) RefFlow(ctx context.Context, tenant trygg.TenantID, f Filter) ([]WeekFlow, error) {
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

func (s *Store) RefDeadlines(ctx context.Context, tenant trygg.TenantID, f Filter) ([]DeadlineFigures, error) {
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

func (s *Store) RefPlannedPerformed(ctx context.Context, tenant trygg.TenantID, f Filter) ([]MonthService, error) {
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

func (s *Store) RefNeedsMatch(ctx context.Context, tenant trygg.TenantID, f Filter, level CodeLevel) ([]CodeMatch, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	group, same := "n.code", "x.code = n.code"
	switch level {
	case ByCode:
	case ByChapter:
		group, same = "substr(n.code, 1, 2)", "substr(x.code, 1, 2) = substr(n.code, 1, 2)"
	default:
		return nil, trygg.Invalid("The code level is not valid.", map[string]string{"level": "Choose code or chapter."})
	}
	system := f.CodeSystem
	if system == "" {
		// The code system most needs are assessed in: which one that is
		// is the definitions' business, not this query's.
		err := s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT code_system FROM fact_codes WHERE tenant_id = ? AND source = 'need'
			GROUP BY code_system ORDER BY count(*) DESC, code_system LIMIT 1`), string(tenant)).Scan(&system)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("analytics: needs match: %w", err)
		}
	}
	conds, args := []string{"n.tenant_id = ?", "n.source = 'need'", "n.code_system = ?"}, []any{string(tenant), system}
	join := ""
	if f.From != "" {
		conds, args = append(conds, "n.on_date >= ?"), append(args, f.From)
	}
	if f.To != "" {
		conds, args = append(conds, "n.on_date <= ?"), append(args, f.To)
	}
	if f.District != "" {
		conds, args = append(conds, "n.district_id = ?"), append(args, f.District)
	}
	if f.Unit != "" || f.CaseType != "" {
		join = ` JOIN fact_cases c ON c.tenant_id = n.tenant_id AND c.case_key = n.case_key`
		if f.Unit != "" {
			conds, args = append(conds, "c.unit_id = ?"), append(args, f.Unit)
		}
		if f.CaseType != "" {
			conds, args = append(conds, "c.case_type = ?"), append(args, f.CaseType)
		}
	}
	exists := func(source string) string {
		return `EXISTS (SELECT 1 FROM fact_codes x WHERE x.tenant_id = n.tenant_id AND x.source = '` + source +
			`' AND x.case_key = n.case_key AND ` + same + `)`
	}
	// The step each person's assessed code reached on its case, nested:
	// 1 a decision granting something, 2 the code in the plan too, 3
	// performed with it too; the later steps are looked up only when the
	// earlier ones were reached. Then the persons who reached each step,
	// per district and (a person's furthest step in any district) for all.
	steps := `SELECT n.district_id AS district, ` + group + ` AS code, n.person_key AS person, MAX(CASE
		WHEN NOT EXISTS (SELECT 1 FROM fact_decisions d WHERE d.tenant_id = n.tenant_id AND d.case_key = n.case_key
			AND d.outcome IN ` + grantedOutcomes + `) THEN 0
		WHEN NOT ` + exists("plan") + ` THEN 1 WHEN NOT ` + exists("performed") + ` THEN 2 ELSE 3 END) AS stage
		FROM fact_codes n` + join + ` WHERE ` + strings.Join(conds, " AND ") + ` GROUP BY n.district_id, ` + group + `, n.person_key`
	const counts = `COUNT(*), COUNT(CASE WHEN stage >= 1 THEN 1 END), COUNT(CASE WHEN stage >= 2 THEN 1 END), COUNT(CASE WHEN stage >= 3 THEN 1 END)`
	q := `WITH s AS (` + steps + `)
		SELECT 1, district, code, ` + counts + ` FROM s GROUP BY district, code
		UNION ALL SELECT 0, '', code, ` + counts + ` FROM (SELECT code, person, MAX(stage) AS stage FROM s GROUP BY code, person) a GROUP BY code`
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: needs match: %w", err)
	}
	defer rows.Close()
	type row struct {
		part           int
		district, code string
		n              [4]int
	}
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.part, &r.district, &r.code, &r.n[0], &r.n[1], &r.n[2], &r.n[3]); err != nil {
			return nil, err
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Per code, all districts first, then the districts by name.
	slices.SortFunc(list, func(a, b row) int {
		if c := strings.Compare(a.code, b.code); c != 0 {
			return c
		}
		if a.part != b.part {
			return a.part - b.part
		}
		return strings.Compare(a.district, b.district)
	})
	// Each count is of persons; each column of a code is the sum of its
	// districts (a person assessed in two districts is in both).
	cells := make([]tally, 0, 4*len(list))
	for _, r := range list {
		for _, v := range r.n {
			cells = append(cells, tally{float64(v), v})
		}
	}
	var sums []sum
	for i := 0; i < len(list); {
		j := i + 1
		for j < len(list) && list[j].code == list[i].code {
			j++
		}
		if list[i].part == 0 {
			for col := range 4 {
				s := sum{total: 4*i + col}
				for k := i + 1; k < j; k++ {
					s.parts = append(s.parts, 4*k+col)
				}
				sums = append(sums, s)
			}
		}
		i = j
	}
	hidden := suppress(cells, sums)
	out := make([]CodeMatch, 0, len(list))
	for i, r := range list {
		fig := func(col int) Figure { return shown(cells[4*i+col], hidden[4*i+col]) }
		m := CodeMatch{District: r.district, Code: r.code, Assessed: fig(0), Decided: fig(1), Planned: fig(2), Performed: fig(3)}
		m.MatchPercent = percent(m.Performed, m.Assessed)
		out = append(out, m)
	}
	return out, nil
}

func (s *Store) RefExecutionDeadlines(ctx context.Context, tenant trygg.TenantID, f Filter, today string) ([]ExecutionFigures, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if err := checkDay(today); err != nil {
		return nil, err
	}
	where, args := f.where(tenant, "execute_by")
	const (
		executed = `executed_date <> '' AND executed_date <= ?`
		inTime   = executed + ` AND executed_date <= execute_by`
		late     = executed + ` AND executed_date > execute_by`
		not      = `(executed_date = '' OR executed_date > ?)`
	)
	cols := `COUNT(*), COUNT(DISTINCT person_key),
		COUNT(CASE WHEN ` + inTime + ` THEN 1 END), COUNT(DISTINCT CASE WHEN ` + inTime + ` THEN person_key END),
		COUNT(CASE WHEN ` + late + ` THEN 1 END), COUNT(DISTINCT CASE WHEN ` + late + ` THEN person_key END),
		COUNT(CASE WHEN ` + not + ` THEN 1 END), COUNT(DISTINCT CASE WHEN ` + not + ` THEN person_key END)`
	colArgs := []any{today, today, today, today, today, today}
	from := ` FROM fact_decisions` + where + ` AND outcome IN ` + grantedOutcomes + ` AND execute_by <> ''
		AND ((executed_date <> '' AND executed_date <= ?) OR execute_by < ?)`
	fromArgs := append(slices.Clone(args), today, today)
	q := `SELECT 0, '', '', ` + cols + from + ` UNION ALL SELECT 1, unit_id, case_type, ` + cols + from + ` GROUP BY unit_id, case_type`
	var all []any
	all = append(append(append(append(all, colArgs...), fromArgs...), colArgs...), fromArgs...)
	rows, err := s.query(ctx, q, all...)
	if err != nil {
		return nil, fmt.Errorf("analytics: execution deadlines: %w", err)
	}
	defer rows.Close()
	type row struct {
		part           int
		unit, caseType string
		c              [4]tally
	}
	var list []row
	for rows.Next() {
		var r row
		var v [8]int64
		if err := rows.Scan(&r.part, &r.unit, &r.caseType, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]); err != nil {
			return nil, err
		}
		for i := range 4 {
			r.c[i] = tally{float64(v[2*i]), int(v[2*i+1])}
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b row) int {
		if a.part != b.part {
			return a.part - b.part
		}
		if c := strings.Compare(a.unit, b.unit); c != 0 {
			return c
		}
		return strings.Compare(a.caseType, b.caseType)
	})
	// Each row's due is the sum of its executed, late and unexecuted; each
	// column of all units the sum of the units'.
	var cells []tally
	var sums []sum
	for i, r := range list {
		cells = append(cells, r.c[:]...)
		sums = append(sums, sum{total: 4 * i, parts: []int{4*i + 1, 4*i + 2, 4*i + 3}})
	}
	for col := range 4 {
		s := sum{total: col}
		for i := 1; i < len(list); i++ {
			s.parts = append(s.parts, 4*i+col)
		}
		sums = append(sums, s)
	}
	hidden := suppress(cells, sums)
	out := make([]ExecutionFigures, 0, len(list))
	for i, r := range list {
		fig := func(col int) Figure { return shown(cells[4*i+col], hidden[4*i+col]) }
		e := ExecutionFigures{Unit: r.unit, CaseType: r.caseType, Due: fig(0), Executed: fig(1), Late: fig(2), Unexecuted: fig(3)}
		e.ExecutedPercent = percent(e.Executed, e.Due)
		out = append(out, e)
	}
	return out, nil
}

func (s *Store) RefForecastVsOutcome(ctx context.Context, tenant trygg.TenantID, f Filter) (ForecastOutcome, error) {
	if err := f.needPeriod(); err != nil {
		return ForecastOutcome{}, err
	}
	from, _ := time.Parse(time.DateOnly, f.From)
	to, _ := time.Parse(time.DateOnly, f.To)
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	var months []string
	for m := first; !m.After(to); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	next := first.AddDate(0, len(months), 0).Format("2006-01")
	whole := f
	whole.From, whole.To = months[0]+"-01", months[len(months)-1]+"-31"

	// Each month's value and rows in one pass; its persons (at most its
	// rows) counted only for months of five rows or more, from the
	// month's first rows when they have five.
	where, args := whole.where(tenant, "received_date")
	inflow, err := s.refMonthly(ctx, `SELECT substr(received_date, 1, 7), COUNT(*), COUNT(*) FROM fact_cases`+where+
		` GROUP BY substr(received_date, 1, 7)`, args, `FROM fact_cases`+where+` AND received_date >= ? AND received_date <= ?`)
	if err != nil {
		return ForecastOutcome{}, fmt.Errorf("analytics: inflow: %w", err)
	}
	where, args = whole.where(tenant, "decided_date")
	where += ` AND outcome IN ` + grantedOutcomes + ` AND amount_unit = 'hours'`
	// Hours are kept in hundredths; an amount per day, week or year is
	// turned into one per month as PlannedPerformed does.
	hours, err := s.refMonthly(ctx, `SELECT substr(decided_date, 1, 7), SUM(amount * CASE amount_period WHEN 'day' THEN 365.0 / 12
		WHEN 'week' THEN 52.0 / 12 WHEN 'year' THEN 1.0 / 12 ELSE 1.0 END) / 100.0, COUNT(*) FROM fact_decisions`+where+
		` GROUP BY substr(decided_date, 1, 7)`, args, `FROM fact_decisions`+where+` AND decided_date >= ? AND decided_date <= ?`)
	if err != nil {
		return ForecastOutcome{}, fmt.Errorf("analytics: decided hours: %w", err)
	}
	out := ForecastOutcome{Inflow: seriesForecast("inflow", months, next, inflow)}
	out.DecidedHours = seriesForecast("decided_hours", months, next, hours)
	return out, nil
}

func (s *Store) refMonthly(ctx context.Context, q string, args []any, from string) (map[string]tally, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	out := map[string]tally{}
	for rows.Next() {
		var month string
		var v float64
		var n int
		if err := rows.Scan(&month, &v, &n); err != nil {
			rows.Close()
			return nil, err
		}
		out[month] = tally{math.Round(10*v) / 10, n}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for month, t := range out {
		if t.persons < MinPersons {
			continue // fewer rows than that: fewer persons too
		}
		if t.persons, err = s.persons(ctx, from, append(slices.Clone(args), month+"-01", month+"-31")); err != nil {
			return nil, err
		}
		out[month] = t
	}
	return out, nil
}

func (s *Store) RefTeamWeekPage(ctx context.Context, tenant trygg.TenantID, units []string, today string) (TeamWeek, error) {
	if len(units) == 0 {
		return TeamWeek{}, trygg.Invalid("Choose at least one unit.", map[string]string{"units": "Choose at least one unit."})
	}
	if err := checkDay(today); err != nil {
		return TeamWeek{}, err
	}
	units = slices.Clone(units)
	slices.Sort(units)
	units = slices.Compact(units)
	in := "unit_id IN (?" + strings.Repeat(", ?", len(units)-1) + ")"
	base := []any{string(tenant)}
	for _, u := range units {
		base = append(base, u)
	}
	// scalar runs a query giving a value and its distinct persons.
	scalar := func(what, q string, args ...any) (Figure, tally, error) {
		var c tally
		var v float64
		err := s.read.QueryRowContext(ctx, rebind(s.pg, q), append(slices.Clone(base), args...)...).Scan(&v, &c.persons)
		if err != nil {
			return Figure{}, c, fmt.Errorf("analytics: team week: %s: %w", what, err)
		}
		c.value = math.Round(v)
		return figure(c.value, c.persons), c, nil
	}
	d, _ := time.Parse(time.DateOnly, today)
	monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	week := func(start, end time.Time) (WeekSummary, error) {
		y, wk := start.ISOWeek()
		w := WeekSummary{Week: fmt.Sprintf("%d-W%02d", y, wk), Start: start.Format(time.DateOnly), End: end.Format(time.DateOnly)}
		var err error
		if w.NewCases, _, err = scalar("new cases", `SELECT COUNT(*), COUNT(DISTINCT person_key) FROM fact_cases WHERE tenant_id = ? AND `+in+
			` AND received_date >= ? AND received_date <= ?`, w.Start, w.End); err != nil {
			return w, err
		}
		if w.Decisions, _, err = scalar("decisions", `SELECT COUNT(*), COUNT(DISTINCT person_key) FROM fact_decisions WHERE tenant_id = ? AND `+in+
			` AND decided_date >= ? AND decided_date <= ?`, w.Start, w.End); err != nil {
			return w, err
		}
		w.Backlog, _, err = scalar("backlog", `SELECT COUNT(*), COUNT(DISTINCT person_key) FROM fact_cases WHERE tenant_id = ? AND `+in+
			` AND received_date <= ? AND (closed_date = '' OR closed_date > ?)`, w.End, w.End)
		return w, err
	}
	out := TeamWeek{Units: units, Today: today}
	var err error
	if out.LastWeek, err = week(monday.AddDate(0, 0, -7), monday.AddDate(0, 0, -1)); err != nil {
		return out, err
	}
	if out.ThisWeek, err = week(monday, d); err != nil {
		return out, err
	}
	// A deadline runs at the end of today when it started by today, was
	// not met by today, and its case was not closed by today.
	running := ` FROM fact_deadlines dl WHERE dl.tenant_id = ? AND dl.` + in + ` AND dl.status <> 'restarted' AND dl.started_date <= ?
		AND (dl.met_date = '' OR dl.met_date > ?) AND NOT EXISTS (SELECT 1 FROM fact_cases c WHERE c.tenant_id = dl.tenant_id
		AND c.case_key = dl.case_key AND c.closed_date <> '' AND c.closed_date <= ?)`
	if out.DueNext7Days, _, err = scalar("due", `SELECT COUNT(*), COUNT(DISTINCT dl.person_key)`+running+` AND dl.due_date > ? AND dl.due_date <= ?`,
		today, today, today, today, d.AddDate(0, 0, 7).Format(time.DateOnly)); err != nil {
		return out, err
	}
	if out.Overdue, _, err = scalar("overdue", `SELECT COUNT(*), COUNT(DISTINCT dl.person_key)`+running+` AND dl.due_date < ?`,
		today, today, today, today); err != nil {
		return out, err
	}
	if out.Unexecuted, _, err = scalar("unexecuted", `SELECT COUNT(*), COUNT(DISTINCT person_key) FROM fact_decisions WHERE tenant_id = ? AND `+in+
		` AND outcome IN `+grantedOutcomes+` AND execute_by <> '' AND execute_by < ? AND (executed_date = '' OR executed_date > ?)`,
		today, today); err != nil {
		return out, err
	}
	// Last week's planned time: each order that had started and not ended
	// some day of the week, its amount turned into a week's.
	lastStart, lastEnd := out.LastWeek.Start, out.LastWeek.End
	if out.PlannedMinutes, _, err = scalar("planned", `SELECT COALESCE(SUM(amount * 60.0 / 100 * CASE amount_period WHEN 'day' THEN 7.0
		WHEN 'week' THEN 1.0 WHEN 'year' THEN 1.0 / 52 ELSE 12.0 / 52 END), 0), COUNT(DISTINCT person_key) FROM fact_orders
		WHERE tenant_id = ? AND `+in+` AND amount_unit = 'hours' AND start_date <> '' AND start_date <= ?
		AND (ended_on = '' OR ended_on >= ?) AND (valid_to = '' OR valid_to >= ?)`, lastEnd, lastStart, lastStart); err != nil {
		return out, err
	}
	if out.PerformedMinutes, _, err = scalar("performed", `SELECT COALESCE(SUM(minutes), 0), COUNT(DISTINCT person_key) FROM fact_performed
		WHERE tenant_id = ? AND `+in+` AND corrected = 0 AND day >= ? AND day <= ?`, lastStart, lastEnd); err != nil {
		return out, err
	}
	out.PerformedPercent = percent(out.PerformedMinutes, out.PlannedMinutes)
	return out, nil
}

// Refresh counts the summaries, first decisions and steps from the facts
// as a rebuild does.
func (s *Store) Refresh(ctx context.Context) error { return s.refresh(ctx) }

// SummaryTables are the summaries' tables, the sets of persons assessed
// and the marks of those still to write.
var SummaryTables = append(summaryTables(), "sum_needs", "need_pending_persons", "need_pending_cells")
