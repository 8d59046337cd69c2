package service

import (
	"context"
	"fmt"
	"sort"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

const eventRetentionWarned = events.RetentionWarned

// RetentionWarn is the daily check of tenant's purge duties: for each
// deadline (31 December of the year after a duty arose) whose warning
// time under the published rules (deadline.warn_months) has begun and
// that still has cases due to be purged or delivered, it makes one task
// for the archivists ("Gallring ska vara gjord senast 2027-12-31: 12
// ärenden"), once per deadline, never twice (the store keeps one per
// deadline); a task whose cases are all done is closed. It returns how
// many tasks it made. Without published retention rules it does nothing.
// Several servers may run it at once.
func (s *Service) RetentionWarn(ctx context.Context, tenant trygg.TenantID) (int, error) {
	r, _, err := s.retentionRules(ctx, tenant, 0)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	today := calendar.Today(s.db.Now())
	items, _, err := s.retentionItems(ctx, tenant, r, today, "")
	if err != nil {
		return 0, err
	}
	due := map[string]int{}
	for _, it := range items {
		if it.Action != process.RetentionKeep && it.Deadline != "" && r.WarnFrom(it.Deadline) <= today {
			due[it.Deadline]++
		}
	}
	open, err := s.db.RetentionTasks(ctx, tenant, true)
	if err != nil {
		return 0, err
	}
	deadlines := make([]string, 0, len(due))
	for d := range due {
		deadlines = append(deadlines, d)
	}
	sort.Strings(deadlines)
	sys := SystemActor(tenant)
	made := 0
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		made = 0
		for _, d := range deadlines {
			n := due[d]
			title := fmt.Sprintf("Gallring ska vara gjord senast %s: %d ärenden", d, n)
			if n == 1 {
				title = fmt.Sprintf("Gallring ska vara gjord senast %s: 1 ärende", d)
			}
			ok, err := tx.InsertRetentionTask(ctx, tenant, store.RetentionTask{Deadline: d, Cases: n, Title: title})
			if err != nil || !ok {
				if err != nil {
					return err
				}
				continue
			}
			made++
			if _, err := tx.AppendEvent(ctx, events.New(sys, eventRetentionWarned, "retention", d, map[string]any{"deadline": d, "cases": n})); err != nil {
				return err
			}
		}
		for _, t := range open {
			if due[t.Deadline] > 0 {
				continue
			}
			if _, err := tx.CloseRetentionTask(ctx, tenant, t.Deadline); err != nil {
				return err
			}
		}
		return nil
	})
	if trygg.ErrorCode(err) == trygg.EConflict {
		return 0, nil // another server made them
	}
	return made, err
}

// RetentionTasks returns the archivists' open warnings of purge
// deadlines, the nearest first. Only an archivist may.
func (s *Service) RetentionTasks(ctx context.Context, a trygg.Actor) ([]store.RetentionTask, error) {
	if err := requireRetentionArchivist(a); err != nil {
		return nil, err
	}
	return s.db.RetentionTasks(ctx, a.Tenant, true)
}

// retentionDaily runs RetentionWarn for tenant once a day: checked
// holds the day each tenant was last checked.
func (s *Service) retentionDaily(ctx context.Context, tenant trygg.TenantID, checked map[trygg.TenantID]string) {
	today := calendar.Today(s.db.Now())
	if checked[tenant] == today {
		return
	}
	if _, err := s.RetentionWarn(ctx, tenant); err != nil {
		s.log.Error("retention warning check failed", "tenant", tenant, "err", err)
		return
	}
	checked[tenant] = today
}
