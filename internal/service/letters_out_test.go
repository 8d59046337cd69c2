package service_test

import (
	"context"
	"errors"
	"github.com/trygg/trygg/internal/audit"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/mailbox"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
)

// crashAfterSend delivers a letter and then fails, as a server that
// stops between the mailbox's answer and writing it down.
type crashAfterSend struct{ mailbox.Mailbox }

func (c crashAfterSend) Send(ctx context.Context, l mailbox.Letter) (string, error) {
	if _, err := c.Mailbox.Send(ctx, l); err != nil {
		return "", err
	}
	return "", errors.New("crashed after sending")
}

// failing is digital post that does not answer.
type failing struct{}

func (failing) Reachable(context.Context, string, string) (mailbox.Reach, error) {
	return mailbox.Reach{}, errors.New("no answer")
}

func (failing) Send(context.Context, mailbox.Letter) (string, error) {
	return "", errors.New("no answer")
}

// TestLettersOut: a final decision's letter goes to the digital mailbox
// of a person who has one and into the print queue for one who has not;
// a crash between sending and recording sends nothing twice; the case
// shows which channel, with the delivery's id; the print queue shows the
// officer the letter to print, which is marked printed once; another
// unit's officer sees none of it; digital post that fails for a day gives
// way to paper.
func TestLettersOut(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			db := storetest.Open(t, engine, clock)
			world := newDemoWorld(t, db, 40, 30, clock.Now())
			svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
			officer := actor("handlaggare")
			if _, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
				Files: []store.DefinitionFile{{Name: "hemtjanst.yaml", Content: homeCareYAML}}}); err != nil {
				t.Fatal(err)
			}
			var adults []persons.Person
			for _, p := range ds.Persons {
				if age, ok := p.Identity.Age(clock.Now()); ok && age >= 18 && p.Protection == persons.ProtectionNone && len(adults) < 2 {
					adults = append(adults, p)
				}
			}
			dir := t.TempDir()
			mb, err := mailbox.LoadFile(filepath.Join(dir, "mailboxes.json"), filepath.Join(dir, "sent"))
			if err != nil {
				t.Fatal(err)
			}
			mb.Add(adults[0].Identity.String(), "Kivra")
			decide := func(p persons.Person) string {
				c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: p.Identity.String()},
					UnitID: "norra-ao", CaseType: "hemtjanst", Title: "Hemtjänst"})
				if err != nil {
					t.Fatal(err)
				}
				d, err := svc.SaveDecision(ctx, officer, c.ID, "", service.DecisionInput{Insats: "hemtjanst", Outcome: "granted",
					LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-12-07", Amount: 3000, Justification: "Behöver hjälp med personlig vård."})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.FinaliseDecision(ctx, officer, c.ID, d.ID); err != nil {
					t.Fatal(err)
				}
				return c.ID
			}
			digital, paper := decide(adults[0]), decide(adults[1])

			// The server stops after the mailbox took the first letter:
			// nothing is recorded and the cursor stays.
			if n, err := svc.SendLetters(ctx, demo.TenantID, crashAfterSend{mb}, "2120001234", "a", 10); err == nil || n.Digital != 0 {
				t.Fatalf("a crash after sending: %+v %v", n, err)
			}
			if err != nil && strings.Contains(err.Error(), adults[0].Identity.String()) {
				t.Errorf("the error names the identity number: %v", err)
			}
			// Another server, once the lease ran out, sends it again with
			// the same id: the mailbox drops the repeat.
			clock.Advance(2 * time.Minute)
			if n, err := svc.SendLetters(ctx, demo.TenantID, mb, "2120001234", "b", 10); err != nil || n != (service.LettersSent{Digital: 1, Print: 1}) {
				t.Fatalf("letters sent: %+v %v", n, err)
			}
			if n, err := svc.SendLetters(ctx, demo.TenantID, mb, "2120001234", "b", 10); err != nil || n != (service.LettersSent{}) {
				t.Fatalf("a second round: %+v %v", n, err)
			}
			sent, err := mb.Sent()
			if err != nil || len(sent) != 1 {
				t.Fatalf("the mailbox got %d letters, want 1: %v", len(sent), err)
			}
			body := string(sent[0].Body)
			if !strings.Contains(body, "Du beviljas <strong>Hemtjänst</strong>") || !strings.Contains(body, adults[0].FamilyName) || sent[0].Sender != "2120001234" {
				t.Errorf("the letter: %s", body)
			}
			if strings.Contains(sent[0].Subject, adults[0].FamilyName) {
				t.Errorf("the subject names the person: %q", sent[0].Subject)
			}

			// The case shows the channel: the digital one with the
			// mailbox's delivery id, the other in the print queue.
			ls, err := svc.CaseLetters(ctx, officer, digital)
			if err != nil || len(ls) != 1 || ls[0].Channel != store.LetterDigital || ls[0].Operator != "Kivra" || ls[0].DeliveryID != sent[0].DeliveryID {
				t.Fatalf("the digital case's letters: %+v %v", ls, err)
			}
			ov, err := svc.CaseOverview(ctx, officer, digital, "sv")
			if err != nil || !hasTimeline(ov.Timeline, events.LetterSentDigital, sent[0].DeliveryID) {
				t.Fatalf("the case's timeline: %+v %v", ov.Timeline, err)
			}
			ls, err = svc.CaseLetters(ctx, officer, paper)
			if err != nil || len(ls) != 1 || ls[0].Channel != store.LetterPrint || ls[0].Status != store.LetterQueued {
				t.Fatalf("the paper case's letters: %+v %v", ls, err)
			}
			if ov, err := svc.CaseOverview(ctx, officer, paper, "sv"); err != nil || !hasTimeline(ov.Timeline, events.LetterPrintQueued, "") {
				t.Fatalf("the paper case's timeline: %+v %v", ov.Timeline, err)
			}

			// The print queue: the officer sees the letter with the
			// address to print; another unit's officer sees nothing.
			q, err := svc.PrintQueue(ctx, officer, "sv")
			if err != nil || len(q) != 1 || q[0].CaseID != paper || q[0].Name != adults[1].GivenName+" "+adults[1].FamilyName ||
				q[0].Address != adults[1].Address || q[0].Insats != "Hemtjänst" {
				t.Fatalf("the print queue: %+v %v", q, err)
			}
			if q, err := svc.PrintQueue(ctx, actor("utredare"), "sv"); err != nil || len(q) != 0 {
				t.Fatalf("another unit's print queue: %+v %v", q, err)
			}
			if err := svc.MarkLetterPrinted(ctx, actor("utredare"), q[0].ID); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Fatalf("another unit's officer marks it printed: %v", err)
			}
			if err := svc.MarkLetterPrinted(ctx, officer, q[0].ID); err != nil {
				t.Fatal(err)
			}
			if err := svc.MarkLetterPrinted(ctx, officer, q[0].ID); trygg.ErrorCode(err) != trygg.EConflict {
				t.Fatalf("marked printed twice: %v", err)
			}
			if q, err := svc.PrintQueue(ctx, officer, "sv"); err != nil || len(q) != 0 {
				t.Fatalf("the print queue after printing: %+v %v", q, err)
			}
			if ls, _ := svc.CaseLetters(ctx, officer, paper); len(ls) != 1 || ls[0].Status != store.LetterPrinted || ls[0].PrintedBy != officer.UserID {
				t.Fatalf("the printed letter: %+v", ls)
			}

			// Digital post that fails holds the letter back, and after a
			// day gives way to paper.
			late := decide(adults[0])
			if n, err := svc.SendLetters(ctx, demo.TenantID, failing{}, "2120001234", "b", 10); err == nil || n != (service.LettersSent{}) {
				t.Fatalf("digital post failing: %+v %v", n, err)
			}
			clock.Advance(25 * time.Hour)
			if n, err := svc.SendLetters(ctx, demo.TenantID, failing{}, "2120001234", "b", 10); err != nil || n != (service.LettersSent{Print: 1}) {
				t.Fatalf("digital post failing for a day: %+v %v", n, err)
			}
			if ls, _ := svc.CaseLetters(ctx, officer, late); len(ls) != 1 || ls[0].Channel != store.LetterPrint {
				t.Fatalf("the letter after a day of failures: %+v", ls)
			}
		})
	}
}

