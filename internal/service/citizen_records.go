package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// My records (registerutdrag, GDPR art. 15): a citizen asks for the
// personal data held about the person they act for (themselves, a child in
// their custody, a person they represent) and gets it as one document.
//
// What is withheld (../shared/domain/FACTS.md, OSL 26 kap.): records an
// officer has marked as secret towards the person (sekretess mot den
// enskilde) are listed as withheld with their kind, date and legal ground,
// never their content; a protected person's address is shown only to the
// person themselves; form fields the process definition keeps from the
// citizen role are listed as withheld. A guardian or representative gets
// what the person would get, with the same withholding. Drafts (notes,
// decisions and forms not yet signed) are working material and not part
// of the extract.

// ExtractReason is the reason written on every access-log row of an
// extract.
const ExtractReason = "registerutdrag"

// accessLogInExtract bounds the access-log rows an extract lists.
const accessLogInExtract = 2000

// Extract is the personal data held about one person, as its reader may
// have it.
type Extract struct {
	ProducedAt time.Time
	// RequestedBy is the citizen who asked; Ground how they may
	// (self, guardian, representative).
	RequestedBy string
	Ground      access.Relation

	Person ExtractPerson
	// Account is the person's citizen account, if any.
	Account   *ExtractAccount
	Relations []ExtractRelation
	Cases     []ExtractCase
	// AccessLog is who has read the person's data, newest first;
	// AccessLogMore says older rows were left out.
	AccessLog     []ExtractAccess
	AccessLogMore bool
	// Withheld lists what is held but not given, with why.
	Withheld []Withheld
}

// ExtractPerson is the person's identity and address.
type ExtractPerson struct {
	Name           string
	IdentityNumber string
	IdentityType   persons.IDType
	BirthDate      string
	Sex            string
	Protection     persons.Protection
	// Address is nil when it is withheld (protected identity, read by
	// someone else).
	Address *persons.Address
}

// ExtractAccount is the person's sign-in account.
type ExtractAccount struct {
	Username string
	Roles    []string
}

// ExtractRelation is someone who acts for the person, or whom the person
// acts for.
type ExtractRelation struct {
	Kind persons.RelationKind
	// ActsFor: the person acts for Other; otherwise Other acts for them.
	ActsFor   bool
	Other     string // a name, or "" for a person with protected identity
	ValidFrom string
	ValidTo   string
}

// ExtractCase is a case with what it holds.
type ExtractCase struct {
	Title string
	// Reference is the case's reference (EB-2026-00417).
	Reference string
	TypeName  string
	UnitName  string
	Status    string
	StepName  string
	OpenedAt  time.Time
	ClosedAt  time.Time
	Officer   string
	Steps     []ExtractStep
	Decisions []ExtractDecision
	Forms     []ExtractForm
	Notes     []ExtractNote
	Orders    []ExtractOrder
}

// ExtractStep is a step the case went through, when.
type ExtractStep struct {
	At     time.Time
	Type   string // case.opened, case.transitioned, case.closed
	Detail string
}

// ExtractDecision is a final decision with its justification.
type ExtractDecision struct {
	Insats        string
	Outcome       string
	LegalBasis    string
	ValidFrom     string
	ValidTo       string
	Amount        int64
	AmountUnit    process.Measure
	Justification string
	Calculation   string
	AppealNotice  string
	AppealBy      string
	DecidedAt     time.Time
	DecidedBy     string
	Executions    []ExtractExecution
}

// ExtractExecution is an execution entry of a decision.
type ExtractExecution struct {
	Kind   string
	On     string
	Reason string
}

// ExtractForm is a signed form's answers.
type ExtractForm struct {
	Name     string
	SignedAt time.Time
	SignedBy string
	Answers  []Answer
}

// Answer is a form field's label and the answer in words; a group's rows
// are lists of answers.
type Answer struct {
	Label string
	Value string
	Rows  [][]Answer
}

// ExtractNote is a signed journal note.
type ExtractNote struct {
	SignedAt   time.Time
	Author     string
	Body       string
	Correction bool
}

