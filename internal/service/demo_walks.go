package service

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/trygg"
)

// PlayDemoWalks gives up to perType generated cases of each case type with
// a walk their history: each step is taken through the ordinary services
// by the case's officer, on the day it falls on (the store's clock is set
// back to it), so forms, decisions, deadlines, events and access-log rows
// are what real work would have left. A case's history stops at today, and
// some stop earlier at random (by the case's id, so the same demo is the
// same every time). It returns how many cases were walked.
func (s *Service) PlayDemoWalks(ctx context.Context, ds *demo.Dataset, walks []demo.Walk, perType int) (int, error) {
	now := s.db.Now()
	defer s.db.ReplayAt(time.Time{})
	byType := map[string]*demo.Walk{}
	for i := range walks {
		byType[walks[i].CaseType] = &walks[i]
	}
	// Protected persons' cases are left to the officers with permission.
	protected := map[string]bool{}
	for _, p := range ds.Persons {
		protected[p.ID] = p.Protection != persons.ProtectionNone
	}
	// The journeys' units come first, so a newcomer signed in as one of
	// the journeys' officers finds history in their own unit.
	journeyUnits := map[string]bool{}
	for _, c := range ds.Cases {
		if c.Journey {
			journeyUnits[c.UnitID] = true
		}
	}
	cases := slices.Clone(ds.Cases)
	slices.SortStableFunc(cases, func(x, y demo.Case) int {
		switch {
		case journeyUnits[x.UnitID] == journeyUnits[y.UnitID]:
			return 0
		case journeyUnits[x.UnitID]:
			return -1
		}
		return 1
	})
	count := map[string]int{}
	walked := 0
	for _, c := range cases {
		w := byType[c.CaseType]
		if w == nil || c.Journey || c.AssignedTo == "" || protected[c.PersonID] || count[c.CaseType] >= perType {
			continue
		}
		count[c.CaseType]++
		a, err := s.actorFor(ctx, ds.Tenant.ID, c.AssignedTo)
		if err != nil {
			return walked, err
		}
		if err := s.walkCase(ctx, a, c, w, now); err != nil {
			return walked, fmt.Errorf("demo: %s case %s: %w", c.CaseType, c.ID, err)
		}
		walked++
	}
	return walked, nil
}

func (s *Service) walkCase(ctx context.Context, a trygg.Actor, c demo.Case, w *demo.Walk, now time.Time) error {
	h := fnv.New64a()
	h.Write([]byte(c.ID))
	seed := h.Sum64()
	// Each step is as likely a place to stop as any other, and two in
	// len+2 cases go to the end (if their history reaches that far).
	stopAt := min(int(seed%uint64(len(w.Steps)+2)), len(w.Steps))
	at := c.OpenedAt
	for i, st := range w.Steps[:stopAt] {
		days, err := walkDays(st.After, seed>>uint(i%32))
		if err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		// Office hours, a different hour for each case and step.
		day := calendar.Date(at).AddDate(0, 0, days)
		at = day.Add(time.Duration(8+int(seed>>uint(i+7))%8)*time.Hour + time.Duration(seed>>uint(i+3)%60)*time.Minute)
		if at.After(now) {
			return nil
		}
		s.db.ReplayAt(at)
		if err := s.walkStep(ctx, a, c.ID, st, day); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
	}
	return nil
}

// walkDays returns the days a step's after stands for: a period, or a
// range "10d..120d" from which pick chooses.
func walkDays(after string, pick uint64) (int, error) {
	if after == "" {
		return 0, nil
	}
	from, to, isRange := strings.Cut(after, "..")
	days := func(s string) (int, error) {
		p, err := calendar.ParsePeriod(s)
		if err != nil {
			return 0, err
		}
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		return int(p.After(base).Sub(base).Hours() / 24), nil
	}
	lo, err := days(from)
	if err != nil || !isRange {
		return lo, err
	}
	hi, err := days(to)
	if err != nil || hi < lo {
		return 0, fmt.Errorf("bad range %q", after)
	}
	return lo + int(pick%uint64(hi-lo+1)), nil
}

func (s *Service) walkStep(ctx context.Context, a trygg.Actor, caseID string, st demo.Step, day time.Time) error {
	today := day.Format(time.DateOnly)
	switch {
	case st.Form != "":
		values, _ := walkValues(st.Values, day).(map[string]any)
		if _, err := s.SaveForm(ctx, a, caseID, st.Form, FormInput{Values: values}, "sv"); err != nil {
			return err
		}
		_, err := s.SignForm(ctx, a, caseID, st.Form, "sv")
		return err
	case st.Transition != "":
		_, err := s.Transition(ctx, a, caseID, TransitionInput{Transition: st.Transition}, "sv")
		return err
	case st.Decide != nil:
		ds, err := s.db.Decisions(ctx, a.Tenant, caseID)
		if err != nil {
			return err
		}
		if len(ds) == 0 && st.Decide.Insats != "" {
			d, err := s.SaveDecision(ctx, a, caseID, "", DecisionInput{Insats: st.Decide.Insats, Outcome: process.OutcomeGranted,
				LegalBasis: st.Decide.LegalBasis})
			if err != nil {
				return err
			}
			ds = append(ds, d)
		}
		for _, d := range ds {
			if d.Status != "draft" {
				continue
			}
			in := DecisionInput{Insats: d.Insats, Outcome: d.Outcome, LegalBasis: d.LegalBasis, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
				Amount: d.Amount, Justification: st.Decide.Justification}
			if in.ValidFrom == "" {
				in.ValidFrom = today
			}
			if n, ok := st.Decide.Amounts[d.Insats]; ok {
				in.Amount = n
			}
			if _, err := s.SaveDecision(ctx, a, caseID, d.ID, in); err != nil {
				return err
			}
			if _, err := s.FinaliseDecision(ctx, a, caseID, d.ID); err != nil {
				return err
			}
		}
		return nil
	case st.Execute:
		ds, err := s.db.Decisions(ctx, a.Tenant, caseID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.Status == "final" && d.Outcome != process.OutcomeRefused {
				if _, err := s.RecordExecution(ctx, a, caseID, d.ID, ExecutionInput{Kind: process.ExecExecuted, On: today}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// walkValues replaces "$today", "$month" and "$today+<period>" in v.
func walkValues(v any, day time.Time) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = walkValues(e, day)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = walkValues(e, day)
		}
		return out
	case string:
		switch {
		case x == "$today":
			return day.Format(time.DateOnly)
		case x == "$month":
			return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		case strings.HasPrefix(x, "$today+"):
			if p, err := calendar.ParsePeriod(strings.TrimPrefix(x, "$today+")); err == nil {
				return p.After(day).Format(time.DateOnly)
			}
		}
	case int:
		return float64(x) // as JSON numbers arrive
	}
	return v
}
