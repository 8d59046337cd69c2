package process

import (
	"slices"
	"strconv"
	"time"
)

// KindRetention is a retention definition document: the municipality's
// archive decisions (dokumenthanteringsplan) for personal records, as data.
const KindRetention = "retention"

// Retention is one municipality's retention rules: per record kind and
// case type what the law says (Basis), when the period starts, how long
// it is, and what happens when it ends (purge, or keep for good); the
// research sample (who is delivered to the archive instead of destroyed);
// the deadline's warning; and how long the access log is kept. Nothing
// in the engine knows a case type by name: the rules say it.
type Retention struct {
	Kind string `yaml:"kind"`
	ID   Str    `yaml:"id"`
	Name Text   `yaml:"name"`
	// Decision is the board's archive decision the rules come from, for
	// people ("Socialnämnden 2026-01-15 § 12").
	Decision Str `yaml:"decision,omitempty"`
	// Rules are tried in order; a case follows the first that matches it,
	// so the exceptions come first.
	Rules     []RetentionRule       `yaml:"rules"`
	Sample    RetentionSample       `yaml:"sample"`
	Deadline  RetentionDeadline     `yaml:"deadline"`
	AccessLog RetentionAccessLogDef `yaml:"access_log"`
}

// RetentionRule is one rule of a Retention.
type RetentionRule struct {
	ID   Str  `yaml:"id"`
	Name Text `yaml:"name"`
	// Basis is the paragraph the rule comes from ("SoL (2025:400) 16 kap. 4 §").
	Basis Str `yaml:"basis"`
	// Record is the kind of record: personakt, register or agreement.
	Record Str `yaml:"record"`
	// CaseTypes the rule covers; none: every case type.
	CaseTypes []Str `yaml:"case_types,omitempty"`
	// Insatser: the rule covers only cases with a decision on one of
	// these insatser (a placement in a family home or HVB).
	Insatser []Str `yaml:"insatser,omitempty"`
	// Action is purge (when the period has run) or keep (never purged
	// under the general rule).
	Action Str `yaml:"action"`
	// Starts is what starts the period: last_entry (the last entry in
	// the person's personakt), closed (the end of the circumstances: the
	// case was closed) or eighteenth_birthday (the person turns 18).
	Starts Str `yaml:"starts,omitempty"`
	// Years is the period, in whole years (0: the day it starts).
	Years Str `yaml:"years,omitempty"`
}

// RetentionSample is the research sample: records of persons born on
// Days of a month are delivered to the archive instead of destroyed; All
// delivers everyone's (a municipality of the representative set).
type RetentionSample struct {
	Basis Str   `yaml:"basis"`
	Days  []Str `yaml:"days"`
	All   bool  `yaml:"all,omitempty"`
}

// RetentionDeadline: the purge must be done by the end of the calendar
// year after the duty arose; the archivist is warned WarnMonths before.
type RetentionDeadline struct {
	Basis      Str `yaml:"basis"`
	WarnMonths Str `yaml:"warn_months"`
}

// RetentionAccessLogDef is how long access-log rows are kept.
type RetentionAccessLogDef struct {
	Basis Str `yaml:"basis"`
	Years Str `yaml:"years"`
}

// The values a retention rule takes.
const (
	RetentionPurge   = "purge"
	RetentionKeep    = "keep"
	RetentionArchive = "archive" // a purge turned into a delivery by the sample

	StartsLastEntry  = "last_entry"
	StartsClosed     = "closed"
	StartsEighteenth = "eighteenth_birthday"
)

var (
	retentionRecords = []string{"personakt", "register", "agreement"}
	retentionActions = []string{RetentionPurge, RetentionKeep}
	retentionStarts  = []string{StartsLastEntry, StartsClosed, StartsEighteenth}
)

// Retention returns the bundle's retention rules, or nil when it has none.
func (c *Compiled) Retention() *Retention {
	if len(c.Bundle.Retentions) == 0 {
		return nil
	}
	return c.Bundle.Retentions[0]
}

