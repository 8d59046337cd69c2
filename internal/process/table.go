package process

import (
	"errors"
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// KindDecisionTable is a decision table document.
const KindDecisionTable = "decision_table"

// Hit policies.
const (
	HitFirst      = "first"       // the first matching rule, in order
	HitUnique     = "unique"      // exactly one rule may match
	HitCollectSum = "collect_sum" // the sum of the outputs of every match
)

// DecisionTable maps inputs to outputs through rules, with rule sets valid
// for periods, so a yearly amount change is a new rule set and a
// calculation for a past date uses the rules valid then.
type DecisionTable struct {
	Kind      string    `yaml:"kind"`
	ID        Str       `yaml:"id"`
	Name      Text      `yaml:"name"`
	HitPolicy Str       `yaml:"hit_policy"`
	Inputs    []TableIO `yaml:"inputs"`
	Outputs   []TableIO `yaml:"outputs"`
	RuleSets  []RuleSet `yaml:"rule_sets"`
	// Missing is what officers and citizens are told for a date no rule
	// set covers, with {month} for the month ("januari 2027"); without it
	// they are told that the table has no amounts for the month yet.
	Missing Text `yaml:"missing,omitempty"`
}

// TableIO is an input or output column: number, text or yes_no.
type TableIO struct {
	ID   Str `yaml:"id"`
	Type Str `yaml:"type"`
}

// KindRuleSet is a rule set for a decision table defined elsewhere, so a
// city can add a year's amounts in a file of its own without editing the
// table's file (a shipped pack's).
const KindRuleSet = "rule_set"

// TableRuleSet is a rule set document: the table it belongs to and the
// rule set's keys.
type TableRuleSet struct {
	Kind    string `yaml:"kind"`
	Table   Str    `yaml:"table"`
	RuleSet `yaml:",inline"`
}

// RuleSet is the rules valid from ValidFrom to ValidTo (dates, inclusive;
// an empty ValidTo is open-ended).
type RuleSet struct {
	ValidFrom Str    `yaml:"valid_from"`
	ValidTo   Str    `yaml:"valid_to,omitempty"`
	Rules     []Rule `yaml:"rules"`
}

// Rule is a row: a condition per input (a missing input or "-" matches
// anything) and a value per output.
type Rule struct {
	When map[string]Str `yaml:"when"`
	Then map[string]Str `yaml:"then"`
	pos  Pos
}

// UnmarshalYAML reads a rule, remembering its position and refusing keys
// other than when and then.
func (r *Rule) UnmarshalYAML(n *yaml.Node) error {
	r.pos = Pos{Line: n.Line, Column: n.Column}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a rule must be a mapping with when and then", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "when":
			err = v.Decode(&r.When)
		case "then":
			err = v.Decode(&r.Then)
		default:
			return fmt.Errorf("line %d: field %s not found in type process.Rule", k.Line, k.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// cond is a parsed input condition: a numeric interval, a set of texts or a
// boolean.
type cond struct {
	any     bool
	lo, hi  float64
	loOpen  bool
	hiOpen  bool
	texts   []string
	negate  bool // texts lists what does not match
	boolean *bool
}

// parseCond reads a condition for an input of type typ: "-", a value, a
// comparison ("< 7", ">= 4"), a range "[1..3]" (inclusive) or, for text, a
// comma-separated list of values.
func parseCond(typ, src string) (cond, error) {
	s := strings.TrimSpace(src)
	if s == "" || s == "-" {
		return cond{any: true}, nil
	}
	switch typ {
	case "yes_no":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return cond{}, newNote("check.table.not_bool", "Value", src)
		}
		return cond{boolean: &b}, nil
	case "text":
		// "not a, b" matches every text but those: the "anything else" row
		// of a unique table.
		rest, negate := strings.CutPrefix(s, "not ")
		var texts []string
		for _, t := range strings.Split(rest, ",") {
			if t = strings.Trim(strings.TrimSpace(t), `"`); t != "" {
				texts = append(texts, t)
			}
		}
		return cond{texts: texts, negate: negate}, nil
	}
	c := cond{lo: math.Inf(-1), hi: math.Inf(1)}
	num := func(t string) (float64, error) {
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil {
			return 0, newNote("check.table.not_number_condition", "Value", src)
		}
		return f, nil
	}
	var err error
	switch {
	case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") && strings.Contains(s, ".."):
		a, b, _ := strings.Cut(s[1:len(s)-1], "..")
		if c.lo, err = num(a); err == nil {
			c.hi, err = num(b)
		}
		if err == nil && c.lo > c.hi {
			err = newNote("check.table.empty_range", "Value", src)
		}
	case strings.HasPrefix(s, ">="):
		c.lo, err = num(s[2:])
	case strings.HasPrefix(s, "<="):
		c.hi, err = num(s[2:])
	case strings.HasPrefix(s, ">"):
		c.lo, err = num(s[1:])
		c.loOpen = true
	case strings.HasPrefix(s, "<"):
		c.hi, err = num(s[1:])
		c.hiOpen = true
	default:
		c.lo, err = num(s)
		c.hi = c.lo
	}
	return c, err
}

func (c cond) matches(v any) bool {
	if c.any {
		return true
	}
	switch x := v.(type) {
	case bool:
		return c.boolean != nil && *c.boolean == x
	case string:
		return slices.Contains(c.texts, x) != c.negate
	case float64:
		return (x > c.lo || (!c.loOpen && x == c.lo)) && (x < c.hi || (!c.hiOpen && x == c.hi))
	case int64:
		return c.matches(float64(x))
	case int:
		return c.matches(float64(x))
	}
	return false
}

// compiledTable is a table with parsed conditions and outputs.
type compiledTable struct {
	def  *DecisionTable
	sets []compiledSet
}

type compiledSet struct {
	from, to string // YYYY-MM-DD; to "" is open
	rules    []compiledRule
}

type compiledRule struct {
	when []cond // by input index
	then map[string]any
	pos  Pos
}

// compileTable parses a table's conditions and outputs; problems name the
// place in the file.
func compileTable(t *DecisionTable) (*compiledTable, Problems) {
	var probs Problems
	add := func(p Pos, n note) { probs = append(probs, problemAt(p, n)) }
	ct := &compiledTable{def: t}
	inputs := map[string]int{}
	for i, in := range t.Inputs {
		inputs[in.ID.Value] = i
	}
	outputs := map[string]string{}
	for _, o := range t.Outputs {
		outputs[o.ID.Value] = o.Type.Value
	}
	for _, rs := range t.RuleSets {
		cs := compiledSet{from: rs.ValidFrom.Value, to: rs.ValidTo.Value}
		for _, r := range rs.Rules {
			cr := compiledRule{when: make([]cond, len(t.Inputs)), then: map[string]any{}, pos: r.pos}
			for i := range cr.when {
				cr.when[i] = cond{any: true}
			}
			for k, v := range r.When {
				i, ok := inputs[k]
				if !ok {
					add(v.Pos, newNote("check.table.rule_unknown_input", "Input", k))
					continue
				}
				c, err := parseCond(t.Inputs[i].Type.Value, v.Value)
				if err != nil {
					add(v.Pos, noteOf(err))
				}
				cr.when[i] = c
			}
			for _, o := range t.Outputs {
				v, ok := r.Then[o.ID.Value]
				if !ok {
					add(r.pos, newNote("check.table.rule_no_output", "Output", o.ID.Value))
					continue
				}
				val, err := outputValue(o.Type.Value, v.Value)
				if err != nil {
					add(v.Pos, newNote("check.table.rule_bad_output", "Output", o.ID.Value, "Problem", noteOf(err)))
				}
				cr.then[o.ID.Value] = val
			}
			for k, v := range r.Then {
				if _, ok := outputs[k]; !ok {
					add(v.Pos, newNote("check.table.rule_unknown_output", "Output", k))
				}
			}
			cs.rules = append(cs.rules, cr)
		}
		ct.sets = append(ct.sets, cs)
	}
	return ct, probs
}

func outputValue(typ, s string) (any, error) {
	switch typ {
	case "number":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, newNote("check.table.not_number", "Value", s)
		}
		return f, nil
	case "yes_no":
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, newNote("check.table.not_bool", "Value", s)
		}
		return b, nil
	}
	return s, nil
}

