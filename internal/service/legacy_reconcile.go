package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// LegacyReconciliation is what a reconciliation of an export against
// trygg found: the run (its report rows are the differences) and the
// summary.
type LegacyReconciliation struct {
	Run     store.LegacyRun `json:"run"`
	Summary LegacySummary   `json:"summary"`
}

// LegacySummary compares an export with what trygg has of it.
type LegacySummary struct {
	// Import is the import run reconciled against (its mapping decides
	// what the export's codes mean).
	Import string `json:"import"`
	// Today is the day decisions in force and running orders are counted
	// on.
	Today string              `json:"today"`
	Kinds []LegacyKindSummary `json:"kinds"`
	// Payments compares the sums of the payments, in öre.
	Payments LegacySumSummary `json:"payments"`
	// OpenDecisions and RunningOrders compare, person by person, the
	// decisions in force and the orders running.
	OpenDecisions LegacyPersonSummary `json:"open_decisions"`
	RunningOrders LegacyPersonSummary `json:"running_orders"`
	// Unexplained counts the differences nothing explains (report rows
	// with outcome unexplained): the goal is none.
	Unexplained int64 `json:"unexplained"`
}

// LegacyKindSummary compares one kind's records.
type LegacyKindSummary struct {
	Kind string `json:"kind"`
	// Manifest is the export's control total (-1: the manifest has none),
	// Export the records read (rows, for forms).
	Manifest int64 `json:"manifest"`
	Export   int64 `json:"export"`
	// Created, Mapped and Merged are the export's records trygg has, by
	// how they came in; Missing those trygg had and no longer has.
	Created int64 `json:"created"`
	Mapped  int64 `json:"mapped"`
	Merged  int64 `json:"merged"`
	Missing int64 `json:"missing"`
	// Refused are records an import refused (with a reason in the
	// report), Unreadable those the reader could not read, Unexplained
	// the rest.
	Refused     int64 `json:"refused"`
	Unreadable  int64 `json:"unreadable"`
	Unexplained int64 `json:"unexplained"`
}

// LegacySumSummary compares the payments' sums, in öre.
type LegacySumSummary struct {
	Manifest    int64 `json:"manifest"`
	Export      int64 `json:"export"`
	Trygg       int64 `json:"trygg"`
	Refused     int64 `json:"refused"`
	Unexplained int64 `json:"unexplained"`
}

// LegacyPersonSummary compares counts per person: their totals in the
// export and in trygg, how many persons differ, and how many of the
// differences are explained (by refused records) or not.
type LegacyPersonSummary struct {
	Export      int64 `json:"export"`
	Trygg       int64 `json:"trygg"`
	Persons     int64 `json:"persons"`
	Explained   int64 `json:"explained"`
	Unexplained int64 `json:"unexplained"`
}

// legacyReconcileChunk is how many records a reconciliation looks up at
// once.
const legacyReconcileChunk = 1000

// LegacyReconcile compares the export with trygg, reading the export's
// files again record by record: each kind's records (in trygg by their
// legacy ids, or refused by the newest import that met them, with its
// reason, or unreadable — anything else is unexplained), the manifest's
// control totals, the sum of the payments, and per person the decisions
// in force and the orders running today. Every difference is a row of
// the run's report with its explanation; it stores the run and returns
// it with the summary. The export's codes mean what the mapping of its
// newest import says. Only a system administrator may; an export never
// imported is not found.
func (s *Service) LegacyReconcile(ctx context.Context, a trygg.Actor, exp *legacy.Export) (LegacyReconciliation, error) {
	if err := requireLegacyAdmin(a); err != nil {
		return LegacyReconciliation{}, err
	}
	source := LegacySource(exp.Manifest)
	imports, err := s.db.LegacyRuns(ctx, a.Tenant, store.LegacyRunQuery{Source: source, Modes: []string{store.LegacyImport}, Limit: 1})
	if err != nil {
		return LegacyReconciliation{}, err
	}
	if len(imports) == 0 {
		return LegacyReconciliation{}, trygg.Errorf(trygg.ENotFound, "This export has not been imported yet: import it before reconciling.")
	}
	imp := imports[0]
	comp, err := s.compiled(ctx, a.Tenant, imp.DefinitionVersion)
	if err != nil {
		return LegacyReconciliation{}, err
	}
	m := comp.LegacyMapping(imp.MappingID)
	if m == nil {
		return LegacyReconciliation{}, trygg.Errorf(trygg.ENotFound, "The published definitions have no legacy mapping %q.", imp.MappingID)
	}
	now := s.db.Now()
	rc := &legacyReconciler{s: s, a: a, exp: exp, m: m, source: source, today: calendar.Today(now),
		run: store.LegacyRun{ID: newID(), Source: source, System: exp.Manifest.System, District: exp.Manifest.District, Mode: store.LegacyReconcile,
			MappingID: imp.MappingID, DefinitionVersion: imp.DefinitionVersion, Status: store.LegacyRunning, Counts: store.LegacyCounts{}, StartedBy: a.UserID},
		openByCase: map[string]*legacyOpen{}, runningByDecision: map[string]*legacyOpen{}}
	rc.sum.Import, rc.sum.Today = imp.ID, rc.today
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertLegacyRun(ctx, a.Tenant, rc.run); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, eventLegacyRunStarted, "legacy_run", rc.run.ID, map[string]any{"mode": store.LegacyReconcile,
			"source": source, "import": imp.ID}))
		return err
	})
	if err != nil {
		return LegacyReconciliation{}, err
	}
	err = rc.all(ctx)
	return rc.finish(ctx, err)
}

