package service

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/org"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storedtext"
	"github.com/trygg/trygg/internal/trygg"
)

// Moving in from a legacy system (docs/migration.md): a district's export
// (internal/legacy) is mapped by a published legacy_mapping, first in a
// dry run that writes only its report, then imported in batches, each
// batch one transaction that also moves the run's checkpoint, so a run
// stopped or crashed resumes where it stopped, and every record is
// brought in once: its legacy id is kept (legacy_ids) and a re-run skips
// it. Imported history keeps its times and authors: each record's events
// are the live system's, at the record's own time (AppendPastEvents),
// with "source": "legacy" in the payload.

// Legacy run events (docs/events.md); their payloads hold ids and counts.
const (
	eventLegacyRunStarted  = events.LegacyRunStarted
	eventLegacyRunFinished = events.LegacyRunFinished
)

// legacyBatch is how many records a transaction of an import writes, and
// legacyDocumentBatch how many documents (with their files); variables
// for the tests.
var (
	legacyBatch         = 2000
	legacyDocumentBatch = 25
)

// LegacyMaxDocument is the largest document file an import brings in.
const LegacyMaxDocument = 64 << 20

// legacyLease is how long a run that says it is running counts as
// running: a run whose last batch is older was stopped by a crash, and
// the next run of its export resumes it.
const legacyLease = 5 * time.Minute

func requireLegacyAdmin(a trygg.Actor) error {
	if !a.HasRole(trygg.RoleSysAdmin) {
		return trygg.Errorf(trygg.EForbidden, "Only a system administrator can import from a legacy system.")
	}
	return nil
}

// LegacySource names an export in trygg: the old system and the district,
// as its manifest gives them. Legacy ids are kept per source.
func LegacySource(m legacy.Manifest) string { return m.System + "/" + m.District }

// LegacyProgress is how far a run has come, after each batch.
type LegacyProgress struct {
	Kind legacy.Kind
	// Done is the records read so far (of the kinds the run reads, those
	// a resumed run skipped included); Total the export's count of them
	// (its manifest's, 0 when it has none).
	Done, Total int64
	Run         store.LegacyRun
}

// LegacyOptions tunes a run.
type LegacyOptions struct {
	// Progress, when set, is called after each batch.
	Progress func(LegacyProgress)
}

// LegacyDryRun works out what importing the export with the published
// mapping mappingID would do, record by record — created, mapped by a
// rule, merged, refused with a reason, or skipped as imported before —
// and stores that as a run and its report, writing nothing else. Only a
// system administrator may; an unknown mapping is not found, an export
// whose manifest names no system or district invalid.
func (s *Service) LegacyDryRun(ctx context.Context, a trygg.Actor, exp *legacy.Export, mappingID string, opt LegacyOptions) (store.LegacyRun, error) {
	return s.legacyRun(ctx, a, exp, mappingID, store.LegacyDryRun, opt)
}

// LegacyImport imports the export with the published mapping mappingID:
// its records in the kinds' order, legacyBatch to a transaction, each
// with its events at its own time. A run of the export that was stopped
// (ctx cancelled) or failed is resumed from its checkpoint if it used the
// same mapping and definitions; otherwise a new run starts, which skips
// what earlier runs imported and brings in what they refused, so a
// district is imported again after its mapping is fixed. When the run is
// done the export's coexistence markers are removed: the district has
// moved in. It returns the run as it ended (also when it stopped, with
// the error). Only a system administrator may.
func (s *Service) LegacyImport(ctx context.Context, a trygg.Actor, exp *legacy.Export, mappingID string, opt LegacyOptions) (store.LegacyRun, error) {
	return s.legacyRun(ctx, a, exp, mappingID, store.LegacyImport, opt)
}

// LegacyMarkPersons imports the export's persons only, for a district
// still in the old system, and marks each (legacy_markers) as having
// records there, which the person page shows to officers of the districts
// already in trygg. Resumed and skipped as LegacyImport is. A district
// whose import is done is a conflict. Only a system administrator may.
func (s *Service) LegacyMarkPersons(ctx context.Context, a trygg.Actor, exp *legacy.Export, mappingID string, opt LegacyOptions) (store.LegacyRun, error) {
	if err := requireLegacyAdmin(a); err != nil {
		return store.LegacyRun{}, err
	}
	runs, err := s.db.LegacyRuns(ctx, a.Tenant, store.LegacyRunQuery{Source: LegacySource(exp.Manifest), Modes: []string{store.LegacyImport}})
	if err != nil {
		return store.LegacyRun{}, err
	}
	if slices.ContainsFunc(runs, func(r store.LegacyRun) bool { return r.Status == store.LegacyDone }) {
		return store.LegacyRun{}, trygg.Errorf(trygg.EConflict, "This district has been imported: it works in trygg, not in the old system.")
	}
	return s.legacyRun(ctx, a, exp, mappingID, store.LegacyPersons, opt)
}

