package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Moving in from the browser (docs/migration.md, "In the browser"): the
// exports in a folder the operator configures, each dry-run, imported,
// marked or reconciled by a run in the background, on the server's
// context, which the pages follow until it ends. A run stopped with the
// server resumes from its checkpoint when it is started again.

// LegacyDesk is the folder of legacy exports the browser offers and the
// runs this server has started over them. Set Service.Legacy to one made
// by NewLegacyDesk; nil: no folder is configured.
type LegacyDesk struct {
	// Dir holds one folder per export (docs/migration.md).
	Dir string
	ctx context.Context
	wg  sync.WaitGroup

	mu   sync.Mutex
	jobs map[string]*LegacyJob // by tenant and export name
}

// NewLegacyDesk returns the desk of the exports in dir, whose runs run
// until ctx ends (the server's life); a run stopped so is resumed when
// it is started again.
func NewLegacyDesk(ctx context.Context, dir string) *LegacyDesk {
	return &LegacyDesk{Dir: dir, ctx: ctx, jobs: map[string]*LegacyJob{}}
}

// Wait waits until every run the desk started has ended, after its
// context ended: each records where it stopped.
func (d *LegacyDesk) Wait() { d.wg.Wait() }

// LegacyJob is a run this server started over an export, as far as it
// has come: after each batch of records, and when it ends.
type LegacyJob struct {
	Export  string `json:"export"`
	Mode    string `json:"mode"`
	Mapping string `json:"mapping,omitempty"`
	// RunID is the run's id once its first batch is written (or it ended).
	RunID   string `json:"run_id,omitempty"`
	Running bool   `json:"running"`
	// Kind is the kind of records being read; Done and Total the records
	// read and the export's count of them (0: unknown).
	Kind        legacy.Kind        `json:"kind,omitempty"`
	Done, Total int64              `json:"-"`
	Counts      store.LegacyCounts `json:"counts,omitempty"`
	// Status is the run's when it ended; Error why it failed.
	Status    string    `json:"status,omitempty"`
	Error     string    `json:"error,omitempty"`
	StartedAt time.Time `json:"started_at"`
}

// Percent is how far the job has come, 0–100 (0 while unknown).
func (j LegacyJob) Percent() int64 {
	if j.Total <= 0 {
		return 0
	}
	return min(100, j.Done*100/j.Total)
}

// LegacyExportInfo is an export in the desk's folder: its folder's name,
// its manifest, and why it cannot be read if it cannot.
type LegacyExportInfo struct {
	Name        string          `json:"name"`
	Manifest    legacy.Manifest `json:"manifest"`
	HasManifest bool            `json:"has_manifest"`
	// Source names the export in trygg (LegacySource), "" when the
	// manifest names no system or district.
	Source string `json:"source,omitempty"`
	// ExportedAt is when the old system made the export (zero: unknown).
	ExportedAt time.Time `json:"exported_at,omitzero"`
	// Records is the manifest's count of records of every kind.
	Records int `json:"records"`
	// Problem says, in English, why the export cannot be read.
	Problem string `json:"problem,omitempty"`
}

// PaymentSum is the manifest's sum of the payments, in öre.
func (e LegacyExportInfo) PaymentSum() int64 { return int64(e.Manifest.PaymentSum) }

// Kinds returns the manifest's counts in the kinds' import order.
func (e LegacyExportInfo) Kinds() []LegacyKindCount {
	out := make([]LegacyKindCount, 0, len(legacy.Kinds))
	for _, k := range legacy.Kinds {
		n, ok := e.Manifest.Counts[k]
		out = append(out, LegacyKindCount{Kind: string(k), Count: n, Known: ok})
	}
	return out
}

// LegacyKindCount is the manifest's count of one kind of record; Known
// is false when the manifest has none for it.
type LegacyKindCount struct {
	Kind  string
	Count int
	Known bool
}

// LegacyConfigured reports whether a folder of legacy exports is
// configured (serve --legacy-dir).
func (s *Service) LegacyConfigured() bool { return s.Legacy != nil && s.Legacy.Dir != "" }

// errNoLegacyDir refuses what needs the folder of exports when none is
// configured.
var errNoLegacyDir = trygg.Errorf(trygg.EUnavailable, "No folder of legacy exports is configured (serve --legacy-dir).")

