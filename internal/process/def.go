// Package process is the process engine ("the tool"): case types, forms,
// code systems and their expressions as versioned data. It loads and
// validates definitions (with file, line and column for every problem),
// compiles their CEL expressions against a typed environment, and decides
// transitions. It is pure: no SQL, no HTTP.
package process

import (
	"gopkg.in/yaml.v3"
)

// Pos is a place in a definition file.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// Text is a label or help text in Swedish and English.
type Text struct {
	SV string `yaml:"sv" json:"sv"`
	EN string `yaml:"en" json:"en,omitempty"`
}

// In returns the text in lang, falling back to Swedish.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.SV
}

// Str is a string that remembers where in the file it was written, so a
// problem with it can be pointed at.
type Str struct {
	Value string
	Pos   Pos
}

// UnmarshalYAML reads a scalar and its position.
func (s *Str) UnmarshalYAML(n *yaml.Node) error {
	s.Pos = Pos{Line: n.Line, Column: n.Column}
	return n.Decode(&s.Value)
}

// MarshalYAML writes the plain string.
func (s Str) MarshalYAML() (any, error) { return s.Value, nil }

// Kinds of definition documents.
const (
	KindCodeSystem = "code_system"
	KindForm       = "form"
	KindCaseType   = "case_type"
)

// CodeSystem is a versioned set of codes forms can choose from.
type CodeSystem struct {
	Kind    string `yaml:"kind"`
	ID      Str    `yaml:"id"`
	Version string `yaml:"version"`
	Name    Text   `yaml:"name"`
	Codes   []Code `yaml:"codes"`
}

// Code is one code with its children (hierarchy).
type Code struct {
	Code     Str    `yaml:"code"`
	Label    Text   `yaml:"label"`
	Children []Code `yaml:"children,omitempty"`
}

// Field types.
const (
	FieldText        = "text"
	FieldLongText    = "long_text"
	FieldNumber      = "number"
	FieldMoney       = "money" // SEK as integer öre
	FieldDate        = "date"  // YYYY-MM-DD
	FieldYesNo       = "yes_no"
	FieldChoice      = "choice"
	FieldMultiChoice = "multi_choice"
	FieldPerson      = "person"
	FieldGroup       = "group"      // repeating rows of sub-fields
	FieldAssessment  = "assessment" // rows of code + 0–4 qualifier + text
)

// Form is a form definition: sections of fields.
type Form struct {
	Kind string `yaml:"kind"`
	ID   Str    `yaml:"id"`
	Name Text   `yaml:"name"`
	// Extends names a form this one builds on: its sections and
	// validations come first, this form's are added (a local variant of a
	// shared form).
	Extends     Str          `yaml:"extends,omitempty"`
	Sections    []Section    `yaml:"sections"`
	Validations []Validation `yaml:"validations,omitempty"`
}

// KindBlock is a reusable block of sections.
const KindBlock = "block"

// Block is a set of sections that forms reuse with "- use: <block id>".
type Block struct {
	Kind     string    `yaml:"kind"`
	ID       Str       `yaml:"id"`
	Name     Text      `yaml:"name"`
	Sections []Section `yaml:"sections"`
}

// Section groups fields; it can be hidden by role or condition.
type Section struct {
	// Use puts the sections of a block here instead; a section with use
	// has no other keys.
	Use       Str     `yaml:"use,omitempty"`
	ID        Str     `yaml:"id"`
	Label     Text    `yaml:"label"`
	Help      Text    `yaml:"help,omitempty"`
	Roles     []Str   `yaml:"roles,omitempty"`
	VisibleIf Str     `yaml:"visible_if,omitempty"`
	Fields    []Field `yaml:"fields"`
}

