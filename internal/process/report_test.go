package process

import (
	"reflect"
	"strings"
	"testing"
)

const reportYAML = okCodes + `kind: case_type
id: t
name: {sv: T}
field: AO
start: a
steps:
  - {id: a, name: {sv: A}}
  - {id: z, name: {sv: Z}, final: true}
transitions:
  - {id: go, name: {sv: Gå}, from: [a], to: z, roles: [handlaggare]}
decisions:
  insatser: cs
  legal_bases: ["L 1 §"]
  delegation: [{roles: [handlaggare]}]
---
kind: report
id: waiting
name: {sv: Väntar, en: Waiting}
source: decisions
case_types: [t]
period: quarter
roles: [arbetsledare]
filter: "decision.outcome != 'refused' && decision.days_waiting > 90 && (decision.waiting_ended_on == '' || decision.waiting_ended_on >= period.start)"
columns:
  - {id: insats, label: {sv: Insats}, value: decision.insats_name}
  - {id: sex, label: {sv: Kön}, value: person.sex}
  - {id: days, label: {sv: Dagar}, value: decision.days_waiting}
  - {id: since, label: {sv: Sedan}, value: decision.waiting_since}
summary:
  by: [insats, sex]
`

func TestExecutionState(t *testing.T) {
	ex := func(kind, on string) ExecEntry { return ExecEntry{Kind: kind, On: on} }
	tests := []struct {
		name    string
		entries []ExecEntry
		asOf    string
		want    ExecState
	}{
		{"not executed", nil, "2026-04-11",
			ExecState{WaitingSince: "2026-01-01", DaysWaiting: 100}},
		{"executed on day 90", []ExecEntry{ex(ExecExecuted, "2026-04-01")}, "2026-06-30",
			ExecState{ExecutedOn: "2026-04-01", FullyExecutedOn: "2026-04-01", WaitingSince: "2026-01-01", EndedOn: "2026-04-01", EndKind: ExecExecuted, DaysWaiting: 90}},
		{"executed after the day asked about does not count yet", []ExecEntry{ex(ExecExecuted, "2026-05-01")}, "2026-03-31",
			ExecState{WaitingSince: "2026-01-01", DaysWaiting: 89}},
		{"interrupted and not resumed", []ExecEntry{ex(ExecExecuted, "2026-01-10"), ex(ExecInterrupted, "2026-02-01")}, "2026-06-01",
			ExecState{ExecutedOn: "2026-01-10", FullyExecutedOn: "2026-01-10", InterruptedOn: "2026-02-01", WaitingSince: "2026-02-01", DaysWaiting: 120}},
		{"interrupted and resumed", []ExecEntry{ex(ExecExecuted, "2026-01-10"), ex(ExecInterrupted, "2026-02-01"), ex(ExecResumed, "2026-03-01")}, "2026-06-01",
			ExecState{ExecutedOn: "2026-01-10", FullyExecutedOn: "2026-01-10", ResumedOn: "2026-03-01", WaitingSince: "2026-02-01", EndedOn: "2026-03-01", EndKind: ExecResumed, DaysWaiting: 28}},
		{"an interruption before execution is ignored", []ExecEntry{ex(ExecInterrupted, "2026-01-05")}, "2026-01-31",
			ExecState{WaitingSince: "2026-01-01", DaysWaiting: 30}},
		{"the latest delay note counts", []ExecEntry{{Kind: ExecDelay, On: "2026-02-01", Reason: "first"}, {Kind: ExecDelay, On: "2026-03-01", Reason: "no place", Offers: "X", InterimHelp: "home help"}}, "2026-03-31",
			ExecState{WaitingSince: "2026-01-01", DaysWaiting: 89, Reason: "no place", Offers: "X", InterimHelp: "home help"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExecutionState("2026-01-01", tt.entries, tt.asOf); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseReportPeriod(t *testing.T) {
	tests := []struct {
		kind, in         string
		name, start, end string
		bad              bool
	}{
		{PeriodQuarter, "2026-Q3", "2026-Q3", "2026-07-01", "2026-09-30", false},
		{PeriodQuarter, "2024-q1", "2024-Q1", "2024-01-01", "2024-03-31", false},
		{PeriodQuarter, "2026-Q5", "", "", "", true},
		{PeriodQuarter, "2026", "", "", "", true},
		{PeriodMonth, "2024-02", "2024-02", "2024-02-01", "2024-02-29", false},
		{PeriodMonth, "2024-13", "", "", "", true},
		{PeriodYear, "2025", "2025", "2025-01-01", "2025-12-31", false},
		{PeriodYear, "25", "", "", "", true},
	}
	for _, tt := range tests {
		p, err := ParseReportPeriod(tt.kind, tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("%s %q: no error", tt.kind, tt.in)
			}
			continue
		}
		if err != nil || p.Name != tt.name || p.Start != tt.start || p.End != tt.end {
			t.Errorf("%s %q = %+v, %v; want %s %s..%s", tt.kind, tt.in, p, err, tt.name, tt.start, tt.end)
		}
	}
}

func TestRunReport(t *testing.T) {
	c := compileSrc(t, File{Name: "r.yaml", Data: []byte(reportYAML)})
	q2, _ := ParseReportPeriod(PeriodQuarter, "2026-Q2")
	rec := func(id, decided, sex string, execs ...ExecEntry) ReportRecord {
		return ReportRecord{DecisionID: id, CaseID: "case-" + id, Insats: "a", Outcome: OutcomeGranted, DecidedOn: decided,
			CaseType: "t", PersonSex: sex, Executions: execs}
	}
	ex := func(kind, on string) ExecEntry { return ExecEntry{Kind: kind, On: on} }
	records := []ReportRecord{
		rec("day90", "2026-01-01", "F", ex(ExecExecuted, "2026-04-01")),                                          // executed on day 90: not listed
		rec("day91", "2026-01-01", "M", ex(ExecExecuted, "2026-04-02")),                                          // day 91, in the quarter: listed
		rec("waiting", "2026-02-01", "F"),                                                                        // 149 days at 30 June: listed
		rec("young", "2026-05-01", "F"),                                                                          // 60 days: not listed
		rec("late-before", "2025-09-01", "F", ex(ExecExecuted, "2026-03-01")),                                    // executed late, before the quarter
		rec("interrupted", "2025-06-01", "M", ex(ExecExecuted, "2025-06-10"), ex(ExecInterrupted, "2026-03-01")), // 121 days interrupted
		rec("resumed", "2025-06-01", "M", ex(ExecExecuted, "2025-06-10"), ex(ExecInterrupted, "2026-03-01"), ex(ExecResumed, "2026-04-15")),
	}
	refused := rec("refused", "2026-01-01", "F")
	refused.Outcome = OutcomeRefused
	records = append(records, refused)
	res, err := c.RunReport("waiting", q2, q2.End, records, "sv")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rows {
		got = append(got, r.CaseID+":"+strings.Join(r.Cells, "|"))
	}
	want := []string{"case-day91:A|M|91|2026-01-01", "case-waiting:A|F|149|2026-02-01", "case-interrupted:A|M|121|2026-03-01"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %v\nwant %v", got, want)
	}
	wantSum := []ReportCount{{Values: []string{"A", "F"}, Count: 1}, {Values: []string{"A", "M"}, Count: 2}}
	if !reflect.DeepEqual(res.Summary, wantSum) {
		t.Errorf("summary = %v, want %v", res.Summary, wantSum)
	}
	if _, err := c.RunReport("nope", q2, q2.End, nil, "sv"); err == nil {
		t.Error("an unknown report ran")
	}
}

func TestValidateReport(t *testing.T) {
	base := strings.Split(reportYAML, "kind: report")[0]
	tests := []struct {
		name, report string
		want         []string
	}{
		{"misspelt key", `kind: report
id: r
name: {sv: R}
source: decisions
case_types: [t]
period: month
roles: [arbetsledare]
filter: "decision.days_wating > 90"
columns: [{id: a, label: {sv: A}, value: decision.id}]
`, []string{`v.yaml:30:9: expression error: no such key: days_wating`}},
		{"wrong shape", `kind: report
id: r
name: {sv: R}
source: cases
case_types: [nope]
period: week
roles: [kung]
filter: "decision.amount"
columns: [{id: a, label: {sv: A}, value: decision.id}, {id: a, label: {en: B}}]
summary: {by: [b]}
`, []string{`source: decisions`, `unknown case type "nope"`, `period: month, quarter or year`, `unknown role "kung"`,
			`gives a whole number but true/false is needed`, `the column id "a" is used twice`, `has no value`, `counts by "b"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, probs := Load([]File{{Name: "v.yaml", Data: []byte(base + tt.report)}})
			probs = append(probs, Validate(b)...)
			all := probs.Error()
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q:\n%s", w, all)
				}
			}
		})
	}
}

func TestHelperFunctions(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"string(sum([1, 2, 3]))", "6"},
		{"string(sum([0.5, 1.5]))", "2"},
		{"string(sum([]))", "0"},
		{"money(1234550)", "12 345,50 kr"},
		{"money(500000)", "5 000 kr"},
		{"money(-5000)", "−50 kr"},
		{"money(5)", "0,05 kr"},
		{"money(100000000)", "1 000 000 kr"},
	}
	env, err := newEnv(nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		prg, err := compile(env, tt.expr, nil)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		out, _, err := prg.Eval(map[string]any{})
		if err != nil || out.Value() != tt.want {
			t.Errorf("%s = %v, %v; want %q", tt.expr, out, err, tt.want)
		}
	}
}
