package process

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// registerBase is a case type and form a register reads.
const registerBase = `kind: code_system
id: ins
name: {sv: Insatser}
codes: [{code: stod, label: {sv: Stöd}}]
---
kind: code_system
id: hinder
name: {sv: Hinder}
codes: [{code: arbetslos, label: {sv: Arbetslös}}, {code: sjuk, label: {sv: Sjuk}}, {code: annat, label: {sv: Annat}}]
---
kind: form
id: ans
name: {sv: Ansökan}
sections:
  - id: s
    label: {sv: S}
    fields:
      - {id: hinder, type: choice, code_system: hinder, label: {sv: Hinder}}
      - {id: upphor, type: yes_no, label: {sv: Upphör}}
      - {id: orsak, type: text, label: {sv: Orsak}}
---
kind: case_type
id: eb
name: {sv: EB}
field: IFO
start: a
steps: [{id: a, name: {sv: A}, forms: [ans]}, {id: b, name: {sv: B}, final: true}]
transitions: [{id: close, name: {sv: Stäng}, from: [a], to: b, roles: [handlaggare]}]
decisions: {insatser: ins, legal_bases: ["SoL 4 kap. 1 §"], delegation: [{roles: [handlaggare]}]}
---
`

const registerYAML = `kind: register
id: eb_manad
name: {sv: EB månad}
regulation: "HSLF-FS 2015:30"
records: case_months
case_types: [eb]
period: month
due: {months_after: 1, day: 15}
roles: [arbetsledare]
filter: "record.amount > 0"
fields:
  - {id: ar, header: Ar, label: {sv: År}, type: number, value: period.year, required: true}
  - {id: manad, header: Manad, label: {sv: Månad}, type: number, width: 2, value: period.month}
  - {id: kommun, header: Kommun, label: {sv: Kommun}, value: municipality.code, width: 4, required: true}
  - {id: pnr, header: Personnr, label: {sv: Personnummer}, value: person.identity_number, width: 12, required: true}
  - {id: kon, header: Kon, label: {sv: Kön}, value: person.sex, codes: {M: "1", F: "2"}, required: true}
  - {id: belopp, header: Sbel, label: {sv: Belopp}, type: amount, value: record.amount, required: true}
  - {id: beslut, header: Beslutsdag, label: {sv: Beslutsdag}, type: date, value: decision.decided_on}
  - id: hinder
    header: Hinder
    label: {sv: Försörjningshinder}
    value: forms.ans.hinder
    codes: {arbetslos: "1", sjuk: "3"}
    required: true
    missing: {sv: "Fyll i försörjningshinder i ansökan.", en: "Fill in the obstacle."}
  - {id: orsak, header: Orsak, label: {sv: Orsak}, value: forms.ans.orsak, required_if: forms.ans.upphor}
file:
  name: "EB_{municipality}_{period}.txt"
  separator: ";"
  header: true
  encoding: iso-8859-1
  line_end: crlf
  dates: YYYYMMDD
  amounts: kronor
`

func compileRegisterTest(t *testing.T, reg string) *Compiled {
	t.Helper()
	b, probs := Load([]File{{Name: "r.yaml", Data: []byte(registerBase + reg)}})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	c, probs := Compile(b)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return c
}

