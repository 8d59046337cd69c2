package process

import (
	"slices"
	"time"

	"github.com/trygg/trygg/internal/calendar"
)

// Timer is a moment a deadline fires: its warning or its overdue notice.
type Timer struct {
	DeadlineID string    `json:"deadline_id"`
	Kind       string    `json:"kind"` // warning or overdue
	DueDate    string    `json:"due_date"`
	FireAt     time.Time `json:"fire_at"`
}

// Timer kinds.
const (
	TimerWarning = "warning"
	TimerOverdue = "overdue"
	// TimerFollowUp is a follow-up a transition scheduled.
	TimerFollowUp = "follow_up"
)

// DeadlineChanges says what entering a step does to deadlines: those that
// start (with their timers) and those that are met.
type DeadlineChanges struct {
	Start []Timer
	Met   []string
}

// OnEnter returns the deadline changes when a case of type ct enters step
// at time at; opened is true when the case is being opened (so deadlines
// starting at case_opened start too). Due dates count from at's Swedish
// date; a warning fires at the start of its day, an overdue notice at the
// start of the day after the due date, both at midnight in Sweden.
func (c *Compiled) OnEnter(ct, step string, at time.Time, opened bool) DeadlineChanges {
	var out DeadlineChanges
	cct, ok := c.caseTypes[ct]
	if !ok {
		return out
	}
	for _, d := range cct.def.Deadlines {
		if slices.ContainsFunc(d.MetBy, func(s Str) bool { return s.Value == step }) {
			out.Met = append(out.Met, d.ID.Value)
			continue
		}
		if !(d.Start.Value == step || (opened && d.Start.Value == StartCaseOpened)) {
			continue
		}
		period, err := calendar.ParsePeriod(d.Period.Value)
		if err != nil {
			continue // Validate refused such definitions
		}
		due := period.After(calendar.Date(at))
		if d.NextWorkday {
			due = calendar.NextWorkday(due)
		}
		dueDate := due.Format("2006-01-02")
		if d.WarnBefore.Value != "" {
			if warn, err := calendar.ParsePeriod(d.WarnBefore.Value); err == nil {
				out.Start = append(out.Start, Timer{DeadlineID: d.ID.Value, Kind: TimerWarning, DueDate: dueDate, FireAt: calendar.StartOf(warn.Before(due))})
			}
		}
		out.Start = append(out.Start, Timer{DeadlineID: d.ID.Value, Kind: TimerOverdue, DueDate: dueDate, FireAt: calendar.StartOf(due.AddDate(0, 0, 1))})
	}
	return out
}

// DeadlineRecipients returns who is told when deadline id of case type ct
// fires a timer of kind, and the deadline's name.
func (c *Compiled) DeadlineRecipients(ct, id, kind, lang string) (name string, recipients []string) {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return "", nil
	}
	for _, d := range cct.def.Deadlines {
		if d.ID.Value != id {
			continue
		}
		list := d.OnOverdue
		if kind == TimerWarning {
			list = d.OnWarning
		}
		for _, r := range list {
			recipients = append(recipients, r.Value)
		}
		return d.Name.In(lang), recipients
	}
	return "", nil
}
