package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
)

// The shape of the municipality the workloads run in, per person: cases in
// all (the demo's, and history up to this many), and signed journal notes,
// each with its event. At the default 100,000 persons that is 150,000
// cases and 1,000,000 notes, so with their events and the demo's more than
// 2 million notes and events.
const (
	// CasesPerPerson is how many cases per person the history fills up to.
	CasesPerPerson = 1.5
	// NotesPerPerson is the default of Options.NotesPerPerson.
	NotesPerPerson = 10
	// HistoryDays is how far back the history goes.
	HistoryDays = 730
)

// benchNoteTexts are the journal notes' texts, about the length of a
// real note.
var benchNoteTexts = []string{
	"Telefonsamtal med den enskilde. Hen berättar att det fungerar bättre hemma sedan förra veckan men att hen fortfarande behöver hjälp med inköp och tvätt. Vi kom överens om att höras igen om två veckor.",
	"Hembesök tillsammans med kollega. Bostaden är städad och den enskilde verkar trygg. Vi gick igenom vad som är viktigt för hen framåt och vilka insatser som kan bli aktuella. Anhörig var närvarande.",
	"Samtal med skolan om närvaron. Mentorn beskriver att eleven har varit frånvarande flera dagar den senaste månaden och att kontakten med vårdnadshavarna har varit svår att få till. Nytt möte bokas.",
	"Inkomna handlingar: kontoutdrag för de tre senaste månaderna och hyresavi. Underlaget är komplett och utredningen kan gå vidare. Den enskilde informerad per telefon om att beslut väntas inom två veckor.",
	"Uppföljning av insatsen. Utföraren rapporterar att besöken fungerar enligt planen och att målen är delvis uppnådda. Den enskilde är nöjd men önskar ändrade tider på morgonen. Tas upp med utföraren.",
	"Nätverksmöte med vårdnadshavare, skola och BUP. Vi gick igenom nuläget och vad var och en gör fram till nästa möte. Vårdnadshavarna samtycker till fortsatt kontakt mellan skolan och socialtjänsten.",
}