func TestRunRegister(t *testing.T) {
	c := compileRegisterTest(t, registerYAML)
	def, _ := c.RegisterDef("eb_manad")
	p, err := ParseRegisterPeriod(def, "2026-07")
	if err != nil {
		t.Fatal(err)
	}
	if p.Start != "2026-07-01" || p.End != "2026-07-31" || p.Due != "2026-08-15" {
		t.Fatalf("period %+v", p)
	}
	cases := []RegisterCase{
		{CaseID: "c2", Reference: "EB-2", PersonID: "p2", IdentityNumber: "198001022384", Sex: "F", BirthDate: "1980-01-02",
			Forms:     map[string]map[string]any{"ans": {"hinder": "sjuk", "upphor": true, "orsak": "arbete"}},
			Decisions: []RegisterDecision{{ID: "d2", Insats: "stod", Outcome: OutcomeGranted, DecidedOn: "2026-06-28", ValidFrom: "2026-07-01", ValidTo: "2026-07-31", Amount: 812345}},
			Payments:  []RegisterPayment{{Month: "2026-07", Amount: 812350}}},
		{CaseID: "c1", Reference: "EB-1", PersonID: "p1", IdentityNumber: "197506152393", Sex: "M", BirthDate: "1975-06-15",
			Forms:     map[string]map[string]any{"ans": {"hinder": "arbetslos"}},
			Decisions: []RegisterDecision{{ID: "d1", Insats: "stod", Outcome: OutcomeGranted, DecidedOn: "2026-07-03", ValidFrom: "2026-07-01", ValidTo: "2026-07-31", Amount: 500000}}},
		// A month without money is not a record; nor is a refusal.
		{CaseID: "c3", Reference: "EB-3", PersonID: "p3", IdentityNumber: "199001012380", Sex: "F",
			Decisions: []RegisterDecision{{ID: "d3", Insats: "stod", Outcome: OutcomeRefused, DecidedOn: "2026-07-03", ValidFrom: "2026-07-01", ValidTo: "2026-07-31", Amount: 100}}},
	}
	run, err := c.RunRegister("eb_manad", p, "0180", cases)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Issues) > 0 {
		t.Fatalf("issues: %+v", run.Issues)
	}
	data, err := c.RegisterFile("eb_manad", run)
	if err != nil {
		t.Fatal(err)
	}
	want := "Ar;Manad;Kommun;Personnr;Kon;Sbel;Beslutsdag;Hinder;Orsak\r\n" +
		"2026;07;0180;197506152393;1;5000;20260703;1;\r\n" +
		"2026;07;0180;198001022384;2;8124;20260628;3;arbete\r\n"
	if string(data) != want {
		t.Fatalf("file:\n%q\nwant\n%q", data, want)
	}
	if name := RegisterFileName(def, p, "0180"); name != "EB_0180_202607.txt" {
		t.Errorf("name %q", name)
	}

	// A required value missing, a value without its code and a value too
	// long are listed per case; the file is refused.
	cases[1].Forms["ans"]["hinder"] = ""
	cases[0].Forms["ans"]["hinder"] = "annat"
	cases[0].IdentityNumber = "19800102-2384"
	cases[0].Forms["ans"]["orsak"] = ""
	run, err = c.RunRegister("eb_manad", p, "0180", cases)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, is := range run.Issues {
		got = append(got, is.CaseReference+" "+is.Field+": "+is.Message)
	}
	wantIssues := []string{
		`EB-1 hinder: Fyll i försörjningshinder i ansökan.`,
		`EB-2 pnr: Personnummer: värdet "19800102-2384" kan inte skrivas i filen (för långt).`,
		`EB-2 hinder: Försörjningshinder: värdet "annat" har ingen kod i registret. Välj ett annat värde eller rätta registrets koder.`,
		`EB-2 orsak: Orsak saknas.`,
	}
	if !slices.Equal(got, wantIssues) {
		t.Errorf("issues:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantIssues, "\n"))
	}
	if _, err := c.RegisterFile("eb_manad", run); err == nil {
		t.Error("a file was made with issues")
	}
}

