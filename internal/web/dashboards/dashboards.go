package dashboards

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/analytics/chart"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// dashboard is one dashboard of the overview: its path and the message
// keys of its name and what it answers.
type dashboard struct {
	Path, Name, About string
}

// dashboardList is the dashboards in the order the overview lists them.
var dashboardList = []dashboard{
	{"/analysis/week", "analysis.week.title", "analysis.week.about"},
	{"/analysis/decision-times", "analysis.dt.title", "analysis.dt.about"},
	{"/analysis/flow", "analysis.flow.title", "analysis.flow.about"},
	{"/analysis/deadlines", "analysis.deadlines.title", "analysis.deadlines.about"},
	{"/analysis/execution", "analysis.execution.title", "analysis.execution.about"},
	{"/analysis/needs", "analysis.needs.title", "analysis.needs.about"},
	{"/analysis/planned-performed", "analysis.pp.title", "analysis.pp.about"},
	{"/analysis/forecast", "analysis.forecast.title", "analysis.forecast.about"},
}

// overviewPage is the overview's data.
type overviewPage struct {
	Dashboards []dashboard
	Available  bool
	OwnUnits   bool
}

// handleOverview lists the dashboards. It reads no figures, so it is not
// logged; anyone but an analyst or a team lead is refused (forbidden).
func (s *handlers) handleOverview(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	ok, err := s.Svc.AnalysisAvailable(a)
	if err != nil {
		return err
	}
	v.Title = v.T("analysis.title")
	v.Data = overviewPage{Dashboards: dashboardList, Available: ok, OwnUnits: !a.HasRole(trygg.RoleAnalyst)}
	return pages.Render(w, http.StatusOK, "overview", *v)
}

// section is one chart of a dashboard: its SVG and its table, and notes
// in words below them.
type section struct {
	Heading string
	SVG     template.HTML
	Table   template.HTML
	Notes   []string
}

// dashboardPage is a dashboard's data: the filter, and the charts when
// the filter was valid.
type dashboardPage struct {
	Heading, Lead string
	Filter        filterForm
	Sections      []section
	// Shown is set when the filter was valid and the figures were read.
	Shown bool
	// Scope says whose figures they are (a team lead's unit).
	Scope string
	// Dashboards and Current are for the links to the other dashboards,
	// which keep the filter.
	Dashboards []dashboard
	Current    string
}

// figures reads a dashboard's figures for the filter in the request and
// renders the page: months is the default period's length, read asks the
// service and returns the sections. A bad filter is shown at its fields
// with no figures (422).
func (s *handlers) figures(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, key string, months int,
	read func(f analytics.Filter, lang chart.Lang, opts service.AnalysisOptions) ([]section, error)) error {
	opts, err := s.Svc.AnalysisOptions(r.Context(), a, v.Lang)
	if err != nil {
		return err
	}
	v.Title = v.T(key + ".title")
	p := dashboardPage{Heading: v.T(key + ".title"), Lead: v.T(key + ".lead"), Dashboards: dashboardList, Current: r.URL.Path}
	today := s.Svc.DB().Now().In(calendar.Sweden)
	var f analytics.Filter
	var ok bool
	p.Filter, f, ok = parseFilter(r.URL.Query(), v, opts, today, months)
	p.Filter.Action = r.URL.Path
	if opts.OwnUnits {
		for _, u := range opts.Units {
			if u.ID == p.Filter.Unit {
				p.Scope = fmt.Sprintf(v.T("analysis.scope.unit"), u.Name)
			}
		}
	}
	if ok {
		lang := chart.Swedish
		if v.Lang == "en" {
			lang = chart.English
		}
		p.Sections, err = read(f, lang, opts)
		switch {
		case serviceErrors(err, &p.Filter, v.Lang):
		case err != nil:
			return err
		default:
			p.Shown = true
		}
	}
	v.Data = p
	status := http.StatusOK
	if !p.Shown {
		status = http.StatusUnprocessableEntity
	}
	return pages.Render(w, status, "dashboard", *v)
}

