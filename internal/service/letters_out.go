package service

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/calendar"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/mailbox"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// Letters to citizens go out after commit, from the event log, as notices
// do (notices.go): a decision made final appends letter.due in its own
// transaction, and the letters sender reads those events after its cursor
// (a lease lets one server at a time send). Each letter goes to the
// recipient's digital mailbox when the reachability lookup says they have
// one that accepts the municipality's post, and otherwise into the print
// queue, where staff mark it printed and posted. What went out, when and
// how is a row of letters_out and an event on the case.
//
// A letter's id is the same on every try (the event and the recipient),
// so a crash between the mailbox's answer and the row's write sends it
// again with that id, which the mailbox drops as a repeat; a letter with
// a row is never sent again.
//
// Recipients: the person the decision is about; for a child under 18 with
// guardians in force, each guardian instead (they act for the child).
// Protected identity: a person with protected registration (skyddad
// folkbokföring) has no address of their own to print; their paper letter
// goes through the Tax Agency's forwarding and is marked so. The print
// queue shows a recipient's name and address only to staff who may read
// the case and, for a protected recipient, who hold the protected-identity
// permission; a protected registration's address is never shown.

// lettersConsumer names the letters sender's cursor.
const lettersConsumer = "letters_out"

// lettersGiveUp is how long a letter waits for digital post that fails
// (the lookup or the sending) before it goes to the print queue instead.
const lettersGiveUp = 24 * time.Hour

// LetterKindDecision is the kind of a decision letter.
const LetterKindDecision = "decision"

//go:embed letters_out.html
var letterHTML string

var letterTemplate = template.Must(template.New("letter").Parse(letterHTML))

// letterDue appends the letter.due event of a decision made final inside
// tx: the letters sender sends its letter after commit.
func letterDue(ctx context.Context, tx *store.Tx, a trygg.Actor, c store.Case, d store.Decision) error {
	e := events.New(a, events.LetterDue, "decision", d.ID, map[string]any{"kind": LetterKindDecision})
	e.PersonID, e.CaseID = c.PersonID, c.ID
	_, err := tx.AppendEvent(ctx, e)
	return err
}

// LettersSent counts what a round of the letters sender did.
type LettersSent struct {
	Digital int `json:"digital"`
	Print   int `json:"print"`
}

// SendLetters sends the letters of up to limit of the tenant's letter.due
// events after the sender's cursor, as owner, through mb with sender as
// the municipality's id at the infrastructure. While another owner holds
// the lease it sends nothing. A lookup or send that fails stops the round
// with the cursor before that event, so it is tried again next round.
func (s *Service) SendLetters(ctx context.Context, tenant trygg.TenantID, mb mailbox.Mailbox, sender, owner string, limit int) (LettersSent, error) {
	n, _, err := s.sendLetters(ctx, tenant, mb, sender, owner, limit)
	return n, err
}

func (s *Service) sendLetters(ctx context.Context, tenant trygg.TenantID, mb mailbox.Mailbox, sender, owner string, limit int) (out LettersSent, more bool, err error) {
	seq, held, err := s.db.LeaseCursor(ctx, tenant, lettersConsumer, owner, s.db.Now().Add(s.lease()))
	if err != nil || !held {
		return out, false, err
	}
	evs, err := s.db.EventsOfType(ctx, tenant, events.LetterDue, seq, limit)
	if err != nil {
		return out, false, err
	}
	for _, e := range evs {
		if err := s.sendDecisionLetters(ctx, tenant, mb, sender, e, &out); err != nil {
			return out, false, fmt.Errorf("service: letters of event %d: %w", e.Seq, err)
		}
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		moved, err := s.db.AdvanceCursor(actx, tenant, lettersConsumer, owner, seq, e.Seq)
		cancel()
		if err != nil || !moved {
			return out, false, err
		}
		seq = e.Seq
	}
	return out, len(evs) == limit, nil
}

