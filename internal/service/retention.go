package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/archive"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Retention events (docs/events.md): the preview, its approval and run,
// and each case purged. Their payloads carry ids and counts, never content.
const (
	eventRetentionPreviewed = events.RetentionPreviewed
	eventRetentionApproved  = events.RetentionApproved
	eventRetentionRun       = events.RetentionRun
	eventCasePurged         = events.CasePurged
)

// retentionBatch is about how many cases of persons with nothing to
// deliver a run purges in one transaction (a variable for the tests).
var retentionBatch = 200

func requireRetentionArchivist(a trygg.Actor) error {
	if !a.HasRole(trygg.RoleArchivist) {
		return trygg.Errorf(trygg.EForbidden, "Only an archivist can preview, approve or run a retention run.")
	}
	return nil
}

// RetentionReport is a preview with its items: what a run will do (or,
// once run, did), per person and case, with the rule that decides each.
type RetentionReport struct {
	store.RetentionPreview
	Items []store.RetentionItem
	// Warn are the items whose deadline (31 December of the year after
	// the duty arose) is within the rules' warning time, or passed.
	Warn int
}

// retentionRules returns the retention rules of tenant's definition
// version (0: the newest published).
func (s *Service) retentionRules(ctx context.Context, tenant trygg.TenantID, version int64) (*process.Retention, int64, error) {
	var err error
	if version == 0 {
		if version, err = s.db.LatestDefinitionVersion(ctx, tenant); err != nil {
			return nil, 0, err
		}
		if version == 0 {
			return nil, 0, trygg.Errorf(trygg.ENotFound, "No process definitions are published yet.")
		}
	}
	comp, err := s.compiled(ctx, tenant, version)
	if err != nil {
		return nil, 0, err
	}
	r := comp.Retention()
	if r == nil {
		return nil, 0, trygg.Errorf(trygg.ENotFound, "The published definitions have no retention rules (kind: retention).")
	}
	return r, version, nil
}

// retentionItems applies the rules to tenant's cases (one person's when
// personID is set) on the day asOf and returns the items due, with each
// case's fingerprint: its id, person, action, rule, duty day and newest
// entry, so any new entry or change of outcome shows.
func (s *Service) retentionItems(ctx context.Context, tenant trygg.TenantID, r *process.Retention, asOf, personID string) ([]store.RetentionItem, int, error) {
	cases, err := s.db.RetentionCases(ctx, tenant, personID)
	if err != nil {
		return nil, 0, err
	}
	var items []store.RetentionItem
	persons := 0
	lastSeq := map[string]int64{}
	for start := 0; start < len(cases); {
		end := start
		p := process.RetentionPerson{ID: cases[start].PersonID, BirthDate: cases[start].PersonBirthDate}
		for ; end < len(cases) && cases[end].PersonID == p.ID; end++ {
			c := cases[end]
			rc := process.RetentionCase{ID: c.ID, CaseType: c.CaseType, LastEntry: calendar.Today(c.LastAt), Insatser: c.Insatser, OpenDebt: c.OpenDebt}
			if !c.ClosedAt.IsZero() {
				rc.Closed = calendar.Today(c.ClosedAt)
			}
			lastSeq[c.ID] = c.LastSeq
			p.Cases = append(p.Cases, rc)
		}
		start = end
		outs := r.Decide(p, asOf)
		if len(outs) > 0 {
			persons++
		}
		for _, o := range outs {
			sum := sha256.Sum256([]byte(strings.Join([]string{o.CaseID, o.PersonID, o.Action, o.Rule, o.Reason, o.DutyFrom, fmt.Sprint(lastSeq[o.CaseID])}, "\x00")))
			items = append(items, store.RetentionItem{CaseID: o.CaseID, PersonID: o.PersonID, Action: o.Action, Rule: o.Rule, Reason: o.Reason,
				DutyFrom: o.DutyFrom, Deadline: o.Deadline, Fingerprint: hex.EncodeToString(sum[:])})
		}
	}
	return items, persons, nil
}

