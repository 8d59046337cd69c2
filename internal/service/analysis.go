package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/trygg"
)

// The dashboards' reads of the analysis store (docs/analytics.md). An
// analyst (analytiker) reads the whole tenant's figures, a team lead
// (arbetsledare) those of the units she leads; nobody else. The figures
// are counts over pseudonyms with small cells suppressed: no name or
// identity number is in the store, and nothing here joins one. Every read
// is access-logged before its figures are returned, with no person or
// case, on the ground access.RelAnalysis, the dashboard and its filter as
// the reason.

// errNoAnalytics refuses the dashboards on a server without an analysis
// store (no pseudonym key).
var errNoAnalytics = trygg.Errorf(trygg.EUnavailable, "Analysis is not switched on for this server.")

// AnalysisUnit is a unit, district or case type a dashboard may be
// filtered by: its id and its name.
type AnalysisUnit struct {
	ID, Name string
	// District is a unit's district ("" for districts and case types).
	District string
}

// AnalysisOptions are what the actor may filter the dashboards by, and
// the names the figures' codes are shown with.
type AnalysisOptions struct {
	// Districts and Units are those the actor may see: every one for an
	// analyst, the units she leads (and their districts) for a team lead.
	Districts, Units []AnalysisUnit
	CaseTypes        []AnalysisUnit
	// OwnUnits says the actor sees only her own units (a team lead who is
	// not an analyst): a filter without a unit is narrowed to the first.
	OwnUnits bool
	// Deadlines and Insatser name the deadlines' and insatser's ids
	// (those of every case type), in the language asked for.
	Deadlines, Insatser map[string]string
	// Codes names the needs' codes and chapters (ICF for the IBIC packs:
	// the labels of the code systems orders carry needs in), in the
	// language asked for.
	Codes map[string]string
}

// AnalysisOptions returns what the actor may filter the dashboards by. It
// returns forbidden to anyone but an analyst or a team lead, and
// unavailable when the server has no analysis store.
func (s *Service) AnalysisOptions(ctx context.Context, a trygg.Actor, lang string) (AnalysisOptions, error) {
	if _, err := access.Decide(a, access.ReadAnalysis, access.Subject{}); err != nil {
		return AnalysisOptions{}, err
	}
	if s.Analytics == nil {
		return AnalysisOptions{}, errNoAnalytics
	}
	units, err := s.Analytics.Units(ctx, a.Tenant)
	if err != nil {
		return AnalysisOptions{}, err
	}
	out := AnalysisOptions{OwnUnits: !a.HasRole(trygg.RoleAnalyst), Deadlines: map[string]string{}, Insatser: map[string]string{},
		Codes: map[string]string{}}
	names := map[string]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	// A district is the unit other units' cases count under (their
	// parent, docs/analytics.md); a root counts as its own and is no
	// district to choose.
	isDistrict := map[string]bool{}
	for _, u := range units {
		if u.ID != u.District {
			isDistrict[u.District] = true
		}
	}
	for _, u := range units {
		if u.ID == u.District {
			delete(isDistrict, u.ID)
		}
	}
	districts := map[string]bool{}
	for _, u := range units {
		if u.ID == u.District || isDistrict[u.ID] || (out.OwnUnits && !leads(a, u.Path)) {
			continue
		}
		out.Units = append(out.Units, AnalysisUnit{ID: u.ID, Name: u.Name, District: u.District})
		districts[u.District] = true
	}
	for _, u := range units {
		if isDistrict[u.ID] && districts[u.ID] {
			out.Districts = append(out.Districts, AnalysisUnit{ID: u.ID, Name: u.Name})
		}
	}
	labels, err := s.Labels(ctx, a, lang)
	if err != nil {
		return AnalysisOptions{}, err
	}
	types, err := s.Analytics.CaseTypes(ctx, a.Tenant)
	if err != nil {
		return AnalysisOptions{}, err
	}
	for _, ct := range types {
		out.CaseTypes = append(out.CaseTypes, AnalysisUnit{ID: ct, Name: cmpOr(labels.CaseTypes[ct], ct)})
	}
	slices.SortFunc(out.CaseTypes, func(x, y AnalysisUnit) int { return strings.Compare(x.Name, y.Name) })
	for _, ins := range labels.Insatser {
		for id, name := range ins {
			out.Insatser[id] = name
		}
	}
	if comp, err := s.latest(ctx, a.Tenant); err == nil {
		for _, ct := range comp.Bundle.CaseTypes {
			for _, d := range ct.Deadlines {
				out.Deadlines[d.ID.Value] = d.Name.In(lang)
			}
		}
		// The needs' code systems are those the case types' orders carry
		// needs in (ICF for the IBIC packs): the definitions say which.
		for _, ct := range comp.Bundle.CaseTypes {
			if ct.Orders == nil {
				continue
			}
			cs := comp.FieldCodeSystem(ct.Orders.Form.Value, ct.Orders.Needs.Value)
			for _, c := range comp.Codes(cs) {
				out.Codes[c.Code.Value] = comp.CodeLabel(cs, c.Code.Value, lang)
			}
		}
	}
	return out, nil
}

func cmpOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// leads reports whether a leads a unit (team lead) whose subtree holds
// the unit at path.
func leads(a trygg.Actor, path string) bool {
	for _, g := range a.Grants {
		if g.Role == trygg.RoleTeamLead && org.Contains(g.UnitPath, path) {
			return true
		}
	}
	return false
}

// AnalysisDecisionTimes returns the time from application to first
// decision (analytics.Store.DecisionTimes) for the filter, narrowed to the
// actor's units, and logs the read. Errors: forbidden (not an analyst or
// team lead), invalid (a bad filter, or a unit or district not hers),
// unavailable (no analysis store, or the log could not be written).
func (s *Service) AnalysisDecisionTimes(ctx context.Context, a trygg.Actor, f analytics.Filter) ([]analytics.DecisionTime, error) {
	var out []analytics.DecisionTime
	err := s.analysisRead(ctx, a, "decision-times", &f, func(f analytics.Filter) (err error) {
		out, err = s.Analytics.DecisionTimes(ctx, a.Tenant, f)
		return err
	})
	return out, err
}

// AnalysisFlow returns the weekly inflow, outflow and backlog
// (analytics.Store.Flow) for the filter, which needs both dates; as
// AnalysisDecisionTimes otherwise.
func (s *Service) AnalysisFlow(ctx context.Context, a trygg.Actor, f analytics.Filter) ([]analytics.WeekFlow, error) {
	var out []analytics.WeekFlow
	err := s.analysisRead(ctx, a, "flow", &f, func(f analytics.Filter) (err error) {
		out, err = s.Analytics.Flow(ctx, a.Tenant, f)
		return err
	})
	return out, err
}

// AnalysisDeadlines returns the legal deadlines met and missed
// (analytics.Store.Deadlines) for the filter; as AnalysisDecisionTimes
// otherwise.
func (s *Service) AnalysisDeadlines(ctx context.Context, a trygg.Actor, f analytics.Filter) ([]analytics.DeadlineFigures, error) {
	var out []analytics.DeadlineFigures
	err := s.analysisRead(ctx, a, "deadlines", &f, func(f analytics.Filter) (err error) {
		out, err = s.Analytics.Deadlines(ctx, a.Tenant, f)
		return err
	})
	return out, err
}

// AnalysisPlannedPerformed returns the planned against the performed time
// per month and insats (analytics.Store.PlannedPerformed) for the filter,
// which needs both dates; as AnalysisDecisionTimes otherwise.
func (s *Service) AnalysisPlannedPerformed(ctx context.Context, a trygg.Actor, f analytics.Filter) ([]analytics.MonthService, error) {
	var out []analytics.MonthService
	err := s.analysisRead(ctx, a, "planned-performed", &f, func(f analytics.Filter) (err error) {
		out, err = s.Analytics.PlannedPerformed(ctx, a.Tenant, f)
		return err
	})
	return out, err
}

