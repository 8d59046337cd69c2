package synthetic

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/legacy"
)

// caseInfo is what a case's records need of it.
type caseInfo struct {
	id, person, officer string
	ct                  caseType
	opened, end         time.Time // days; end is the closing day or today
	closed              bool
}

// person writes person i of the district and everything of theirs:
// records, relations, cases with their decisions, forms, documents,
// orders, visits and payments, and notes.
func (g *gen) person(i int) error {
	h := fnv.New64a()
	h.Write([]byte(g.district.Code))
	r := rand.New(rand.NewPCG(uint64(g.opts.Seed)^h.Sum64(), uint64(i)))

	// The place in the identity space: the district's own, or with dirt
	// now and then the next district's person i, who is then in both
	// exports under the same number and name.
	k := g.slot + 5*i
	if g.dirty(r, 200) {
		k = (g.slot+1)%5 + 5*i
		g.dirt["shared_persons"]++
	}
	id, birth, sex := identity(g.opts.Seed, k)
	pr := rand.New(rand.NewPCG(uint64(g.opts.Seed), uint64(k))) // the person's own: the same in every district
	given, fam := name(pr, sex)
	p := legacy.Person{
		LegacyID:   g.id(legacy.KindPersons),
		Identity:   written(r, id.Value, birth.Year()),
		GivenName:  given,
		FamilyName: g.textIn(r, fam),
		Sex:        map[string]string{"F": "K", "M": "M"}[sex],
		Street:     fmt.Sprintf("%s %d", pick(pr, streets), 1+pr.IntN(80)),
		PostalCode: fmt.Sprintf("1%02d %02d", pr.IntN(100), pr.IntN(100)),
		City:       "Demostad",
		Protected:  pr.IntN(200) == 0,
	}
	a := age(birth, g.today)
	var deceased time.Time
	if a >= 75 && r.IntN(50) == 0 {
		deceased = g.today.AddDate(0, 0, -1-r.IntN(200))
		p.Deceased = g.date(r, deceased)
	}

	// Dirt in the identity.
	var extra []legacy.Person // records of the same person after p
	var oldRecord, dupRecord string
	if g.opts.Dirt {
		switch n := r.IntN(1000); {
		case n < 10: // the same person twice
			d := p
			d.LegacyID = g.id(legacy.KindPersons)
			d.Identity = written(r, id.Value, birth.Year())
			if d.Identity == p.Identity {
				d.Identity = id.Value
				if p.Identity == id.Value {
					d.Identity = id.Value[:8] + "-" + id.Value[8:]
				}
			}
			d.FamilyName = strings.ToUpper(fam)
			d.Street, d.PostalCode = "", ""
			extra, dupRecord = append(extra, d), d.LegacyID
			g.dirt["duplicate_persons"]++
		case n < 15: // a samordningsnummer became this personnummer
			old := coordination(id.Value)
			p.PreviousIdentity = old[:8] + "-" + old[8:]
			o := p
			o.LegacyID = g.id(legacy.KindPersons)
			o.Identity, o.PreviousIdentity = old, ""
			o.Street, o.PostalCode, o.City = "", "", ""
			extra, oldRecord = append(extra, o), o.LegacyID
			g.dirt["identity_changes"]++
			g.dirt["old_identity_records"]++
		case n < 18: // known only by the old system's reserve number
			g.dirt["reserve_numbers"]++
			code := g.district.Code[:min(4, len(g.district.Code))]
			p.Identity = fmt.Sprintf("%s-R%s%04d", birth.Format("20060102"), code, g.dirt["reserve_numbers"]%10000)
		}
	}
	if err := g.w.Person(p); err != nil {
		return err
	}
	for _, e := range extra {
		if err := g.w.Person(e); err != nil {
			return err
		}
	}

	// Relations: a child's guardian, an old person's representative.
	ct := caseAO
	switch {
	case a < 18:
		ct = caseBOU
	case a < 65 && r.IntN(5) < 3:
		ct = caseEKB
	case a < 65:
		ct = caseLSS
	}
	representative := false
	if g.lastAdult != "" {
		kind := ""
		switch {
		case ct.code == "BOU":
			kind = relGuardian
		case ct.code == "ÄO" && a >= 80 && r.IntN(10) < 3:
			kind = []string{relRepresentative, relRepresentative, relGodMan, relForvaltare}[r.IntN(4)]
			representative = true
		}
		if kind != "" {
			rel := legacy.Relation{LegacyID: g.id(legacy.KindRelations), From: g.lastAdult, To: p.LegacyID, Kind: kind}
			if kind == relGuardian {
				rel.ValidFrom = g.date(r, birth)
			}
			if err := g.w.Relation(rel); err != nil {
				return err
			}
		}
	}
	if a >= 25 && a <= 70 && deceased.IsZero() {
		g.lastAdult = p.LegacyID
	}

	// Cases: the current one, sometimes an older closed one, and one on
	// each record of the same person.
	earliest := birth.AddDate(0, 0, 30)
	var cases []caseInfo
	add := func(person string, old bool) error {
		c, err := g.kase(r, person, ct, earliest, old, deceased, representative)
		if err != nil {
			return err
		}
		cases = append(cases, c)
		return nil
	}
	if err := add(p.LegacyID, false); err != nil {
		return err
	}
	if r.IntN(5) == 0 {
		if err := add(p.LegacyID, true); err != nil {
			return err
		}
	}
	if oldRecord != "" {
		if err := add(oldRecord, true); err != nil {
			return err
		}
	}
	if dupRecord != "" {
		if err := add(dupRecord, r.IntN(2) == 0); err != nil {
			return err
		}
	}

	// Notes, spread over the cases.
	for n := range g.opts.NotesPerPerson {
		c := cases[n%len(cases)]
		note := legacy.Note{
			LegacyID: g.id(legacy.KindNotes),
			Case:     c.id,
			Person:   c.person,
			Written:  g.moment(r, at(r, between(r, c.opened, c.end))),
			Author:   c.officer,
			Signed:   r.IntN(20) != 0,
			Text:     g.textIn(r, noteText(r, c.ct.code)),
		}
		if g.dirty(r, 50) {
			note.Case = ""
			g.dirt["notes_without_case"]++
		}
		if err := g.w.Note(note); err != nil {
			return err
		}
	}
	return nil
}