// hasTimeline says whether the timeline has an item of the type whose
// detail holds detail.
func hasTimeline(items []service.TimelineItem, typ, detail string) bool {
	for _, it := range items {
		if it.Type == typ && strings.Contains(it.Detail, detail) {
			return true
		}
	}
	return false
}

// TestLettersOutRecipients: a child's decision letter goes to each of its
// guardians, by their own channel, not to the child; a person with
// protected registration without a mailbox gets theirs through the Tax
// Agency's forwarding, never with an address, and only staff with the
// permission see it in the print queue.
func TestLettersOutRecipients(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
			db := storetest.Open(t, engine, clock)
			world := newDemoWorld(t, db, 40, 30, clock.Now())
			svc, ds, actor := world.svc, world.ds, world.actorFunc(t)
			if _, err := svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{
				Files: []store.DefinitionFile{{Name: "hemtjanst.yaml", Content: homeCareYAML}}}); err != nil {
				t.Fatal(err)
			}
			byID := map[string]persons.Person{}
			for _, p := range ds.Persons {
				byID[p.ID] = p
			}
			// A child with two guardians, and the protected child.
			var child, hidden persons.Person
			var guardians []persons.Person
			for _, p := range ds.Persons {
				var gs []persons.Person
				for _, r := range ds.Relations {
					if r.ToPersonID == p.ID && r.Kind == persons.RelGuardian {
						gs = append(gs, byID[r.FromPersonID])
					}
				}
				if child.ID == "" && len(gs) == 2 && p.Protection == persons.ProtectionNone {
					child, guardians = p, gs
				}
				if hidden.ID == "" && p.Protection == persons.ProtectionProtected {
					hidden = p
				}
			}
			if child.ID == "" || hidden.ID == "" {
				t.Fatal("the demo has no child with two guardians or no protected person")
			}
			dir := t.TempDir()
			mb, err := mailbox.LoadFile(filepath.Join(dir, "mailboxes.json"), filepath.Join(dir, "sent"))
			if err != nil {
				t.Fatal(err)
			}
			mb.Add(guardians[0].Identity.String(), "Kivra")
			mb.Add(child.Identity.String(), "Kivra") // not used: the guardians get it
			decide := func(officer trygg.Actor, unit string, p persons.Person) string {
				c, err := svc.OpenCase(ctx, officer, service.OpenCaseInput{PersonInput: service.PersonInput{IdentityNumber: p.Identity.String()},
					UnitID: unit, CaseType: "hemtjanst", Title: "Hemtjänst"})
				if err != nil {
					t.Fatal(err)
				}
				d, err := svc.SaveDecision(ctx, officer, c.ID, "", service.DecisionInput{Insats: "trygghetslarm", Outcome: "granted",
					LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-12-07", Justification: "Trygghet i hemmet."})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.FinaliseDecision(ctx, officer, c.ID, d.ID); err != nil {
					t.Fatal(err)
				}
				return c.ID
			}
			officer, protectedOfficer := actor("handlaggare"), actor("skyddad")
			childCase := decide(officer, "norra-ao", child)
			hiddenCase := decide(protectedOfficer, "norra-bou", hidden)
			if n, err := svc.SendLetters(ctx, demo.TenantID, mb, "2120001234", "a", 10); err != nil || n != (service.LettersSent{Digital: 1, Print: 2}) {
				t.Fatalf("letters sent: %+v %v", n, err)
			}
			sent, err := mb.Sent()
			if err != nil || len(sent) != 1 || sent[0].Recipient != guardians[0].Identity.String() || !strings.Contains(string(sent[0].Body), child.FamilyName) {
				t.Fatalf("the digital letter: %+v %v", sent, err)
			}
			ls, err := svc.CaseLetters(ctx, officer, childCase)
			if err != nil || len(ls) != 2 {
				t.Fatalf("the child's letters: %+v %v", ls, err)
			}
			channels := map[string]string{}
			for _, l := range ls {
				channels[l.RecipientID] = l.Channel
			}
			if channels[guardians[0].ID] != store.LetterDigital || channels[guardians[1].ID] != store.LetterPrint || channels[child.ID] != "" {
				t.Fatalf("the child's letters by recipient: %v", channels)
			}
			q, err := svc.PrintQueue(ctx, officer, "sv")
			if err != nil || len(q) != 1 || q[0].CaseID != childCase || q[0].Name != guardians[1].GivenName+" "+guardians[1].FamilyName || q[0].Address != guardians[1].Address {
				t.Fatalf("the print queue of the child's officer: %+v %v", q, err)
			}
			// The guardian's name and address shown: a read of the
			// guardian, logged.
			if log, _, err := db.PersonAccessLog(ctx, demo.TenantID, guardians[1].ID, 100); err != nil || !slices.ContainsFunc(log, func(e audit.Entry) bool {
				return e.ActorID == officer.UserID && e.CaseID == childCase
			}) {
				t.Errorf("the guardian's access log after the print queue: %+v %v", log, err)
			}
			// The protected child: through the forwarding, no address, seen
			// by the officer with the permission only.
			q, err = svc.PrintQueue(ctx, protectedOfficer, "sv")
			if err != nil || len(q) != 1 || q[0].CaseID != hiddenCase || !q[0].Forwarding || q[0].Address != (persons.Address{}) || q[0].Name == "" {
				t.Fatalf("the print queue with the permission: %+v %v", q, err)
			}
			if q, err := svc.PrintQueue(ctx, actor("utredare"), "sv"); err != nil || len(q) != 0 {
				t.Fatalf("the print queue of the same unit without the permission: %+v %v", q, err)
			}
			evs, err := db.CaseEvents(ctx, demo.TenantID, hiddenCase, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.Type == events.LetterPrintQueued && !strings.Contains(string(e.Payload), `"forwarding":true`) {
					t.Errorf("the queued letter's event: %s", e.Payload)
				}
				for _, s := range []string{hidden.FamilyName, hidden.Identity.String(), hidden.Address.Street} {
					if s != "" && strings.Contains(string(e.Payload), s) {
						t.Errorf("event %s names the person: %s", e.Type, e.Payload)
					}
				}
			}
		})
	}
}
