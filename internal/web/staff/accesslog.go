package staff

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// accessLogPageSize is how many entries the review page shows at most.
const accessLogPageSize = 200

// accessLogFilter is the review page's filter as the reviewer set it. The
// person is the opaque person id, never an identity number, because the
// filter travels in the URL.
type accessLogFilter struct {
	Person, User, From, To string
	Emergency              bool
}

// Href returns the review page's URL for the filter.
func (f accessLogFilter) Href() string {
	q := url.Values{}
	for k, v := range map[string]string{"person": f.Person, "user": f.User, "from": f.From, "to": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Emergency {
		q.Set("emergency", "1")
	}
	if len(q) == 0 {
		return "/access-log"
	}
	return "/access-log?" + q.Encode()
}

// accessLogRow is one row as the reviewer reads it: an entry, or a run of
// an actor's entries on the same record (store.AccessLogRun), with names
// and plain words instead of ids and codes where they are known.
type accessLogRow struct {
	Seq       string // "1234", or "1201–1260" for a run
	At        string // the time, or the run's span
	Entries   string // "14 poster" for a run, "" for one entry
	User      string
	Username  string
	Action    string
	Ground    string
	Emergency bool
	Tag       string // the message key of the mark a reviewed-first row gets
	// Person is the person's name, or their id when the name is not
	// shown (none, or a protected identity without the permission).
	Person   string
	PersonID string
	Named    bool   // Person is a name
	Case     string // the case's reference, or its id
	Reason   string
	UserHref string
	// PersonHref filters on the person; DayHref (on emergency rows) lists
	// every entry of the user that day, DayText says so.
	PersonHref, DayHref, DayText string
}

// accessLogPage is the review page's data.
type accessLogPage struct {
	Intact      bool
	Status      string
	Problems    []string
	Filter      accessLogFilter
	PersonName  string // the filtered person's name, "" if not shown
	AnyPerson   string // the filter's URL without the person
	Errors      map[string]string
	ErrorList   []string // Errors in the order of the fields
	Listed      bool     // the filter was valid and the entries were fetched
	Rows        []accessLogRow
	Count       string
	Grouped     string // how many entries the rows hold, when runs are grouped
	More        string
	Emergencies string
	OwnHidden   bool // the reviewer's own names seen are left out
	Sample      sampleForm
	// Grants are the grants of the protected-identity permission, newest
	// first.
	Grants []permissionGrantRow
}

// permissionGrantRow is one grant of the protected-identity permission.
type permissionGrantRow struct {
	At, By, To string
}

// handleAccessLogPage shows the access log for review (logggranskare): the
// chain's verification first, then the entries the filter selects,
// emergency openings first. Others get a forbidden error.
func (s *handlers) handleAccessLogPage(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	return s.renderAccessLog(w, r, a, v, r.URL.Query(), nil, http.StatusOK)
}

// handleAccessLogPerson looks a person up by identity number, posted so the
// number stays out of URLs, and sends the reviewer to that person's entries
// (by opaque id). A bad or unknown number is shown next to the field.
func (s *handlers) handleAccessLogPerson(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return trygg.Errorf(trygg.EInvalid, "The form could not be read.")
	}
	id, err := s.Svc.AccessLogPerson(r.Context(), a, r.PostForm.Get("identity_number"))
	switch code := trygg.ErrorCode(err); code {
	case "":
		http.Redirect(w, r, accessLogFilter{Person: id}.Href(), http.StatusSeeOther)
		return nil
	case trygg.EInvalid, trygg.ENotFound:
		key := map[string]string{trygg.EInvalid: "accesslog.identity.invalid", trygg.ENotFound: "accesslog.identity.notfound"}[code]
		return s.renderAccessLog(w, r, a, v, url.Values{}, map[string]string{"identity_number": v.T(key)}, server.StatusOf(code))
	default:
		return err
	}
}