// LegacyRuns lists the tenant's runs (of one export, of some modes),
// newest first. Only a system administrator may.
func (s *Service) LegacyRuns(ctx context.Context, a trygg.Actor, q store.LegacyRunQuery) ([]store.LegacyRun, error) {
	if err := requireLegacyAdmin(a); err != nil {
		return nil, err
	}
	return s.db.LegacyRuns(ctx, a.Tenant, q)
}

// LegacyRun returns one run, or not found. Only a system administrator
// may.
func (s *Service) LegacyRun(ctx context.Context, a trygg.Actor, id string) (store.LegacyRun, error) {
	if err := requireLegacyAdmin(a); err != nil {
		return store.LegacyRun{}, err
	}
	return s.db.LegacyRun(ctx, a.Tenant, id)
}

// LegacyItemsPage is a page of a run's report.
type LegacyItemsPage struct {
	Items []store.LegacyItem `json:"items"`
	// Next is the After of the next page, 0 when this is the last.
	Next int64 `json:"next,omitempty"`
	// Counts are the report's rows per kind and outcome (all of them,
	// not only this page's).
	Counts store.LegacyCounts `json:"counts"`
}

// LegacyRunItems returns a page of run id's report, narrowed by q (an
// outcome, a kind), with the report's counts. Only a system administrator
// may; an unknown run is not found.
func (s *Service) LegacyRunItems(ctx context.Context, a trygg.Actor, id string, q store.LegacyItemQuery) (LegacyItemsPage, error) {
	if _, err := s.LegacyRun(ctx, a, id); err != nil {
		return LegacyItemsPage{}, err
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	limit := q.Limit
	q.Limit++
	items, err := s.db.LegacyItems(ctx, a.Tenant, id, q)
	if err != nil {
		return LegacyItemsPage{}, err
	}
	page := LegacyItemsPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.Next = items[limit-1].Seq
	}
	page.Counts, err = s.db.LegacyItemCounts(ctx, a.Tenant, id)
	return page, err
}

// WriteLegacyReport writes run id's report to w as CSV (';', a header):
// file;line;legacy_id;kind;outcome;reason;detail, one row per record not
// simply created (or, of a reconciliation, per difference). It holds
// ids, codes and reason keys, never a record's content. Only a system
// administrator may.
func (s *Service) WriteLegacyReport(ctx context.Context, a trygg.Actor, id string, w io.Writer) error {
	if _, err := s.LegacyRun(ctx, a, id); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if err := cw.Write([]string{"file", "line", "legacy_id", "kind", "outcome", "reason", "detail"}); err != nil {
		return err
	}
	var after int64
	for {
		items, err := s.db.LegacyItems(ctx, a.Tenant, id, store.LegacyItemQuery{After: after, Limit: 1000})
		if err != nil {
			return err
		}
		for _, it := range items {
			line := ""
			if it.Line > 0 {
				line = strconv.Itoa(it.Line)
			}
			if err := cw.Write([]string{it.File, line, it.LegacyID, it.Kind, it.Outcome, it.Reason, it.Detail}); err != nil {
				return err
			}
			after = it.Seq
		}
		if len(items) < 1000 {
			break
		}
	}
	cw.Flush()
	return cw.Error()
}

// legacyRec is a record read from an export, or one that could not be.
type legacyRec[T any] struct {
	R   T
	Bad *legacy.RecordError
}

// legacyRef is what a record refers to, as trygg has it: a person, a
// case, a decision or an order. In a dry run, a record the run would
// have created has no ID; it has only what later kinds need of it.
type legacyRef struct {
	ID                            string
	PersonID, CaseID, UnitID      string
	CaseType, Insats              string
	DefinitionVersion             int64
	Amount                        int64
	DecidedBy, ValidFrom, ValidTo string
	ProviderID                    string
	DecidedAt                     time.Time
	Dry                           bool
}

