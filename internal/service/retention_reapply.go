package service

import (
	"context"
	"sort"

	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// RetentionKeySet reports whether the retention key is set: without it a
// run purges cases but removes no access-log rows, since it cannot sign
// the checkpoint the chain would go on from.
func (s *Service) RetentionKeySet() bool { return s.db.HasAccessLogKey() }

// ReapplyResult is what RetentionReapply did.
type ReapplyResult struct {
	// Previews is how many of the protocol's previews were missing here
	// and were put back; Purged the cases purged again; Already those
	// already purged here; Missing those this database never had.
	Previews, Purged, Already, Missing int
}

// RetentionReapply re-applies, after a backup was restored, the purges
// another database's retention protocol records (normally the database
// the backup replaced): every preview of from's protocol this database
// lacks is put back with its items and packages, and every case a run
// purged or delivered that is not purged here is purged again, each in a
// transaction of its own with a case.purged event marked as reapplied,
// its person blanked once nothing of theirs is left. A case already
// purged here is left as it is. Only an archivist may.
func (s *Service) RetentionReapply(ctx context.Context, a trygg.Actor, from *store.DB) (ReapplyResult, error) {
	var res ReapplyResult
	if err := requireRetentionArchivist(a); err != nil {
		return res, err
	}
	previews, err := from.RetentionPreviews(ctx, a.Tenant)
	if err != nil {
		return res, err
	}
	// Oldest first, as the runs happened.
	for i := len(previews) - 1; i >= 0; i-- {
		p := previews[i]
		items, err := from.RetentionItems(ctx, a.Tenant, p.ID)
		if err != nil {
			return res, err
		}
		pkgs, err := from.RetentionPackages(ctx, a.Tenant, p.ID)
		if err != nil {
			return res, err
		}
		err = s.db.Update(ctx, func(tx *store.Tx) error {
			put, err := tx.RestoreRetentionProtocol(ctx, a.Tenant, p, items, pkgs)
			if put {
				res.Previews++
			}
			return err
		})
		if err != nil {
			return res, err
		}
		for _, it := range items {
			if it.DoneAt.IsZero() || it.Action == process.RetentionKeep {
				continue
			}
			err := s.db.Update(ctx, func(tx *store.Tx) error {
				exists, purged, err := tx.CasePurgeState(ctx, a.Tenant, it.CaseID)
				switch {
				case err != nil:
					return err
				case !exists:
					res.Missing++
					return nil
				case purged:
					res.Already++
					return nil
				}
				if _, err := tx.PurgeCase(ctx, a.Tenant, it.CaseID); err != nil {
					return err
				}
				if _, err := tx.PurgePersonIfDone(ctx, a.Tenant, it.PersonID); err != nil {
					return err
				}
				ev := events.New(a, eventCasePurged, "case", it.CaseID, map[string]any{
					"preview": p.ID, "rule": it.Rule, "action": it.Action, "package": it.PackageID, "reapplied": true})
				ev.PersonID, ev.CaseID = it.PersonID, it.CaseID
				if _, err := tx.AppendEvent(ctx, ev); err != nil {
					return err
				}
				res.Purged++
				return nil
			})
			if err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// RetentionRuleCount is how many of a preview's cases one rule purges,
// delivers to the archive and keeps.
type RetentionRuleCount struct {
	Rule                 string
	Purge, Archive, Keep int
}

// ByRule counts the report's items per rule, in the order of the rules'
// names.
func (r RetentionReport) ByRule() []RetentionRuleCount {
	idx := map[string]int{}
	var out []RetentionRuleCount
	for _, it := range r.Items {
		i, ok := idx[it.Rule]
		if !ok {
			i = len(out)
			idx[it.Rule] = i
			out = append(out, RetentionRuleCount{Rule: it.Rule})
		}
		switch it.Action {
		case process.RetentionPurge:
			out[i].Purge++
		case process.RetentionArchive:
			out[i].Archive++
		default:
			out[i].Keep++
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rule < out[j].Rule })
	return out
}

// RetentionNames returns the display names of those who made, approved
// and ran the previews, for the protocol. Only an archivist may.
func (s *Service) RetentionNames(ctx context.Context, a trygg.Actor, previews []store.RetentionPreview) (map[string]string, error) {
	if err := requireRetentionArchivist(a); err != nil {
		return nil, err
	}
	var ids []string
	for _, p := range previews {
		ids = append(ids, p.CreatedBy, p.ApprovedBy, p.RunBy)
	}
	m := map[string]string{}
	_, err := s.shownNames(ctx, a, ids, m)
	return m, err
}