// renderAccessLog renders the review page for the filter in q; errs are
// errors of a form already handled, shown with status instead of the list.
func (s *handlers) renderAccessLog(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View, q url.Values, errs map[string]string, status int) error {
	ctx := r.Context()
	rep, err := s.Svc.VerifyAccessLog(ctx, a)
	if err != nil {
		return err
	}
	v.Title = v.T("accesslog.title")
	p := accessLogPage{Intact: rep.OK(), Errors: map[string]string{}, Sample: s.lastMonthSample()}
	maps.Copy(p.Errors, errs)
	if p.Intact {
		p.Status = v.Tn("accesslog.intact", int(rep.Entries))
	} else {
		p.Status = v.Tn("accesslog.broken", len(rep.Problems), v.Tn("accesslog.entries", int(rep.Entries)))
		for _, pr := range rep.Problems {
			p.Problems = append(p.Problems, fmt.Sprintf(v.T("accesslog.problem"), pr.Seq, pr.Reason))
		}
	}
	var f store.AccessLogFilter
	p.Filter, f = parseAccessLogFilter(q, v.T, p.Errors)
	anyPerson := p.Filter
	anyPerson.Person = ""
	p.AnyPerson = anyPerson.Href()
	if p.Filter.User != "" && p.Errors["user"] == "" {
		id, err := s.Svc.AccessLogUser(ctx, a, p.Filter.User)
		switch {
		case trygg.ErrorCode(err) == trygg.ENotFound:
			p.Errors["user"] = v.T("accesslog.error.user")
		case err != nil:
			return err
		}
		f.ActorID = id
	}
	if len(p.Errors) > 0 {
		for _, field := range []string{"identity_number", "person", "user", "from", "to"} {
			if msg := p.Errors[field]; msg != "" {
				p.ErrorList = append(p.ErrorList, msg)
			}
		}
		v.Data = p
		if status == http.StatusOK {
			status = http.StatusUnprocessableEntity
		}
		return pages.Render(w, status, "accesslog", *v)
	}
	f.Limit = accessLogPageSize + 1
	runs, err := s.Svc.AccessLogRuns(ctx, a, f)
	if err != nil {
		return err
	}
	p.Listed, p.OwnHidden = true, f.ActorID != a.UserID
	if len(runs) > accessLogPageSize {
		runs = runs[:accessLogPageSize]
		p.More = v.Tn("accesslog.more", accessLogPageSize)
	} else {
		p.Count = v.Tn("accesslog.count", len(runs))
	}
	var extra []string
	if p.Filter.Person != "" {
		extra = append(extra, p.Filter.Person)
	}
	rows, names, err := s.accessLogRows(ctx, a, v, runs, p.Filter, extra)
	if err != nil {
		return err
	}
	p.Rows, p.PersonName = rows, names[p.Filter.Person]
	emergencies, entries := 0, 0
	for i, row := range p.Rows {
		if row.Emergency {
			emergencies++
		}
		entries += runs[i].Count
	}
	if entries > len(runs) {
		p.Grouped = v.Tn("accesslog.grouped", entries)
	}
	if emergencies > 0 {
		p.Emergencies = v.Tn("accesslog.emergencies", emergencies)
	}
	grants, err := s.Svc.PermissionGrants(ctx, a)
	if err != nil {
		return err
	}
	var grantIDs []string
	for _, g := range grants {
		grantIDs = append(grantIDs, g.By, g.UserID)
	}
	slices.Sort(grantIDs)
	grantNames, err := s.Svc.AccessLogUsers(ctx, a, slices.Compact(grantIDs))
	if err != nil {
		return err
	}
	nameOf := func(id string) string {
		if n, ok := grantNames[id]; ok {
			return n.DisplayName + " (" + n.Username + ")"
		}
		if id == trygg.SystemActorID {
			return v.T("accesslog.grants.system")
		}
		return id
	}
	for _, g := range grants {
		p.Grants = append(p.Grants, permissionGrantRow{At: g.At.In(calendar.Sweden).Format("2006-01-02 15:04"), By: nameOf(g.By), To: nameOf(g.UserID)})
	}
	v.Data = p
	return pages.Render(w, status, "accesslog", *v)
}