// legacyRunner is one run over an export.
type legacyRunner struct {
	s    *Service
	a    trygg.Actor
	exp  *legacy.Export
	run  store.LegacyRun
	m    *process.LegacyMap
	comp *process.Compiled
	dry  bool
	opt  LegacyOptions

	now       time.Time
	today     time.Time
	units     map[string]org.Unit
	providers []store.Provider
	staff     map[string]string // legacy staff id -> user id
	active    map[string]bool   // user id -> may sign in
	author    string            // the export's own author, for what names none ("" until made)
	// replaced maps an identity number the export says was replaced to
	// the newer one (a samordningsnummer to a personnummer).
	replaced map[string]persons.Identity
	// would is, in a dry run, what the run would have brought in of the
	// kinds later kinds refer to, by kind and hashed legacy id: a case's
	// or decision's case type (an index into caseTypes); identities the
	// identities of the persons it would have created. A dry run of a
	// city keeps these, never the records.
	would      map[legacy.Kind]map[uint64]uint16
	caseTypes  []string
	identities map[uint64]bool

	// The batch being written.
	tx        *store.Tx
	seen      map[string]bool
	items     []store.LegacyItem
	ids       []store.LegacyID
	events    []events.Event // at their own times
	nowEvents []events.Event // at the transaction's moment
	newStaff  []string       // legacy staff ids this batch gave users
	newAuthor bool           // this batch made the export's author
	done      int64          // records of the kinds before this one
	total     int64
	// analyzed is how many records of the kind being read were done when
	// the run last refreshed the planner's statistics.
	analyzed int64
}

func (s *Service) legacyRun(ctx context.Context, a trygg.Actor, exp *legacy.Export, mappingID, mode string, opt LegacyOptions) (store.LegacyRun, error) {
	if err := requireLegacyAdmin(a); err != nil {
		return store.LegacyRun{}, err
	}
	if strings.TrimSpace(exp.Manifest.System) == "" || strings.TrimSpace(exp.Manifest.District) == "" {
		return store.LegacyRun{}, trygg.Invalid("The export's manifest names no system or district.",
			map[string]string{"manifest": "Must name the old system (system) and the district (district)."})
	}
	version, err := s.db.LatestDefinitionVersion(ctx, a.Tenant)
	if err != nil {
		return store.LegacyRun{}, err
	}
	if version == 0 {
		return store.LegacyRun{}, trygg.Errorf(trygg.ENotFound, "No process definitions are published yet.")
	}
	comp, err := s.compiled(ctx, a.Tenant, version)
	if err != nil {
		return store.LegacyRun{}, err
	}
	m := comp.LegacyMapping(mappingID)
	if m == nil || mappingID == "" {
		return store.LegacyRun{}, trygg.Errorf(trygg.ENotFound, "The published definitions have no legacy mapping %q.", mappingID)
	}
	now := s.db.Now()
	r := &legacyRunner{s: s, a: a, exp: exp, m: m, comp: comp, dry: mode == store.LegacyDryRun, opt: opt, now: now,
		today: now.In(calendar.Sweden), staff: map[string]string{}, replaced: map[string]persons.Identity{}}
	source := LegacySource(exp.Manifest)
	resumed := false
	if !r.dry {
		runs, err := s.db.LegacyRuns(ctx, a.Tenant, store.LegacyRunQuery{Source: source, Modes: []string{mode}, Limit: 1})
		if err != nil {
			return store.LegacyRun{}, err
		}
		if len(runs) == 1 && runs[0].Status != store.LegacyDone {
			last := runs[0]
			if last.Status == store.LegacyRunning && now.Sub(last.UpdatedAt) < legacyLease {
				return store.LegacyRun{}, trygg.Errorf(trygg.EConflict, "An import of this export is running; wait for it to finish or stop it first.")
			}
			if last.MappingID == mappingID && last.DefinitionVersion == version {
				r.run, resumed = last, true
			}
		}
	}
	if resumed {
		r.run.Status, r.run.Error, r.run.FinishedAt = store.LegacyRunning, "", time.Time{}
		if err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.SaveLegacyRun(ctx, a.Tenant, r.run) }); err != nil {
			return r.run, err
		}
	} else {
		r.run = store.LegacyRun{ID: newID(), Source: source, System: exp.Manifest.System, District: exp.Manifest.District, Mode: mode,
			MappingID: mappingID, DefinitionVersion: version, Status: store.LegacyRunning, Counts: store.LegacyCounts{}, StartedBy: a.UserID}
		err := s.db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.InsertLegacyRun(ctx, a.Tenant, r.run); err != nil {
				return err
			}
			r.run.StartedAt, r.run.UpdatedAt = tx.Now, tx.Now
			_, err := tx.AppendEvent(ctx, events.New(a, eventLegacyRunStarted, "legacy_run", r.run.ID, map[string]any{"mode": mode,
				"source": source, "mapping": mappingID, "definition_version": version}))
			return err
		})
		if err != nil {
			return r.run, err
		}
	}
	err = r.all(ctx)
	return r.finish(ctx, err)
}

// kinds returns the kinds the run reads, in order.
func (r *legacyRunner) kinds() []legacy.Kind {
	if r.run.Mode == store.LegacyPersons {
		return []legacy.Kind{legacy.KindPersons}
	}
	return legacy.Kinds
}