// ExtractOrder is an order to a provider with its plan and follow-ups.
type ExtractOrder struct {
	Insats     string
	Provider   string
	Status     string
	ValidFrom  string
	ValidTo    string
	StartDate  string
	Amount     int64
	AmountUnit string
	Needs      []store.OrderNeed
	Goals      []store.OrderGoal
	Plan       *store.Plan
	FollowUps  []store.FollowUp
}

// ExtractAccess is one read of the person's data.
type ExtractAccess struct {
	At     time.Time
	Who    string
	Action string
	Ground string
	Reason string
}

// Withheld is a record held but not given: its kind (address,
// journal_note, form_entry, form_field), date, what it is called (a form's
// or a field's name; never its content) and the ground.
type Withheld struct {
	Kind   string
	Date   time.Time
	What   string
	Case   string
	Ground string
}

// The grounds of withholding that are not an officer's legal ground.
const (
	WithheldProtectedAddress = "protected_identity"
	WithheldFormRoles        = "form_roles"
)

// RecordsExtract produces the extract of the personal data held about the
// person with personID, for a citizen acting for them (self, guardian or
// representative). Every record read is access-logged with the reason
// "registerutdrag", and an event records that an extract was produced, in
// one transaction; if that fails nothing is returned. A person the citizen
// may not act for is not found; staff get a forbidden error.
func (s *Service) RecordsExtract(ctx context.Context, a trygg.Actor, personID, lang string) (Extract, error) {
	p, ground, rels, err := s.actingForRels(ctx, a, personID)
	if err != nil {
		return Extract{}, err
	}
	x := Extract{ProducedAt: s.db.Now(), RequestedBy: a.DisplayName, Ground: ground, Cases: []ExtractCase{}}
	entries := []audit.Entry{entry(a, access.ReadPerson, p.ID, "", ground, ExtractReason)}
	names := map[string]string{}

	// Identity and address.
	x.Person = ExtractPerson{Name: strings.TrimSpace(p.GivenName + " " + p.FamilyName), IdentityNumber: p.Identity.String(),
		IdentityType: p.Identity.Type, BirthDate: p.BirthDate, Sex: p.Sex, Protection: p.Protection}
	if p.Protection != persons.ProtectionNone && ground != access.RelSelf {
		x.Withheld = append(x.Withheld, Withheld{Kind: "address", Ground: WithheldProtectedAddress})
	} else {
		addr := p.Address
		x.Person.Address = &addr
	}
	if u, err := s.db.CitizenUserByPerson(ctx, a.Tenant, p.ID); err == nil {
		acc := &ExtractAccount{Username: u.Username}
		grants, err := s.db.Grants(ctx, a.Tenant, u.ID)
		if err != nil {
			return Extract{}, err
		}
		for _, g := range grants {
			acc.Roles = append(acc.Roles, string(g.Role))
		}
		x.Account = acc
	} else if trygg.ErrorCode(err) != trygg.ENotFound {
		return Extract{}, err
	}

	// Relations, both ways.
	prels, err := s.db.Relations(ctx, a.Tenant, p.ID)
	if err != nil {
		return Extract{}, err
	}
	for _, r := range prels {
		other := r.FromPersonID
		if r.FromPersonID == p.ID {
			other = r.ToPersonID
		}
		op, err := s.db.PersonByID(ctx, a.Tenant, other)
		if err != nil {
			return Extract{}, err
		}
		name := ""
		if op.Protection == persons.ProtectionNone || op.ID == a.PersonID {
			name = strings.TrimSpace(op.GivenName + " " + op.FamilyName)
		}
		x.Relations = append(x.Relations, ExtractRelation{Kind: r.Kind, ActsFor: r.FromPersonID == p.ID, Other: name,
			ValidFrom: r.ValidFrom, ValidTo: r.ValidTo})
	}

	// Cases and what they hold.
	cases, err := s.db.CasesOfPerson(ctx, a.Tenant, p.ID)
	if err != nil {
		return Extract{}, err
	}
	for _, c := range cases {
		cg, err := access.Decide(a, access.ReadCase, access.Subject{Relations: access.CaseRelations(a, c.AssignedTo, c.UnitPath, rels), Protection: p.Protection})
		if err != nil {
			continue
		}
		xc, err := s.extractCase(ctx, a, c, lang, names, &x.Withheld)
		if err != nil {
			return Extract{}, err
		}
		x.Cases = append(x.Cases, xc)
		entries = append(entries, entry(a, access.ReadCase, p.ID, c.ID, cg, ExtractReason))
	}

	// Who has read the person's data (before this extract's own reads).
	log, more, err := s.db.PersonAccessLog(ctx, a.Tenant, p.ID, accessLogInExtract)
	if err != nil {
		return Extract{}, err
	}
	x.AccessLogMore = more
	var ids []string
	for _, e := range log {
		ids = append(ids, e.ActorID)
	}
	if err := s.names(ctx, a.Tenant, ids, names); err != nil {
		return Extract{}, err
	}
	for _, e := range log {
		x.AccessLog = append(x.AccessLog, ExtractAccess{At: e.At, Who: names[e.ActorID], Action: e.Action, Ground: e.Ground, Reason: e.Reason})
	}
	// Names of staff on the records, filled in last.
	for i := range x.Cases {
		xc := &x.Cases[i]
		xc.Officer = names[xc.Officer]
		for j := range xc.Decisions {
			xc.Decisions[j].DecidedBy = names[xc.Decisions[j].DecidedBy]
		}
		for j := range xc.Forms {
			xc.Forms[j].SignedBy = names[xc.Forms[j].SignedBy]
		}
		for j := range xc.Notes {
			xc.Notes[j].Author = names[xc.Notes[j].Author]
		}
	}

	err = s.updateLogged(ctx, entries, func(tx *store.Tx) error {
		e := events.New(a, events.RecordsExtracted, "person", p.ID, map[string]any{"ground": ground, "cases": len(x.Cases),
			"withheld": len(x.Withheld), "access_log_rows": len(x.AccessLog)})
		e.PersonID = p.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return Extract{}, err
	}
	return x, nil
}

// extractCase reads one case for an extract; user ids are left for the
// caller to turn into names (collected in names).
func (s *Service) extractCase(ctx context.Context, a trygg.Actor, c store.Case, lang string, names map[string]string, withheld *[]Withheld) (ExtractCase, error) {
	xc := ExtractCase{Title: c.Title, Reference: c.Reference, TypeName: c.CaseType, Status: c.Status, StepName: c.Step, OpenedAt: c.OpenedAt,
		ClosedAt: c.ClosedAt, Officer: c.AssignedTo}
	var ids []string
	ids = append(ids, c.AssignedTo)
	var comp *process.Compiled
	if c.DefinitionVersion > 0 {
		var err error
		if comp, err = s.compiled(ctx, a.Tenant, c.DefinitionVersion); err != nil {
			return xc, err
		}
		if ct, ok := comp.CaseType(c.CaseType); ok {
			xc.TypeName = ct.Name.In(lang)
		}
		xc.StepName = comp.StepName(c.CaseType, c.Step, lang)
	}
	if u, err := s.db.Unit(ctx, a.Tenant, c.UnitID); err == nil {
		xc.UnitName = u.Name
	} else if trygg.ErrorCode(err) != trygg.ENotFound {
		return xc, err
	}
	// What is withheld is decided for the whole case in one place, with
	// the chains of corrections and later versions.
	secrecy, err := s.db.CaseSecrecy(ctx, a.Tenant, c.ID)
	if err != nil {
		return xc, err
	}

	// Steps and dates, oldest first.
	evs, err := s.db.CaseEvents(ctx, a.Tenant, c.ID, 10000)
	if err != nil {
		return xc, err
	}
	for _, e := range evs {
		if e.Type != events.CaseOpened && e.Type != events.CaseTransitioned && e.Type != events.CaseClosed {
			continue
		}
		st := ExtractStep{At: e.At, Type: e.Type}
		if comp != nil {
			if items := timeline(comp, c.CaseType, []events.Event{e}, lang); len(items) == 1 {
				st.Detail = items[0].Detail
			}
		}
		xc.Steps = append(xc.Steps, st)
	}
	slices.SortStableFunc(xc.Steps, func(x, y ExtractStep) int { return x.At.Compare(y.At) })

	// Final decisions with their execution.
	ds, err := s.db.Decisions(ctx, a.Tenant, c.ID)
	if err != nil {
		return xc, err
	}
	execs, err := s.db.CaseExecutions(ctx, a.Tenant, c.ID)
	if err != nil {
		return xc, err
	}
	unit := process.OrderMeasure("")
	if comp != nil {
		if ct, ok := comp.CaseType(c.CaseType); ok {
			unit = amountUnit(ct)
		}
	}
	for _, d := range ds {
		if d.Status != "final" {
			continue
		}
		xd := ExtractDecision{Insats: d.Insats, Outcome: d.Outcome, LegalBasis: d.LegalBasis, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
			Amount: d.Amount, AmountUnit: unit, Justification: d.Justification, Calculation: d.Calculation, AppealNotice: d.AppealNotice,
			AppealBy: d.AppealBy, DecidedAt: d.DecidedAt, DecidedBy: d.DecidedBy}
		if comp != nil {
			xd.Insats = comp.InsatsLabel(c.CaseType, d.Insats, lang)
		}
		for _, e := range execs {
			if e.DecisionID == d.ID {
				xd.Executions = append(xd.Executions, ExtractExecution{Kind: e.Kind, On: e.On, Reason: e.Reason})
			}
		}
		ids = append(ids, d.DecidedBy)
		xc.Decisions = append(xc.Decisions, xd)
	}

	// Signed forms' answers.
	entries, err := s.db.FormEntries(ctx, a.Tenant, c.ID)
	if err != nil {
		return xc, err
	}
	roles := []trygg.Role{trygg.RoleCitizen}
	for _, fe := range entries {
		if fe.Status != "signed" {
			continue
		}
		name := fe.FormID
		var def *process.Form
		fcomp := comp
		if fe.DefinitionVersion != 0 && fe.DefinitionVersion != c.DefinitionVersion {
			if fcomp, err = s.compiled(ctx, a.Tenant, fe.DefinitionVersion); err != nil {
				return xc, err
			}
		}
		if fcomp != nil {
			if f, ok := fcomp.Form(fe.FormID); ok {
				def, name = f, f.Name.In(lang)
			}
		}
		if m, ok := secrecy.Of(store.SecretForm, fe.ID).Withheld(); ok {
			*withheld = append(*withheld, Withheld{Kind: "form_entry", Date: fe.SignedAt, What: name, Case: c.Title, Ground: m.LegalGround})
			continue
		}
		var values map[string]any
		if err := json.Unmarshal([]byte(fe.Values), &values); err != nil {
			return xc, fmt.Errorf("service: extract: form values: %w", err)
		}
		hidden := map[string]bool{}
		if fcomp != nil {
			for _, id := range fcomp.RoleHiddenFields(fe.FormID, roles) {
				hidden[id] = true
			}
		}
		xf := ExtractForm{Name: name, SignedAt: fe.SignedAt, SignedBy: fe.SignedBy}
		xf.Answers = formAnswers(fcomp, def, values, hidden, lang, func(label string) {
			*withheld = append(*withheld, Withheld{Kind: "form_field", Date: fe.SignedAt, What: name + ": " + label, Case: c.Title,
				Ground: WithheldFormRoles})
		})
		ids = append(ids, fe.SignedBy)
		xc.Forms = append(xc.Forms, xf)
	}

	// Signed journal notes.
	notes, err := s.db.Notes(ctx, a.Tenant, c.ID, "")
	if err != nil {
		return xc, err
	}
	for _, n := range notes {
		if n.Status != "signed" {
			continue
		}
		if m, ok := secrecy.Of(store.SecretNote, n.ID).Withheld(); ok {
			*withheld = append(*withheld, Withheld{Kind: "journal_note", Date: n.SignedAt, Case: c.Title, Ground: m.LegalGround})
			continue
		}
		ids = append(ids, n.Author)
		xc.Notes = append(xc.Notes, ExtractNote{SignedAt: n.SignedAt, Author: n.Author, Body: n.Body, Correction: n.Corrects != ""})
	}

	// Orders to providers, their plans and follow-ups. The order's copy
	// of the person (name, number, address) is not repeated.
	orders, err := s.db.CaseOrders(ctx, a.Tenant, c.ID)
	if err != nil {
		return xc, err
	}
	for _, o := range orders {
		xo := ExtractOrder{Insats: o.Content.InsatsLabel, Status: o.Status, ValidFrom: o.ValidFrom, ValidTo: o.ValidTo,
			StartDate: o.StartDate, Amount: o.Amount, AmountUnit: o.AmountUnit, Needs: o.Content.Needs, Goals: o.Content.Goals}
		if xo.Insats == "" {
			xo.Insats = o.Insats
		}
		if pr, err := s.db.ProviderByID(ctx, a.Tenant, o.ProviderID); err == nil {
			xo.Provider = pr.Name
		} else if trygg.ErrorCode(err) != trygg.ENotFound {
			return xc, err
		}
		plans, err := s.db.Plans(ctx, a.Tenant, o.ID)
		if err != nil {
			return xc, err
		}
		for i := range plans {
			if xo.Plan == nil || plans[i].Version > xo.Plan.Version {
				xo.Plan = &plans[i]
			}
		}
		if xo.FollowUps, err = s.db.FollowUps(ctx, a.Tenant, o.ID); err != nil {
			return xc, err
		}
		xc.Orders = append(xc.Orders, xo)
	}
	for _, id := range ids {
		names[id] = ""
	}
	return xc, s.names(ctx, a.Tenant, ids, names)
}

// formAnswers turns a form's values into labelled answers in words, in
// the form's order; fields hidden from the reader are reported to
// withhold (by label) and left out. Without the definition the raw values
// are listed by field id.
func formAnswers(comp *process.Compiled, def *process.Form, values map[string]any, hidden map[string]bool, lang string, withhold func(label string)) []Answer {
	var out []Answer
	if def == nil {
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = append(out, Answer{Label: k, Value: plainValue(values[k])})
		}
		return out
	}
	for _, sec := range def.Sections {
		for i := range sec.Fields {
			fd := &sec.Fields[i]
			v, ok := values[fd.ID.Value]
			if !ok || v == nil {
				continue
			}
			if hidden[fd.ID.Value] {
				withhold(fd.Label.In(lang))
				continue
			}
			out = append(out, fieldAnswer(comp, fd, v, lang))
		}
	}
	return out
}