// analysisRead checks that a may read the dashboard, narrows f to her
// units (a team lead's: the unit asked for must be hers, none asked
// means her first), runs query and logs the read, before its figures are
// returned, with the dashboard and the filter as the reason. f is
// updated to the filter used.
func (s *Service) analysisRead(ctx context.Context, a trygg.Actor, dashboard string, f *analytics.Filter, query func(analytics.Filter) error) error {
	ground, err := access.Decide(a, access.ReadAnalysis, access.Subject{})
	if err != nil {
		return err
	}
	if s.Analytics == nil {
		return errNoAnalytics
	}
	if err := s.narrowAnalysis(ctx, a, f); err != nil {
		return err
	}
	if err := query(*f); err != nil {
		return err
	}
	return s.logAccess(ctx, entry(a, access.ReadAnalysis, "", "", ground, analysisReason(dashboard, *f)))
}

// narrowAnalysis keeps a team lead who is not an analyst to the units
// she leads: a unit or district outside them is refused at its field, and
// no unit means her first.
func (s *Service) narrowAnalysis(ctx context.Context, a trygg.Actor, f *analytics.Filter) error {
	units, err := s.Analytics.Units(ctx, a.Tenant)
	if err != nil {
		return err
	}
	known := map[string]analytics.Unit{}
	for _, u := range units {
		known[u.ID] = u
	}
	fields := map[string]string{}
	if f.Unit != "" {
		if _, ok := known[f.Unit]; !ok {
			fields["unit"] = "Choose a unit from the list."
		}
	}
	if f.District != "" {
		district := false
		for _, u := range units {
			district = district || (u.District == f.District && u.ID != f.District)
		}
		if !district || known[f.District].District == f.District {
			fields["district"] = "Choose a district from the list."
		}
	}
	if len(fields) > 0 {
		return trygg.Invalid("The filter is not valid.", fields)
	}
	if a.HasRole(trygg.RoleAnalyst) {
		return nil
	}
	if f.Unit != "" && !leads(a, known[f.Unit].Path) {
		return trygg.Invalid("The filter is not valid.", map[string]string{"unit": "Choose one of your units."})
	}
	if f.Unit == "" {
		opts, err := s.AnalysisOptions(ctx, a, "sv")
		if err != nil {
			return err
		}
		if len(opts.Units) > 0 {
			f.Unit = opts.Units[0].ID
		}
		if f.Unit == "" {
			return trygg.Errorf(trygg.EForbidden, "You lead no unit whose figures there are.")
		}
	}
	if f.District != "" && known[f.Unit].District != f.District {
		return trygg.Invalid("The filter is not valid.", map[string]string{"district": "Choose your unit's district or none."})
	}
	return nil
}