func (v *validator) retention(r *Retention, caseTypes map[string]bool, insatser map[string]bool) {
	if !v.id(r.ID, "check.noun.retention") {
		return
	}
	v.text(r.Name, r.ID.Pos, "check.text.retention_name")
	if len(r.Rules) == 0 {
		v.add(r.ID.Pos, "check.retention.no_rules")
	}
	ids := map[string]bool{}
	for _, rule := range r.Rules {
		if !v.id(rule.ID, "check.noun.retention_rule") {
			continue
		}
		if ids[rule.ID.Value] {
			v.add(rule.ID.Pos, "check.retention.rule_twice", "Rule", rule.ID.Value)
		}
		ids[rule.ID.Value] = true
		v.text(rule.Name, rule.ID.Pos, "check.text.retention_rule_name", "Rule", rule.ID.Value)
		if rule.Basis.Value == "" {
			v.add(rule.ID.Pos, "check.retention.no_basis", "Rule", rule.ID.Value)
		}
		if !slices.Contains(retentionRecords, rule.Record.Value) {
			v.add(posOr(rule.Record.Pos, rule.ID.Pos), "check.retention.record", "Value", rule.Record.Value)
		}
		for _, ct := range rule.CaseTypes {
			if !caseTypes[ct.Value] {
				v.add(ct.Pos, "check.case_type.unknown", "CaseType", ct.Value)
			}
		}
		for _, in := range rule.Insatser {
			if !insatser[in.Value] {
				v.add(in.Pos, "check.retention.insats", "Insats", in.Value)
			}
		}
		switch {
		case !slices.Contains(retentionActions, rule.Action.Value):
			v.add(posOr(rule.Action.Pos, rule.ID.Pos), "check.retention.action", "Value", rule.Action.Value)
		case rule.Action.Value == RetentionPurge:
			if !slices.Contains(retentionStarts, rule.Starts.Value) {
				v.add(posOr(rule.Starts.Pos, rule.ID.Pos), "check.retention.starts", "Value", rule.Starts.Value)
			}
			if n, err := strconv.Atoi(rule.Years.Value); err != nil || n < 0 || n > 200 {
				v.add(posOr(rule.Years.Pos, rule.ID.Pos), "check.retention.years", "Value", rule.Years.Value)
			}
		case rule.Starts.Value != "" || rule.Years.Value != "":
			v.add(posOr(rule.Starts.Pos, rule.Years.Pos), "check.retention.keep_period", "Rule", rule.ID.Value)
		}
	}
	if r.Sample.Basis.Value == "" {
		v.add(r.ID.Pos, "check.retention.sample_basis")
	}
	for _, d := range r.Sample.Days {
		if n, err := strconv.Atoi(d.Value); err != nil || n < 1 || n > 31 {
			v.add(d.Pos, "check.retention.sample_day", "Value", d.Value)
		}
	}
	if n, err := strconv.Atoi(r.Deadline.WarnMonths.Value); err != nil || n < 0 || n > 23 {
		v.add(posOr(r.Deadline.WarnMonths.Pos, r.ID.Pos), "check.retention.warn_months", "Value", r.Deadline.WarnMonths.Value)
	}
	if n, err := strconv.Atoi(r.AccessLog.Years.Value); err != nil || n < 1 || n > 100 {
		v.add(posOr(r.AccessLog.Years.Pos, r.ID.Pos), "check.retention.access_log_years", "Value", r.AccessLog.Years.Value)
	}
}

// RetentionCase is what the rules need to know of one case.
type RetentionCase struct {
	ID       string
	CaseType string
	// Closed is the day the case was closed ("" while open), LastEntry the
	// day of its last entry (its newest event).
	Closed    string
	LastEntry string
	Insatser  []string
	// OpenDebt: a recovery debt (återkrav) on the case is not repaid.
	OpenDebt bool
}

// RetentionPerson is a person and all their cases.
type RetentionPerson struct {
	ID string
	// BirthDate is YYYY-MM-DD, "" when unknown (never in the sample).
	BirthDate string
	Cases     []RetentionCase
}

// RetentionOutcome is what the rules decide for one case that is due:
// purge it, deliver it to the archive (Action archive), or keep it under
// an exception (Action keep, listed so the archivist sees it).
type RetentionOutcome struct {
	PersonID string `json:"person_id"`
	CaseID   string `json:"case_id"`
	Action   string `json:"action"`
	Rule     string `json:"rule"`
	// DutyFrom is the day the duty to purge arose, Deadline the last day
	// of the calendar year after it ("" for keep).
	DutyFrom string `json:"duty_from,omitempty"`
	Deadline string `json:"deadline,omitempty"`
	// Reason says why a case due under a purge rule is kept instead
	// (RetentionReasonOpenDebt); "" otherwise.
	Reason string `json:"reason,omitempty"`
}

// RetentionReasonOpenDebt keeps a case due for purging while a recovery
// debt on it (or, under last_entry, on another case of the same
// personakt) is not repaid: the claim still needs its records.
const RetentionReasonOpenDebt = "open_debt"

