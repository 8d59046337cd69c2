package service_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

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

// alarmWorld is the demo municipality with two providers of safety
// alarms, each with staff, an alarm receiving centre signed in with its
// client credentials, and accepted orders: Norr's safety alarm for
// person 0, its home care for person 0, its safety alarm for a person
// with protected identity, and Syd's safety alarm for person 1.
type alarmWorld struct {
	ctx                  context.Context
	db                   *store.DB
	clock                *storetest.Clock
	svc                  *service.Service
	admin, officer       trygg.Actor
	centre               trygg.Actor
	centreID, secret     string
	norr, syd            trygg.Actor // provider staff
	alarm, care, hidden  store.Order // Norr's orders
	sydAlarm             store.Order
	caseID, hiddenCaseID string
	personName, personID string
}

func newAlarmWorld(t *testing.T, engine string) *alarmWorld {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC))
	db := storetest.Open(t, engine, clock)
	dw := newDemoWorld(t, db, 20, 5, clock.Now())
	actor := dw.actorFunc(t)
	var files []store.DefinitionFile
	for _, f := range packs.Files() {
		files = append(files, store.DefinitionFile{Name: f.Name, Content: f.Content})
	}
	dv, err := dw.svc.PublishDefinitions(ctx, actor("designer"), service.DefinitionsInput{Files: files})
	if err != nil {
		t.Fatal(err)
	}
	w := &alarmWorld{ctx: ctx, db: db, clock: clock, svc: dw.svc, admin: actor("admin")}
	staff := func(name, org string) trygg.Actor {
		p, err := dw.svc.CreateProvider(ctx, w.admin, service.ProviderInput{Name: name, Kind: service.ProviderExternal, OrgNumber: org,
			Insatser: []string{"trygghetslarm", "hemtjanst_omvardnad"}})
		if err != nil {
			t.Fatal(err)
		}
		return trygg.Actor{Tenant: demo.TenantID, UserID: "staff-" + p.ID, ProviderID: p.ID, Grants: []trygg.Grant{{Role: trygg.RoleProvider, UnitID: "soc"}}}
	}
	w.norr, w.syd = staff("Larm Norr AB", "5598765435"), staff("Larm Syd AB", "5591234561")
	var officer demo.User
	for _, u := range dw.ds.Users {
		if len(u.Grants) == 1 && u.Grants[0].Role == trygg.RoleOfficer {
			officer = u
			break
		}
	}
	w.officer = actor(officer.Username)
	var people []persons.Person
	var hidden persons.Person
	for _, p := range dw.ds.Persons {
		if p.Protection == persons.ProtectionNone {
			people = append(people, p)
		} else if p.Protection == persons.ProtectionProtected && hidden.ID == "" {
			hidden = p
		}
	}
	w.personName, w.personID = people[0].GivenName+" "+people[0].FamilyName, people[0].ID
	err = db.Update(ctx, func(tx *store.Tx) error {
		newCase := func(p persons.Person) (store.Case, error) {
			c := store.Case{ID: uuid.NewString(), PersonID: p.ID, UnitID: officer.Grants[0].UnitID, CaseType: "ibic_sol_aldre",
				Title: "Hemtjänst och trygghetslarm", Status: "open", DefinitionVersion: dv.Version, Step: "implementation",
				AssignedTo: officer.ID, OpenedAt: tx.Now}
			return c, tx.InsertCase(ctx, demo.TenantID, c)
		}
		order := func(c store.Case, p persons.Person, providerID, insats string) (store.Order, error) {
			d := store.Decision{ID: uuid.NewString(), CaseID: c.ID, Insats: insats, Outcome: process.OutcomeGranted,
				LegalBasis: "SoL 4 kap. 1 §", ValidFrom: "2026-10-01", Justification: "Behov.", DraftedBy: officer.ID}
			if err := tx.SaveDecisionDraft(ctx, demo.TenantID, d); err != nil {
				return store.Order{}, err
			}
			if err := tx.FinaliseDecision(ctx, demo.TenantID, d.ID, officer.ID, ""); err != nil {
				return store.Order{}, err
			}
			o := store.Order{ID: uuid.NewString(), CaseID: c.ID, DecisionID: d.ID, PersonID: p.ID, ProviderID: providerID,
				UnitID: c.UnitID, Insats: insats, AmountUnit: process.UnitHours, ValidFrom: d.ValidFrom,
				Status: store.OrderAccepted, StartDate: "2026-10-01", Revision: 1, Protected: p.Protection != persons.ProtectionNone,
				Content: store.OrderContent{Person: store.OrderPerson{Name: p.GivenName + " " + p.FamilyName, Address: p.Address.Street},
					InsatsLabel: insats, Needs: []store.OrderNeed{}, Goals: []store.OrderGoal{}}}
			return o, tx.InsertOrder(ctx, demo.TenantID, o)
		}
		c, err := newCase(people[0])
		if err != nil {
			return err
		}
		w.caseID = c.ID
		if w.alarm, err = order(c, people[0], w.norr.ProviderID, "trygghetslarm"); err != nil {
			return err
		}
		if w.care, err = order(c, people[0], w.norr.ProviderID, "hemtjanst_omvardnad"); err != nil {
			return err
		}
		hc, err := newCase(hidden)
		if err != nil {
			return err
		}
		w.hiddenCaseID = hc.ID
		if w.hidden, err = order(hc, hidden, w.norr.ProviderID, "trygghetslarm"); err != nil {
			return err
		}
		sc, err := newCase(people[1])
		if err != nil {
			return err
		}
		w.sydAlarm, err = order(sc, people[1], w.syd.ProviderID, "trygghetslarm")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := dw.svc.CreateAlarmCentre(ctx, w.admin, "Larmcentralen Demostad")
	if err != nil {
		t.Fatal(err)
	}
	w.centreID, w.secret = c.ClientID, c.ClientSecret
	sess, err := dw.svc.ClientToken(ctx, c.ClientID, c.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	w.centre = sess.Actor
	return w
}

// seq is the event log's newest sequence number.
func (w *alarmWorld) seq(t *testing.T) int64 {
	t.Helper()
	evs, err := w.db.Events(w.ctx, demo.TenantID, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	return evs[len(evs)-1].Seq
}

func errCode(err error) (string, string) {
	var te *trygg.Error
	if errors.As(err, &te) {
		return te.Code, te.Message
	}
	return "", ""
}

// TestAlarmDevices: the provider records a device on its running order
// of a device insats (the pack's orders.devices); not on home care, not
// on another provider's order, not a device on another running order.
func TestAlarmDevices(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newAlarmWorld(t, engine)
			reg := func(a trygg.Actor, o store.Order, device string) error {
				return w.svc.RegisterAlarmDevice(w.ctx, a, o.ID, service.DeviceInput{DeviceID: device})
			}
			if err := reg(w.norr, w.alarm, "TL-100200"); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name   string
				a      trygg.Actor
				o      store.Order
				device string
				code   string
				msg    string
			}{
				{"the same device again", w.norr, w.alarm, "TL-100200", "", ""},
				{"home care has no device", w.norr, w.care, "TL-100201", trygg.EInvalid, "This order's insats is carried out without a device."},
				{"a device id with a space", w.norr, w.alarm, "TL 1", trygg.EInvalid, "The alarm device is not valid."},
				{"another provider's order", w.syd, w.alarm, "TL-100202", trygg.ENotFound, "Not found."},
				{"a device on another running order", w.syd, w.sydAlarm, "TL-100200", trygg.EConflict,
					"The alarm device is recorded on another running order. That order must end first."},
				{"the officer", w.officer, w.alarm, "TL-100203", trygg.EForbidden, "Only the provider the order is sent to may do this."},
			} {
				code, msg := errCode(reg(tc.a, tc.o, tc.device))
				if code != tc.code || msg != tc.msg {
					t.Errorf("%s: %s %q, want %s %q", tc.name, code, msg, tc.code, tc.msg)
				}
			}
			ds, err := w.svc.OrderDevices(w.ctx, w.officer, w.alarm.ID)
			if err != nil || !slices.Equal(ds, []string{"TL-100200"}) {
				t.Errorf("the officer reads the order's devices %v %v, want TL-100200", ds, err)
			}
			if _, err := w.svc.OrderDevices(w.ctx, w.syd, w.alarm.ID); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("another provider reads the devices: %v, want not found", err)
			}
		})
	}
}

