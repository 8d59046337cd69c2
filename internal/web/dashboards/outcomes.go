package dashboards

import (
	"cmp"
	"fmt"
	"net/http"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/analytics/chart"
	"github.com/trygg/trygg/internal/analytics/forecast"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// maxSeries is the most series one chart draws (chart's limit): more
// districts are drawn in several charts.
const maxSeries = 6

// handleNeeds shows need → decision → plan → performed on the same ICF
// chapters: of the persons whose need was assessed, how many had it
// granted, planned and performed, and per district the share whose
// performed help matches the need.
func (s *handlers) handleNeeds(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.figures(w, r, a, v, "analysis.needs", 12, func(f analytics.Filter, lang chart.Lang, opts service.AnalysisOptions) ([]section, error) {
		rows, err := s.Svc.AnalysisNeedsMatch(r.Context(), a, f, analytics.ByChapter)
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, nil
		}
		districtName := map[string]string{}
		for _, d := range opts.Districts {
			districtName[d.ID] = d.Name
		}
		var cats []string
		at := map[string]int{} // chapter -> category
		steps := []chart.Series{{Name: v.T("analysis.needs.assessed")}, {Name: v.T("analysis.needs.decided")},
			{Name: v.T("analysis.needs.planned")}, {Name: v.T("analysis.needs.performed")}}
		var districts []string
		match := map[string][]chart.Value{}
		most, mostName, mostPct := -1.0, "", analytics.Figure{Suppressed: true}
		for _, row := range rows {
			if row.District == "" {
				name := cmp.Or(opts.Codes[row.Code], row.Code)
				at[row.Code] = len(cats)
				cats = append(cats, name)
				for i, fig := range []analytics.Figure{row.Assessed, row.Decided, row.Planned, row.Performed} {
					steps[i].Values = append(steps[i].Values, val(fig, 1))
				}
				if !row.Assessed.Suppressed && row.Assessed.Value > most {
					most, mostName, mostPct = row.Assessed.Value, name, row.MatchPercent
				}
				continue
			}
			if _, ok := match[row.District]; !ok {
				districts = append(districts, row.District)
				match[row.District] = nil
			}
		}
		for _, d := range districts {
			match[d] = make([]chart.Value, len(cats))
			for i := range match[d] {
				match[d][i] = chart.Nothing()
			}
		}
		worst, worstAt, lowest := "", "", 101.0
		for _, row := range rows {
			if row.District == "" {
				continue
			}
			i := at[row.Code]
			match[row.District][i] = val(row.MatchPercent, 1)
			if !row.MatchPercent.Suppressed && row.MatchPercent.Value < lowest {
				worst, worstAt, lowest = cats[i], cmp.Or(districtName[row.District], row.District), row.MatchPercent.Value
			}
		}
		desc := v.T("analysis.needs.desc.hidden")
		if mostName != "" {
			desc = fmt.Sprintf(v.T("analysis.needs.desc"), mostName, num(most, 0, lang))
			if !mostPct.Suppressed {
				desc += " " + fmt.Sprintf(v.T("analysis.needs.desc.match"), num(mostPct.Value, 1, lang))
			}
		}
		out := []section{}
		sec, err := render(v.T("analysis.needs.steps.title"), chart.Bar{ID: "needs-steps", Title: v.T("analysis.needs.steps.title"), Desc: desc,
			Lang: lang, ValueLabel: v.T("analysis.needs.persons"), CategoryLabel: v.T("analysis.needs.chapter"), Categories: cats, Series: steps})
		if err != nil {
			return nil, err
		}
		out = append(out, sec)
		matchDesc := v.T("analysis.needs.match.desc.hidden")
		if worst != "" {
			matchDesc = fmt.Sprintf(v.T("analysis.needs.match.desc"), worst, worstAt, num(lowest, 1, lang))
		}
		for start := 0; start < len(districts); start += maxSeries {
			var series []chart.Series
			for _, d := range districts[start:min(start+maxSeries, len(districts))] {
				series = append(series, chart.Series{Name: cmp.Or(districtName[d], d), Values: match[d]})
			}
			id, title := "needs-match", v.T("analysis.needs.match.title")
			if len(districts) > maxSeries {
				id = fmt.Sprintf("needs-match-%d", start/maxSeries+1)
				title = fmt.Sprintf(v.T("analysis.needs.match.title.part"), start/maxSeries+1)
			}
			sec, err := render(title, chart.Bar{ID: id, Title: title, Desc: matchDesc, Lang: lang, Decimals: 1,
				ValueLabel: v.T("analysis.needs.percent"), CategoryLabel: v.T("analysis.needs.chapter"), Categories: cats, Series: series})
			if err != nil {
				return nil, err
			}
			out = append(out, sec)
		}
		return out, nil
	})
}

