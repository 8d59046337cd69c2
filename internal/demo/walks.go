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

// Walk is how generated cases of one case type have been worked: the steps
// of their history, played through the ordinary services.
type Walk struct {
	CaseType string `yaml:"case_type"`
	Steps    []Step `yaml:"steps"`
}

// Step is one step of a walk: after a while, fill and sign a form, take a
// transition, decide the case's draft decisions, or record that its
// decisions are executed.
type Step struct {
	// After is a period from the step before (3d, 2w, 1m) or a range
	// (10d..120d) from which each case gets its own.
	After      string         `yaml:"after,omitempty"`
	Form       string         `yaml:"form,omitempty"`
	Values     map[string]any `yaml:"values,omitempty"`
	Transition string         `yaml:"transition,omitempty"`
	Decide     *Decide        `yaml:"decide,omitempty"`
	Execute    bool           `yaml:"execute,omitempty"`
}

// Decide finalises the case's draft decisions (or, with Insats, makes one
// when there is none) as granted from the step's day.
type Decide struct {
	Insats        string           `yaml:"insats,omitempty"`
	LegalBasis    string           `yaml:"legal_basis,omitempty"`
	Amounts       map[string]int64 `yaml:"amounts,omitempty"`
	Justification string           `yaml:"justification"`
}

// Walks returns the demo's histories.
func Walks() ([]Walk, error) {
	var out []Walk
	if err := yaml.Unmarshal(walksYAML, &out); err != nil {
		return nil, fmt.Errorf("demo: walks.yaml: %w", err)
	}
	for _, w := range out {
		for i, s := range w.Steps {
			n := 0
			for _, set := range []bool{s.Form != "", s.Transition != "", s.Decide != nil, s.Execute} {
				if set {
					n++
				}
			}
			if n != 1 {
				return nil, fmt.Errorf("demo: walks.yaml: %s step %d must do exactly one thing (form, transition, decide or execute)", w.CaseType, i+1)
			}
		}
	}
	return out, nil
}

// CityDefinitions are definitions the demo municipality adds to the packs:
// its own rule sets for years the packs leave to the city.
func CityDefinitions() []Definition {
	return []Definition{{Name: "demo-city/rule_sets.yaml", Content: demoRuleSets}}
}
