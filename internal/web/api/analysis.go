package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// The analysis API (docs/analytics.md, "The API"): the dashboards'
// figures as JSON and the analysis store's tables as CSV or Parquet, for
// analysts and team leads (the service checks who and logs each read).

// analysisFilter is a dashboard's or an export's filter from the query:
// from, to, district, unit and case_type.
func analysisFilter(r *http.Request) analytics.Filter {
	q := r.URL.Query()
	return analytics.Filter{From: q.Get("from"), To: q.Get("to"), District: q.Get("district"), Unit: q.Get("unit"), CaseType: q.Get("case_type")}
}

// The dashboards' answers.
type (
	analysisDecisionTimes struct {
		DecisionTimes []analytics.DecisionTime `json:"decision_times"`
	}
	analysisFlow struct {
		Weeks []analytics.WeekFlow `json:"weeks"`
	}
	analysisDeadlines struct {
		Deadlines []analytics.DeadlineFigures `json:"deadlines"`
	}
	analysisPlannedPerformed struct {
		Months []analytics.MonthService `json:"months"`
	}
	analysisNeeds struct {
		Level analytics.CodeLevel   `json:"level"`
		Codes []analytics.CodeMatch `json:"codes"`
	}
	analysisExecution struct {
		Units []analytics.ExecutionFigures `json:"units"`
	}
	analysisExportTables struct {
		Tables []analytics.ExportTable `json:"tables"`
	}
)

func (s *handlers) handleAnalysisDecisionTimes(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	rows, err := s.Svc.AnalysisDecisionTimes(r.Context(), a, analysisFilter(r))
	if err != nil {
		return err
	}
	return encodeAnalysis(w, analysisDecisionTimes{DecisionTimes: rows})
}

func (s *handlers) handleAnalysisFlow(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	rows, err := s.Svc.AnalysisFlow(r.Context(), a, analysisFilter(r))
	if err != nil {
		return err
	}
	return encodeAnalysis(w, analysisFlow{Weeks: rows})
}

func (s *handlers) handleAnalysisDeadlines(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	rows, err := s.Svc.AnalysisDeadlines(r.Context(), a, analysisFilter(r))
	if err != nil {
		return err
	}
	return encodeAnalysis(w, analysisDeadlines{Deadlines: rows})
}

func (s *handlers) handleAnalysisPlannedPerformed(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	rows, err := s.Svc.AnalysisPlannedPerformed(r.Context(), a, analysisFilter(r))
	if err != nil {
		return err
	}
	return encodeAnalysis(w, analysisPlannedPerformed{Months: rows})
}

// handleAnalysisNeeds answers need → decision → plan → performed on the
// same ICF codes, by chapter as the page shows them unless level=code.
func (s *handlers) handleAnalysisNeeds(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	level := analytics.ByChapter
	if l := r.URL.Query().Get("level"); l != "" {
		level = analytics.CodeLevel(l)
	}
	rows, err := s.Svc.AnalysisNeedsMatch(r.Context(), a, analysisFilter(r), level)
	if err != nil {
		return err
	}
	return encodeAnalysis(w, analysisNeeds{Level: level, Codes: rows})
}

// handleAnalysisExecution answers the decisions due to be executed within
// three months in the period, as things stand today.
func (s *handlers) handleAnalysisExecution(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	rows, err := s.Svc.AnalysisExecution(r.Context(), a, analysisFilter(r))
	if err != nil {
		return err
	}
	return encodeAnalysis(w, analysisExecution{Units: rows})
}

// handleAnalysisForecast answers each month's inflow and decided hours
// with next month's forecasts and the backtest's.
func (s *handlers) handleAnalysisForecast(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	fo, err := s.Svc.AnalysisForecast(r.Context(), a, analysisFilter(r))
	if err != nil {
		return err
	}
	return encodeAnalysis(w, fo)
}

// handleAnalysisWeek answers the team lead's week: her units together
// unless a unit or a district is named (an analyst names one).
func (s *handlers) handleAnalysisWeek(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	q := r.URL.Query()
	tw, err := s.Svc.AnalysisTeamWeek(r.Context(), a, q.Get("unit"), q.Get("district"))
	if err != nil {
		return err
	}
	return encodeAnalysis(w, tw)
}

// encodeAnalysis answers a dashboard's figures.
func encodeAnalysis[T any](w http.ResponseWriter, v T) error {
	return server.Encode(w, http.StatusOK, v)
}

func (s *handlers) handleAnalysisExportTables(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	tables, err := s.Svc.AnalysisExportTables(r.Context(), a)
	if err != nil {
		return err
	}
	return encodeAnalysis(w, analysisExportTables{Tables: tables})
}

// handleAnalysisExport answers a table of the analysis store as a CSV or
// Parquet file, streamed as the store returns its rows. The export is
// logged before a byte is written; a failure after that cuts the
// connection, so a broken file is never taken for a whole one.
func (s *handlers) handleAnalysisExport(w http.ResponseWriter, r *http.Request, a trygg.Actor) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = analytics.FormatCSV
	}
	e, err := s.Svc.AnalysisExport(r.Context(), a, analytics.ExportRequest{Table: r.PathValue("table"), Format: format, Filter: analysisFilter(r)})
	if err != nil {
		return err
	}
	defer e.Close()
	// A large table takes longer than the server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(30 * time.Minute))
	w.Header().Set("Content-Type", e.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, e.FileName()))
	w.Header().Set("Cache-Control", "no-store")
	if err := e.Write(w); err != nil {
		s.Log.Error("analysis export failed", "table", r.PathValue("table"), "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}
