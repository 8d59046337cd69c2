package process

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/trygg"
)

// Decision outcomes.
const (
	OutcomeGranted = "granted"
	OutcomePartly  = "partly"
	OutcomeRefused = "refused"
)

// maxDecisionText is the most characters of a decision's justification
// and of its appeal notice.
const maxDecisionText = 20000

// DecisionDraft is a decision to check against the case type's rules.
type DecisionDraft struct {
	Insats        string
	Outcome       string
	LegalBasis    string
	ValidFrom     string
	ValidTo       string
	Amount        int64
	Justification string
	AppealNotice  string
}

// CheckDecision checks a decision on a case of type ct, field by field;
// final also requires what finalising needs: the appeal notice when the
// decision is not fully granted, and that one of roles has delegation for
// the insats and amount. It returns an invalid or forbidden error saying
// what is missing.
func (c *Compiled) CheckDecision(ct string, d DecisionDraft, roles []trygg.Role, final bool) error {
	cct, ok := c.caseTypes[ct]
	if !ok || cct.def.Decisions == nil {
		return trygg.Errorf(trygg.EConflict, "Cases of this type have no decisions in their process.")
	}
	def := cct.def.Decisions
	fields := map[string]string{}
	if _, ok := c.codes[def.Insatser.Value][d.Insats]; !ok {
		fields["insats"] = "Choose an insats of the case type."
	}
	switch d.Outcome {
	case OutcomeGranted, OutcomePartly, OutcomeRefused:
	default:
		fields["outcome"] = "Must be granted, partly or refused."
	}
	if !slices.ContainsFunc(def.LegalBases, func(s Str) bool { return s.Value == d.LegalBasis }) {
		fields["legal_basis"] = "Choose one of the case type's legal bases."
	}
	from, err := time.Parse("2006-01-02", d.ValidFrom)
	if d.ValidFrom != "" && err != nil {
		fields["valid_from"] = "Must be a date YYYY-MM-DD."
	}
	if d.ValidTo != "" {
		to, err := time.Parse("2006-01-02", d.ValidTo)
		if err != nil || (d.ValidFrom != "" && to.Before(from)) {
			fields["valid_to"] = "Must be a date YYYY-MM-DD, not before valid_from."
		}
	}
	if d.Amount < 0 {
		fields["amount"] = "Cannot be negative."
	}
	if utf8.RuneCountInString(d.Justification) > maxDecisionText {
		fields["justification"] = "At most 20 000 characters."
	}
	if utf8.RuneCountInString(d.AppealNotice) > maxDecisionText {
		fields["appeal_notice"] = "At most 20 000 characters."
	}
	if final {
		if d.Outcome != OutcomeRefused && d.ValidFrom == "" {
			fields["valid_from"] = "A granted decision needs the date it applies from."
		}
		if d.Justification == "" {
			fields["justification"] = "A decision must be justified."
		}
		if (d.Outcome == OutcomePartly || d.Outcome == OutcomeRefused) && d.AppealNotice == "" {
			fields["appeal_notice"] = "A decision that is not fully granted must tell how to appeal."
		}
	}
	if len(fields) > 0 {
		return trygg.Invalid("The decision is not complete.", fields)
	}
	if final && !c.delegated(def, d, roles) {
		return trygg.Errorf(trygg.EForbidden, "You have no delegation to decide this insats at this amount; a colleague with delegation must decide.")
	}
	return nil
}

func (c *Compiled) delegated(def *Decisions, d DecisionDraft, roles []trygg.Role) bool {
	for _, dl := range def.Delegation {
		if !roleAllowed(dl.Roles, roles) {
			continue
		}
		if len(dl.Insatser) > 0 && !slices.ContainsFunc(dl.Insatser, func(s Str) bool { return s.Value == d.Insats }) {
			continue
		}
		if dl.MaxAmount > 0 && d.Amount > dl.MaxAmount {
			continue
		}
		return true
	}
	return false
}

// AppealBy returns the last day to appeal a decision notified on day: the
// case type's appeal period (default three weeks) moved to the next weekday
// if it ends on a day off.
func (c *Compiled) AppealBy(ct string, notified time.Time) (string, error) {
	cct, ok := c.caseTypes[ct]
	if !ok || cct.def.Decisions == nil {
		return "", fmt.Errorf("no decisions in case type %q", ct)
	}
	p := calendar.Period{N: 3, Unit: 'w'}
	if s := cct.def.Decisions.AppealPeriod.Value; s != "" {
		var err error
		if p, err = calendar.ParsePeriod(s); err != nil {
			return "", err
		}
	}
	return calendar.NextWorkday(p.After(calendar.Date(notified))).Format("2006-01-02"), nil
}

// AppealText returns the standard appeal notice of decisions made on
// legalBasis, in lang (Swedish if the text has no other), or "" when the
// case type has none for it.
func (d *Decisions) AppealText(legalBasis, lang string) string {
	if d == nil {
		return ""
	}
	for _, at := range d.AppealTexts {
		if at.LegalBasis.Value == legalBasis {
			return at.Text.In(lang)
		}
	}
	return ""
}