// val is a figure as a chart's value, scaled by div (minutes to hours).
// A negative figure (days to a decision dated before its application was
// received, which only wrong data gives) cannot be drawn and is left out
// rather than failing the page.
func val(f analytics.Figure, div float64) chart.Value {
	if f.Suppressed {
		return chart.Hidden()
	}
	if f.Value < 0 {
		return chart.Nothing()
	}
	return chart.Num(f.Value / div)
}

// render draws a chart and its table as a section.
func render(heading string, c interface {
	SVG() (template.HTML, error)
	Table() chart.Table
}) (section, error) {
	svg, err := c.SVG()
	if err != nil {
		return section{}, err
	}
	return section{Heading: heading, SVG: svg, Table: c.Table().HTML()}, nil
}

// num writes a figure's value in lang.
func num(x float64, decimals int, lang chart.Lang) string { return chart.Format(x, decimals, lang) }

// handleDecisionTimes shows the time from application to first decision:
// the median and the 90th percentile for e-applications against paper
// ones, and per case type.
func (s *handlers) handleDecisionTimes(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.figures(w, r, a, v, "analysis.dt", 12, func(f analytics.Filter, lang chart.Lang, opts service.AnalysisOptions) ([]section, error) {
		rows, err := s.Svc.AnalysisDecisionTimes(r.Context(), a, f)
		if err != nil {
			return nil, err
		}
		channels := map[string]string{"": v.T("analysis.dt.channel.all"), "portal": v.T("analysis.dt.channel.portal"), "paper": v.T("analysis.dt.channel.paper")}
		caseTypeName := func(id string) string {
			for _, ct := range opts.CaseTypes {
				if ct.ID == id {
					return ct.Name
				}
			}
			return id
		}
		desc := func(all analytics.DecisionTime) string {
			if all.MedianDays.Suppressed {
				return v.T("analysis.dt.desc.hidden")
			}
			return fmt.Sprintf(v.T("analysis.dt.desc"), num(all.MedianDays.Value, 0, lang), num(all.P90Days.Value, 0, lang))
		}
		var byChannel, byType []chart.Group
		var all analytics.DecisionTime
		for _, row := range rows {
			g := chart.Group{Median: val(row.MedianDays, 1), P90: val(row.P90Days, 1)}
			switch {
			case row.CaseType == f.CaseType:
				if row.Channel == "" {
					all = row
				}
				g.Name = channels[row.Channel]
				byChannel = append(byChannel, g)
			case f.CaseType == "" && row.Channel == "":
				g.Name = caseTypeName(row.CaseType)
				byType = append(byType, g)
			}
		}
		var out []section
		sec, err := render(v.T("analysis.dt.channel.title"), chart.Distribution{ID: "dt-channel", Title: v.T("analysis.dt.channel.title"),
			Desc: desc(all), Lang: lang, ValueLabel: v.T("analysis.dt.days"), GroupLabel: v.T("analysis.dt.channel.group"), Groups: byChannel})
		if err != nil {
			return nil, err
		}
		out = append(out, sec)
		if len(byType) > 0 {
			sec, err := render(v.T("analysis.dt.type.title"), chart.Distribution{ID: "dt-type", Title: v.T("analysis.dt.type.title"),
				Desc: v.T("analysis.dt.type.desc"), Lang: lang, ValueLabel: v.T("analysis.dt.days"), GroupLabel: v.T("analysis.filter.casetype"), Groups: byType})
			if err != nil {
				return nil, err
			}
			out = append(out, sec)
		}
		return out, nil
	})
}

// weekLabel is an ISO week ("2026-W02") as the page's language writes it.
func weekLabel(week string, v *server.View) string {
	y, wk, ok := strings.Cut(week, "-W")
	if !ok {
		return week
	}
	n, _ := strconv.Atoi(wk)
	return fmt.Sprintf(v.T("analysis.flow.week"), n, y)
}