// set returns the rule set valid on date (YYYY-MM-DD).
func (ct *compiledTable) set(date string) (*compiledSet, bool) {
	for i := range ct.sets {
		s := &ct.sets[i]
		if s.from <= date && (s.to == "" || date <= s.to) {
			return s, true
		}
	}
	return nil, false
}

// errNoDate is Decide's answer when its date is empty: in a form, a date
// field not filled in yet. A computed field that needs it is left empty,
// without a message, until it is (see EvaluateForm).
var errNoDate = errors.New("no date given yet")

// Decide evaluates table id for date (YYYY-MM-DD) and inputs, by its hit
// policy. For first and unique it returns the matching rule's outputs; for
// collect_sum the sums of the numeric outputs over every match. It returns
// an error when no rule set is valid on the date, when no rule matches
// (first, unique), or when several match a unique table.
func (c *Compiled) Decide(id, date string, inputs map[string]any) (map[string]any, error) {
	ct, ok := c.tables[id]
	if !ok {
		return nil, fmt.Errorf("no decision table %q", id)
	}
	if date == "" {
		return nil, errNoDate
	}
	if _, err := time.Parse("2006-01-02", date); err != nil {
		return nil, fmt.Errorf("decision table %q: the date must be YYYY-MM-DD", id)
	}
	set, ok := ct.set(date)
	if !ok {
		return nil, fmt.Errorf("decision table %q has no rules valid on %s", id, date)
	}
	vals := make([]any, len(ct.def.Inputs))
	for i, in := range ct.def.Inputs {
		v, ok := inputs[in.ID.Value]
		if !ok {
			return nil, fmt.Errorf("decision table %q needs the input %q", id, in.ID.Value)
		}
		vals[i] = v
	}
	var hits []compiledRule
	for _, r := range set.rules {
		if r.matchesAll(vals) {
			hits = append(hits, r)
			if ct.def.HitPolicy.Value == HitFirst {
				break
			}
		}
	}
	switch ct.def.HitPolicy.Value {
	case HitCollectSum:
		out := map[string]any{}
		for _, o := range ct.def.Outputs {
			sum := 0.0
			for _, h := range hits {
				if f, ok := h.then[o.ID.Value].(float64); ok {
					sum += f
				}
			}
			out[o.ID.Value] = sum
		}
		return out, nil
	case HitUnique:
		if len(hits) > 1 {
			return nil, fmt.Errorf("decision table %q: %d rules match, but only one may", id, len(hits))
		}
	}
	if len(hits) == 0 {
		return nil, fmt.Errorf("decision table %q: no rule matches", id)
	}
	out := map[string]any{}
	for k, v := range hits[0].then {
		out[k] = v
	}
	return out, nil
}

