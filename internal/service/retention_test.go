package service_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/persons"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storetest"
	"github.com/trygg/trygg/internal/trygg"
	"github.com/trygg/trygg/packs"
)

// TestRetentionRunOfTheDemo previews, approves and runs a retention run
// over the demo's history six years on: what the preview lists is exactly
// what is purged, the research sample is delivered and not destroyed,
// exceptions are kept (the demo's placed children, their cases closed:
// case, forms, decisions and person readable and unchanged), the access log still verifies behind its signed
// checkpoint, and the protocol lists the run; a run without approval, an
// approval by a non-archivist, a run after the data changed and a second
// run are refused with nothing changed.
func TestRetentionRunOfTheDemo(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) { testRetentionRun(t, storetest.DSN(t, engine)) })
	}
}

func testRetentionRun(t *testing.T, dsn string) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Now().UTC())
	db, err := store.Open(ctx, dsn, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.SetAccessLogKey([]byte("test retention key, 32 bytes ..."))
	svc := storetest.Service(t, db, nil)
	ds := demo.Generate(demo.Options{Persons: 60, Staff: 20})
	for _, f := range packs.Files() {
		ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
	}
	ds.Definitions = append(ds.Definitions, demo.CityDefinitions()...)
	if _, err := svc.LoadDemo(ctx, ds); err != nil {
		t.Fatal(err)
	}
	walks, err := demo.Walks()
	if err != nil {
		t.Fatal(err)
	}
	// The demo's placed children (demo.go's placements): their walk
	// places each in a family home, then their officers close the cases
	// today. Six years on the general rule would have them due; the
	// placement rule keeps them.
	var placement []demo.Walk
	for _, w := range walks {
		if w.CaseType == "bbic_barn" && w.Name == "placement" {
			placement = append(placement, w)
		}
	}
	if n, err := svc.PlayDemoWalks(ctx, ds, placement, 3); err != nil || n == 0 {
		t.Fatalf("placement walks: %d played, %v", n, err)
	}
	usernames := map[string]string{}
	for _, u := range ds.Users {
		usernames[u.ID] = u.Username
	}
	type placed struct {
		officer   trygg.Actor
		c         store.Case
		forms     []store.FormEntry
		decisions []store.Decision
		person    persons.Person
	}
	kept := map[string]placed{}
	for _, c := range ds.Cases {
		if c.Walk != "placement" {
			continue
		}
		by, err := svc.ActorByUsername(ctx, demo.TenantID, usernames[c.AssignedTo])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(ctx, by, c.ID, service.TransitionInput{Transition: "close"}, "sv"); err != nil {
			t.Fatalf("closing placement case %s: %v", c.ID, err)
		}
		k := placed{officer: by}
		if k.c, err = db.CaseByID(ctx, demo.TenantID, c.ID); err != nil {
			t.Fatal(err)
		}
		if k.forms, err = db.FormEntries(ctx, demo.TenantID, c.ID); err != nil {
			t.Fatal(err)
		}
		if k.decisions, err = db.Decisions(ctx, demo.TenantID, c.ID); err != nil {
			t.Fatal(err)
		}
		if k.person, err = db.PersonByID(ctx, demo.TenantID, c.PersonID); err != nil {
			t.Fatal(err)
		}
		if k.c.ClosedAt.IsZero() || len(k.forms) == 0 || !slices.ContainsFunc(k.decisions, func(d store.Decision) bool { return d.Insats == "familjehem" }) {
			t.Fatalf("placement case %s: closed %v, %d forms, decisions %+v", c.ID, k.c.ClosedAt, len(k.forms), k.decisions)
		}
		kept[c.ID] = k
	}
	if len(kept) == 0 {
		t.Fatal("the demo has no placement cases")
	}
	if _, err := svc.LoadDemoHistory(ctx, ds, walks, demo.HistoryOptions{Weeks: 8, PerWeek: 2, Today: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(6 * 366 * 24 * time.Hour)
	officer, err := svc.ActorByUsername(ctx, demo.TenantID, "handlaggare")
	if err != nil {
		t.Fatal(err)
	}
	archivist := trygg.Actor{Tenant: demo.TenantID, UserID: "archivist", Grants: []trygg.Grant{{Role: trygg.RoleArchivist}}}

	purged := func() int {
		cs, err := db.RetentionCases(ctx, demo.TenantID, "")
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	before := purged()

	if _, err := svc.RetentionPreview(ctx, officer); trygg.ErrorCode(err) != trygg.EForbidden {
		t.Fatalf("an officer's preview: %v", err)
	}
	first, err := svc.RetentionPreview(ctx, archivist)
	if err != nil {
		t.Fatal(err)
	}
	if first.PurgeCount == 0 {
		t.Fatalf("nothing to purge: %+v", first.RetentionPreview)
	}
	// Bad input, each refused with nothing changed.
	if _, err := svc.RetentionRun(ctx, archivist, first.ID); trygg.ErrorCode(err) != trygg.EConflict || !strings.Contains(err.Error(), "not approved") {
		t.Errorf("a run without approval: %v", err)
	}
	if err := svc.RetentionApprove(ctx, officer, first.ID); trygg.ErrorCode(err) != trygg.EForbidden {
		t.Errorf("an officer's approval: %v", err)
	}
	if err := svc.RetentionApprove(ctx, archivist, first.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.RetentionApprove(ctx, archivist, first.ID); trygg.ErrorCode(err) != trygg.EConflict {
		t.Errorf("a second approval: %v", err)
	}
	// A new entry in a previewed case after the preview.
	var changed string
	for _, it := range first.Items {
		if it.Action == process.RetentionPurge {
			changed = it.CaseID
			break
		}
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		ev := events.New(officer, "journal.note_added", "case", changed, map[string]any{})
		ev.CaseID = changed
		_, err := tx.AppendEvent(ctx, ev)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RetentionRun(ctx, archivist, first.ID); trygg.ErrorCode(err) != trygg.EConflict || !strings.Contains(err.Error(), "changed since the preview") {
		t.Errorf("a run after a change: %v", err)
	}
	if n := purged(); n != before {
		t.Fatalf("refused runs purged %d cases", before-n)
	}

	births := map[string]string{}
	all, err := db.RetentionCases(ctx, demo.TenantID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		births[c.ID] = c.PersonBirthDate
	}
	// A fresh preview, approved and run.
	prev, err := svc.RetentionPreview(ctx, archivist)
	if err != nil {
		t.Fatal(err)
	}
	// The preview lists the placed children's cases as kept by the
	// placement rule, though the general rule would have them due.
	for _, it := range prev.Items {
		if _, ok := kept[it.CaseID]; ok && (it.Action != process.RetentionKeep || it.Rule != "placering_barn") {
			t.Errorf("placement case %s: %s under %s, want kept under placering_barn", it.CaseID, it.Action, it.Rule)
		}
	}
	for id := range kept {
		if !slices.ContainsFunc(prev.Items, func(it store.RetentionItem) bool { return it.CaseID == id }) {
			t.Errorf("the preview lacks placement case %s", id)
		}
	}
	for _, c := range all {
		if _, ok := kept[c.ID]; ok && !c.LastAt.AddDate(5, 0, 0).Before(clock.Now()) {
			t.Errorf("placement case %s: last entry %v is not five years back", c.ID, c.LastAt)
		}
	}
	if prev.KeepCount < len(kept) {
		t.Errorf("the preview keeps %d cases, want at least the %d placements", prev.KeepCount, len(kept))
	}
	if err := svc.RetentionApprove(ctx, archivist, prev.ID); err != nil {
		t.Fatal(err)
	}
	done, err := svc.RetentionRun(ctx, archivist, prev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != store.RetentionDone || done.AccessLogRemoved == 0 {
		t.Errorf("run: status %s, access log removed %d", done.Status, done.AccessLogRemoved)
	}
	// The preview equals the result.
	left, err := db.RetentionCases(ctx, demo.TenantID, "")
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]bool{}
	for _, c := range left {
		live[c.ID] = true
	}
	var kinds = map[string]int{}
	for _, it := range done.Items {
		kinds[it.Action]++
		if it.DoneAt.IsZero() {
			t.Errorf("case %s not done", it.CaseID)
		}
		switch it.Action {
		case process.RetentionKeep:
			if !live[it.CaseID] {
				t.Errorf("kept case %s was purged", it.CaseID)
			}
		case process.RetentionArchive:
			if live[it.CaseID] || it.PackageID == "" {
				t.Errorf("sampled case %s: live %v, package %q", it.CaseID, live[it.CaseID], it.PackageID)
			}
		default:
			if live[it.CaseID] || it.PackageID != "" {
				t.Errorf("purged case %s: live %v, package %q", it.CaseID, live[it.CaseID], it.PackageID)
			}
		}
	}
	if got, want := before-len(left), prev.PurgeCount+prev.ArchiveCount; got != want {
		t.Errorf("%d cases purged, the preview listed %d", got, want)
	}
	// The placed children's cases, forms, decisions and persons are
	// readable by their officers and unchanged.
	for id, k := range kept {
		c, err := svc.Case(ctx, k.officer, id)
		if err != nil || !reflect.DeepEqual(c, k.c) {
			t.Errorf("placement case %s after the run: %+v %v, want %+v", id, c, err, k.c)
		}
		decs, err := svc.Decisions(ctx, k.officer, id)
		if err != nil || !reflect.DeepEqual(decs, k.decisions) {
			t.Errorf("placement case %s's decisions after the run: %+v %v", id, decs, err)
		}
		if fs, err := db.FormEntries(ctx, demo.TenantID, id); err != nil || !reflect.DeepEqual(fs, k.forms) {
			t.Errorf("placement case %s's forms after the run: %d %v, want %d", id, len(fs), err, len(k.forms))
		}
		p, err := svc.Person(ctx, k.officer, k.c.PersonID)
		if err != nil || p.GivenName == "" || !reflect.DeepEqual(p.Person, k.person) {
			t.Errorf("placement case %s's person after the run: %+v %v", id, p.Person, err)
		}
	}
	t.Logf("purged %d, archived %d, kept %d", kinds[process.RetentionPurge], kinds[process.RetentionArchive], kinds[process.RetentionKeep])
	// The sample: every delivered person was born on the 5th, 15th or 25th.
	for _, it := range done.Items {
		b := births[it.CaseID]
		sampled := len(b) == 10 && strings.Contains(" 05 15 25 ", " "+b[8:]+" ")
		if sampled != (it.Action == process.RetentionArchive) && it.Action != process.RetentionKeep {
			t.Errorf("case %s of a person born %s: %s", it.CaseID, b, it.Action)
		}
	}
	if kinds[process.RetentionArchive] == 0 || kinds[process.RetentionPurge] == 0 {
		t.Errorf("the demo should have both purged and sampled persons: %v", kinds)
	}
	// Nothing of a purged case's content is left in the event log.
	evs, err := db.CaseEvents(ctx, demo.TenantID, done.Items[0].CaseID, 1000)
	if err == nil {
		for _, e := range evs {
			if e.Type != "case.purged" && e.Type != events.CaseArchived && string(e.Payload) != "{}" {
				t.Errorf("event %d %s keeps its payload %s", e.Seq, e.Type, e.Payload)
			}
		}
	}
	// The access log verifies behind its checkpoint, and a forged one fails.
	rep, err := db.VerifyAccessLog(ctx, demo.TenantID)
	if err != nil || !rep.OK() {
		t.Fatalf("access log after the run: %v %v", rep, err)
	}
	db.SetAccessLogKey([]byte("another key"))
	if rep, _ := db.VerifyAccessLog(ctx, demo.TenantID); rep.OK() {
		t.Error("a checkpoint under another key verified")
	}
	db.SetAccessLogKey([]byte("test retention key, 32 bytes ..."))
	// A second run of the same preview.
	if _, err := svc.RetentionRun(ctx, archivist, prev.ID); trygg.ErrorCode(err) != trygg.EConflict || !strings.Contains(err.Error(), "already been run") {
		t.Errorf("a second run: %v", err)
	}
	// The protocol lists the run.
	proto, err := svc.RetentionProtocol(ctx, archivist)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range proto {
		found = found || (p.ID == prev.ID && p.Status == store.RetentionDone && p.ApprovedBy == "archivist" && p.KeepCount >= len(kept))
	}
	if !found {
		t.Errorf("the protocol lacks the run: %+v", proto)
	}
	_ = service.RetentionReport{}
}