// retentionFingerprint is a preview's fingerprint: its day, definition
// version and every item's fingerprint, in case order.
func retentionFingerprint(asOf string, version int64, items []store.RetentionItem) string {
	fps := make([]string, len(items))
	for i, it := range items {
		fps[i] = it.CaseID + ":" + it.Fingerprint
	}
	sort.Strings(fps)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", asOf, version)
	for _, f := range fps {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// RetentionPreview works out what a retention run will do today under the
// newest published rules and stores it as a preview to approve: per person
// and case the rule and the action (purge, archive for the research
// sample, or keep under an exception). Only an archivist may; nothing due
// is a conflict.
func (s *Service) RetentionPreview(ctx context.Context, a trygg.Actor) (RetentionReport, error) {
	if err := requireRetentionArchivist(a); err != nil {
		return RetentionReport{}, err
	}
	r, version, err := s.retentionRules(ctx, a.Tenant, 0)
	if err != nil {
		return RetentionReport{}, err
	}
	now := s.db.Now()
	asOf := calendar.Today(now)
	items, persons, err := s.retentionItems(ctx, a.Tenant, r, asOf, "")
	if err != nil {
		return RetentionReport{}, err
	}
	p := store.RetentionPreview{ID: newID(), AsOf: asOf, DefinitionVersion: version, Persons: persons,
		Fingerprint: retentionFingerprint(asOf, version, items), CreatedBy: a.UserID, Status: store.RetentionPreviewed}
	for _, it := range items {
		switch it.Action {
		case process.RetentionPurge:
			p.PurgeCount++
		case process.RetentionArchive:
			p.ArchiveCount++
		default:
			p.KeepCount++
		}
	}
	if p.PurgeCount+p.ArchiveCount == 0 {
		return RetentionReport{}, trygg.Errorf(trygg.EConflict, "Nothing is due for purging or delivery to the archive today.")
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		p.CreatedAt = tx.Now
		if err := tx.InsertRetentionPreview(ctx, a.Tenant, p, items); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, eventRetentionPreviewed, "retention", p.ID, map[string]any{
			"as_of": asOf, "version": version, "purge": p.PurgeCount, "archive": p.ArchiveCount, "keep": p.KeepCount, "fingerprint": p.Fingerprint}))
		return err
	})
	if err != nil {
		return RetentionReport{}, err
	}
	return s.retentionReport(ctx, a.Tenant, r, p, items), nil
}

func (s *Service) retentionReport(ctx context.Context, tenant trygg.TenantID, r *process.Retention, p store.RetentionPreview, items []store.RetentionItem) RetentionReport {
	rep := RetentionReport{RetentionPreview: p, Items: items}
	today := calendar.Today(s.db.Now())
	for _, it := range items {
		if it.Deadline != "" && it.DoneAt.IsZero() && r != nil && r.WarnFrom(it.Deadline) <= today {
			rep.Warn++
		}
	}
	return rep
}

// RetentionPreviewByID returns a stored preview with its items (once run,
// its protocol). Only an archivist may.
func (s *Service) RetentionPreviewByID(ctx context.Context, a trygg.Actor, id string) (RetentionReport, error) {
	if err := requireRetentionArchivist(a); err != nil {
		return RetentionReport{}, err
	}
	p, err := s.db.RetentionPreview(ctx, a.Tenant, id)
	if err != nil {
		return RetentionReport{}, err
	}
	items, err := s.db.RetentionItems(ctx, a.Tenant, id)
	if err != nil {
		return RetentionReport{}, err
	}
	r, _, _ := s.retentionRules(ctx, a.Tenant, p.DefinitionVersion)
	return s.retentionReport(ctx, a.Tenant, r, p, items), nil
}

// RetentionProtocol lists every preview and run, newest first: the
// gallringsprotokoll's index. Only an archivist may.
func (s *Service) RetentionProtocol(ctx context.Context, a trygg.Actor) ([]store.RetentionPreview, error) {
	if err := requireRetentionArchivist(a); err != nil {
		return nil, err
	}
	return s.db.RetentionPreviews(ctx, a.Tenant)
}

// RetentionApprove approves preview id for running. Only an archivist
// may; a preview already approved or run is a conflict.
func (s *Service) RetentionApprove(ctx context.Context, a trygg.Actor, id string) error {
	if err := requireRetentionArchivist(a); err != nil {
		return err
	}
	p, err := s.db.RetentionPreview(ctx, a.Tenant, id)
	if err != nil {
		return err
	}
	if p.Status != store.RetentionPreviewed {
		return trygg.Errorf(trygg.EConflict, "This retention preview is already approved.")
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SetRetentionStatus(ctx, a.Tenant, id, store.RetentionPreviewed, store.RetentionApproved, a.UserID, 0); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, eventRetentionApproved, "retention", id, map[string]any{"fingerprint": p.Fingerprint}))
		return err
	})
}