// TestPostAlarm: an alarm receiving centre's event finds the person
// through the device's running order; the alarm is a task on the
// provider's list (only that provider's, protected persons only with the
// permission) and each event is on the officer's case timeline. A repeat
// changes nothing and answers the same; another body under the same id,
// an alarm id with another device, an unknown device and anyone but a
// centre are refused, each with its own answer.
func TestPostAlarm(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newAlarmWorld(t, engine)
			// Staff of Norr with the permission to see protected persons.
			cleared := w.norr
			cleared.ProtectedIdentity = true
			for _, r := range []struct {
				o      store.Order
				a      trygg.Actor
				device string
			}{{w.alarm, w.norr, "TL-1"}, {w.hidden, cleared, "TL-2"}, {w.sydAlarm, w.syd, "TL-3"}} {
				if err := w.svc.RegisterAlarmDevice(w.ctx, r.a, r.o.ID, service.DeviceInput{DeviceID: r.device}); err != nil {
					t.Fatal(err)
				}
			}
			at := w.clock.Now().Add(-2 * time.Minute)
			post := func(a trygg.Actor, event, alarm, device, status string, at time.Time) (service.AlarmResult, bool, error) {
				return w.svc.PostAlarm(w.ctx, a, service.AlarmInput{EventID: event, AlarmID: alarm, DeviceID: device, Status: status,
					At: at.Format(time.RFC3339)})
			}

			before := w.seq(t)
			res, replayed, err := post(w.centre, "e1", "A1", "TL-1", "received", at)
			if err != nil || replayed || res.Status != "received" || res.AlarmID != "A1" || res.DeviceID != "TL-1" || res.ID == "" {
				t.Fatalf("the first event: %+v %v %v", res, replayed, err)
			}
			evs, err := w.db.Events(w.ctx, demo.TenantID, before, 100)
			if err != nil || len(evs) != 1 || evs[0].Type != events.AlarmReceived || evs[0].CaseID != w.caseID || evs[0].PersonID != w.personID {
				t.Fatalf("the event log after the first event: %+v %v, want one alarm.received on the case", evs, err)
			}

			// The task is on Norr's list with the person's name, not on Syd's.
			tasks, err := w.svc.ProviderAlarms(w.ctx, w.norr)
			if err != nil || len(tasks) != 1 || tasks[0].Person.Name != w.personName || tasks[0].OrderID != w.alarm.ID || tasks[0].Alarm.Status != "received" {
				t.Fatalf("Norr's alarms: %+v %v, want the alarm of %s", tasks, err, w.personName)
			}
			if tasks, err := w.svc.ProviderAlarms(w.ctx, w.syd); err != nil || len(tasks) != 0 {
				t.Errorf("Syd's alarms: %+v %v, want none", tasks, err)
			}
			if _, err := w.svc.ProviderAlarms(w.ctx, w.officer); trygg.ErrorCode(err) != trygg.EForbidden {
				t.Errorf("the officer's alarms: %v, want forbidden", err)
			}

			// The officer sees it on the case's timeline.
			page, err := w.svc.CaseOverview(w.ctx, w.officer, w.caseID, "sv")
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Timeline) == 0 || page.Timeline[0].Type != events.AlarmReceived || page.Timeline[0].Detail != "Trygghetslarm" {
				t.Errorf("the case timeline begins %+v, want the alarm received on the safety alarm", page.Timeline[:min(2, len(page.Timeline))])
			}

			// A repeat answers the same and writes nothing.
			seq := w.seq(t)
			again, replayed, err := post(w.centre, "e1", "A1", "TL-1", "received", at)
			if err != nil || !replayed || again != res {
				t.Errorf("the repeat: %+v %v %v, want %+v replayed", again, replayed, err, res)
			}
			if w.seq(t) != seq {
				t.Errorf("the repeat appended events")
			}

			for _, tc := range []struct {
				name                         string
				a                            trygg.Actor
				event, alarm, device, status string
				code, msg                    string
			}{
				{"the same event id with another status", w.centre, "e1", "A1", "TL-1", "resolved", trygg.EConflict, "The event id was posted before with another body."},
				{"the alarm id with another device", w.centre, "e2", "A1", "TL-2", "staff_on_the_way", trygg.EConflict, "The alarm id was posted before with another device."},
				{"an unknown device", w.centre, "e3", "A3", "TL-999", "received", trygg.ENotFound, "No running order has this alarm device."},
				{"the provider's staff", w.norr, "e4", "A4", "TL-1", "received", trygg.EForbidden, "Only an alarm receiving centre may post alarms."},
				{"an officer", w.officer, "e5", "A5", "TL-1", "received", trygg.EForbidden, "Only an alarm receiving centre may post alarms."},
				{"an unknown status", w.centre, "e6", "A6", "TL-1", "panic", trygg.EInvalid, "The alarm event is not valid."},
			} {
				_, _, err := post(tc.a, tc.event, tc.alarm, tc.device, tc.status, at)
				if code, msg := errCode(err); code != tc.code || msg != tc.msg {
					t.Errorf("%s: %s %q, want %s %q", tc.name, code, msg, tc.code, tc.msg)
				}
			}
			if w.seq(t) != seq {
				t.Errorf("refused events appended events")
			}

			// Resolved, then a late "on the way" from before: the alarm stays
			// resolved and leaves the list; both events are on the case.
			if res, _, err := post(w.centre, "e7", "A1", "TL-1", "resolved", at.Add(time.Minute)); err != nil || res.Status != "resolved" {
				t.Fatalf("resolved: %+v %v", res, err)
			}
			if res, _, err := post(w.centre, "e8", "A1", "TL-1", "staff_on_the_way", at.Add(30*time.Second)); err != nil || res.Status != "resolved" {
				t.Errorf("a late event: %+v %v, want the alarm still resolved", res, err)
			}
			if tasks, err := w.svc.ProviderAlarms(w.ctx, w.norr); err != nil || len(tasks) != 0 {
				t.Errorf("Norr's alarms after resolved: %+v %v, want none", tasks, err)
			}
			page, err = w.svc.CaseOverview(w.ctx, w.officer, w.caseID, "sv")
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, it := range page.Timeline {
				if it.Type != events.AlarmDeviceRegistered && len(it.Type) > 6 && it.Type[:6] == "alarm." {
					types = append(types, it.Type)
				}
			}
			if !slices.Equal(types, []string{events.AlarmStaffOnTheWay, events.AlarmResolved, events.AlarmReceived}) {
				t.Errorf("the case's alarm events %v", types)
			}

			// A protected person's alarm: on the list only with the permission.
			if _, _, err := post(w.centre, "e9", "A9", "TL-2", "device_fault", at); err != nil {
				t.Fatal(err)
			}
			if tasks, err := w.svc.ProviderAlarms(w.ctx, w.norr); err != nil || len(tasks) != 0 {
				t.Errorf("a protected person's alarm without the permission: %+v %v", tasks, err)
			}
			if tasks, err := w.svc.ProviderAlarms(w.ctx, cleared); err != nil || len(tasks) != 1 || tasks[0].Alarm.Status != "device_fault" {
				t.Errorf("a protected person's alarm with the permission: %+v %v", tasks, err)
			}

			// An ended order's device finds no one.
			err = w.db.Update(w.ctx, func(tx *store.Tx) error {
				o, err := tx.Order(w.ctx, demo.TenantID, w.sydAlarm.ID)
				if err != nil {
					return err
				}
				o.Status, o.EndedOn = store.OrderEnded, "2026-12-07"
				return tx.UpdateOrder(w.ctx, demo.TenantID, o)
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := post(w.centre, "e10", "A10", "TL-3", "received", at); trygg.ErrorCode(err) != trygg.ENotFound {
				t.Errorf("an ended order's device: %v, want not found", err)
			}

			// A revoked centre gets no token.
			if err := w.svc.RevokeAlarmCentre(w.ctx, w.admin, w.centreID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.ClientToken(w.ctx, w.centreID, w.secret); trygg.ErrorCode(err) != trygg.EUnauthorized {
				t.Errorf("a revoked centre's token: %v, want unauthorized", err)
			}
		})
	}
}

