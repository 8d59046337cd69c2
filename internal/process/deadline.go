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
// starting at case_opened start too). forms are the case's signed forms'
// values: a deadline with from counts from the date in its form when that
// form is signed, else from at's Swedish date. A warning fires at the
// start of its day, an overdue notice at the start of the day after the
// due date, both at midnight in Sweden; one that is due already fires at
// once, and the warning is left out when the deadline has passed.
func (c *Compiled) OnEnter(ct, step string, at time.Time, opened bool, forms map[string]map[string]any) DeadlineChanges {
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
		day, ok := fromDay(d, forms)
		if !ok {
			day = calendar.Date(at)
		}
		if due, ok := dueAfter(d, day); ok {
			out.Start = append(out.Start, plan(d, due, at)...)
		}
	}
	return out
}

// fromDay returns the date in deadline d's from field of the signed
// forms, if d has one and the form holds a date.
func fromDay(d Deadline, forms map[string]map[string]any) (time.Time, bool) {
	if d.From == nil {
		return time.Time{}, false
	}
	s, _ := forms[d.From.Form.Value][d.From.Field.Value].(string)
	day, err := time.Parse("2006-01-02", s)
	return day, err == nil
}

// dueAfter returns deadline d's last day when it counts from day (a date).
func dueAfter(d Deadline, day time.Time) (time.Time, bool) {
	period, err := calendar.ParsePeriod(d.Period.Value)
	if err != nil {
		return time.Time{}, false // Validate refused such definitions
	}
	due := period.After(day)
	if d.NextWorkday {
		due = calendar.NextWorkday(due)
	}
	return due, true
}

// plan returns deadline d's timers for the last day due as at now: a
// deadline that has passed already gets only its overdue notice (due at
// once), not a warning before it.
func plan(d Deadline, due, now time.Time) []Timer {
	ts := timersFor(d, due)
	if over := ts[len(ts)-1]; !over.FireAt.After(now) {
		return ts[len(ts)-1:]
	}
	return ts
}

// DeadlinesFrom returns the ids of the deadlines of case type ct that
// count from a date in form (a form slot of the case type).
func (c *Compiled) DeadlinesFrom(ct, form string) []string {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return nil
	}
	var out []string
	for _, d := range cct.def.Deadlines {
		if d.From != nil && d.From.Form.Value == form {
			out = append(out, d.ID.Value)
		}
	}
	return out
}

// RecountTimers returns the timers of deadline id of case type ct counted
// from the date in its from field of forms (the case's signed forms, with
// the entry being signed), as at now, as OnEnter would plan them. It
// returns false when the deadline has no from or the forms hold no date
// in it: the deadline then keeps counting from its start.
func (c *Compiled) RecountTimers(ct, id string, forms map[string]map[string]any, now time.Time) ([]Timer, bool) {
	cct, ok := c.caseTypes[ct]
	if !ok {
		return nil, false
	}
	i := slices.IndexFunc(cct.def.Deadlines, func(d Deadline) bool { return d.ID.Value == id })
	if i < 0 {
		return nil, false
	}
	d := cct.def.Deadlines[i]
	day, ok := fromDay(d, forms)
	if !ok {
		return nil, false
	}
	due, ok := dueAfter(d, day)
	if !ok {
		return nil, false
	}
	return plan(d, due, now), true
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