func (r compiledRule) matchesAll(vals []any) bool {
	for i, c := range r.when {
		if !c.matches(vals[i]) {
			return false
		}
	}
	return true
}

// checkCoverage finds, for a unique table, rules that overlap and inputs
// no rule covers. Each numeric input's boundaries cut the line into cells;
// one point per cell (and the boundaries) is enough to test every
// combination exactly. Tables with too many combinations are not checked.
func (ct *compiledTable) checkCoverage() Problems {
	var probs Problems
	points := make([][]any, len(ct.def.Inputs))
	for si, set := range ct.sets {
		total := 1
		for i, in := range ct.def.Inputs {
			points[i] = representatives(in.Type.Value, set.rules, i)
			total *= len(points[i])
		}
		if total > 20000 {
			continue
		}
		where := ct.def.RuleSets[si].ValidFrom.Pos
		reported := 0
		combo := make([]any, len(points))
		var walk func(i int)
		walk = func(i int) {
			if reported >= 3 {
				return
			}
			if i == len(points) {
				var hit []int
				for ri, r := range set.rules {
					if r.matchesAll(combo) {
						hit = append(hit, ri+1)
					}
				}
				switch {
				case len(hit) == 0:
					probs = append(probs, problemAt(where, newNote("check.table.gap", "Inputs", describe(ct.def.Inputs, combo))))
					reported++
				case len(hit) > 1:
					probs = append(probs, problemAt(set.rules[hit[1]-1].pos, newNote("check.table.overlap", "Rules", hit, "Inputs", describe(ct.def.Inputs, combo))))
					reported++
				}
				return
			}
			for _, p := range points[i] {
				combo[i] = p
				walk(i + 1)
			}
		}
		walk(0)
	}
	return probs
}

// describe says which value each input has in combo ("size = 3, area =
// city"); said, the parts are joined with ", ".
func describe(inputs []TableIO, combo []any) []note {
	parts := make([]note, len(inputs))
	for i, in := range inputs {
		if s, ok := combo[i].(string); ok && s == otherText {
			parts[i] = newNote("check.table.input_other", "Input", in.ID.Value)
			continue
		}
		parts[i] = newNote("check.table.input_is", "Input", in.ID.Value, "Value", combo[i])
	}
	return parts
}

const otherText = "\x00other"

// representatives returns one value per cell of input i's domain as the
// rules cut it.
func representatives(typ string, rules []compiledRule, i int) []any {
	switch typ {
	case "yes_no":
		return []any{true, false}
	case "text":
		seen := map[string]bool{}
		out := []any{otherText}
		for _, r := range rules {
			for _, t := range r.when[i].texts {
				if !seen[t] {
					seen[t] = true
					out = append(out, t)
				}
			}
		}
		return out
	}
	var bounds []float64
	for _, r := range rules {
		c := r.when[i]
		if c.any {
			continue
		}
		for _, b := range []float64{c.lo, c.hi} {
			if !math.IsInf(b, 0) {
				bounds = append(bounds, b)
			}
		}
	}
	sort.Float64s(bounds)
	if len(bounds) == 0 {
		return []any{0.0}
	}
	out := []any{bounds[0] - 1}
	for j, b := range bounds {
		if j > 0 && b == bounds[j-1] {
			continue
		}
		out = append(out, b)
		if j+1 < len(bounds) && bounds[j+1] != b {
			out = append(out, (b+bounds[j+1])/2)
		}
	}
	return append(out, bounds[len(bounds)-1]+1)
}
