package demo

import (
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"
)

//go:embed walks.yaml
var walksYAML []byte

//go:embed riksnorm_demo.yaml
var demoRuleSets string

//go:embed legacy_mapping.yaml
var demoLegacyMapping string

// Walk is how generated cases of one case type have been worked: the steps
// of their history, played through the ordinary services.
type Walk struct {
	CaseType string `yaml:"case_type"`
	// Name, when set, makes the walk one that only the cases naming it
	// (Case.Walk) follow; the case type's unnamed walk is everyone else's.
	Name  string `yaml:"name,omitempty"`
	Steps []Step `yaml:"steps"`
}

// Step is one step of a walk: after a while, fill and sign a form, take a
// transition, decide the case's draft decisions, record that its
// decisions are executed, choose their providers, or, as the providers,
// accept the case's orders, write their plans or report work done.
type Step struct {
	// After is a period from the step before (3d, 2w, 1m) or a range
	// (10d..120d) from which each case gets its own.
	After      string         `yaml:"after,omitempty"`
	Form       string         `yaml:"form,omitempty"`
	Values     map[string]any `yaml:"values,omitempty"`
	Transition string         `yaml:"transition,omitempty"`
	Decide     *Decide        `yaml:"decide,omitempty"`
	Execute    bool           `yaml:"execute,omitempty"`
	// ChooseProvider chooses a provider for each final granted decision
	// that has none: one of those providing its insats in the case's
	// area, the same one for every decision when it can.
	ChooseProvider bool `yaml:"choose_provider,omitempty"`
	// Accept is each provider accepting its sent orders of the case from
	// the step's day (which records the decisions' execution).
	Accept bool `yaml:"accept,omitempty"`
	// Delay is the officer's note on each final granted decision not
	// executed yet: why it is delayed and what was offered.
	Delay  *Delay            `yaml:"delay,omitempty"`
	Plan   *Plan             `yaml:"plan,omitempty"`
	Report map[string]Visits `yaml:"report,omitempty"`
}

// Delay is a note on a decision waiting for execution, for IVO's report.
type Delay struct {
	Reason      string `yaml:"reason"`
	Offers      string `yaml:"offers,omitempty"`
	InterimHelp string `yaml:"interim_help,omitempty"`
}

// Plan is the implementation plan each provider writes for its accepted
// orders of the insatser named: for each of the order's goals the
// activity given for the goal's need.
type Plan struct {
	Insatser      []string                `yaml:"insatser"`
	Participation string                  `yaml:"participation"`
	Activities    map[string]PlanActivity `yaml:"activities"`
}

// PlanActivity is how a goal will be met.
type PlanActivity struct {
	Activity string `yaml:"activity"`
	When     string `yaml:"when"`
	Who      string `yaml:"who"`
	// Visits are the times of day of the planned visits the activity is
	// done at: "08:00", or a range "07:30..10:00" from which each order
	// gets its own quarter hour (the same for every activity of the order
	// with the same range). Days are the visits' weekdays, 1 (Monday) to
	// 7 (Sunday); none for every day.
	Visits []string `yaml:"visits,omitempty"`
	Days   []int    `yaml:"days,omitempty"`
}

// Visits is how an insats is performed, for reporting it: visits a week
// of about so many minutes, with the activities done (ICF codes).
type Visits struct {
	PerWeek    int      `yaml:"per_week"`
	Minutes    int      `yaml:"minutes"`
	Activities []string `yaml:"activities"`
}

// Decide finalises the case's draft decisions (or, with Insats, makes one
// when there is none) as granted from the step's day.
type Decide struct {
	Insats        string           `yaml:"insats,omitempty"`
	LegalBasis    string           `yaml:"legal_basis,omitempty"`
	Amounts       map[string]int64 `yaml:"amounts,omitempty"`
	Justification string           `yaml:"justification"`
	// By is who decides: the case's officer (empty) or "team_lead", the
	// team lead of the case's unit, for insatser the delegation gives
	// only to team leads.
	By string `yaml:"by,omitempty"`
}

// DecideByTeamLead is Decide.By for a decision the team lead makes.
const DecideByTeamLead = "team_lead"

// Walks returns the demo's histories.
func Walks() ([]Walk, error) {
	var out []Walk
	if err := yaml.Unmarshal(walksYAML, &out); err != nil {
		return nil, fmt.Errorf("demo: walks.yaml: %w", err)
	}
	named := map[string]bool{}
	for _, w := range out {
		if named[w.CaseType+"/"+w.Name] {
			return nil, fmt.Errorf("demo: walks.yaml: %s has two walks named %q", w.CaseType, w.Name)
		}
		named[w.CaseType+"/"+w.Name] = true
		for i, s := range w.Steps {
			if s.Decide != nil && s.Decide.By != "" && s.Decide.By != DecideByTeamLead {
				return nil, fmt.Errorf("demo: walks.yaml: %s step %d: decide by %q: only %q or nobody (the case's officer)", w.CaseType, i+1, s.Decide.By, DecideByTeamLead)
			}
			n := 0
			for _, set := range []bool{s.Form != "", s.Transition != "", s.Decide != nil, s.Execute, s.ChooseProvider, s.Accept, s.Delay != nil,
				s.Plan != nil, s.Report != nil} {
				if set {
					n++
				}
			}
			if n != 1 {
				return nil, fmt.Errorf("demo: walks.yaml: %s step %d must do exactly one thing (form, transition, decide, execute, choose_provider, accept, delay, plan or report)", w.CaseType, i+1)
			}
			for insats, v := range s.Report {
				if v.PerWeek < 1 || v.PerWeek > 7 || v.Minutes < 5 || v.Minutes > 480 || len(v.Activities) == 0 {
					return nil, fmt.Errorf("demo: walks.yaml: %s step %d: report of %s needs per_week 1–7, minutes 5–480 and activities", w.CaseType, i+1, insats)
				}
			}
			if s.Plan != nil && (len(s.Plan.Insatser) == 0 || s.Plan.Participation == "") {
				return nil, fmt.Errorf("demo: walks.yaml: %s step %d: a plan names its insatser and the participation", w.CaseType, i+1)
			}
		}
	}
	return out, nil
}

// CityDefinitions are definitions the demo municipality adds to the packs:
// its own rule sets for years the packs leave to the city, and the
// mapping of its old system's codes for importing the synthetic legacy
// export.
func CityDefinitions() []Definition {
	return []Definition{{Name: "demo-city/rule_sets.yaml", Content: demoRuleSets},
		{Name: "demo-city/legacy_mapping.yaml", Content: demoLegacyMapping}}
}