// kase writes a case and its decisions, forms, documents, orders,
// visits and payments. old makes it an earlier, closed one.
func (g *gen) kase(r *rand.Rand, person string, ct caseType, earliest time.Time, old bool, deceased time.Time, representative bool) (caseInfo, error) {
	today := g.today
	var opened time.Time
	if old {
		opened = between(r, today.AddDate(-8, 0, 0), today.AddDate(-3, 0, 0))
	} else {
		opened = between(r, today.AddDate(-5, 0, 0), today.AddDate(0, 0, -20))
	}
	if opened.Before(earliest) {
		opened = earliest
	}
	if opened.After(today) {
		opened = today
	}
	c := caseInfo{id: g.id(legacy.KindCases), person: person, officer: g.officer(r, ct), ct: ct, opened: opened, end: today}
	switch {
	case old:
		c.closed, c.end = true, between(r, opened.AddDate(0, 1, 0), opened.AddDate(2, 0, 0))
	case r.IntN(5) < 2:
		c.closed, c.end = true, between(r, opened.AddDate(0, 0, 20), today)
	}
	if c.end.After(today) {
		c.end = today
	}
	if !deceased.IsZero() && (!c.closed || c.end.After(deceased)) {
		c.closed, c.end = true, deceased
	}
	if c.end.Before(opened) {
		c.end = opened
	}
	received := opened.AddDate(0, 0, -r.IntN(10))
	if received.Before(earliest) {
		received = opened
	}
	g.caseSeq++
	rec := legacy.Case{
		LegacyID:  c.id,
		Person:    person,
		Unit:      g.unit(ct.unit),
		CaseType:  ct.code,
		Title:     pick(r, ct.titles),
		Received:  g.date(r, received),
		Opened:    g.moment(r, at(r, opened)),
		Officer:   c.officer,
		Reference: fmt.Sprintf("SN %d/%05d", opened.Year(), g.caseSeq%100000),
	}
	if c.closed {
		closedAt := at(r, c.end)
		if c.end.Equal(opened) {
			closedAt = time.Date(opened.Year(), opened.Month(), opened.Day(), 17, 30, 0, 0, closedAt.Location())
		}
		rec.Closed = g.moment(r, closedAt)
	}
	switch {
	case g.dirty(r, 500):
		rec.Unit = g.unit(unitMissing)
		g.dirt["missing_unit_cases"]++
	case g.dirty(r, 300):
		rec.Unit = g.unit(unitUnmapped)
		g.dirt["unmapped_unit_cases"]++
		if r.IntN(2) == 0 {
			rec.CaseType = caseTypeUnknown
			g.dirt["unknown_case_types"]++
		}
	}
	if err := g.w.Case(rec); err != nil {
		return c, err
	}
	if err := g.forms(r, c, received, representative); err != nil {
		return c, err
	}
	if err := g.decisions(r, c); err != nil {
		return c, err
	}
	if r.IntN(10) == 0 {
		if err := g.document(r, c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// forms writes the case's forms as key–value rows.
func (g *gen) forms(r *rand.Rand, c caseInfo, received time.Time, representative bool) error {
	write := func(form string, signed time.Time, rows ...[2]string) error {
		id := g.id(legacy.KindForms)
		for _, kv := range rows {
			if err := g.w.Form(legacy.FormValue{LegacyID: id, Case: c.id, Form: form, Signed: g.moment(r, signed),
				Author: c.officer, Key: kv[0], Value: g.textIn(r, kv[1])}); err != nil {
				return err
			}
		}
		return nil
	}
	switch c.ct.code {
	case "ÄO", "LSS":
		applicant := "SJ"
		if representative {
			applicant = "FÖR"
		}
		if err := write(formApplication, at(r, received), [2]string{"sokande", applicant}, [2]string{"egen_beskrivning", pick(r, ownWords)}); err != nil {
			return err
		}
		if r.IntN(10) < 6 {
			rows := [][2]string{{"egen_syn", pick(r, ownWords)}, {"relaterade_faktorer", pick(r, factors)}}
			if g.dirty(r, 10) {
				rows = append(rows, [2]string{formKeyUnmapped, "Bedömd enligt 2015 års mall."})
				g.dirt["unmapped_form_keys"]++
			}
			if err := write(formInvestigation, at(r, between(r, c.opened, c.end)), rows...); err != nil {
				return err
			}
		}
	case "BOU":
		violence := "N"
		if r.IntN(5) == 0 {
			violence = "J"
		}
		return write(formReport, at(r, received), [2]string{"anmalare", pick(r, []string{"SKOLA", "POLIS", "BVC", "ANH"})},
			[2]string{"oro", pick(r, concerns)}, [2]string{"vald", violence})
	}
	return nil
}

// decisions writes the case's decisions and what follows from them.
func (g *gen) decisions(r *rand.Rand, c caseInfo) error {
	if c.ct.code == "EKB" {
		return g.assistance(r, c)
	}
	n := 1 + r.IntN(2)
	for range n {
		in := c.ct.insatser[r.IntN(len(c.ct.insatser))]
		decided := between(r, c.opened.AddDate(0, 0, 5), c.opened.AddDate(0, 0, 60))
		if decided.After(c.end) {
			decided = c.end
		}
		d := legacy.Decision{
			LegacyID:      g.id(legacy.KindDecisions),
			Case:          c.id,
			Insats:        in.code,
			Outcome:       outcome(r),
			Decided:       g.moment(r, at(r, decided)),
			DecidedBy:     c.officer,
			LegalBasis:    c.ct.legalBasis,
			Justification: pick(r, justifications),
		}
		from := decided.AddDate(0, 0, 1+r.IntN(7))
		var to time.Time
		switch {
		case c.closed:
			to = c.end
		case r.IntN(2) == 0:
			to = from.AddDate(1, 0, 0)
		}
		if !to.IsZero() && to.Before(from) {
			to = from
		}
		if d.Outcome != outcomeRefused {
			d.ValidFrom = g.date(r, from)
			if !to.IsZero() {
				d.ValidTo = g.date(r, to)
			}
			if in.amountUnit != "" {
				amt := int64(in.minAmt+r.IntN(in.maxAmt-in.minAmt+1))*100 + int64(r.IntN(2))*50
				if d.Outcome == outcomePartly {
					amt = amt * 3 / 4
				}
				d.Amount, d.AmountUnit = amt, in.amountUnit
			}
		}
		ordered := in.order
		switch {
		case g.opts.Dirt && c.ct.code == "ÄO" && r.IntN(20) == 0:
			d.Insats = pick(r, freeTexts)
			g.dirt["free_text_insatser"]++
			if d.Insats == freeTexts[len(freeTexts)-1] {
				g.dirt["unmatched_free_texts"]++
				ordered = false
			}
		case g.dirty(r, 200):
			d.Insats, ordered = insatsUnknown, false
			g.dirt["unknown_insatser"]++
		}
		if g.dirty(r, 200) {
			d.Outcome = outcomeUnknown
			g.dirt["unknown_outcomes"]++
		}
		if ordered {
			// Its provider starts on the day it runs from.
			g.executed(&d, from, 0)
		} else {
			g.executed(&d, from, 21)
		}
		if err := g.w.Decision(d); err != nil {
			return err
		}
		granted := d.Outcome == outcomeGranted || d.Outcome == outcomePartly
		if granted && ordered {
			if err := g.order(r, c, d.LegacyID, in, from, to); err != nil {
				return err
			}
		}
		if granted && g.dirty(r, 50) {
			// The same insats decided again from a month later, while
			// the first still runs.
			o := d
			o.LegacyID = g.id(legacy.KindDecisions)
			later := from.AddDate(0, 1, 0)
			if later.After(g.today) {
				later = g.today
			}
			o.Decided = g.moment(r, at(r, later.AddDate(0, 0, -1)))
			o.ValidFrom, o.ValidTo, o.Executed = g.date(r, later), "", ""
			g.executed(&o, later, 21)
			g.dirt["overlapping_decisions"]++
			if err := g.w.Decision(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// executed gives a granted decision the day it was executed, from or up
// to spread days after, as the old system knows it for most: about one
// in eight it does not know (or the insats has not started), and one
// that would be executed after the export's day is not yet. The day is
// drawn from the decision's own legacy id, so the other records are the
// same as without it.
func (g *gen) executed(d *legacy.Decision, from time.Time, spread int) {
	if d.Outcome != outcomeGranted && d.Outcome != outcomePartly {
		return
	}
	h := fnv.New64a()
	h.Write([]byte(d.LegacyID))
	r := rand.New(rand.NewPCG(h.Sum64(), uint64(g.opts.Seed)))
	if r.IntN(8) == 0 {
		return
	}
	on := from
	if spread > 0 {
		on = on.AddDate(0, 0, r.IntN(spread))
	}
	if on.After(g.today) {
		return
	}
	d.Executed = g.date(r, on)
}

func outcome(r *rand.Rand) string {
	switch n := r.IntN(100); {
	case n < 80:
		return outcomeGranted
	case n < 88:
		return outcomePartly
	}
	return outcomeRefused
}

// assistance writes an economic-assistance case's monthly decisions and
// their payments, and now and then a one-off decision.
func (g *gen) assistance(r *rand.Rand, c caseInfo) error {
	months := 1 + r.IntN(6)
	first := time.Date(c.opened.Year(), c.opened.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m := range months {
		month := first.AddDate(0, m, 0)
		decided := month.AddDate(0, 0, r.IntN(10))
		if decided.Before(c.opened) {
			decided = c.opened
		}
		if decided.After(c.end) {
			break
		}
		in := caseEKB.insatser[0]
		if m > 0 && r.IntN(10) == 0 {
			in = caseEKB.insatser[1]
		}
		d := legacy.Decision{
			LegacyID:      g.id(legacy.KindDecisions),
			Case:          c.id,
			Insats:        in.code,
			Outcome:       outcome(r),
			Decided:       g.moment(r, at(r, decided)),
			DecidedBy:     c.officer,
			LegalBasis:    c.ct.legalBasis,
			Justification: pick(r, justifications),
		}
		kr := in.minAmt + r.IntN(in.maxAmt-in.minAmt+1)
		if d.Outcome != outcomeRefused {
			d.ValidFrom, d.ValidTo = g.date(r, month), g.date(r, month.AddDate(0, 1, -1))
			amt := int64(kr) * 100
			if d.Outcome == outcomePartly {
				amt = amt * 4 / 5
			}
			d.Amount, d.AmountUnit = amt, unitMoney
		}
		if g.dirty(r, 200) {
			d.Outcome = outcomeUnknown
			g.dirt["unknown_outcomes"]++
		}
		// Executed when paid, a few days after the decision.
		g.executed(&d, decided.AddDate(0, 0, 2), 8)
		if err := g.w.Decision(d); err != nil {
			return err
		}
		if d.Outcome != outcomeGranted && d.Outcome != outcomePartly {
			continue
		}
		item := itemLiving
		if in.code == caseEKB.insatser[1].code {
			item = itemOther
		}
		if g.dirty(r, 100) {
			item = itemUnknown
			g.dirt["unknown_payment_items"]++
		}
		pay := legacy.Payment{LegacyID: g.id(legacy.KindPayments), Case: c.id, Decision: d.LegacyID, Item: item,
			Period: month.Format("2006-01"), Amount: legacy.Ore(d.Amount)}
		if g.dirty(r, 5) {
			pay.Period = month.Format("200601")
		}
		if paid := decided.AddDate(0, 0, 2+r.IntN(8)); !paid.After(g.today) {
			pay.Paid = g.date(r, paid)
		}
		if err := g.w.Payment(pay); err != nil {
			return err
		}
		g.paymentSum += pay.Amount
	}
	return nil
}

// order writes an order of a granted decision and its visits.
func (g *gen) order(r *rand.Rand, c caseInfo, decision string, in insats, from, to time.Time) error {
	provider := providerStod
	if c.ct.code == "ÄO" {
		switch {
		case r.IntN(10) < 6:
			provider = "HT-" + g.district.Code
		case g.district.Code == "N" || g.district.Code == "O":
			provider = providerOmsorgsbolaget
		default:
			provider = providerTrivsam
		}
	}
	if g.dirty(r, 50) {
		provider = providerUnknown
		g.dirt["unknown_providers"]++
	}
	status := statusRunning
	if c.closed || !to.IsZero() && to.Before(g.today) {
		status = statusEnded
	}
	if r.IntN(50) == 0 {
		status = statusCancelled
	}
	o := legacy.Order{LegacyID: g.id(legacy.KindOrders), Decision: decision, Provider: provider, Start: g.date(r, from), Status: status}
	if !to.IsZero() {
		o.End = g.date(r, to)
	}
	if err := g.w.Order(o); err != nil {
		return err
	}
	if !in.visits || status == statusCancelled || from.After(g.today) {
		return nil
	}
	last := g.today
	if !to.IsZero() && to.Before(last) {
		last = to
	}
	for range 2 + r.IntN(7) {
		v := legacy.Performed{LegacyID: g.id(legacy.KindPerformed), Order: o.LegacyID, On: g.date(r, between(r, from, last)),
			Minutes: 15 + 5*r.IntN(16)}
		if r.IntN(15) == 0 {
			v.Deviation = pick(r, deviations)
			if v.Deviation == "EH" {
				v.Minutes = 0
			}
		}
		if err := g.w.Performed(v); err != nil {
			return err
		}
	}
	return nil
}

// document writes a document of the case and its file.
func (g *gen) document(r *rand.Rand, c caseInfo) error {
	id := g.id(legacy.KindDocuments)
	name := pick(r, documents[c.ct.code])
	d := legacy.Document{
		LegacyID:    id,
		Case:        c.id,
		Name:        name + ".pdf",
		ContentType: "application/pdf",
		File:        fmt.Sprintf("%s/%s.pdf", id[len(id)-2:], id),
		Created:     g.moment(r, at(r, between(r, c.opened, c.end))),
		Author:      c.officer,
	}
	content := pdf(id)
	writeFile := true
	switch {
	case g.dirty(r, 100):
		writeFile = false
		g.dirt["missing_files"]++
	case g.dirty(r, 100):
		content = oleDoc(id)
		d.Name, d.ContentType, d.File = name+".doc", "application/msword", strings.TrimSuffix(d.File, ".pdf")+".doc"
		g.dirt["unsupported_files"]++
	}
	d.SHA256 = checksum(content)
	if g.dirty(r, 100) {
		d.SHA256 = checksum(append(content, '\n'))
		g.dirt["wrong_checksums"]++
	}
	if writeFile {
		if err := g.w.WriteFile(d.File, content); err != nil {
			return err
		}
	}
	return g.w.Document(d)
}
