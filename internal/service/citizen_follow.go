package service

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Following a case on Mina sidor: where the case of the person the
// citizen acts for stands, in plain words (the step, what happens now and
// next, who handles it, the dates to expect), its final decisions with
// their justification and appeal instructions, and the implementation
// plans of its orders, whose goals the citizen may comment on. Only that:
// never journal notes, forms (drafted or signed) or the investigation.

// CaseFollow is a case as the person it is about (or whoever acts for
// them) follows it.
type CaseFollow struct {
	CaseID       string `json:"case_id"`
	Title        string `json:"title"`
	CaseTypeName string `json:"case_type_name"`
	Status       string `json:"status"` // open or closed
	OpenedAt     string `json:"opened_at"`
	// Reference is what the person quotes about the case (EB-2026-00417).
	Reference string `json:"reference"`
	// Applied says the case began with an application sent from Mina
	// sidor, whose receipt can be read again.
	Applied bool `json:"applied,omitempty"`
	// Decided says the case's news is its decisions, made on DecidedOn
	// (see CitizenStatus): the status the person sees before the step.
	Decided   bool   `json:"decided,omitempty"`
	DecidedOn string `json:"decided_on,omitempty"`
	// Step is where the case is, StepText what happens there (the step's
	// citizen text), Next the names of the steps it can go to from here.
	Step     string   `json:"step"`
	StepText string   `json:"step_text,omitempty"`
	Next     []string `json:"next"`
	// Officer is the display name of the assigned officer ("" when no one
	// has the case yet), Unit the name of the case's unit.
	Officer string `json:"officer,omitempty"`
	Unit    string `json:"unit"`
	// Expected are the dates of the running deadlines and follow-ups,
	// soonest first.
	Expected []ExpectedDate `json:"expected"`
	// Decisions are the case's final decisions, oldest first.
	Decisions  []FollowDecision `json:"decisions"`
	AmountUnit process.Measure  `json:"amount_unit"`
	// Orders are the implementation plans of the case's orders to
	// providers, goal by goal, with the citizens' comments.
	Orders []FollowOrder `json:"orders"`
	// Unread counts the officers' messages the reader has not read.
	Unread int `json:"unread"`
	// Relation is how the reader acts for the person.
	Relation access.Relation `json:"relation"`
}

// ExpectedDate is a date the person can expect something by: What (a
// step's name, e.g. "Beslut", or a follow-up's name) by Date.
type ExpectedDate struct {
	What     string `json:"what"`
	Date     string `json:"date"`
	FollowUp bool   `json:"follow_up,omitempty"`
}

// FollowDecision is a final decision with the name of its insats.
type FollowDecision struct {
	store.Decision
	InsatsName string `json:"insats_name"`
}

// FollowOrder is an order's implementation plan as the person sees it.
type FollowOrder struct {
	OrderID    string `json:"order_id"`
	InsatsName string `json:"insats_name"`
	Provider   string `json:"provider"`
	Status     string `json:"status"`
	StartDate  string `json:"start_date,omitempty"`
	// PlanWritten is when the newest plan was written (zero: no plan yet).
	PlanVersion int          `json:"plan_version,omitempty"`
	PlanWritten string       `json:"plan_written,omitempty"`
	Goals       []FollowGoal `json:"goals"`
	// Commentable says the goals take comments (the order is active).
	Commentable bool `json:"commentable"`
}

// FollowGoal is a goal of an order with the plan's activities for it and
// the comments on it.
type FollowGoal struct {
	Index      int              `json:"index"`
	Need       string           `json:"need"`
	Goal       string           `json:"goal"`
	FollowUpBy string           `json:"follow_up_by,omitempty"`
	Activities []store.PlanItem `json:"activities"`
	Comments   []CommentView    `json:"comments"`
}

// CommentView is a comment on a goal with its writer's name, or, when
// the reader may not see it (shownNames), AuthorProtected and no name.
type CommentView struct {
	store.GoalComment
	AuthorName      string `json:"author_name"`
	AuthorProtected bool   `json:"author_protected,omitempty"`
}

