package process

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/trygg"
)

// fromBase is a case type whose deadlines (added after its last line,
// line 28) may count from a date in the form report; other is a form it
// does not use.
const fromBase = `kind: form
id: report
name: {sv: Anmälan}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: received, type: date, required: true, label: {sv: Inkom}}
      - {id: note, type: text, required: true, label: {sv: Not}}
      - {id: maybe, type: date, label: {sv: Kanske}}
      - {id: shown, type: date, required: true, visible_if: "form.note != ''", label: {sv: Visas}}
---
kind: form
id: other
name: {sv: Annan}
sections: [{id: s, label: {sv: S}, fields: [{id: day, type: date, required: true, label: {sv: Dag}}]}]
---
kind: case_type
id: c
name: {sv: C}
field: IFO
start: a
steps:
  - {id: a, name: {sv: A}, forms: [report]}
  - {id: b, name: {sv: B}, final: true}
transitions:
  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare]}
deadlines:
`

// A deadline's from names a date field of a form the case type uses,
// required and always shown; each mistake is reported where it is written.
func TestValidateDeadlineFrom(t *testing.T) {
	line := func(from string) string {
		return `  - {id: d, name: {sv: D}, start: case_opened, from: ` + from + `, period: 14d, met_by: [b]}` + "\n"
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"a required date of the case type's form", fromBase + line(`{form: report, field: received}`), nil},
		{"an unknown form", fromBase + line(`{form: nope, field: received}`),
			[]string{`v.yaml:29:61: unknown form "nope"`}},
		{"a form the case type does not use", fromBase + line(`{form: other, field: day}`),
			[]string{`v.yaml:29:61: the deadline counts from the form "other", which no step or transition of the case type uses`}},
		{"an unknown field", fromBase + line(`{form: report, field: nope}`),
			[]string{`v.yaml:29:76: the deadline's from needs field: a field of the form "report" (there is no field "nope")`}},
		{"no field", fromBase + line(`{form: report}`),
			[]string{`v.yaml:29:61: the deadline's from needs field: a field of the form "report" (there is no field "")`}},
		{"not a date", fromBase + line(`{form: report, field: note}`),
			[]string{`v.yaml:29:76: the field "note" the deadline counts from must be a date field; it is text`}},
		{"an optional date", fromBase + line(`{form: report, field: maybe}`),
			[]string{`v.yaml:29:76: the field "maybe" the deadline counts from must be required and always shown`}},
		{"a date that may be hidden", fromBase + line(`{form: report, field: shown}`),
			[]string{`v.yaml:29:76: the field "shown" the deadline counts from must be required and always shown`}},
		{"from without a form", fromBase + line(`{}`),
			[]string{`v.yaml:29:10: the deadline "d"'s from needs form`}},
		{"a deadline counted from a date cannot also be extended", strings.Replace(fromBase,
			"  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare]}\n",
			"  - {id: t, name: {sv: T}, from: [a], to: b, roles: [handlaggare]}\n"+
				"  - {id: x, name: {sv: X}, from: [a], to: a, roles: [handlaggare], forms: [report], actions: [{type: extend_deadline, deadline: d, form: report, field: received}]}\n",
			1) + "  - {id: d, name: {sv: D}, start: case_opened, from: {form: report, field: received}, period: 14d, met_by: [b]}\n",
			[]string{`v.yaml:28:129: the deadline "d" counts from a form's date (from), so it cannot be extended`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(tt.src)}})
			checkProblems(t, probs, nil)
			checkProblems(t, Validate(b), tt.want)
		})
	}
}

// fromCase has a 14-day screening counted from the report's received date
// and a 4-month investigation counted from it too, moved off days off;
// the unit north fills its own version of the report.
const fromCase = fromBase + `  - id: screening
    name: {sv: Förhandsbedömning}
    start: case_opened
    from: {form: report, field: received}
    period: 14d
    warn_before: 3d
    met_by: [b]
  - id: investigation
    name: {sv: Utredning}
    start: a
    from: {form: report, field: received}
    period: 1m
    next_workday: true
    met_by: [b]
variants:
  - units: [north]
    forms: {report: report_north}
---
kind: form
id: report_north
name: {sv: Anmälan norr}
extends: report
sections: [{id: extra, label: {sv: Extra}, fields: [{id: school, type: text, label: {sv: Skola}}]}]
`

func compileFrom(t *testing.T) *Compiled {
	t.Helper()
	b, probs := Load([]File{{Name: "c.yaml", Data: []byte(fromCase)}})
	checkProblems(t, probs, nil)
	c, probs := Compile(b)
	checkProblems(t, probs, nil)
	return c
}

// timerList is "kind deadline due fire-at (Swedish time)" per timer.
func timerList(ts []Timer) string {
	var out []string
	for _, tm := range ts {
		out = append(out, fmt.Sprintf("%s %s %s %s", tm.Kind, tm.DeadlineID, tm.DueDate, tm.FireAt.In(calendar.Sweden).Format("2006-01-02T15:04")))
	}
	return strings.Join(out, ", ")
}