// fieldAnswer is one field's answer in words.
func fieldAnswer(comp *process.Compiled, fd *process.Field, v any, lang string) Answer {
	ans := Answer{Label: fd.Label.In(lang)}
	code := func(c string) string {
		if cs := fd.CodeSystem.Value; cs != "" && comp != nil {
			if l := comp.CodeLabel(cs, c, lang); l != "" {
				return l
			}
		}
		return c
	}
	switch fd.Type.Value {
	case process.FieldMoney:
		if n, ok := v.(float64); ok {
			ans.Value = process.FormatMoney(int64(n))
			return ans
		}
	case process.FieldYesNo:
		if b, ok := v.(bool); ok {
			ans.Value = map[bool]string{true: "yes", false: "no"}[b]
			if lang != "en" {
				ans.Value = map[bool]string{true: "ja", false: "nej"}[b]
			}
			return ans
		}
	case process.FieldChoice:
		if s, ok := v.(string); ok {
			ans.Value = code(s)
			return ans
		}
	case process.FieldMultiChoice:
		if l, ok := v.([]any); ok {
			var parts []string
			for _, x := range l {
				if s, ok := x.(string); ok {
					parts = append(parts, code(s))
				}
			}
			ans.Value = strings.Join(parts, ", ")
			return ans
		}
	case process.FieldGroup, process.FieldAssessment:
		if l, ok := v.([]any); ok {
			for _, x := range l {
				row, ok := x.(map[string]any)
				if !ok {
					continue
				}
				var rr []Answer
				if fd.Type.Value == process.FieldGroup {
					for j := range fd.Fields {
						sub := &fd.Fields[j]
						if sv, ok := row[sub.ID.Value]; ok && sv != nil {
							rr = append(rr, fieldAnswer(comp, sub, sv, lang))
						}
					}
				} else {
					c, _ := row["code"].(string)
					rr = append(rr, Answer{Label: map[bool]string{true: "Area", false: "Område"}[lang == "en"], Value: code(c)})
					rr = append(rr, Answer{Label: map[bool]string{true: "Assessment", false: "Bedömning"}[lang == "en"], Value: plainValue(row["qualifier"])})
					if t, _ := row["text"].(string); t != "" {
						rr = append(rr, Answer{Label: map[bool]string{true: "Description", false: "Beskrivning"}[lang == "en"], Value: t})
					}
				}
				ans.Rows = append(ans.Rows, rr)
			}
			return ans
		}
	}
	ans.Value = plainValue(v)
	return ans
}

