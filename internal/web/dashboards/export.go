package dashboards

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// The export page (/analysis/export): the analysis store's tables, each
// as CSV or Parquet for the period and filter chosen, for the city's own
// tools (docs/analytics.md, "Exports"). Who may export, what is in a file
// and how small cells are kept out of it is the service's and the store's;
// the page chooses and links.

// exportMonths is the export page's default period: a quarter.
const exportMonths = 3

// exportLink is one table on the export page with its two files.
type exportLink struct {
	Name, About string
	// CSV and Parquet are the files' links, the labels their names for
	// a screen reader ("Ärenden som CSV").
	CSV, Parquet           string
	CSVLabel, ParquetLabel string
}

// exportPage is the export page's data.
type exportPage struct {
	Filter      filterForm
	Facts, Dims []exportLink
	// Shown is set when the filter was valid and the links made.
	Shown bool
	Scope string
}

// exportFilter reads the page's filter from the request: it returns the
// page with its filter form (errors at their fields) and, when valid, the
// store's filter.
func (s *handlers) exportFilter(r *http.Request, a trygg.Actor, v *server.View) (exportPage, analytics.Filter, bool, error) {
	opts, err := s.Svc.AnalysisOptions(r.Context(), a, v.Lang)
	if err != nil {
		return exportPage{}, analytics.Filter{}, false, err
	}
	today := s.Svc.DB().Now().In(calendar.Sweden)
	var p exportPage
	form, f, ok := parseFilter(r.URL.Query(), v, opts, today, exportMonths)
	form.Action = "/analysis/export"
	p.Filter = form
	if opts.OwnUnits {
		for _, u := range opts.Units {
			if u.ID == form.Unit {
				p.Scope = fmt.Sprintf(v.T("analysis.export.scope"), u.Name)
			}
		}
	}
	return p, f, ok, nil
}

// handleExportPage lists the tables with a CSV and a Parquet link each,
// for the filter chosen (by default the last three months). It reads no
// rows, so it is not logged; anyone but an analyst or a team lead is
// refused (forbidden).
func (s *handlers) handleExportPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	tables, err := s.Svc.AnalysisExportTables(r.Context(), a)
	if err != nil {
		return err
	}
	p, _, ok, err := s.exportFilter(r, a, v)
	if err != nil {
		return err
	}
	v.Title = v.T("analysis.export.title")
	status := http.StatusUnprocessableEntity
	if ok {
		status, p.Shown = http.StatusOK, true
		q := url.Values{}
		for k, val := range map[string]string{"from": p.Filter.From, "to": p.Filter.To, "district": p.Filter.District,
			"unit": p.Filter.Unit, "case_type": p.Filter.CaseType} {
			if val != "" {
				q.Set(k, val)
			}
		}
		for _, t := range tables {
			about := v.T("analysis.export.table." + t.Name)
			link := exportLink{Name: t.Name, About: about, CSVLabel: fmt.Sprintf(v.T("analysis.export.csv"), about),
				ParquetLabel: fmt.Sprintf(v.T("analysis.export.parquet"), about)}
			q.Set("format", analytics.FormatCSV)
			link.CSV = "/analysis/export/" + t.Name + "?" + q.Encode()
			q.Set("format", analytics.FormatParquet)
			link.Parquet = "/analysis/export/" + t.Name + "?" + q.Encode()
			if t.Fact {
				p.Facts = append(p.Facts, link)
			} else {
				p.Dims = append(p.Dims, link)
			}
		}
	}
	v.Data = p
	return pages.Render(w, status, "export", *v)
}

// handleExportFile sends a table as a file, streamed as the store returns
// its rows, after the service has logged the export. A bad filter shows
// the page with the errors at their fields (422); a failure after the
// first byte cuts the connection, so a broken file is never taken for a
// whole one.
func (s *handlers) handleExportFile(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = analytics.FormatCSV
	}
	if !slices.ContainsFunc(analytics.ExportTables(), func(t analytics.ExportTable) bool { return t.Name == r.PathValue("table") }) ||
		(format != analytics.FormatCSV && format != analytics.FormatParquet) {
		return trygg.ErrNotFound
	}
	p, f, ok, err := s.exportFilter(r, a, v)
	if err != nil {
		return err
	}
	var e *analytics.Export
	if ok {
		e, err = s.Svc.AnalysisExport(r.Context(), a, analytics.ExportRequest{Table: r.PathValue("table"), Format: format, Filter: f})
		switch {
		case serviceErrors(err, &p.Filter, v.Lang):
			ok = false
		case err != nil:
			return err
		}
	}
	if !ok {
		v.Title = v.T("analysis.export.title")
		v.Data = p
		return pages.Render(w, http.StatusUnprocessableEntity, "export", *v)
	}
	defer e.Close()
	// A large table takes longer than the server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(30 * time.Minute))
	w.Header().Set("Content-Type", e.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, e.FileName()))
	if err := e.Write(w); err != nil {
		s.Log.Error("analysis export failed", "table", r.PathValue("table"), "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}
