package process

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/trygg/trygg/internal/trygg"
)

// The guide for process designers, docs/definitions.md, must not drift
// from the engine: its yaml blocks must validate, its example must behave
// as the text says, and every key and value the engine knows must be in it.

const docPath = "../../docs/definitions.md"

// docBlock is a fenced block of the guide: its info string ("yaml" or ""),
// its text, and the line of its first line of text.
type docBlock struct {
	info string
	text string
	line int
}

func docBlocks(t *testing.T) (string, []docBlock) {
	t.Helper()
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []docBlock
	var cur *docBlock
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &docBlock{info: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: i + 2}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("%s: the block at line %d is not closed", docPath, cur.line-1)
	}
	return string(data), blocks
}

// docBundle loads every ```yaml block of the guide as one set of
// definitions. Each block is padded so that problems carry the guide's
// line numbers.
func docBundle(t *testing.T) *Bundle {
	t.Helper()
	_, blocks := docBlocks(t)
	var files []File
	for _, b := range blocks {
		if b.info == "yaml" {
			files = append(files, File{Name: "docs/definitions.md", Data: []byte(strings.Repeat("\n", b.line-1) + b.text)})
		}
	}
	if len(files) == 0 {
		t.Fatalf("%s has no ```yaml blocks", docPath)
	}
	b, probs := Load(files)
	checkProblems(t, probs, nil)
	return b
}

func TestDocumentedDefinitionsValidate(t *testing.T) {
	b := docBundle(t)
	checkProblems(t, Validate(b), nil)
	if len(b.CodeSystems) == 0 || len(b.Forms) == 0 || len(b.CaseTypes) == 0 || len(b.Tables) == 0 {
		t.Errorf("the guide's examples should show every kind: %d code systems, %d forms, %d case types, %d decision tables",
			len(b.CodeSystems), len(b.Forms), len(b.CaseTypes), len(b.Tables))
	}
	if _, probs := Compile(b); len(probs) > 0 {
		t.Fatal(probs)
	}
}

// The complete example does what "What it does" says.
func TestDocumentedExampleBehaves(t *testing.T) {
	c, probs := Compile(docBundle(t))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	officerCtx := Context{PersonAge: 40, CaseType: "grant", Roles: []trygg.Role{trygg.RoleOfficer}, Today: today}
	quote := `"quotes": [{"supplier": "Optikern", "price": 250000}]`
	tests := []struct {
		name      string
		submitted string
		ctx       Context
		errors    map[string]string
		visible   map[string]bool
	}{
		{"furniture needs the piece", `{"purpose": "furniture", "amount": 100, ` + quote + `}`, officerCtx,
			map[string]string{"purpose_detail": "Obligatoriskt."}, map[string]bool{"purpose_detail": true}},
		{"only furniture under furniture", `{"purpose": "furniture", "purpose_detail": "glasses", "amount": 100, ` + quote + `}`, officerCtx,
			map[string]string{"purpose_detail": "Not one of the options for the choice in Ändamål."}, nil},
		{"glasses: no piece of furniture asked for", `{"purpose": "glasses", "amount": 250000, ` + quote + `}`, officerCtx,
			map[string]string{}, map[string]bool{"purpose_detail": false, "income": false, "home_help": false, "adl": true}},
		{"income asked for when there is one", `{"purpose": "glasses", "amount": 250000, "has_income": true, ` + quote + `}`, officerCtx,
			map[string]string{"income": "Obligatoriskt."}, map[string]bool{"income": true}},
		{"glasses over 3 000 kronor", `{"purpose": "glasses", "amount": 350000, ` + quote + `}`, officerCtx,
			map[string]string{"amount": "Glasögon ersätts med högst 3 000 kronor."}, nil},
		{"over 10 000 kronor", `{"purpose": "furniture", "purpose_detail": "bed", "amount": 1000001, ` + quote + `}`, officerCtx,
			map[string]string{"amount": "Bidraget är högst 10 000 kronor."}, nil},
		{"income of 25 000 kronor", `{"purpose": "glasses", "amount": 100, "has_income": true, "income": 2500000, ` + quote + `}`, officerCtx,
			map[string]string{"_form": "Med en inkomst på 25 000 kronor i månaden eller mer beviljas inget bidrag."}, nil},
		{"a severe difficulty needs the officer's note", `{"purpose": "glasses", "amount": 100, ` + quote + `, "adl": [{"code": "d540", "qualifier": 3}]}`, officerCtx,
			map[string]string{"officer_note": "Obligatoriskt."}, nil},
		{"at least one quote", `{"purpose": "glasses", "amount": 100}`, officerCtx,
			map[string]string{"quotes": "At least 1 row."}, nil},
		{"the assessment is not the applicant's", `{"purpose": "glasses", "amount": 100, ` + quote + `}`,
			Context{PersonAge: 40, Roles: []trygg.Role{trygg.RoleCitizen}, Today: today},
			map[string]string{}, map[string]bool{"adl": false, "officer_note": false}},
		{"older applicants are asked about home help", `{"purpose": "glasses", "amount": 100, ` + quote + `}`,
			Context{PersonAge: 70, Roles: []trygg.Role{trygg.RoleOfficer}, Today: today},
			map[string]string{}, map[string]bool{"home_help": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := c.EvaluateForm("grant_application", values(t, tt.submitted), tt.ctx, "sv")
			if err != nil {
				t.Fatal(err)
			}
			if want := inLangAll("sv", tt.errors); !maps.Equal(st.Errors, want) {
				t.Errorf("errors = %v, want %v", st.Errors, want)
			}
			for k, want := range tt.visible {
				if st.Visible[k] != want {
					t.Errorf("visible %s = %v, want %v", k, st.Visible[k], want)
				}
			}
		})
	}

	t.Run("the filled form shown in the guide is complete", func(t *testing.T) {
		doc, blocks := docBlocks(t)
		at := strings.Index(doc, "A filled form sent to trygg might look like this")
		if at < 0 {
			t.Fatal("the guide no longer shows a filled form")
		}
		line := strings.Count(doc[:at], "\n") + 1
		i := slices.IndexFunc(blocks, func(b docBlock) bool { return b.line > line })
		var submitted map[string]any
		if err := json.Unmarshal([]byte(blocks[i].text), &submitted); err != nil {
			t.Fatalf("the filled form at line %d is not JSON: %v", blocks[i].line, err)
		}
		st, err := c.EvaluateForm("grant_application", submitted, officerCtx, "sv")
		if err != nil || !st.Complete {
			t.Errorf("the filled form at line %d: %v %v", blocks[i].line, err, st.Errors)
		}
	})

	t.Run("decide needs the form signed and the team lead above 5 000 kronor", func(t *testing.T) {
		ctx := officerCtx
		ctx.CaseStep = "assessment"
		ctx.Forms = map[string]map[string]any{"grant_application": values(t, `{"purpose": "furniture", "amount": 600000}`)}
		signed := map[string]bool{"grant_application": true}
		if _, err := c.Transition("grant", "decide", ctx, nil, "en"); !strings.Contains(trygg.ErrorMessage(err), "must be signed first") {
			t.Errorf("unsigned: %v", err)
		}
		if _, err := c.Transition("grant", "decide", ctx, signed, "en"); trygg.ErrorMessage(err) != "Amounts over SEK 5,000 are decided by the team lead." {
			t.Errorf("officer above 5 000 kronor: %v", err)
		}
		ctx.Roles = []trygg.Role{trygg.RoleTeamLead}
		if _, err := c.Transition("grant", "decide", ctx, signed, "en"); err != nil {
			t.Errorf("team lead: %v", err)
		}
	})

	t.Run("the decision table's rule sets by date", func(t *testing.T) {
		for _, tt := range []struct {
			date string
			in   map[string]any
			want float64
		}{
			{"2026-06-01", map[string]any{"household": 2.0, "children": true}, 500000},
			{"2026-06-01", map[string]any{"household": 4.0, "children": false}, 800000},
			{"2027-03-15", map[string]any{"household": 2.0, "children": true}, 650000},
			{"2027-03-15", map[string]any{"household": 1.0, "children": false}, 550000},
		} {
			out, err := c.Decide("furniture_ceiling", tt.date, tt.in)
			if err != nil || out["ceiling"] != tt.want {
				t.Errorf("Decide(%s, %v) = %v, %v; want %v", tt.date, tt.in, out, err, tt.want)
			}
		}
		st, err := c.EvaluateForm("furniture_check", map[string]any{"size": 2.0, "children": true}, officerCtx, "sv")
		if err != nil || st.Values["ceiling"] != int64(650000) {
			t.Errorf("computed ceiling = %#v, %v, %v", st.Values["ceiling"], err, st.Errors)
		}
	})
}

