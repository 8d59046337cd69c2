package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storedtext"
	"github.com/trygg/trygg/internal/trygg"
)

// Each kind's batch: decide every record (refused with a reason, skipped
// as imported before, merged, mapped or created), collect what to write,
// and write it unless the run is dry. legacyRunner.commit writes the
// legacy ids, events and report rows after.

func (r *legacyRunner) unitsBatch(ctx context.Context, recs []legacyRec[legacy.Unit]) error {
	done, err := r.imported(ctx, legacy.KindUnits, legacyIDsOf(recs, func(u legacy.Unit) string { return u.LegacyID }))
	if err != nil {
		return err
	}
	for _, rec := range recs {
		u := rec.R
		switch id, ok := done(u.LegacyID); {
		case rec.Bad != nil:
			r.unreadable(legacy.KindUnits, rec.Bad)
		case ok:
			r.skipped(legacy.KindUnits, u.Pos, u.LegacyID, id)
		default:
			unit, reason, detail := r.unitOf(u.LegacyID)
			if reason != "" {
				r.refuse(legacy.KindUnits, u.Pos, u.LegacyID, reason, detail)
				continue
			}
			r.keep(legacy.KindUnits, u.Pos, u.LegacyID, unit, store.LegacyMapped, "unit", "unit="+unit, "")
		}
	}
	return nil
}

// unitOf returns the trygg unit of a legacy unit, or the reason and
// detail of its refusal.
func (r *legacyRunner) unitOf(code string) (unit, reason, detail string) {
	id, ok := r.m.Unit(code)
	if !ok {
		return "", "unknown_unit", legacyCode("unit", code)
	}
	if _, ok := r.units[id]; !ok {
		return "", "unknown_unit", "unit=" + id + " (not in the organisation)"
	}
	return id, "", ""
}

func (r *legacyRunner) staffBatch(ctx context.Context, recs []legacyRec[legacy.Staff]) error {
	done, err := r.imported(ctx, legacy.KindStaff, legacyIDsOf(recs, func(s legacy.Staff) string { return s.LegacyID }))
	if err != nil {
		return err
	}
	for _, rec := range recs {
		st := rec.R
		if rec.Bad != nil {
			r.unreadable(legacy.KindStaff, rec.Bad)
			continue
		}
		if id, ok := done(st.LegacyID); ok {
			r.skipped(legacy.KindStaff, st.Pos, st.LegacyID, id)
			continue
		}
		if username, ok := r.m.Staff(st.LegacyID); ok {
			u, err := r.s.db.UserByUsername(ctx, r.a.Tenant, username)
			switch {
			case err == nil:
				r.staff[st.LegacyID] = u.ID
				r.newStaff = append(r.newStaff, st.LegacyID)
				r.keep(legacy.KindStaff, st.Pos, st.LegacyID, u.ID, store.LegacyMapped, "staff", "username="+username, "")
				continue
			case trygg.ErrorCode(err) != trygg.ENotFound:
				return err
			}
			r.refuse(legacy.KindStaff, st.Pos, st.LegacyID, "unknown_user", legacyCode("username", username))
			continue
		}
		// Not in the mapping: the author of the past, as a disabled user.
		if r.dry {
			r.keep(legacy.KindStaff, st.Pos, st.LegacyID, "", store.LegacyCreated, "", "", "")
			continue
		}
		before, err := r.s.db.UserByUsername(ctx, r.a.Tenant, legacyUsername(r.run.System, st.LegacyID))
		if err != nil && trygg.ErrorCode(err) != trygg.ENotFound {
			return err
		}
		id, err := r.legacyUser(ctx, st.LegacyID, st.Name)
		if err != nil {
			return err
		}
		r.staff[st.LegacyID] = id
		r.newStaff = append(r.newStaff, st.LegacyID)
		if before.ID != "" {
			// Another district's export of the same system brought them in.
			r.keep(legacy.KindStaff, st.Pos, st.LegacyID, id, store.LegacyMerged, "same_staff", "", "")
			continue
		}
		r.keep(legacy.KindStaff, st.Pos, st.LegacyID, id, store.LegacyCreated, "", "", "")
	}
	return nil
}

