package staff

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
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

// accessLogRow is one entry as the reviewer reads it: names and plain words
// instead of codes where they are known.
type accessLogRow struct {
	Seq                  int64
	At                   string
	User, Username       string
	Action, Ground       string
	Emergency            bool
	Tag                  string // the message key of the mark a reviewed-first row gets
	PersonID, CaseID     string
	Reason               string
	UserHref, PersonHref string
}

// accessLogPage is the review page's data.
type accessLogPage struct {
	Intact      bool
	Status      string
	Problems    []string
	Filter      accessLogFilter
	AnyPerson   string // the filter's URL without the person
	Errors      map[string]string
	ErrorList   []string // Errors in the order of the fields
	Listed      bool     // the filter was valid and the entries were fetched
	Rows        []accessLogRow
	Count       string
	More        string
	Emergencies string
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
	p := accessLogPage{Intact: rep.OK(), Errors: map[string]string{}}
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
	entries, err := s.Svc.AccessLog(ctx, a, f)
	if err != nil {
		return err
	}
	p.Listed = true
	if len(entries) > accessLogPageSize {
		entries = entries[:accessLogPageSize]
		p.More = v.Tn("accesslog.more", accessLogPageSize)
	} else {
		p.Count = v.Tn("accesslog.count", len(entries))
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.ActorID)
	}
	slices.Sort(ids)
	names, err := s.Svc.AccessLogUsers(ctx, a, slices.Compact(ids))
	if err != nil {
		return err
	}
	emergencies := 0
	for _, e := range entries {
		row := accessLogRow{Seq: e.Seq, At: e.At.In(calendar.Sweden).Format("2006-01-02 15:04:05"), User: e.ActorID,
			Action: plainWord(v.T, "accesslog.action.", e.Action), Ground: plainWord(v.T, "accesslog.ground.", e.Ground),
			Emergency: isEmergency(e), Tag: reviewTag(e), PersonID: e.PersonID, CaseID: e.CaseID, Reason: e.Reason}
		if n, ok := names[e.ActorID]; ok {
			by := p.Filter
			by.User = n.Username
			row.User, row.Username, row.UserHref = n.DisplayName, n.Username, by.Href()
		}
		if e.PersonID != "" {
			about := p.Filter
			about.Person = e.PersonID
			row.PersonHref = about.Href()
		}
		if row.Emergency {
			emergencies++
		}
		p.Rows = append(p.Rows, row)
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