// Decide returns the outcomes for person's closed cases as of the day
// asOf (YYYY-MM-DD): a case is purged (or archived, in the sample) once
// its rule's period has run out by asOf; a case under a keep rule is
// listed as kept; open cases, cases no rule covers and cases not yet due
// are left out. Under last_entry the period runs from the last entry of
// any of the person's cases that rule covers, and nothing is due while
// one of them is still open, so a personakt goes as a whole. A case due
// that has an unpaid recovery debt (under last_entry: any case of the
// personakt) is listed as kept with Reason RetentionReasonOpenDebt.
func (r *Retention) Decide(p RetentionPerson, asOf string) []RetentionOutcome {
	rules := make([]*RetentionRule, len(p.Cases))
	personLast, anyOpen, anyDebt := map[string]string{}, map[string]bool{}, map[string]bool{}
	for i, c := range p.Cases {
		rules[i] = r.ruleFor(c)
		if rules[i] == nil || rules[i].Action.Value != RetentionPurge || rules[i].Starts.Value != StartsLastEntry {
			continue
		}
		id := rules[i].ID.Value
		if c.Closed == "" {
			anyOpen[id] = true
		}
		if c.OpenDebt {
			anyDebt[id] = true
		}
		personLast[id] = max(personLast[id], c.LastEntry)
	}
	sampled := r.Sample.All
	if len(p.BirthDate) == 10 {
		day := p.BirthDate[8:]
		sampled = sampled || slices.ContainsFunc(r.Sample.Days, func(d Str) bool {
			n, _ := strconv.Atoi(d.Value)
			return strconv.Itoa(n) == day || "0"+strconv.Itoa(n) == day
		})
	}
	var out []RetentionOutcome
	for i, c := range p.Cases {
		rule := rules[i]
		if rule == nil || c.Closed == "" {
			continue
		}
		o := RetentionOutcome{PersonID: p.ID, CaseID: c.ID, Rule: rule.ID.Value}
		if rule.Action.Value == RetentionKeep {
			o.Action = RetentionKeep
			out = append(out, o)
			continue
		}
		var start string
		switch rule.Starts.Value {
		case StartsLastEntry:
			if anyOpen[rule.ID.Value] {
				continue
			}
			start = personLast[rule.ID.Value]
		case StartsClosed:
			start = c.Closed
		case StartsEighteenth:
			if len(p.BirthDate) != 10 {
				continue
			}
			start = addYears(p.BirthDate, 18)
			start = max(start, c.Closed)
		}
		years, _ := strconv.Atoi(rule.Years.Value)
		due := addYears(start, years)
		if due == "" || due > asOf {
			continue
		}
		o.Action = RetentionPurge
		if sampled {
			o.Action = RetentionArchive
		}
		if c.OpenDebt || (rule.Starts.Value == StartsLastEntry && anyDebt[rule.ID.Value]) {
			o.Action, o.Reason = RetentionKeep, RetentionReasonOpenDebt
			out = append(out, o)
			continue
		}
		o.DutyFrom = due
		y, _ := strconv.Atoi(due[:4])
		o.Deadline = strconv.Itoa(y+1) + "-12-31"
		out = append(out, o)
	}
	return out
}

// ruleFor returns the first rule that covers c, or nil.
func (r *Retention) ruleFor(c RetentionCase) *RetentionRule {
	for i := range r.Rules {
		rule := &r.Rules[i]
		if len(rule.CaseTypes) > 0 && !slices.ContainsFunc(rule.CaseTypes, func(s Str) bool { return s.Value == c.CaseType }) {
			continue
		}
		if len(rule.Insatser) > 0 && !slices.ContainsFunc(rule.Insatser, func(s Str) bool { return slices.Contains(c.Insatser, s.Value) }) {
			continue
		}
		return rule
	}
	return nil
}

// WarnFrom returns the day from which the archivist is warned of a duty
// whose deadline is deadline (YYYY-MM-DD).
func (r *Retention) WarnFrom(deadline string) string {
	n, _ := strconv.Atoi(r.Deadline.WarnMonths.Value)
	d, err := time.Parse(time.DateOnly, deadline)
	if err != nil {
		return ""
	}
	w := d.AddDate(0, -n, 0)
	if w.Day() != d.Day() { // no such day in that month: its last
		w = w.AddDate(0, 0, -w.Day())
	}
	return w.Format(time.DateOnly)
}

// AccessLogYears is how many years access-log rows are kept (5 when the
// rules say nothing usable).
func (r *Retention) AccessLogYears() int {
	if r == nil {
		return 5
	}
	n, err := strconv.Atoi(r.AccessLog.Years.Value)
	if err != nil || n < 1 {
		return 5
	}
	return n
}

// addYears adds n years to the day d (YYYY-MM-DD); 29 February goes to
// 28 February in a year without it, as lag (1930:173) counts. It
// returns "" for a day it cannot read.
func addYears(d string, n int) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return ""
	}
	y := t.AddDate(n, 0, 0)
	if y.Day() != t.Day() {
		y = y.AddDate(0, 0, -y.Day())
	}
	return y.Format(time.DateOnly)
}

// retentions checks the bundle's retention rules: at most one document.
func (v *validator) retentions(b *Bundle, caseTypes map[string]bool) {
	insatser := map[string]bool{}
	var add func(cs []Code)
	add = func(cs []Code) {
		for _, c := range cs {
			insatser[c.Code.Value] = true
			add(c.Children)
		}
	}
	for _, ct := range b.CaseTypes {
		for _, cs := range b.CodeSystems {
			if ct.Decisions != nil && cs.ID.Value == ct.Decisions.Insatser.Value {
				add(cs.Codes)
			}
		}
	}
	for i, r := range b.Retentions {
		if i > 0 {
			v.add(r.ID.Pos, "check.retention.twice")
			continue
		}
		v.retention(r, caseTypes, insatser)
	}
}
