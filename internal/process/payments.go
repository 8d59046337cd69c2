package process

import (
	"fmt"
	"slices"

	"cel.dev/cel-go/cel"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/trygg"
)

// Payments says what a final granted (or partly granted) decision of the
// case type pays: its items, each paid once or every month, and who may
// attest the payment lines up to which amount. It is a part of Decisions.
type Payments struct {
	// Form is the case type's form whose signed values the items' amount
	// expressions read as form.<field> (optional: without it they read
	// only decision.* and forms.<form>.<field>).
	Form Str `yaml:"form,omitempty"`
	// Attest lists who may attest payment lines, up to which amount.
	Attest []AttestRule `yaml:"attest"`
	// Items are the payments a decision makes.
	Items []PaymentItem `yaml:"items"`
	// Controls tune the controls made when a payment run is made
	// (optional; see PaymentControls).
	Controls *PaymentControls `yaml:"controls,omitempty"`
}

// PaymentControls tune the controls a payment run makes on its lines
// (docs/payments.md#controls).
type PaymentControls struct {
	// AccountChangedWithin is how near before a line's attest its
	// payee's account may have changed before the run flags it: a period
	// like 30d, 6w or 2m (default DefaultAccountChangedWithin).
	AccountChangedWithin Str `yaml:"account_changed_within,omitempty"`
}

// DefaultAccountChangedWithin is the account-change control's period
// when a case type does not give one.
var DefaultAccountChangedWithin = calendar.Period{N: 30, Unit: 'd'}

// AccountChangedWithin returns the period of the account-change control
// of case type ct (DefaultAccountChangedWithin unless its payments'
// controls give one).
func (c *Compiled) AccountChangedWithin(ct string) calendar.Period {
	if p := c.Payments(ct); p != nil && p.Controls != nil && p.Controls.AccountChangedWithin.Value != "" {
		if per, err := calendar.ParsePeriod(p.Controls.AccountChangedWithin.Value); err == nil {
			return per
		}
	}
	return DefaultAccountChangedWithin
}

// AttestRule lets Roles attest payment lines of up to MaxAmount öre each
// (0: no limit).
type AttestRule struct {
	Roles     []Str `yaml:"roles"`
	MaxAmount int64 `yaml:"max_amount,omitempty"`
}

// PaymentItem is one payment a decision makes: on decisions on Insatser,
// Amount öre (a CEL expression) paid once or every month to a payee of
// the category Payee, booked on Account and CostCentre.
type PaymentItem struct {
	ID         Str   `yaml:"id"`
	Name       Text  `yaml:"name"`
	Insatser   []Str `yaml:"insatser"`
	Schedule   Str   `yaml:"schedule"`
	Amount     Str   `yaml:"amount"`
	Payee      Str   `yaml:"payee"`
	Account    Str   `yaml:"account,omitempty"`
	CostCentre Str   `yaml:"cost_centre,omitempty"`
}

// Payment schedules.
const (
	ScheduleOnce    = "once"
	ScheduleMonthly = "monthly"
)

// Payee categories: who an item is paid to. A person item is paid to the
// decision's person; the others to a payee the officer chooses from the
// register.
const (
	PayeePerson        = "person"
	PayeeLandlord      = "landlord"
	PayeeEnergyCompany = "energy_company"
	PayeeProvider      = "provider"
	PayeeOther         = "other"
)

var payeeCategories = []string{PayeePerson, PayeeLandlord, PayeeEnergyCompany, PayeeProvider, PayeeOther}

// PayeeCategories returns the payee categories an item may name.
func PayeeCategories() []string { return slices.Clone(payeeCategories) }

// decisionVars are the decision's values an amount expression sees.
var decisionVars = []cel.EnvOption{
	cel.Variable("decision.amount", cel.IntType),
	cel.Variable("decision.insats", cel.StringType),
	cel.Variable("decision.outcome", cel.StringType),
	cel.Variable("decision.valid_from", cel.StringType),
	cel.Variable("decision.valid_to", cel.StringType),
}

// paymentEnv returns the environment of the items' amount expressions:
// the bundle's variables, the payments form's fields as form.<field> and
// the decision's values.
func paymentEnv(forms []*Form, own string, tables map[string]*compiledTable) (*cel.Env, error) {
	env, err := newEnv(forms, own, tables)
	if err != nil {
		return nil, err
	}
	return env.Extend(decisionVars...)
}