// sendDecisionLetters sends the letters of one letter.due event: one per
// recipient, each unless it went out before.
func (s *Service) sendDecisionLetters(ctx context.Context, tenant trygg.TenantID, mb mailbox.Mailbox, sender string, e events.Event, out *LettersSent) error {
	c, err := s.db.CaseByID(ctx, tenant, e.CaseID)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return nil // purged since
	}
	if err != nil {
		return err
	}
	ds, err := s.db.Decisions(ctx, tenant, c.ID)
	if err != nil {
		return err
	}
	var d store.Decision
	for _, x := range ds {
		if x.ID == e.SubjectID && x.Status == "final" {
			d = x
		}
	}
	if d.ID == "" {
		return nil // gone with a purge
	}
	p, err := s.db.PersonByID(ctx, tenant, c.PersonID)
	if err != nil {
		return err
	}
	recipients := []string{p.ID}
	if age, ok := p.Identity.Age(s.db.Now()); ok && age < 18 {
		gs, err := s.db.GuardiansInForce(ctx, tenant, p.ID, calendar.Today(s.db.Now()))
		if err != nil {
			return err
		}
		if len(gs) > 0 {
			recipients = gs
		}
	}
	var body []byte
	for _, rid := range recipients {
		id := fmt.Sprintf("%s-%d-%s", tenant, e.Seq, rid)
		if _, err := s.db.LetterOut(ctx, tenant, id); err == nil {
			continue // went out before the cursor moved
		} else if trygg.ErrorCode(err) != trygg.ENotFound {
			return err
		}
		r := p
		if rid != p.ID {
			if r, err = s.db.PersonByID(ctx, tenant, rid); err != nil {
				return err
			}
		}
		l := store.LetterOut{ID: id, CaseID: c.ID, DecisionID: d.ID, Kind: LetterKindDecision, RecipientID: rid,
			Channel: store.LetterPrint, Status: store.LetterQueued}
		// Digital post that has not answered for a day gives way to paper,
		// so one letter cannot hold up the ones after it for longer.
		giveUp := s.db.Now().Sub(e.At) > lettersGiveUp
		if r.Identity.Type == persons.IDPersonnummer || r.Identity.Type == persons.IDSamordningsnummer {
			reach, err := mb.Reachable(ctx, sender, r.Identity.String())
			if err != nil && !giveUp {
				return fmt.Errorf("reachability of letter %s: %w", id, err)
			}
			if reach.Reachable {
				if body == nil {
					if body, err = s.decisionLetter(ctx, tenant, c, d, p); err != nil {
						return err
					}
				}
				delivery, err := mb.Send(ctx, mailbox.Letter{ID: id, Sender: sender, Recipient: r.Identity.String(),
					Subject: "Beslut från " + s.tenantName(ctx, tenant), ContentType: mailbox.ContentHTML, Body: body})
				switch {
				case err == nil:
					l.Channel, l.Status, l.Operator, l.DeliveryID = store.LetterDigital, store.LetterDelivered, reach.Operator, delivery
				case errors.Is(err, mailbox.ErrNotReachable), giveUp:
					// The mailbox closed since the lookup, or digital
					// post has failed for a day: paper.
				default:
					return fmt.Errorf("sending letter %s: %w", id, err)
				}
			}
		}
		l.Forwarding = l.Channel == store.LetterPrint && r.Protection == persons.ProtectionProtected
		if err := s.recordLetter(ctx, tenant, c, d, l); err != nil {
			return err
		}
		if l.Channel == store.LetterDigital {
			out.Digital++
		} else {
			out.Print++
		}
	}
	return nil
}

// recordLetter writes a letter that went out and its event on the case.
func (s *Service) recordLetter(ctx context.Context, tenant trygg.TenantID, c store.Case, d store.Decision, l store.LetterOut) error {
	// Recorded even when the server is stopping: the letter went out.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return s.db.Update(ctx, func(tx *store.Tx) error {
		fresh, err := tx.InsertLetterOut(ctx, tenant, l)
		if err != nil || !fresh {
			return err
		}
		payload := map[string]any{"kind": l.Kind, "decision_id": d.ID, "insats": d.Insats}
		typ := events.LetterPrintQueued
		if l.Channel == store.LetterDigital {
			typ = events.LetterSentDigital
			payload["operator"], payload["delivery_id"] = l.Operator, l.DeliveryID
		} else if l.Forwarding {
			payload["forwarding"] = true
		}
		if l.RecipientID != c.PersonID {
			payload["recipient_person_id"] = l.RecipientID
		}
		e := events.New(SystemActor(tenant), typ, "letter", l.ID, payload)
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
}

