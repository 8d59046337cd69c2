package dashboards

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/analytics/chart"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// weekPage is the team lead's weekly page: the choice of units, and the
// charts once the units were read.
type weekPage struct {
	Heading, Lead string
	Filter        filterForm
	Sections      []section
	// Shown is set when the figures were read; Prompt when an analyst has
	// not yet chosen a unit or a district.
	Shown, Prompt bool
	Scope         string
	Dashboards    []dashboard
	Current       string
}

// handleWeek shows what a team lead needs weekly for her units on one
// page, as things stand today: last week and this week so far, the
// deadlines to watch and the decisions not executed, and last week's
// planned against performed time. A team lead sees all her units
// together unless she chooses one, or a district's; an analyst chooses.
func (s *handlers) handleWeek(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	opts, err := s.Svc.AnalysisOptions(r.Context(), a, v.Lang)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := weekPage{Heading: v.T("analysis.week.title"), Lead: v.T("analysis.week.lead"), Dashboards: dashboardList, Current: r.URL.Path,
		Filter: filterForm{Action: r.URL.Path, Unit: strings.TrimSpace(q.Get("unit")), District: strings.TrimSpace(q.Get("district")),
			Options: opts, Errors: map[string]string{}}}
	v.Title = p.Heading
	status := http.StatusOK
	if p.Filter.Unit == "" && p.Filter.District == "" && !opts.OwnUnits {
		p.Prompt = true
		v.Data = p
		return pages.Render(w, status, "week", *v)
	}
	tw, err := s.Svc.AnalysisTeamWeek(r.Context(), a, p.Filter.Unit, p.Filter.District)
	switch {
	case serviceErrors(err, &p.Filter, v.Lang):
		status = http.StatusUnprocessableEntity
	case err != nil:
		return err
	default:
		lang := chart.Swedish
		if v.Lang == "en" {
			lang = chart.English
		}
		if p.Sections, err = weekSections(tw, v, lang); err != nil {
			return err
		}
		p.Shown = true
		names := map[string]string{}
		for _, u := range opts.Units {
			names[u.ID] = u.Name
		}
		var units []string
		for _, id := range tw.Units {
			units = append(units, cmp.Or(names[id], id))
		}
		p.Scope = fmt.Sprintf(v.T("analysis.week.scope"), strings.Join(units, ", "), weekLabel(tw.ThisWeek.Week, v))
	}
	v.Data = p
	return pages.Render(w, status, "week", *v)
}

// weekSections draws the weekly page's three charts.
func weekSections(tw analytics.TeamWeek, v *server.View, lang chart.Lang) ([]section, error) {
	last := chart.Series{Name: fmt.Sprintf(v.T("analysis.week.last"), weekLabel(tw.LastWeek.Week, v))}
	this := chart.Series{Name: fmt.Sprintf(v.T("analysis.week.this"), weekLabel(tw.ThisWeek.Week, v))}
	for _, p := range []struct {
		s *chart.Series
		w analytics.WeekSummary
	}{{&last, tw.LastWeek}, {&this, tw.ThisWeek}} {
		p.s.Values = []chart.Value{val(p.w.NewCases, 1), val(p.w.Decisions, 1), val(p.w.Backlog, 1)}
	}
	weekDesc := v.T("analysis.week.cases.desc.hidden")
	if !tw.LastWeek.NewCases.Suppressed && !tw.LastWeek.Decisions.Suppressed {
		weekDesc = fmt.Sprintf(v.T("analysis.week.cases.desc"), num(tw.LastWeek.NewCases.Value, 0, lang), num(tw.LastWeek.Decisions.Value, 0, lang))
	}
	sec1, err := render(v.T("analysis.week.cases.title"), chart.Bar{ID: "week-cases", Title: v.T("analysis.week.cases.title"), Desc: weekDesc,
		Lang: lang, ValueLabel: v.T("analysis.flow.cases"), CategoryLabel: v.T("analysis.week.what"),
		Categories: []string{v.T("analysis.week.new"), v.T("analysis.week.decisions"), v.T("analysis.week.open")}, Series: []chart.Series{last, this}})
	if err != nil {
		return nil, err
	}
	watch := chart.Series{Name: v.T("analysis.week.number"), Values: []chart.Value{val(tw.DueNext7Days, 1), val(tw.Overdue, 1), val(tw.Unexecuted, 1)}}
	watchDesc := v.T("analysis.week.watch.desc.hidden")
	if !tw.Overdue.Suppressed {
		watchDesc = fmt.Sprintf(v.T("analysis.week.watch.desc"), num(tw.Overdue.Value, 0, lang))
	}
	sec2, err := render(v.T("analysis.week.watch.title"), chart.Bar{ID: "week-watch", Title: v.T("analysis.week.watch.title"), Desc: watchDesc,
		Lang: lang, ValueLabel: v.T("analysis.week.number"), CategoryLabel: v.T("analysis.week.what"),
		Categories: []string{v.T("analysis.week.due"), v.T("analysis.week.overdue"), v.T("analysis.week.unexecuted")}, Series: []chart.Series{watch}})
	if err != nil {
		return nil, err
	}
	hours := chart.Series{Name: v.T("analysis.pp.hours"), Values: []chart.Value{val(tw.PlannedMinutes, 60), val(tw.PerformedMinutes, 60)}}
	timeDesc := v.T("analysis.pp.desc.hidden")
	if !tw.PerformedPercent.Suppressed {
		timeDesc = fmt.Sprintf(v.T("analysis.week.time.desc"), num(tw.PerformedPercent.Value, 1, lang))
	}
	sec3, err := render(v.T("analysis.week.time.title"), chart.Bar{ID: "week-time", Title: v.T("analysis.week.time.title"), Desc: timeDesc,
		Lang: lang, ValueLabel: v.T("analysis.pp.hours"), CategoryLabel: v.T("analysis.week.what"),
		Categories: []string{v.T("analysis.pp.planned"), v.T("analysis.pp.performed")}, Series: []chart.Series{hours}})
	if err != nil {
		return nil, err
	}
	return []section{sec1, sec2, sec3}, nil
}