func (r *legacyRunner) personsBatch(ctx context.Context, recs []legacyRec[legacy.Person]) error {
	tenant := r.a.Tenant
	done, err := r.imported(ctx, legacy.KindPersons, legacyIDsOf(recs, func(p legacy.Person) string { return p.LegacyID }))
	if err != nil {
		return err
	}
	var create []persons.Person
	var markers []store.LegacyMarker
	mark := func(personID string) {
		if r.run.Mode == store.LegacyPersons && personID != "" {
			markers = append(markers, store.LegacyMarker{PersonID: personID, Source: r.run.Source, System: r.run.System, District: r.run.District})
		}
	}
	// The batch's identity numbers (and the numbers they replaced), read
	// first, so trygg's persons with them are found in a query or two.
	type parsed struct {
		id, prev     persons.Identity
		err, prevErr error
	}
	ids := make([]parsed, len(recs))
	var lookup []persons.Identity
	for i, rec := range recs {
		if rec.Bad != nil {
			continue
		}
		x := &ids[i]
		if x.id, x.err = legacyIdentity(rec.R.Identity, r.run.System, r.today); x.err == nil {
			newest, _ := r.newest(x.id)
			lookup = append(lookup, newest)
		}
		x.prevErr = errNoPrevious
		if strings.TrimSpace(rec.R.PreviousIdentity) != "" {
			if x.prev, x.prevErr = legacyIdentity(rec.R.PreviousIdentity, r.run.System, r.today); x.prevErr == nil {
				lookup = append(lookup, x.prev)
			}
		}
	}
	found, err := r.tx.PersonIDsByIdentity(ctx, tenant, lookup)
	if err != nil {
		return err
	}
	byKey := map[string]string{} // identity -> person made in this batch
	for i, rec := range recs {
		p := rec.R
		if rec.Bad != nil {
			r.unreadable(legacy.KindPersons, rec.Bad)
			continue
		}
		if id, ok := done(p.LegacyID); ok {
			r.skipped(legacy.KindPersons, p.Pos, p.LegacyID, id)
			mark(id)
			continue
		}
		id, err := ids[i].id, ids[i].err
		if err != nil {
			r.refuse(legacy.KindPersons, p.Pos, p.LegacyID, "invalid_identity", trygg.ErrorMessage(err))
			continue
		}
		id, replaced := r.newest(id)
		reason := "same_identity"
		if replaced {
			reason = "identity_replaced"
		}
		key := identityKey(id)
		pid := byKey[key]
		if pid == "" && r.dry && r.identities[legacyHash(key)] {
			pid = "-"
		}
		if pid == "" {
			pid = found[key]
		}
		if pid == "" && ids[i].prevErr == nil {
			// The person trygg knows by the older number gets the newer.
			prev := store.IdentityKey(ids[i].prev)
			if pid = found[prev]; pid != "" {
				reason = "identity_replaced"
				if !r.dry {
					if err := r.tx.SetPersonIdentity(ctx, tenant, pid, id); err != nil {
						return err
					}
					delete(found, prev)
					found[key] = pid
				}
			}
		}
		if pid != "" {
			if pid == "-" {
				pid = ""
			}
			r.keep(legacy.KindPersons, p.Pos, p.LegacyID, pid, store.LegacyMerged, reason, "", "")
			mark(pid)
			continue
		}
		np := persons.Person{ID: newPersonID(), Identity: id, GivenName: legacyLine(p.GivenName), FamilyName: legacyLine(p.FamilyName),
			Address: persons.Address{Street: legacyLine(p.Street), PostalCode: legacyLine(p.PostalCode), City: legacyLine(p.City)}}
		if b, ok := id.BirthDate(); ok {
			np.BirthDate = b.Format(time.DateOnly)
		}
		np.Sex = id.Sex()
		if np.Sex == "" {
			switch strings.ToUpper(strings.TrimSpace(p.Sex)) {
			case "M":
				np.Sex = "M"
			case "K", "F":
				np.Sex = "F"
			}
		}
		if p.Protected {
			// The old system does not say which protection: the stricter.
			np.Protection = persons.ProtectionProtected
		}
		if err := np.Validate(); err != nil {
			r.refuse(legacy.KindPersons, p.Pos, p.LegacyID, "invalid_person", legacyFields(err))
			continue
		}
		byKey[key] = np.ID
		created := ""
		if replaced {
			created = "identity_replaced"
		}
		if r.dry {
			r.identities[legacyHash(key)] = true
			r.keep(legacy.KindPersons, p.Pos, p.LegacyID, "", store.LegacyCreated, created, "", "")
			continue
		}
		create = append(create, np)
		r.keep(legacy.KindPersons, p.Pos, p.LegacyID, np.ID, store.LegacyCreated, created, "", "")
		mark(np.ID)
		e := events.New(r.a, events.PersonRegistered, "person", np.ID, withTraits(map[string]any{"identity_type": np.Identity.Type,
			"source": "legacy"}, np.Identity))
		e.PersonID = np.ID
		r.nowEvents = append(r.nowEvents, e)
	}
	if r.dry {
		return nil
	}
	if err := r.tx.InsertPastPersons(ctx, tenant, create); err != nil {
		return err
	}
	return r.tx.InsertLegacyMarkers(ctx, tenant, markers)
}

// errNoPrevious is a person record's previous identity when it names none.
var errNoPrevious = errors.New("no previous identity")

func (r *legacyRunner) relationsBatch(ctx context.Context, recs []legacyRec[legacy.Relation]) error {
	done, err := r.imported(ctx, legacy.KindRelations, legacyIDsOf(recs, func(x legacy.Relation) string { return x.LegacyID }))
	if err != nil {
		return err
	}
	var who []string
	for _, rec := range recs {
		who = append(who, rec.R.From, rec.R.To)
	}
	ps, err := r.refs(ctx, legacy.KindPersons, who)
	if err != nil {
		return err
	}
	var rels []persons.Relation
	for _, rec := range recs {
		x := rec.R
		if rec.Bad != nil {
			r.unreadable(legacy.KindRelations, rec.Bad)
			continue
		}
		if id, ok := done(x.LegacyID); ok {
			r.skipped(legacy.KindRelations, x.Pos, x.LegacyID, id)
			continue
		}
		from, fok := ps[strings.TrimSpace(x.From)]
		to, tok := ps[strings.TrimSpace(x.To)]
		kind, kok := r.m.Relation(x.Kind)
		switch {
		case !fok:
			r.refuse(legacy.KindRelations, x.Pos, x.LegacyID, "unknown_person", "from")
			continue
		case !tok:
			r.refuse(legacy.KindRelations, x.Pos, x.LegacyID, "unknown_person", "to")
			continue
		case !kok:
			r.refuse(legacy.KindRelations, x.Pos, x.LegacyID, "unknown_code", legacyCode("kind", x.Kind))
			continue
		}
		rel := persons.Relation{ID: newID(), FromPersonID: from.ID, ToPersonID: to.ID, Kind: persons.RelationKind(kind),
			ValidFrom: string(x.ValidFrom), ValidTo: string(x.ValidTo)}
		if !r.dry && rel.FromPersonID == rel.ToPersonID {
			r.refuse(legacy.KindRelations, x.Pos, x.LegacyID, "same_person", "")
			continue
		}
		r.keep(legacy.KindRelations, x.Pos, x.LegacyID, rel.ID, store.LegacyCreated, "", "", "")
		if r.dry {
			continue
		}
		rels = append(rels, rel)
		e := events.New(r.a, events.RelationAdded, "relation", rel.ID, map[string]any{"id": rel.ID, "from_person_id": rel.FromPersonID,
			"to_person_id": rel.ToPersonID, "kind": rel.Kind, "valid_from": rel.ValidFrom, "valid_to": rel.ValidTo, "source": "legacy"})
		e.PersonID = rel.ToPersonID
		r.nowEvents = append(r.nowEvents, e)
	}
	if r.dry {
		return nil
	}
	return r.tx.InsertPastRelations(ctx, r.a.Tenant, rels)
}