// all reads every kind from the checkpoint on.
func (r *legacyRunner) all(ctx context.Context) error {
	if err := r.load(ctx); err != nil {
		return err
	}
	kinds := r.kinds()
	for _, k := range kinds {
		r.total += int64(r.exp.Manifest.Counts[k])
	}
	from := slices.Index(kinds, legacy.Kind(r.run.CheckpointKind))
	if from < 0 {
		from = 0
	}
	if from <= slices.Index(kinds, legacy.KindPersons) {
		if err := r.previousIdentities(); err != nil {
			return err
		}
	}
	for i, k := range kinds {
		var skip int64
		switch {
		case i < from:
			r.done += int64(r.exp.Manifest.Counts[k])
			continue
		case i == from && string(k) == r.run.CheckpointKind:
			skip = r.run.CheckpointDone
		}
		r.analyzed = 0
		n, err := r.kind(ctx, k, skip)
		r.done += n
		if err != nil {
			return err
		}
		// The kind's tables complete, for the kinds that refer to them.
		if err := r.analyze(ctx, k, n, 1.25); err != nil {
			return err
		}
	}
	return nil
}

// load reads what the run keeps in memory: the organisation's units, the
// providers, and the staff earlier runs of the export brought in.
func (r *legacyRunner) load(ctx context.Context) error {
	units, err := r.s.db.Units(ctx, r.a.Tenant)
	if err != nil {
		return err
	}
	r.units = map[string]org.Unit{}
	for _, u := range units {
		r.units[u.ID] = u
	}
	if r.providers, err = r.s.db.Providers(ctx, r.a.Tenant); err != nil {
		return err
	}
	staff, err := r.s.db.LegacyIDsOfKind(ctx, r.a.Tenant, r.run.Source, string(legacy.KindStaff))
	if err != nil {
		return err
	}
	for id, l := range staff {
		r.staff[id] = l.TryggID
	}
	if r.dry {
		r.would, r.identities, r.caseTypes = map[legacy.Kind]map[uint64]uint16{}, map[uint64]bool{}, []string{""}
	}
	return nil
}

// finish ends the run: done, or stopped (ctx cancelled) or failed with
// err, in a transaction of its own that also appends its event. An import
// that is done removes its export's coexistence markers.
func (r *legacyRunner) finish(ctx context.Context, err error) (store.LegacyRun, error) {
	ctx = context.WithoutCancel(ctx)
	run := r.run
	switch {
	case err == nil:
		run.Status = store.LegacyDone
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		run.Status = store.LegacyStopped
	default:
		run.Status, run.Error = store.LegacyFailed, trygg.ErrorMessage(err)
		r.s.log.Error("legacy import failed", "run", run.ID, "err", err)
	}
	ferr := r.s.db.Update(ctx, func(tx *store.Tx) error {
		run.FinishedAt = tx.Now
		if run.Status != store.LegacyDone {
			run.FinishedAt = time.Time{}
		}
		removed := int64(0)
		if run.Status == store.LegacyDone && run.Mode == store.LegacyImport {
			var err error
			if removed, err = tx.DeleteLegacyMarkers(ctx, r.a.Tenant, run.Source); err != nil {
				return err
			}
		}
		if err := tx.SaveLegacyRun(ctx, r.a.Tenant, run); err != nil {
			return err
		}
		run.UpdatedAt = tx.Now
		_, err := tx.AppendEvent(ctx, events.New(r.a, eventLegacyRunFinished, "legacy_run", run.ID, map[string]any{"mode": run.Mode,
			"source": run.Source, "status": run.Status, "counts": run.Counts, "items": run.Items, "markers_removed": removed}))
		return err
	})
	r.run = run
	return run, errors.Join(err, ferr)
}

// kind reads the records of kind k after the first skip and returns how
// many it read (the skipped ones included).
func (r *legacyRunner) kind(ctx context.Context, k legacy.Kind, skip int64) (int64, error) {
	e := r.exp
	switch k {
	case legacy.KindUnits:
		return legacyBatches(ctx, r, k, e.Units(), skip, legacyBatch, nil, r.unitsBatch)
	case legacy.KindStaff:
		return legacyBatches(ctx, r, k, e.Staff(), skip, legacyBatch, nil, r.staffBatch)
	case legacy.KindPersons:
		return legacyBatches(ctx, r, k, e.Persons(), skip, legacyBatch, nil, r.personsBatch)
	case legacy.KindRelations:
		return legacyBatches(ctx, r, k, e.Relations(), skip, legacyBatch, nil, r.relationsBatch)
	case legacy.KindCases:
		return legacyBatches(ctx, r, k, e.Cases(), skip, legacyBatch, nil, r.casesBatch)
	case legacy.KindForms:
		return legacyBatches(ctx, r, k, e.Forms(), skip, legacyBatch, func(f legacy.FormValue) string { return f.LegacyID }, r.formsBatch)
	case legacy.KindDecisions:
		return legacyBatches(ctx, r, k, e.Decisions(), skip, legacyBatch, nil, r.decisionsBatch)
	case legacy.KindNotes:
		return legacyBatches(ctx, r, k, e.Notes(), skip, legacyBatch, nil, r.notesBatch)
	case legacy.KindDocuments:
		return legacyBatches(ctx, r, k, e.Documents(), skip, legacyDocumentBatch, nil, r.documentsBatch)
	case legacy.KindOrders:
		return legacyBatches(ctx, r, k, e.Orders(), skip, legacyBatch, nil, r.ordersBatch)
	case legacy.KindPerformed:
		return legacyBatches(ctx, r, k, e.Performed(), skip, legacyBatch, nil, r.performedBatch)
	case legacy.KindPayments:
		return legacyBatches(ctx, r, k, e.Payments(), skip, legacyBatch, nil, r.paymentsBatch)
	}
	return 0, nil
}

