package service

import (
	"context"
	"fmt"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/trygg"
)

// The analysis store's exports for the city's own tools (docs/analytics.md,
// "Exports"): a fact table or a dimension as CSV or Parquet, persons by
// pseudonym, the rows of small cells generalised or withheld. Who may
// export is who may read the dashboards: an analyst the whole tenant's
// rows, a team lead her units'. Each export is access-logged, before a row
// is written, with what was exported.

// AnalysisExportTables returns the tables an export may name. Errors:
// forbidden (not an analyst or team lead), unavailable (no analysis
// store).
func (s *Service) AnalysisExportTables(ctx context.Context, a trygg.Actor) ([]analytics.ExportTable, error) {
	if _, err := access.Decide(a, access.ReadAnalysis, access.Subject{}); err != nil {
		return nil, err
	}
	if s.Analytics == nil {
		return nil, errNoAnalytics
	}
	return analytics.ExportTables(), nil
}

// AnalysisExport prepares the export req asks for, narrowed to the
// actor's units as the dashboards are, and logs it (the table, format,
// filter and how many rows are written, generalised and withheld) before
// it is returned. The caller writes it once and closes it. Errors:
// forbidden (not an analyst or team lead), invalid (an unknown table or
// format, a bad filter, a unit or district not hers), unavailable (no
// analysis store, or the log could not be written).
func (s *Service) AnalysisExport(ctx context.Context, a trygg.Actor, req analytics.ExportRequest) (*analytics.Export, error) {
	ground, err := access.Decide(a, access.ReadAnalysis, access.Subject{})
	if err != nil {
		return nil, err
	}
	if s.Analytics == nil {
		return nil, errNoAnalytics
	}
	if err := s.narrowAnalysis(ctx, a, &req.Filter); err != nil {
		return nil, err
	}
	req.Today = calendar.Today(s.db.Now())
	e, err := s.Analytics.PrepareExport(ctx, a.Tenant, req)
	if err != nil {
		return nil, err
	}
	reason := analysisReason("export "+req.Table+" "+req.Format, req.Filter) +
		fmt.Sprintf(" rows=%d generalised=%d withheld=%d", e.Rows, e.Generalised, e.Withheld)
	if err := s.logAccess(ctx, entry(a, access.ReadAnalysis, "", "", ground, reason)); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}