func (r *legacyRunner) casesBatch(ctx context.Context, recs []legacyRec[legacy.Case]) error {
	done, err := r.imported(ctx, legacy.KindCases, legacyIDsOf(recs, func(c legacy.Case) string { return c.LegacyID }))
	if err != nil {
		return err
	}
	ps, err := r.refs(ctx, legacy.KindPersons, legacyIDsOf(recs, func(c legacy.Case) string { return c.Person }))
	if err != nil {
		return err
	}
	type made struct {
		c                store.Case
		closed           time.Time
		legacyID, author string
		pos              legacy.Pos
	}
	var cs []made
	for _, rec := range recs {
		c := rec.R
		if rec.Bad != nil {
			r.unreadable(legacy.KindCases, rec.Bad)
			continue
		}
		if id, ok := done(c.LegacyID); ok {
			r.skipped(legacy.KindCases, c.Pos, c.LegacyID, id)
			continue
		}
		person, ok := ps[strings.TrimSpace(c.Person)]
		if !ok {
			r.refuse(legacy.KindCases, c.Pos, c.LegacyID, "unknown_person", "person")
			continue
		}
		lc, ok := r.m.CaseType(c.CaseType)
		if !ok {
			r.refuse(legacy.KindCases, c.Pos, c.LegacyID, "unknown_code", legacyCode("case_type", c.CaseType))
			continue
		}
		unit, reason, detail := r.unitOf(c.Unit)
		if reason != "" {
			r.refuse(legacy.KindCases, c.Pos, c.LegacyID, reason, detail)
			continue
		}
		if !r.comp.UnitAllowed(lc.CaseType, r.units[unit].Path) {
			r.refuse(legacy.KindCases, c.Pos, c.LegacyID, "unit_not_allowed", "case_type="+lc.CaseType+" unit="+unit)
			continue
		}
		opened, ok := legacyTime(c.Opened)
		received, rok := legacyDay(c.Received)
		if !ok {
			opened, ok = received, rok
		}
		if !ok {
			r.refuse(legacy.KindCases, c.Pos, c.LegacyID, "no_date", "opened")
			continue
		}
		closed, isClosed := legacyTime(c.Closed)
		row := store.Case{ID: newID(), PersonID: person.ID, UnitID: unit, CaseType: lc.CaseType, Status: "open", Step: lc.OpenStep,
			DefinitionVersion: r.run.DefinitionVersion, OpenedAt: opened, ReceivedDate: calendar.Today(opened)}
		if rok {
			row.ReceivedDate = string(c.Received)
		}
		if isClosed {
			row.Status, row.Step, row.ClosedAt = "closed", lc.ClosedStep, closed
		}
		row.Title = r.caseTitle(c, lc.CaseType)
		if err := storedtext.Check(row.Title, storedtext.Line); err != nil {
			r.refuse(legacy.KindCases, c.Pos, c.LegacyID, "invalid_text", "title")
			continue
		}
		r.keep(legacy.KindCases, c.Pos, c.LegacyID, row.ID, store.LegacyCreated, "", "", lc.CaseType)
		if r.dry {
			continue
		}
		author, err := r.authorOf(ctx, c.Officer)
		if err != nil {
			return err
		}
		// An open case goes to its officer when the officer works in
		// trygg (mapped); the past's officers are the closed cases'.
		if id, ok := r.staff[strings.TrimSpace(c.Officer)]; ok && (isClosed || r.activeUser(ctx, id)) {
			row.AssignedTo = id
		} else if isClosed {
			row.AssignedTo = author
		}
		cs = append(cs, made{c: row, closed: closed, legacyID: c.LegacyID, author: author, pos: c.Pos})
	}
	if r.dry || len(cs) == 0 {
		return nil
	}
	rows := make([]store.Case, len(cs))
	for i, m := range cs {
		rows[i] = m.c
	}
	// New trygg references, in the order the cases were opened.
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rows[a].OpenedAt.Compare(rows[b].OpenedAt) })
	sorted := make([]store.Case, len(rows))
	for i, j := range order {
		sorted[i] = rows[j]
	}
	if err := giveReferences(ctx, r.tx, r.a.Tenant, r.comp, sorted); err != nil {
		return err
	}
	for i, j := range order {
		rows[j].Reference = sorted[i].Reference
	}
	if err := r.tx.InsertPastCases(ctx, r.a.Tenant, rows); err != nil {
		return err
	}
	for i, m := range cs {
		c := rows[i]
		r.past(c.OpenedAt, m.author, events.CaseOpened, "case", c.ID, c.PersonID, c.ID, map[string]any{"unit_id": c.UnitID, "case_type": c.CaseType,
			"assigned_to": c.AssignedTo, "definition_version": c.DefinitionVersion, "step": c.Step, "reference": c.Reference,
			"received_date": c.ReceivedDate})
		if c.Status == "closed" {
			r.past(c.ClosedAt, m.author, events.CaseClosed, "case", c.ID, c.PersonID, c.ID, map[string]any{"step": c.Step})
		}
	}
	return nil
}

// activeUser reports whether the user id may sign in (a mapped user,
// not one that stands for the past).
func (r *legacyRunner) activeUser(ctx context.Context, id string) bool {
	if active, ok := r.active[id]; ok {
		return active
	}
	u, err := r.s.db.UserByID(ctx, r.a.Tenant, id)
	if r.active == nil {
		r.active = map[string]bool{}
	}
	r.active[id] = err == nil && !u.Disabled
	return r.active[id]
}

// caseTitle is an imported case's title: the old system's, or the case
// type's registration title, with the old system's reference (its
// diarienummer) after it, so a case is found by the number people used.
func (r *legacyRunner) caseTitle(c legacy.Case, caseType string) string {
	title := legacyLine(c.Title)
	if title == "" {
		title = r.comp.RegistrationTitle(caseType, "sv")
	}
	if title == "" {
		if ct, ok := r.comp.CaseType(caseType); ok {
			title = ct.Name.In("sv")
		}
	}
	if title == "" {
		title = "Ärende"
	}
	if ref := legacyLine(c.Reference); ref != "" {
		title += " (tidigare dnr " + ref + ")"
	}
	return title
}