// legacyBatches reads seq after its first skip records in batches of
// size (a batch does not end inside a group: the rows of a form), and
// writes each with handle in one transaction that moves the checkpoint.
// A record that cannot be read is refused as unreadable; an error that
// ends the file ends the run.
func legacyBatches[T any](ctx context.Context, r *legacyRunner, k legacy.Kind, seq iter.Seq2[T, error], skip int64, size int,
	group func(T) string, handle func(ctx context.Context, recs []legacyRec[T]) error) (int64, error) {
	var buf []legacyRec[T]
	var n int64
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := r.commit(ctx, k, n, func() error { return handle(ctx, buf) })
		buf = buf[:0]
		return err
	}
	for rec, err := range seq {
		var bad *legacy.RecordError
		if err != nil && !errors.As(err, &bad) {
			return n, fmt.Errorf("%s: %w", k, err)
		}
		if n < skip {
			n++
			continue
		}
		if len(buf) >= size && (group == nil || bad != nil || buf[len(buf)-1].Bad != nil || group(buf[len(buf)-1].R) != group(rec)) {
			if err := flush(); err != nil {
				return n, err
			}
		}
		n++
		buf = append(buf, legacyRec[T]{R: rec, Bad: bad})
	}
	return n, flush()
}

// commit writes one batch: handle decides each record and collects what
// to write; commit writes it with the report's rows and the run's new
// checkpoint (done records of kind k), in one transaction.
func (r *legacyRunner) commit(ctx context.Context, k legacy.Kind, done int64, handle func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	saved := r.run
	saved.Counts = store.LegacyCounts{}
	for kind, byOutcome := range r.run.Counts {
		saved.Counts[kind] = maps.Clone(byOutcome)
	}
	err := r.s.db.Update(ctx, func(tx *store.Tx) error {
		r.tx, r.seen, r.newStaff, r.newAuthor = tx, map[string]bool{}, r.newStaff[:0], false
		r.items, r.ids, r.events, r.nowEvents = r.items[:0], r.ids[:0], r.events[:0], r.nowEvents[:0]
		if err := handle(); err != nil {
			return err
		}
		if !r.dry {
			if err := tx.InsertLegacyIDs(ctx, r.a.Tenant, r.run.Source, r.ids); err != nil {
				return err
			}
			if _, err := tx.AppendEvents(ctx, r.nowEvents); err != nil {
				return err
			}
			slices.SortStableFunc(r.events, func(a, b events.Event) int { return a.At.Compare(b.At) })
			if _, err := tx.AppendPastEvents(ctx, r.events); err != nil {
				return err
			}
		}
		if err := tx.InsertLegacyItems(ctx, r.a.Tenant, r.run.ID, r.items); err != nil {
			return err
		}
		r.run.CheckpointKind, r.run.CheckpointDone = string(k), done
		if err := tx.SaveLegacyRun(ctx, r.a.Tenant, r.run); err != nil {
			return err
		}
		r.run.UpdatedAt = tx.Now
		return nil
	})
	r.tx = nil
	if err != nil {
		// What the batch made is gone with it.
		r.run = saved
		for _, id := range r.newStaff {
			delete(r.staff, id)
		}
		if r.newAuthor {
			r.author = ""
		}
		return err
	}
	if r.opt.Progress != nil {
		r.opt.Progress(LegacyProgress{Kind: k, Done: r.done + done, Total: r.total, Run: r.run})
	}
	return r.analyze(ctx, k, done, 2)
}

// legacyKindTables are the tables each kind writes that its own and
// later batches look up by key or check foreign keys against.
var legacyKindTables = map[legacy.Kind][]string{legacy.KindStaff: {"users"}, legacy.KindPersons: {"persons"},
	legacy.KindCases: {"cases"}, legacy.KindDecisions: {"decisions", "decision_execution"},
	legacy.KindOrders: {"orders", "decision_execution"}, legacy.KindPayments: {"payment_lines"}}