func TestRegisterPeriods(t *testing.T) {
	tests := []struct {
		period, statusDay, due, in  string
		start, end, wantDue, latest string
	}{
		{"month", "", "{months_after: 1, day: 15}", "2026-12", "2026-12-01", "2026-12-31", "2027-01-15", "2026-12"},
		{"month", "", "{months_after: 1, day: 31}", "2027-01", "2027-01-01", "2027-01-31", "2027-02-28", "2026-12"},
		{"year", "", "{months_after: 4, day: 30}", "2026", "2026-01-01", "2026-12-31", "2027-04-30", "2026"},
		{"status_day", "\nstatus_day: \"10-01\"", "{months_after: 0, day: 25}", "2026", "2026-10-01", "2026-10-01", "2026-10-25", "2026"},
	}
	for _, tt := range tests {
		t.Run(tt.period, func(t *testing.T) {
			reg := strings.Replace(registerYAML, "period: month", "period: "+tt.period+tt.statusDay, 1)
			reg = strings.Replace(reg, "{months_after: 1, day: 15}", tt.due, 1)
			c := compileRegisterTest(t, reg)
			def, _ := c.RegisterDef("eb_manad")
			p, err := ParseRegisterPeriod(def, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.Start != tt.start || p.End != tt.end || p.Due != tt.wantDue {
				t.Errorf("got %+v", p)
			}
			if got := LatestRegisterPeriod(def, "2027-01-10"); got != tt.latest {
				t.Errorf("latest %q, want %q", got, tt.latest)
			}
		})
	}
}

func TestValidateRegister(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"unknown source", "records: case_months", "records: households", []string{`r.yaml:35:10: the register needs records: decisions, cases, case_months or persons (got "households")`}},
		{"unknown form field", "value: forms.ans.hinder", "value: forms.ans.hindr", []string{`r.yaml:52:12: expression error: 1:10: undeclared reference to 'forms.ans.hindr' (did you mean 'forms.ans.hinder'?)`}},
		{"misspelt record key", "value: record.amount", "value: record.amont", []string{`r.yaml:47:74: expression error: 1:7: undeclared reference to 'record.amont'`}},
		{"amount must be whole", "type: amount, value: record.amount", "type: amount, value: person.sex", []string{`gives text but a whole number is needed`}},
		{"bad column type", "type: date, value: decision.decided_on", "type: datetime, value: decision.decided_on", []string{`unknown type "datetime"`}},
		{"column twice", "{id: orsak, header: Orsak", "{id: ar, header: Orsak", []string{`the field "ar" is in the register twice`}},
		{"column without value", ", value: forms.ans.orsak, required_if", ", required_if", []string{`the field "orsak" has no value`}},
		{"bad width", "width: 2,", "width: two,", []string{`width must be a whole number 1–100 (got "two")`}},
		{"code with separator", `{M: "1", F: "2"}`, `{M: "1;", F: "2"}`, []string{`the code "1;" for "M" contains the file's separator`}},
		{"layout", "separator: \";\"", "separator: \"\\t\"", []string{`the file's separator must be`}},
		{"file name", `name: "EB_{municipality}_{period}.txt"`, `name: "EB_{kommun}_{period}.txt"`, []string{`unknown placeholder {kommun} in the file name`}},
		{"encoding and dates", "encoding: iso-8859-1\n  line_end: crlf\n  dates: YYYYMMDD", "encoding: latin9\n  line_end: cr\n  dates: DD/MM", []string{`encoding must be utf-8 or iso-8859-1`, `line_end must be crlf or lf`, `dates are written YYYYMMDD or YYYY-MM-DD`}},
		{"period", "period: month", "period: week", []string{`period: month, year or status_day (got "week")`}},
		{"status day", "period: month", "period: status_day\nstatus_day: \"1 oktober\"", []string{`status day (status_day) is written MM-DD`}},
		{"due", "{months_after: 1, day: 15}", "{months_after: -1, day: 32}", []string{`months_after must be a whole number 0–12`, `due: day must be a day of the month 1–31`}},
		{"unknown case type and role", "case_types: [eb]\nperiod: month\ndue: {months_after: 1, day: 15}\nroles: [arbetsledare]", "case_types: [ebb]\nperiod: month\ndue: {months_after: 1, day: 15}\nroles: [kung]", []string{`unknown case type "ebb"`, `unknown role "kung"`}},
		{"unknown key", "header: true", "headers: true", []string{`unknown key "headers"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(registerYAML, tt.from) {
				t.Fatalf("the base has no %q", tt.from)
			}
			reg := strings.Replace(registerYAML, tt.from, tt.to, 1)
			b, probs := Load([]File{{Name: "r.yaml", Data: []byte(registerBase + reg)}})
			probs = append(probs, Validate(b)...)
			if len(probs) == 0 {
				t.Fatal("no problems")
			}
			all := probs.Error()
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q:\n%s", w, all)
				}
			}
			// Every problem is in the file with a place, and says it in
			// Swedish too.
			for _, p := range probs {
				if p.Pos.File != "r.yaml" || p.Pos.Line < 1 || p.Pos.Column < 1 {
					t.Errorf("problem without a place: %v", p)
				}
				if p.ID != "" && p.In("sv") == p.Message && !strings.Contains(p.Message, "expression error") {
					t.Errorf("problem %s has no Swedish", p.ID)
				}
			}
		})
	}
}

// TestRegisterKeysDocumented: every key a register's expressions read is
// in the definition guide.
func TestRegisterKeysDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/definitions.md")
	if err != nil {
		t.Fatal(err)
	}
	for k := range registerVars {
		if !strings.Contains(string(doc), "`"+k+"`") {
			t.Errorf("docs/definitions.md does not describe the register key %s", k)
		}
	}
	if !regexp.MustCompile("## Registers \\(`kind: register`\\)").Match(doc) {
		t.Error("docs/definitions.md has no register section")
	}
}

// FuzzRegister feeds arbitrary text as a register definition beside a
// valid case type: nothing panics, every problem has a place, and what
// compiles runs on a sample case.
func FuzzRegister(f *testing.F) {
	f.Add(registerYAML)
	f.Add(strings.Replace(registerYAML, "records: case_months", "records: persons", 1))
	f.Add(strings.Replace(registerYAML, "period: month", "period: status_day\nstatus_day: \"10-01\"", 1))
	f.Fuzz(func(t *testing.T, reg string) {
		b, probs := Load([]File{{Name: "r.yaml", Data: []byte(registerBase + reg)}})
		probs = append(probs, Validate(b)...)
		for _, p := range probs {
			if p.Pos.File != "r.yaml" || p.Pos.Line < 1 || p.Pos.Column < 1 {
				t.Fatalf("problem without a place: %v", p)
			}
		}
		if len(probs) > 0 {
			return
		}
		c, cprobs := Compile(b)
		if len(cprobs) > 0 {
			t.Fatalf("Validate passed but Compile: %v", cprobs)
		}
		for _, def := range c.Registers() {
			p, err := ParseRegisterPeriod(def, "2026")
			if err != nil {
				p, err = ParseRegisterPeriod(def, "2026-07")
			}
			if err != nil {
				t.Fatalf("no period: %v", err)
			}
			cases := []RegisterCase{{CaseID: "c", Reference: "R", PersonID: "p", IdentityNumber: "197506152393", Sex: "M", BirthDate: "1975-06-15",
				Forms:     map[string]map[string]any{"ans": {"hinder": "sjuk"}},
				Decisions: []RegisterDecision{{ID: "d", Insats: "stod", Outcome: OutcomeGranted, DecidedOn: "2026-06-28", ValidFrom: "2026-01-01", Amount: 100}}}}
			run, err := c.RunRegister(def.ID.Value, p, "0180", cases)
			if err != nil {
				return // an expression may fail at run time (a division by zero)
			}
			if _, err := c.RegisterFile(def.ID.Value, run); (err == nil) != (len(run.Issues) == 0) {
				t.Fatalf("file made %v with %d issues", err == nil, len(run.Issues))
			}
		}
	})
}

// TestRegisterDecisionDays: a decision's insats starts on its first
// execution (its valid_from when none is recorded) and ends on the earlier
// of its valid_to and a recorded ending; it is in force on the period's
// last day when it has started and not ended before it, and it starts or
// ends in the period when that day is in it.
func TestRegisterDecisionDays(t *testing.T) {
	reg := `kind: register
id: sol
name: {sv: SoL}
regulation: "HSLF-FS 2016:86"
records: decisions
case_types: [eb]
period: month
due: {months_after: 1, day: 15}
roles: [arbetsledare]
filter: "true"
fields:
  - {id: beslut, label: {sv: Beslut}, value: decision.id}
  - {id: start, label: {sv: Start}, type: date, value: decision.started_on}
  - {id: slut, label: {sv: Slut}, type: date, value: decision.ended_on}
  - {id: pagar, label: {sv: Pågår}, value: decision.in_force}
  - {id: borjade, label: {sv: Började}, value: decision.started_in_period}
  - {id: upphorde, label: {sv: Upphörde}, value: decision.ended_in_period}
  - {id: alla, label: {sv: Alla}, value: "size(record.insatser_in_force) == 1 ? record.insatser_in_force[0] : string(size(record.insatser_in_force))"}
file: {name: "SOL.txt", separator: ";", encoding: utf-8, line_end: lf, dates: YYYY-MM-DD, amounts: ore}
`
	c := compileRegisterTest(t, reg)
	def, _ := c.RegisterDef("sol")
	p, err := ParseRegisterPeriod(def, "2026-02")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		d    RegisterDecision
		want string
	}{
		{"runs over the month", RegisterDecision{ValidFrom: "2026-01-10"}, "2026-01-10;;1;0;0"},
		{"starts on the last day", RegisterDecision{ValidFrom: "2026-02-28", ValidTo: "2026-12-31"}, "2026-02-28;2026-12-31;1;1;0"},
		{"starts the day after", RegisterDecision{ValidFrom: "2026-03-01"}, "2026-03-01;;0;0;0"},
		{"ends on the last day", RegisterDecision{ValidFrom: "2025-06-01", ValidTo: "2026-02-28"}, "2025-06-01;2026-02-28;1;0;1"},
		{"ends the day before", RegisterDecision{ValidFrom: "2025-06-01", ValidTo: "2026-02-27"}, "2025-06-01;2026-02-27;0;0;1"},
		{"executed later than valid_from", RegisterDecision{ValidFrom: "2026-01-15", Executions: []ExecEntry{{Kind: ExecExecuted, On: "2026-02-03"}}}, "2026-02-03;;1;1;0"},
		{"executed after the month", RegisterDecision{ValidFrom: "2026-02-15", Executions: []ExecEntry{{Kind: ExecExecuted, On: "2026-03-03"}}}, "2026-03-03;;0;0;0"},
		{"ended after the month", RegisterDecision{ValidFrom: "2026-01-01", Executions: []ExecEntry{{Kind: ExecExecuted, On: "2026-01-01"}, {Kind: ExecEnded, On: "2026-03-02"}}}, "2026-01-01;2026-03-02;1;0;0"},
		{"recorded as ended", RegisterDecision{ValidFrom: "2026-01-01", ValidTo: "2026-06-30", Executions: []ExecEntry{{Kind: ExecExecuted, On: "2026-01-05"}, {Kind: ExecEnded, On: "2026-02-12"}}}, "2026-01-05;2026-02-12;0;0;1"},
		{"a refusal", RegisterDecision{Outcome: OutcomeRefused, ValidFrom: "2026-01-01"}, ";;0;0;0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			d.ID, d.Insats, d.DecidedOn = "d", "stod", "2026-01-02"
			if d.Outcome == "" {
				d.Outcome = OutcomeGranted
			}
			run, err := c.RunRegister("sol", p, "0180", []RegisterCase{{CaseID: "c", Reference: "R", PersonID: "p", Decisions: []RegisterDecision{d}}})
			if err != nil || len(run.Rows) != 1 {
				t.Fatalf("%+v %v", run, err)
			}
			cells := run.Rows[0].Cells
			if got := strings.Join(cells[1:6], ";"); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			inForce := "0"
			if strings.Split(tt.want, ";")[2] == "1" {
				inForce = "stod"
			}
			if cells[6] != inForce {
				t.Errorf("record.insatser_in_force %q, want %q", cells[6], inForce)
			}
		})
	}
}
