package service

import (
	"context"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// A case's status as the person it is about reads it on Mina sidor: where
// it is, in words (its step by the name of the case's own version), and,
// once decided, that the decision is made — "Beslut fattat", on the day
// of the newest decision — until what was decided is being carried out
// (an order to a provider) or the case is closed. The step the office
// works in after a decision ("Bedömning", with its text about the
// calculation being worked out) would tell the person nothing has
// happened.

// CitizenStatus is a case's status on Mina sidor.
type CitizenStatus struct {
	// CaseTypeName and Step name the case's kind and step in words.
	CaseTypeName string `json:"case_type_name"`
	Step         string `json:"step"`
	// Decided says the case's news is its decisions, made on DecidedOn
	// (the newest's day).
	Decided   bool   `json:"decided,omitempty"`
	DecidedOn string `json:"decided_on,omitempty"`
}

// decidedOn returns whether an open case's status is its decisions, and
// the day of the newest: final are its final decisions, orders its
// orders to providers that were not returned.
func decidedOn(c store.Case, final []store.Decision, orders int) (bool, string) {
	if c.Status != "open" || len(final) == 0 || orders > 0 {
		return false, ""
	}
	newest := final[0].DecidedAt
	for _, d := range final[1:] {
		if d.DecidedAt.After(newest) {
			newest = d.DecidedAt
		}
	}
	return true, calendar.Today(newest)
}

// CitizenOverview is Mina sidor's home: a page of the cases of the
// person acted for, newest first, with their final decisions, and each
// case's status by its id.
type CitizenOverview struct {
	PersonOverview
	Status map[string]CitizenStatus `json:"status"`
	// Next is the cursor of the page of older cases, "" when there are
	// none; Paged says this page is not the first.
	Next  string `json:"next,omitempty"`
	Paged bool   `json:"paged,omitempty"`
}

// CitizenCasesPerPage is how many cases a page of Mina sidor's home
// shows: a person with many cases (a month of economic assistance is a
// case) gets older ones a page at a time.
const CitizenCasesPerPage = 10

// CitizenOverview returns the first page of CitizenOverviewPage.
func (s *Service) CitizenOverview(ctx context.Context, a trygg.Actor, personID, lang string) (CitizenOverview, error) {
	return s.CitizenOverviewPage(ctx, a, personID, lang, "")
}

// CitizenOverviewPage returns a page of the cases of the person a citizen
// acts for, newest first, from the cursor (the Next of the page before;
// "" for the first page), read and logged as PersonOverview reads them
// but only the page's, with each case's status as the person reads it.
// Anyone the citizen does not act for is not found; a cursor it did not
// make is invalid.
func (s *Service) CitizenOverviewPage(ctx context.Context, a trygg.Actor, personID, lang, cursor string) (CitizenOverview, error) {
	if _, _, err := s.actingFor(ctx, a, personID); err != nil {
		return CitizenOverview{}, err
	}
	var after store.CaseKey
	if cursor != "" {
		us, id, ok := parseKeyCursor(cursor)
		if !ok {
			return CitizenOverview{}, trygg.Invalid("The cursor is not valid.", map[string]string{"cursor": "Not a cursor of this list: give the next of the page before, or leave it out."})
		}
		after = store.CaseKey{OpenedAt: us, ID: id}
	}
	pv, next, err := s.personCasesPage(ctx, a, personID, after, CitizenCasesPerPage)
	if err != nil {
		return CitizenOverview{}, err
	}
	o, err := s.personOverview(ctx, a, pv, lang)
	if err != nil {
		return CitizenOverview{}, err
	}
	out := CitizenOverview{PersonOverview: o, Status: map[string]CitizenStatus{}, Next: next, Paged: cursor != ""}
	versions := map[int64]*process.Compiled{}
	for _, c := range o.Cases {
		st := CitizenStatus{CaseTypeName: o.Labels.CaseTypes[c.CaseType], Step: o.Labels.Steps[c.CaseType][c.Step]}
		if c.DefinitionVersion != 0 {
			comp, ok := versions[c.DefinitionVersion]
			if !ok {
				if comp, err = s.compiled(ctx, a.Tenant, c.DefinitionVersion); err != nil {
					return CitizenOverview{}, err
				}
				versions[c.DefinitionVersion] = comp
			}
			if ct, ok := comp.CaseType(c.CaseType); ok {
				st.CaseTypeName = ct.Name.In(lang)
			}
			st.Step = comp.StepName(c.CaseType, c.Step, lang)
		}
		orders, err := s.db.CaseOrders(ctx, a.Tenant, c.ID)
		if err != nil {
			return CitizenOverview{}, err
		}
		n := 0
		for _, ord := range orders {
			if ord.Status != store.OrderReturned {
				n++
			}
		}
		st.Decided, st.DecidedOn = decidedOn(c, o.Decisions[c.ID], n)
		out.Status[c.ID] = st
	}
	return out, nil
}

// personCasesPage is Person with a page of the person's cases (at most
// limit after the key, newest first) instead of all of them, and the
// cursor of the next page ("" on the last).
func (s *Service) personCasesPage(ctx context.Context, a trygg.Actor, id string, after store.CaseKey, limit int) (PersonView, string, error) {
	p, err := s.db.PersonByID(ctx, a.Tenant, id)
	if err != nil {
		return PersonView{}, "", err
	}
	rels, err := s.db.PersonRelations(ctx, a, id)
	if err != nil {
		return PersonView{}, "", err
	}
	ground, err := access.Decide(a, access.ReadPerson, access.Subject{Relations: rels, Protection: p.Protection})
	if err != nil {
		return PersonView{}, "", err
	}
	// One more than the page tells whether there is a next page.
	cases, err := s.db.CasesOfPersonAfter(ctx, a.Tenant, id, after, limit+1)
	if err != nil {
		return PersonView{}, "", err
	}
	next := ""
	if len(cases) > limit {
		cases = cases[:limit]
		next = keyCursor(cases[limit-1].OpenedAt, cases[limit-1].ID)
	}
	v, err := s.personViewOf(ctx, a, p, rels, ground, "", cases)
	return v, next, err
}