// parseAccessLogFilter reads the filter from q into what the page shows and
// what the store selects, adding field errors to errs. The period is in
// Swedish dates, to inclusive.
func parseAccessLogFilter(q url.Values, t func(string) string, errs map[string]string) (accessLogFilter, store.AccessLogFilter) {
	p := accessLogFilter{Person: strings.TrimSpace(q.Get("person")), User: strings.TrimSpace(q.Get("user")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), Emergency: q.Get("emergency") != ""}
	f := store.AccessLogFilter{EmergencyOnly: p.Emergency}
	switch {
	case looksLikeIdentityNumber(p.Person):
		// Neither shown again nor carried on in links.
		errs["person"] = t("accesslog.error.person")
		p.Person = ""
	case len(p.Person) > 100:
		errs["person"] = t("accesslog.error.long")
		p.Person = ""
	default:
		f.PersonID = p.Person
	}
	if len(p.User) > 100 {
		errs["user"] = t("accesslog.error.long")
	}
	day := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, s, calendar.Sweden)
		if err != nil {
			errs[field] = t("accesslog.error.date")
		}
		return d
	}
	f.From = day("from", p.From)
	if to := day("to", p.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs["to"] = t("accesslog.error.order")
	}
	return p, f
}

// looksLikeIdentityNumber reports whether s could be a personal identity or
// coordination number: ten or more digits and at most separators.
func looksLikeIdentityNumber(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == '+' || r == ' ':
		default:
			return false
		}
	}
	return digits >= 10
}

// isEmergency reports whether e is one the review looks at first: an
// emergency opening, or a person reached by identity number from outside
// the actor's scope (store's emergencySQL).
func isEmergency(e audit.Entry) bool {
	return e.Ground == string(access.RelEmergency) || e.Action == string(access.EmergencyOpen) ||
		e.Ground == string(access.RelIdentityNumber)
}

// reviewTag is the message key of the mark of a reviewed-first entry, or
// "" for the others.
func reviewTag(e audit.Entry) string {
	switch {
	case e.Ground == string(access.RelIdentityNumber):
		return "accesslog.identitynumber"
	case isEmergency(e):
		return "accesslog.emergency"
	}
	return ""
}

// plainWord returns the message prefix+code, or the code itself if there
// is none (a code newer than this page).
func plainWord(t func(string) string, prefix, code string) string {
	if code == "" {
		return ""
	}
	if s := t(prefix + code); s != prefix+code {
		return s
	}
	return code
}