// RetentionRun executes approved preview id exactly: every case it lists
// is purged, delivered to the archive and then purged (the research
// sample), or left as kept, each case in its own transaction that also
// checkpoints it, so a run stopped half-way is resumed by calling it again.
// Before anything changes it recomputes the preview: if any case left to
// do has changed (a new entry, another outcome) the run is refused and
// nothing is done. Then access-log rows older than the rules' period are
// removed behind a signed checkpoint (when a retention key is set). Only
// an archivist may; a preview not approved, or already run, is refused.
func (s *Service) RetentionRun(ctx context.Context, a trygg.Actor, id string) (RetentionReport, error) {
	if err := requireRetentionArchivist(a); err != nil {
		return RetentionReport{}, err
	}
	p, err := s.db.RetentionPreview(ctx, a.Tenant, id)
	if err != nil {
		return RetentionReport{}, err
	}
	switch p.Status {
	case store.RetentionPreviewed:
		return RetentionReport{}, trygg.Errorf(trygg.EConflict, "This retention preview is not approved: an archivist approves it before it runs.")
	case store.RetentionDone:
		return RetentionReport{}, trygg.Errorf(trygg.EConflict, "This retention preview has already been run; make a new preview.")
	}
	r, _, err := s.retentionRules(ctx, a.Tenant, p.DefinitionVersion)
	if err != nil {
		return RetentionReport{}, err
	}
	items, err := s.db.RetentionItems(ctx, a.Tenant, id)
	if err != nil {
		return RetentionReport{}, err
	}
	now, err := s.retentionCheck(ctx, a.Tenant, r, p, items)
	if err != nil {
		return RetentionReport{}, err
	}
	if p.Status == store.RetentionApproved {
		err := s.db.Update(ctx, func(tx *store.Tx) error {
			return tx.SetRetentionStatus(ctx, a.Tenant, id, store.RetentionApproved, store.RetentionRunning, a.UserID, 0)
		})
		if err != nil {
			return RetentionReport{}, err
		}
	}
	// Per person: the sample's cases go in one package per personakt.
	var order []string
	byPerson := map[string][]store.RetentionItem{}
	for _, it := range items {
		if _, ok := byPerson[it.PersonID]; !ok {
			order = append(order, it.PersonID) // every person, so a resumed run numbers them alike
			byPerson[it.PersonID] = nil
		}
		if it.DoneAt.IsZero() {
			byPerson[it.PersonID] = append(byPerson[it.PersonID], it)
		}
	}
	// Persons with nothing to deliver go retentionBatch cases a
	// transaction, each person whole in one: a commit per person would
	// cost more than their purge.
	var batch []store.RetentionItem
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.db.Update(ctx, func(tx *store.Tx) error {
			for _, it := range batch {
				if err := s.purgeItem(ctx, tx, a, p, it, ""); err != nil {
					return err
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	for i, pid := range order {
		its := byPerson[pid]
		if len(its) == 0 {
			continue
		}
		if !slices.ContainsFunc(its, func(it store.RetentionItem) bool { return it.Action == process.RetentionArchive }) {
			if len(batch)+len(its) > retentionBatch {
				if err := flush(); err != nil {
					return RetentionReport{}, err
				}
			}
			batch = append(batch, its...)
			continue
		}
		delivery := fmt.Sprintf("gallring-%s-%05d", strings.ReplaceAll(p.AsOf, "-", ""), i+1)
		if err := s.retentionPerson(ctx, a, p, its, delivery, now); err != nil {
			return RetentionReport{}, err
		}
	}
	if err := flush(); err != nil {
		return RetentionReport{}, err
	}
	var removed int64
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if s.db.HasAccessLogKey() {
			cutoff := tx.Now.AddDate(-r.AccessLogYears(), 0, 0)
			if removed, err = tx.PruneAccessLog(ctx, a.Tenant, cutoff, func(cp store.AccessLogCheckpoint) string {
				return s.db.SignAccessLogCheckpoint(a.Tenant, cp)
			}); err != nil {
				return err
			}
		}
		if err := tx.SetRetentionStatus(ctx, a.Tenant, id, store.RetentionRunning, store.RetentionDone, a.UserID, removed); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, eventRetentionRun, "retention", id, map[string]any{
			"purge": p.PurgeCount, "archive": p.ArchiveCount, "keep": p.KeepCount, "access_log_removed": removed}))
		return err
	})
	if err != nil {
		return RetentionReport{}, err
	}
	return s.RetentionPreviewByID(ctx, a, id)
}