func (r *legacyRunner) formsBatch(ctx context.Context, recs []legacyRec[legacy.FormValue]) error {
	done, err := r.imported(ctx, legacy.KindForms, legacyIDsOf(recs, func(f legacy.FormValue) string { return f.LegacyID }))
	if err != nil {
		return err
	}
	cases, err := r.refs(ctx, legacy.KindCases, legacyIDsOf(recs, func(f legacy.FormValue) string { return f.Case }))
	if err != nil {
		return err
	}
	var entries []store.FormEntry
	for start := 0; start < len(recs); {
		if recs[start].Bad != nil {
			r.unreadable(legacy.KindForms, recs[start].Bad)
			start++
			continue
		}
		end := start + 1
		for end < len(recs) && recs[end].Bad == nil && recs[end].R.LegacyID == recs[start].R.LegacyID {
			end++
		}
		rows := recs[start:end]
		start = end
		f := rows[0].R
		if id, ok := done(f.LegacyID); ok {
			if r.seen[f.LegacyID] {
				r.refuse(legacy.KindForms, f.Pos, f.LegacyID, "form_rows_apart", "")
				continue
			}
			r.skipped(legacy.KindForms, f.Pos, f.LegacyID, id)
			continue
		}
		c, ok := cases[strings.TrimSpace(f.Case)]
		if !ok {
			r.refuse(legacy.KindForms, f.Pos, f.LegacyID, "unknown_case", "case")
			continue
		}
		formID, fieldOf, ok := r.m.Form(f.Form)
		if !ok {
			r.refuse(legacy.KindForms, f.Pos, f.LegacyID, "unknown_code", legacyCode("form", f.Form))
			continue
		}
		signed, ok := legacyTime(f.Signed)
		if !ok {
			r.refuse(legacy.KindForms, f.Pos, f.LegacyID, "form_unsigned", "")
			continue
		}
		values := map[string]any{}
		var unmapped, invalid []string
		for _, row := range rows {
			field, ok := fieldOf(row.R.Key)
			if !ok {
				unmapped = append(unmapped, legacyCode("key", row.R.Key))
				continue
			}
			v, ok := r.formValue(formID, field, row.R.Value)
			if !ok {
				invalid = append(invalid, field)
				continue
			}
			values[field] = v
		}
		stored, err := r.comp.StoredValues(formID, values, "sv")
		if err != nil {
			var te *trygg.Error
			if !errors.As(err, &te) || len(te.Fields) == 0 {
				return err
			}
			for k := range te.Fields {
				field := strings.TrimPrefix(k, "values.")
				invalid = append(invalid, field)
				delete(values, field)
			}
			if stored, err = r.comp.StoredValues(formID, values, "sv"); err != nil {
				r.refuse(legacy.KindForms, f.Pos, f.LegacyID, "invalid_values", "")
				continue
			}
		}
		outcome, reason, detail := store.LegacyCreated, "", ""
		if len(unmapped) > 0 || len(invalid) > 0 {
			slices.Sort(invalid)
			var parts []string
			if len(unmapped) > 0 {
				parts = append(parts, "not mapped: "+strings.Join(slices.Compact(unmapped), ", "))
			}
			if len(invalid) > 0 {
				parts = append(parts, "values left out: "+strings.Join(slices.Compact(invalid), ", "))
			}
			outcome, reason, detail = store.LegacyMapped, "form_fields_left_out", strings.Join(parts, "; ")
		}
		id := newID()
		r.keep(legacy.KindForms, f.Pos, f.LegacyID, id, outcome, reason, detail, "")
		if r.dry {
			continue
		}
		author, err := r.authorOf(ctx, f.Author)
		if err != nil {
			return err
		}
		b, err := json.Marshal(stored)
		if err != nil {
			return err
		}
		entries = append(entries, store.FormEntry{ID: id, CaseID: c.CaseID, FormID: formID, DefinitionVersion: c.DefinitionVersion,
			Values: string(b), SignedBy: author, SignedAt: signed})
		r.past(signed, author, events.FormSigned, "form_entry", id, c.PersonID, c.CaseID, map[string]any{"form_id": formID, "supersedes": "",
			"definition_version": c.DefinitionVersion, "codes": assessedCodes(r.comp, formID, stored)})
	}
	if r.dry {
		return nil
	}
	return r.tx.InsertPastFormEntries(ctx, r.a.Tenant, entries)
}

// formValue turns a form row's value as the old system wrote it into
// the value of the form's field: text as it is, a day, a number, an
// amount in öre, yes or no, and the codes of choices as the mapping
// spells them. ok is false for a value that is none of these, or a field
// (rows, an assessment) a key–value row cannot fill.
func (r *legacyRunner) formValue(formID, field, raw string) (any, bool) {
	v := norm.NFC.String(strings.TrimSpace(raw))
	switch r.comp.FieldType(formID, field) {
	case process.FieldText, process.FieldLongText, process.FieldPerson:
		return v, storedtext.Check(v, storedtext.Multiline) == nil
	case process.FieldDate:
		d, err := legacy.ParseDate(v)
		return string(d), err == nil
	case process.FieldNumber:
		n, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(v, " ", ""), ",", "."), 64)
		return n, err == nil
	case process.FieldMoney:
		o, err := legacy.ParseOre(v)
		return float64(o), err == nil
	case process.FieldYesNo:
		b, err := legacy.ParseBool(v)
		return b, err == nil
	case process.FieldChoice:
		if v == "" {
			return "", true
		}
		code, ok := r.m.Code(r.comp.FieldCodeSystem(formID, field), v)
		return code, ok
	case process.FieldMultiChoice:
		out := []any{}
		for _, part := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ';' || c == '|' }) {
			code, ok := r.m.Code(r.comp.FieldCodeSystem(formID, field), part)
			if !ok {
				return nil, false
			}
			out = append(out, code)
		}
		return out, true
	}
	return nil, false
}