// accessLogRows makes the rows of runs: the users', persons' and cases'
// names where they are known, plain words for actions and grounds, and
// links that narrow base. The persons' names (of the rows and of extra)
// are looked up once, which logs the reviewer's sight of each; they are
// returned by id too.
func (s *handlers) accessLogRows(ctx context.Context, a trygg.Actor, v *server.View, runs []store.AccessLogRun, base accessLogFilter, extra []string) ([]accessLogRow, map[string]string, error) {
	var users, people, cases []string
	people = append(people, extra...)
	for _, r := range runs {
		users = append(users, r.ActorID)
		if r.PersonID != "" {
			people = append(people, r.PersonID)
		}
		if r.CaseID != "" {
			cases = append(cases, r.CaseID)
		}
	}
	for _, ids := range []*[]string{&users, &people, &cases} {
		slices.Sort(*ids)
		*ids = slices.Compact(*ids)
	}
	userNames, err := s.Svc.AccessLogUsers(ctx, a, users)
	if err != nil {
		return nil, nil, err
	}
	personNames, err := s.Svc.AccessLogPersonNames(ctx, a, people)
	if err != nil {
		return nil, nil, err
	}
	refs, err := s.Svc.AccessLogCaseReferences(ctx, a, cases)
	if err != nil {
		return nil, nil, err
	}
	rows := make([]accessLogRow, 0, len(runs))
	for _, r := range runs {
		e := audit.Entry{Action: r.Action, Ground: r.Ground}
		at, first := r.At.In(calendar.Sweden), r.FirstAt.In(calendar.Sweden)
		row := accessLogRow{Seq: strconv.FormatInt(r.Seq, 10), At: at.Format(logTime), User: r.ActorID,
			Action: plainWord(v.T, "accesslog.action.", r.Action), Ground: plainWord(v.T, "accesslog.ground.", r.Ground),
			Emergency: isEmergency(e), Tag: reviewTag(e), PersonID: r.PersonID, Person: r.PersonID,
			Case: cmp.Or(refs[r.CaseID], r.CaseID), Reason: r.Reason}
		if r.Count > 1 {
			row.Seq = strconv.FormatInt(r.FirstSeq, 10) + "–" + row.Seq
			switch {
			case first.Format(time.DateOnly) != at.Format(time.DateOnly):
				row.At = first.Format(logTime) + " – " + at.Format(logTime)
			case first.Format(time.TimeOnly) != at.Format(time.TimeOnly):
				row.At = first.Format(logTime) + "–" + at.Format(time.TimeOnly)
			}
			row.Entries = v.Tn("accesslog.run", r.Count)
		}
		if name, ok := personNames[r.PersonID]; ok {
			row.Person, row.Named = name, true
		}
		userFilter := r.ActorID
		if n, ok := userNames[r.ActorID]; ok {
			row.User, row.Username, userFilter = n.DisplayName, n.Username, n.Username
			by := base
			by.User = n.Username
			row.UserHref = by.Href()
		}
		if r.PersonID != "" {
			about := base
			about.Person = r.PersonID
			row.PersonHref = about.Href()
		}
		if row.Emergency {
			day := at.Format(time.DateOnly)
			row.DayHref = accessLogFilter{User: userFilter, From: day, To: day}.Href()
			row.DayText = fmt.Sprintf(v.T("accesslog.userday"), row.User, day)
		}
		rows = append(rows, row)
	}
	return rows, personNames, nil
}

// logTime is how the review shows when an entry was written.
const logTime = "2006-01-02 15:04:05"

// defaultSampleSize is the sample form's size until the reviewer changes it.
const defaultSampleSize = 20

// sampleForm is the sample's form as the reviewer filled it in.
type sampleForm struct {
	From, To, N, Seed string
	Errors            map[string]string
}

// lastMonthSample is the sample form for last month, the period a
// monthly review looks at.
func (s *handlers) lastMonthSample() sampleForm {
	today, _ := time.ParseInLocation(time.DateOnly, s.Svc.Today(), calendar.Sweden)
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, calendar.Sweden)
	return sampleForm{From: first.AddDate(0, -1, 0).Format(time.DateOnly), To: first.AddDate(0, 0, -1).Format(time.DateOnly),
		N: strconv.Itoa(defaultSampleSize), Errors: map[string]string{}}
}

// accessLogSamplePage is the sample page's data.
type accessLogSamplePage struct {
	Form      sampleForm
	ErrorList []string
	Drawn     bool
	Summary   string // how many of how many, the period and the seed
	Again     string // the same sample's link, to give another reviewer
	Another   string // a new sample of the same period and size
	Open      bool   // the period has not ended: new entries may change it
	Rows      []accessLogRow
}