// retentionCheck recomputes the preview's items not yet done and refuses
// the run when any differs from the preview (a case changed, or a new one
// became part of a personakt under the run); it returns the run's time.
func (s *Service) retentionCheck(ctx context.Context, tenant trygg.TenantID, r *process.Retention, p store.RetentionPreview, items []store.RetentionItem) (time.Time, error) {
	now := s.db.Now()
	fresh, _, err := s.retentionItems(ctx, tenant, r, p.AsOf, "")
	if err != nil {
		return now, err
	}
	got := map[string]string{}
	for _, it := range fresh {
		got[it.CaseID] = it.Fingerprint
	}
	changed := 0
	for _, it := range items {
		if it.DoneAt.IsZero() && got[it.CaseID] != it.Fingerprint {
			changed++
		}
	}
	if changed > 0 {
		return now, trygg.Errorf(trygg.EConflict, "%d of the preview's cases have changed since the preview (a new entry, or another outcome); nothing was purged. Make a new preview.", changed)
	}
	return now, nil
}

// retentionPerson does one person's items not yet done in one
// transaction that also checkpoints each: the sample's cases are
// delivered in one archive package (its reads access-logged on the
// archive's ground) and purged, the others purged or (kept) only
// checkpointed, and the person blanked after their last case. A run
// stopped half-way leaves each person wholly done or untouched, so a
// resumed run finds the rest of a personakt as the preview did.
func (s *Service) retentionPerson(ctx context.Context, a trygg.Actor, p store.RetentionPreview, items []store.RetentionItem, delivery string, now time.Time) error {
	var archived []string
	for _, it := range items {
		if it.Action == process.RetentionArchive {
			archived = append(archived, it.CaseID)
		}
	}
	purgeAll := func(tx *store.Tx, pkgOf map[string]string) error {
		for _, it := range items {
			if err := s.purgeItem(ctx, tx, a, p, it, pkgOf[it.CaseID]); err != nil {
				return err
			}
		}
		return nil
	}
	if len(archived) == 0 {
		return s.db.Update(ctx, func(tx *store.Tx) error { return purgeAll(tx, nil) })
	}
	pkgs, logged, err := s.ArchivePackages(ctx, a, archived, delivery, now.UTC().Truncate(time.Second), archive.PerPersonakt)
	if err != nil {
		return err
	}
	return s.updateLogged(ctx, logged, func(tx *store.Tx) error {
		if err := MarkArchived(ctx, tx, a, delivery, pkgs); err != nil {
			return err
		}
		pkgOf := map[string]string{}
		for _, pkg := range pkgs {
			var buf bytes.Buffer
			if err := archive.WriteZip(&buf, now.UTC().Truncate(time.Second), pkg); err != nil {
				return err
			}
			sum := sha256.Sum256(buf.Bytes())
			if err := tx.InsertRetentionPackage(ctx, a.Tenant, p.ID, pkg.ID, hex.EncodeToString(sum[:]), buf.Bytes()); err != nil {
				return err
			}
			for _, cid := range pkg.Cases {
				pkgOf[cid] = pkg.ID
			}
		}
		return purgeAll(tx, pkgOf)
	})
}

// purgeItem does one case of a run inside tx: a kept case is only
// checkpointed; a purged or delivered one is purged with a case.purged
// event, and its person blanked once nothing of theirs is left.
func (s *Service) purgeItem(ctx context.Context, tx *store.Tx, a trygg.Actor, p store.RetentionPreview, it store.RetentionItem, pkg string) error {
	counts := map[string]int64{}
	if it.Action != process.RetentionKeep {
		var err error
		if counts, err = tx.PurgeCase(ctx, a.Tenant, it.CaseID); err != nil {
			return err
		}
		pc, err := tx.PurgePersonIfDone(ctx, a.Tenant, it.PersonID)
		if err != nil {
			return err
		}
		for k, n := range pc {
			counts["person."+k] += n
		}
		// After the blanking: this event's payload is ids, not content.
		// "person": "purged" when this case was the person's last and the
		// person was blanked: the analysis store forgets their pseudonym.
		payload := map[string]any{"preview": p.ID, "rule": it.Rule, "action": it.Action, "package": pkg}
		if len(pc) > 0 {
			payload["person"] = "purged"
		}
		ev := events.New(a, eventCasePurged, "case", it.CaseID, payload)
		ev.PersonID, ev.CaseID = it.PersonID, it.CaseID
		if _, err := tx.AppendEvent(ctx, ev); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(counts)
	return tx.MarkRetentionItemDone(ctx, a.Tenant, p.ID, it.CaseID, string(b), pkg)
}