// legacyOpen is an export's count of what is in force (decisions of a
// case, orders of a decision): all of them, and those trygg does not
// have, with the refusals' reasons.
type legacyOpen struct {
	all, refused, unexplained int64
	reasons                   []string
}

func (o *legacyOpen) add(x *legacyOpen) {
	o.all += x.all
	o.refused += x.refused
	o.unexplained += x.unexplained
	if len(o.reasons) < 5 {
		o.reasons = append(o.reasons, x.reasons...)
	}
}

type legacyReconciler struct {
	s      *Service
	a      trygg.Actor
	exp    *legacy.Export
	m      *process.LegacyMap
	source string
	today  string
	run    store.LegacyRun
	sum    LegacySummary
	items  []store.LegacyItem

	// What is in force in the export, kept while the files are read
	// again: only those records, so memory follows them, not the export.
	openByCase        map[string]*legacyOpen
	runningByDecision map[string]*legacyOpen
}

func (rc *legacyReconciler) all(ctx context.Context) error {
	for _, k := range legacy.Kinds {
		if err := rc.kind(ctx, k); err != nil {
			return err
		}
	}
	if err := rc.payments(ctx); err != nil {
		return err
	}
	return rc.perPerson(ctx)
}

// difference adds a row to the report.
func (rc *legacyReconciler) difference(kind string, pos legacy.Pos, legacyID, outcome, reason, detail, tryggID string) {
	rc.run.Counts.Add(kind, outcome, 1)
	if outcome == store.LegacyUnexplained {
		rc.sum.Unexplained++
	}
	rc.run.Items++
	rc.items = append(rc.items, store.LegacyItem{Seq: rc.run.Items, Kind: kind, File: pos.File, Line: pos.Line, LegacyID: legacyID,
		Outcome: outcome, Reason: reason, Detail: detail, TryggID: tryggID})
}

// flush writes the report rows gathered and the run's progress.
func (rc *legacyReconciler) flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := rc.s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertLegacyItems(ctx, rc.a.Tenant, rc.run.ID, rc.items); err != nil {
			return err
		}
		return tx.SaveLegacyRun(ctx, rc.a.Tenant, rc.run)
	})
	rc.items = rc.items[:0]
	return err
}

// legacyRecord is what the reconciliation needs of any record.
type legacyRecord struct {
	pos      legacy.Pos
	legacyID string
	bad      *legacy.RecordError
	// the record's payment amount, its open decision's case, its running
	// order's decision
	amount   int64
	openCase string
	runsFor  string
}