// analyze refreshes the planner's statistics (store.AnalyzeTables) of the
// tables kind k writes, when done, the records of k done, is grow times
// as many as when it last did and 1,000 more: as they double up to
// 16,000 while k is read, and when k is done; and of legacy_ids while the
// run has read less than 64,000 records. A table that grew from nothing
// has the statistics of an empty one until then, and a lookup in it can
// be planned as a scan, each batch slower than the one before; once the
// statistics show some thousand rows the keys' indexes win whatever the
// table's size, so the tables need not be sampled again as they grow.
func (r *legacyRunner) analyze(ctx context.Context, k legacy.Kind, done int64, grow float64) error {
	if r.dry || float64(done) < grow*float64(r.analyzed) || done-r.analyzed < 1000 || grow > 1.5 && r.analyzed >= 16000 {
		return nil
	}
	r.analyzed = done
	tables := legacyKindTables[k]
	if r.done+done < 64000 {
		tables = append([]string{"legacy_ids"}, tables...)
	}
	return r.s.db.AnalyzeTables(ctx, tables...)
}

// report counts a record's outcome and, unless it was simply created or
// skipped, adds it to the run's report.
func (r *legacyRunner) report(k legacy.Kind, pos legacy.Pos, legacyID, outcome, reason, detail, tryggID string) {
	r.run.Counts.Add(string(k), outcome, 1)
	if (outcome == store.LegacyCreated || outcome == store.LegacySkipped) && reason == "" {
		return
	}
	if outcome == store.LegacySkipped && reason == "already_imported" {
		return
	}
	r.run.Items++
	r.items = append(r.items, store.LegacyItem{Seq: r.run.Items, Kind: string(k), File: pos.File, Line: pos.Line, LegacyID: legacyID,
		Outcome: outcome, Reason: reason, Detail: detail, TryggID: tryggID})
}

// refuse reports a record refused, with its reason.
func (r *legacyRunner) refuse(k legacy.Kind, pos legacy.Pos, legacyID, reason, detail string) {
	r.report(k, pos, legacyID, store.LegacyRefused, reason, detail, "")
}

// unreadable refuses a record the reader could not read.
func (r *legacyRunner) unreadable(k legacy.Kind, bad *legacy.RecordError) {
	detail := bad.Reason
	if bad.Field != "" {
		detail = bad.Field + ": " + bad.Reason
	}
	r.refuse(k, bad.Pos, bad.LegacyID, "unreadable", detail)
}

// keep records what a legacy record became (in a dry run, what it would
// have; value is what later kinds need of it), and reports it.
func (r *legacyRunner) keep(k legacy.Kind, pos legacy.Pos, legacyID, tryggID, outcome, reason, detail, value string) {
	r.seen[legacyID] = true
	r.report(k, pos, legacyID, outcome, reason, detail, tryggID)
	if r.dry {
		if !legacyReferred[k] {
			return
		}
		if r.would[k] == nil {
			r.would[k] = map[uint64]uint16{}
		}
		i := slices.Index(r.caseTypes, value)
		if i < 0 {
			i = len(r.caseTypes)
			r.caseTypes = append(r.caseTypes, value)
		}
		r.would[k][legacyHash(legacyID)] = uint16(i)
		return
	}
	r.ids = append(r.ids, store.LegacyID{Kind: string(k), LegacyID: legacyID, TryggID: tryggID, Outcome: outcome, RunID: r.run.ID})
}

// legacyReferred are the kinds later kinds refer to, which a dry run
// remembers it would have brought in (and, so, the only kinds whose
// legacy ids a dry run finds twice across batches).
var legacyReferred = map[legacy.Kind]bool{legacy.KindUnits: true, legacy.KindStaff: true, legacy.KindPersons: true,
	legacy.KindCases: true, legacy.KindDecisions: true, legacy.KindOrders: true}

// imported returns which of ids of kind k earlier batches and runs
// brought in (a dry run: or would have), and whether this batch has one
// already.
func (r *legacyRunner) imported(ctx context.Context, k legacy.Kind, ids []string) (func(id string) (string, bool), error) {
	got, err := r.tx.LegacyIDs(ctx, r.a.Tenant, r.run.Source, string(k), legacyUnique(ids))
	if err != nil {
		return nil, err
	}
	return func(id string) (string, bool) {
		if l, ok := got[id]; ok {
			return l.TryggID, true
		}
		if r.seen[id] {
			return "", true
		}
		if r.dry {
			_, ok := r.would[k][legacyHash(id)]
			return "", ok
		}
		return "", false
	}, nil
}

// skipped reports a record imported before.
func (r *legacyRunner) skipped(k legacy.Kind, pos legacy.Pos, legacyID, tryggID string) {
	r.report(k, pos, legacyID, store.LegacySkipped, "already_imported", "", tryggID)
}