// citizenCase returns a case of the person the citizen acts for, with the
// ground on which the citizen reads it. A case of anyone else, or one the
// citizen may not read, is not found.
func (s *Service) citizenCase(ctx context.Context, a trygg.Actor, personID, caseID string) (store.Case, access.Relation, error) {
	if !a.HasRole(trygg.RoleCitizen) || a.PersonID == "" {
		return store.Case{}, "", errNotCitizen
	}
	c, _, ground, err := s.caseAccess(ctx, a, caseID, false)
	if trygg.ErrorCode(err) == trygg.ENotFound || err == nil && (c.PersonID != personID || !citizenGround(ground)) {
		return store.Case{}, "", errCitizenNotFound
	}
	return c, ground, err
}

// citizenGround reports whether a read is the citizen's own: as the
// person, their guardian or representative.
func citizenGround(r access.Relation) bool {
	return r == access.RelSelf || r == access.RelGuardian || r == access.RelRepresentative
}

// CaseFollow returns the case as the person it is about follows it, for a
// citizen acting for personID. The read is access-logged with the
// citizen's ground.
func (s *Service) CaseFollow(ctx context.Context, a trygg.Actor, personID, caseID, lang string) (CaseFollow, error) {
	c, ground, err := s.citizenCase(ctx, a, personID, caseID)
	if err != nil {
		return CaseFollow{}, err
	}
	out := CaseFollow{CaseID: c.ID, Title: c.Title, Status: c.Status, OpenedAt: calendar.Today(c.OpenedAt), Reference: c.Reference,
		Step: c.Step, Next: []string{}, Expected: []ExpectedDate{}, Decisions: []FollowDecision{}, Orders: []FollowOrder{}, Relation: ground}
	var comp *process.Compiled
	if c.DefinitionVersion != 0 {
		if comp, err = s.compiled(ctx, a.Tenant, c.DefinitionVersion); err != nil {
			return CaseFollow{}, err
		}
		if ct, ok := comp.CaseType(c.CaseType); ok {
			out.CaseTypeName = ct.Name.In(lang)
			out.AmountUnit = amountUnit(ct)
		}
		out.Step, out.StepText = comp.StepName(c.CaseType, c.Step, lang), comp.StepCitizen(c.CaseType, c.Step, lang)
		if c.Status == "open" {
			for _, st := range comp.NextSteps(c.CaseType, c.Step) {
				out.Next = append(out.Next, comp.StepName(c.CaseType, st, lang))
			}
			if out.Expected, err = s.expectedDates(ctx, a.Tenant, comp, c, lang); err != nil {
				return CaseFollow{}, err
			}
		}
	}
	names := map[string]string{}
	if err := s.names(ctx, a.Tenant, []string{c.AssignedTo}, names); err != nil {
		return CaseFollow{}, err
	}
	out.Officer = names[c.AssignedTo]
	if u, err := s.db.Unit(ctx, a.Tenant, c.UnitID); err == nil {
		out.Unit = u.Name
	}
	ds, err := s.db.Decisions(ctx, a.Tenant, c.ID)
	if err != nil {
		return CaseFollow{}, err
	}
	for _, d := range ds {
		if d.Status != "final" {
			continue // a draft is the office's until it is decided
		}
		fd := FollowDecision{Decision: d, InsatsName: d.Insats}
		if comp != nil {
			fd.InsatsName = comp.InsatsLabel(c.CaseType, d.Insats, lang)
		}
		out.Decisions = append(out.Decisions, fd)
	}
	if out.Orders, err = s.followOrders(ctx, a, c, comp, lang); err != nil {
		return CaseFollow{}, err
	}
	final := make([]store.Decision, len(out.Decisions))
	for i, d := range out.Decisions {
		final[i] = d.Decision
	}
	out.Decided, out.DecidedOn = decidedOn(c, final, len(out.Orders))
	evs, err := s.db.CaseEvents(ctx, a.Tenant, c.ID, 1000)
	if err != nil {
		return CaseFollow{}, err
	}
	out.Applied = slices.ContainsFunc(evs, func(e events.Event) bool { return e.Type == events.ApplicationSubmitted })
	unread, err := s.db.UnreadMessages(ctx, a.Tenant, a.UserID, store.SideStaff, []string{c.ID})
	if err != nil {
		return CaseFollow{}, err
	}
	out.Unread = unread[c.ID]
	return out, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}