// TestPostAlarmAtTheSameTime: a centre that posts an event again before
// the first post has answered (a retry after a timeout) gets the first
// answer, as for a repeat, and the events of a new alarm posted at once
// are each recorded: one alarm, one event in the log per event id, no
// refusal.
func TestPostAlarmAtTheSameTime(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newAlarmWorld(t, engine)
			if err := w.svc.RegisterAlarmDevice(w.ctx, w.norr, w.alarm.ID, service.DeviceInput{DeviceID: "TL-1"}); err != nil {
				t.Fatal(err)
			}
			at := w.clock.Now().Add(-2 * time.Minute).Format(time.RFC3339)
			for _, tc := range []struct {
				name   string
				events []string // the event ids posted at once
			}{
				{"the same event four times", []string{"e1", "e1", "e1", "e1"}},
				{"two events of a new alarm, each twice", []string{"e2", "e3", "e2", "e3"}},
			} {
				alarm := "A-" + tc.events[0]
				before := w.seq(t)
				type answer struct {
					res      service.AlarmResult
					replayed bool
					err      error
				}
				answers := make([]answer, len(tc.events))
				var wg sync.WaitGroup
				for i, ev := range tc.events {
					wg.Go(func() {
						res, replayed, err := w.svc.PostAlarm(w.ctx, w.centre, service.AlarmInput{EventID: ev, AlarmID: alarm, DeviceID: "TL-1",
							Status: "received", At: at})
						answers[i] = answer{res, replayed, err}
					})
				}
				wg.Wait()
				first := map[string]int{}
				for i, a := range answers {
					if a.err != nil {
						t.Errorf("%s: post %d: %v, want the alarm", tc.name, i, a.err)
						continue
					}
					if !a.replayed {
						first[tc.events[i]]++
					}
					if a.res.ID != answers[0].res.ID {
						t.Errorf("%s: post %d answers alarm %s, the first %s", tc.name, i, a.res.ID, answers[0].res.ID)
					}
				}
				for _, ev := range tc.events {
					if first[ev] != 1 {
						t.Errorf("%s: %s was first %d times, want once and replayed after", tc.name, ev, first[ev])
					}
				}
				if n, want := w.seq(t)-before, int64(len(first)); n != want {
					t.Errorf("%s: %d events in the log, want %d", tc.name, n, want)
				}
			}
		})
	}
}