// Every key the definition types accept, and every value the checker
// knows, is named in the guide (as `key`).
func TestDocumentedKeys(t *testing.T) {
	doc, _ := docBlocks(t)
	want := map[string]bool{"when": true, "then": true} // Rule reads these itself
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Map {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || seen[rt] {
			return
		}
		seen[rt] = true
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
				want[name] = true
			}
			walk(f.Type)
		}
	}
	for _, v := range []any{CodeSystem{}, Form{}, Block{}, CaseType{}, DecisionTable{}, Report{}, TableRuleSet{}, LegacyMapping{}} {
		walk(reflect.TypeOf(v))
	}
	for _, vs := range [][]string{
		{KindCodeSystem, KindForm, KindCaseType, KindDecisionTable, KindBlock, KindReport, KindRuleSet},
		{SourceDecisions, PeriodMonth, PeriodQuarter, PeriodYear},
		{UnitMoney, UnitHours, UnitCount},
		{PerDay, PerWeek, PerMonth, PerYear},
		{ScheduleOnce, ScheduleMonthly}, payeeCategories,
		slices.Collect(maps.Keys(fieldTypes)), slices.Collect(maps.Keys(actionTypes)),
		slices.Collect(maps.Keys(fields)), slices.Collect(maps.Keys(ioTypes)),
		{HitFirst, HitUnique, HitCollectSum, StartCaseOpened, RecipientAssignee, RecipientTeamLead},
		{KindLegacyMapping}, legacyOutcomes, legacyAmountUnits, Deviations,
	} {
		for _, v := range vs {
			want[v] = true
		}
	}
	for _, r := range trygg.Roles {
		want[string(r)] = true
	}
	var missing []string
	for k := range want {
		if !strings.Contains(doc, "`"+k+"`") {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("%s does not describe %v: document them for process designers", docPath, missing)
	}
	// Every key a report's expressions can read is in the guide.
	act := (&Compiled{}).reportActivation(sampleRecord, ReportPeriod{}, "", "sv")
	for name, v := range act {
		for key := range v.(map[string]any) {
			if !strings.Contains(doc, "`"+name+"."+key+"`") {
				t.Errorf("%s does not describe the report key %s.%s", docPath, name, key)
			}
		}
	}
	// And the guide's expression variables are the engine's.
	env, err := newEnv(nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"person.age", "person.sex", "case.type", "case.step", "case.days_open", "case.decisions", "actor.roles", "today"} {
		if _, iss := env.Compile(v); iss.Err() != nil {
			t.Errorf("the guide lists %s, which expressions cannot see", v)
		}
		if !bytes.Contains([]byte(doc), []byte("`"+v+"`")) {
			t.Errorf("%s does not describe the expression variable %s", docPath, v)
		}
	}
}