// expectedDates words the case's pending timers as dates to expect: a
// deadline as the step that meets it ("Beslut") by its last day, a
// follow-up by its name and day. Warnings are the office's.
func (s *Service) expectedDates(ctx context.Context, tenant trygg.TenantID, comp *process.Compiled, c store.Case, lang string) ([]ExpectedDate, error) {
	timers, err := s.db.CaseTimers(ctx, tenant, c.ID)
	if err != nil {
		return nil, err
	}
	out := []ExpectedDate{}
	seen := map[string]bool{}
	for _, t := range timers {
		if t.Status != "pending" || t.Kind == process.TimerWarning || seen[t.DeadlineID] {
			continue
		}
		seen[t.DeadlineID] = true
		e := ExpectedDate{Date: t.DueDate}
		if t.Kind == process.TimerFollowUp {
			e.What, e.FollowUp = comp.FollowUpName(c.CaseType, t.DeadlineID, lang), true
		} else if step := comp.DeadlineMetBy(c.CaseType, t.DeadlineID); step != "" {
			e.What = comp.StepName(c.CaseType, step, lang)
		}
		if e.What == "" {
			continue
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(x, y ExpectedDate) int { return strings.Compare(x.Date, y.Date) })
	return out, nil
}

// followOrders returns the plans of the case's orders (not those returned
// to the office), goal by goal, with the comments on each goal.
func (s *Service) followOrders(ctx context.Context, a trygg.Actor, c store.Case, comp *process.Compiled, lang string) ([]FollowOrder, error) {
	// The case's read is decided and logged by CaseFollow.
	views, err := s.caseOrderViews(ctx, a.Tenant, c.ID)
	if err != nil {
		return nil, err
	}
	out := []FollowOrder{}
	if len(views) == 0 {
		return out, nil
	}
	comments, err := s.caseComments(ctx, a, c.ID)
	if err != nil {
		return nil, err
	}
	for _, v := range views {
		o := v.Order
		if o.Status == store.OrderReturned {
			continue
		}
		fo := FollowOrder{OrderID: o.ID, InsatsName: o.Content.InsatsLabel, Provider: v.Provider.Name, Status: o.Status,
			StartDate: o.StartDate, Commentable: o.Active(), Goals: []FollowGoal{}}
		if comp != nil {
			fo.InsatsName = comp.InsatsLabel(c.CaseType, o.Insats, lang)
		}
		if v.Plan != nil {
			fo.PlanVersion, fo.PlanWritten = v.Plan.Version, calendar.Today(v.Plan.WrittenAt)
		}
		for i, g := range o.Content.Goals {
			fg := FollowGoal{Index: i, Need: g.NeedLabel, Goal: g.Goal, FollowUpBy: g.FollowUpBy, Activities: []store.PlanItem{},
				Comments: []CommentView{}}
			if v.Plan != nil {
				for _, it := range v.Plan.Content.Items {
					if it.Goal == i {
						fg.Activities = append(fg.Activities, it)
					}
				}
			}
			for _, cm := range comments {
				if cm.OrderID == o.ID && cm.Goal == i {
					fg.Comments = append(fg.Comments, cm)
				}
			}
			fo.Goals = append(fo.Goals, fg)
		}
		out = append(out, fo)
	}
	return out, nil
}

// caseComments returns the comments on the goals of a case's orders, with
// their writers' names as the reader may see them.
func (s *Service) caseComments(ctx context.Context, a trygg.Actor, caseID string) ([]CommentView, error) {
	cs, err := s.db.CaseGoalComments(ctx, a.Tenant, caseID)
	if err != nil {
		return nil, err
	}
	return s.commentViews(ctx, a, cs)
}

func (s *Service) commentViews(ctx context.Context, a trygg.Actor, cs []store.GoalComment) ([]CommentView, error) {
	names := map[string]string{}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.AuthorID
	}
	withheld, err := s.shownNames(ctx, a, ids, names)
	if err != nil {
		return nil, err
	}
	out := make([]CommentView, len(cs))
	for i, c := range cs {
		out[i] = CommentView{GoalComment: c, AuthorName: names[c.AuthorID], AuthorProtected: withheld[c.AuthorID]}
	}
	return out, nil
}