// handleExecution shows the decisions granting something whose three
// months to be executed in ended in the period: executed in time, later
// or not yet, for all units and each unit and case type.
func (s *handlers) handleExecution(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.figures(w, r, a, v, "analysis.execution", 12, func(f analytics.Filter, lang chart.Lang, opts service.AnalysisOptions) ([]section, error) {
		rows, err := s.Svc.AnalysisExecution(r.Context(), a, f)
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, nil
		}
		unitName, typeName := map[string]string{}, map[string]string{}
		for _, u := range opts.Units {
			unitName[u.ID] = u.Name
		}
		for _, ct := range opts.CaseTypes {
			typeName[ct.ID] = ct.Name
		}
		var cats []string
		inTime, late, not := chart.Series{Name: v.T("analysis.execution.intime")}, chart.Series{Name: v.T("analysis.execution.late")},
			chart.Series{Name: v.T("analysis.execution.not")}
		share := chart.Series{Name: v.T("analysis.execution.share")}
		for i, row := range rows {
			name := v.T("analysis.execution.all")
			if i > 0 || row.Unit != "" {
				name = cmp.Or(unitName[row.Unit], row.Unit)
				if f.CaseType == "" {
					name = fmt.Sprintf(v.T("analysis.execution.unittype"), name, cmp.Or(typeName[row.CaseType], row.CaseType))
				}
			}
			cats = append(cats, name)
			inTime.Values = append(inTime.Values, val(row.Executed, 1))
			late.Values = append(late.Values, val(row.Late, 1))
			not.Values = append(not.Values, val(row.Unexecuted, 1))
			share.Values = append(share.Values, val(row.ExecutedPercent, 1))
		}
		all := rows[0]
		desc := v.T("analysis.execution.desc.hidden")
		if !all.Due.Suppressed && !all.ExecutedPercent.Suppressed {
			desc = fmt.Sprintf(v.T("analysis.execution.desc"), num(all.Due.Value, 0, lang), num(all.ExecutedPercent.Value, 1, lang))
			if !all.Unexecuted.Suppressed {
				desc += " " + fmt.Sprintf(v.T("analysis.execution.desc.not"), num(all.Unexecuted.Value, 0, lang))
			}
		}
		sec1, err := render(v.T("analysis.execution.share.title"), chart.Bar{ID: "execution-share", Title: v.T("analysis.execution.share.title"),
			Desc: desc, Lang: lang, Decimals: 1, ValueLabel: v.T("analysis.execution.percent"), CategoryLabel: v.T("analysis.filter.unit"),
			Categories: cats, Series: []chart.Series{share}})
		if err != nil {
			return nil, err
		}
		sec2, err := render(v.T("analysis.execution.count.title"), chart.Bar{ID: "execution-count", Title: v.T("analysis.execution.count.title"),
			Desc: v.T("analysis.execution.count.desc"), Lang: lang, ValueLabel: v.T("analysis.execution.number"), CategoryLabel: v.T("analysis.filter.unit"),
			Categories: cats, Series: []chart.Series{inTime, late, not}, Stacked: true})
		if err != nil {
			return nil, err
		}
		return []section{sec1, sec2}, nil
	})
}