// TestParseAlarmPost: the body is exactly the five fields, each valid;
// anything else is refused with the field named where there is one.
func TestParseAlarmPost(t *testing.T) {
	ok := `{"event_id":"e1","alarm_id":"A1","device_id":"TL-1","status":"received","at":"2026-12-07T21:30:00+01:00"}`
	if in, err := service.ParseAlarmPost([]byte(ok)); err != nil || in.DeviceID != "TL-1" {
		t.Fatalf("a valid body: %+v %v", in, err)
	}
	for _, tc := range []struct {
		name, body, field string
	}{
		{"a name", `{"event_id":"e1","alarm_id":"A1","device_id":"TL-1","status":"received","at":"2026-12-07T21:30:00Z","name":"Anna"}`, "name"},
		{"no device", `{"event_id":"e1","alarm_id":"A1","status":"received","at":"2026-12-07T21:30:00Z"}`, "device_id"},
		{"a number for an id", `{"event_id":1,"alarm_id":"A1","device_id":"TL-1","status":"received","at":"2026-12-07T21:30:00Z"}`, "event_id"},
		{"a day, not a time", `{"event_id":"e1","alarm_id":"A1","device_id":"TL-1","status":"received","at":"2026-12-07"}`, "at"},
		{"an id with a slash", `{"event_id":"e/1","alarm_id":"A1","device_id":"TL-1","status":"received","at":"2026-12-07T21:30:00Z"}`, "event_id"},
		{"two objects", ok + ok, ""},
		{"a list", `[]`, ""},
		{"not JSON", `{"event_id":`, ""},
	} {
		_, err := service.ParseAlarmPost([]byte(tc.body))
		var te *trygg.Error
		if !errors.As(err, &te) || te.Code != trygg.EInvalid || tc.field != "" && te.Fields[tc.field] == "" {
			t.Errorf("%s: %v %+v, want invalid at %q", tc.name, err, te, tc.field)
		}
	}
}

