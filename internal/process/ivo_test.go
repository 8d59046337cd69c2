package process

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cel.dev/cel-go/cel"

	"github.com/trygg/trygg/packs"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-15", 3, "2026-04-15"},
		{"2026-11-30", 3, "2027-02-28"}, // across February: shorter than 90 days
		{"2027-11-30", 3, "2028-02-29"}, // leap year
		{"2027-11-29", 3, "2028-02-29"},
		{"2026-01-31", 3, "2026-04-30"}, // April has no 31st
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2028-02-29", 12, "2029-02-28"},
		{"2026-05-31", 3, "2026-08-31"}, // across July–August: longer than 90 days
		{"2026-12-31", 2, "2027-02-28"},
		{"2026-04-30", -2, "2026-02-28"},
		{"2026-03-15", 0, "2026-03-15"},
	}
	for _, tt := range tests {
		if got := AddMonths(day(tt.from), tt.n).Format(time.DateOnly); got != tt.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestMonthsBetween(t *testing.T) {
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-01-15", "2026-04-14", 2},
		{"2026-01-15", "2026-04-15", 3},
		{"2026-11-30", "2027-02-27", 2},
		{"2026-11-30", "2027-02-28", 3}, // the month's last day ends the period
		{"2027-11-30", "2028-02-28", 2}, // 2028 has a 29th
		{"2027-11-30", "2028-02-29", 3},
		{"2026-01-31", "2026-04-30", 3},
		{"2026-01-31", "2026-02-28", 1},
		{"2026-04-10", "2026-04-01", 0},
		{"2026-04-10", "2026-04-10", 0},
	}
	for _, tt := range tests {
		if got := MonthsBetween(day(tt.from), day(tt.to)); got != tt.want {
			t.Errorf("MonthsBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

// TestDateFunctions: the report environment's date arithmetic as an
// expression sees it, and a text that is not a date refused.
func TestDateFunctions(t *testing.T) {
	env, err := reportEnv()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		expr string
		want any
		bad  bool
	}{
		{"addMonths('2026-11-30', 3)", "2027-02-28", false},
		{"addMonths('2027-11-30', 3)", "2028-02-29", false},
		{"addMonths('2026-01-31', 3)", "2026-04-30", false},
		{"addDays('2028-02-28', 1)", "2028-02-29", false},
		{"addDays('2026-03-01', -1)", "2026-02-28", false},
		{"daysBetween('2026-11-30', '2027-02-28')", int64(90), false},
		{"daysBetween('2026-04-10', '2026-04-01')", int64(-9), false},
		{"monthsBetween('2026-01-31', '2026-04-30')", int64(3), false},
		{"'2026-03-01' > addMonths('2025-11-30', 3)", true, false},
		{"addMonths('30 november', 3)", nil, true},
		{"addMonths('2026-01-01', 5000)", nil, true},
		{"monthsBetween('2026-01-01', '')", nil, true},
	}
	for _, tt := range tests {
		prg, err := compile(env, tt.expr, nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		out, _, err := prg.Eval(map[string]any{})
		if tt.bad {
			if err == nil {
				t.Errorf("%s = %v, want an error", tt.expr, out)
			}
			continue
		}
		if err != nil || out.Value() != tt.want {
			t.Errorf("%s = %v (%v), want %v", tt.expr, out, err, tt.want)
		}
	}
	// A wrong argument type is a checking error, not a run-time one.
	if _, err := compile(env, "addMonths(3, '2026-01-01')", cel.StringType); err == nil {
		t.Error("addMonths with its arguments swapped compiled")
	}
}

// ibicPack compiles the IBIC pack alone, as a municipality publishes it.
func ibicPack(t *testing.T) *Compiled {
	t.Helper()
	var files []File
	for _, f := range packs.Files() {
		if strings.HasPrefix(f.Name, "ibic/") {
			files = append(files, File{Name: f.Name, Data: []byte(f.Content)})
		}
	}
	return compileSrc(t, files...)
}

const ivoReport = "ej_verkstallda_beslut"

// TestUnexecutedDecisionsRule: the IBIC pack's report of decisions not
// executed within three calendar months, at its edges: windows across
// February, month ends, a leap year, an interruption and a resumption on
// the boundary day, partial execution, ending, and each quarter until
// executed.
func TestUnexecutedDecisionsRule(t *testing.T) {
	c := ibicPack(t)
	ex := func(kind, on string) ExecEntry { return ExecEntry{Kind: kind, On: on} }
	part := func(on string, amount int64) ExecEntry { return ExecEntry{Kind: ExecExecuted, On: on, Amount: amount} }
	tests := []struct {
		name    string
		decided string
		amount  int64 // hundredths of an hour per month
		execs   []ExecEntry
		period  string
		asOf    string // "" for the period's end
		listed  bool
		// cells by column id, when listed
		want map[string]string
	}{
		{name: "decided 30 Nov, executed on the last day of February: in time", decided: "2026-11-30",
			execs: []ExecEntry{ex(ExecExecuted, "2027-02-28")}, period: "2027-Q1", listed: false},
		{name: "decided 30 Nov, executed 1 March: late though only 91 days", decided: "2026-11-30",
			execs: []ExecEntry{ex(ExecExecuted, "2027-03-01")}, period: "2027-Q1", listed: true,
			want: map[string]string{"due_on": "2027-02-28", "executed_on": "2027-03-01", "days": "91"}},
		{name: "decided 30 Nov, not executed on 28 Feb: not yet", decided: "2026-11-30",
			period: "2027-Q1", asOf: "2027-02-28", listed: false},
		{name: "decided 30 Nov, not executed on 1 March: reported", decided: "2026-11-30",
			period: "2027-Q1", asOf: "2027-03-01", listed: true, want: map[string]string{"due_on": "2027-02-28", "executed_on": ""}},
		{name: "leap year: decided 30 Nov 2027, executed 29 Feb 2028: in time", decided: "2027-11-30",
			execs: []ExecEntry{ex(ExecExecuted, "2028-02-29")}, period: "2028-Q1", listed: false},
		{name: "leap year: decided 30 Nov 2027, executed 1 March 2028: late", decided: "2027-11-30",
			execs: []ExecEntry{ex(ExecExecuted, "2028-03-01")}, period: "2028-Q1", listed: true,
			want: map[string]string{"due_on": "2028-02-29"}},
		{name: "31 January + 3 months is 30 April: executed then, in time", decided: "2026-01-31",
			execs: []ExecEntry{ex(ExecExecuted, "2026-04-30")}, period: "2026-Q2", listed: false},
		{name: "31 January, executed 1 May: late", decided: "2026-01-31",
			execs: []ExecEntry{ex(ExecExecuted, "2026-05-01")}, period: "2026-Q2", listed: true,
			want: map[string]string{"due_on": "2026-04-30", "executed_on": "2026-05-01"}},
		{name: "31 May across July–August: 92 days and still in time", decided: "2026-05-31",
			execs: []ExecEntry{ex(ExecExecuted, "2026-08-31")}, period: "2026-Q3", listed: false},
		{name: "interrupted, resumed on the boundary day: in time", decided: "2025-06-01",
			execs:  []ExecEntry{ex(ExecExecuted, "2025-06-10"), ex(ExecInterrupted, "2026-01-31"), ex(ExecResumed, "2026-04-30")},
			period: "2026-Q2", listed: false},
		{name: "interrupted, resumed the day after the boundary: reported with the resumption", decided: "2025-06-01",
			execs:  []ExecEntry{ex(ExecExecuted, "2025-06-10"), ex(ExecInterrupted, "2026-01-31"), ex(ExecResumed, "2026-05-01")},
			period: "2026-Q2", listed: true,
			want: map[string]string{"interrupted_on": "", "executed_on": "2026-05-01", "due_on": "2026-04-30", "days": "90"}},
		{name: "interrupted and not resumed: reported from the interruption", decided: "2025-06-01",
			execs:  []ExecEntry{ex(ExecExecuted, "2025-06-10"), ex(ExecInterrupted, "2026-02-15")},
			period: "2026-Q2", listed: true, want: map[string]string{"interrupted_on": "2026-02-15", "due_on": "2026-05-15"}},
		{name: "interrupted, on the day the wait ends: not yet", decided: "2025-06-01",
			execs:  []ExecEntry{ex(ExecExecuted, "2025-06-10"), ex(ExecInterrupted, "2026-02-15")},
			period: "2026-Q2", asOf: "2026-05-15", listed: false},
		{name: "3 of 5 hours executed: the 2 hours not executed are reported", decided: "2026-01-10", amount: 500,
			execs: []ExecEntry{part("2026-02-01", 300)}, period: "2026-Q2", listed: true,
			want: map[string]string{"not_executed": "2 timmar per månad av 5 timmar per månad", "executed_on": "", "due_on": "2026-04-10"}},
		{name: "partly, then in full in time", decided: "2026-01-10", amount: 500,
			execs: []ExecEntry{part("2026-02-01", 300), part("2026-04-10", 500)}, period: "2026-Q2", listed: false},
		{name: "partly, then in full late: the day of full execution", decided: "2026-01-10", amount: 500,
			execs: []ExecEntry{part("2026-02-01", 300), part("2026-03-01", 400), part("2026-04-20", 500)}, period: "2026-Q2", listed: true,
			want: map[string]string{"executed_on": "2026-04-20", "not_executed": ""}},
		{name: "ended without execution after the wait: reported with the ending", decided: "2026-01-10",
			execs: []ExecEntry{ex(ExecEnded, "2026-05-05")}, period: "2026-Q2", listed: true,
			want: map[string]string{"ended_on": "2026-05-05", "executed_on": ""}},
		{name: "ended before three months: never reported", decided: "2026-01-10",
			execs: []ExecEntry{ex(ExecEnded, "2026-03-05")}, period: "2026-Q1", listed: false},
		{name: "waiting: reported again the next quarter", decided: "2025-11-30", period: "2026-Q2", listed: true,
			want: map[string]string{"due_on": "2026-02-28"}},
		{name: "executed late in a quarter: not again the next", decided: "2025-11-30",
			execs: []ExecEntry{ex(ExecExecuted, "2026-03-10")}, period: "2026-Q2", listed: false},
		{name: "the reason and the offers recorded on the decision are carried", decided: "2026-01-10",
			execs:  []ExecEntry{{Kind: ExecDelay, On: "2026-03-01", Reason: "Ingen ledig plats.", Offers: "Plats i Kvarnby 2026-03-15, avböjt."}},
			period: "2026-Q2", listed: true, want: map[string]string{"reason": "Ingen ledig plats.", "offers": "Plats i Kvarnby 2026-03-15, avböjt."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseReportPeriod(PeriodQuarter, tt.period)
			if err != nil {
				t.Fatal(err)
			}
			asOf := tt.asOf
			if asOf == "" {
				asOf = p.End
			}
			rec := ReportRecord{DecisionID: "d", CaseID: "c", Insats: "hemtjanst_omvardnad", Outcome: OutcomeGranted, LegalBasis: "SoL 4 kap. 1 §",
				DecidedOn: tt.decided, Amount: tt.amount, CaseType: "ibic_sol_aldre", PersonSex: "F", BirthYear: 1942, Executions: tt.execs}
			res, err := c.RunReport(ivoReport, p, asOf, []ReportRecord{rec}, "sv")
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res.Rows) == 1; got != tt.listed {
				t.Fatalf("listed = %v, want %v (%v)", got, tt.listed, res.Rows)
			}
			if !tt.listed {
				return
			}
			for col, want := range tt.want {
				i := -1
				for j, h := range res.Columns {
					if h.ID == col {
						i = j
					}
				}
				if i < 0 {
					t.Fatalf("no column %s", col)
				}
				if got := res.Rows[0].Cells[i]; got != want {
					t.Errorf("%s = %q, want %q", col, got, want)
				}
			}
		})
	}
}

// TestIVOFileGolden: the file for IVO's e-service for a small quarter, as
// the pack lays it out, made twice byte for byte the same.
func TestIVOFileGolden(t *testing.T) {
	c := ibicPack(t)
	p, _ := ParseReportPeriod(PeriodQuarter, "2028-Q1")
	base := ReportRecord{Outcome: OutcomeGranted, UnitName: "Hemtjänst Norr", Municipality: "Exempelstad", MunicipalityCode: "0999"}
	rec := func(id, ct, insats, basis, decided, sex string, born int, amount int64, execs ...ExecEntry) ReportRecord {
		r := base
		r.DecisionID, r.CaseID, r.CaseType, r.Insats, r.LegalBasis, r.DecidedOn = id, "case-"+id, ct, insats, basis, decided
		r.PersonSex, r.BirthYear, r.Amount, r.Executions = sex, born, amount, execs
		return r
	}
	delay := ExecEntry{Kind: ExecDelay, On: "2028-02-01", Reason: "Ingen ledig plats;\nkö till boendet.", Offers: `Erbjuden "Solgården", avböjt.`, InterimHelp: "Hemtjänst"}
	records := []ReportRecord{
		rec("a", "ibic_sol_aldre", "trygghetslarm", "SoL 4 kap. 1 §", "2027-11-30", "F", 1941, 0, ExecEntry{Kind: ExecExecuted, On: "2028-03-01"}),
		rec("b", "ibic_sol_aldre", "trygghetslarm", "SoL 4 kap. 1 §", "2027-11-30", "M", 1939, 0, ExecEntry{Kind: ExecExecuted, On: "2028-02-29"}),
		rec("c", "ibic_sol_aldre", "hemtjanst_omvardnad", "SoL 4 kap. 1 §", "2027-10-15", "F", 1936, 500, ExecEntry{Kind: ExecExecuted, On: "2027-11-01", Amount: 300}, delay),
		rec("d", "ibic_lss", "lss_9_bostad_vuxna", "LSS 9 §", "2027-06-01", "M", 2002, 0, delay),
		rec("e", "ibic_lss", "lss_4_kontaktperson", "LSS 9 §", "2027-03-01", "F", 1990, 0,
			ExecEntry{Kind: ExecExecuted, On: "2027-04-01"}, ExecEntry{Kind: ExecInterrupted, On: "2027-11-20"}),
		rec("f", "ibic_lss", "lss_4_kontaktperson", "LSS 9 §", "2027-05-01", "M", 1985, 0, ExecEntry{Kind: ExecEnded, On: "2028-01-20"}),
		rec("g", "ibic_sol_aldre", "trygghetslarm", "SoL 4 kap. 1 §", "2028-01-10", "F", 1930, 0),
	}
	f1, err := c.ExportReport(ivoReport, p, p.End, records, "sv")
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := c.ExportReport(ivoReport, p, p.End, records, "sv")
	if string(f1.Data) != string(f2.Data) {
		t.Error("the file made twice differs")
	}
	if f1.Name != "ivo-ej-verkstallda-beslut-2028-Q1.csv" || f1.Rows != 5 {
		t.Errorf("file %s with %d rows", f1.Name, f1.Rows)
	}
	golden := filepath.Join("testdata", "ivo-2028-Q1.csv")
	if *updateGolden {
		if err := os.WriteFile(golden, f1.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(f1.Data) != string(want) {
		t.Errorf("the file differs from %s (go test -run TestIVOFileGolden -update to accept):\n%s", golden, f1.Data)
	}
	// A value over the field's limit refuses the file, naming the case.
	long := records[3]
	long.Executions = []ExecEntry{{Kind: ExecDelay, On: "2028-02-01", Reason: strings.Repeat("x", 2001)}}
	if _, err := c.ExportReport(ivoReport, p, p.End, []ReportRecord{long}, "sv"); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("a reason of 2001 characters: %v", err)
	}
}