// refs returns what the legacy ids of kind k (persons, cases, decisions
// or orders) are in trygg, by legacy id; those neither imported nor (in a
// dry run) to be are left out.
func (r *legacyRunner) refs(ctx context.Context, k legacy.Kind, ids []string) (map[string]legacyRef, error) {
	ids = legacyUnique(ids)
	got, err := r.tx.LegacyIDs(ctx, r.a.Tenant, r.run.Source, string(k), ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]legacyRef, len(ids))
	var tryggIDs []string
	for _, l := range got {
		tryggIDs = append(tryggIDs, l.TryggID)
	}
	switch k {
	case legacy.KindPersons:
		for id, l := range got {
			out[id] = legacyRef{ID: l.TryggID, PersonID: l.TryggID}
		}
	case legacy.KindCases:
		cs, err := r.tx.CasesByIDs(ctx, r.a.Tenant, tryggIDs)
		if err != nil {
			return nil, err
		}
		for id, l := range got {
			if c, ok := cs[l.TryggID]; ok {
				out[id] = legacyRef{ID: c.ID, CaseID: c.ID, PersonID: c.PersonID, UnitID: c.UnitID, CaseType: c.CaseType,
					DefinitionVersion: c.DefinitionVersion}
			}
		}
	case legacy.KindDecisions:
		ds, err := r.tx.DecisionsByIDs(ctx, r.a.Tenant, tryggIDs)
		if err != nil {
			return nil, err
		}
		var caseIDs []string
		for _, d := range ds {
			caseIDs = append(caseIDs, d.CaseID)
		}
		cs, err := r.tx.CasesByIDs(ctx, r.a.Tenant, legacyUnique(caseIDs))
		if err != nil {
			return nil, err
		}
		for id, l := range got {
			d, ok := ds[l.TryggID]
			c, cok := cs[d.CaseID]
			if ok && cok {
				out[id] = legacyRef{ID: d.ID, CaseID: c.ID, PersonID: c.PersonID, UnitID: c.UnitID, CaseType: c.CaseType, Insats: d.Insats,
					DefinitionVersion: c.DefinitionVersion, Amount: d.Amount, DecidedBy: d.DecidedBy, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
					DecidedAt: d.DecidedAt}
			}
		}
	case legacy.KindOrders:
		os, err := r.tx.OrdersByIDs(ctx, r.a.Tenant, tryggIDs)
		if err != nil {
			return nil, err
		}
		for id, l := range got {
			if o, ok := os[l.TryggID]; ok {
				out[id] = legacyRef{ID: o.ID, CaseID: o.CaseID, PersonID: o.PersonID, UnitID: o.UnitID, Insats: o.Insats, ProviderID: o.ProviderID}
			}
		}
	}
	if r.dry {
		for _, id := range ids {
			if _, ok := out[id]; ok {
				continue
			}
			if v, ok := r.would[k][legacyHash(id)]; ok {
				out[id] = legacyRef{CaseType: r.caseTypes[v], Dry: true}
			}
		}
	}
	return out, nil
}

// authorOf returns the user a legacy staff id is: the one the mapping or
// an earlier batch gave it, else the export's own author.
func (r *legacyRunner) authorOf(ctx context.Context, staffID string) (string, error) {
	if id, ok := r.staff[strings.TrimSpace(staffID)]; ok && id != "" {
		return id, nil
	}
	return r.exportAuthor(ctx)
}

// exportAuthor returns the user who stands for the old system where a
// record names no author (or one the export does not have): one disabled
// user per old system, "<system> (tidigare system)", made the first time
// it is needed.
func (r *legacyRunner) exportAuthor(ctx context.Context) (string, error) {
	if r.author != "" || r.dry {
		return r.author, nil
	}
	u, err := r.legacyUser(ctx, "", r.run.System)
	if err != nil {
		return "", err
	}
	r.author, r.newAuthor = u, true
	return u, nil
}