func (r *legacyRunner) decisionsBatch(ctx context.Context, recs []legacyRec[legacy.Decision]) error {
	done, err := r.imported(ctx, legacy.KindDecisions, legacyIDsOf(recs, func(d legacy.Decision) string { return d.LegacyID }))
	if err != nil {
		return err
	}
	cases, err := r.refs(ctx, legacy.KindCases, legacyIDsOf(recs, func(d legacy.Decision) string { return d.Case }))
	if err != nil {
		return err
	}
	var ds []store.Decision
	var execs []legacyExecution
	for _, rec := range recs {
		d := rec.R
		if rec.Bad != nil {
			r.unreadable(legacy.KindDecisions, rec.Bad)
			continue
		}
		if id, ok := done(d.LegacyID); ok {
			r.skipped(legacy.KindDecisions, d.Pos, d.LegacyID, id)
			continue
		}
		c, ok := cases[strings.TrimSpace(d.Case)]
		if !ok {
			r.refuse(legacy.KindDecisions, d.Pos, d.LegacyID, "unknown_case", "case")
			continue
		}
		ct, _ := r.comp.CaseType(c.CaseType)
		if ct == nil || ct.Decisions == nil {
			r.refuse(legacy.KindDecisions, d.Pos, d.LegacyID, "no_decisions", "case_type="+c.CaseType)
			continue
		}
		insats, rule, ok := r.m.Insats(c.CaseType, d.Insats)
		if !ok {
			r.refuse(legacy.KindDecisions, d.Pos, d.LegacyID, "unknown_code", legacyCode("insats", d.Insats))
			continue
		}
		outcome, ok := r.m.Outcome(d.Outcome)
		if !ok {
			r.refuse(legacy.KindDecisions, d.Pos, d.LegacyID, "unknown_code", legacyCode("outcome", d.Outcome))
			continue
		}
		measure := ct.Decisions.Measure()
		var amount int64
		outcomeOf, reason, detail := store.LegacyCreated, "", ""
		if d.Amount != 0 || strings.TrimSpace(d.AmountUnit) != "" {
			unit, v, ok := r.m.Amount(d.AmountUnit, d.Amount)
			switch {
			case !ok:
				r.refuse(legacy.KindDecisions, d.Pos, d.LegacyID, "unknown_code", legacyCode("amount_unit", d.AmountUnit))
				continue
			case unit != measure.Unit:
				// The decision is kept; an amount in a unit its case type
				// does not count would be read wrong, so it is left out.
				outcomeOf, reason, detail = store.LegacyMapped, "amount_left_out", "amount_unit="+unit+", the case type counts "+measure.Unit
			default:
				amount = v
			}
		}
		decided, ok := legacyTime(d.Decided)
		if !ok {
			r.refuse(legacy.KindDecisions, d.Pos, d.LegacyID, "no_date", "decided")
			continue
		}
		justification := norm.NFC.String(d.Justification)
		if storedtext.Check(justification, storedtext.Multiline) != nil || storedtext.Check(d.LegalBasis, storedtext.Line) != nil {
			r.refuse(legacy.KindDecisions, d.Pos, d.LegacyID, "invalid_text", "justification")
			continue
		}
		if rule > 0 {
			if detail != "" {
				detail = "; " + detail
			}
			outcomeOf, reason, detail = store.LegacyMapped, "free_text_insats", fmt.Sprintf("rule %d: %s", rule, r.m.InsatsText(c.CaseType, rule))+detail
		}
		id := newID()
		r.keep(legacy.KindDecisions, d.Pos, d.LegacyID, id, outcomeOf, reason, detail, c.CaseType)
		if r.dry {
			continue
		}
		author, err := r.authorOf(ctx, d.DecidedBy)
		if err != nil {
			return err
		}
		row := store.Decision{ID: id, CaseID: c.CaseID, Insats: insats, Outcome: outcome, LegalBasis: legacyLine(d.LegalBasis),
			ValidFrom: string(d.ValidFrom), ValidTo: string(d.ValidTo), Amount: amount, Justification: justification, Status: "final",
			DraftedBy: author, DecidedBy: author, DecidedAt: decided}
		ds = append(ds, row)
		r.past(decided, author, events.DecisionMade, "decision", id, c.PersonID, c.CaseID, map[string]any{"insats": insats, "outcome": outcome,
			"legal_basis": row.LegalBasis, "valid_from": row.ValidFrom, "valid_to": row.ValidTo, "amount": amount, "appeal_by": "",
			"amount_unit": measure.Unit, "amount_period": measure.Period})
		if on, ok := legacyDay(d.Executed); ok && outcome != process.OutcomeRefused {
			execs = append(execs, legacyExecution{decision: row, personID: c.PersonID, on: string(d.Executed), at: on, by: author})
		}
	}
	if r.dry {
		return nil
	}
	if err := r.tx.InsertPastDecisions(ctx, r.a.Tenant, ds); err != nil {
		return err
	}
	return r.executions(ctx, execs)
}

// legacyExecution is a decision the export says was executed, and when.
type legacyExecution struct {
	decision     store.Decision
	personID, on string
	at           time.Time
	by           string
}

// executions records the decisions' execution (verkställighet) on their
// days, as an officer's entry or a provider's acceptance does, so a
// decision executed in the old system is not reported as waiting.
func (r *legacyRunner) executions(ctx context.Context, es []legacyExecution) error {
	rows := make([]store.PastExecution, len(es))
	for i, e := range es {
		rows[i] = store.PastExecution{CaseID: e.decision.CaseID, Execution: store.Execution{ID: newID(), DecisionID: e.decision.ID,
			Kind: process.ExecExecuted, On: e.on, RecordedBy: e.by}}
	}
	if err := r.tx.InsertPastExecutions(ctx, r.a.Tenant, rows); err != nil {
		return err
	}
	for _, e := range es {
		r.past(e.at, e.by, events.DecisionExecution, "decision", e.decision.ID, e.personID, e.decision.CaseID, map[string]any{"kind": process.ExecExecuted,
			"on": e.on, "insats": e.decision.Insats})
	}
	return nil
}

func (r *legacyRunner) notesBatch(ctx context.Context, recs []legacyRec[legacy.Note]) error {
	done, err := r.imported(ctx, legacy.KindNotes, legacyIDsOf(recs, func(n legacy.Note) string { return n.LegacyID }))
	if err != nil {
		return err
	}
	cases, err := r.refs(ctx, legacy.KindCases, legacyIDsOf(recs, func(n legacy.Note) string { return n.Case }))
	if err != nil {
		return err
	}
	var ns []store.Note
	for _, rec := range recs {
		n := rec.R
		if rec.Bad != nil {
			r.unreadable(legacy.KindNotes, rec.Bad)
			continue
		}
		if id, ok := done(n.LegacyID); ok {
			r.skipped(legacy.KindNotes, n.Pos, n.LegacyID, id)
			continue
		}
		if strings.TrimSpace(n.Case) == "" {
			// A journal note in trygg is always a case's: a note the old
			// system kept on the person alone has no place to go.
			r.refuse(legacy.KindNotes, n.Pos, n.LegacyID, "note_without_case", "")
			continue
		}
		c, ok := cases[strings.TrimSpace(n.Case)]
		if !ok {
			r.refuse(legacy.KindNotes, n.Pos, n.LegacyID, "unknown_case", "case")
			continue
		}
		if !n.Signed {
			r.refuse(legacy.KindNotes, n.Pos, n.LegacyID, "note_unsigned", "")
			continue
		}
		written, ok := legacyTime(n.Written)
		if !ok {
			r.refuse(legacy.KindNotes, n.Pos, n.LegacyID, "no_date", "written")
			continue
		}
		body := norm.NFC.String(n.Text)
		if err := storedtext.Check(body, storedtext.Multiline); err != nil || strings.TrimSpace(body) == "" {
			r.refuse(legacy.KindNotes, n.Pos, n.LegacyID, "invalid_text", "text")
			continue
		}
		id := newID()
		r.keep(legacy.KindNotes, n.Pos, n.LegacyID, id, store.LegacyCreated, "", "", "")
		if r.dry {
			continue
		}
		author, err := r.authorOf(ctx, n.Author)
		if err != nil {
			return err
		}
		ns = append(ns, store.Note{ID: id, CaseID: c.CaseID, Body: body, Author: author, CreatedAt: written, SignedAt: written})
		r.past(written, author, events.NoteSigned, "note", id, c.PersonID, c.CaseID, map[string]any{"corrects": ""})
	}
	if r.dry {
		return nil
	}
	return r.tx.InsertSignedNotes(ctx, r.a.Tenant, ns)
}