// plainValue writes a JSON value in words.
func plainValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strings.Replace(strconv.FormatFloat(x, 'f', -1, 64), ".", ",", 1)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// SecrecyInput marks a record as secret towards the person, lifts the
// mark, or releases a later version from the marks earlier in its chain.
type SecrecyInput struct {
	// Kind is store.SecretNote or store.SecretForm.
	Kind     string `json:"kind"`
	RecordID string `json:"record_id"`
	// LegalGround is the provision the secrecy rests on (required to
	// mark; the municipality words it, as legal references change).
	LegalGround string `json:"legal_ground"`
	// Reason is why a later version may be given after all (required to
	// release).
	Reason string `json:"reason,omitempty"`
}

// MarkSecret marks a signed journal note or signed form entry of the case
// as secret towards the person it is about (sekretess mot den enskilde),
// on a legal ground. The mark covers the record's chain: the person's
// extract and Mina sidor withhold it, its corrections and later signings
// of the form (store.CaseSecrecy), listing them as withheld. The actor
// must be able to work on the case; a record that is not a signed note or
// form entry of the case is not found; an already marked one is a
// conflict.
func (s *Service) MarkSecret(ctx context.Context, a trygg.Actor, caseID string, in SecrecyInput) (store.SecrecyMark, error) {
	in.LegalGround = strings.TrimSpace(in.LegalGround)
	fields := map[string]string{}
	if in.Kind != store.SecretNote && in.Kind != store.SecretForm {
		fields["kind"] = "Must be journal_note or form_entry."
	}
	if in.LegalGround == "" || utf8.RuneCountInString(in.LegalGround) > 200 {
		fields["legal_ground"] = "Give the legal ground, at most 200 characters."
	}
	if len(fields) > 0 {
		return store.SecrecyMark{}, trygg.Invalid("The secrecy marking is not valid.", fields)
	}
	c, ground, err := s.workableCase(ctx, a, caseID)
	if err != nil {
		return store.SecrecyMark{}, err
	}
	if err := s.signedRecord(ctx, a.Tenant, c.ID, in.Kind, in.RecordID); err != nil {
		return store.SecrecyMark{}, err
	}
	m := store.SecrecyMark{ID: newID(), CaseID: c.ID, RecordKind: in.Kind, RecordID: in.RecordID, LegalGround: in.LegalGround, MarkedBy: a.UserID}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		if err := tx.InsertSecrecyMark(ctx, a.Tenant, m); err != nil {
			return err
		}
		m.MarkedAt = tx.Now
		e := events.New(a, events.RecordMarkedSecret, in.Kind, in.RecordID, map[string]any{"legal_ground": in.LegalGround})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	return m, err
}

