package analytics

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
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
	// The days to each case's first decision, counted per case type,
	// channel and number of days: the whole months of the period from
	// their summary, the days at either end from the decisions marked
	// first.
	hist := map[[2]string]map[int64]int64{}
	types := map[string]bool{}
	add := func(caseType, channel string, days, n int64) {
		types[caseType] = true
		for _, ct := range []string{"", caseType} {
			for _, ch := range []string{"", channel} {
				k := [2]string{ct, ch}
				if hist[k] == nil {
					hist[k] = map[int64]int64{}
				}
				hist[k][days] += n
			}
		}
	}
	read := func(q string, args []any) error {
		rows, err := s.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var caseType, channel string
			var days, n int64
			if err := rows.Scan(&caseType, &channel, &days, &n); err != nil {
				return err
			}
			add(caseType, channel, days, n)
		}
		return rows.Err()
	}
	months, ends := wholeMonths(f.From, f.To)
	if months[0] <= months[1] {
		where, args := f.where(tenant, "")
		if err := read(`SELECT case_type, channel, days, SUM(n) FROM sum_first_decisions`+where+` AND `+unsought("month")+` >= ? AND `+
			unsought("month")+` <= ?
			GROUP BY case_type, channel, days`, append(args, months[0], months[1])); err != nil {
			return nil, fmt.Errorf("analytics: decision times: %w", err)
		}
	}
	for _, e := range ends {
		where, args := Filter{From: e[0], To: e[1], District: f.District, Unit: f.Unit, CaseType: f.CaseType}.where(tenant, "decided_date")
		if err := read(`SELECT case_type, channel, days_to_decision, COUNT(*) FROM fact_decisions`+where+` AND first_decision = 1
			GROUP BY case_type, channel, days_to_decision`, args); err != nil {
			return nil, fmt.Errorf("analytics: decision times: %w", err)
		}
	}
	// The persons of each case type and channel, then of their sums (a
	// sum has every person of each of its parts: counted only when none
	// of them has enough), then of all.
	cts := append([]string{""}, sortedKeys(types)...)
	persons := map[[2]string]*int{}
	where, args := f.where(tenant, "decided_date")
	count := func(pc *personCounts, k [2]string, parts ...[2]string) {
		p := new(int)
		persons[k] = p
		for _, part := range parts {
			if *persons[part] >= MinPersons {
				*p = *persons[part]
				return
			}
		}
		var n int64
		for _, c := range hist[k] {
			n += c
		}
		from, a := `FROM fact_decisions`+where+` AND first_decision = 1`, slices.Clone(args)
		if k[0] != "" {
			from, a = from+` AND case_type = ?`, append(a, k[0])
		}
		if k[1] != "" {
			from, a = from+` AND channel = ?`, append(a, k[1])
		}
		pc.add(p, n, from, a)
	}
	channels := []string{"portal", "paper"}
	var leaves, sums1, all personCounts
	for _, ct := range cts[1:] {
		for _, ch := range channels {
			count(&leaves, [2]string{ct, ch})
		}
	}
	if err := s.count(ctx, leaves); err != nil {
		return nil, fmt.Errorf("analytics: decision times: %w", err)
	}
	for _, ch := range channels {
		var parts [][2]string
		for _, ct := range cts[1:] {
			parts = append(parts, [2]string{ct, ch})
		}
		count(&sums1, [2]string{"", ch}, parts...)
	}
	for _, ct := range cts[1:] {
		count(&sums1, [2]string{ct, ""}, [2]string{ct, "portal"}, [2]string{ct, "paper"})
	}
	if err := s.count(ctx, sums1); err != nil {
		return nil, fmt.Errorf("analytics: decision times: %w", err)
	}
	count(&all, [2]string{"", ""}, [2]string{"", "portal"}, [2]string{"", "paper"})
	if err := s.count(ctx, all); err != nil {
		return nil, fmt.Errorf("analytics: decision times: %w", err)
	}
	out := []DecisionTime{}
	// The decisions of both channels are the sum of portal and paper, and
	// those of all case types the sum of each type's: secondary
	// suppression hides what subtraction would give away.
	var counts []tally
	var sums []sum
	for i, ct := range cts {
		for _, ch := range []string{"", "portal", "paper"} {
			k := [2]string{ct, ch}
			row := DecisionTime{CaseType: ct, Channel: ch}
			var n int64
			for _, c := range hist[k] {
				n += c
			}
			if n == 0 {
				row.Decisions, row.MedianDays, row.P90Days = figure(0, 0), figure(0, 0), figure(0, 0)
				counts = append(counts, tally{})
			} else {
				p := *persons[k]
				row.MedianDays = figure(percentileCounts(hist[k], 0.5), p)
				row.P90Days = figure(percentileCounts(hist[k], 0.9), p)
				counts = append(counts, tally{float64(n), p})
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

// wholeMonths splits the period from–to (dates, "" where open) into the
// whole months it covers, first and last ("YYYY-MM"; first after last
// when none), and the dates at either end outside them.
func wholeMonths(from, to string) ([2]string, [][2]string) {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	monthEnd := func(d time.Time) string {
		return time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	month := func(d time.Time, n int) string {
		return time.Date(d.Year(), d.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	if from != "" && to != "" && from[:7] == to[:7] {
		if f.Day() == 1 && to == monthEnd(t) {
			return [2]string{from[:7], from[:7]}, nil
		}
		return [2]string{"1", "0"}, [][2]string{{from, to}}
	}
	months := [2]string{"0000-00", "9999-99"}
	var ends [][2]string
	if from != "" {
		months[0] = from[:7]
		if f.Day() != 1 {
			ends = append(ends, [2]string{from, monthEnd(f)})
			months[0] = month(f, 1)
		}
	}
	if to != "" {
		months[1] = to[:7]
		if to != monthEnd(t) {
			ends = append(ends, [2]string{to[:7] + "-01", to})
			months[1] = month(t, -1)
		}
	}
	return months, ends
}

// unsought returns the SQL of a text column as an expression that SQLite
// will not seek an index by (PostgreSQL plans as before): where seeking
// by the column would cost more than what it saves. A summary added up by
// the columns its key starts with is read in its key's order and added up
// as read, instead of being sought by its date and every row read sorted;
// the decisions executed after a day are found by that day, not by the
// period's days to be executed by.
func unsought(col string) string { return col + ` || ''` }

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
		start, end                  string
		in, out, leave              int64
		inPersons, outPersons, open int
	}
	var weeks []*week
	for w := monday; !w.After(to); w = w.AddDate(0, 0, 7) {
		x := &week{start: w.Format(time.DateOnly), end: w.AddDate(0, 0, 6).Format(time.DateOnly)}
		weeks = append(weeks, x)
	}
	last := weeks[len(weeks)-1]
	// The summaries of the cases received and closed, day by day: a
	// week's inflow is its cases received by the period's end; its
	// outflow those closed in it and received by the period's end, of
	// which those received by the week's end leave its backlog. A case
	// received after it was closed (wrong data) is the only one closed in
	// a week before the period's last that was received after either; in
	// the last week, when the period ends before its Sunday, the cases
	// closed are read.
	where, args := f.where(tenant, "")
	weekOf := func(day string) *week {
		d, err := time.Parse(time.DateOnly, day)
		if err != nil || d.Before(monday) {
			return nil
		}
		if i := int(d.Sub(monday).Hours()) / (24 * 7); i < len(weeks) {
			return weeks[i]
		}
		return nil
	}
	scan := func(what, q string, args []any, fn func(day, after string, n int64)) error {
		rows, err := s.query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("analytics: flow: %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			var day, after string
			var n int64
			if err := rows.Scan(&day, &after, &n); err != nil {
				return err
			}
			fn(day, after, n)
		}
		return rows.Err()
	}
	if err := scan("inflow", `SELECT day, '', SUM(n) FROM sum_received`+where+` AND day >= ? AND day <= ? GROUP BY day`,
		append(slices.Clone(args), weeks[0].start, f.To), func(day, _ string, n int64) {
			if w := weekOf(day); w != nil {
				w.in += n
			}
		}); err != nil {
		return nil, err
	}
	if err := scan("outflow", `SELECT day, received_after, SUM(n) FROM sum_closed`+where+` AND day >= ? AND day <= ?
		GROUP BY day, received_after`, append(slices.Clone(args), weeks[0].start, last.end), func(day, after string, n int64) {
		if w := weekOf(day); w != nil && (after == "" || after <= f.To) {
			w.out += n
			if after == "" || after <= w.end {
				w.leave += n
			}
		}
	}); err != nil {
		return nil, err
	}
	if f.To < last.end {
		var n int64
		if err := s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT COUNT(*) FROM fact_cases`+where+
			` AND closed_date >= ? AND closed_date <= ? AND received_date <= ?`), append(slices.Clone(args), last.start, last.end, f.To)...).
			Scan(&n); err != nil {
			return nil, fmt.Errorf("analytics: flow: outflow: %w", err)
		}
		last.out, last.leave = n, n
	}
	// The backlog: the cases open before the first Monday (received
	// before it, less those closed before it), then each week's received
	// added and closed taken away.
	var received, closed int64
	if err := s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT COALESCE(SUM(n), 0) FROM sum_received`+where+` AND day < ?`),
		append(slices.Clone(args), weeks[0].start)...).Scan(&received); err != nil {
		return nil, fmt.Errorf("analytics: flow: backlog: %w", err)
	}
	if err := s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT COALESCE(SUM(n), 0) FROM sum_closed`+where+
		` AND day < ? AND (received_after = '' OR received_after < ?)`), append(slices.Clone(args), weeks[0].start, weeks[0].start)...).
		Scan(&closed); err != nil {
		return nil, fmt.Errorf("analytics: flow: backlog: %w", err)
	}
	open := received - closed
	// The persons of each week's figures, from the cases behind them.
	cases := `FROM fact_cases` + where + ` AND received_date <= ?`
	args = append(args, f.To)
	var pc personCounts
	for _, x := range weeks {
		pc.add(&x.inPersons, x.in, cases+` AND received_date >= ? AND received_date <= ?`, append(slices.Clone(args), x.start, x.end))
		pc.add(&x.outPersons, x.out, cases+` AND closed_date >= ? AND closed_date <= ?`, append(slices.Clone(args), x.start, x.end))
		pc.add(&x.open, -1, cases+` AND received_date <= ? AND (closed_date = '' OR closed_date > ?)`,
			append(slices.Clone(args), x.end, x.end))
	}
	if err := s.count(ctx, pc); err != nil {
		return nil, fmt.Errorf("analytics: flow: %w", err)
	}
	var cells []tally
	var sums []sum
	for i, x := range weeks {
		open += x.in - x.leave
		cells = append(cells, tally{float64(x.in), x.inPersons}, tally{float64(x.out), x.outPersons}, tally{float64(open), x.open})
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
	// Per deadline, from the summaries: due, met, met late and missed
	// (those still running and not yet overdue are not in them, being
	// decided neither way), and the days late of those met late: the
	// whole months of the period from their summary, the days at either
	// end from the deadlines.
	type acc struct {
		due, met, late int64
		lateDays       map[int64]int64
	}
	by := map[string]*acc{}
	get := func(id string) *acc {
		if by[id] == nil {
			by[id] = &acc{lateDays: map[int64]int64{}}
		}
		return by[id]
	}
	read := func(q string, args []any, fn func(id, x string, n int64)) error {
		rows, err := s.query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("analytics: deadlines: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, x string
			var n int64
			if err := rows.Scan(&id, &x, &n); err != nil {
				return err
			}
			fn(id, x, n)
		}
		return rows.Err()
	}
	where, args := f.where(tenant, "day")
	if err := read(`SELECT deadline_id, outcome, SUM(n) FROM sum_deadlines`+where+` GROUP BY day, deadline_id, outcome`, args,
		func(id, outcome string, n int64) {
			a := get(id)
			a.due += n
			switch outcome {
			case "met":
				a.met += n
			case "late":
				a.late += n
			}
		}); err != nil {
		return nil, err
	}
	late := func(id, days string, n int64) {
		d, _ := strconv.ParseInt(days, 10, 64)
		get(id).lateDays[d] += n
	}
	months, ends := wholeMonths(f.From, f.To)
	if months[0] <= months[1] {
		where, args := f.where(tenant, "")
		if err := read(`SELECT deadline_id, days_late, SUM(n) FROM sum_deadlines_late`+where+` AND `+unsought("month")+` >= ? AND `+
			unsought("month")+` <= ?
			GROUP BY deadline_id, days_late`, append(args, months[0], months[1]), late); err != nil {
			return nil, err
		}
	}
	for _, e := range ends {
		where, args := Filter{From: e[0], To: e[1], District: f.District, Unit: f.Unit, CaseType: f.CaseType}.where(tenant, "due_date")
		if err := read(`SELECT deadline_id, days_late, COUNT(*) FROM fact_deadlines`+where+` AND `+deadlineDecided+`
			AND met_date <> '' AND met_date > due_date GROUP BY deadline_id, days_late`, args, late); err != nil {
			return nil, err
		}
	}
	ids := make(map[string]bool, len(by))
	for id := range by {
		ids[id] = true
	}
	// Each deadline's persons: of those met, missed and met late, and of
	// all due unless met or missed already has enough.
	const met = `met_date <> '' AND met_date <= due_date`
	where, args = f.where(tenant, "due_date")
	deadlines := `FROM fact_deadlines` + where + ` AND ` + deadlineDecided + ` AND deadline_id = ?`
	list := sortedKeys(ids)
	persons := make([][4]int, len(list)) // met, missed, late, due
	var parts, dues personCounts
	for i, id := range list {
		a, p := by[id], &persons[i]
		a0 := append(slices.Clone(args), id)
		parts.add(&p[0], a.met, deadlines+` AND `+met, a0)
		parts.add(&p[1], a.due-a.met, deadlines+` AND NOT (`+met+`)`, a0)
		parts.add(&p[2], a.late, deadlines+` AND met_date <> '' AND met_date > due_date`, a0)
	}
	if err := s.count(ctx, parts); err != nil {
		return nil, fmt.Errorf("analytics: deadlines: %w", err)
	}
	for i, id := range list {
		p := &persons[i]
		if p[3] = most(p[0], p[1]); p[3] < MinPersons {
			dues.add(&p[3], by[id].due, deadlines, append(slices.Clone(args), id))
		}
	}
	if err := s.count(ctx, dues); err != nil {
		return nil, fmt.Errorf("analytics: deadlines: %w", err)
	}
	var cells []tally
	var sums []sum
	latePersons := map[string]int{}
	for i, id := range list {
		a, p := by[id], persons[i]
		latePersons[id] = p[2]
		// Each deadline's due is its met and missed: secondary suppression.
		cells = append(cells, tally{float64(a.due), p[3]}, tally{float64(a.met), p[0]}, tally{float64(a.due - a.met), p[1]})
		sums = append(sums, sum{total: 3 * i, parts: []int{3*i + 1, 3*i + 2}})
	}
	hidden := suppress(cells, sums)
	out := []DeadlineFigures{}
	for i, id := range list {
		row := DeadlineFigures{Deadline: id, Due: shown(cells[3*i], hidden[3*i]), Met: shown(cells[3*i+1], hidden[3*i+1]),
			Missed: shown(cells[3*i+2], hidden[3*i+2])}
		row.MetPercent = percent(row.Met, row.Due)
		row.MedianDaysLate = figure(percentileCounts(by[id].lateDays, 0.5), latePersons[id])
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
	// visits and deviations, each with the rows behind it (orders, those
	// in hours, reports, visits, deviations).
	type cell struct {
		c    [5]tally
		rows [5]int64
	}
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
	// not ended (nor run out): from its summary by the months it starts
	// and ends in, its hours turned into a month's minutes.
	where, args := f.where(tenant, "")
	rows, err := s.query(ctx, `SELECT start_month, last_month, insats, amount_unit, amount_period, SUM(n), SUM(amount) FROM sum_orders`+
		where+` AND start_month <= ? GROUP BY start_month, last_month, insats, amount_unit, amount_period`, append(args, months[len(months)-1])...)
	if err != nil {
		return nil, fmt.Errorf("analytics: planned: %w", err)
	}
	for rows.Next() {
		var start, last, insats, unit, period string
		var n, amount int64
		if err := rows.Scan(&start, &last, &insats, &unit, &period, &n, &amount); err != nil {
			rows.Close()
			return nil, err
		}
		for _, m := range months {
			if start > m || (last != "" && last < m) {
				continue
			}
			insatser[insats] = true
			for _, in := range []string{"", insats} {
				c := get(m, in)
				c.c[0].value += float64(n)
				c.rows[0] += n
				if unit == "hours" {
					c.c[1].value += float64(amount) * 60 / 100 * periodsPerMonth[period]
					c.rows[1] += n
				}
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Reports (corrected ones replaced): minutes, visits (time and no
	// deviation) and deviations, from their summary by day.
	where, args = f.where(tenant, "day")
	rows, err = s.query(ctx, `SELECT substr(day, 1, 7), insats, SUM(n), SUM(minutes), SUM(visits), SUM(deviations) FROM sum_performed`+where+
		` AND length(day) >= 7 GROUP BY day, insats`, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics: performed: %w", err)
	}
	for rows.Next() {
		var month, insats string
		var n, minutes, visits, deviations int64
		if err := rows.Scan(&month, &insats, &n, &minutes, &visits, &deviations); err != nil {
			rows.Close()
			return nil, err
		}
		insatser[insats] = true
		for _, in := range []string{"", insats} {
			c := get(month, in)
			c.c[2].value += float64(minutes)
			c.c[3].value += float64(visits)
			c.c[4].value += float64(deviations)
			c.rows[2] += n
			c.rows[3] += visits
			c.rows[4] += deviations
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The persons of each figure: of its rows, or of any of its
	// insatser's with enough, since all insatser have every person of
	// each.
	// A month's reports are those of its days in the period: read from
	// the later of its start and the period's, to the earlier end.
	ow, oa := f.where(tenant, "")
	orders := `FROM fact_orders` + ow + ` AND start_date <> '' AND start_date <= ? AND (` + lastDay + ` = '' OR ` + lastDay + ` >= ?)`
	ins := sortedKeys(insatser)
	type figureRows struct {
		cond string
		args []any
	}
	rowsOf := map[[2]string][5]figureRows{} // per month and insats ("" for all)
	var parts, totals personCounts
	for _, m := range months {
		all := cells[[2]string{m, ""}]
		if all == nil {
			continue
		}
		first, _ := time.Parse("2006-01", m)
		lo, hi, before := max(f.From, m), first.AddDate(0, 1, 0).Format("2006-01"), "<"
		if f.To < hi {
			hi, before = f.To, "<="
		}
		reports := `FROM fact_performed` + ow + ` AND corrected = 0 AND day >= ? AND day ` + before + ` ?`
		conds := [5]string{orders, orders + ` AND amount_unit = 'hours'`, reports, reports + ` AND deviation = '' AND minutes > 0`,
			reports + ` AND deviation <> ''`}
		active, reported := append(slices.Clone(oa), m+"-31", m+"-01"), append(slices.Clone(oa), lo, hi)
		bounds := [5][]any{active, active, reported, reported, reported}
		var rs [5]figureRows
		for col := range 5 {
			rs[col] = figureRows{conds[col], bounds[col]}
			for _, in := range ins {
				if c := cells[[2]string{m, in}]; c != nil {
					parts.add(&c.c[col].persons, c.rows[col], conds[col]+` AND insats = ?`, append(slices.Clone(bounds[col]), in))
				}
			}
		}
		rowsOf[[2]string{m, ""}] = rs
	}
	if err := s.count(ctx, parts); err != nil {
		return nil, fmt.Errorf("analytics: planned and performed: %w", err)
	}
	// All insatser have every person of each.
	for _, m := range months {
		all := cells[[2]string{m, ""}]
		if all == nil {
			continue
		}
		for col := range 5 {
			for _, in := range ins {
				if c := cells[[2]string{m, in}]; c != nil {
					all.c[col].persons = max(all.c[col].persons, c.c[col].persons)
				}
			}
			if all.c[col].persons < MinPersons {
				r := rowsOf[[2]string{m, ""}][col]
				totals.add(&all.c[col].persons, all.rows[col], r.cond, r.args)
			}
		}
	}
	if err := s.count(ctx, totals); err != nil {
		return nil, fmt.Errorf("analytics: planned and performed: %w", err)
	}
	for _, c := range cells {
		c.c[1].value = math.Round(c.c[1].value)
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
		for _, in := range append([]string{""}, ins...) {
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