// handleForecast shows each month's inflow and decided hours against
// what the forecast method would have said, next month's forecast, and
// the method and its error in words.
func (s *handlers) handleForecast(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.figures(w, r, a, v, "analysis.forecast", 24, func(f analytics.Filter, lang chart.Lang, opts service.AnalysisOptions) ([]section, error) {
		fo, err := s.Svc.AnalysisForecast(r.Context(), a, f)
		if err != nil {
			return nil, err
		}
		var out []section
		for _, sf := range []analytics.SeriesForecast{fo.Inflow, fo.DecidedHours} {
			key := "analysis.forecast." + sf.Series
			sec, err := forecastSection(sf, key, v, lang)
			if err != nil {
				return nil, err
			}
			out = append(out, sec)
		}
		return out, nil
	})
}

// forecastSection draws one series' outcome and forecasts: what came
// each month, the backtest's forecasts for its months and next month's,
// dashed; the notes say the forecast, the method and its error.
func forecastSection(sf analytics.SeriesForecast, key string, v *server.View, lang chart.Lang) (section, error) {
	var cats []string
	outcome := chart.Series{Name: v.T("analysis.forecast.outcome")}
	predicted := chart.Series{Name: v.T("analysis.forecast.predicted"), Forecast: true}
	backtest := map[string]float64{}
	for _, c := range sf.Backtest {
		backtest[c.Month] = c.Forecast
	}
	for _, m := range sf.History {
		cats = append(cats, monthLabel(m.Month, v))
		outcome.Values = append(outcome.Values, val(m.Value, 1))
		if x, ok := backtest[m.Month]; ok {
			predicted.Values = append(predicted.Values, chart.Num(max(0, x)))
		} else {
			predicted.Values = append(predicted.Values, chart.Nothing())
		}
	}
	next := monthLabel(sf.Month, v)
	cats = append(cats, next)
	outcome.Values = append(outcome.Values, chart.Nothing())
	var notes []string
	desc := v.T("analysis.forecast.desc.none")
	if sf.Made {
		predicted.Values = append(predicted.Values, chart.Num(max(0, sf.Forecast)))
		desc = fmt.Sprintf(v.T(key+".desc"), next, num(sf.Forecast, 0, lang))
		notes = append(notes, desc)
		switch sf.Method {
		case forecast.SeasonalNaive:
			notes = append(notes, v.T("analysis.forecast.method.seasonal"))
		case forecast.SES:
			notes = append(notes, fmt.Sprintf(v.T("analysis.forecast.method.ses"), num(100*sf.Alpha, 0, lang)))
		default:
			notes = append(notes, v.T("analysis.forecast.method.naive"))
		}
		if !sf.MAE.Suppressed {
			mae := v.Tn(key+".mae", len(sf.Backtest), num(sf.MAE.Value, 0, lang))
			desc += " " + mae
			notes = append(notes, mae)
		} else {
			notes = append(notes, v.T("analysis.forecast.mae.none"))
		}
	} else {
		predicted.Values = append(predicted.Values, chart.Nothing())
		notes = append(notes, v.T("analysis.forecast.notmade"))
	}
	if sf.LeftOut > 0 && sf.Made {
		notes = append(notes, v.Tn("analysis.forecast.leftout", sf.LeftOut, monthLabel(sf.From, v)))
	}
	sec, err := render(v.T(key+".title"), chart.Line{ID: "forecast-" + sf.Series, Title: v.T(key + ".title"), Desc: desc, Lang: lang,
		ValueLabel: v.T(key + ".unit"), CategoryLabel: v.T("analysis.pp.month"), Categories: cats, Series: []chart.Series{outcome, predicted}})
	if err != nil {
		return section{}, err
	}
	sec.Notes = notes
	return sec, nil
}