// payments checks a case type's decisions.payments: an attest rule or
// more with roles, items with ids, Swedish names, insatser of the case
// type, a schedule, a payee category and an amount expression giving a
// whole number of öre.
func (v *validator) payments(ct *CaseType, known map[string]bool) {
	p := ct.Decisions.Payments
	if p == nil {
		return
	}
	pos := ct.Decisions.Insatser.Pos
	own := ""
	if p.Form.Value != "" {
		if v.forms[p.Form.Value] == nil {
			v.add(p.Form.Pos, "check.form.unknown", "Form", p.Form.Value)
		} else {
			own = p.Form.Value
		}
	}
	if len(p.Attest) == 0 {
		v.add(pos, "check.payments.no_attest")
	}
	for _, r := range p.Attest {
		if len(r.Roles) == 0 {
			v.add(pos, "check.payments.attest_no_roles")
		}
		v.roles(r.Roles)
		if r.MaxAmount < 0 {
			v.add(pos, "check.payments.max_amount_negative")
		}
	}
	if len(p.Items) == 0 {
		v.add(pos, "check.payments.no_items")
	}
	if c := p.Controls; c != nil && c.AccountChangedWithin.Value != "" {
		if _, err := calendar.ParsePeriod(c.AccountChangedWithin.Value); err != nil {
			v.add(posOr(c.AccountChangedWithin.Pos, pos), "check.payments.account_changed_within", "Period", c.AccountChangedWithin.Value)
		}
	}
	env, err := paymentEnv(v.b.Forms, own, nil)
	if err != nil {
		env = nil
	}
	seen := map[string]bool{}
	for i := range p.Items {
		it := &p.Items[i]
		if v.id(it.ID, "check.noun.payment_item") && seen[it.ID.Value] {
			v.add(it.ID.Pos, "check.payments.item_twice", "Item", it.ID.Value)
		}
		seen[it.ID.Value] = true
		v.text(it.Name, it.ID.Pos, "check.payments.item_name", "Item", it.ID.Value)
		if len(it.Insatser) == 0 {
			v.add(it.ID.Pos, "check.payments.item_no_insatser", "Item", it.ID.Value)
		}
		for _, in := range it.Insatser {
			if known != nil && !known[in.Value] {
				v.add(in.Pos, "check.decisions.unknown_insats", "Insats", in.Value, "CodeSystem", ct.Decisions.Insatser.Value)
			}
		}
		switch it.Schedule.Value {
		case ScheduleOnce, ScheduleMonthly:
		default:
			v.add(posOr(it.Schedule.Pos, it.ID.Pos), "check.payments.schedule", "Item", it.ID.Value, "Schedule", it.Schedule.Value)
		}
		if !slices.Contains(payeeCategories, it.Payee.Value) {
			v.add(posOr(it.Payee.Pos, it.ID.Pos), "check.payments.payee", "Item", it.ID.Value, "Payee", it.Payee.Value)
		}
		for _, s := range []Str{it.Account, it.CostCentre} {
			if len(s.Value) > 40 {
				v.add(s.Pos, "check.payments.code_long", "Item", it.ID.Value)
			}
		}
		if it.Amount.Value == "" {
			v.add(it.ID.Pos, "check.payments.no_amount", "Item", it.ID.Value)
		} else {
			v.expr(env, it.Amount, cel.IntType)
		}
	}
}

// posOr returns p, or else when p is not set (a key left out).
func posOr(p, otherwise Pos) Pos {
	if p.Line > 0 {
		return p
	}
	return otherwise
}

// compiledPayments holds a case type's payment items with their amount
// programs.
type compiledPayments struct {
	def     *Payments
	amounts map[string]cel.Program // by item id
}

