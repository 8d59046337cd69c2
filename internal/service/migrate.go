package service

import (
	"context"
	"fmt"
	"sort"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// MigrationInput moves the running cases of a case type to a version. Steps
// maps a step of the old versions to one of the new; a step that is not
// mapped keeps its id, which must exist in the new version. With Preview
// nothing changes.
type MigrationInput struct {
	CaseType string            `json:"case_type"`
	Steps    map[string]string `json:"steps,omitempty"`
	Preview  bool              `json:"preview,omitempty"`
}

// MigrationPlan says what a migration does (or did): how many cases move
// from which version and step to which step, and which cannot be moved.
type MigrationPlan struct {
	Version   int64           `json:"version"`
	CaseType  string          `json:"case_type"`
	Moves     []MigrationMove `json:"moves"`
	Unmapped  []MigrationMove `json:"unmapped"`
	Cases     int             `json:"cases"`
	Performed bool            `json:"performed"`
}

// MigrationMove is a group of cases moving together.
type MigrationMove struct {
	FromVersion int64  `json:"from_version"`
	FromStep    string `json:"from_step"`
	ToStep      string `json:"to_step,omitempty"`
	Cases       int    `json:"cases"`
}

// MigrateCases moves the open cases of a case type from older versions to
// version, by the step mapping: an explicit operation, previewed first. If
// any case cannot be mapped it changes nothing and says which steps lack a
// mapping. A process designer may.
func (s *Service) MigrateCases(ctx context.Context, a trygg.Actor, version int64, in MigrationInput) (MigrationPlan, error) {
	if _, err := access.Decide(a, access.PublishDefinitions, access.Subject{}); err != nil {
		return MigrationPlan{}, err
	}
	comp, err := s.compiled(ctx, a.Tenant, version)
	if err != nil {
		return MigrationPlan{}, err
	}
	ct, ok := comp.CaseType(in.CaseType)
	if !ok {
		return MigrationPlan{}, trygg.Invalid("The version has no such case type.", map[string]string{"case_type": fmt.Sprintf("Not in version %d.", version)})
	}
	steps := map[string]bool{}
	for _, st := range ct.Steps {
		steps[st.ID.Value] = !st.Final
	}
	for from, to := range in.Steps {
		open, ok := steps[to]
		switch {
		case !ok:
			return MigrationPlan{}, trygg.Invalid("The step mapping names a step the version does not have.",
				map[string]string{"steps." + from: fmt.Sprintf("Version %d has no step %q.", version, to)})
		case !open:
			return MigrationPlan{}, trygg.Invalid("Running cases cannot be moved to a final step.",
				map[string]string{"steps." + from: fmt.Sprintf("%q is a final step.", to)})
		}
	}
	cases, err := s.db.OpenCasesOfType(ctx, a.Tenant, in.CaseType, version)
	if err != nil {
		return MigrationPlan{}, err
	}
	plan := MigrationPlan{Version: version, CaseType: in.CaseType, Moves: []MigrationMove{}, Unmapped: []MigrationMove{}, Cases: len(cases)}
	groups := map[MigrationMove]int{}
	target := make([]string, len(cases))
	for i, c := range cases {
		to, mapped := in.Steps[c.Step]
		if !mapped {
			to = c.Step
		}
		if _, exists := steps[to]; !exists {
			to = ""
		}
		target[i] = to
		groups[MigrationMove{FromVersion: c.Version, FromStep: c.Step, ToStep: to}]++
	}
	for g, n := range groups {
		g.Cases = n
		if g.ToStep == "" {
			plan.Unmapped = append(plan.Unmapped, g)
		} else {
			plan.Moves = append(plan.Moves, g)
		}
	}
	for _, l := range [][]MigrationMove{plan.Moves, plan.Unmapped} {
		sort.Slice(l, func(i, j int) bool {
			if l[i].FromVersion != l[j].FromVersion {
				return l[i].FromVersion < l[j].FromVersion
			}
			return l[i].FromStep < l[j].FromStep
		})
	}
	if in.Preview {
		return plan, nil
	}
	if len(plan.Unmapped) > 0 {
		fields := map[string]string{}
		for _, u := range plan.Unmapped {
			fields["steps."+u.FromStep] = fmt.Sprintf("%d case(s) at this step of version %d need a step of version %d.", u.Cases, u.FromVersion, version)
		}
		return plan, trygg.Invalid("Some cases cannot be mapped; nothing was moved.", fields)
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		for i, c := range cases {
			if err := tx.MoveCaseVersion(ctx, a.Tenant, c, version, target[i]); err != nil {
				return err
			}
			e := events.New(a, events.CaseMigrated, "case", c.ID, map[string]any{"from_version": c.Version, "from_step": c.Step,
				"to_version": version, "to_step": target[i]})
			e.CaseID = c.ID
			if _, err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return plan, err
	}
	plan.Performed = true
	return plan, nil
}
