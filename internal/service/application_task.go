package service

import (
	"context"
	"slices"

	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// A citizen's application sent on Mina sidor puts one task "Ny ansökan"
// in the inbox of the officer it goes to (the team's, when it goes to a
// unit), so a new application never waits unseen behind "Uppgifter (0)".
// The task is done when an officer who may work the case opens it.

// TaskApplication is the kind of the inbox task a citizen's application
// makes.
const TaskApplication = "application"

// applicationTask adds the "Ny ansökan" task of the case c a citizen's
// application opened, inside tx.
func applicationTask(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, c store.Case) error {
	return tx.InsertTask(ctx, tenant, store.Task{ID: newID(), CaseID: c.ID, UnitID: c.UnitID, Assignee: c.AssignedTo,
		Kind: TaskApplication, Title: "Ny ansökan"})
}

// caseSeen logs the read of the case page (read), and when an officer
// who may work the case (workable) opens it with a "Ny ansökan" task (or
// a death's from the population registry, registry_changes.go) open for
// them or their team among tasks (the case's open tasks), closes those
// tasks in the same transaction as the log row.
func (s *Service) caseSeen(ctx context.Context, a trygg.Actor, c store.Case, tasks []store.Task, workable bool, read audit.Entry) error {
	if workable {
		var kinds []string
		for _, t := range tasks {
			if (t.Kind == TaskApplication || t.Kind == TaskPersonDied) && (t.Assignee == "" || t.Assignee == a.UserID) && !slices.Contains(kinds, t.Kind) {
				kinds = append(kinds, t.Kind)
			}
		}
		if len(kinds) > 0 {
			return s.updateLogged(ctx, []audit.Entry{read}, func(tx *store.Tx) error {
				for _, k := range kinds {
					if err := tx.CloseCaseTasks(ctx, a.Tenant, c.ID, k, a.UserID); err != nil {
						return err
					}
				}
				return nil
			})
		}
	}
	return s.logAccess(ctx, read)
}