// handleFlow shows the cases received and closed each week, and the
// cases open at the end of each week.
func (s *handlers) handleFlow(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.figures(w, r, a, v, "analysis.flow", 3, func(f analytics.Filter, lang chart.Lang, opts service.AnalysisOptions) ([]section, error) {
		weeks, err := s.Svc.AnalysisFlow(r.Context(), a, f)
		if err != nil {
			return nil, err
		}
		var cats []string
		in, out, open := chart.Series{Name: v.T("analysis.flow.inflow")}, chart.Series{Name: v.T("analysis.flow.outflow")}, chart.Series{Name: v.T("analysis.flow.backlog")}
		busiest, most := "", -1.0
		last := ""
		for _, wk := range weeks {
			cats = append(cats, weekLabel(wk.Week, v))
			in.Values = append(in.Values, val(wk.Inflow, 1))
			out.Values = append(out.Values, val(wk.Outflow, 1))
			open.Values = append(open.Values, val(wk.Backlog, 1))
			if !wk.Inflow.Suppressed && wk.Inflow.Value > most {
				busiest, most = cats[len(cats)-1], wk.Inflow.Value
			}
			if !wk.Backlog.Suppressed {
				last = fmt.Sprintf(v.T("analysis.flow.backlog.desc"), num(wk.Backlog.Value, 0, lang), cats[len(cats)-1])
			}
		}
		flowDesc := v.T("analysis.flow.desc.hidden")
		if busiest != "" {
			flowDesc = fmt.Sprintf(v.T("analysis.flow.desc"), busiest, num(most, 0, lang))
		}
		sec1, err := render(v.T("analysis.flow.inout.title"), chart.Line{ID: "flow-inout", Title: v.T("analysis.flow.inout.title"), Desc: flowDesc,
			Lang: lang, ValueLabel: v.T("analysis.flow.cases"), CategoryLabel: v.T("analysis.flow.weekcol"), Categories: cats, Series: []chart.Series{in, out}})
		if err != nil {
			return nil, err
		}
		sec2, err := render(v.T("analysis.flow.backlog.title"), chart.Line{ID: "flow-backlog", Title: v.T("analysis.flow.backlog.title"),
			Desc: cmp.Or(last, v.T("analysis.flow.desc.hidden")), Lang: lang, ValueLabel: v.T("analysis.flow.cases"),
			CategoryLabel: v.T("analysis.flow.weekcol"), Categories: cats, Series: []chart.Series{open}})
		if err != nil {
			return nil, err
		}
		return []section{sec1, sec2}, nil
	})
}

// handleDeadlines shows, per legal deadline that fell due in the period,
// how many were met and missed, and the share met.
func (s *handlers) handleDeadlines(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.figures(w, r, a, v, "analysis.deadlines", 12, func(f analytics.Filter, lang chart.Lang, opts service.AnalysisOptions) ([]section, error) {
		rows, err := s.Svc.AnalysisDeadlines(r.Context(), a, f)
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, nil
		}
		var cats []string
		met, missed, share := chart.Series{Name: v.T("analysis.deadlines.met")}, chart.Series{Name: v.T("analysis.deadlines.missed")},
			chart.Series{Name: v.T("analysis.deadlines.share")}
		worst, lowest := "", 101.0
		for _, row := range rows {
			cats = append(cats, cmp.Or(opts.Deadlines[row.Deadline], row.Deadline))
			met.Values = append(met.Values, val(row.Met, 1))
			missed.Values = append(missed.Values, val(row.Missed, 1))
			share.Values = append(share.Values, val(row.MetPercent, 1))
			if !row.MetPercent.Suppressed && row.MetPercent.Value < lowest {
				worst, lowest = cats[len(cats)-1], row.MetPercent.Value
			}
		}
		desc := v.T("analysis.deadlines.desc.hidden")
		if worst != "" {
			desc = fmt.Sprintf(v.T("analysis.deadlines.desc"), worst, num(lowest, 1, lang))
		}
		sec1, err := render(v.T("analysis.deadlines.share.title"), chart.Bar{ID: "deadlines-share", Title: v.T("analysis.deadlines.share.title"),
			Desc: desc, Lang: lang, Decimals: 1, ValueLabel: v.T("analysis.deadlines.percent"), CategoryLabel: v.T("analysis.deadlines.deadline"),
			Categories: cats, Series: []chart.Series{share}})
		if err != nil {
			return nil, err
		}
		sec2, err := render(v.T("analysis.deadlines.count.title"), chart.Bar{ID: "deadlines-count", Title: v.T("analysis.deadlines.count.title"),
			Desc: v.T("analysis.deadlines.count.desc"), Lang: lang, ValueLabel: v.T("analysis.deadlines.number"), CategoryLabel: v.T("analysis.deadlines.deadline"),
			Categories: cats, Series: []chart.Series{met, missed}, Stacked: true})
		if err != nil {
			return nil, err
		}
		return []section{sec1, sec2}, nil
	})
}