// compilePayments compiles the amount expressions of ct's payments.
func compilePayments(ct *CaseType, forms []*Form, tables map[string]*compiledTable) *compiledPayments {
	if ct.Decisions == nil || ct.Decisions.Payments == nil {
		return nil
	}
	p := ct.Decisions.Payments
	env, err := paymentEnv(forms, p.Form.Value, tables)
	if err != nil {
		panic(fmt.Sprintf("process: payment environment: %v", err))
	}
	cp := &compiledPayments{def: p, amounts: map[string]cel.Program{}}
	for _, it := range p.Items {
		prg, err := compile(env, it.Amount.Value, cel.IntType)
		if err != nil { // Validate compiled the same expression already
			panic(fmt.Sprintf("process: %s: %v", it.Amount.Value, err))
		}
		cp.amounts[it.ID.Value] = prg
	}
	return cp
}

// PaymentDecision is what an amount expression reads of a decision.
type PaymentDecision struct {
	Insats    string
	Outcome   string
	ValidFrom string
	ValidTo   string
	Amount    int64
}

// PaymentDue is one payment an item makes for a decision.
type PaymentDue struct {
	Item       string
	Name       Text
	Schedule   string
	Payee      string
	Account    string
	CostCentre string
	// Amount is in öre, more than 0.
	Amount int64
}

// Payments returns the case type's payments section, or nil.
func (c *Compiled) Payments(ct string) *Payments {
	if cct, ok := c.caseTypes[ct]; ok && cct.payments != nil {
		return cct.payments.def
	}
	return nil
}

// PaymentsDue returns the payments decision d of a case of type ct makes
// when it is made final: one per item of the case type on the decision's
// insats whose amount is more than 0, in the order written (a monthly
// item pays the same amount every month). ctx holds the case's signed forms; form
// is the values of the payments form as the case signed it (its unit's
// variant, if any). A refused decision pays nothing. An amount expression
// that fails is an invalid error naming the item.
func (c *Compiled) PaymentsDue(ct string, d PaymentDecision, ctx Context, form map[string]any) ([]PaymentDue, error) {
	cct, ok := c.caseTypes[ct]
	if !ok || cct.payments == nil || d.Outcome == OutcomeRefused {
		return nil, nil
	}
	p := cct.payments
	vars := c.activation(ctx, "", nil)
	if own := p.def.Form.Value; own != "" {
		if cf, ok := c.forms[own]; ok {
			for _, fd := range cf.fields {
				v, ok := form[fd.def.ID.Value]
				if !ok || v == nil {
					v = zeroValue(fd.def.Type.Value)
				} else {
					v = c.typed(fd.def, v)
				}
				vars["form."+fd.def.ID.Value] = v
			}
		}
	}
	vars["decision.amount"] = d.Amount
	vars["decision.insats"] = d.Insats
	vars["decision.outcome"] = d.Outcome
	vars["decision.valid_from"] = d.ValidFrom
	vars["decision.valid_to"] = d.ValidTo
	var out []PaymentDue
	for _, it := range p.def.Items {
		if !slices.ContainsFunc(it.Insatser, func(s Str) bool { return s.Value == d.Insats }) {
			continue
		}
		val, _, err := p.amounts[it.ID.Value].Eval(vars)
		if err != nil {
			return nil, trygg.Errorf(trygg.EInvalid, "The amount of the payment %q could not be worked out: %v", it.ID.Value, err)
		}
		n, ok := val.Value().(int64)
		if !ok {
			return nil, trygg.Errorf(trygg.EInvalid, "The amount of the payment %q is not a whole number of öre.", it.ID.Value)
		}
		if n <= 0 {
			continue
		}
		out = append(out, PaymentDue{Item: it.ID.Value, Name: it.Name, Schedule: it.Schedule.Value, Payee: it.Payee.Value,
			Account: it.Account.Value, CostCentre: it.CostCentre.Value, Amount: n})
	}
	return out, nil
}

// AttestLimit returns the largest amount in öre one of roles may attest
// on a payment line of a case of type ct (0: no limit), and whether any
// of them may attest at all.
func (c *Compiled) AttestLimit(ct string, roles []trygg.Role) (int64, bool) {
	p := c.Payments(ct)
	if p == nil {
		return 0, false
	}
	var limit int64
	allowed := false
	for _, r := range p.Attest {
		if !roleAllowed(r.Roles, roles) || len(r.Roles) == 0 {
			continue
		}
		if r.MaxAmount == 0 {
			return 0, true
		}
		allowed = true
		limit = max(limit, r.MaxAmount)
	}
	return limit, allowed
}