// Field is one input of a form.
type Field struct {
	ID         Str   `yaml:"id"`
	Type       Str   `yaml:"type"`
	Label      Text  `yaml:"label"`
	Help       Text  `yaml:"help,omitempty"`
	Required   bool  `yaml:"required,omitempty"`
	RequiredIf Str   `yaml:"required_if,omitempty"`
	VisibleIf  Str   `yaml:"visible_if,omitempty"`
	Roles      []Str `yaml:"roles,omitempty"`
	CodeSystem Str   `yaml:"code_system,omitempty"`
	// ParentField makes a choice cascade: only children of the code chosen
	// in the named field of the same form are offered.
	ParentField Str      `yaml:"parent_field,omitempty"`
	Min         *float64 `yaml:"min,omitempty"`
	Max         *float64 `yaml:"max,omitempty"`
	MaxLength   int      `yaml:"max_length,omitempty"`
	Compute     Str      `yaml:"compute,omitempty"`
	// Group fields.
	Fields     []Field `yaml:"fields,omitempty"`
	MinRows    int     `yaml:"min_rows,omitempty"`
	MaxRows    int     `yaml:"max_rows,omitempty"`
	RowSummary Str     `yaml:"row_summary,omitempty"`
	// Household makes a group propose its rows from the population
	// registry (see household.go).
	Household *Household `yaml:"household,omitempty"`
}

// Validation is a cross-field rule: Rule must hold, else Message is shown
// at Field.
type Validation struct {
	Rule    Str  `yaml:"rule"`
	Field   Str  `yaml:"field,omitempty"`
	Message Text `yaml:"message"`
}

// CaseType defines how a kind of case runs.
type CaseType struct {
	Kind        string       `yaml:"kind"`
	ID          Str          `yaml:"id"`
	Name        Text         `yaml:"name"`
	Field       Str          `yaml:"field"`
	LegalBasis  []string     `yaml:"legal_basis,omitempty"`
	Units       []Str        `yaml:"units,omitempty"` // empty: every unit of the field
	Start       Str          `yaml:"start"`
	Steps       []Step       `yaml:"steps"`
	Transitions []Transition `yaml:"transitions"`
	Deadlines   []Deadline   `yaml:"deadlines,omitempty"`
	Decisions   *Decisions   `yaml:"decisions,omitempty"`
	Orders      *Orders      `yaml:"orders,omitempty"`
	Variants    []Variant    `yaml:"variants,omitempty"`
	// CitizenApplication lets citizens apply for the case type on Mina
	// sidor (see citizen_application.go).
	CitizenApplication *CitizenApplication `yaml:"citizen_application,omitempty"`
	// Registration says what an officer's registration of a report or
	// application fills in (see registration.go).
	Registration *Registration `yaml:"registration,omitempty"`
	// Reference is the prefix of its cases' references ("EB" gives
	// EB-2026-00417); left out, it is made from the id (see reference.go).
	Reference Str `yaml:"reference,omitempty"`
	// IncomeCheck lets the officer ask the national income check about
	// the case's person (see incomecheck.go).
	IncomeCheck *IncomeCheck `yaml:"income_check,omitempty"`
}

// Orders says what an order to a provider (uppdrag) carries when a
// create_orders action sends the case's granted decisions to their
// providers, and how the provider reports back.
type Orders struct {
	// Form is the form (signed by then) whose needs and goals the order
	// carries: Needs an assessment field (code and qualifier; the
	// assessment's text stays in the investigation), Goals a group field
	// whose rows have GoalNeed (a choice of the needs' code system),
	// GoalText (the goal) and, optionally, GoalFollowUp (a date).
	Form         Str `yaml:"form"`
	Needs        Str `yaml:"needs"`
	Goals        Str `yaml:"goals"`
	GoalNeed     Str `yaml:"goal_need"`
	GoalText     Str `yaml:"goal_text"`
	GoalFollowUp Str `yaml:"goal_follow_up,omitempty"`
	// Activities is the code system performed insatser and plan
	// activities are coded with (usually the needs' own).
	Activities Str `yaml:"activities"`
	// DeviationTaskAfter is how many deviations ("not home", "declined")
	// reported for one order in a calendar month make a task for the
	// case's officer; 0 means never.
	DeviationTaskAfter int `yaml:"deviation_task_after,omitempty"`
	// Devices are the insatser carried out with a device, such as a
	// safety alarm (trygghetslarm): the provider records the device's id
	// on the order, and the alarms an alarm receiving centre posts name
	// it, which finds the order and so the person.
	Devices []Str `yaml:"devices,omitempty"`
}