// handleAccessLogSample draws a sample (stickprov) of the period's entries
// for review. Without a seed it picks one and sends the reviewer to the
// sample's own address, so the page shows the seed and the same address
// draws the same sample for anyone.
func (s *handlers) handleAccessLogSample(w http.ResponseWriter, r *http.Request, a trygg.Actor, v *server.View) error {
	if _, err := access.Decide(a, access.ReadAccessLog, access.Subject{}); err != nil {
		return err
	}
	q := r.URL.Query()
	form := sampleForm{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		N: strings.TrimSpace(q.Get("n")), Seed: strings.TrimSpace(q.Get("seed")), Errors: map[string]string{}}
	v.Title = v.T("accesslog.sample.title")
	p := accessLogSamplePage{Form: form}
	in, ok := parseSample(&p.Form, v.T)
	if !ok {
		for _, field := range []string{"from", "to", "n", "seed"} {
			if msg := p.Form.Errors[field]; msg != "" {
				p.ErrorList = append(p.ErrorList, msg)
			}
		}
		v.Data = p
		return pages.Render(w, http.StatusUnprocessableEntity, "accesslog_sample", *v)
	}
	if in.Seed == 0 {
		seed := rand.Int64N(900000) + 100000 // six digits: easy to read out and type
		http.Redirect(w, r, sampleHref(p.Form.From, p.Form.To, in.N, seed), http.StatusSeeOther)
		return nil
	}
	smp, err := s.Svc.DrawAccessLogSample(r.Context(), a, in)
	if err != nil {
		return err
	}
	runs := make([]store.AccessLogRun, len(smp.Entries))
	for i, e := range smp.Entries {
		runs[i] = store.AccessLogRun{Seq: e.Seq, FirstSeq: e.Seq, At: e.At, FirstAt: e.At, Count: 1, ActorID: e.ActorID,
			Action: e.Action, PersonID: e.PersonID, CaseID: e.CaseID, Ground: e.Ground, Reason: e.Reason}
	}
	if p.Rows, _, err = s.accessLogRows(r.Context(), a, v, runs, accessLogFilter{From: p.Form.From, To: p.Form.To}, nil); err != nil {
		return err
	}
	p.Drawn = true
	p.Summary = v.Tn("accesslog.sample.summary", len(smp.Entries), smp.Total, p.Form.From, p.Form.To, in.Seed)
	p.Again = sampleHref(p.Form.From, p.Form.To, in.N, in.Seed)
	p.Another = sampleHref(p.Form.From, p.Form.To, in.N, 0)
	p.Open = p.Form.To >= s.Svc.Today()
	v.Data = p
	return pages.Render(w, http.StatusOK, "accesslog_sample", *v)
}

// sampleHref is the address of a sample; seed 0 leaves the seed to the
// server.
func sampleHref(from, to string, n int, seed int64) string {
	q := url.Values{"from": {from}, "to": {to}, "n": {strconv.Itoa(n)}}
	if seed != 0 {
		q.Set("seed", strconv.FormatInt(seed, 10))
	}
	return "/access-log/sample?" + q.Encode()
}

// parseSample reads the sample form into the service's input (Seed 0 when
// none is given), putting what is wrong in f.Errors; ok is false if
// anything is.
func parseSample(f *sampleForm, t func(string) string) (in service.AccessLogSampleInput, ok bool) {
	day := func(field, s string) time.Time {
		if s == "" {
			f.Errors[field] = t("accesslog.sample.error.required")
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, s, calendar.Sweden)
		if err != nil {
			f.Errors[field] = t("accesslog.error.date")
		}
		return d
	}
	in.From = day("from", f.From)
	if to := day("to", f.To); !to.IsZero() {
		in.To = to.AddDate(0, 0, 1)
	}
	if !in.From.IsZero() && !in.To.IsZero() && !in.From.Before(in.To) {
		f.Errors["to"] = t("accesslog.error.order")
	}
	n, err := strconv.Atoi(f.N)
	if err != nil || n < 1 || n > service.MaxSampleSize {
		f.Errors["n"] = fmt.Sprintf(t("accesslog.sample.error.n"), service.MaxSampleSize)
	}
	in.N = n
	if f.Seed != "" {
		seed, err := strconv.ParseInt(f.Seed, 10, 64)
		if err != nil || seed < 1 || seed > store.MaxSampleSeed {
			f.Errors["seed"] = fmt.Sprintf(t("accesslog.sample.error.seed"), store.MaxSampleSeed)
		}
		in.Seed = seed
	}
	return in, len(f.Errors) == 0
}