// FuzzAlarmPost: whatever a centre posts, the parser answers a valid
// event or an invalid (or too large) error, never anything else; a valid
// event parses again to itself.
func FuzzAlarmPost(f *testing.F) {
	f.Add([]byte(`{"event_id":"e1","alarm_id":"A1","device_id":"TL-1","status":"received","at":"2026-12-07T21:30:00Z"}`))
	f.Add([]byte(`{"event_id":"e1","alarm_id":"A1","device_id":"TL-1","status":"device_fault","at":"2026-12-07T21:30:00.5+01:00"}`))
	f.Add([]byte(`{"event_id":"","alarm_id":null,"device_id":"TL 1","status":"x","at":"yesterday","extra":1}`))
	f.Add([]byte(`[{"event_id":"e1"}]`))
	f.Add([]byte(`{"event_id":"\u00e5"}{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := service.ParseAlarmPost(body)
		if err != nil {
			if c := trygg.ErrorCode(err); c != trygg.EInvalid && c != trygg.ETooLarge {
				t.Fatalf("%q: %v, want invalid or too large", body, err)
			}
			return
		}
		for _, s := range []string{in.EventID, in.AlarmID, in.DeviceID} {
			if s == "" || len(s) > 64 {
				t.Fatalf("%q: parsed an id %q", body, s)
			}
		}
		if !slices.Contains([]string{"received", "staff_on_the_way", "resolved", "device_fault"}, in.Status) {
			t.Fatalf("%q: parsed a status %q", body, in.Status)
		}
		if _, err := time.Parse(time.RFC3339, in.At); err != nil {
			t.Fatalf("%q: parsed a time %q", body, in.At)
		}
	})
}

// TestDemoAlarms: the demo's home-care histories leave accepted safety
// alarm orders with a device recorded, and an alarm for one reaches its
// provider's staff.
func TestDemoAlarms(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine, nil)
			svc := storetest.Service(t, db, nil)
			ds := demo.Generate(demo.Options{Persons: 200, Staff: 40})
			for _, f := range packs.Files() {
				ds.Definitions = append(ds.Definitions, demo.Definition{Name: f.Name, Content: f.Content})
			}
			if _, err := svc.LoadDemo(ctx, ds); err != nil {
				t.Fatal(err)
			}
			walks, err := demo.Walks()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.PlayDemoWalks(ctx, ds, walks, 3); err != nil {
				t.Fatal(err)
			}
			var device string
			var order store.Order
			for _, c := range ds.Cases {
				orders, err := db.CaseOrders(ctx, demo.TenantID, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range orders {
					if o.Insats != "trygghetslarm" || o.Status != store.OrderAccepted {
						continue
					}
					ds, err := db.OrderDevices(ctx, demo.TenantID, o.ID)
					if err != nil || len(ds) != 1 {
						t.Fatalf("accepted alarm order %s has devices %v %v, want one", o.ID, ds, err)
					}
					device, order = ds[0], o
				}
			}
			if device == "" {
				t.Fatal("no accepted safety alarm order in the demo")
			}
			admin, err := svc.ActorByUsername(ctx, demo.TenantID, "admin")
			if err != nil {
				t.Fatal(err)
			}
			c, err := svc.CreateAlarmCentre(ctx, admin, "Larmcentralen")
			if err != nil {
				t.Fatal(err)
			}
			sess, err := svc.ClientToken(ctx, c.ClientID, c.ClientSecret)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.PostAlarm(ctx, sess.Actor, service.AlarmInput{EventID: "e1", AlarmID: "A1", DeviceID: device,
				Status: "received", At: db.Now().Format(time.RFC3339)}); err != nil {
				t.Fatal(err)
			}
			for _, u := range ds.Users {
				a, err := svc.ActorByUsername(ctx, demo.TenantID, u.Username)
				if err != nil || a.ProviderID != order.ProviderID {
					continue
				}
				tasks, err := svc.ProviderAlarms(ctx, a)
				if err != nil || len(tasks) != 1 || tasks[0].OrderID != order.ID {
					t.Errorf("%s's alarms: %+v %v, want the alarm on order %s", u.Username, tasks, err, order.ID)
				}
				return
			}
			t.Errorf("no staff of the provider %s", order.ProviderID)
		})
	}
}