// Variant lets units (and their sub-units) use their own versions of forms
// of the case type: Forms maps a form of the case type to a form that
// extends it.
type Variant struct {
	Units []Str          `yaml:"units"`
	Forms map[string]Str `yaml:"forms"`
}

// Decisions says what may be decided in cases of the type (beslut), on
// what legal grounds, and who may decide what (delegation).
type Decisions struct {
	// Insatser is the code system of what is applied for and decided.
	Insatser   Str   `yaml:"insatser"`
	LegalBases []Str `yaml:"legal_bases"`
	// AppealPeriod is the time to appeal from notification; default 3w
	// (förvaltningslagen 44 §).
	AppealPeriod Str          `yaml:"appeal_period,omitempty"`
	Delegation   []Delegation `yaml:"delegation"`
	// AmountUnit says what a decision's amount counts, so it is shown
	// right: money (öre, shown in kronor), hours (hundredths of an hour)
	// or count (a plain number, the default).
	AmountUnit Str `yaml:"amount_unit,omitempty"`
	// AmountPeriod is what the amount is counted over, if anything: day,
	// week, month or year ("40 timmar per månad"); see Measure.
	AmountPeriod Str `yaml:"amount_period,omitempty"`
	// AppealTexts are the standard appeal notices, one per legal basis: a
	// decision that is refused or partly granted starts with the text of
	// its legal basis, for the officer to edit.
	AppealTexts []AppealText `yaml:"appeal_texts,omitempty"`
	// Payments says what a granted decision pays (see payments.go).
	Payments *Payments `yaml:"payments,omitempty"`
	// Recovery, if set, lets an amount paid wrongly be recovered, on
	// its legal bases (see recovery.go).
	Recovery *Recovery `yaml:"recovery,omitempty"`
	// ExecutionWarning, if set, gives the officer a task when a granted
	// decision is not executed in time (see execution.go).
	ExecutionWarning *ExecutionWarning `yaml:"execution_warning,omitempty"`
}

// AppealText is the standard appeal notice (överklagandehänvisning) of
// decisions made on LegalBasis.
type AppealText struct {
	LegalBasis Str  `yaml:"legal_basis"`
	Text       Text `yaml:"text"`
}

// Amount units.
const (
	UnitMoney = "money"
	UnitHours = "hours"
	UnitCount = "count"
)

// Delegation lets Roles decide Insatser (empty: all of them) up to
// MaxAmount (0: no limit).
type Delegation struct {
	Roles     []Str `yaml:"roles"`
	Insatser  []Str `yaml:"insatser,omitempty"`
	MaxAmount int64 `yaml:"max_amount,omitempty"`
}

// Deadline is a time limit relative to an event in the case: it starts when
// the case is opened or enters a step, and is met when the case enters one
// of MetBy. Before it ends a warning fires; after, an overdue notice.
type Deadline struct {
	ID   Str  `yaml:"id"`
	Name Text `yaml:"name"`
	// Start is "case_opened" or the id of a step: the deadline starts when
	// the case enters it.
	Start Str `yaml:"start"`
	// From, if set, is the date the period counts from: a date field of
	// a form of the case type (the day a report was received). Until the
	// form is signed with the date, the period counts from Start.
	From *DeadlineFrom `yaml:"from,omitempty"`
	// Period is how long: 14d, 3w or 4m (lag 1930:173).
	Period     Str   `yaml:"period"`
	WarnBefore Str   `yaml:"warn_before,omitempty"`
	MetBy      []Str `yaml:"met_by"`
	// NextWorkday moves a deadline ending on a weekend or holiday to the
	// next weekday.
	NextWorkday bool `yaml:"next_workday,omitempty"`
	// OnWarning and OnOverdue say who is told: assignee (a task for the
	// officer) and team_lead (a notice for the unit's team leads).
	OnWarning []Str `yaml:"on_warning,omitempty"`
	OnOverdue []Str `yaml:"on_overdue,omitempty"`
}