// monthLabel is a month ("2026-01") as the page's language writes it.
func monthLabel(month string, v *server.View) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return v.T("analysis.month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
}

// handlePlannedPerformed shows the time the orders planned against the
// time the providers reported, per month, and the deviations per 1,000
// visits.
func (s *handlers) handlePlannedPerformed(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.figures(w, r, a, v, "analysis.pp", 12, func(f analytics.Filter, lang chart.Lang, opts service.AnalysisOptions) ([]section, error) {
		rows, err := s.Svc.AnalysisPlannedPerformed(r.Context(), a, f)
		if err != nil {
			return nil, err
		}
		var cats []string
		planned, performed := chart.Series{Name: v.T("analysis.pp.planned")}, chart.Series{Name: v.T("analysis.pp.performed")}
		dev := chart.Series{Name: v.T("analysis.pp.deviations")}
		timeDesc, devDesc := v.T("analysis.pp.desc.hidden"), v.T("analysis.pp.desc.hidden")
		for _, row := range rows {
			if row.Insats != "" {
				continue
			}
			m := monthLabel(row.Month, v)
			cats = append(cats, m)
			planned.Values = append(planned.Values, val(row.PlannedMinutes, 60))
			performed.Values = append(performed.Values, val(row.PerformedMinutes, 60))
			dev.Values = append(dev.Values, val(row.DeviationsPer1000, 1))
			if !row.PlannedMinutes.Suppressed {
				timeDesc = fmt.Sprintf(v.T("analysis.pp.desc"), m, num(row.PlannedMinutes.Value/60, 0, lang), num(row.PerformedMinutes.Value/60, 0, lang))
			}
			if !row.DeviationsPer1000.Suppressed {
				devDesc = fmt.Sprintf(v.T("analysis.pp.dev.desc"), m, num(row.DeviationsPer1000.Value, 1, lang))
			}
		}
		sec1, err := render(v.T("analysis.pp.time.title"), chart.Line{ID: "pp-time", Title: v.T("analysis.pp.time.title"), Desc: timeDesc,
			Lang: lang, ValueLabel: v.T("analysis.pp.hours"), CategoryLabel: v.T("analysis.pp.month"), Categories: cats, Series: []chart.Series{planned, performed}})
		if err != nil {
			return nil, err
		}
		sec2, err := render(v.T("analysis.pp.dev.title"), chart.Bar{ID: "pp-dev", Title: v.T("analysis.pp.dev.title"), Desc: devDesc,
			Lang: lang, Decimals: 1, ValueLabel: v.T("analysis.pp.dev.value"), CategoryLabel: v.T("analysis.pp.month"), Categories: cats, Series: []chart.Series{dev}})
		if err != nil {
			return nil, err
		}
		return []section{sec1, sec2}, nil
	})
}
