package process

import (
	"fmt"
	"slices"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/trygg"
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
		out.Start = append(out.Start, timersFor(d, due)...)
	}
	return out
}

// timersFor returns deadline d's warning (if it has one) and overdue
// timers for the last day due.
func timersFor(d Deadline, due time.Time) []Timer {
	var out []Timer
	dueDate := due.Format("2006-01-02")
	if d.WarnBefore.Value != "" {
		if warn, err := calendar.ParsePeriod(d.WarnBefore.Value); err == nil {
			out = append(out, Timer{DeadlineID: d.ID.Value, Kind: TimerWarning, DueDate: dueDate, FireAt: calendar.StartOf(warn.Before(due))})
		}
	}
	return append(out, Timer{DeadlineID: d.ID.Value, Kind: TimerOverdue, DueDate: dueDate, FireAt: calendar.StartOf(due.AddDate(0, 0, 1))})
}

// ExtendTimers returns the timers of deadline id of case type ct with the
// new last day due (YYYY-MM-DD): its warning, if still ahead of now, and
// its overdue notice. It refuses a date that is not a date or not after
// the current last day (current) and today.
func (c *Compiled) ExtendTimers(ct, id, current, due string, now time.Time) ([]Timer, error) {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return nil, fmt.Errorf("no case type %q", ct)
	}
	i := slices.IndexFunc(cct.def.Deadlines, func(d Deadline) bool { return d.ID.Value == id })
	if i < 0 {
		return nil, fmt.Errorf("no deadline %q in case type %q", id, ct)
	}
	day, err := time.ParseInLocation("2006-01-02", due, calendar.Sweden)
	if err != nil {
		return nil, trygg.Errorf(trygg.EConflict, "The new last day of the time limit must be a date (YYYY-MM-DD).")
	}
	if due <= current || due < calendar.Date(now).Format("2006-01-02") {
		return nil, trygg.Errorf(trygg.EConflict, "The new last day of the time limit (%s) must be after the current one (%s) and not in the past.", due, current)
	}
	var out []Timer
	for _, t := range timersFor(cct.def.Deadlines[i], day) {
		if t.Kind == TimerWarning && !t.FireAt.After(now) {
			continue // the warning's day has come already
		}
		out = append(out, t)
	}
	return out, nil
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