// LiftSecret lifts the secrecy mark on a record of the case. The actor
// must be able to work on the case; a record with no mark is not found.
func (s *Service) LiftSecret(ctx context.Context, a trygg.Actor, caseID string, in SecrecyInput) (store.SecrecyMark, error) {
	c, ground, err := s.workableCase(ctx, a, caseID)
	if err != nil {
		return store.SecrecyMark{}, err
	}
	var m store.SecrecyMark
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		var err error
		if m, err = tx.LiftSecrecyMark(ctx, a.Tenant, c.ID, in.Kind, in.RecordID, a.UserID); err != nil {
			return err
		}
		e := events.New(a, events.RecordSecrecyLifted, in.Kind, in.RecordID, nil)
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	return m, err
}

// maxReleaseReason bounds the reason given for a release.
const maxReleaseReason = 500

// ReleaseSecret releases a later version or correction (a signed note or
// form entry of the case) from the marks in force earlier in its chain,
// so the person gets it: an officer's explicit decision, with the reason,
// recorded as an event. It releases that record only, from the marks in
// force now; the marked records, other versions and marks set later stay
// withheld. The actor must be able to work on the case; a record that is
// not a signed note or form entry of the case is not found; one that no
// mark earlier in its chain withholds (or that is released already) is a
// conflict.
func (s *Service) ReleaseSecret(ctx context.Context, a trygg.Actor, caseID string, in SecrecyInput) ([]store.SecrecyRelease, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	fields := map[string]string{}
	if !slices.Contains(store.SecretKinds, in.Kind) {
		fields["kind"] = "Must be journal_note or form_entry."
	}
	if in.Reason == "" || utf8.RuneCountInString(in.Reason) > maxReleaseReason {
		fields["reason"] = "Give the reason, at most 500 characters."
	}
	if len(fields) > 0 {
		return nil, trygg.Invalid("The release is not valid.", fields)
	}
	c, ground, err := s.workableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	if err := s.signedRecord(ctx, a.Tenant, c.ID, in.Kind, in.RecordID); err != nil {
		return nil, err
	}
	var out []store.SecrecyRelease
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		// Decided on the marks as they stand in this transaction.
		sec, err := tx.CaseSecrecy(ctx, a.Tenant, c.ID)
		if err != nil {
			return err
		}
		inherited := sec.Of(in.Kind, in.RecordID).Inherited
		if len(inherited) == 0 {
			return trygg.Errorf(trygg.EConflict, "Nothing earlier in this record's chain withholds it, so there is nothing to release.")
		}
		var ids []string
		for _, m := range inherited {
			out = append(out, store.SecrecyRelease{ID: newID(), CaseID: c.ID, RecordKind: in.Kind, RecordID: in.RecordID, MarkID: m.ID,
				Reason: in.Reason, ReleasedBy: a.UserID, ReleasedAt: tx.Now})
			ids = append(ids, m.ID)
		}
		if err := tx.InsertSecrecyReleases(ctx, a.Tenant, out); err != nil {
			return err
		}
		e := events.New(a, events.RecordSecrecyReleased, in.Kind, in.RecordID, map[string]any{"reason": in.Reason, "marks": ids})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// signedRecord returns a not-found error unless the record is a signed
// note or form entry of the case.
func (s *Service) signedRecord(ctx context.Context, tenant trygg.TenantID, caseID, kind, id string) error {
	notFound := trygg.Errorf(trygg.ENotFound, "There is no such signed note or form on the case.")
	switch kind {
	case store.SecretNote:
		notes, err := s.db.Notes(ctx, tenant, caseID, "")
		if err != nil {
			return err
		}
		for _, n := range notes {
			if n.ID == id && n.Status == "signed" {
				return nil
			}
		}
	case store.SecretForm:
		entries, err := s.db.FormEntries(ctx, tenant, caseID)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.ID == id && e.Status == "signed" {
				return nil
			}
		}
	}
	return notFound
}

