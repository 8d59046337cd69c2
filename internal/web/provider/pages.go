package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// The provider staff's pages: their orders (accept or return new ones),
// one order with its implementation plan, the month's reports and the
// report back on its goals, and the phone pages for reporting a visit or
// a whole shift. Every page is for a provider's staff only; an order of
// another provider is not found.

// providerOnly refuses everyone but a provider's staff.
func providerOnly(a trygg.Actor) error {
	if a.ProviderID == "" || !a.HasRole(trygg.RoleProvider) {
		return trygg.Errorf(trygg.EForbidden, "You do not have permission to do this.")
	}
	return nil
}

// newFormKey is a fresh key for a batch of reports, written into the
// form when it is shown: the same form sent twice is saved once.
// resentChanged recognises a report form that was saved, then changed
// (the back button) and sent again under the key it was shown with: it
// gives the form a new key and a message staff understand, instead of the
// API's words about batch keys.
func resentChanged(v *server.View, form url.Values, err error) (server.FormProblem, bool) {
	if !errors.Is(err, service.ErrBatchKeyReused) {
		return server.FormProblem{}, false
	}
	form.Set("key", newFormKey())
	return server.FormProblem{Message: v.T("provider.report.changed"), Fields: map[string]string{}}, true
}

// postedID begins a provider's form posted on an order: provider staff
// only, the form parsed, the order's id from the path.
func postedID(w http.ResponseWriter, r *http.Request, a trygg.Actor) (string, error) {
	if err := providerOnly(a); err != nil {
		return "", err
	}
	if err := server.ParseForm(w, r); err != nil {
		return "", err
	}
	return r.PathValue("id"), nil
}

// postedOrder is postedID with the order read.
func (s *handlers) postedOrder(w http.ResponseWriter, r *http.Request, a trygg.Actor) (string, service.OrderView, error) {
	id, err := postedID(w, r, a)
	if err != nil {
		return "", service.OrderView{}, err
	}
	ov, err := s.Svc.Order(r.Context(), a, id)
	return id, ov, err
}

func newFormKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "web-" + hex.EncodeToString(b)
}

// monthOf returns the month ("2026-03") of a date.
func monthOf(date string) string {
	if len(date) >= 7 {
		return date[:7]
	}
	return date
}

// shiftMonth returns the month n months from m ("2026-03").
func shiftMonth(m string, n int) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

// paymentCSV is the address of the provider's basis for payment for a month.
func paymentCSV(providerID, month string) string {
	return "/api/v1/providers/" + url.PathEscape(providerID) + "/payment-basis/csv?month=" + url.QueryEscape(month)
}

// orderItem is an order in a list, with its words in the user's language.
type orderItem struct {
	store.Order
	Insats string
	Needs  []activityOption
}

// activityOption is an activity code to tick.
type activityOption struct {
	Code, Label string
	Checked     bool
}

// orderItems dresses orders for a list: in Swedish with the words the
// order carries, in another language with the case type's.
func (s *handlers) orderItems(ctx context.Context, a trygg.Actor, lang string, orders []store.Order) ([]orderItem, error) {
	out := make([]orderItem, 0, len(orders))
	for _, o := range orders {
		it := orderItem{Order: o, Insats: o.Content.InsatsLabel}
		var terms *service.OrderTerms
		if lang != "sv" {
			t, err := s.Svc.OrderTerms(ctx, a, o.ID, lang)
			if err != nil {
				return nil, err
			}
			terms, it.Insats = &t, t.InsatsLabel
		}
		for _, n := range o.Content.Needs {
			label := n.Label
			if terms != nil {
				label = terms.Label(n.Code)
			}
			it.Needs = append(it.Needs, activityOption{Code: n.Code, Label: label})
		}
		out = append(out, it)
	}
	return out, nil
}

// activityOptions are the activities offered when reporting on an order:
// the order's needs first, then the plan's other activities, then codes
// already ticked; checked marks the ticked ones.
func activityOptions(o store.Order, plan *store.Plan, terms service.OrderTerms, checked []string) []activityOption {
	var out []activityOption
	seen := map[string]bool{}
	add := func(code string) {
		if code == "" || seen[code] {
			return
		}
		seen[code] = true
		out = append(out, activityOption{Code: code, Label: terms.Label(code), Checked: slices.Contains(checked, code)})
	}
	for _, n := range o.Content.Needs {
		add(n.Code)
	}
	if plan != nil {
		for _, it := range plan.Content.Items {
			add(it.Code)
		}
	}
	for _, c := range checked {
		add(c)
	}
	return out
}

// ---- My orders ----

// providerOrdersPage is the provider's list of orders.
type providerOrdersPage struct {
	// Show is "" for the current orders (New and Active), else "ended"
	// or "returned" (Done).
	Show         string
	New, Active  []orderItem
	Done         []orderItem
	Today, Month string
	CSV          string
	Message      string
	// Failed is the order whose form on the list was refused, Form which
	// form ("accept" or "return"), with the problem and what was posted.
	Failed, Form string
	Problem      server.FormProblem
	Values       url.Values
	// Next links the next page of the list ("" on the last); First the
	// list's first page, on every page after it.
	Next, First string
}

// ordersPerPage is how many orders a page of the list shows.
const ordersPerPage = 50

func (s *handlers) handleProviderOrders(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderProviderOrders(w, r, a, v, http.StatusOK, providerOrdersPage{})
}

