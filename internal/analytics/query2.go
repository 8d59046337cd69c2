package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/analytics/forecast"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/trygg"
)

// tally is a figure before suppression: its value and the distinct persons
// behind it.
type tally struct {
	value   float64
	persons int
}

// sum says that the tally at total is the sum of the tallies at parts, so
// that one hidden tally of them could be worked out from the others.
type sum struct {
	total int
	parts []int
}

// suppress returns which cells are hidden: first each tally from fewer
// than MinPersons persons (primary suppression); then, until no sum has
// exactly one hidden tally, in each sum that has one the shown part with
// the smallest value (of equal ones the first), or the total when no part
// is shown (secondary suppression), so no hidden tally can be worked out by
// subtraction.
func suppress(cells []tally, sums []sum) []bool {
	hidden := make([]bool, len(cells))
	for i, c := range cells {
		hidden[i] = c.persons < MinPersons
	}
	for changed := true; changed; {
		changed = false
		for _, s := range sums {
			n := 0
			if hidden[s.total] {
				n++
			}
			for _, p := range s.parts {
				if hidden[p] {
					n++
				}
			}
			if n != 1 {
				continue
			}
			pick := -1
			for _, p := range s.parts {
				if !hidden[p] && (pick < 0 || cells[p].value < cells[pick].value) {
					pick = p
				}
			}
			if pick < 0 {
				pick = s.total
			}
			if !hidden[pick] {
				hidden[pick], changed = true, true
			}
		}
	}
	return hidden
}

// shown returns the tally's value as a Figure, suppressed when hidden.
func shown(c tally, hidden bool) Figure {
	if hidden || c.persons < MinPersons {
		return Figure{Suppressed: true}
	}
	return Figure{Value: c.value, persons: c.persons}
}

// percent returns part of whole in percent with one decimal, suppressed
// when either is hidden (a share of shown figures shows nothing new; a
// share of a hidden one would give it away), and 0 for a whole of 0.
func percent(part, whole Figure) Figure { return ratio(part, whole, 100) }

// ratio returns part per per of whole with one decimal, suppressed as
// percent is.
func ratio(part, whole Figure, per float64) Figure {
	if part.Suppressed || whole.Suppressed {
		return Figure{Suppressed: true}
	}
	persons := min(part.persons, whole.persons)
	if whole.Value == 0 {
		return Figure{persons: persons}
	}
	return Figure{Value: math.Round(10*per*part.Value/whole.Value) / 10, persons: persons}
}

// ExecuteBy returns the day by which a decision made on the date decided
// (YYYY-MM-DD) is to be executed: three months later, on the same day
// number or the month's last day (IVO's rule for unexecuted decisions);
// "" when decided is not a date.
func ExecuteBy(decided string) string {
	d, err := time.Parse(time.DateOnly, decided)
	if err != nil {
		return ""
	}
	return calendar.Period{N: 3, Unit: 'm'}.After(d).Format(time.DateOnly)
}

// grantedOutcomes is the SQL list of the outcomes that grant something.
const grantedOutcomes = `('granted', 'partly')`

// CodeLevel says how NeedsMatch groups ICF codes: by code or by chapter.
type CodeLevel string

// The code levels.
const (
	// ByCode counts each code on its own ("d510").
	ByCode CodeLevel = "code"
	// ByChapter counts the codes of a chapter together: the component's
	// letter and the chapter's digit ("d5": self-care).
	ByChapter CodeLevel = "chapter"
)

// CodeMatch is how the help given matches the needs assessed for one ICF
// code or chapter in one district (District "" for all): the persons
// whose need was assessed with it in a signed assessment, those of them
// with a final decision granting something on the same case, those of
// them whose implementation plan on the case has it, and those of them
// with an insats performed on the case and reported with it; MatchPercent
// is the share of the assessed whose performed help matches, in percent.
type CodeMatch struct {
	District     string `json:"district"`
	Code         string `json:"code"`
	Assessed     Figure `json:"assessed"`
	Decided      Figure `json:"decided"`
	Planned      Figure `json:"planned"`
	Performed    Figure `json:"performed"`
	MatchPercent Figure `json:"match_percent"`
}

