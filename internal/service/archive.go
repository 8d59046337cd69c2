package service

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/archive"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// archiveRestriction is the secrecy provision written on archived cases:
// information about a person's circumstances in social services.
const archiveRestriction = "OSL 26 kap. 1 §"

// maxArchiveCases bounds one delivery; a larger backlog is delivered in
// several.
const maxArchiveCases = 5000

// ArchivePreview is what a delivery of closed cases would hold now.
type ArchivePreview struct {
	OlderThanYears int       `json:"older_than_years"`
	ClosedBefore   time.Time `json:"closed_before"`
	Cases          int       `json:"cases"`
	Persons        int       `json:"persons"`
	// Limit is the most cases one delivery takes.
	Limit int `json:"limit"`
}

// ArchiveDeliveryIn asks for a delivery of closed cases, without purging.
type ArchiveDeliveryIn struct {
	// OlderThanYears: cases closed at least this many years ago (1–100).
	OlderThanYears int `json:"older_than_years"`
	// PerCase makes a package per case instead of per personakt.
	PerCase bool `json:"per_case"`
	// OrgNumber is the municipality's organisationsnummer for the
	// packages' submitting agent; optional.
	OrgNumber string `json:"org_number,omitempty"`
}

// ArchiveDeliveryOut is a delivery made: its id, its packages (to write
// to a folder or a zip) and what they hold.
type ArchiveDeliveryOut struct {
	ID       string             `json:"id"`
	Created  time.Time          `json:"created"`
	Cases    int                `json:"cases"`
	Persons  int                `json:"persons"`
	Packages []*archive.Package `json:"-"`
}

func requireArchivist(a trygg.Actor) error {
	if !a.HasRole(trygg.RoleArchivist) {
		return trygg.Errorf(trygg.EForbidden, "Only an archivist can deliver to the archive.")
	}
	return nil
}

func archiveCutoff(now time.Time, years int) (time.Time, error) {
	if years < 1 || years > 100 {
		return time.Time{}, trygg.Invalid("Give the age of the cases in whole years, 1 to 100.", map[string]string{"older_than_years": "1–100"})
	}
	return now.AddDate(-years, 0, 0), nil
}

// ArchivePreview counts the closed cases older than years that no
// delivery has archived yet, and their persons. Only an archivist may;
// nothing personal is read, so nothing is access-logged.
func (s *Service) ArchivePreview(ctx context.Context, a trygg.Actor, years int) (ArchivePreview, error) {
	if err := requireArchivist(a); err != nil {
		return ArchivePreview{}, err
	}
	cutoff, err := archiveCutoff(s.db.Now(), years)
	if err != nil {
		return ArchivePreview{}, err
	}
	n, p, err := s.db.CountArchivable(ctx, a.Tenant, cutoff)
	if err != nil {
		return ArchivePreview{}, err
	}
	return ArchivePreview{OlderThanYears: years, ClosedBefore: cutoff, Cases: n, Persons: p, Limit: maxArchiveCases}, nil
}

// ArchiveDelivery archives without purging: it builds archive packages
// (FGS / E-ARK SIP, see docs/archive.md) of the closed cases older than
// in.OlderThanYears that no delivery holds yet, one per personakt (or
// per case), at most maxArchiveCases. In one transaction every case and
// its person read is access-logged on the ground "archive", each case is
// marked archived and a case.archived event appended. Only an archivist
// may; none to deliver is a conflict.
func (s *Service) ArchiveDelivery(ctx context.Context, a trygg.Actor, in ArchiveDeliveryIn) (ArchiveDeliveryOut, error) {
	if err := requireArchivist(a); err != nil {
		return ArchiveDeliveryOut{}, err
	}
	now := s.db.Now().UTC().Truncate(time.Second)
	cutoff, err := archiveCutoff(now, in.OlderThanYears)
	if err != nil {
		return ArchiveDeliveryOut{}, err
	}
	cases, err := s.db.ArchivableCases(ctx, a.Tenant, cutoff, maxArchiveCases)
	if err != nil {
		return ArchiveDeliveryOut{}, err
	}
	if len(cases) == 0 {
		return ArchiveDeliveryOut{}, trygg.Errorf(trygg.EConflict, "There are no closed cases that old left to archive.")
	}
	split := archive.PerPersonakt
	if in.PerCase {
		split = archive.PerCase
	}
	id := "leverans-" + now.Format("20060102-150405")
	pkgs, logged, err := s.archivePackages(ctx, a, cases, id, now, split, in.OrgNumber)
	if err != nil {
		return ArchiveDeliveryOut{}, err
	}
	err = s.updateLogged(ctx, logged, func(tx *store.Tx) error {
		return markArchived(ctx, tx, a, id, pkgs)
	})
	if err != nil {
		return ArchiveDeliveryOut{}, err
	}
	persons := map[string]bool{}
	for _, c := range cases {
		persons[c.PersonID] = true
	}
	return ArchiveDeliveryOut{ID: id, Created: now, Cases: len(cases), Persons: len(persons), Packages: pkgs}, nil
}