func (r *legacyRunner) documentsBatch(ctx context.Context, recs []legacyRec[legacy.Document]) error {
	done, err := r.imported(ctx, legacy.KindDocuments, legacyIDsOf(recs, func(d legacy.Document) string { return d.LegacyID }))
	if err != nil {
		return err
	}
	cases, err := r.refs(ctx, legacy.KindCases, legacyIDsOf(recs, func(d legacy.Document) string { return d.Case }))
	if err != nil {
		return err
	}
	for _, rec := range recs {
		d := rec.R
		if rec.Bad != nil {
			r.unreadable(legacy.KindDocuments, rec.Bad)
			continue
		}
		if id, ok := done(d.LegacyID); ok {
			r.skipped(legacy.KindDocuments, d.Pos, d.LegacyID, id)
			continue
		}
		c, ok := cases[strings.TrimSpace(d.Case)]
		if !ok {
			r.refuse(legacy.KindDocuments, d.Pos, d.LegacyID, "unknown_case", "case")
			continue
		}
		content, reason, err := r.documentFile(d)
		if err != nil {
			return err
		}
		if reason != "" {
			r.refuse(legacy.KindDocuments, d.Pos, d.LegacyID, reason, "")
			continue
		}
		created, ok := legacyTime(d.Created)
		if !ok {
			r.refuse(legacy.KindDocuments, d.Pos, d.LegacyID, "no_date", "created")
			continue
		}
		// trygg keeps the documents it can show safely, the type found
		// from the content as for every attachment: PDF, JPEG and PNG.
		ctype, ext, ok := SniffDocument(content)
		if !ok {
			r.refuse(legacy.KindDocuments, d.Pos, d.LegacyID, "file_type", "")
			continue
		}
		id := newID()
		r.keep(legacy.KindDocuments, d.Pos, d.LegacyID, id, store.LegacyCreated, "", "", "")
		if r.dry {
			continue
		}
		author, err := r.authorOf(ctx, d.Author)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(content)
		at := store.Attachment{ID: id, PersonID: c.PersonID, CaseID: c.CaseID, Name: attachmentName(d.Name, ext), ContentType: ctype, Size: int64(len(content)),
			SHA256: hex.EncodeToString(sum[:]), UploadedBy: author, UploadedAt: created, Content: content}
		if err := r.tx.InsertPastAttachment(ctx, r.a.Tenant, at); err != nil {
			return err
		}
		r.past(created, author, events.AttachmentAdded, "attachment", id, c.PersonID, c.CaseID, map[string]any{"case_type": c.CaseType,
			"content_type": ctype, "size": at.Size, "sha256": at.SHA256})
	}
	return nil
}

// documentFile reads a document's file and checks it against the
// export's checksum; reason says why it is refused (a missing file, one
// too large, a checksum that does not match). The error is an I/O error
// that ends the run.
func (r *legacyRunner) documentFile(d legacy.Document) (content []byte, reason string, err error) {
	f, size, err := r.exp.File(d.File)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "file_missing", nil
	}
	if err != nil {
		return nil, "file_missing", nil
	}
	defer f.Close()
	if size > LegacyMaxDocument {
		return nil, "file_too_large", nil
	}
	content, err = io.ReadAll(io.LimitReader(f, LegacyMaxDocument+1))
	if err != nil {
		return nil, "", fmt.Errorf("documents: %w", err)
	}
	if len(content) > LegacyMaxDocument {
		return nil, "file_too_large", nil
	}
	if want := strings.TrimSpace(d.SHA256); want != "" {
		sum := sha256.Sum256(content)
		if !strings.EqualFold(hex.EncodeToString(sum[:]), want) {
			return nil, "checksum_mismatch", nil
		}
	}
	return content, "", nil
}