func legacyRecords[T any](seq iter.Seq2[T, error], f func(T) legacyRecord) iter.Seq2[legacyRecord, error] {
	return func(yield func(legacyRecord, error) bool) {
		for v, err := range seq {
			var bad *legacy.RecordError
			if err != nil && !errors.As(err, &bad) {
				yield(legacyRecord{}, err)
				return
			}
			rec := legacyRecord{bad: bad}
			if bad != nil {
				rec.pos, rec.legacyID = bad.Pos, bad.LegacyID
			} else {
				rec = f(v)
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// records returns kind k's records as the reconciliation reads them.
func (rc *legacyReconciler) records(k legacy.Kind) iter.Seq2[legacyRecord, error] {
	e := rc.exp
	switch k {
	case legacy.KindUnits:
		return legacyRecords(e.Units(), func(u legacy.Unit) legacyRecord { return legacyRecord{pos: u.Pos, legacyID: u.LegacyID} })
	case legacy.KindStaff:
		return legacyRecords(e.Staff(), func(u legacy.Staff) legacyRecord { return legacyRecord{pos: u.Pos, legacyID: u.LegacyID} })
	case legacy.KindPersons:
		return legacyRecords(e.Persons(), func(u legacy.Person) legacyRecord { return legacyRecord{pos: u.Pos, legacyID: u.LegacyID} })
	case legacy.KindRelations:
		return legacyRecords(e.Relations(), func(u legacy.Relation) legacyRecord { return legacyRecord{pos: u.Pos, legacyID: u.LegacyID} })
	case legacy.KindCases:
		return legacyRecords(e.Cases(), func(u legacy.Case) legacyRecord { return legacyRecord{pos: u.Pos, legacyID: u.LegacyID} })
	case legacy.KindForms:
		return legacyRecords(e.Forms(), func(u legacy.FormValue) legacyRecord { return legacyRecord{pos: u.Pos, legacyID: u.LegacyID} })
	case legacy.KindDecisions:
		return legacyRecords(e.Decisions(), func(d legacy.Decision) legacyRecord {
			rec := legacyRecord{pos: d.Pos, legacyID: d.LegacyID}
			if o, ok := rc.m.Outcome(d.Outcome); !(ok && o == process.OutcomeRefused) && (d.ValidTo == "" || string(d.ValidTo) >= rc.today) {
				rec.openCase = strings.TrimSpace(d.Case)
			}
			return rec
		})
	case legacy.KindNotes:
		return legacyRecords(e.Notes(), func(u legacy.Note) legacyRecord { return legacyRecord{pos: u.Pos, legacyID: u.LegacyID} })
	case legacy.KindDocuments:
		return legacyRecords(e.Documents(), func(u legacy.Document) legacyRecord { return legacyRecord{pos: u.Pos, legacyID: u.LegacyID} })
	case legacy.KindOrders:
		return legacyRecords(e.Orders(), func(o legacy.Order) legacyRecord {
			rec := legacyRecord{pos: o.Pos, legacyID: o.LegacyID}
			if legacyOrderRunning(o.End, rc.today) {
				rec.runsFor = strings.TrimSpace(o.Decision)
			}
			return rec
		})
	case legacy.KindPerformed:
		return legacyRecords(e.Performed(), func(u legacy.Performed) legacyRecord { return legacyRecord{pos: u.Pos, legacyID: u.LegacyID} })
	case legacy.KindPayments:
		return legacyRecords(e.Payments(), func(p legacy.Payment) legacyRecord {
			return legacyRecord{pos: p.Pos, legacyID: p.LegacyID, amount: int64(p.Amount)}
		})
	}
	return func(func(legacyRecord, error) bool) {}
}

// kind reconciles kind k's records, a chunk at a time.
func (rc *legacyReconciler) kind(ctx context.Context, k legacy.Kind) error {
	ks := LegacyKindSummary{Kind: string(k), Manifest: -1}
	if n, ok := rc.exp.Manifest.Counts[k]; ok {
		ks.Manifest = int64(n)
	}
	var chunk []legacyRecord
	lastForm := ""
	check := func() error {
		if len(chunk) == 0 {
			return nil
		}
		ids := make([]string, 0, len(chunk))
		for _, rec := range chunk {
			if rec.bad == nil {
				ids = append(ids, strings.TrimSpace(rec.legacyID))
			}
		}
		ids = legacyUnique(ids)
		in, err := rc.s.db.LegacyIDs(ctx, rc.a.Tenant, rc.source, string(k), ids)
		if err != nil {
			return err
		}
		var missing []string
		for _, id := range ids {
			if _, ok := in[id]; !ok {
				missing = append(missing, id)
			}
		}
		refused, err := rc.s.db.LegacyRefusals(ctx, rc.a.Tenant, rc.source, string(k), missing)
		if err != nil {
			return err
		}
		for _, rec := range chunk {
			id := strings.TrimSpace(rec.legacyID)
			// A form is its rows: one report row for it.
			first := k != legacy.KindForms || id != lastForm
			lastForm = id
			var open *legacyOpen
			switch {
			case rec.openCase != "":
				if open = rc.openByCase[rec.openCase]; open == nil {
					open = &legacyOpen{}
					rc.openByCase[rec.openCase] = open
				}
			case rec.runsFor != "":
				if open = rc.runningByDecision[rec.runsFor]; open == nil {
					open = &legacyOpen{}
					rc.runningByDecision[rec.runsFor] = open
				}
			}
			if open != nil {
				open.all++
			}
			l, ok := in[id]
			switch {
			case rec.bad != nil:
				ks.Unreadable++
				rc.difference(string(k), rec.pos, rec.legacyID, store.LegacyExplained, "unreadable", rec.bad.Field, "")
				if open != nil {
					open.refused++
					open.reasons = append(open.reasons, "unreadable")
				}
			case ok:
				switch l.Outcome {
				case store.LegacyMapped:
					ks.Mapped++
				case store.LegacyMerged:
					ks.Merged++
					if first {
						rc.difference(string(k), rec.pos, id, store.LegacyExplained, "merged", "", l.TryggID)
					}
				default:
					ks.Created++
				}
				if rec.amount != 0 {
					rc.sum.Payments.Export += rec.amount
				}
			case refused[id].Reason != "":
				ks.Refused++
				if first {
					rc.difference(string(k), rec.pos, id, store.LegacyExplained, refused[id].Reason, refused[id].Detail, "")
				}
				rc.sum.Payments.Export += rec.amount
				rc.sum.Payments.Refused += rec.amount
				if open != nil {
					open.refused++
					open.reasons = append(open.reasons, refused[id].Reason)
				}
			default:
				ks.Unexplained++
				if first {
					rc.difference(string(k), rec.pos, id, store.LegacyUnexplained, "not_imported", "", "")
				}
				rc.sum.Payments.Export += rec.amount
				if open != nil {
					open.unexplained++
				}
			}
		}
		chunk = chunk[:0]
		return rc.flush(ctx)
	}
	for rec, err := range rc.records(k) {
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		ks.Export++
		if len(chunk) >= legacyReconcileChunk && (k != legacy.KindForms || chunk[len(chunk)-1].legacyID != rec.legacyID) {
			if err := check(); err != nil {
				return err
			}
		}
		chunk = append(chunk, rec)
	}
	if err := check(); err != nil {
		return err
	}
	if ks.Manifest >= 0 && ks.Manifest != ks.Export {
		rc.difference(string(k), legacy.Pos{File: legacy.ManifestName}, "", store.LegacyUnexplained, "manifest_count",
			fmt.Sprintf("manifest %d, export %d", ks.Manifest, ks.Export), "")
	}
	if missing, err := rc.s.db.LegacyMissing(ctx, rc.a.Tenant, rc.source, string(k)); err != nil {
		return err
	} else if missing > 0 {
		ks.Missing = missing
		rc.difference(string(k), legacy.Pos{}, "", store.LegacyUnexplained, "missing_in_trygg", fmt.Sprintf("%d records", missing), "")
	}
	rc.sum.Kinds = append(rc.sum.Kinds, ks)
	return rc.flush(ctx)
}

// payments compares the sums of the payments: the manifest's, the
// export's, and trygg's with the refused ones.
func (rc *legacyReconciler) payments(ctx context.Context) error {
	p := &rc.sum.Payments
	p.Manifest = int64(rc.exp.Manifest.PaymentSum)
	var err error
	if p.Trygg, err = rc.s.db.LegacyPaymentSum(ctx, rc.a.Tenant, rc.source); err != nil {
		return err
	}
	p.Unexplained = p.Export - p.Trygg - p.Refused
	file := rc.exp.FileName(legacy.KindPayments)
	if p.Unexplained != 0 {
		rc.difference(string(legacy.KindPayments), legacy.Pos{File: file}, "", store.LegacyUnexplained, "payment_sum",
			fmt.Sprintf("export %s, trygg %s, refused %s", legacy.Ore(p.Export), legacy.Ore(p.Trygg), legacy.Ore(p.Refused)), "")
	}
	if rc.exp.HasManifest && p.Manifest != p.Export {
		outcome, reason := store.LegacyUnexplained, "manifest_payment_sum"
		for _, k := range rc.sum.Kinds {
			if k.Kind == string(legacy.KindPayments) && k.Unreadable > 0 {
				outcome = store.LegacyExplained // the unreadable payments' amounts are not known
			}
		}
		rc.difference(string(legacy.KindPayments), legacy.Pos{File: legacy.ManifestName}, "", outcome, reason,
			fmt.Sprintf("manifest %s, export %s", legacy.Ore(p.Manifest), legacy.Ore(p.Export)), "")
	}
	return rc.flush(ctx)
}

// perPerson compares, per person, the decisions in force and the orders
// running in the export with trygg's. The export's are gathered by case
// and decision while reading; here they are carried to their persons,
// reading decisions and cases once more for those only.
func (rc *legacyReconciler) perPerson(ctx context.Context) error {
	// The decisions of running orders, by the case they are in.
	decisionsOfCase := map[string][]string{}
	if len(rc.runningByDecision) > 0 {
		for d, err := range rc.exp.Decisions() {
			if err != nil {
				var bad *legacy.RecordError
				if errors.As(err, &bad) {
					continue
				}
				return fmt.Errorf("%s: %w", legacy.KindDecisions, err)
			}
			id := strings.TrimSpace(d.LegacyID)
			if x, ok := rc.runningByDecision[id]; ok && x != nil {
				c := strings.TrimSpace(d.Case)
				decisionsOfCase[c] = append(decisionsOfCase[c], id)
			}
		}
	}
	openByPerson, runningByPerson := map[string]*legacyOpen{}, map[string]*legacyOpen{}
	add := func(m map[string]*legacyOpen, person string, x *legacyOpen) {
		if m[person] == nil {
			m[person] = &legacyOpen{}
		}
		m[person].add(x)
	}
	if len(rc.openByCase) > 0 || len(decisionsOfCase) > 0 {
		for c, err := range rc.exp.Cases() {
			if err != nil {
				var bad *legacy.RecordError
				if errors.As(err, &bad) {
					continue
				}
				return fmt.Errorf("%s: %w", legacy.KindCases, err)
			}
			id, person := strings.TrimSpace(c.LegacyID), strings.TrimSpace(c.Person)
			if x := rc.openByCase[id]; x != nil {
				add(openByPerson, person, x)
				delete(rc.openByCase, id)
			}
			for _, d := range decisionsOfCase[id] {
				if x := rc.runningByDecision[d]; x != nil {
					add(runningByPerson, person, x)
					delete(rc.runningByDecision, d)
				}
			}
			delete(decisionsOfCase, id)
		}
	}
	// What names a case or decision the export does not have is the
	// export's own inconsistency: counted under no person.
	for _, x := range rc.openByCase {
		add(openByPerson, "", x)
	}
	for _, x := range rc.runningByDecision {
		add(runningByPerson, "", x)
	}
	decisions, err := rc.s.db.LegacyOpenDecisions(ctx, rc.a.Tenant, rc.source, rc.today)
	if err != nil {
		return err
	}
	orders, err := rc.s.db.LegacyRunningOrders(ctx, rc.a.Tenant, rc.source)
	if err != nil {
		return err
	}
	if err := rc.comparePersons(ctx, "open_decisions", openByPerson, decisions, &rc.sum.OpenDecisions); err != nil {
		return err
	}
	if err := rc.comparePersons(ctx, "running_orders", runningByPerson, orders, &rc.sum.RunningOrders); err != nil {
		return err
	}
	return rc.flush(ctx)
}

// comparePersons compares the export's counts per legacy person with
// trygg's per person, and reports each person whose counts differ, by
// the person's legacy id, with what explains the difference.
func (rc *legacyReconciler) comparePersons(ctx context.Context, what string, export map[string]*legacyOpen, trygg map[string]int64, sum *LegacyPersonSummary) error {
	ids := make([]string, 0, len(export))
	for id := range export {
		ids = append(ids, id)
	}
	in, err := rc.s.db.LegacyIDs(ctx, rc.a.Tenant, rc.source, string(legacy.KindPersons), legacyUnique(ids))
	if err != nil {
		return err
	}
	// Export counts by trygg person; a person trygg does not have keeps
	// its legacy id.
	type side struct {
		legacyID string
		x        legacyOpen
	}
	byTrygg := map[string]*side{}
	var order []string
	for _, id := range ids {
		key := "legacy:" + id
		if l, ok := in[id]; ok {
			key = l.TryggID
		}
		if byTrygg[key] == nil {
			byTrygg[key] = &side{legacyID: id}
			order = append(order, key)
		}
		byTrygg[key].x.add(export[id])
	}
	for p := range trygg {
		if byTrygg[p] == nil {
			byTrygg[p] = &side{}
			order = append(order, p)
		}
	}
	for _, key := range order {
		s := byTrygg[key]
		have := trygg[key]
		sum.Export += s.x.all
		sum.Trygg += have
		if s.x.all == have {
			continue
		}
		sum.Persons++
		diff := s.x.all - have
		outcome, reason := store.LegacyUnexplained, "count_differs"
		switch {
		case diff > 0 && diff <= s.x.refused:
			// What trygg lacks is what the import refused.
			outcome, reason = store.LegacyExplained, "refused"
			if len(s.x.reasons) > 0 {
				reason = s.x.reasons[0]
			}
		case key == "legacy:":
			reason = "unknown_case"
		case s.legacyID == "" && !strings.HasPrefix(key, "legacy:"):
			reason = "only_in_trygg"
		}
		if outcome == store.LegacyExplained {
			sum.Explained++
		} else {
			sum.Unexplained++
		}
		tryggID := key
		if strings.HasPrefix(key, "legacy:") {
			tryggID = ""
		}
		rc.difference(what, legacy.Pos{File: rc.exp.FileName(legacy.KindPersons)}, s.legacyID, outcome, reason,
			fmt.Sprintf("export %d, trygg %d", s.x.all, have), tryggID)
		if len(rc.items) >= legacyReconcileChunk {
			if err := rc.flush(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// finish ends the reconciliation run with its summary.
func (rc *legacyReconciler) finish(ctx context.Context, err error) (LegacyReconciliation, error) {
	ctx = context.WithoutCancel(ctx)
	run := rc.run
	switch {
	case err == nil:
		run.Status = store.LegacyDone
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		run.Status = store.LegacyStopped
	default:
		run.Status, run.Error = store.LegacyFailed, trygg.ErrorMessage(err)
		rc.s.log.Error("legacy reconciliation failed", "run", run.ID, "err", err)
	}
	b, jerr := json.Marshal(rc.sum)
	if jerr != nil {
		return LegacyReconciliation{}, errors.Join(err, jerr)
	}
	run.Summary = b
	ferr := rc.s.db.Update(ctx, func(tx *store.Tx) error {
		if run.Status == store.LegacyDone {
			run.FinishedAt = tx.Now
		}
		if err := tx.InsertLegacyItems(ctx, rc.a.Tenant, run.ID, rc.items); err != nil {
			return err
		}
		if err := tx.SaveLegacyRun(ctx, rc.a.Tenant, run); err != nil {
			return err
		}
		run.UpdatedAt = tx.Now
		_, err := tx.AppendEvent(ctx, events.New(rc.a, eventLegacyRunFinished, "legacy_run", run.ID, map[string]any{"mode": run.Mode,
			"source": run.Source, "status": run.Status, "items": run.Items, "unexplained": rc.sum.Unexplained}))
		return err
	})
	rc.items = nil
	rc.run = run
	return LegacyReconciliation{Run: run, Summary: rc.sum}, errors.Join(err, ferr)
}

// LegacyReconciliationOf returns a stored reconciliation run with its
// summary. Only a system administrator may; an unknown run, or one that
// is not a reconciliation, is not found.
func (s *Service) LegacyReconciliationOf(ctx context.Context, a trygg.Actor, id string) (LegacyReconciliation, error) {
	run, err := s.LegacyRun(ctx, a, id)
	if err != nil {
		return LegacyReconciliation{}, err
	}
	if run.Mode != store.LegacyReconcile {
		return LegacyReconciliation{}, trygg.ErrNotFound
	}
	out := LegacyReconciliation{Run: run}
	if len(run.Summary) > 0 {
		if err := json.Unmarshal(run.Summary, &out.Summary); err != nil {
			return out, fmt.Errorf("legacy reconciliation %s: %w", id, err)
		}
	}
	return out, nil
}