// ArchivePackages builds the archive packages of the given cases for
// delivery id (made at created), one per personakt or per case, and
// returns them with the access-log entries of their reads (ground
// "archive"), which the caller writes in the transaction that marks the
// cases archived (MarkArchived). Only an archivist may; an unknown case is
// not found.
func (s *Service) ArchivePackages(ctx context.Context, a trygg.Actor, caseIDs []string, id string, created time.Time, split archive.Split) ([]*archive.Package, []audit.Entry, error) {
	if err := requireArchivist(a); err != nil {
		return nil, nil, err
	}
	var cases []store.Case
	for _, cid := range caseIDs {
		c, err := s.db.CaseByID(ctx, a.Tenant, cid)
		if err != nil {
			return nil, nil, err
		}
		cases = append(cases, c)
	}
	return s.archivePackages(ctx, a, cases, id, created, split, "")
}

// CaseArchivings returns the case's deliveries to the archive, oldest
// first, for whoever may read the case (a case the actor may not read is
// not found). They name deliveries, packages and the archivist, nothing
// from the records, so the read is not logged beyond the case's own.
func (s *Service) CaseArchivings(ctx context.Context, a trygg.Actor, caseID string) ([]store.Archiving, error) {
	c, _, err := s.readableCase(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	return s.db.CaseArchivings(ctx, a.Tenant, c.ID)
}

// MarkArchived marks the packages' cases archived by delivery id inside
// tx and appends a case.archived event for each.
func MarkArchived(ctx context.Context, tx *store.Tx, a trygg.Actor, id string, pkgs []*archive.Package) error {
	return markArchived(ctx, tx, a, id, pkgs)
}

func markArchived(ctx context.Context, tx *store.Tx, a trygg.Actor, id string, pkgs []*archive.Package) error {
	for _, p := range pkgs {
		for _, cid := range p.Cases {
			c, err := tx.CaseByID(ctx, a.Tenant, cid)
			if err != nil {
				return err
			}
			if err := tx.InsertArchiving(ctx, a.Tenant, store.Archiving{CaseID: cid, DeliveryID: id, PackageID: p.ID, ArchivedBy: a.UserID}); err != nil {
				return err
			}
			ev := events.New(a, events.CaseArchived, "case", cid, map[string]any{"delivery": id, "package": p.ID})
			ev.PersonID, ev.CaseID = c.PersonID, cid
			if _, err := tx.AppendEvent(ctx, ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// softwareVersion is the running binary's version for the packages'
// creating-software agent.
func softwareVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, st := range bi.Settings {
		if st.Key == "vcs.revision" && len(st.Value) >= 12 {
			return "devel-" + st.Value[:12]
		}
	}
	return "devel"
}

func (s *Service) archivePackages(ctx context.Context, a trygg.Actor, cases []store.Case, id string, created time.Time, split archive.Split, orgNumber string) ([]*archive.Package, []audit.Entry, error) {
	tenant, err := s.db.Tenant(ctx, a.Tenant)
	if err != nil {
		return nil, nil, err
	}
	meta := archive.Meta{ID: id, Created: created, Software: archive.Software{Name: "trygg", Version: softwareVersion()},
		Submitter: archive.Organisation{Name: tenant.Name, OrgNumber: orgNumber}, Restriction: archiveRestriction}
	byPerson := map[string]*archive.Personakt{}
	var order []string
	var logged []audit.Entry
	reason := "archive delivery " + id
	for _, c := range cases {
		pa := byPerson[c.PersonID]
		if pa == nil {
			p, err := s.db.PersonByID(ctx, a.Tenant, c.PersonID)
			if err != nil {
				return nil, nil, err
			}
			pa = &archive.Personakt{Person: archive.Person{ID: p.ID, IdentityNumber: p.Identity.Value, GivenName: p.GivenName,
				FamilyName: p.FamilyName, Protected: p.Protection != persons.ProtectionNone}}
			byPerson[c.PersonID] = pa
			order = append(order, c.PersonID)
		}
		ac, err := s.archiveCase(ctx, a, c)
		if err != nil {
			return nil, nil, err
		}
		pa.Cases = append(pa.Cases, ac)
		logged = append(logged, entry(a, access.ReadCase, c.PersonID, c.ID, access.RelArchive, reason))
	}
	akter := make([]archive.Personakt, 0, len(order))
	for _, pid := range order {
		akter = append(akter, *byPerson[pid])
	}
	pkgs, err := archive.Deliver(meta, akter, split)
	if err != nil {
		return nil, nil, err
	}
	return pkgs, logged, nil
}

// archiveCase reads one case and everything in it as archive records:
// signed forms, signed journal notes, final decisions, orders with their
// plans and performed insatser, messages, attachments, and its events.
func (s *Service) archiveCase(ctx context.Context, a trygg.Actor, c store.Case) (archive.Case, error) {
	t := a.Tenant
	names := map[string]string{}
	name := func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		_ = s.names(ctx, t, []string{id}, names)
		if names[id] == "" {
			names[id] = id
		}
		return names[id]
	}
	out := archive.Case{ID: c.ID, Reference: c.Reference, Type: c.CaseType, TypeName: c.Title, Status: c.Status,
		Opened: c.OpenedAt, Closed: c.ClosedAt, Officer: name(c.AssignedTo)}
	comp, err := s.compiled(ctx, t, c.DefinitionVersion)
	if err == nil {
		if ct, ok := comp.CaseType(c.CaseType); ok {
			out.TypeName = cmp.Or(ct.Name.In("sv"), c.Title)
			out.LegalBasis = strings.Join(ct.LegalBasis, "; ")
		}
	}
	if u, err := s.db.Unit(ctx, t, c.UnitID); err == nil {
		out.Unit = u.Name
	}
	forms, err := s.db.FormEntries(ctx, t, c.ID)
	if err != nil {
		return out, err
	}
	for _, f := range forms {
		if f.Status != "signed" {
			continue
		}
		title, labels := f.FormID, map[string]string{}
		if comp != nil {
			if fd, ok := comp.Form(f.FormID); ok {
				title = cmp.Or(fd.Name.In("sv"), f.FormID)
				for _, sec := range fd.Sections {
					for _, fl := range sec.Fields {
						labels[fl.ID.Value] = fl.Label.In("sv")
					}
				}
			}
		}
		out.Records = append(out.Records, archive.Record{ID: f.ID, Kind: archive.KindForm, Title: title, Created: f.SignedAt,
			Author: name(f.UpdatedBy), SignedBy: name(f.SignedBy), Signed: f.SignedAt, Fields: jsonFields(f.Values, labels)})
	}
	notes, err := s.db.Notes(ctx, t, c.ID, "")
	if err != nil {
		return out, err
	}
	for _, n := range notes {
		if n.Status != "signed" {
			continue
		}
		out.Records = append(out.Records, archive.Record{ID: n.ID, Kind: archive.KindNote, Title: "Journalanteckning", Created: n.CreatedAt,
			Author: name(n.Author), SignedBy: name(n.Author), Signed: n.SignedAt, Text: n.Body})
	}
	decisions, err := s.db.Decisions(ctx, t, c.ID)
	if err != nil {
		return out, err
	}
	for _, d := range decisions {
		if d.Status != "final" {
			continue
		}
		out.Records = append(out.Records, archive.Record{ID: d.ID, Kind: archive.KindDecision, Title: "Beslut " + d.Insats, Created: d.CreatedAt,
			Author: name(d.DraftedBy), SignedBy: name(d.DecidedBy), Signed: d.DecidedAt, Direction: archive.Outgoing,
			Fields: fields("insats", d.Insats, "outcome", d.Outcome, "legal_basis", d.LegalBasis, "valid_from", d.ValidFrom,
				"valid_to", d.ValidTo, "amount", strconv.FormatInt(d.Amount, 10), "justification", d.Justification,
				"calculation", d.Calculation, "appeal_notice", d.AppealNotice, "appeal_by", d.AppealBy)})
	}
	orders, err := s.db.CaseOrders(ctx, t, c.ID)
	if err != nil {
		return out, err
	}
	for _, o := range orders {
		content, _ := json.Marshal(o.Content)
		out.Records = append(out.Records, archive.Record{ID: o.ID, Kind: archive.KindOrder, Title: "Beställning " + cmp.Or(o.Content.InsatsLabel, o.Insats),
			Created: o.CreatedAt, Direction: archive.Outgoing,
			Fields: fields("insats", o.Insats, "amount", strconv.FormatInt(o.Amount, 10), "amount_unit", o.AmountUnit, "valid_from", o.ValidFrom,
				"valid_to", o.ValidTo, "status", o.Status, "start_date", o.StartDate, "ended_on", o.EndedOn, "end_reason", o.EndReason,
				"content", string(content))})
		plans, err := s.db.Plans(ctx, t, o.ID)
		if err != nil {
			return out, err
		}
		for _, p := range plans {
			content, _ := json.Marshal(p.Content)
			out.Records = append(out.Records, archive.Record{ID: fmt.Sprintf("%s-plan-%d", o.ID, p.Version), Kind: archive.KindPlan,
				Title: fmt.Sprintf("Genomförandeplan version %d", p.Version), Created: p.WrittenAt, Author: name(p.WrittenBy), Direction: archive.Incoming,
				Fields: fields("order", o.ID, "version", strconv.Itoa(p.Version), "content", string(content))})
		}
		done, err := s.db.PerformedBetween(ctx, t, o.ID, "0000-01-01", "9999-12-31")
		if err != nil {
			return out, err
		}
		if len(done) > 0 {
			r := archive.Record{ID: o.ID + "-performed", Kind: archive.KindPerformed, Title: "Utförda insatser", Direction: archive.Incoming}
			for _, p := range done {
				if p.ReportedAt.After(r.Created) {
					r.Created = p.ReportedAt
				}
				v, _ := json.Marshal(map[string]any{"start": p.Start, "end": p.End, "minutes": p.Minutes, "activities": p.Activities,
					"deviation": p.Deviation, "note": p.Note, "reported_by": name(p.ReportedBy), "corrected_by": p.CorrectedBy})
				r.Fields = append(r.Fields, archive.Field{Name: p.On, Label: p.ID, Value: string(v)})
			}
			out.Records = append(out.Records, r)
		}
	}
	msgs, err := s.db.Messages(ctx, t, c.ID)
	if err != nil {
		return out, err
	}
	for _, m := range msgs {
		dir := archive.Outgoing
		if m.Side == "citizen" {
			dir = archive.Incoming
		}
		out.Records = append(out.Records, archive.Record{ID: m.ID, Kind: archive.KindMessage, Title: "Meddelande", Created: m.WrittenAt,
			Author: name(m.AuthorID), Direction: dir, Text: m.Body})
	}
	atts, err := s.db.CaseAttachments(ctx, t, c.ID)
	if err != nil {
		return out, err
	}
	for _, at := range atts {
		data, err := s.db.AttachmentContent(ctx, t, at.ID)
		if err != nil {
			return out, err
		}
		out.Records = append(out.Records, archive.Record{ID: at.ID, Kind: archive.KindAttachment, Title: at.Name, Created: at.UploadedAt,
			Author: name(at.UploadedBy), Direction: archive.Incoming, File: &archive.File{Name: at.Name, MediaType: at.ContentType, Data: data}})
	}
	evs, err := s.db.CaseEvents(ctx, t, c.ID, 100000)
	if err != nil {
		return out, err
	}
	for _, e := range evs {
		out.Events = append(out.Events, archive.Event{At: e.At, Type: e.Type, Actor: name(e.ActorID)})
	}
	return out, nil
}

// fields makes record fields of name/value pairs, leaving out empty values.
func fields(kv ...string) []archive.Field {
	var out []archive.Field
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			out = append(out, archive.Field{Name: kv[i], Value: kv[i+1]})
		}
	}
	return out
}

// jsonFields is a form entry's answers as fields, by name: text as it is,
// other values as JSON.
func jsonFields(values string, labels map[string]string) []archive.Field {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(values), &m) != nil {
		return []archive.Field{{Name: "values", Value: values}}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []archive.Field
	for _, k := range keys {
		v := string(m[k])
		var s string
		if json.Unmarshal(m[k], &s) == nil {
			v = s
		}
		out = append(out, archive.Field{Name: k, Label: labels[k], Value: v})
	}
	return out
}