func (r *legacyRunner) ordersBatch(ctx context.Context, recs []legacyRec[legacy.Order]) error {
	done, err := r.imported(ctx, legacy.KindOrders, legacyIDsOf(recs, func(o legacy.Order) string { return o.LegacyID }))
	if err != nil {
		return err
	}
	decisions, err := r.refs(ctx, legacy.KindDecisions, legacyIDsOf(recs, func(o legacy.Order) string { return o.Decision }))
	if err != nil {
		return err
	}
	var people map[string]persons.Person
	if !r.dry {
		var ids []string
		for _, d := range decisions {
			ids = append(ids, d.PersonID)
		}
		if people, err = r.tx.PersonsByIDs(ctx, r.a.Tenant, legacyUnique(ids)); err != nil {
			return err
		}
	}
	var os []store.Order
	var execs []legacyExecution
	executed := map[string]bool{}
	providerOf := map[string]string{} // decision id -> its order's provider
	if !r.dry {
		var ids []string
		for _, d := range decisions {
			ids = append(ids, d.ID)
		}
		if executed, err = r.tx.DecisionsExecuted(ctx, r.a.Tenant, legacyUnique(ids)); err != nil {
			return err
		}
	}
	for _, rec := range recs {
		o := rec.R
		if rec.Bad != nil {
			r.unreadable(legacy.KindOrders, rec.Bad)
			continue
		}
		if id, ok := done(o.LegacyID); ok {
			r.skipped(legacy.KindOrders, o.Pos, o.LegacyID, id)
			continue
		}
		d, ok := decisions[strings.TrimSpace(o.Decision)]
		if !ok {
			r.refuse(legacy.KindOrders, o.Pos, o.LegacyID, "unknown_decision", "decision")
			continue
		}
		ref, ok := r.m.Provider(o.Provider)
		if !ok {
			r.refuse(legacy.KindOrders, o.Pos, o.LegacyID, "unknown_code", legacyCode("provider", o.Provider))
			continue
		}
		provider, ok := r.providerOf(ref)
		if !ok {
			r.refuse(legacy.KindOrders, o.Pos, o.LegacyID, "unknown_provider", legacyCode("provider", o.Provider))
			continue
		}
		start, sok := legacyDay(o.Start)
		end, eok := legacyDay(o.End)
		id := newID()
		r.keep(legacy.KindOrders, o.Pos, o.LegacyID, id, store.LegacyCreated, "", "", d.CaseType)
		if r.dry {
			continue
		}
		sent := d.DecidedAt
		if sok && start.Before(sent) {
			sent = start
		}
		ct, _ := r.comp.CaseType(d.CaseType)
		unit := ""
		if ct != nil && ct.Decisions != nil {
			unit = ct.Decisions.Measure().Unit
		}
		p := people[d.PersonID]
		row := store.Order{ID: id, CaseID: d.CaseID, DecisionID: d.ID, PersonID: d.PersonID, ProviderID: provider, UnitID: d.UnitID,
			Insats: d.Insats, Amount: d.Amount, AmountUnit: unit, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, Status: store.OrderAccepted,
			StartDate: string(o.Start), Protected: p.Protection != persons.ProtectionNone, Revision: 1, CreatedAt: sent, UpdatedAt: sent,
			Content: store.OrderContent{Person: store.OrderPerson{Name: strings.TrimSpace(p.GivenName + " " + p.FamilyName),
				IdentityNumber: p.Identity.String(), Address: strings.TrimSpace(p.Address.Street + ", " + p.Address.PostalCode + " " + p.Address.City)},
				InsatsLabel: r.comp.InsatsLabel(d.CaseType, d.Insats, "sv"), Needs: []store.OrderNeed{}, Goals: []store.OrderGoal{}}}
		if sok {
			row.UpdatedAt = start
		}
		// An order ended in the old system is ended here; the export says
		// so by its end date, passed.
		if eok && !legacyOrderRunning(o.End, calendar.Today(r.now)) {
			row.Status, row.EndedOn, row.EndReason, row.UpdatedAt = store.OrderEnded, string(o.End), "legacy", end
		}
		os = append(os, row)
		providerOf[d.ID] = provider
		actor := d.DecidedBy
		payload := func(status, endedOn, reason string) map[string]any {
			return map[string]any{"decision_id": row.DecisionID, "provider_id": row.ProviderID, "unit_id": row.UnitID, "insats": row.Insats,
				"amount": row.Amount, "amount_unit": row.AmountUnit, "status": status, "start_date": row.StartDate, "ended_on": endedOn,
				"end_reason": reason}
		}
		r.past(sent, actor, events.OrderSent, "order", id, row.PersonID, row.CaseID, payload(store.OrderSent, "", ""))
		if sok {
			r.past(start, actor, events.OrderAccepted, "order", id, row.PersonID, row.CaseID, payload(store.OrderAccepted, "", ""))
			// The provider started: the decision is executed from then,
			// unless the export said when.
			if !executed[d.ID] {
				executed[d.ID] = true
				execs = append(execs, legacyExecution{decision: store.Decision{ID: d.ID, CaseID: d.CaseID, Insats: d.Insats}, personID: d.PersonID,
					on: string(o.Start), at: start, by: actor})
			}
		}
		if row.Status == store.OrderEnded {
			r.past(end, actor, events.OrderEnded, "order", id, row.PersonID, row.CaseID, payload(store.OrderEnded, row.EndedOn, row.EndReason))
		}
	}
	if r.dry {
		return nil
	}
	if err := r.tx.InsertPastOrders(ctx, r.a.Tenant, os); err != nil {
		return err
	}
	if err := r.tx.SetDecisionsProvider(ctx, r.a.Tenant, providerOf); err != nil {
		return err
	}
	return r.executions(ctx, execs)
}

// providerOf returns the registered provider a mapping's provider names.
func (r *legacyRunner) providerOf(ref process.LegacyProviderRef) (string, bool) {
	digits := func(s string) string {
		return strings.Map(func(c rune) rune {
			if c < '0' || c > '9' {
				return -1
			}
			return c
		}, s)
	}
	for _, p := range r.providers {
		if ref.OrgNumber != "" && digits(p.OrgNumber) != digits(ref.OrgNumber) {
			continue
		}
		if ref.Unit != "" && p.UnitID != ref.Unit {
			continue
		}
		return p.ID, true
	}
	return "", false
}

func (r *legacyRunner) performedBatch(ctx context.Context, recs []legacyRec[legacy.Performed]) error {
	done, err := r.imported(ctx, legacy.KindPerformed, legacyIDsOf(recs, func(p legacy.Performed) string { return p.LegacyID }))
	if err != nil {
		return err
	}
	orders, err := r.refs(ctx, legacy.KindOrders, legacyIDsOf(recs, func(p legacy.Performed) string { return p.Order }))
	if err != nil {
		return err
	}
	var ps []store.Performed
	var providers []string
	type report struct {
		order   legacyRef
		entries []map[string]any
		last    time.Time
	}
	reports := map[string]*report{}
	var reportOrder []string
	for _, rec := range recs {
		p := rec.R
		if rec.Bad != nil {
			r.unreadable(legacy.KindPerformed, rec.Bad)
			continue
		}
		if id, ok := done(p.LegacyID); ok {
			r.skipped(legacy.KindPerformed, p.Pos, p.LegacyID, id)
			continue
		}
		o, ok := orders[strings.TrimSpace(p.Order)]
		if !ok {
			r.refuse(legacy.KindPerformed, p.Pos, p.LegacyID, "unknown_order", "order")
			continue
		}
		deviation := ""
		if strings.TrimSpace(p.Deviation) != "" {
			if deviation, ok = r.m.Deviation(p.Deviation); !ok {
				r.refuse(legacy.KindPerformed, p.Pos, p.LegacyID, "unknown_code", legacyCode("deviation", p.Deviation))
				continue
			}
		}
		on, ok := legacyDay(p.On)
		if !ok {
			r.refuse(legacy.KindPerformed, p.Pos, p.LegacyID, "no_date", "on")
			continue
		}
		if p.Minutes < 0 || p.Minutes > 24*60 {
			r.refuse(legacy.KindPerformed, p.Pos, p.LegacyID, "invalid_minutes", "minutes")
			continue
		}
		id := newID()
		r.keep(legacy.KindPerformed, p.Pos, p.LegacyID, id, store.LegacyCreated, "", "", "")
		if r.dry {
			continue
		}
		author, err := r.exportAuthor(ctx)
		if err != nil {
			return err
		}
		at := on.Add(18 * time.Hour)
		ps = append(ps, store.Performed{ID: id, OrderID: o.ID, On: string(p.On), Minutes: p.Minutes, Deviation: deviation, ReportedBy: author, ReportedAt: at})
		providers = append(providers, o.ProviderID)
		rp := reports[o.ID]
		if rp == nil {
			rp = &report{order: o}
			reports[o.ID] = rp
			reportOrder = append(reportOrder, o.ID)
		}
		e := map[string]any{"id": id, "on": string(p.On), "minutes": p.Minutes}
		if deviation != "" {
			e["deviation"] = deviation
		}
		rp.entries = append(rp.entries, e)
		if at.After(rp.last) {
			rp.last = at
		}
	}
	if r.dry {
		return nil
	}
	author, err := r.exportAuthor(ctx)
	if err != nil {
		return err
	}
	for _, id := range reportOrder {
		rp := reports[id]
		r.past(rp.last, author, events.OrderPerformed, "order", id, rp.order.PersonID, rp.order.CaseID, map[string]any{"batch_key": "",
			"entries": rp.entries})
	}
	return r.tx.InsertPastPerformed(ctx, r.a.Tenant, ps, providers)
}