// legacyUser returns the disabled user that stands for the old system's
// staff member legacyID ("" the system itself), named name plus
// " (tidigare system)", making it if no earlier import did. Users are
// kept per old system, so an officer of two districts is one user.
func (r *legacyRunner) legacyUser(ctx context.Context, legacyID, name string) (string, error) {
	username := legacyUsername(r.run.System, legacyID)
	if u, err := r.s.db.UserByUsername(ctx, r.a.Tenant, username); err == nil {
		return u.ID, nil
	} else if trygg.ErrorCode(err) != trygg.ENotFound {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || storedtext.Check(name, storedtext.Line) != nil {
		name = legacyID
	}
	u := store.User{ID: newID(), Username: username, DisplayName: name + " (tidigare system)", Disabled: true}
	if err := r.tx.InsertUser(ctx, r.a.Tenant, u); err != nil {
		return "", err
	}
	r.nowEvents = append(r.nowEvents, events.New(r.a, events.UserCreated, "user", u.ID, map[string]any{"username": u.Username,
		"display_name": u.DisplayName, "method": "none", "disabled": true, "source": "legacy"}))
	return u.ID, nil
}

// legacyUsername is the username of the user who stands for an old
// system's staff member: stable, so every import finds the same.
func legacyUsername(system, legacyID string) string {
	h := fnv.New64a()
	h.Write([]byte(system))
	h.Write([]byte{0})
	h.Write([]byte(legacyID))
	return fmt.Sprintf("tidigare-%016x", h.Sum64())
}

// past adds an event of a legacy record at its own time, by its author.
func (r *legacyRunner) past(at time.Time, actor, typ, subjectType, subjectID, personID, caseID string, payload map[string]any) {
	payload["source"] = "legacy"
	e := events.New(r.a, typ, subjectType, subjectID, payload)
	e.ActorID, e.PersonID, e.CaseID, e.At = actor, personID, caseID, at
	if e.At.After(r.now) {
		e.At = r.now
	}
	r.events = append(r.events, e)
}

// legacyHash is a legacy id's key in a dry run's memory.
func legacyHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// legacyUnique returns ids without empty ones and repeats.
func legacyUnique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// legacyCode is a report's detail naming a code the mapping does not
// have: "field=CODE" when the value is a code (a short word), otherwise
// only the field, since a free text may hold personal content.
func legacyCode(field, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return field + " (empty)"
	}
	if len([]rune(v)) <= 20 && !strings.ContainsFunc(v, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_./", r)
	}) {
		return field + "=" + v
	}
	return field + " (free text)"
}

// legacyTime is a legacy moment; ok is false when it is empty or not one.
func legacyTime(t legacy.Time) (time.Time, bool) {
	if t == "" {
		return time.Time{}, false
	}
	v, err := time.Parse(time.RFC3339, string(t))
	return v.UTC(), err == nil
}

// legacyDay is a legacy day's start in Sweden; ok is false when it is
// empty or not a day.
func legacyDay(d legacy.Date) (time.Time, bool) {
	if d == "" {
		return time.Time{}, false
	}
	v, err := time.ParseInLocation(time.DateOnly, string(d), calendar.Sweden)
	return v.UTC(), err == nil
}

// legacyIdentity parses an identity number as an old system wrote it: a
// personnummer or samordningsnummer in any of its forms, or else the
// system's own reserve number (issued by the system).
func legacyIdentity(s, system string, today time.Time) (persons.Identity, error) {
	t := strings.TrimSpace(s)
	digits := strings.Map(func(r rune) rune {
		if r == '-' || r == '+' || r == ' ' {
			return -1
		}
		return r
	}, t)
	if (len(digits) == 10 || len(digits) == 12) && !strings.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) {
		return persons.ParseIdentityNumber(strings.ReplaceAll(t, " ", ""), today)
	}
	return persons.ParseReserve(t, system)
}

func identityKey(id persons.Identity) string { return store.IdentityKey(id) }

// previousIdentities reads the export's persons once for the identity
// numbers it says were replaced, so that both records of a person whose
// samordningsnummer became a personnummer are the one person, with the
// newer number, whichever comes first.
func (r *legacyRunner) previousIdentities() error {
	for p, err := range r.exp.Persons() {
		if err != nil {
			var bad *legacy.RecordError
			if errors.As(err, &bad) {
				continue
			}
			return fmt.Errorf("%s: %w", legacy.KindPersons, err)
		}
		if strings.TrimSpace(p.PreviousIdentity) == "" {
			continue
		}
		prev, err := legacyIdentity(p.PreviousIdentity, r.run.System, r.today)
		if err != nil {
			continue
		}
		cur, err := legacyIdentity(p.Identity, r.run.System, r.today)
		if err != nil || identityKey(cur) == identityKey(prev) {
			continue
		}
		r.replaced[identityKey(prev)] = cur
	}
	return nil
}

// newest follows id through the numbers that replaced it.
func (r *legacyRunner) newest(id persons.Identity) (persons.Identity, bool) {
	replaced := false
	for range 8 {
		next, ok := r.replaced[identityKey(id)]
		if !ok {
			break
		}
		id, replaced = next, true
	}
	return id, replaced
}

// legacyOrderRunning reports whether the export says an order is running
// on the day today (YYYY-MM-DD): it has no end, or ends today or later.
// The import ends the others, and the reconciliation counts by the same
// rule.
func legacyOrderRunning(end legacy.Date, today string) bool {
	return strings.TrimSpace(string(end)) == "" || string(end) >= today
}
