package staff

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// Moving in from the legacy system, for the system administrator
// (docs/migration.md, "In the browser"): the exports in the configured
// folder, a run started over one (dry run, import, marking persons,
// reconciliation) and followed while it runs in the background, its
// report, and the reconciliation with the switch-over checklist.

// legacyItemsPage is how many rows of a report a page shows.
const legacyItemsPage = 50

// legacyOutcomes are the outcomes of an import's records, in the order
// the pages show them; legacyDiffOutcomes a reconciliation's.
var (
	legacyOutcomes     = []string{store.LegacyCreated, store.LegacyMapped, store.LegacyMerged, store.LegacyRefused, store.LegacySkipped}
	legacyDiffOutcomes = []string{store.LegacyExplained, store.LegacyUnexplained}
)

// legacyListPage is /admin/legacy: the exports in the folder, each with
// its newest run.
type legacyListPage struct {
	// NotConfigured says no folder of exports is set (serve --legacy-dir).
	NotConfigured bool
	// Dir is the folder the exports are read from.
	Dir     string
	Exports []service.LegacyExportInfo
	Latest  map[string]store.LegacyRun // by export name
}

// handleLegacyPage lists the exports the administrator may import.
func (s *handlers) handleLegacyPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	v.Title = v.T("legacy.title")
	p := legacyListPage{Latest: map[string]store.LegacyRun{}}
	exps, err := s.Svc.LegacyExports(r.Context(), a)
	switch {
	case trygg.ErrorCode(err) == trygg.EUnavailable && !s.Svc.LegacyConfigured():
		p.NotConfigured = true
	case err != nil:
		return err
	}
	p.Exports = exps
	if !p.NotConfigured {
		p.Dir = s.Svc.Legacy.Dir
	}
	for _, e := range exps {
		if e.Source == "" {
			continue
		}
		runs, err := s.Svc.LegacyRuns(r.Context(), a, store.LegacyRunQuery{Source: e.Source, Limit: 1})
		if err != nil {
			return err
		}
		if len(runs) == 1 {
			p.Latest[e.Name] = runs[0]
		}
	}
	v.Data = p
	return pages.Render(w, http.StatusOK, "legacy", *v)
}

// legacyExportPage is an export: its manifest, the mapping to choose,
// what may be started, the run in progress, and the runs so far.
type legacyExportPage struct {
	service.LegacyExportState
	// Mapping is the mapping chosen (the one a dry run was done with, or
	// the first written for the export's system).
	Mapping string
	// Progress is the run in progress or just ended, per kind.
	Progress []legacyKindRow
	// Unexplained is the newest reconciliation's count of differences
	// nothing explains.
	Unexplained int
	// Problem is a refused start.
	Problem string
}

// legacyKindRow is one kind's counts per outcome.
type legacyKindRow struct {
	Kind   string
	Counts []int64 // in the order of Outcomes
	Total  int64
}