// tenantName is the municipality's name ("" if unknown).
func (s *Service) tenantName(ctx context.Context, tenant trygg.TenantID) string {
	if t, err := s.db.Tenant(ctx, tenant); err == nil {
		return t.Name
	}
	return ""
}

// letterData is what a decision letter shows.
type letterData struct {
	Municipality, Unit, Date, Reference, Insats, Person, Identity, Amount, DecidedBy string
	D                                                                                store.Decision
}

// decisionLetter renders the decision letter for the digital mailbox, in
// Swedish, with the content of the staff's printable letter (a protected
// person's address is left out there; here there is none).
func (s *Service) decisionLetter(ctx context.Context, tenant trygg.TenantID, c store.Case, d store.Decision, p persons.Person) ([]byte, error) {
	comp, err := s.compiled(ctx, tenant, c.DefinitionVersion)
	if err != nil {
		return nil, err
	}
	data := letterData{Municipality: s.tenantName(ctx, tenant), Date: calendar.Today(d.DecidedAt), Reference: c.Reference,
		Insats: comp.InsatsLabel(c.CaseType, d.Insats, "sv"), Person: p.GivenName + " " + p.FamilyName, Identity: p.Identity.String(), D: d}
	if u, err := s.db.Unit(ctx, tenant, c.UnitID); err == nil {
		data.Unit = u.Name
	}
	if d.Amount != 0 {
		m := process.Measure{Unit: process.UnitCount}
		if ct, ok := comp.CaseType(c.CaseType); ok {
			m = amountUnit(ct)
		}
		data.Amount = m.Format(d.Amount, "sv")
	}
	names := map[string]string{}
	if err := s.names(ctx, tenant, []string{d.DecidedBy}, names); err != nil {
		return nil, err
	}
	data.DecidedBy = names[d.DecidedBy]
	var b bytes.Buffer
	if err := letterTemplate.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("service: decision letter: %w", err)
	}
	return b.Bytes(), nil
}

// RunLetters sends every tenant's letters through mb every interval until
// ctx ends, then gives up its leases so a restarted server goes on at once.
func (s *Service) RunLetters(ctx context.Context, mb mailbox.Mailbox, sender string, interval time.Duration) {
	owner := newID()
	s.runLeased(ctx, interval, "sending letters failed",
		func(ctx context.Context, tn trygg.TenantID) (bool, error) {
			_, more, err := s.sendLetters(ctx, tn, mb, sender, owner, 100)
			return more, err
		},
		func(ctx context.Context, tn trygg.TenantID) error {
			return s.db.ReleaseCursor(ctx, tn, lettersConsumer, owner)
		})
}

// PrintLetter is a letter in the print queue as staff see it.
type PrintLetter struct {
	store.LetterOut
	CaseReference string `json:"case_reference"`
	Insats        string `json:"insats"`
	// Name and Address are the recipient's: Name empty when withheld
	// (a protected recipient, a reader without the permission), Address
	// empty then and always for a protected registration (Forwarding).
	Name     string          `json:"name,omitempty"`
	Address  persons.Address `json:"address"`
	Withheld bool            `json:"withheld,omitempty"`
}