// SecrecyItem is a signed record of a case that may be marked as secret
// towards the person, with how it stands: its own mark, the marks earlier
// in its chain that withhold it, and its releases from such marks.
type SecrecyItem struct {
	Kind     string
	RecordID string
	// Label names the record: a form's name, or a note's first words.
	Label    string
	SignedAt time.Time
	// Correction says the note corrects another.
	Correction bool
	Mark       *store.SecrecyMark
	// Inherited are the marks on records earlier in its chain that
	// withhold it too; they can be released for this record.
	Inherited []SecrecyCause
	// Released are its releases from such marks.
	Released []SecrecyReleased
}

// SecrecyCause is a mark on a record earlier in a chain, with that
// record's label and signing time.
type SecrecyCause struct {
	Mark     store.SecrecyMark
	Label    string
	SignedAt time.Time
}

// SecrecyReleased is a release, with the releasing officer's name and the
// label of the record whose mark it was.
type SecrecyReleased struct {
	store.SecrecyRelease
	By    string
	Label string
}

// SecrecyItems lists the case's signed notes and form entries with how
// each stands towards the person (store.CaseSecrecy), newest first, for
// the case page (whose read is logged once by CaseOverview, so this logs
// nothing). The actor must be able to read the case.
func (s *Service) SecrecyItems(ctx context.Context, a trygg.Actor, caseID, lang string) ([]SecrecyItem, error) {
	c, _, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	sec, err := s.db.CaseSecrecy(ctx, a.Tenant, c.ID)
	if err != nil {
		return nil, err
	}
	var comp *process.Compiled
	if c.DefinitionVersion > 0 {
		if comp, err = s.compiled(ctx, a.Tenant, c.DefinitionVersion); err != nil {
			return nil, err
		}
	}
	out := []SecrecyItem{}
	notes, err := s.db.Notes(ctx, a.Tenant, c.ID, "")
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		if n.Status != "signed" {
			continue
		}
		label := strings.Join(strings.Fields(n.Body), " ")
		if r := []rune(label); len(r) > 60 {
			label = string(r[:60]) + "…"
		}
		out = append(out, SecrecyItem{Kind: store.SecretNote, RecordID: n.ID, Label: label, SignedAt: n.SignedAt, Correction: n.Corrects != ""})
	}
	entries, err := s.db.FormEntries(ctx, a.Tenant, c.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.Status != "signed" {
			continue
		}
		label := e.FormID
		if comp != nil {
			if f, ok := comp.Form(e.FormID); ok {
				label = f.Name.In(lang)
			}
		}
		out = append(out, SecrecyItem{Kind: store.SecretForm, RecordID: e.ID, Label: label, SignedAt: e.SignedAt})
	}
	byRecord := map[[2]string]SecrecyItem{}
	for _, it := range out {
		byRecord[[2]string{it.Kind, it.RecordID}] = it
	}
	cause := func(m store.SecrecyMark) (string, time.Time) {
		it := byRecord[[2]string{m.RecordKind, m.RecordID}]
		return it.Label, it.SignedAt
	}
	names := map[string]string{}
	var ids []string
	for i := range out {
		it := &out[i]
		rs := sec.Of(it.Kind, it.RecordID)
		it.Mark = rs.Own
		for _, m := range rs.Inherited {
			label, at := cause(m)
			it.Inherited = append(it.Inherited, SecrecyCause{Mark: m, Label: label, SignedAt: at})
		}
		for _, r := range rs.Released {
			label, _ := cause(sec.Marks[r.MarkID])
			it.Released = append(it.Released, SecrecyReleased{SecrecyRelease: r, Label: label})
			ids = append(ids, r.ReleasedBy)
		}
	}
	if err := s.names(ctx, a.Tenant, ids, names); err != nil {
		return nil, err
	}
	for i := range out {
		for j := range out[i].Released {
			out[i].Released[j].By = names[out[i].Released[j].ReleasedBy]
		}
	}
	slices.SortStableFunc(out, func(x, y SecrecyItem) int { return y.SignedAt.Compare(x.SignedAt) })
	return out, nil
}