// DeadlineFrom names the date field a deadline counts from: Field of the
// case's signed Form (a form slot of the case type).
type DeadlineFrom struct {
	Form  Str `yaml:"form"`
	Field Str `yaml:"field"`
}

// Deadline start events and recipients.
const (
	StartCaseOpened   = "case_opened"
	RecipientAssignee = "assignee"
	RecipientTeamLead = "team_lead"
)

// Step is a state a case can be in.
type Step struct {
	ID    Str  `yaml:"id"`
	Name  Text `yaml:"name"`
	Final bool `yaml:"final,omitempty"`
	// Forms are the forms worked in this step.
	Forms []Str `yaml:"forms,omitempty"`
	// Citizen says, in plain words for the person the case is about, what
	// happens while the case is in this step; Mina sidor shows it.
	Citizen Text `yaml:"citizen,omitempty"`
}

// Transition moves a case from one of From to To.
type Transition struct {
	ID    Str   `yaml:"id"`
	Name  Text  `yaml:"name"`
	From  []Str `yaml:"from"`
	To    Str   `yaml:"to"`
	Roles []Str `yaml:"roles"`
	// Guard must evaluate to true for the transition to be allowed.
	Guard Str `yaml:"guard,omitempty"`
	// GuardMessage explains a false guard to the officer.
	GuardMessage Text `yaml:"guard_message,omitempty"`
	// Forms must be signed (complete) before the transition.
	Forms   []Str    `yaml:"forms,omitempty"`
	Actions []Action `yaml:"actions,omitempty"`
}

// Action is something a transition does besides moving the case.
type Action struct {
	Type Str `yaml:"type"`
	// Period and Name are for schedule_follow_up: when the follow-up is
	// due after the transition, and what it is called.
	Period Str  `yaml:"period,omitempty"`
	Name   Text `yaml:"name,omitempty"`
	// Message is for notify_citizen: the notice in plain words.
	Message Text `yaml:"message,omitempty"`
	// Form and Field are for create_decisions: the choice or multi_choice
	// field whose chosen insatser get a draft decision each; for
	// extend_deadline: the date field holding the new due date.
	Form  Str `yaml:"form,omitempty"`
	Field Str `yaml:"field,omitempty"`
	// Amount, ValidFrom and Calculation are optional for create_decisions:
	// fields of the same form whose values the drafts start with (a money
	// or number field, a date field, and a text field shown on the
	// decision as its calculation).
	Amount      Str `yaml:"amount,omitempty"`
	ValidFrom   Str `yaml:"valid_from,omitempty"`
	Calculation Str `yaml:"calculation,omitempty"`
	// ValidTo is optional for create_decisions: a date field of the same
	// form, or ValidToMonthEnd, the last day of the month the decision
	// starts in (a decision for one month, like economic assistance).
	ValidTo Str `yaml:"valid_to,omitempty"`
	// Partly is optional for create_decisions: a field of the same form
	// (yes_no, choice, multi_choice or text) that, when it holds
	// anything (yes, a code, some codes, a text), makes the drafts partly
	// granted rather than granted: the costs refused, say.
	Partly Str `yaml:"partly,omitempty"`
	// Deadline is for extend_deadline: the running deadline that gets the
	// new due date.
	Deadline Str `yaml:"deadline,omitempty"`
}

// ValidToMonthEnd, as create_decisions' valid_to, ends a drafted
// decision on the last day of the month of its valid_from.
const ValidToMonthEnd = "month_end"

// Action types.
const (
	ActionCloseCase        = "close_case"
	ActionScheduleFollowUp = "schedule_follow_up"
	ActionNotifyCitizen    = "notify_citizen"
	ActionCreateDecisions  = "create_decisions"
	ActionExtendDeadline   = "extend_deadline"
	// ActionCreateOrders sends every granted decision of the case that
	// has no order yet to the provider chosen for it, as the case type's
	// orders section says.
	ActionCreateOrders = "create_orders"
)