// loadHistory gives the generated municipality the shape of a city's
// records: cases of every type the demo uses added until there are
// CasesPerPerson per person, each in a step of its type chosen at
// random (final steps closed), and Options.NotesPerPerson (default
// NotesPerPerson) signed journal notes per person spread over the cases open at the time, each with its
// note.signed event. It is written day by day over HistoryDays, each
// day one transaction dated that day, so rows and events carry the days
// they happened on and the event log stays in time order. It goes
// straight through the store (it is data, not work being measured); cases
// are written in the state they end in, with their case.opened event on
// the day they opened and case.closed on the day they closed.
func (b *bench) loadHistory(ctx context.Context) error {
	comp, err := b.definitions(ctx, b.defs)
	if err != nil {
		return err
	}
	protected := map[string]bool{}
	var people []persons.Person
	for _, p := range b.ds.Persons {
		if p.Protection != persons.ProtectionNone {
			protected[p.ID] = true
			continue
		}
		people = append(people, p)
	}
	// Templates: the demo's own cases with an officer, by case type; a
	// new case takes one's unit, officer and title.
	var templates []demo.Case
	steps := map[string][]string{}
	for _, c := range b.ds.Cases {
		if c.AssignedTo == "" || c.Journey || protected[c.PersonID] {
			continue
		}
		if _, ok := steps[c.CaseType]; !ok {
			ct, ok := comp.CaseType(c.CaseType)
			if !ok {
				continue
			}
			for _, st := range ct.Steps {
				steps[c.CaseType] = append(steps[c.CaseType], st.ID.Value)
			}
		}
		templates = append(templates, c)
	}
	if len(templates) == 0 || len(people) == 0 {
		return fmt.Errorf("history: the generated municipality has no case with an officer (give more --persons)")
	}
	rng := rand.New(rand.NewPCG(uint64(b.opt.Seed), 11))
	now := b.db.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	first := today.AddDate(0, 0, -HistoryDays)
	at := func(day int) time.Time {
		return first.AddDate(0, 0, day).Add(8*time.Hour + time.Duration(rng.IntN(9*3600))*time.Second)
	}

	type histCase struct {
		store.Case
		open, close int // days after first; close -1 while open
	}
	extra := max(0, int(float64(b.opt.Persons)*CasesPerPerson)-len(b.ds.Cases))
	cases := make([]histCase, 0, extra)
	for range extra {
		t := templates[rng.IntN(len(templates))]
		st := steps[t.CaseType]
		step := st[rng.IntN(len(st))]
		open := rng.IntN(HistoryDays)
		c := histCase{Case: store.Case{ID: uuid.Must(uuid.NewV7()).String(), PersonID: people[rng.IntN(len(people))].ID, UnitID: t.UnitID,
			CaseType: t.CaseType, Title: t.Title, Status: "open", DefinitionVersion: b.defs, Step: step, AssignedTo: t.AssignedTo,
			OpenedAt: at(open)}, open: open, close: -1}
		if comp.StepFinal(t.CaseType, step) {
			c.close = open + rng.IntN(HistoryDays-open)
			c.Status, c.ClosedAt = "closed", at(c.close)
			if c.ClosedAt.Before(c.OpenedAt) {
				c.ClosedAt = c.OpenedAt
			}
		}
		cases = append(cases, c)
	}
	slices.SortFunc(cases, func(x, y histCase) int { return x.open - y.open })
	closing := map[int][]int{} // day -> indexes into cases
	for i, c := range cases {
		if c.close >= 0 {
			closing[c.close] = append(closing[c.close], i)
		}
	}
	// The cases notes are written on: the demo's (with an officer, not the
	// journeys', which start fresh) and the history's, once opened.
	type noteCase struct{ id, person, officer string }
	demoCases := slices.Clone(b.ds.Cases)
	slices.SortFunc(demoCases, func(x, y demo.Case) int { return x.OpenedAt.Compare(y.OpenedAt) })
	var pool []noteCase
	nextDemo, nextHist := 0, 0

	notes := b.opt.Persons * b.opt.NotesPerPerson
	b.progress("writing %d days of history: %d more cases (%d in all) and %d signed journal notes with their events",
		HistoryDays, len(cases), len(cases)+len(b.ds.Cases), notes)
	defer b.db.ReplayAt(time.Time{})
	written := 0
	for day := range HistoryDays {
		dayStart := first.AddDate(0, 0, day)
		for ; nextDemo < len(demoCases) && demoCases[nextDemo].OpenedAt.Before(dayStart.AddDate(0, 0, 1)); nextDemo++ {
			c := demoCases[nextDemo]
			if c.AssignedTo != "" && !c.Journey {
				pool = append(pool, noteCase{c.ID, c.PersonID, c.AssignedTo})
			}
		}
		todayCases := nextHist
		for ; todayCases < len(cases) && cases[todayCases].open == day; todayCases++ {
		}
		n := notes/HistoryDays + min(1, max(0, notes%HistoryDays-day))
		b.db.ReplayAt(dayStart.Add(17 * time.Hour))
		err := b.db.Update(ctx, func(tx *store.Tx) error {
			var es []events.Event
			for _, c := range cases[nextHist:todayCases] {
				if err := tx.InsertCase(ctx, demo.TenantID, c.Case); err != nil {
					return err
				}
				es = append(es, historyEvent(events.CaseOpened, c.AssignedTo, "case", c.ID, c.PersonID, c.ID,
					map[string]any{"unit_id": c.UnitID, "case_type": c.CaseType, "assigned_to": c.AssignedTo}))
				pool = append(pool, noteCase{c.ID, c.PersonID, c.AssignedTo})
			}
			for _, i := range closing[day] {
				c := cases[i]
				es = append(es, historyEvent(events.CaseClosed, c.AssignedTo, "case", c.ID, c.PersonID, c.ID, map[string]any{"step": c.Step}))
			}
			if len(pool) > 0 && n > 0 {
				ns := make([]store.Note, n)
				for i := range ns {
					c := pool[rng.IntN(len(pool))]
					when := at(day)
					ns[i] = store.Note{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.id, Body: benchNoteTexts[rng.IntN(len(benchNoteTexts))],
						Author: c.officer, CreatedAt: when, SignedAt: when.Add(time.Duration(rng.IntN(3600)) * time.Second)}
					es = append(es, historyEvent(events.NoteSigned, c.officer, "note", ns[i].ID, c.person, c.id, map[string]any{"corrects": ""}))
				}
				if err := tx.InsertSignedNotes(ctx, demo.TenantID, ns); err != nil {
					return err
				}
				written += n
			}
			_, err := tx.AppendEvents(ctx, es)
			return err
		})
		if err != nil {
			return fmt.Errorf("history, day %s: %w", dayStart.Format(time.DateOnly), err)
		}
		nextHist = todayCases
		if day%100 == 99 {
			b.progress("history: %d of %d days, %d notes", day+1, HistoryDays, written)
		}
	}
	b.histCases, b.histNotes = len(cases), written
	return nil
}

// historyEvent is an event of the generated history, by the case's officer.
func historyEvent(typ, actor, subjectType, subjectID, personID, caseID string, payload map[string]any) events.Event {
	p, _ := json.Marshal(payload)
	return events.Event{Tenant: demo.TenantID, ActorID: actor, Type: typ, SubjectType: subjectType, SubjectID: subjectID,
		PersonID: personID, CaseID: caseID, Payload: p}
}

// definitions returns the compiled definitions of a published version.
func (b *bench) definitions(ctx context.Context, version int64) (*process.Compiled, error) {
	if comp, ok := b.compiled[version]; ok {
		return comp, nil
	}
	files, err := b.db.DefinitionFiles(ctx, demo.TenantID, version)
	if err != nil {
		return nil, err
	}
	var pf []process.File
	for _, f := range files {
		pf = append(pf, process.File{Name: f.Name, Data: []byte(f.Content)})
	}
	bundle, probs := process.Load(pf)
	var comp *process.Compiled
	if len(probs) == 0 {
		comp, probs = process.Compile(bundle)
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("definitions version %d: %v", version, probs)
	}
	if b.compiled == nil {
		b.compiled = map[int64]*process.Compiled{}
	}
	b.compiled[version] = comp
	return comp, nil
}
