package process

import (
	"time"

	"github.com/trygg/trygg/internal/calendar"
)

// ExecutionWarning gives the case's officer a task when a granted decision
// is not executed a while after it was made, or after an interruption, so
// it can be executed before it must be reported (IVO's three months).
type ExecutionWarning struct {
	// After is how long after the decision (or the interruption) the
	// task comes: 60d.
	After Str `yaml:"after"`
	// Within is the time the decision should be executed within, counted
	// the same way: 3m. The task says its last day.
	Within Str `yaml:"within"`
	// Name is the task's title, before the insats and the last day.
	Name Text `yaml:"name"`
}

// ExecutionWarningKey is the key of the timer and task that warn about
// decision id not executed.
func ExecutionWarningKey(decisionID string) string { return "execution/" + decisionID }

// ExecutionWarningDays returns when the officer is warned that a decision
// of case type ct, waiting since day since (the decision day or an
// interruption), is not executed, and the last day it is executed in time;
// false when the case type has no execution_warning.
func (c *Compiled) ExecutionWarningDays(ct string, since time.Time) (warn, due time.Time, ok bool) {
	w := c.executionWarning(ct)
	if w == nil {
		return time.Time{}, time.Time{}, false
	}
	after, err1 := calendar.ParsePeriod(w.After.Value)
	within, err2 := calendar.ParsePeriod(w.Within.Value)
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, false // Validate refused such definitions
	}
	return after.After(since), within.After(since), true
}

// ExecutionWarningName is the title of the task an execution warning of
// case type ct gives, in lang.
func (c *Compiled) ExecutionWarningName(ct, lang string) string {
	if w := c.executionWarning(ct); w != nil {
		return w.Name.In(lang)
	}
	return ""
}

func (c *Compiled) executionWarning(ct string) *ExecutionWarning {
	cct, ok := c.caseTypes[ct]
	if !ok || cct.def.Decisions == nil {
		return nil
	}
	return cct.def.Decisions.ExecutionWarning
}

// executionWarning checks a case type's execution_warning: both periods,
// the warning before the last day, and a Swedish name.
func (v *validator) executionWarning(w *ExecutionWarning, p Pos) {
	if w == nil {
		return
	}
	after, err := calendar.ParsePeriod(w.After.Value)
	if err != nil {
		v.add(w.After.Pos, "check.execution_warning.after", "Problem", periodNote(w.After.Value))
	}
	within, err2 := calendar.ParsePeriod(w.Within.Value)
	if err2 != nil {
		v.add(w.Within.Pos, "check.execution_warning.within", "Problem", periodNote(w.Within.Value))
	}
	if err == nil && err2 == nil {
		day := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
		if !after.After(day).Before(within.After(day)) {
			v.add(w.After.Pos, "check.execution_warning.order")
		}
	}
	v.text(w.Name, p, "check.text.execution_warning_name")
}

// TimerExecution is the timer of an execution warning.
const TimerExecution = "execution"