// NeedsMatch returns need → decision → plan → performed on the same ICF
// codes for the needs assessed in the filter's period, per code (or
// chapter, by level) in code order, each with all districts first, then
// each district with an assessment in name order. A district row is
// hidden where it alone would be; see suppress. Returns an invalid error
// for a bad filter or level.
func (s *Store) NeedsMatch(ctx context.Context, tenant trygg.TenantID, f Filter, level CodeLevel) ([]CodeMatch, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	cellLevel := levelCode
	switch level {
	case ByCode:
	case ByChapter:
		cellLevel = levelChapter
	default:
		return nil, trygg.Invalid("The code level is not valid.", map[string]string{"level": "Choose code or chapter."})
	}
	system := f.CodeSystem
	if system == "" {
		// The code system most needs are assessed in: which one that is
		// is the definitions' business, not this query's.
		err := s.read.QueryRowContext(ctx, rebind(s.pg, `SELECT code_system FROM sum_code_systems WHERE tenant_id = ?
			ORDER BY n DESC, code_system LIMIT 1`), string(tenant)).Scan(&system)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("analytics: needs match: %w", err)
		}
	}
	// The persons assessed with each code (or chapter) on the period's
	// days, each with the step reached on the case (needs.go: 1 a
	// decision granting something, 2 the code, or its chapter, in the
	// plan too, 3 performed with it too): merged, a person counts once
	// per district, with the furthest step there, and once for all, with
	// the furthest step anywhere.
	where, args := f.where(tenant, "day")
	rows, err := s.query(ctx, `SELECT code, district_id, persons FROM sum_needs`+where+` AND code_system = ? AND level = ?`,
		append(args, system, cellLevel)...)
	if err != nil {
		return nil, fmt.Errorf("analytics: needs match: %w", err)
	}
	defer rows.Close()
	byCode := map[string]*needEntries{}
	var districts []string
	districtOf := map[string]int{}
	for rows.Next() {
		var code, district string
		var set []byte
		if err := rows.Scan(&code, &district, &set); err != nil {
			return nil, err
		}
		d, ok := districtOf[district]
		if !ok {
			d = len(districts)
			districtOf[district] = d
			districts = append(districts, district)
		}
		es := byCode[code]
		if es == nil {
			es = &needEntries{}
			byCode[code] = es
		}
		if err := decodeNeeds(set, func(p [16]byte, step byte) { es.add(p, uint16(d), step) }); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	type row struct {
		part           int
		district, code string
		n              [4]int
	}
	var list []row
	reached := func(n *[4]int, step int) {
		for k := 0; k <= step && k < 4; k++ {
			n[k]++
		}
	}
	for code, gathered := range byCode {
		es := gathered.sorted()
		all := row{part: 0, code: code}
		per := make([]row, len(districts))
		for i := 0; i < len(es); {
			person, furthest := es[i], -1
			for i < len(es) && es[i].samePerson(person) {
				// The person's entries of one district, then the next.
				d, most := es[i].district, -1
				for ; i < len(es) && es[i].samePerson(person) && es[i].district == d; i++ {
					most = max(most, int(es[i].step))
				}
				reached(&per[d].n, most)
				per[d].part = 1
				furthest = max(furthest, most)
			}
			reached(&all.n, furthest)
		}
		list = append(list, all)
		for d, r := range per {
			if r.part == 1 {
				r.district, r.code = districts[d], code
				list = append(list, r)
			}
		}
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

// ExecutionFigures are the final decisions granting something of one unit
// and case type (both "" for all) whose three months to be executed in
// ended in a period: how many (Due; those not yet executed whose three
// months still run are left out), executed within the three months, executed
// later, not executed (IVO's unexecuted decisions), and the share
// executed in time in percent.
type ExecutionFigures struct {
	Unit            string `json:"unit"`
	CaseType        string `json:"case_type"`
	Due             Figure `json:"due"`
	Executed        Figure `json:"executed"`
	Late            Figure `json:"late"`
	Unexecuted      Figure `json:"unexecuted"`
	ExecutedPercent Figure `json:"executed_percent"`
}

// ExecutionDeadlines returns, as things stood on today (YYYY-MM-DD), the
// decisions whose day to be executed by (three months after the
// decision, ExecuteBy) is in the filter's period: all units first, then
// per unit and case type in name order. A decision executed after today
// counts as not yet executed. Returns an invalid error for a bad filter
// or day.
func (s *Store) ExecutionDeadlines(ctx context.Context, tenant trygg.TenantID, f Filter, today string) ([]ExecutionFigures, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if err := checkDay(today); err != nil {
		return nil, err
	}
	// Per unit and case type, from the summary of the decisions by the
	// day to be executed by: executed in time, late, or not (counted only
	// once that day has passed); then the decisions executed after today,
	// which as things stood on today were not executed yet.
	type row struct {
		unit, caseType string
		c              [4]tally // due, in time, late, not
	}
	by := map[[2]string]*row{}
	get := func(unit, caseType string) *row {
		k := [2]string{unit, caseType}
		if by[k] == nil {
			by[k] = &row{unit: unit, caseType: caseType}
		}
		return by[k]
	}
	class := map[string]int{"in_time": 1, "late": 2, "no": 3}
	where, args := f.where(tenant, unsought("day"))
	rows, err := s.query(ctx, `SELECT unit_id, case_type, executed, SUM(n) FROM sum_execution`+where+
		` AND (executed <> 'no' OR day < ?) GROUP BY unit_id, case_type, executed`, append(args, today)...)
	if err != nil {
		return nil, fmt.Errorf("analytics: execution deadlines: %w", err)
	}
	for rows.Next() {
		var unit, caseType, executed string
		var n int64
		if err := rows.Scan(&unit, &caseType, &executed, &n); err != nil {
			rows.Close()
			return nil, err
		}
		get(unit, caseType).c[class[executed]].value += float64(n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// (Grouped by the unit last: grouped by it first, SQLite would read
	// every decision by unit to spare itself the sorting.)
	where, args = f.where(tenant, unsought("execute_by"))
	rows, err = s.query(ctx, `SELECT unit_id, case_type, CASE WHEN executed_date <= execute_by THEN 1 ELSE 2 END,
		CASE WHEN execute_by < ? THEN 1 ELSE 0 END, COUNT(*) FROM fact_decisions`+where+` AND executed_date > ? AND `+granted+`
		AND execute_by <> '' GROUP BY 3, 4, 1, 2`, append(append([]any{today}, args...), today)...)
	if err != nil {
		return nil, fmt.Errorf("analytics: execution deadlines: %w", err)
	}
	for rows.Next() {
		var unit, caseType string
		var class, passed int
		var n float64
		if err := rows.Scan(&unit, &caseType, &class, &passed, &n); err != nil {
			rows.Close()
			return nil, err
		}
		r := get(unit, caseType)
		r.c[class].value -= n
		if passed == 1 {
			r.c[3].value += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var list []*row
	for _, r := range by {
		if r.c[0].value = r.c[1].value + r.c[2].value + r.c[3].value; r.c[0].value > 0 {
			list = append(list, r)
		}
	}
	slices.SortFunc(list, func(a, b *row) int {
		if c := strings.Compare(a.unit, b.unit); c != 0 {
			return c
		}
		return strings.Compare(a.caseType, b.caseType)
	})
	total := &row{}
	for _, r := range list {
		for i := range 4 {
			total.c[i].value += r.c[i].value
		}
	}
	list = append([]*row{total}, list...)
	// The persons of each figure: of its decisions, or of a part's when
	// one has enough (a row's due has every person of its executed, late
	// and not executed; all units' every person of each unit's).
	const (
		executed = `executed_date <> '' AND executed_date <= ?`
		inTime   = executed + ` AND executed_date <= execute_by`
		late     = executed + ` AND executed_date > execute_by`
		not      = `(executed_date = '' OR executed_date > ?)`
	)
	where, args = f.where(tenant, "execute_by")
	from := `FROM fact_decisions` + where + ` AND ` + granted + ` AND execute_by <> ''
		AND ((executed_date <> '' AND executed_date <= ?) OR execute_by < ?)`
	args = append(args, today, today)
	conds := [4]string{"", ` AND ` + inTime, ` AND ` + late, ` AND ` + not}
	count := func(pc *personCounts, r *row, col int) {
		cond, a := conds[col], slices.Clone(args)
		if col > 0 {
			a = append(a, today)
		}
		if r != total {
			cond, a = cond+` AND unit_id = ? AND case_type = ?`, append(a, r.unit, r.caseType)
		}
		pc.add(&r.c[col].persons, int64(r.c[col].value), from+cond, a)
	}
	var units, parts, all personCounts
	for _, r := range list[1:] {
		for col := 1; col < 4; col++ {
			count(&units, r, col)
		}
	}
	if err := s.count(ctx, units); err != nil {
		return nil, fmt.Errorf("analytics: execution deadlines: %w", err)
	}
	for col := 1; col < 4; col++ {
		for _, r := range list[1:] {
			total.c[col].persons = max(total.c[col].persons, r.c[col].persons)
		}
		if total.c[col].persons < MinPersons {
			count(&parts, total, col)
		}
	}
	for _, r := range list[1:] {
		if r.c[0].persons = most(r.c[1].persons, r.c[2].persons, r.c[3].persons); r.c[0].persons < MinPersons {
			count(&parts, r, 0)
		}
	}
	if err := s.count(ctx, parts); err != nil {
		return nil, fmt.Errorf("analytics: execution deadlines: %w", err)
	}
	total.c[0].persons = most(total.c[1].persons, total.c[2].persons, total.c[3].persons)
	for _, r := range list[1:] {
		total.c[0].persons = max(total.c[0].persons, r.c[0].persons)
	}
	if total.c[0].persons < MinPersons {
		count(&all, total, 0)
	}
	if err := s.count(ctx, all); err != nil {
		return nil, fmt.Errorf("analytics: execution deadlines: %w", err)
	}
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

// checkDay checks a day given as today.
func checkDay(day string) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return trygg.Invalid("The day is not valid.", map[string]string{"today": "Give a date as YYYY-MM-DD."})
	}
	return nil
}

// MonthValue is one month's figure of a series.
type MonthValue struct {
	Month string `json:"month"` // "2026-01"
	Value Figure `json:"value"`
}

// MonthCheck is one month of a forecast's backtest: what the method would
// have forecast for it from the months before it, and what came.
type MonthCheck struct {
	Month    string  `json:"month"`
	Forecast float64 `json:"forecast"`
	Actual   float64 `json:"actual"`
}

// SeriesForecast is a monthly series, its forecast for the next month and
// how the forecast would have done over the last months. The forecast is
// made only from shown figures: from the months after the last suppressed
// one (From; LeftOut months before it are left out, and a dashboard says
// so). Made is false when there is no shown month after the last
// suppressed one. MAE is suppressed when there is no backtest to give an
// error (one month).
type SeriesForecast struct {
	Series   string           `json:"series"` // "inflow" or "decided_hours"
	History  []MonthValue     `json:"history"`
	From     string           `json:"from"`
	LeftOut  int              `json:"left_out"`
	Month    string           `json:"month"` // the month forecast
	Made     bool             `json:"made"`
	Forecast float64          `json:"forecast"`
	Method   forecast.Method  `json:"method"`
	Alpha    float64          `json:"alpha"`
	Backtest []MonthCheck     `json:"backtest"`
	MAE      Figure           `json:"mae"`
	Scores   []forecast.Score `json:"scores"`
}

// ForecastOutcome is "forecast vs outcome": the monthly inflow of cases
// (received) and decided hours (per month, of the final decisions
// granting hours made in the month), each with next month's forecast.
type ForecastOutcome struct {
	Inflow       SeriesForecast `json:"inflow"`
	DecidedHours SeriesForecast `json:"decided_hours"`
}

// ForecastVsOutcome returns the inflow and decided hours of each month
// with a day in the filter's period (which must have both dates; give
// whole months: a month is counted whole), and the forecasts of the month
// after its last (internal/analytics/forecast). Returns an invalid error
// for a bad filter.
func (s *Store) ForecastVsOutcome(ctx context.Context, tenant trygg.TenantID, f Filter) (ForecastOutcome, error) {
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

	// Each month's value and rows from the summaries; its persons (at
	// most its rows) counted only for months of five rows or more, from
	// the month's first rows when they have five.
	// (A month's persons are read from its own days: the period is whole
	// months.)
	where, args := whole.where(tenant, "day")
	facts, fargs := whole.where(tenant, "")
	inflow, err := s.monthly(ctx, `SELECT substr(day, 1, 7), SUM(n), SUM(n) FROM sum_received`+where+
		` GROUP BY day`, args, `FROM fact_cases`+facts+` AND received_date >= ? AND received_date <= ?`, fargs)
	if err != nil {
		return ForecastOutcome{}, fmt.Errorf("analytics: inflow: %w", err)
	}
	decisions, dargs := facts+` AND outcome IN `+grantedOutcomes+` AND amount_unit = 'hours'`, fargs
	// Hours are kept in hundredths; an amount per day, week or year is
	// turned into one per month as PlannedPerformed does.
	hours, err := s.monthly(ctx, `SELECT substr(day, 1, 7), (SUM(hours_month) + SUM(hours_day) * (365.0 / 12) + SUM(hours_week) * (52.0 / 12)
		+ SUM(hours_year) * (1.0 / 12)) / 100.0, SUM(hours_n) FROM sum_decisions`+where+` GROUP BY substr(day, 1, 7)`, args,
		`FROM fact_decisions`+decisions+` AND decided_date >= ? AND decided_date <= ?`, dargs)
	if err != nil {
		return ForecastOutcome{}, fmt.Errorf("analytics: decided hours: %w", err)
	}
	out := ForecastOutcome{Inflow: seriesForecast("inflow", months, next, inflow)}
	out.DecidedHours = seriesForecast("decided_hours", months, next, hours)
	return out, nil
}

// monthly runs a query giving month, value and rows (per month, or per
// day with the day's month: added up), and
// counts the persons of each month of MinPersons rows or more in the rows
// of from (a FROM and WHERE clause taking fromArgs and then the month's
// first and last day).
func (s *Store) monthly(ctx context.Context, q string, args []any, from string, fromArgs []any) (map[string]tally, error) {
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
		t := out[month]
		out[month] = tally{t.value + v, t.persons + n}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	persons := map[string]*int{}
	var pc personCounts
	for month, t := range out {
		persons[month] = new(int)
		pc.add(persons[month], int64(t.persons), from, append(slices.Clone(fromArgs), month+"-01", month+"-31"))
	}
	if err := s.count(ctx, pc); err != nil {
		return nil, err
	}
	for month, t := range out {
		out[month] = tally{math.Round(10*t.value) / 10, *persons[month]}
	}
	return out, nil
}

// seriesForecast suppresses a series' months and forecasts its next
// month from the shown months after the last suppressed one.
func seriesForecast(name string, months []string, next string, by map[string]tally) SeriesForecast {
	sf := SeriesForecast{Series: name, Month: next, History: []MonthValue{}, Backtest: []MonthCheck{}, MAE: Figure{Suppressed: true}}
	start := 0
	for i, m := range months {
		c := by[m]
		hidden := c.persons < MinPersons
		sf.History = append(sf.History, MonthValue{Month: m, Value: shown(c, hidden)})
		if hidden {
			start = i + 1
		}
	}
	sf.LeftOut = start
	if start == len(months) {
		return sf
	}
	sf.From = months[start]
	var y []float64
	persons := 0
	for i, m := range months[start:] {
		y = append(y, by[m].value)
		if i == 0 || by[m].persons < persons {
			persons = by[m].persons
		}
	}
	res, err := forecast.Forecast(y, 12, 1)
	if err != nil {
		return sf // a value out of range: no forecast
	}
	sf.Made, sf.Forecast, sf.Method, sf.Alpha, sf.Scores = true, math.Round(10*res.Next[0])/10, res.Method, res.Alpha, res.Scores
	for _, c := range res.Backtest {
		sf.Backtest = append(sf.Backtest, MonthCheck{Month: months[start+c.Index], Forecast: math.Round(10*c.Forecast) / 10, Actual: c.Actual})
	}
	if len(res.Backtest) > 0 {
		sf.MAE = Figure{Value: math.Round(10*res.MAE) / 10, persons: persons}
	}
	return sf
}

// WeekSummary is one week's cases of a team: received, decisions made
// (final decisions, any outcome), and cases open at its end (for the
// current week, at the end of today).
type WeekSummary struct {
	Week      string `json:"week"` // ISO week, "2026-W07"
	Start     string `json:"start"`
	End       string `json:"end"` // Sunday, or today for the current week
	NewCases  Figure `json:"new_cases"`
	Decisions Figure `json:"decisions"`
	Backlog   Figure `json:"backlog"`
}

// TeamWeek is what a team lead needs weekly on one page for their units,
// as things stand at the end of Today: last week and this week so far;
// deadlines running that are due in the next 7 days and those overdue;
// final decisions granting something not executed three months after they
// were made; and last week's time planned by the orders (a whole week of
// each order active some day of it) against the time performed.
type TeamWeek struct {
	Units            []string    `json:"units"`
	Today            string      `json:"today"`
	LastWeek         WeekSummary `json:"last_week"`
	ThisWeek         WeekSummary `json:"this_week"`
	DueNext7Days     Figure      `json:"due_next_7_days"`
	Overdue          Figure      `json:"overdue"`
	Unexecuted       Figure      `json:"unexecuted"`
	PlannedMinutes   Figure      `json:"planned_minutes"`
	PerformedMinutes Figure      `json:"performed_minutes"`
	PerformedPercent Figure      `json:"performed_percent"`
}

// TeamWeekPage returns the team lead's weekly page for units (at least
// one) on today (YYYY-MM-DD), from facts dated up to today. Returns an
// invalid error without units or with a bad day.
func (s *Store) TeamWeekPage(ctx context.Context, tenant trygg.TenantID, units []string, today string) (TeamWeek, error) {
	if len(units) == 0 {
		return TeamWeek{}, trygg.Invalid("Choose at least one unit.", map[string]string{"units": "Choose at least one unit."})
	}
	if err := checkDay(today); err != nil {
		return TeamWeek{}, err
	}
	units = slices.Clone(units)
	slices.Sort(units)
	units = slices.Compact(units)
	// where narrows a table to the tenant and the units; u gives its
	// arguments followed by args.
	where := ` WHERE tenant_id = ? AND unit_id IN (?` + strings.Repeat(", ?", len(units)-1) + `)`
	u := func(args ...any) []any {
		out := []any{string(tenant)}
		for _, x := range units {
			out = append(out, x)
		}
		return append(out, args...)
	}
	// Each figure is a query giving its value and the rows behind it
	// (all of them read in one statement), and the rows (from, a FROM and
	// WHERE clause) whose persons are counted (together, after).
	type figureQuery struct {
		f        *Figure
		q        string
		args     []any
		from     string
		fromArgs []any
		value    float64
		rows     int64
		persons  int
	}
	var figures []*figureQuery
	scalar := func(f *Figure, q string, args []any, from string, fromArgs []any) {
		figures = append(figures, &figureQuery{f: f, q: q, args: args, from: from, fromArgs: fromArgs})
	}
	d, _ := time.Parse(time.DateOnly, today)
	monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	week := func(w *WeekSummary, start, end time.Time) {
		y, wk := start.ISOWeek()
		*w = WeekSummary{Week: fmt.Sprintf("%d-W%02d", y, wk), Start: start.Format(time.DateOnly), End: end.Format(time.DateOnly)}
		scalar(&w.NewCases, `SELECT COALESCE(SUM(n), 0), COALESCE(SUM(n), 0) FROM sum_received`+where+` AND day >= ? AND day <= ?`,
			u(w.Start, w.End), `FROM fact_cases`+where+` AND received_date >= ? AND received_date <= ?`, u(w.Start, w.End))
		scalar(&w.Decisions, `SELECT COALESCE(SUM(n), 0), COALESCE(SUM(n), 0) FROM sum_decisions`+where+` AND day >= ? AND day <= ?`,
			u(w.Start, w.End), `FROM fact_decisions`+where+` AND decided_date >= ? AND decided_date <= ?`, u(w.Start, w.End))
		// Open at the end of the week: received by then, less those
		// closed by then (a case received after it was closed, only when
		// received by then too).
		backlog := `(SELECT COALESCE(SUM(n), 0) FROM sum_received` + where + ` AND day <= ?) - (SELECT COALESCE(SUM(n), 0) FROM sum_closed` +
			where + ` AND day <= ? AND (received_after = '' OR received_after <= ?))`
		scalar(&w.Backlog, `SELECT `+backlog+`, `+backlog, append(append(u(w.End), u(w.End, w.End)...), append(u(w.End), u(w.End, w.End)...)...),
			`FROM fact_cases`+where+` AND received_date <= ? AND (closed_date = '' OR closed_date > ?)`, u(w.End, w.End))
	}
	out := TeamWeek{Units: units, Today: today}
	week(&out.LastWeek, monday.AddDate(0, 0, -7), monday.AddDate(0, 0, -1))
	week(&out.ThisWeek, monday, d)
	// A deadline runs at the end of today when it started by today, was
	// not met by today (not at all, or later: read apart, each by the
	// units' deadlines by when they were met), and its case was not
	// closed by today.
	running := func(due string, dueArgs ...any) (string, []any) {
		var parts []string
		var args []any
		for _, met := range []string{`dl.met_date = ''`, `dl.met_date > ?`} {
			due := due
			if met != `dl.met_date = ''` {
				due = strings.ReplaceAll(due, "dl.due_date", unsought("dl.due_date"))
			}
			parts = append(parts, `SELECT dl.person_key FROM fact_deadlines dl WHERE dl.tenant_id = ? AND dl.unit_id IN (?`+
				strings.Repeat(", ?", len(units)-1)+`) AND `+met+` AND `+due+` AND dl.status <> 'restarted' AND dl.started_date <= ?
				AND NOT EXISTS (SELECT 1 FROM fact_cases c WHERE c.tenant_id = dl.tenant_id AND c.case_key = dl.case_key
				AND c.closed_date <> '' AND c.closed_date <= ?)`)
			a := u()
			if met != `dl.met_date = ''` {
				a = append(a, today)
			}
			args = append(append(append(args, a...), dueArgs...), today, today)
		}
		return `FROM (` + strings.Join(parts, ` UNION ALL `) + `) x`, args
	}
	from, args := running(`dl.due_date > ? AND dl.due_date <= ?`, today, d.AddDate(0, 0, 7).Format(time.DateOnly))
	scalar(&out.DueNext7Days, `SELECT COUNT(*), COUNT(*) `+from, args, from, args)
	from, args = running(`dl.due_date < ?`, today)
	scalar(&out.Overdue, `SELECT COUNT(*), COUNT(*) `+from, args, from, args)
	// Not executed three months after: never executed (the summary), or
	// executed only after today.
	late := `FROM fact_decisions` + where + ` AND ` + granted + ` AND execute_by <> '' AND execute_by < ? AND executed_date > ?`
	unexecuted := `(SELECT COALESCE(SUM(n), 0) FROM sum_execution` + where + ` AND executed = 'no' AND day < ?) + (SELECT COUNT(*) ` + late + `)`
	scalar(&out.Unexecuted, `SELECT `+unexecuted+`, `+unexecuted, append(append(u(today), u(today, today)...), append(u(today), u(today, today)...)...),
		`FROM fact_decisions`+where+` AND `+granted+` AND execute_by <> '' AND execute_by < ? AND (executed_date = '' OR executed_date > ?)`,
		u(today, today))
	// Last week's planned time: each order that had started and not ended
	// some day of the week, its amount turned into a week's.
	lastStart, lastEnd := out.LastWeek.Start, out.LastWeek.End
	orders := ` FROM fact_orders` + where + ` AND amount_unit = 'hours' AND start_date <> '' AND start_date <= ?
		AND (ended_on = '' OR ended_on >= ?) AND (valid_to = '' OR valid_to >= ?)`
	scalar(&out.PlannedMinutes, `SELECT COALESCE(SUM(amount * 60.0 / 100 * CASE amount_period WHEN 'day' THEN 7.0
		WHEN 'week' THEN 1.0 WHEN 'year' THEN 1.0 / 52 ELSE 12.0 / 52 END), 0), COUNT(*)`+orders, u(lastEnd, lastStart, lastStart),
		orders, u(lastEnd, lastStart, lastStart))
	scalar(&out.PerformedMinutes, `SELECT COALESCE(SUM(minutes), 0), COALESCE(SUM(n), 0) FROM sum_performed`+where+` AND day >= ? AND day <= ?`,
		u(lastStart, lastEnd), `FROM fact_performed`+where+` AND corrected = 0 AND day >= ? AND day <= ?`, u(lastStart, lastEnd))

	var q []string
	var qargs []any
	for i, f := range figures {
		q = append(q, `SELECT `+strconv.Itoa(i)+`, x`+strconv.Itoa(i)+`.* FROM (`+f.q+`) x`+strconv.Itoa(i))
		qargs = append(qargs, f.args...)
	}
	rows, err := s.query(ctx, strings.Join(q, ` UNION ALL `), qargs...)
	if err != nil {
		return out, fmt.Errorf("analytics: team week: %w", err)
	}
	for rows.Next() {
		var i int
		var v float64
		var n int64
		if err := rows.Scan(&i, &v, &n); err != nil {
			rows.Close()
			return out, err
		}
		figures[i].value, figures[i].rows = v, n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	var pc personCounts
	for _, f := range figures {
		pc.add(&f.persons, f.rows, f.from, f.fromArgs)
	}
	if err := s.count(ctx, pc); err != nil {
		return out, fmt.Errorf("analytics: team week: %w", err)
	}
	for _, f := range figures {
		*f.f = figure(math.Round(f.value), f.persons)
	}
	out.PerformedPercent = percent(out.PerformedMinutes, out.PlannedMinutes)
	return out, nil
}