func (r *legacyRunner) paymentsBatch(ctx context.Context, recs []legacyRec[legacy.Payment]) error {
	done, err := r.imported(ctx, legacy.KindPayments, legacyIDsOf(recs, func(p legacy.Payment) string { return p.LegacyID }))
	if err != nil {
		return err
	}
	cases, err := r.refs(ctx, legacy.KindCases, legacyIDsOf(recs, func(p legacy.Payment) string { return p.Case }))
	if err != nil {
		return err
	}
	decisions, err := r.refs(ctx, legacy.KindDecisions, legacyIDsOf(recs, func(p legacy.Payment) string { return p.Decision }))
	if err != nil {
		return err
	}
	var ids []string
	for _, d := range decisions {
		ids = append(ids, d.ID)
	}
	have, err := r.tx.PaymentLineKeys(ctx, r.a.Tenant, legacyUnique(ids))
	if err != nil {
		return err
	}
	var lines []store.PaymentLine
	for _, rec := range recs {
		p := rec.R
		if rec.Bad != nil {
			r.unreadable(legacy.KindPayments, rec.Bad)
			continue
		}
		if id, ok := done(p.LegacyID); ok {
			r.skipped(legacy.KindPayments, p.Pos, p.LegacyID, id)
			continue
		}
		c, ok := cases[strings.TrimSpace(p.Case)]
		if !ok {
			r.refuse(legacy.KindPayments, p.Pos, p.LegacyID, "unknown_case", "case")
			continue
		}
		if strings.TrimSpace(p.Decision) == "" {
			r.refuse(legacy.KindPayments, p.Pos, p.LegacyID, "payment_without_decision", "")
			continue
		}
		d, ok := decisions[strings.TrimSpace(p.Decision)]
		if !ok {
			r.refuse(legacy.KindPayments, p.Pos, p.LegacyID, "unknown_decision", "decision")
			continue
		}
		itemID, ok := r.m.PaymentItem(p.Item)
		if !ok {
			r.refuse(legacy.KindPayments, p.Pos, p.LegacyID, "unknown_code", legacyCode("item", p.Item))
			continue
		}
		var item *process.PaymentItem
		if pays := r.comp.Payments(c.CaseType); pays != nil {
			for i := range pays.Items {
				if pays.Items[i].ID.Value == itemID {
					item = &pays.Items[i]
				}
			}
		}
		if item == nil {
			r.refuse(legacy.KindPayments, p.Pos, p.LegacyID, "unknown_code", "item="+itemID+" (not a payment of case type "+c.CaseType+")")
			continue
		}
		paid, ok := legacyDay(p.Paid)
		if !ok {
			// trygg pays what is not yet paid through its own payment runs:
			// a payment the old system has not made is made there or
			// decided again here, never brought in as proposed.
			r.refuse(legacy.KindPayments, p.Pos, p.LegacyID, "payment_not_paid", "")
			continue
		}
		key := d.ID + "|" + itemID + "|" + strings.TrimSpace(p.Period)
		if d.Dry {
			key = strings.TrimSpace(p.Decision) + "|" + itemID + "|" + strings.TrimSpace(p.Period)
		}
		if have[key] {
			r.refuse(legacy.KindPayments, p.Pos, p.LegacyID, "duplicate_payment", "item="+itemID+" period="+legacyCode("period", p.Period))
			continue
		}
		have[key] = true
		id := newID()
		r.keep(legacy.KindPayments, p.Pos, p.LegacyID, id, store.LegacyCreated, "", "", "")
		if r.dry {
			continue
		}
		by := d.DecidedBy
		if by == "" {
			if by, err = r.exportAuthor(ctx); err != nil {
				return err
			}
		}
		at := paid.Add(12 * time.Hour)
		l := store.PaymentLine{ID: id, CaseID: c.CaseID, DecisionID: d.ID, PersonID: c.PersonID, UnitID: c.UnitID, CaseType: c.CaseType,
			Item: itemID, ItemName: item.Name.SV, Schedule: item.Schedule.Value, Period: strings.TrimSpace(p.Period), PayeeCategory: "person",
			Amount: int64(p.Amount), DueDate: string(p.Paid), Status: store.PaymentPaid, PreparedBy: by, PreparedAt: at, DecidedBy: by,
			AttestedBy: by, AttestedAt: at}
		lines = append(lines, l)
		r.past(at, by, events.PaymentProposed, "payment_line", id, l.PersonID, l.CaseID, map[string]any{"decision_id": l.DecisionID, "item": l.Item,
			"period": l.Period, "amount": l.Amount, "payee_category": l.PayeeCategory, "due_date": l.DueDate})
		r.past(at, by, events.PaymentPaid, "payment_line", id, l.PersonID, l.CaseID, map[string]any{"amount": l.Amount})
	}
	if r.dry {
		return nil
	}
	return r.tx.InsertPastPaymentLines(ctx, r.a.Tenant, lines)
}

// legacyIDsOf returns a field (a legacy id) of each readable record.
func legacyIDsOf[T any](recs []legacyRec[T], f func(T) string) []string {
	out := make([]string, 0, len(recs))
	for _, rec := range recs {
		if rec.Bad == nil {
			out = append(out, strings.TrimSpace(f(rec.R)))
		}
	}
	return out
}

// legacyLine is one line of text as trygg keeps it: NFC, trimmed.
func legacyLine(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }

// legacyFields names the fields of an invalid error (never their values).
func legacyFields(err error) string {
	var te *trygg.Error
	if errors.As(err, &te) && len(te.Fields) > 0 {
		return strings.Join(slices.Sorted(maps.Keys(te.Fields)), ", ")
	}
	return ""
}
