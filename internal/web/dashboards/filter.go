package dashboards

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/analytics"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/internal/web/server"
)

// maxMonths is the longest period a dashboard shows at once.
const maxMonths = 36

var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// filterForm is a dashboard's filter as the user set it (months as
// YYYY-MM), with what may be chosen and the errors at its fields.
type filterForm struct {
	Action                             string // the dashboard's path
	From, To, District, Unit, CaseType string
	Options                            service.AnalysisOptions
	Errors                             map[string]string
}

// fieldOrder is the order of the filter's fields, for the error summary.
var fieldOrder = []string{"from", "to", "district", "unit", "case_type"}

// ErrorList returns the errors in the order of the fields.
func (f filterForm) ErrorList() []string {
	var out []string
	for _, k := range fieldOrder {
		if e := f.Errors[k]; e != "" {
			out = append(out, e)
		}
	}
	return out
}

// Query returns the filter as a query string ("" when empty), for links
// from one dashboard to another that keep it.
func (f filterForm) Query() string {
	q := url.Values{}
	for k, v := range map[string]string{"from": f.From, "to": f.To, "district": f.District, "unit": f.Unit, "case_type": f.CaseType} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// parseFilter reads the filter from q: a period of months (by default the
// months months up to today's), a district, a unit and a case type among
// the options. It returns the form with errors at its fields and, when
// there are none, the store's filter (dates, inclusive).
func parseFilter(q url.Values, v *server.View, opts service.AnalysisOptions, today time.Time, months int) (filterForm, analytics.Filter, bool) {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	f := filterForm{From: get("from"), To: get("to"), District: get("district"), Unit: get("unit"), CaseType: get("case_type"),
		Options: opts, Errors: map[string]string{}}
	if f.To == "" {
		f.To = today.Format("2006-01")
	}
	if f.From == "" {
		if to, err := time.Parse("2006-01", f.To); err == nil {
			f.From = to.AddDate(0, -(months - 1), 0).Format("2006-01")
		}
	}
	var from, to time.Time
	for _, m := range []struct {
		field, value string
		t            *time.Time
	}{{"from", f.From, &from}, {"to", f.To, &to}} {
		t, err := time.Parse("2006-01", m.value)
		if !monthPattern.MatchString(m.value) || err != nil {
			f.Errors[m.field] = v.T("analysis.filter.error.month")
			continue
		}
		*m.t = t
	}
	if !from.IsZero() && !to.IsZero() {
		switch {
		case to.Before(from):
			f.Errors["to"] = v.T("analysis.filter.error.order")
		case to.After(from.AddDate(0, maxMonths-1, 0)):
			f.Errors["from"] = fmt.Sprintf(v.T("analysis.filter.error.long"), maxMonths)
		}
	}
	has := func(list []service.AnalysisUnit, id string) bool {
		return slices.ContainsFunc(list, func(u service.AnalysisUnit) bool { return u.ID == id })
	}
	if f.District != "" && !has(opts.Districts, f.District) {
		f.Errors["district"] = v.T("analysis.filter.error.district")
	}
	if f.Unit != "" && !has(opts.Units, f.Unit) {
		f.Errors["unit"] = v.T("analysis.filter.error.unit")
	}
	if f.CaseType != "" && !has(opts.CaseTypes, f.CaseType) {
		f.Errors["case_type"] = v.T("analysis.filter.error.casetype")
	}
	if f.Unit == "" && opts.OwnUnits && len(opts.Units) > 0 {
		// A team lead sees one of her units at a time: the first unless
		// she chooses (the service narrows alike).
		f.Unit = opts.Units[0].ID
	}
	if len(f.Errors) > 0 {
		return f, analytics.Filter{}, false
	}
	return f, analytics.Filter{From: from.Format(time.DateOnly), To: to.AddDate(0, 1, -1).Format(time.DateOnly),
		District: f.District, Unit: f.Unit, CaseType: f.CaseType}, true
}

// serviceErrors puts an invalid error's field messages at the filter's
// fields (in the page's language) and reports whether err was one.
func serviceErrors(err error, f *filterForm, lang string) bool {
	var e *trygg.Error
	if !errors.As(err, &e) || e.Code != trygg.EInvalid {
		return false
	}
	for k, msg := range e.Fields {
		if slices.Contains(fieldOrder, k) {
			f.Errors[k] = server.MessageIn(lang, msg)
		}
	}
	if len(f.Errors) == 0 {
		f.Errors["from"] = server.MessageIn(lang, e.Message)
	}
	return true
}