// A deadline with from counts from the signed date, with the Swedish
// calendar's rules, and from the day it starts while no date is signed;
// a date that puts it in the past makes it due at once.
func TestDeadlineFromDate(t *testing.T) {
	c := compileFrom(t)
	// Wednesday 25 March 2026, 10:00 in Sweden; the clocks go forward on
	// Sunday the 29th, and 3 April is Good Friday.
	opened := time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)
	signed := func(day string) map[string]map[string]any {
		return map[string]map[string]any{"report": {"received": day, "note": "x"}}
	}
	t.Run("on opening", func(t *testing.T) {
		tests := []struct {
			name  string
			forms map[string]map[string]any
			want  string
		}{
			{"no report signed yet: from the opening day", nil,
				"warning screening 2026-04-08 2026-04-05T00:00, overdue screening 2026-04-08 2026-04-09T00:00, " +
					"overdue investigation 2026-04-27 2026-04-28T00:00"},
			// 20 March + 14 days is Good Friday; the screening has no
			// next_workday, the investigation (20 April) is a Monday.
			{"received five days before", signed("2026-03-20"),
				"warning screening 2026-04-03 2026-03-31T00:00, overdue screening 2026-04-03 2026-04-04T00:00, " +
					"overdue investigation 2026-04-20 2026-04-21T00:00"},
			// The screening ended on 18 March; the investigation's month
			// ends on Easter Saturday, 4 April, and moves past Easter
			// Monday to Tuesday the 7th.
			{"received 4 March: passed, and the investigation off days off", signed("2026-03-04"),
				"overdue screening 2026-03-18 2026-03-19T00:00, overdue investigation 2026-04-07 2026-04-08T00:00"},
			{"received 12 March: the warning's day has come, the deadline not", signed("2026-03-12"),
				"warning screening 2026-03-26 2026-03-23T00:00, overdue screening 2026-03-26 2026-03-27T00:00, " +
					"overdue investigation 2026-04-13 2026-04-14T00:00"},
			{"an empty date counts from the opening", signed(""),
				"warning screening 2026-04-08 2026-04-05T00:00, overdue screening 2026-04-08 2026-04-09T00:00, " +
					"overdue investigation 2026-04-27 2026-04-28T00:00"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ch := c.OnEnter("c", "a", opened, true, tt.forms)
				if got := timerList(ch.Start); got != tt.want {
					t.Errorf("timers:\n got %s\nwant %s", got, tt.want)
				}
			})
		}
	})
	t.Run("recounted when the form is signed", func(t *testing.T) {
		now := opened.Add(24 * time.Hour) // Thursday 26 March
		tests := []struct {
			name  string
			forms map[string]map[string]any
			ok    bool
			want  string
		}{
			{"received five days before opening", signed("2026-03-20"), true,
				"warning screening 2026-04-03 2026-03-31T00:00, overdue screening 2026-04-03 2026-04-04T00:00"},
			{"corrected to the 23rd: the timer moves", signed("2026-03-23"), true,
				"warning screening 2026-04-06 2026-04-03T00:00, overdue screening 2026-04-06 2026-04-07T00:00"},
			{"corrected to a day long past: overdue at once, no warning", signed("2026-03-01"), true,
				"overdue screening 2026-03-15 2026-03-16T00:00"},
			{"the last day is today: still due, the warning at once", signed("2026-03-12"), true,
				"warning screening 2026-03-26 2026-03-23T00:00, overdue screening 2026-03-26 2026-03-27T00:00"},
			{"no date: nothing to recount", signed(""), false, ""},
			{"the form not signed: nothing to recount", nil, false, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ts, ok := c.RecountTimers("c", "screening", tt.forms, now)
				if ok != tt.ok || timerList(ts) != tt.want {
					t.Errorf("RecountTimers = %s, %v; want %s, %v", timerList(ts), ok, tt.want, tt.ok)
				}
			})
		}
		if got := fmt.Sprint(c.DeadlinesFrom("c", "report"), c.DeadlinesFrom("c", "other"), c.DeadlinesFrom("nope", "report")); got != "[screening investigation] [] []" {
			t.Errorf("DeadlinesFrom: %s", got)
		}
	})
}

// The date a deadline counts from may not be after today, in the form and
// in a unit's variant of it: a mistyped year would quietly postpone a
// legal time limit. Other date fields may.
func TestDeadlineFromDateNotAfterToday(t *testing.T) {
	c := compileFrom(t)
	ctx := Context{Roles: []trygg.Role{trygg.RoleOfficer}, Today: time.Date(2026, 3, 25, 23, 30, 0, 0, time.UTC)} // 26 March in Sweden
	tests := []struct {
		form, received, maybe string
		want                  map[string]string
	}{
		{"report", "2026-03-26", "2027-01-01", map[string]string{}},
		{"report", "2026-03-20", "", map[string]string{}},
		{"report", "2026-03-27", "", map[string]string{"received": "Får inte vara senare än i dag: en tidsfrist räknas från datumet."}},
		{"report_north", "2027-03-20", "", map[string]string{"received": "Får inte vara senare än i dag: en tidsfrist räknas från datumet."}},
	}
	for _, tt := range tests {
		t.Run(tt.form+" "+tt.received, func(t *testing.T) {
			values := map[string]any{"received": tt.received, "note": "x", "shown": "2026-01-01"}
			if tt.maybe != "" {
				values["maybe"] = tt.maybe
			}
			st, err := c.EvaluateForm(tt.form, values, ctx, "sv")
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(st.Errors) != fmt.Sprint(tt.want) || st.Complete != (len(tt.want) == 0) {
				t.Errorf("errors %v (complete %v), want %v", st.Errors, st.Complete, tt.want)
			}
		})
	}
	st, _ := c.EvaluateForm("report", map[string]any{"received": "2026-03-27", "note": "x", "shown": "2026-01-01"}, ctx, "en")
	if st.Errors["received"] != "Must not be after today: a time limit counts from this date." {
		t.Errorf("in English: %q", st.Errors["received"])
	}
}