// CaseGoalComments returns the citizens' comments on the goals of a
// case's orders, for the officer's case view: by order, then goal index.
// The read is access-logged.
func (s *Service) CaseGoalComments(ctx context.Context, a trygg.Actor, caseID string) (map[string]map[int][]CommentView, error) {
	c, ground, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	cs, err := s.caseComments(ctx, a, c.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]map[int][]CommentView{}
	for _, cm := range cs {
		if out[cm.OrderID] == nil {
			out[cm.OrderID] = map[int][]CommentView{}
		}
		out[cm.OrderID][cm.Goal] = append(out[cm.OrderID][cm.Goal], cm)
	}
	if len(cs) > 0 {
		if err := s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, "")); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OrderGoalComments returns the citizens' comments on an order's goals,
// oldest first, for its provider (or anyone who may read the order). The
// read is access-logged.
func (s *Service) OrderGoalComments(ctx context.Context, a trygg.Actor, orderID string) ([]CommentView, error) {
	o, ground, err := s.orderFor(ctx, a, orderID, false)
	if err != nil {
		return nil, err
	}
	cs, err := s.db.GoalComments(ctx, a.Tenant, o.ID)
	if err != nil {
		return nil, err
	}
	out, err := s.commentViews(ctx, a, cs)
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		if err := s.logAccess(ctx, entry(a, access.ReadOrder, o.PersonID, o.CaseID, ground, "")); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CommentInput is a citizen's comment on a goal of an order of the case.
type CommentInput struct {
	OrderID string `json:"order_id"`
	Goal    int    `json:"goal"`
	Body    string `json:"body"`
}

// commentMax bounds a comment on a goal.
const commentMax = 2000

// CommentGoal adds the citizen's comment to a goal of an active order of
// a case of the person they act for. Comments are never changed; the
// officer sees them on the case and the provider on the order. An order
// of another case is not found.
func (s *Service) CommentGoal(ctx context.Context, a trygg.Actor, personID, caseID string, in CommentInput) (store.GoalComment, error) {
	c, ground, err := s.citizenCase(ctx, a, personID, caseID)
	if err != nil {
		return store.GoalComment{}, err
	}
	o, err := s.db.Order(ctx, a.Tenant, in.OrderID)
	if err != nil || o.CaseID != c.ID || o.Status == store.OrderReturned {
		return store.GoalComment{}, trygg.Errorf(trygg.ENotFound, "Not found.")
	}
	if !o.Active() {
		return store.GoalComment{}, trygg.Errorf(trygg.EConflict, "The insats has ended; its goals take no more comments.")
	}
	body := strings.TrimSpace(in.Body)
	switch {
	case in.Goal < 0 || in.Goal >= len(o.Content.Goals):
		return store.GoalComment{}, trygg.Errorf(trygg.ENotFound, "Not found.")
	case body == "":
		return store.GoalComment{}, trygg.Invalid("Write your comment first.", map[string]string{"body": "Required."})
	case utf8.RuneCountInString(body) > commentMax:
		return store.GoalComment{}, trygg.Invalid("The comment is too long.", map[string]string{"body": "At most 2000 characters."})
	}
	cm := store.GoalComment{ID: newID(), OrderID: o.ID, CaseID: c.ID, Goal: in.Goal, AuthorID: a.UserID, Relation: string(ground), Body: body}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.ReadOrder, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		cm.WrittenAt = tx.Now
		if err := tx.InsertGoalComment(ctx, a.Tenant, cm); err != nil {
			return err
		}
		e := events.New(a, events.GoalCommented, "order", o.ID, map[string]any{"goal": in.Goal, "relation": ground})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	return cm, err
}