func (s *handlers) renderProviderOrders(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p providerOrdersPage) error {
	if err := providerOnly(a); err != nil {
		return err
	}
	ctx := r.Context()
	q := r.URL.Query()
	p.Today = s.Svc.Today()
	p.Month = monthOf(p.Today)
	p.CSV = paymentCSV(a.ProviderID, p.Month)
	if sh := q.Get("status"); sh == store.OrderEnded || sh == store.OrderReturned {
		p.Show = sh
	}
	page, err := s.Svc.ProviderOrdersPage(ctx, a, service.OrdersInput{Status: p.Show, Limit: ordersPerPage, Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	list := url.Values{}
	if p.Show != "" {
		list.Set("status", p.Show)
	}
	if page.Next != "" {
		next := url.Values{"cursor": {page.Next}}
		if p.Show != "" {
			next.Set("status", p.Show)
		}
		p.Next = "/provider/orders?" + next.Encode()
	}
	if q.Get("cursor") != "" {
		p.First = "/provider/orders"
		if len(list) > 0 {
			p.First += "?" + list.Encode()
		}
	}
	items, err := s.orderItems(ctx, a, v.Lang, page.Orders)
	if err != nil {
		return err
	}
	for _, it := range items {
		switch {
		case p.Show != "":
			p.Done = append(p.Done, it)
		case it.Status == store.OrderSent:
			p.New = append(p.New, it)
		default:
			p.Active = append(p.Active, it)
		}
	}
	if id := q.Get("accepted"); id != "" && p.Message == "" {
		for _, it := range p.Active {
			if it.ID == id {
				p.Message = fmt.Sprintf(v.T("provider.accepted"), it.Content.Person.Name, it.Insats, it.StartDate)
			}
		}
	}
	if q.Get("returned") != "" && p.Message == "" {
		p.Message = v.T("provider.returned")
	}
	v.Title = v.T("provider.orders.title")
	v.Data = p
	return pages.Render(w, status, "provider_orders", *v)
}

// handleProviderAccept accepts an order from a start date.
func (s *handlers) handleProviderAccept(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id, err := postedID(w, r, a)
	if err != nil {
		return err
	}
	_, err = s.Svc.AcceptOrder(r.Context(), a, id, service.AcceptInput{StartDate: strings.TrimSpace(r.PostForm.Get("start_date"))})
	if err != nil {
		return s.refusedOnOrder(w, r, a, v, id, "accept", err)
	}
	if r.PostForm.Get("from") == "list" {
		http.Redirect(w, r, "/provider/orders?accepted="+url.QueryEscape(id), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/provider/orders/"+url.PathEscape(id)+"?done=accepted", http.StatusSeeOther)
	return nil
}

// handleProviderReturn returns a new order with a reason.
func (s *handlers) handleProviderReturn(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id, err := postedID(w, r, a)
	if err != nil {
		return err
	}
	if _, err := s.Svc.ReturnOrder(r.Context(), a, id, service.ReturnInput{Reason: r.PostForm.Get("reason")}); err != nil {
		return s.refusedOnOrder(w, r, a, v, id, "return", err)
	}
	if r.PostForm.Get("from") == "list" {
		http.Redirect(w, r, "/provider/orders?returned=1", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/provider/orders/"+url.PathEscape(id)+"?done=returned", http.StatusSeeOther)
	return nil
}

// refusedOnOrder shows a refused accept or return form again, on the
// list or the order's page it was sent from, with the messages.
func (s *handlers) refusedOnOrder(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, id, form string, err error) error {
	status, prob, err := server.ProblemOf(v.Lang, err)
	if err != nil {
		return err
	}
	if r.PostForm.Get("from") == "list" {
		return s.renderProviderOrders(w, r, a, v, status, providerOrdersPage{Failed: id, Form: form, Problem: prob, Values: r.PostForm})
	}
	return s.renderProviderOrder(w, r, a, v, status, providerOrderPage{Form: form, Problem: prob, Values: r.PostForm})
}

// ---- One order ----

// providerOrderPage is one order as its provider sees it.
type providerOrderPage struct {
	service.OrderView
	Terms      service.OrderTerms
	Insats     string
	Needs      []activityOption
	Today      string
	Month      string
	Prev, Next string
	CSV        string
	Performed  []performedRow
	Message    string
	Workable   bool
	PlanForm   planForm
	// PlanLines are the newest plan's activities as shown; Weekdays the
	// days the plan editor offers for a visit.
	PlanLines  []planLine
	Weekdays   []int
	Report     []followUpGoal
	FollowNote string
	Qualifiers []string
	Statuses   []string
	Deviations []string
	Parts      []string
	// Form is the refused form (accept, return, plan, followup,
	// correct), with the problem and what was posted.
	Form    string
	Problem server.FormProblem
	Values  url.Values
	// Comments are the person's comments on the goals, by goal
	// (portal_follow.go).
	Comments map[int][]service.CommentView
	// Device is whether the insats is carried out with a device (a
	// safety alarm) and the devices recorded (alarms.go).
	Device service.OrderDevicesView
}

// performedRow is a report in the month's list, with its correction form.
type performedRow struct {
	store.Performed
	Activities []activityOption
	// The correction form's values and messages.
	On, Start, End, Minutes, Deviation, Note string
	Errors                                   map[string]string
	Open                                     bool
}

// planForm is the implementation plan's editor.
type planForm struct {
	Goals                            []planGoal
	Participation, ParticipationNote string
}

// planGoal is a goal of the order with its activities.
type planGoal struct {
	Index int
	store.OrderGoal
	Rows []planRow
}

// planRow is one activity of the plan: items.N.* in the form.
type planRow struct {
	N                               int
	Code, Activity, When, Who, Time string
	Days                            []int
	Errors                          map[string]string
	Focus                           bool
}

// HasDay reports whether the activity's visits are on weekday d (1–7).
func (r planRow) HasDay(d int) bool { return slices.Contains(r.Days, d) }

// weekdays are the weekdays a planned visit can be on, Monday first.
var weekdays = []int{1, 2, 3, 4, 5, 6, 7}

// planLine is a planned activity as the pages show it: what, who, when
// in words, and the visits' time and days ("kl. 08:00, tis, fre").
type planLine struct {
	Code, Activity, Who, When, Schedule string
}

// planLines are the plan's activities as the pages show them.
func planLines(v *server.View, items []store.PlanItem) []planLine {
	out := make([]planLine, 0, len(items))
	for _, it := range items {
		out = append(out, planLine{Code: it.Code, Activity: it.Activity, Who: it.Who, When: it.When, Schedule: schedule(v, it)})
	}
	return out
}

// schedule says when an activity's planned visits are ("kl. 08:00,
// varje dag"); "" when it has no time.
func schedule(v *server.View, it store.PlanItem) string {
	if it.Time == "" {
		return ""
	}
	days := v.T("plan.everyday")
	if len(it.Days) > 0 {
		var names []string
		for _, d := range it.Days {
			names = append(names, v.T(fmt.Sprintf("plan.day.%d", d)))
		}
		days = strings.Join(names, ", ")
	}
	return fmt.Sprintf(v.T("plan.schedule"), it.Time, days)
}

// followUpGoal is a goal in the report back form.
type followUpGoal struct {
	Index int
	service.GoalView
	Status, Qualifier, Comment string
	Errors                     map[string]string
}

var (
	goalStatusValues    = []string{"achieved", "partly", "not_achieved"}
	qualifierValues     = []string{"0", "1", "2", "3", "4", "8", "9"}
	deviationValues     = []string{"not_home", "declined", "other"}
	participationValues = []string{"took_part", "partly", "declined", "unable"}
)

func (s *handlers) handleProviderOrder(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderProviderOrder(w, r, a, v, http.StatusOK, providerOrderPage{})
}

// renderProviderOrder shows the order; p may carry a refused form.
func (s *handlers) renderProviderOrder(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, p providerOrderPage) error {
	if err := providerOnly(a); err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	ov, err := s.Svc.Order(ctx, a, id)
	if err != nil {
		return err
	}
	terms, err := s.Svc.OrderTerms(ctx, a, id, v.Lang)
	if err != nil {
		return err
	}
	o := ov.Order
	p.OrderView, p.Terms, p.Insats = ov, terms, terms.InsatsLabel
	comments, err := s.Svc.OrderGoalComments(ctx, a, id)
	if err != nil {
		return err
	}
	if p.Device, err = s.Svc.OrderDeviceView(ctx, a, id); err != nil {
		return err
	}
	p.Comments = map[int][]service.CommentView{}
	for _, c := range comments {
		p.Comments[c.Goal] = append(p.Comments[c.Goal], c)
	}
	p.Qualifiers, p.Statuses, p.Deviations, p.Parts = qualifierValues, goalStatusValues, deviationValues, participationValues
	p.Weekdays = weekdays
	if ov.Plan != nil {
		p.PlanLines = planLines(v, ov.Plan.Content.Items)
	}
	p.Today = s.Svc.Today()
	for _, n := range o.Content.Needs {
		p.Needs = append(p.Needs, activityOption{Code: n.Code, Label: terms.Label(n.Code)})
	}
	p.Workable = o.Status == store.OrderAccepted
	if done := r.URL.Query().Get("done"); p.Message == "" && slices.Contains([]string{"accepted", "returned", "plan", "followup", "corrected", "device"}, done) {
		p.Message = v.T("provider.done." + done)
	}
	if o.Status == store.OrderAccepted || o.Status == store.OrderEnded {
		p.Month = r.URL.Query().Get("month")
		if r.Method == http.MethodPost && p.Values != nil && p.Values.Get("month") != "" {
			p.Month = p.Values.Get("month")
		}
		if _, err := time.Parse("2006-01", p.Month); err != nil {
			p.Month = monthOf(p.Today)
			if o.EndedOn != "" && o.EndedOn < p.Today {
				p.Month = monthOf(o.EndedOn)
			}
		}
		p.Prev, p.Next = shiftMonth(p.Month, -1), shiftMonth(p.Month, 1)
		if p.Next > monthOf(p.Today) {
			p.Next = ""
		}
		p.CSV = paymentCSV(o.ProviderID, p.Month)
		entries, err := s.Svc.PerformedList(ctx, a, id, p.Month)
		if err != nil {
			return err
		}
		for _, e := range entries {
			row := performedRow{Performed: e, On: e.On, Start: e.Start, End: e.End, Deviation: e.Deviation, Note: e.Note}
			if e.Start == "" && e.Minutes > 0 {
				row.Minutes = strconv.Itoa(e.Minutes)
			}
			checked := e.Activities
			if p.Form == "correct" && p.Values.Get("corrects") == e.ID {
				pv := p.Values
				row.On, row.Start, row.End, row.Minutes = pv.Get("on"), pv.Get("start"), pv.Get("end"), pv.Get("minutes")
				row.Deviation, row.Note, checked = pv.Get("deviation"), pv.Get("note"), pv["activities"]
				row.Errors, row.Open = p.Problem.Fields, true
			}
			row.Activities = activityOptions(o, ov.Plan, terms, checked)
			p.Performed = append(p.Performed, row)
		}
		// Newest first.
		sort.SliceStable(p.Performed, func(i, j int) bool {
			x, y := p.Performed[i], p.Performed[j]
			if x.On != y.On {
				return x.On > y.On
			}
			return x.Start > y.Start
		})
	}
	if p.Form == "plan" {
		p.PlanForm = planFromPost(o, p.Values, -1)
		attachPlanErrors(&p.PlanForm, p.Problem)
	} else if p.PlanForm.Goals == nil {
		p.PlanForm = planFromStored(o, ov.Plan)
	}
	p.Report = followUpFrom(ov.FollowUp.Goals, p)
	if p.Form == "followup" {
		p.FollowNote = p.Values.Get("note")
	}
	v.Title = o.Content.Person.Name + " – " + p.Insats
	v.Data = p
	return pages.Render(w, status, "provider_order", *v)
}

// planFromStored is the plan editor filled from the newest plan, or with
// one empty activity per goal (coded as its need).
func planFromStored(o store.Order, plan *store.Plan) planForm {
	f := planForm{}
	if plan != nil {
		f.Participation, f.ParticipationNote = plan.Content.Participation, plan.Content.ParticipationNote
	}
	n := 0
	for i, g := range o.Content.Goals {
		pg := planGoal{Index: i, OrderGoal: g}
		if plan != nil {
			for _, it := range plan.Content.Items {
				if it.Goal == i {
					pg.Rows = append(pg.Rows, planRow{N: n, Code: it.Code, Activity: it.Activity, When: it.When, Who: it.Who, Time: it.Time, Days: it.Days})
					n++
				}
			}
		}
		if len(pg.Rows) == 0 {
			pg.Rows = append(pg.Rows, planRow{N: n, Code: g.Need})
			n++
		}
		f.Goals = append(f.Goals, pg)
	}
	return f
}

// planFromPost is the plan editor as posted (items.N.goal, .code,
// .activity, .when, .who), with an empty activity added to goal add
// (when it is one).
func planFromPost(o store.Order, form url.Values, add int) planForm {
	f := planForm{Participation: form.Get("participation"), ParticipationNote: form.Get("participation_note")}
	for i, g := range o.Content.Goals {
		f.Goals = append(f.Goals, planGoal{Index: i, OrderGoal: g})
	}
	var ns []int
	for k := range form {
		if rest, ok := strings.CutPrefix(k, "items."); ok {
			if num, ok := strings.CutSuffix(rest, ".goal"); ok {
				if n, err := strconv.Atoi(num); err == nil && n >= 0 && n < 1000 {
					ns = append(ns, n)
				}
			}
		}
	}
	slices.Sort(ns)
	for _, n := range ns {
		key := func(f string) string { return form.Get(fmt.Sprintf("items.%d.%s", n, f)) }
		g, err := strconv.Atoi(key("goal"))
		if err != nil || g < 0 || g >= len(f.Goals) {
			continue
		}
		var days []int
		for _, d := range form[fmt.Sprintf("items.%d.days", n)] {
			if i, err := strconv.Atoi(d); err == nil {
				days = append(days, i)
			}
		}
		f.Goals[g].Rows = append(f.Goals[g].Rows, planRow{Code: key("code"), Activity: key("activity"), When: key("when"), Who: key("who"),
			Time: strings.TrimSpace(key("time")), Days: days})
	}
	for i := range f.Goals {
		if i == add || len(f.Goals[i].Rows) == 0 {
			f.Goals[i].Rows = append(f.Goals[i].Rows, planRow{Code: f.Goals[i].Need, Focus: i == add})
		}
	}
	n := 0
	for i := range f.Goals {
		for j := range f.Goals[i].Rows {
			f.Goals[i].Rows[j].N = n
			n++
		}
	}
	return f
}

// planItems are the activities of the editor to save (empty rows left
// out), with where each came from: goal and row.
func planItems(f planForm) ([]store.PlanItem, [][2]int) {
	var items []store.PlanItem
	var from [][2]int
	for gi, g := range f.Goals {
		for ri, row := range g.Rows {
			if strings.TrimSpace(row.Activity) == "" && strings.TrimSpace(row.When) == "" && strings.TrimSpace(row.Who) == "" &&
				row.Time == "" && len(row.Days) == 0 {
				continue
			}
			items = append(items, store.PlanItem{Goal: g.Index, Code: row.Code, Activity: row.Activity, When: row.When, Who: row.Who,
				Time: row.Time, Days: row.Days})
			from = append(from, [2]int{gi, ri})
		}
	}
	return items, from
}

// attachPlanErrors puts the service's messages on the plan's rows: the
// saved items are numbered as planItems numbers them.
func attachPlanErrors(f *planForm, p server.FormProblem) {
	_, from := planItems(*f)
	for i, at := range from {
		errs := p.Under(fmt.Sprintf("items.%d.", i))
		if len(errs) > 0 {
			f.Goals[at[0]].Rows[at[1]].Errors = errs
		}
	}
}

// followUpFrom is the report back form: as posted when it was refused,
// else as last reported.
func followUpFrom(goals []service.GoalView, p providerOrderPage) []followUpGoal {
	var out []followUpGoal
	for i, g := range goals {
		fg := followUpGoal{Index: i, GoalView: g, Status: g.Status, Comment: g.Comment}
		if g.QualifierNow != nil {
			fg.Qualifier = strconv.Itoa(*g.QualifierNow)
		}
		if p.Form == "followup" {
			pre := fmt.Sprintf("goals.%d.", i)
			fg.Status, fg.Qualifier, fg.Comment = p.Values.Get(pre+"status"), p.Values.Get(pre+"qualifier"), p.Values.Get(pre+"comment")
			fg.Errors = p.Problem.Under(pre)
		}
		out = append(out, fg)
	}
	return out
}

// handleProviderPlan saves a new version of the order's plan, or (with
// "add") shows the editor again with one more activity for a goal.
func (s *handlers) handleProviderPlan(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id, ov, err := s.postedOrder(w, r, a)
	if err != nil {
		return err
	}
	if add := r.PostForm.Get("add"); add != "" {
		g, err := strconv.Atoi(add)
		if err != nil {
			g = -1
		}
		return s.renderProviderOrder(w, r, a, v, http.StatusOK, providerOrderPage{PlanForm: planFromPost(ov.Order, r.PostForm, g)})
	}
	f := planFromPost(ov.Order, r.PostForm, -1)
	items, _ := planItems(f)
	_, err = s.Svc.SavePlan(r.Context(), a, id, service.PlanInput{Items: items, Participation: f.Participation, ParticipationNote: f.ParticipationNote})
	return s.orderFormDone(w, r, a, v, id, "plan", err)
}

// orderFormDone answers a form of the order page: the page again with the
// problem beside the form's fields, or, once saved, back to the form's
// place on the page, which says it was saved.
func (s *handlers) orderFormDone(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, id, form string, err error) error {
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		return s.renderProviderOrder(w, r, a, v, status, providerOrderPage{Form: form, Problem: prob, Values: r.PostForm})
	}
	http.Redirect(w, r, "/provider/orders/"+url.PathEscape(id)+"?done="+form+"#"+form, http.StatusSeeOther)
	return nil
}

// handleProviderFollowUp records the report back on the order's goals.
func (s *handlers) handleProviderFollowUp(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id, ov, err := s.postedOrder(w, r, a)
	if err != nil {
		return err
	}
	in := service.FollowUpInput{Note: r.PostForm.Get("note"), Goals: []store.GoalStatus{}}
	for i := range ov.Order.Content.Goals {
		pre := fmt.Sprintf("goals.%d.", i)
		q, err := strconv.Atoi(r.PostForm.Get(pre + "qualifier"))
		if err != nil {
			q = -1 // none chosen: the service says which values it takes
		}
		in.Goals = append(in.Goals, store.GoalStatus{Goal: i, Status: r.PostForm.Get(pre + "status"), Qualifier: q, Comment: r.PostForm.Get(pre + "comment")})
	}
	_, err = s.Svc.ReportFollowUp(r.Context(), a, id, in)
	return s.orderFormDone(w, r, a, v, id, "followup", err)
}

// handleProviderCorrect records a correction of a report: a new entry
// that replaces the old.
func (s *handlers) handleProviderCorrect(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id, err := postedID(w, r, a)
	if err != nil {
		return err
	}
	in, bad := performedFromForm(v, r.PostForm, "")
	in.Corrects = r.PostForm.Get("corrects")
	if len(bad) > 0 {
		err = trygg.Invalid("The report is not valid; nothing was saved.", nil)
	} else {
		_, err = s.Svc.ReportPerformed(r.Context(), a, id, in)
	}
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		for k, m := range bad {
			prob.Fields[k] = m
		}
		return s.renderProviderOrder(w, r, a, v, status, providerOrderPage{Form: "correct", Problem: prob, Values: r.PostForm})
	}
	month := monthOf(in.On)
	if _, err := time.Parse("2006-01", r.PostForm.Get("month")); err == nil {
		month = r.PostForm.Get("month")
	}
	http.Redirect(w, r, "/provider/orders/"+url.PathEscape(id)+"?done=corrected&month="+url.QueryEscape(month)+"#performed", http.StatusSeeOther)
	return nil
}

// performedFromForm reads a report of work from a form; prefix is put
// before each field's name ("rows.3."). Minutes that are no whole number
// are refused here, with a message per field. A deviation with no time
// spent carries no activities: nothing was done.
func performedFromForm(v *server.View, form url.Values, prefix string) (service.PerformedInput, map[string]string) {
	get := func(f string) string { return strings.TrimSpace(form.Get(prefix + f)) }
	in := service.PerformedInput{On: get("on"), Start: get("start"), End: get("end"), Deviation: get("deviation"), Note: get("note")}
	bad := map[string]string{}
	m := get("minutes")
	if typed := get("other_minutes"); typed != "" {
		m = typed // typed beside the tiles: it counts
	}
	if m != "" {
		n, err := strconv.Atoi(m)
		if err != nil {
			bad["minutes"] = v.T("provider.badminutes")
		}
		in.Minutes = n
	}
	for _, c := range form[prefix+"activities"] {
		if c = strings.TrimSpace(c); c != "" {
			in.Activities = append(in.Activities, c)
		}
	}
	if in.Deviation != "" && in.Minutes == 0 && in.Start == "" && in.End == "" {
		in.Activities = nil
	}
	return in, bad
}

// ---- Reporting on a phone ----

// reportPage is the phone page's first step: the day's planned visits in
// time order, and the orders to report a visit not planned on.
type reportPage struct {
	// Alarms are the provider's alarms not yet resolved: tasks first.
	Alarms []service.AlarmTask
	Visits []visitItem
	Orders []orderItem
	// Message says what was saved; Refused that kept reports were
	// refused when they were sent.
	Message, Refused string
	Today            string
	Weekday          int
	Outbox           string
}

// visitItem is a planned visit in the day's list: the order, the time,
// and the names of the activities the plan has at it.
type visitItem struct {
	orderItem
	Time string
	Does string
}

// startedOrders returns the provider's accepted orders running on the
// day (started, and the decision still runs), by the person's name.
func (s *handlers) startedOrders(ctx context.Context, a trygg.Actor, lang, day string) ([]orderItem, error) {
	d, err := s.Svc.DayVisits(ctx, a, day)
	if err != nil {
		return nil, err
	}
	return s.orderItems(ctx, a, lang, d.Orders)
}

// outboxOf names the user whose reports a phone keeps while it has no
// network (trygg.js): a report kept is only sent by their pages.
func outboxOf(a trygg.Actor) string { return string(a.Tenant) + "/" + a.UserID }

// savedHeader says, on the answer to a report form, how many reports it
// saved (or had saved already): trygg.js counts the kept reports it sends
// by it.
const savedHeader = "Trygg-Saved"

// visitTime matches a planned visit's time in the address (?at=08:00).
var visitTime = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// countParam reads a count from the address: 0 unless it is 1–1000.
func countParam(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		return 0
	}
	return n
}

// handleProviderReport shows the day's visits; ?sent=N and ?refused=N
// say how many reports the phone kept without network were then saved or
// refused (trygg.js comes here when it has sent them).
func (s *handlers) handleProviderReport(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	var p reportPage
	q := r.URL.Query()
	if n := countParam(q.Get("sent")); n > 0 {
		p.Message = v.Tn("provider.outbox.sent", n)
	}
	if n := countParam(q.Get("refused")); n > 0 {
		p.Refused = v.Tn("provider.outbox.refused", n)
	}
	return s.renderProviderReport(w, r, a, v, p)
}

func (s *handlers) renderProviderReport(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, p reportPage) error {
	if err := providerOnly(a); err != nil {
		return err
	}
	ctx := r.Context()
	p.Today, p.Outbox = s.Svc.Today(), outboxOf(a)
	if d, err := time.Parse(time.DateOnly, p.Today); err == nil {
		p.Weekday = int(d.Weekday())
	}
	day, err := s.Svc.DayVisits(ctx, a, p.Today)
	if err != nil {
		return err
	}
	if p.Alarms, err = s.Svc.ProviderAlarms(ctx, a); err != nil {
		return err
	}
	if p.Orders, err = s.orderItems(ctx, a, v.Lang, day.Orders); err != nil {
		return err
	}
	byID := map[string]orderItem{}
	for _, it := range p.Orders {
		byID[it.ID] = it
	}
	for _, vis := range day.Visits {
		it := byID[vis.Order.ID]
		var does []string
		for _, pi := range vis.Items {
			name := pi.Activity
			for _, n := range it.Needs {
				if n.Code == pi.Code && pi.Code != "" {
					name = n.Label
				}
			}
			if !slices.Contains(does, name) {
				does = append(does, name)
			}
		}
		p.Visits = append(p.Visits, visitItem{orderItem: it, Time: vis.Time, Does: strings.Join(does, ", ")})
	}
	v.Title = v.T("provider.report.title")
	v.Data = p
	return pages.Render(w, http.StatusOK, "provider_report", *v)
}

// visitPage is the phone form for one visit.
type visitPage struct {
	service.OrderView
	Insats string
	// At is the planned visit's time ("08:00"), "" for a visit not
	// planned; VisitPlan what the plan has at the visit (not planned: the
	// whole plan).
	At         string
	VisitPlan  []planLine
	Activities []activityOption
	Durations  []string
	Deviations []string
	Key, Today string
	Outbox     string
	// The form's values.
	On, Minutes, OtherMinutes, Start, End, Deviation, Note string
	Problem                                                server.FormProblem
}

func (s *handlers) handleProviderVisit(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderProviderVisit(w, r, a, v, http.StatusOK, nil, server.FormProblem{})
}

// renderProviderVisit shows the visit form, empty (today, the order's
// needs ticked) or as posted with its messages.
func (s *handlers) renderProviderVisit(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, form url.Values, prob server.FormProblem) error {
	if err := providerOnly(a); err != nil {
		return err
	}
	id := r.PathValue("id")
	ov, err := s.Svc.Order(r.Context(), a, id)
	if err != nil {
		return err
	}
	if ov.Order.Status != store.OrderAccepted {
		return trygg.Errorf(trygg.EConflict, "Accept the order before reporting on it.")
	}
	terms, err := s.Svc.OrderTerms(r.Context(), a, id, v.Lang)
	if err != nil {
		return err
	}
	p := visitPage{OrderView: ov, Insats: terms.InsatsLabel, Durations: []string{"15", "30", "45", "60"}, Deviations: deviationValues,
		Today: s.Svc.Today(), Problem: prob, Outbox: outboxOf(a)}
	at := r.URL.Query().Get("at")
	if form != nil {
		at = form.Get("at")
	}
	// The plan for the visit: its activities at that time today; for a
	// visit not planned (or no longer in the plan), the whole plan.
	var planned []store.PlanItem
	if ov.Plan != nil {
		planned = ov.Plan.Content.Items
		if day, err := time.Parse(time.DateOnly, p.Today); err == nil && visitTime.MatchString(at) {
			for _, vis := range service.PlanVisits(ov.Plan.Content, day.Weekday()) {
				if vis.Time == at {
					p.At, planned = at, vis.Items
				}
			}
		}
	}
	p.VisitPlan = planLines(v, planned)
	var checked []string
	if form == nil {
		p.Key, p.On = newFormKey(), p.Today
		if p.At != "" {
			for _, it := range planned {
				if it.Code != "" && !slices.Contains(checked, it.Code) {
					checked = append(checked, it.Code)
				}
			}
		}
		if len(checked) == 0 {
			for _, n := range ov.Order.Content.Needs {
				checked = append(checked, n.Code)
			}
		}
	} else {
		p.Key, p.On, p.Minutes, p.Start, p.End = form.Get("key"), form.Get("on"), form.Get("minutes"), form.Get("start"), form.Get("end")
		p.OtherMinutes = form.Get("other_minutes")
		p.Deviation, p.Note, checked = form.Get("deviation"), form.Get("note"), form["activities"]
	}
	p.Activities = activityOptions(ov.Order, ov.Plan, terms, checked)
	v.Title = v.T("provider.visit.title")
	v.Data = p
	return pages.Render(w, status, "provider_visit", *v)
}

// handleProviderVisitSave saves a visit as a batch of one under the key
// the form was shown with: sent twice, it is saved once.
func (s *handlers) handleProviderVisitSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	id, err := postedID(w, r, a)
	if err != nil {
		return err
	}
	in, bad := performedFromForm(v, r.PostForm, "")
	in.OrderID = id
	if len(bad) > 0 {
		return s.renderProviderVisit(w, r, a, v, http.StatusUnprocessableEntity, r.PostForm,
			server.FormProblem{Message: server.MessageIn(v.Lang, "The report is not valid; nothing was saved."), Fields: bad})
	}
	res, err := s.Svc.ReportPerformedBatch(r.Context(), a, service.BatchInput{Key: r.PostForm.Get("key"), Entries: []service.PerformedInput{in}})
	if prob, ok := resentChanged(v, r.PostForm, err); ok {
		return s.renderProviderVisit(w, r, a, v, http.StatusConflict, r.PostForm, prob)
	}
	if err != nil {
		status, prob, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		entry := prob.Under("entries.0.")
		if m := entry["order_id"]; m != "" {
			prob.Message = m
		}
		if m := prob.Fields["key"]; m != "" {
			prob.Message = m
		}
		prob.Fields = entry
		return s.renderProviderVisit(w, r, a, v, status, r.PostForm, prob)
	}
	msg := v.T("provider.report.again")
	if !res.Replayed {
		ov, err := s.Svc.Order(r.Context(), a, id)
		if err != nil {
			return err
		}
		msg = fmt.Sprintf(v.T("provider.report.saved"), ov.Order.Content.Person.Name, in.On, visitSummary(v, in))
	}
	// The answer is the day's visits: trygg.js, which sends the form,
	// puts this address in the address bar.
	w.Header().Set("Content-Location", "/provider/report")
	w.Header().Set(savedHeader, "1")
	return s.renderProviderReport(w, r, a, v, reportPage{Message: msg})
}

// visitSummary says what a report was: its time, or its deviation.
func visitSummary(v *server.View, in service.PerformedInput) string {
	var parts []string
	switch {
	case in.Start != "":
		parts = append(parts, in.Start+"–"+in.End)
	case in.Minutes > 0:
		parts = append(parts, server.FormatMinutes(in.Minutes))
	}
	if in.Deviation != "" {
		parts = append(parts, v.T("deviation."+in.Deviation))
	}
	return strings.Join(parts, ", ")
}

// ---- A whole shift ----

// shiftPage reports a shift: a row per order started by the day.
type shiftPage struct {
	Key, On, Today string
	Outbox         string
	Rows           []shiftRow
	Deviations     []string
	Message        string
	Problem        server.FormProblem
}

// shiftRow is an order's row: rows.N.* in the form.
type shiftRow struct {
	N int
	orderItem
	Minutes, Deviation, Note string
	Activities               []activityOption
	Errors                   map[string]string
}

func (s *handlers) handleProviderShift(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderProviderShift(w, r, a, v, http.StatusOK, nil, server.FormProblem{}, "")
}

// renderProviderShift shows the shift form: empty with a new key, or as
// posted with the messages on their rows.
func (s *handlers) renderProviderShift(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, status int, form url.Values, prob server.FormProblem, message string) error {
	if err := providerOnly(a); err != nil {
		return err
	}
	p := shiftPage{Today: s.Svc.Today(), Deviations: deviationValues, Problem: prob, Message: message, Outbox: outboxOf(a)}
	p.Key, p.On = newFormKey(), p.Today
	if form != nil {
		p.Key, p.On = form.Get("key"), form.Get("on")
	}
	day := p.On
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		day = p.Today
	}
	items, err := s.startedOrders(r.Context(), a, v.Lang, day)
	if err != nil {
		return err
	}
	posted := shiftPosted(form)
	for i, it := range items {
		row := shiftRow{N: i, orderItem: it}
		var checked []string
		if pr, ok := posted[it.ID]; ok {
			row.Minutes, row.Deviation, row.Note, checked = pr.Get("minutes"), pr.Get("deviation"), pr.Get("note"), pr["activities"]
			row.Errors = prob.Under(fmt.Sprintf("rows.%s.", it.ID))
		} else {
			for _, n := range it.Needs {
				checked = append(checked, n.Code)
			}
		}
		for _, n := range it.Needs {
			row.Activities = append(row.Activities, activityOption{Code: n.Code, Label: n.Label, Checked: slices.Contains(checked, n.Code)})
		}
		p.Rows = append(p.Rows, row)
	}
	v.Title = v.T("provider.shift.title")
	v.Data = p
	return pages.Render(w, status, "provider_shift", *v)
}

// shiftPosted returns the posted rows by order: rows.N.order names the
// order of row N; its other fields lose the "rows.N." prefix.
func shiftPosted(form url.Values) map[string]url.Values {
	out := map[string]url.Values{}
	for k, vals := range form {
		rest, ok := strings.CutPrefix(k, "rows.")
		if !ok {
			continue
		}
		n, field, ok := strings.Cut(rest, ".")
		if !ok || field != "order" || len(vals) == 0 {
			continue
		}
		row := url.Values{}
		for k2, v2 := range form {
			if f, ok := strings.CutPrefix(k2, "rows."+n+"."); ok {
				row[f] = v2
			}
		}
		out[vals[0]] = row
	}
	return out
}

// handleProviderShiftSave sends the shift's filled-in rows as one batch
// under the key the form was shown with: the same form sent twice is
// counted once.
func (s *handlers) handleProviderShiftSave(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if err := providerOnly(a); err != nil {
		return err
	}
	if err := server.ParseForm(w, r); err != nil {
		return err
	}
	on := strings.TrimSpace(r.PostForm.Get("on"))
	posted := shiftPosted(r.PostForm)
	var ids []string
	for id := range posted {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var entries []service.PerformedInput
	var rowOf []string
	prob := server.FormProblem{Fields: map[string]string{}}
	for _, id := range ids {
		row := posted[id]
		if strings.TrimSpace(row.Get("minutes")) == "" && row.Get("deviation") == "" {
			continue // not visited on this shift
		}
		in, bad := performedFromForm(v, row, "")
		in.OrderID, in.On = id, on
		for k, m := range bad {
			prob.Fields["rows."+id+"."+k] = m
		}
		entries = append(entries, in)
		rowOf = append(rowOf, id)
	}
	switch {
	case len(prob.Fields) > 0:
		prob.Message = server.MessageIn(v.Lang, "The report is not valid; nothing was saved.")
		return s.renderProviderShift(w, r, a, v, http.StatusUnprocessableEntity, r.PostForm, prob, "")
	case len(entries) == 0:
		prob.Message = v.T("provider.shift.empty")
		return s.renderProviderShift(w, r, a, v, http.StatusUnprocessableEntity, r.PostForm, prob, "")
	}
	res, err := s.Svc.ReportPerformedBatch(r.Context(), a, service.BatchInput{Key: r.PostForm.Get("key"), Entries: entries})
	if rp, ok := resentChanged(v, r.PostForm, err); ok {
		return s.renderProviderShift(w, r, a, v, http.StatusConflict, r.PostForm, rp, "")
	}
	if err != nil {
		status, sp, err := server.ProblemOf(v.Lang, err)
		if err != nil {
			return err
		}
		prob.Message = sp.Message
		dates := map[string]string{} // the date's message by row
		for k, m := range sp.Fields {
			rest, ok := strings.CutPrefix(k, "entries.")
			if !ok {
				prob.Message += " " + m
				continue
			}
			n, field, _ := strings.Cut(rest, ".")
			i, err := strconv.Atoi(n)
			if err != nil || i < 0 || i >= len(rowOf) {
				continue
			}
			if field == "on" {
				dates[rowOf[i]] = m
			}
			prob.Fields["rows."+rowOf[i]+"."+field] = m
		}
		// The same message on every row is about the shift's date: shown
		// once, next to it.
		if len(dates) == len(rowOf) {
			same := ""
			for _, m := range dates {
				same = m
			}
			all := true
			for _, m := range dates {
				all = all && m == same
			}
			if all {
				prob.Fields["on"] = same
				for id := range dates {
					delete(prob.Fields, "rows."+id+".on")
				}
			}
		}
		return s.renderProviderShift(w, r, a, v, status, r.PostForm, prob, "")
	}
	var msg string
	if res.Replayed {
		msg = v.T("provider.shift.again")
	} else {
		visits, devs := 0, 0
		for _, e := range entries {
			if e.Deviation != "" {
				devs++
			} else {
				visits++
			}
		}
		msg = v.Tn("provider.shift.saved", len(entries), on, v.Tn("provider.shift.visits", visits), v.Tn("provider.shift.deviations", devs))
	}
	w.Header().Set(savedHeader, strconv.Itoa(len(entries)))
	return s.renderProviderShift(w, r, a, v, http.StatusOK, nil, server.FormProblem{}, msg)
}