// PrintQueue returns the letters waiting to be printed of the cases the
// actor may work, the oldest first (at most 500). Each letter shown is
// access-logged as a read of its case.
func (s *Service) PrintQueue(ctx context.Context, a trygg.Actor, lang string) ([]PrintLetter, error) {
	if !a.HasRole(trygg.RoleOfficer) && !a.HasRole(trygg.RoleTeamLead) {
		return nil, trygg.Errorf(trygg.EForbidden, "Only case officers and team leads see the print queue.")
	}
	ls, err := s.db.LettersOutWithStatus(ctx, a.Tenant, store.LetterQueued, 500)
	if err != nil {
		return nil, err
	}
	out := []PrintLetter{}
	var logged []audit.Entry
	for _, l := range ls {
		c, ground, err := s.letterCase(ctx, a, l.CaseID)
		if err != nil {
			if code := trygg.ErrorCode(err); code == trygg.ENotFound || code == trygg.EForbidden {
				continue
			}
			return nil, err
		}
		pl := PrintLetter{LetterOut: l, CaseReference: c.Reference, Insats: s.insatsName(ctx, a.Tenant, c, l.DecisionID, lang)}
		r, err := s.db.PersonByID(ctx, a.Tenant, l.RecipientID)
		if err != nil {
			return nil, err
		}
		if r.Protection != persons.ProtectionNone && !a.ProtectedIdentity {
			pl.Withheld = true
		} else {
			pl.Name = r.GivenName + " " + r.FamilyName
			if r.Protection != persons.ProtectionProtected {
				pl.Address = r.Address
			}
		}
		out = append(out, pl)
		logged = append(logged, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
		if r.ID != c.PersonID && !pl.Withheld {
			// A guardian's letter shows the guardian's name and address:
			// a read of that person too, for the case.
			logged = append(logged, entry(a, access.ReadPerson, r.ID, c.ID, ground, ""))
		}
	}
	if len(logged) == 0 {
		return out, nil
	}
	return out, s.logAccess(ctx, logged...)
}

// letterCase reads the case of a letter for an actor who may work it; a
// closed case too, whose letter still has to be posted.
func (s *Service) letterCase(ctx context.Context, a trygg.Actor, caseID string) (store.Case, access.Relation, error) {
	c, p, _, err := s.caseFor(ctx, a, caseID, false)
	if err != nil {
		return c, "", err
	}
	rels, err := s.db.CaseRelations(ctx, a, c)
	if err != nil {
		return c, "", err
	}
	ground, err := access.Decide(a, access.WorkCase, access.Subject{Relations: rels, Protection: p.Protection})
	return c, ground, err
}

// insatsName is the label of a case's decision's insats ("" if unknown).
func (s *Service) insatsName(ctx context.Context, tenant trygg.TenantID, c store.Case, decisionID, lang string) string {
	ds, err := s.db.Decisions(ctx, tenant, c.ID)
	if err != nil || c.DefinitionVersion == 0 {
		return ""
	}
	comp, err := s.compiled(ctx, tenant, c.DefinitionVersion)
	if err != nil {
		return ""
	}
	for _, d := range ds {
		if d.ID == decisionID {
			return comp.InsatsLabel(c.CaseType, d.Insats, lang)
		}
	}
	return ""
}

// MarkLetterPrinted marks a letter of the print queue printed and posted
// by the actor, who must be allowed to work its case. It returns not
// found for a letter the actor may not see, a conflict for one no longer
// in the queue.
func (s *Service) MarkLetterPrinted(ctx context.Context, a trygg.Actor, letterID string) error {
	l, err := s.db.LetterOut(ctx, a.Tenant, letterID)
	if err != nil {
		return err
	}
	c, ground, err := s.letterCase(ctx, a, l.CaseID)
	if err != nil {
		return err
	}
	return s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		if err := tx.MarkLetterPrinted(ctx, a.Tenant, l.ID, a.UserID); err != nil {
			return err
		}
		payload := map[string]any{"kind": l.Kind, "decision_id": l.DecisionID}
		if d, err := tx.Decision(ctx, a.Tenant, c.ID, l.DecisionID); err == nil {
			payload["insats"] = d.Insats
		}
		e := events.New(a, events.LetterPrinted, "letter", l.ID, payload)
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
}

// CaseLetters returns the letters of a case the actor may read, the
// newest first. The read is access-logged.
func (s *Service) CaseLetters(ctx context.Context, a trygg.Actor, caseID string) ([]store.LetterOut, error) {
	c, _, ground, err := s.caseFor(ctx, a, caseID, false)
	if err != nil {
		return nil, err
	}
	ls, err := s.db.CaseLettersOut(ctx, a.Tenant, c.ID)
	if err != nil {
		return nil, err
	}
	return ls, s.logAccess(ctx, entry(a, access.ReadCase, c.PersonID, c.ID, ground, ""))
}