// LegacyExports lists the exports in the configured folder, by folder
// name: one per subfolder, with its manifest, or why it cannot be read.
// Only a system administrator may; without a folder it is unavailable.
func (s *Service) LegacyExports(ctx context.Context, a trygg.Actor) ([]LegacyExportInfo, error) {
	if err := requireLegacyAdmin(a); err != nil {
		return nil, err
	}
	if !s.LegacyConfigured() {
		return nil, errNoLegacyDir
	}
	entries, err := os.ReadDir(s.Legacy.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return []LegacyExportInfo{}, nil
	}
	if err != nil {
		s.log.Error("legacy exports: read the folder", "err", err)
		return nil, trygg.Errorf(trygg.EUnavailable, "The folder of legacy exports cannot be read.")
	}
	out := []LegacyExportInfo{}
	for _, e := range entries {
		if !legacyExportName(e.Name()) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(s.Legacy.Dir, e.Name())); err != nil || !fi.IsDir() {
			continue
		}
		info, _ := s.legacyExport(e.Name())
		out = append(out, info)
	}
	return out, nil
}

// legacyExportName reports whether name may be an export's folder: a
// plain name, not hidden.
func legacyExportName(name string) bool {
	return name != "" && !strings.HasPrefix(name, ".") && !strings.ContainsAny(name, `/\`) && len(name) <= 100
}

// legacyExport opens the export in folder name; info.Problem says why it
// cannot be read.
func (s *Service) legacyExport(name string) (LegacyExportInfo, *legacy.Export) {
	info := LegacyExportInfo{Name: name}
	exp, err := legacy.Open(filepath.Join(s.Legacy.Dir, name))
	if err != nil {
		info.Problem = strings.TrimPrefix(err.Error(), "legacy: ")
		return info, nil
	}
	info.Manifest, info.HasManifest = exp.Manifest, exp.HasManifest
	info.ExportedAt, _ = legacyTime(exp.Manifest.Exported)
	for _, n := range exp.Manifest.Counts {
		info.Records += n
	}
	switch {
	case !exp.HasManifest:
		info.Problem = "the export has no " + legacy.ManifestName
	case strings.TrimSpace(exp.Manifest.System) == "" || strings.TrimSpace(exp.Manifest.District) == "":
		info.Problem = legacy.ManifestName + " names no system or district"
	default:
		info.Source = LegacySource(exp.Manifest)
	}
	return info, exp
}

// LegacyExport returns the export in folder name of the configured
// folder, or not found. Only a system administrator may.
func (s *Service) LegacyExport(ctx context.Context, a trygg.Actor, name string) (LegacyExportInfo, error) {
	if err := requireLegacyAdmin(a); err != nil {
		return LegacyExportInfo{}, err
	}
	if !s.LegacyConfigured() {
		return LegacyExportInfo{}, errNoLegacyDir
	}
	if !legacyExportName(name) {
		return LegacyExportInfo{}, trygg.ErrNotFound
	}
	if fi, err := os.Stat(filepath.Join(s.Legacy.Dir, name)); err != nil || !fi.IsDir() {
		return LegacyExportInfo{}, trygg.ErrNotFound
	}
	info, _ := s.legacyExport(name)
	return info, nil
}

// LegacyMappingChoice is a published legacy mapping an export may be
// imported with.
type LegacyMappingChoice struct {
	ID, Name string
	// Source is the old system the mapping is written for.
	Source string
}

// LegacyMappingChoices returns the legacy mappings of the newest
// published definitions, in the order written, with their names in lang,
// and that version. Only a system administrator may.
func (s *Service) LegacyMappingChoices(ctx context.Context, a trygg.Actor, lang string) ([]LegacyMappingChoice, int64, error) {
	if err := requireLegacyAdmin(a); err != nil {
		return nil, 0, err
	}
	version, err := s.db.LatestDefinitionVersion(ctx, a.Tenant)
	if err != nil || version == 0 {
		return []LegacyMappingChoice{}, 0, err
	}
	comp, err := s.compiled(ctx, a.Tenant, version)
	if err != nil {
		return nil, 0, err
	}
	out := []LegacyMappingChoice{}
	for _, id := range comp.LegacyMappings() {
		if m := comp.LegacyMapping(id); m != nil {
			out = append(out, LegacyMappingChoice{ID: id, Name: m.Def.Name.In(lang), Source: m.Def.Source.Value})
		}
	}
	return out, version, nil
}

// LegacyExportState is an export with its runs: what this server is
// running over it now (or ran last), the runs stored (newest first), and
// what may be started.
type LegacyExportState struct {
	Export LegacyExportInfo
	// Job is this server's newest run over the export, nil if none.
	Job  *LegacyJob
	Runs []store.LegacyRun
	// Mappings are the published mappings; Version their definitions'.
	Mappings []LegacyMappingChoice
	Version  int64
	// DryRuns are the mappings (by id) a dry run of this export is done
	// with on Version: an import with one of them may start.
	DryRuns map[string]bool
	// Resumable is the import or marking run that stopped before its end
	// and resumes when started again; nil if none.
	Resumable *store.LegacyRun
	// Imported says an import of the export is done; Reconciliation is
	// the newest reconciliation, nil if none, and Reconciled its summary.
	Imported       bool
	Reconciliation *store.LegacyRun
	Reconciled     LegacySummary
}

// Running reports whether a run this server started over the export is
// running.
func (st LegacyExportState) Running() bool { return st.Job != nil && st.Job.Running }

// LegacyExportStatus returns the export in folder name with its runs.
// Only a system administrator may; an unknown export is not found.
func (s *Service) LegacyExportStatus(ctx context.Context, a trygg.Actor, name, lang string) (LegacyExportState, error) {
	info, err := s.LegacyExport(ctx, a, name)
	if err != nil {
		return LegacyExportState{}, err
	}
	st := LegacyExportState{Export: info, DryRuns: map[string]bool{}, Runs: []store.LegacyRun{}}
	if st.Mappings, st.Version, err = s.LegacyMappingChoices(ctx, a, lang); err != nil {
		return st, err
	}
	if job, ok := s.Legacy.job(a.Tenant, name); ok {
		st.Job = &job
	}
	if info.Source == "" {
		return st, nil
	}
	if st.Runs, err = s.db.LegacyRuns(ctx, a.Tenant, store.LegacyRunQuery{Source: info.Source}); err != nil {
		return st, err
	}
	for i, r := range st.Runs {
		switch {
		case r.Mode == store.LegacyDryRun && r.Status == store.LegacyDone && r.DefinitionVersion == st.Version:
			st.DryRuns[r.MappingID] = true
		case r.Mode == store.LegacyImport && r.Status == store.LegacyDone:
			st.Imported = true
		case r.Mode == store.LegacyReconcile && r.Status == store.LegacyDone && st.Reconciliation == nil:
			st.Reconciliation = &st.Runs[i]
			if len(r.Summary) > 0 {
				if err := json.Unmarshal(r.Summary, &st.Reconciled); err != nil {
					return st, fmt.Errorf("legacy reconciliation %s: %w", r.ID, err)
				}
			}
		}
	}
	// The newest import or marking that did not end resumes.
	for i, r := range st.Runs {
		if r.Mode != store.LegacyImport && r.Mode != store.LegacyPersons {
			continue
		}
		if r.Status != store.LegacyDone && (st.Job == nil || !st.Job.Running || st.Job.RunID != r.ID) {
			st.Resumable = &st.Runs[i]
		}
		break
	}
	return st, nil
}

// LegacyStart starts a run over the export in folder name, in the
// background on the desk's context: a dry run, an import, a marking of
// persons (store.LegacyPersons) with the published mapping mappingID, or
// a reconciliation (no mapping: its import's). An import needs a dry run
// of the export with the same mapping on the same definitions first. Only
// a system administrator may; an unknown export or mapping is not found,
// a run of the export already running a conflict.
func (s *Service) LegacyStart(ctx context.Context, a trygg.Actor, name, mode, mappingID string) error {
	info, err := s.LegacyExport(ctx, a, name)
	if err != nil {
		return err
	}
	if info.Problem != "" {
		return trygg.Invalid("The export cannot be read.", map[string]string{"export": info.Problem})
	}
	switch mode {
	case store.LegacyDryRun, store.LegacyImport, store.LegacyPersons:
		maps, version, err := s.LegacyMappingChoices(ctx, a, "sv")
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(maps, func(m LegacyMappingChoice) bool { return m.ID == mappingID }) {
			return trygg.Invalid("Choose a published legacy mapping.", map[string]string{"mapping": "Choose a published legacy mapping."})
		}
		if mode == store.LegacyImport {
			runs, err := s.db.LegacyRuns(ctx, a.Tenant, store.LegacyRunQuery{Source: info.Source, Modes: []string{store.LegacyDryRun}})
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(runs, func(r store.LegacyRun) bool {
				return r.Status == store.LegacyDone && r.MappingID == mappingID && r.DefinitionVersion == version
			}) {
				return trygg.Errorf(trygg.EConflict, "Dry-run the export with this mapping first: an import follows a dry run of the same export and mapping version.")
			}
		}
	case store.LegacyReconcile:
		mappingID = ""
	default:
		return trygg.Invalid("Unknown kind of run.", map[string]string{"mode": "Unknown kind of run."})
	}
	exp, err := legacy.Open(filepath.Join(s.Legacy.Dir, name))
	if err != nil {
		return trygg.Invalid("The export cannot be read.", map[string]string{"export": strings.TrimPrefix(err.Error(), "legacy: ")})
	}
	d := s.Legacy
	job := &LegacyJob{Export: name, Mode: mode, Mapping: mappingID, Running: true, StartedAt: s.db.Now()}
	for _, k := range legacy.Kinds {
		if mode != store.LegacyPersons || k == legacy.KindPersons {
			job.Total += int64(exp.Manifest.Counts[k])
		}
	}
	key := string(a.Tenant) + "\x00" + name
	d.mu.Lock()
	if j := d.jobs[key]; j != nil && j.Running {
		d.mu.Unlock()
		return trygg.Errorf(trygg.EConflict, "A run of this export is running; wait for it to end.")
	}
	d.jobs[key] = job
	d.wg.Add(1)
	d.mu.Unlock()
	go func() {
		defer d.wg.Done()
		s.legacyJob(d, a, exp, job)
	}()
	return nil
}

// legacyJob runs job to its end on the desk's context, recording its
// progress after each batch.
func (s *Service) legacyJob(d *LegacyDesk, a trygg.Actor, exp *legacy.Export, job *LegacyJob) {
	opt := LegacyOptions{Progress: func(p LegacyProgress) {
		counts := store.LegacyCounts{}
		for k, byOutcome := range p.Run.Counts {
			counts[k] = maps.Clone(byOutcome)
		}
		d.mu.Lock()
		job.RunID, job.Kind, job.Done, job.Counts = p.Run.ID, p.Kind, p.Done, counts
		if p.Total > 0 {
			job.Total = p.Total
		}
		d.mu.Unlock()
	}}
	var run store.LegacyRun
	var err error
	switch job.Mode {
	case store.LegacyDryRun:
		run, err = s.LegacyDryRun(d.ctx, a, exp, job.Mapping, opt)
	case store.LegacyImport:
		run, err = s.LegacyImport(d.ctx, a, exp, job.Mapping, opt)
	case store.LegacyPersons:
		run, err = s.LegacyMarkPersons(d.ctx, a, exp, job.Mapping, opt)
	case store.LegacyReconcile:
		var rec LegacyReconciliation
		rec, err = s.LegacyReconcile(d.ctx, a, exp)
		run = rec.Run
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		s.log.Warn("legacy run ended with an error", "export", job.Export, "mode", job.Mode, "run", run.ID, "err", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	job.Running = false
	if run.ID != "" {
		job.RunID, job.Status, job.Counts = run.ID, run.Status, run.Counts
		if run.Status == store.LegacyDone {
			job.Done = job.Total
		}
	}
	if err != nil {
		job.Error = trygg.ErrorMessage(err)
		if job.Status == "" {
			job.Status = store.LegacyFailed
		}
	}
}

// job returns a copy of tenant's newest job over the export name.
func (d *LegacyDesk) job(tenant trygg.TenantID, name string) (LegacyJob, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	j := d.jobs[string(tenant)+"\x00"+name]
	if j == nil {
		return LegacyJob{}, false
	}
	c := *j
	c.Counts = store.LegacyCounts{}
	for k, byOutcome := range j.Counts {
		c.Counts[k] = maps.Clone(byOutcome)
	}
	return c, true
}

// LegacyJobOfRun returns this server's job that is run id, if it is
// running here. Only a system administrator may.
func (s *Service) LegacyJobOfRun(a trygg.Actor, id string) (LegacyJob, bool) {
	if requireLegacyAdmin(a) != nil || s.Legacy == nil {
		return LegacyJob{}, false
	}
	d := s.Legacy
	d.mu.Lock()
	defer d.mu.Unlock()
	for key, j := range d.jobs {
		if strings.HasPrefix(key, string(a.Tenant)+"\x00") && j.RunID == id {
			c := *j
			c.Counts = nil
			return c, true
		}
	}
	return LegacyJob{}, false
}

// MarkedSearchResult is a person search's hit with the districts still
// in an old system where the person has records (coexistence).
type MarkedSearchResult struct {
	SearchResult
	Legacy []store.LegacyMarker
}

// SearchPersonsMarked is SearchPersons (the same access rule and access
// log) with each hit's coexistence markers.
func (s *Service) SearchPersonsMarked(ctx context.Context, a trygg.Actor, in SearchInput) ([]MarkedSearchResult, error) {
	hits, err := s.SearchPersons(ctx, a, in)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	marks, err := s.db.LegacyMarkersOf(ctx, a.Tenant, ids)
	if err != nil {
		return nil, err
	}
	out := make([]MarkedSearchResult, len(hits))
	for i, h := range hits {
		out[i] = MarkedSearchResult{SearchResult: h, Legacy: marks[h.ID]}
	}
	return out, nil
}

// legacyOverview adds to a person page the person's coexistence markers
// and where the cases shown were imported from; the page's read is
// checked and logged already.
func (s *Service) legacyOverview(ctx context.Context, a trygg.Actor, out *PersonOverview) error {
	var err error
	if out.Legacy, err = s.db.LegacyMarkers(ctx, a.Tenant, out.ID); err != nil {
		return err
	}
	ids := make([]string, len(out.Cases))
	for i, c := range out.Cases {
		ids[i] = c.ID
	}
	out.ImportedCases, err = s.db.LegacyOrigins(ctx, a.Tenant, string(legacy.KindCases), ids)
	return err
}