// legacyRows turns counts into rows per kind in the kinds' order (then
// any other kind, sorted), with counts in the order of outcomes, and a
// last row of totals (kind "").
func legacyRows(c store.LegacyCounts, outcomes []string) []legacyKindRow {
	var kinds []string
	for _, k := range legacy.Kinds {
		if c[string(k)] != nil {
			kinds = append(kinds, string(k))
		}
	}
	var rest []string
	for k := range c {
		if !slices.Contains(kinds, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	var rows []legacyKindRow
	total := legacyKindRow{Counts: make([]int64, len(outcomes))}
	for _, k := range append(kinds, rest...) {
		row := legacyKindRow{Kind: k, Counts: make([]int64, len(outcomes))}
		for i, o := range outcomes {
			row.Counts[i] = c[k][o]
			row.Total += c[k][o]
			total.Counts[i] += c[k][o]
		}
		total.Total += row.Total
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		rows = append(rows, total)
	}
	return rows
}

// Outcomes are the columns of the export page's progress table.
func (legacyExportPage) Outcomes() []string { return legacyOutcomes }

// handleLegacyExportPage shows an export; while a run of it runs, the
// page's main part refreshes itself (htmx) until the run ends.
func (s *handlers) handleLegacyExportPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderLegacyExport(w, r, a, v, http.StatusOK, "", r.URL.Query().Get("mapping"))
}

func (s *handlers) renderLegacyExport(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, problem, mapping string) error {
	st, err := s.Svc.LegacyExportStatus(r.Context(), a, r.PathValue("export"), v.Lang)
	if err != nil {
		return err
	}
	p := legacyExportPage{LegacyExportState: st, Problem: problem, Mapping: mapping}
	if !slices.ContainsFunc(st.Mappings, func(m service.LegacyMappingChoice) bool { return m.ID == p.Mapping }) {
		p.Mapping = ""
		for _, run := range st.Runs {
			if run.MappingID != "" && slices.ContainsFunc(st.Mappings, func(m service.LegacyMappingChoice) bool { return m.ID == run.MappingID }) {
				p.Mapping = run.MappingID
				break
			}
		}
	}
	if p.Mapping == "" {
		for _, m := range st.Mappings {
			if m.Source == st.Export.Manifest.System {
				p.Mapping = m.ID
				break
			}
		}
	}
	if p.Mapping == "" && len(st.Mappings) > 0 {
		p.Mapping = st.Mappings[0].ID
	}
	if st.Job != nil {
		p.Progress = legacyRows(st.Job.Counts, legacyOutcomes)
		st.Job.Error = server.MessageIn(v.Lang, st.Job.Error)
	}
	p.Unexplained = int(st.Reconciled.Unexplained)
	v.Title = v.T("legacy.export.title") + " " + st.Export.Name
	v.Data = p
	return pages.Render(w, status, "legacy_export", *v)
}

// handleLegacyStart starts a run over the export (the posted mode and
// mapping) in the background and goes back to the export's page, which
// follows it; a refusal is shown there.
func (s *handlers) handleLegacyStart(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	name, mode, mapping := r.PathValue("export"), r.PostForm.Get("mode"), r.PostForm.Get("mapping")
	if err := s.Svc.LegacyStart(r.Context(), a, name, mode, mapping); err != nil {
		if code := trygg.ErrorCode(err); code == trygg.EForbidden || code == trygg.ENotFound {
			return err
		}
		status, prob, err := server.Refusal(v, err)
		if err != nil {
			return err
		}
		return s.renderLegacyExport(w, r, a, v, status, prob, mapping)
	}
	to := "/admin/legacy/exports/" + url.PathEscape(name)
	if mapping != "" {
		to += "?mapping=" + url.QueryEscape(mapping)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// legacyRunPage is a run's report: its counts per kind and outcome, and
// its rows a page at a time, narrowed by kind and outcome; for a
// reconciliation also its summary and the switch-over checklist.
type legacyRunPage struct {
	Run store.LegacyRun
	// Export is the folder of the run's export, "" if it is gone.
	Export string
	// Job is the run's progress while this server runs it.
	Job *service.LegacyJob
	// Interrupted says the run stopped without ending (the server
	// stopped): starting it again resumes it.
	Interrupted bool
	Rows        []legacyKindRow
	Outcomes    []string
	// Reconciliation is the summary of a reconciliation run, Unexplained
	// its count of differences nothing explains.
	Reconciliation *service.LegacySummary
	Unexplained    int
	Checklist      []string

	// The report's rows shown, and how they are narrowed and paged.
	Items         []legacyItemRow
	Kind, Outcome string
	// FilterKinds and FilterOutcomes are those the report has rows of.
	FilterKinds, FilterOutcomes []string
	After, Next                 int64
	Page                        int
	From, To                    int
	// Matching is how many rows the filter matches.
	Matching int64
}

// legacyItemRow is a report row with its reason in the reader's
// language.
type legacyItemRow struct {
	store.LegacyItem
	ReasonText string
}

// legacyChecklist is the switch-over day's checklist (docs/migration.md):
// the keys of its points, in order.
var legacyChecklist = []string{"publish", "drafts", "dryrun", "freeze", "import", "reconcile", "roles", "others"}

// handleLegacyRunPage shows a run's report (?kind=, ?outcome= narrow it,
// ?after= and ?page= page it); while the run runs, the page refreshes
// itself until it ends.
func (s *handlers) handleLegacyRunPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	ctx, id, q := r.Context(), r.PathValue("id"), r.URL.Query()
	run, err := s.Svc.LegacyRun(ctx, a, id)
	if err != nil {
		return err
	}
	run.Error = server.MessageIn(v.Lang, run.Error)
	p := legacyRunPage{Run: run, Kind: q.Get("kind"), Outcome: q.Get("outcome"), Outcomes: legacyOutcomes}
	if job, ok := s.Svc.LegacyJobOfRun(a, id); ok && job.Running {
		p.Job = &job
	} else if run.Status == store.LegacyRunning || run.Status == store.LegacyStopped || run.Status == store.LegacyFailed {
		p.Interrupted = true
	}
	if exps, err := s.Svc.LegacyExports(ctx, a); err == nil {
		for _, e := range exps {
			if e.Source == run.Source {
				p.Export = e.Name
				break
			}
		}
	}
	if run.Mode == store.LegacyReconcile {
		rec, err := s.Svc.LegacyReconciliationOf(ctx, a, id)
		if err != nil {
			return err
		}
		p.Reconciliation, p.Checklist, p.Outcomes = &rec.Summary, legacyChecklist, legacyDiffOutcomes
		p.Unexplained = int(rec.Summary.Unexplained)
	} else {
		p.Rows = legacyRows(run.Counts, legacyOutcomes)
	}
	p.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	p.Page, _ = strconv.Atoi(q.Get("page"))
	if p.After <= 0 || p.Page < 1 {
		p.After, p.Page = 0, 1
	}
	page, err := s.Svc.LegacyRunItems(ctx, a, id, store.LegacyItemQuery{Kind: p.Kind, Outcome: p.Outcome, After: p.After, Limit: legacyItemsPage})
	if err != nil {
		return err
	}
	for k, byOutcome := range page.Counts {
		p.FilterKinds = append(p.FilterKinds, k)
		for o, n := range byOutcome {
			if (p.Kind == "" || p.Kind == k) && (p.Outcome == "" || p.Outcome == o) {
				p.Matching += n
			}
			if !slices.Contains(p.FilterOutcomes, o) {
				p.FilterOutcomes = append(p.FilterOutcomes, o)
			}
		}
	}
	p.FilterKinds = legacyKindOrder(p.FilterKinds)
	p.FilterOutcomes = legacyOutcomeOrder(p.FilterOutcomes)
	for _, it := range page.Items {
		p.Items = append(p.Items, legacyItemRow{LegacyItem: it, ReasonText: legacyReason(v, it.Reason)})
	}
	p.Next = page.Next
	p.From = (p.Page-1)*legacyItemsPage + 1
	p.To = p.From + len(p.Items) - 1
	v.Title = v.T("legacy.mode." + run.Mode)
	v.Data = p
	if run.Mode == store.LegacyReconcile {
		return pages.Render(w, http.StatusOK, "legacy_reconciliation", *v)
	}
	return pages.Render(w, http.StatusOK, "legacy_run", *v)
}

// legacyReason is a report's reason key in the reader's language; a key
// the catalog lacks is shown as it is.
func legacyReason(v *server.View, reason string) string {
	if reason == "" {
		return ""
	}
	if t := v.T("legacy.reason." + reason); t != "legacy.reason."+reason {
		return t
	}
	return reason
}

// legacyKindOrder sorts kinds in the import's order, then the others.
func legacyKindOrder(kinds []string) []string {
	order := func(k string) int {
		if i := slices.Index(legacy.Kinds, legacy.Kind(k)); i >= 0 {
			return i
		}
		return len(legacy.Kinds)
	}
	slices.SortFunc(kinds, func(a, b string) int {
		if d := order(a) - order(b); d != 0 {
			return d
		}
		if a < b {
			return -1
		}
		if a > b {
			return 1
		}
		return 0
	})
	return kinds
}

// legacyOutcomeOrder sorts outcomes as the pages show them.
func legacyOutcomeOrder(outcomes []string) []string {
	all := append(slices.Clone(legacyOutcomes), legacyDiffOutcomes...)
	slices.SortFunc(outcomes, func(a, b string) int { return slices.Index(all, a) - slices.Index(all, b) })
	return outcomes
}

// handleLegacyReport downloads a run's report as CSV (';'): file, line,
// legacy id, kind, outcome, reason key and detail per row; never a
// record's content.
func (s *handlers) handleLegacyReport(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id := r.PathValue("id")
	run, err := s.Svc.LegacyRun(r.Context(), a, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+legacyFileName(run)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	return s.Svc.WriteLegacyReport(r.Context(), a, id, w)
}

// legacyFileName is a run's report's file name: its mode, district and
// start in Swedish time, in ASCII.
func legacyFileName(run store.LegacyRun) string {
	district := make([]byte, 0, len(run.District))
	for _, c := range []byte(run.District) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			district = append(district, c)
		}
	}
	return "legacy-" + run.Mode + "-" + string(district) + "-" + run.StartedAt.In(calendar.Sweden).Format("20060102-150405") + ".csv"
}