// analysisReason is the access log's reason of a dashboard read: the
// dashboard and the filter's parts that are set (ids and dates, never
// personal data).
func analysisReason(dashboard string, f analytics.Filter) string {
	parts := []string{dashboard}
	for _, kv := range [][2]string{{"from", f.From}, {"to", f.To}, {"district", f.District}, {"unit", f.Unit}, {"case_type", f.CaseType}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

// AnalysisAvailable reports whether the server has an analysis store for
// the dashboards to read. It returns forbidden to anyone but an analyst
// or a team lead.
func (s *Service) AnalysisAvailable(a trygg.Actor) (bool, error) {
	if _, err := access.Decide(a, access.ReadAnalysis, access.Subject{}); err != nil {
		return false, err
	}
	return s.Analytics != nil, nil
}

// AnalysisNeedsMatch returns need → decision → plan → performed on the
// same ICF codes per district (analytics.Store.NeedsMatch) at level; as
// AnalysisDecisionTimes otherwise.
func (s *Service) AnalysisNeedsMatch(ctx context.Context, a trygg.Actor, f analytics.Filter, level analytics.CodeLevel) ([]analytics.CodeMatch, error) {
	var out []analytics.CodeMatch
	err := s.analysisRead(ctx, a, "needs-"+string(level), &f, func(f analytics.Filter) (err error) {
		out, err = s.Analytics.NeedsMatch(ctx, a.Tenant, f, level)
		return err
	})
	return out, err
}

// AnalysisExecution returns the decisions due to be executed within three
// months in the period, as things stand today (analytics.Store.
// ExecutionDeadlines); as AnalysisDecisionTimes otherwise.
func (s *Service) AnalysisExecution(ctx context.Context, a trygg.Actor, f analytics.Filter) ([]analytics.ExecutionFigures, error) {
	var out []analytics.ExecutionFigures
	today := s.db.Now().In(calendar.Sweden).Format(time.DateOnly)
	err := s.analysisRead(ctx, a, "execution", &f, func(f analytics.Filter) (err error) {
		out, err = s.Analytics.ExecutionDeadlines(ctx, a.Tenant, f, today)
		return err
	})
	return out, err
}

// AnalysisForecast returns the monthly inflow and decided hours with next
// month's forecasts (analytics.Store.ForecastVsOutcome); the filter needs
// both dates; as AnalysisDecisionTimes otherwise.
func (s *Service) AnalysisForecast(ctx context.Context, a trygg.Actor, f analytics.Filter) (analytics.ForecastOutcome, error) {
	var out analytics.ForecastOutcome
	err := s.analysisRead(ctx, a, "forecast", &f, func(f analytics.Filter) (err error) {
		out, err = s.Analytics.ForecastVsOutcome(ctx, a.Tenant, f)
		return err
	})
	return out, err
}

// AnalysisTeamWeek returns what a team lead needs weekly on one page
// (analytics.Store.TeamWeekPage), as things stand today, for the units
// the actor may see: the unit asked for, or those of the district asked
// for, or (neither asked for) every unit a team lead leads together. An
// analyst names a unit or a district. The read is logged with the units
// as the reason. Errors as AnalysisDecisionTimes; invalid also when
// nothing names a unit she may see.
func (s *Service) AnalysisTeamWeek(ctx context.Context, a trygg.Actor, unit, district string) (analytics.TeamWeek, error) {
	ground, err := access.Decide(a, access.ReadAnalysis, access.Subject{})
	if err != nil {
		return analytics.TeamWeek{}, err
	}
	if s.Analytics == nil {
		return analytics.TeamWeek{}, errNoAnalytics
	}
	opts, err := s.AnalysisOptions(ctx, a, "sv")
	if err != nil {
		return analytics.TeamWeek{}, err
	}
	var units []string
	for _, u := range opts.Units {
		switch {
		case unit != "":
			if u.ID == unit && (district == "" || u.District == district) {
				units = append(units, u.ID)
			}
		case district != "":
			if u.District == district {
				units = append(units, u.ID)
			}
		case opts.OwnUnits:
			units = append(units, u.ID)
		}
	}
	if len(units) == 0 {
		field, msg := "unit", "Choose a unit from the list."
		if unit == "" && district != "" {
			field, msg = "district", "Choose a district from the list."
		}
		return analytics.TeamWeek{}, trygg.Invalid("The filter is not valid.", map[string]string{field: msg})
	}
	today := s.db.Now().In(calendar.Sweden).Format(time.DateOnly)
	out, err := s.Analytics.TeamWeekPage(ctx, a.Tenant, units, today)
	if err != nil {
		return analytics.TeamWeek{}, err
	}
	return out, s.logAccess(ctx, entry(a, access.ReadAnalysis, "", "", ground, "team-week "+today+" units="+strings.Join(out.Units, ",")))
}
