package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/auth"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/storedtext"
	"github.com/trygg/trygg/internal/trygg"
)

// Welfare-technology alarms (trygghetslarm). An alarm receiving centre
// (larmcentral) is an OAuth2 client of its own kind: a user row marked
// api_client with no provider and no role, listed in alarm_centres. Its
// tokens reach nothing but posting alarms, which name a device, never a
// person: the device finds the running order of a device insats its
// provider recorded it on (the case type's orders.devices), and so the
// person, the case and the provider who answers. Each post is one event
// of an alarm (received, staff on the way, resolved, device fault), kept
// by the centre's own event id: a repeat returns the first answer and
// changes nothing.

// AlarmInput is an event of an alarm as the centre posts it.
type AlarmInput struct {
	// EventID is the centre's id of this event: the idempotency key.
	EventID string `json:"event_id"`
	// AlarmID is the centre's id of the alarm the event belongs to.
	AlarmID string `json:"alarm_id"`
	// DeviceID is the alarm device's id, as recorded on the order.
	DeviceID string `json:"device_id"`
	// Status is received, staff_on_the_way, resolved or device_fault.
	Status string `json:"status"`
	// At is when the centre recorded the event (RFC 3339).
	At string `json:"at"`
}

// AlarmResult is the answer to a posted event: trygg's id of the alarm
// and its status now (its latest event's, by the centre's time).
type AlarmResult struct {
	ID       string    `json:"id"`
	AlarmID  string    `json:"alarm_id"`
	EventID  string    `json:"event_id"`
	DeviceID string    `json:"device_id"`
	Status   string    `json:"status"`
	RaisedAt time.Time `json:"raised_at"`
}

// alarmStatuses are the events a centre posts.
var alarmStatuses = []string{store.AlarmReceived, store.AlarmStaffOnTheWay, store.AlarmResolved, store.AlarmDeviceFault}

// alarmEventType is the event type of each status.
var alarmEventType = map[string]string{
	store.AlarmReceived:      events.AlarmReceived,
	store.AlarmStaffOnTheWay: events.AlarmStaffOnTheWay,
	store.AlarmResolved:      events.AlarmResolved,
	store.AlarmDeviceFault:   events.AlarmDeviceFault,
}

// maxAlarmBody bounds a posted alarm event: five short fields.
const maxAlarmBody = 4 << 10

var errAlarmBody = trygg.Errorf(trygg.EInvalid, "The body must be one JSON object with event_id, alarm_id, device_id, status and at, and nothing else.")

// ParseAlarmPost reads a posted alarm event: one JSON object with exactly
// the fields of AlarmInput, each valid. A body that is not such an object
// (other fields, more than one value, too long) is invalid; an invalid
// field is named in the error's fields.
func ParseAlarmPost(body []byte) (AlarmInput, error) {
	var in AlarmInput
	if len(body) > maxAlarmBody {
		return in, trygg.Errorf(trygg.ETooLarge, "The alarm event is larger than 4 KiB.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return AlarmInput{}, trygg.Errorf(trygg.EInvalid, "The body is not valid JSON (error at byte %d).", syn.Offset)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return AlarmInput{}, trygg.Errorf(trygg.EInvalid, "The body is not valid JSON (it ends too early).")
		case errors.As(err, &typ) && typ.Field != "" && typ.Type.Kind() == reflect.String:
			return AlarmInput{}, trygg.Invalid("A field has the wrong type.", map[string]string{typ.Field: "Must be text."})
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			if !alarmRef(name) {
				name = "?"
			}
			return AlarmInput{}, trygg.Invalid("The body has a field this endpoint does not know.", map[string]string{name: "Unknown field."})
		}
		return AlarmInput{}, errAlarmBody
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return AlarmInput{}, errAlarmBody
	}
	if _, err := in.check(); err != nil {
		return AlarmInput{}, err
	}
	return in, nil
}

// alarmRef reports whether s is a valid id of the centre's or a device's:
// 1–64 characters of letters A–Z, digits and . _ : -.
func alarmRef(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._:-", r)) {
			return false
		}
	}
	return true
}

const alarmRefRule = "Required: 1–64 letters A–Z, digits, '.', '_', ':' or '-'."

// check returns the event's time, or an invalid error naming each field
// that is wrong.
func (in AlarmInput) check() (time.Time, error) {
	fields := map[string]string{}
	for name, v := range map[string]string{"event_id": in.EventID, "alarm_id": in.AlarmID, "device_id": in.DeviceID} {
		if !alarmRef(v) {
			fields[name] = alarmRefRule
		}
	}
	if !slices.Contains(alarmStatuses, in.Status) {
		fields["status"] = "Must be received, staff_on_the_way, resolved or device_fault."
	}
	at, err := time.Parse(time.RFC3339, in.At)
	if err != nil || at.Year() < 2000 || at.Year() > 9999 {
		fields["at"] = "Give the time in RFC 3339, such as 2026-12-07T21:30:00Z."
	}
	if len(fields) > 0 {
		return time.Time{}, trygg.Invalid("The alarm event is not valid.", fields)
	}
	return at.UTC(), nil
}

// hash is the hash of the event's canonical form: the same event posted
// twice with other spacing is the same.
func (in AlarmInput) hash() string {
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

var errNotAlarmCentre = trygg.Errorf(trygg.EForbidden, "Only an alarm receiving centre may post alarms.")

// PostAlarm records an event of an alarm posted by an alarm receiving
// centre and returns the alarm's state, and whether the event was posted
// before (then nothing changed). The first event of an alarm finds the
// running order its device is recorded on and makes the alarm, a task for
// the order's provider until it is resolved; every event is on the
// order's case. An actor who is not an alarm receiving centre is
// forbidden; a device on no running order is not found; an event id
// posted before with another body, or an alarm id with another device,
// is a conflict.
func (s *Service) PostAlarm(ctx context.Context, a trygg.Actor, in AlarmInput) (AlarmResult, bool, error) {
	centre, err := s.db.IsAlarmCentre(ctx, a.Tenant, a.UserID)
	if err != nil {
		return AlarmResult{}, false, err
	}
	if !centre || a.UserID == "" {
		return AlarmResult{}, false, errNotAlarmCentre
	}
	at, err := in.check()
	if err != nil {
		return AlarmResult{}, false, err
	}
	if at.After(s.db.Now().Add(5 * time.Minute)) {
		return AlarmResult{}, false, trygg.Invalid("The alarm event is not valid.", map[string]string{"at": "The time is in the future."})
	}
	hash := in.hash()
	var res AlarmResult
	replayed := false
	// A post that lost a race with another of the same event, or of the
	// same new alarm, is a conflict in the store; tried again it reads
	// what the other wrote: the first answer, or the alarm to update. A
	// conflict of the body or the device is the same when tried again.
	for attempt := 1; ; attempt++ {
		replayed = false
		err = s.postAlarm(ctx, a, in, at, hash, &res, &replayed)
		if trygg.ErrorCode(err) != trygg.EConflict || attempt == 3 {
			break
		}
	}
	if err != nil {
		return AlarmResult{}, false, err
	}
	return res, replayed, nil
}

// postAlarm is PostAlarm's transaction.
func (s *Service) postAlarm(ctx context.Context, a trygg.Actor, in AlarmInput, at time.Time, hash string, res *AlarmResult, replayed *bool) error {
	return s.db.Update(ctx, func(tx *store.Tx) error {
		post, err := tx.AlarmPostByRef(ctx, a.Tenant, a.UserID, in.EventID)
		if err == nil {
			if post.BodyHash != hash {
				return trygg.Errorf(trygg.EConflict, "The event id was posted before with another body.")
			}
			*replayed = true
			return json.Unmarshal([]byte(post.Result), res)
		}
		if trygg.ErrorCode(err) != trygg.ENotFound {
			return err
		}
		al, err := tx.AlarmByRef(ctx, a.Tenant, a.UserID, in.AlarmID)
		switch {
		case err == nil:
			if al.DeviceID != in.DeviceID {
				return trygg.Errorf(trygg.EConflict, "The alarm id was posted before with another device.")
			}
			// Events may come out of order: the alarm's status is its
			// latest event's by the centre's time.
			if !at.Before(al.StatusAt) {
				al.Status, al.StatusAt = in.Status, at
				if err := tx.UpdateAlarmStatus(ctx, a.Tenant, al.ID, al.Status, al.StatusAt); err != nil {
					return err
				}
			}
		case trygg.ErrorCode(err) == trygg.ENotFound:
			o, err := runningDeviceOrder(ctx, tx, a.Tenant, in.DeviceID)
			if err != nil {
				return err
			}
			al = store.Alarm{ID: newID(), CentreID: a.UserID, Ref: in.AlarmID, DeviceID: in.DeviceID, OrderID: o.ID, CaseID: o.CaseID,
				PersonID: o.PersonID, ProviderID: o.ProviderID, Status: in.Status, RaisedAt: at, StatusAt: at}
			if err := tx.InsertAlarm(ctx, a.Tenant, al); err != nil {
				return err
			}
		default:
			return err
		}
		o, err := tx.Order(ctx, a.Tenant, al.OrderID)
		if err != nil {
			return err
		}
		e := events.New(a, alarmEventType[in.Status], "alarm", al.ID, map[string]string{"order_id": al.OrderID,
			"provider_id": al.ProviderID, "insats": o.Insats, "status": in.Status, "at": at.Format(time.RFC3339)})
		e.PersonID, e.CaseID = al.PersonID, al.CaseID
		if _, err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		*res = AlarmResult{ID: al.ID, AlarmID: al.Ref, EventID: in.EventID, DeviceID: al.DeviceID, Status: al.Status, RaisedAt: al.RaisedAt}
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		return tx.InsertAlarmPost(ctx, a.Tenant, a.UserID, store.AlarmPost{EventRef: in.EventID, BodyHash: hash, AlarmID: al.ID, Result: string(b)})
	})
}

var errNoAlarmDevice = trygg.Errorf(trygg.ENotFound, "No running order has this alarm device.")

// runningDeviceOrder returns the active order the device is recorded on
// inside tx; a device on none, or on an order that has ended or was
// returned, is not found.
func runningDeviceOrder(ctx context.Context, tx *store.Tx, tenant trygg.TenantID, deviceID string) (store.Order, error) {
	id, err := tx.AlarmDeviceOrder(ctx, tenant, deviceID)
	if trygg.ErrorCode(err) == trygg.ENotFound {
		return store.Order{}, errNoAlarmDevice
	}
	if err != nil {
		return store.Order{}, err
	}
	o, err := tx.Order(ctx, tenant, id)
	if trygg.ErrorCode(err) == trygg.ENotFound || err == nil && !o.Active() {
		return store.Order{}, errNoAlarmDevice
	}
	return o, err
}

// DeviceInput is the device a provider records on an order.
type DeviceInput struct {
	DeviceID string `json:"device_id"`
}

// RegisterAlarmDevice records the device on the order, for the alarms
// that name it: its provider may, on an order still running whose insats
// the case type carries out with a device (orders.devices). Recording a
// device already on the order changes nothing. A device id not valid, or
// an order of an insats without a device, is invalid; a device recorded
// on another running order is a conflict.
func (s *Service) RegisterAlarmDevice(ctx context.Context, a trygg.Actor, orderID string, in DeviceInput) error {
	o, _, err := s.orderFor(ctx, a, orderID, true)
	if err != nil {
		return err
	}
	if !alarmRef(in.DeviceID) {
		return trygg.Invalid("The alarm device is not valid.", map[string]string{"device_id": alarmRefRule})
	}
	_, def, err := s.orderDefinition(ctx, a.Tenant, o)
	if err != nil {
		return err
	}
	if def == nil || !slices.ContainsFunc(def.Devices, func(d process.Str) bool { return d.Value == o.Insats }) {
		return trygg.Errorf(trygg.EInvalid, "This order's insats is carried out without a device.")
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		current, err := tx.AlarmDeviceOrder(ctx, a.Tenant, in.DeviceID)
		if err == nil && current == o.ID {
			return nil
		}
		if err == nil {
			other, err := tx.Order(ctx, a.Tenant, current)
			if err == nil && other.Active() {
				return trygg.Errorf(trygg.EConflict, "The alarm device is recorded on another running order. That order must end first.")
			}
		} else if trygg.ErrorCode(err) != trygg.ENotFound {
			return err
		}
		if err := tx.SetAlarmDevice(ctx, a.Tenant, in.DeviceID, o.ID, a.UserID); err != nil {
			return err
		}
		e := events.New(a, events.AlarmDeviceRegistered, "order", o.ID, map[string]string{"device_id": in.DeviceID, "insats": o.Insats})
		e.PersonID, e.CaseID = o.PersonID, o.CaseID
		_, err = tx.AppendEvent(ctx, e)
		return err
	})
}

// OrderDevices returns the devices recorded on an order the actor may
// read, in id order; an order the actor may not read is not found.
func (s *Service) OrderDevices(ctx context.Context, a trygg.Actor, orderID string) ([]string, error) {
	o, ground, err := s.orderFor(ctx, a, orderID, false)
	if err != nil {
		return nil, err
	}
	if err := s.logAccess(ctx, entry(a, access.ReadOrder, o.PersonID, o.CaseID, ground, "")); err != nil {
		return nil, err
	}
	return s.db.OrderDevices(ctx, a.Tenant, orderID)
}

// OrderDevicesView is what an order's page shows of its devices: whether
// its insats is carried out with one, and those recorded.
type OrderDevicesView struct {
	Carries bool     `json:"carries"`
	Devices []string `json:"devices"`
}

// OrderDeviceView returns whether the order's insats is carried out with
// a device (the case type's orders.devices) and, if it is, the devices
// recorded on it; the read is access-logged when there are devices to
// read. An order the actor may not read is not found.
func (s *Service) OrderDeviceView(ctx context.Context, a trygg.Actor, orderID string) (OrderDevicesView, error) {
	o, _, err := s.orderFor(ctx, a, orderID, false)
	if err != nil {
		return OrderDevicesView{}, err
	}
	_, def, err := s.orderDefinition(ctx, a.Tenant, o)
	if err != nil || def == nil || !slices.ContainsFunc(def.Devices, func(d process.Str) bool { return d.Value == o.Insats }) {
		return OrderDevicesView{Devices: []string{}}, err
	}
	ds, err := s.OrderDevices(ctx, a, orderID)
	return OrderDevicesView{Carries: true, Devices: ds}, err
}

// AlarmTask is an alarm not yet resolved, as the provider's staff see it
// on their day: the alarm, and the order's person and insats.
type AlarmTask struct {
	Alarm       store.Alarm       `json:"alarm"`
	OrderID     string            `json:"order_id"`
	Person      store.OrderPerson `json:"person"`
	InsatsLabel string            `json:"insats_label"`
}

// ProviderAlarms returns the alarms of the staff's provider not yet
// resolved, newest first: its tasks. Alarms about persons with protected
// identity are left out unless the staff may see them, as their orders
// are; each alarm's read is access-logged as a read of its order. Only a
// provider's staff have alarms; others are forbidden.
func (s *Service) ProviderAlarms(ctx context.Context, a trygg.Actor) ([]AlarmTask, error) {
	if a.ProviderID == "" || !a.HasRole(trygg.RoleProvider) {
		return nil, trygg.Errorf(trygg.EForbidden, "Only a provider's staff have alarms to answer.")
	}
	alarms, err := s.db.ProviderOpenAlarms(ctx, a.Tenant, a.ProviderID, a.ProtectedIdentity, 200)
	if err != nil || len(alarms) == 0 {
		return []AlarmTask{}, err
	}
	var ids []string
	for _, al := range alarms {
		ids = append(ids, al.OrderID)
	}
	orders, err := s.db.OrdersByIDs(ctx, a.Tenant, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]store.Order{}
	for _, o := range orders {
		byID[o.ID] = o
	}
	out := make([]AlarmTask, 0, len(alarms))
	var entries []audit.Entry
	for _, al := range alarms {
		o, ok := byID[al.OrderID]
		if !ok || o.ProviderID != a.ProviderID || o.Protected && !a.ProtectedIdentity {
			continue
		}
		out = append(out, AlarmTask{Alarm: al, OrderID: o.ID, Person: o.Content.Person, InsatsLabel: o.Content.InsatsLabel})
		entries = append(entries, entry(a, access.ReadOrder, o.PersonID, o.CaseID, access.RelProvider, ""))
	}
	if err := s.logAccess(ctx, entries...); err != nil {
		return nil, err
	}
	return out, nil
}

// NewAlarmCentre is an alarm receiving centre's client just created, with
// its secret: the only time the secret is shown.
type NewAlarmCentre struct {
	ClientID     string    `json:"client_id"`
	Name         string    `json:"name"`
	CreatedAt    time.Time `json:"created_at"`
	ClientSecret string    `json:"client_secret"`
}

// AlarmCentre is an alarm receiving centre's client, without its secret.
type AlarmCentre struct {
	ClientID string `json:"client_id"`
	Name     string `json:"name"`
	Revoked  bool   `json:"revoked"`
}

// CreateAlarmCentre gives an alarm receiving centre OAuth2 client
// credentials (client id "tenant.id") that may post alarms and do nothing
// else. A system administrator may; a missing or over-long name is
// invalid.
func (s *Service) CreateAlarmCentre(ctx context.Context, a trygg.Actor, name string) (NewAlarmCentre, error) {
	if _, err := access.Decide(a, access.ManageOrg, access.Subject{}); err != nil {
		return NewAlarmCentre{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 200 {
		return NewAlarmCentre{}, trygg.Invalid("The alarm receiving centre is not valid.", map[string]string{"name": "Required, at most 200 characters."})
	}
	if err := storedtext.Check(name, storedtext.Line); err != nil {
		return NewAlarmCentre{}, trygg.Invalid("The alarm receiving centre is not valid.", map[string]string{"name": err.Error()})
	}
	secret, hash, err := auth.NewSecret()
	if err != nil {
		return NewAlarmCentre{}, err
	}
	id := newID()
	c := NewAlarmCentre{ClientID: string(a.Tenant) + "." + id, Name: name, ClientSecret: secret}
	u := store.User{ID: id, Username: c.ClientID, DisplayName: name, APIClient: true, SecretHash: hash}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		c.CreatedAt = tx.Now
		if err := tx.InsertUser(ctx, a.Tenant, u); err != nil {
			return err
		}
		if err := tx.InsertAlarmCentre(ctx, a.Tenant, id); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, events.AlarmCentreCreated, "user", id,
			map[string]string{"client_id": c.ClientID, "name": name}))
		return err
	})
	if err != nil {
		return NewAlarmCentre{}, err
	}
	return c, nil
}

// AlarmCentres lists the alarm receiving centres' clients, revoked ones
// too, without secrets. A system administrator may.
func (s *Service) AlarmCentres(ctx context.Context, a trygg.Actor) ([]AlarmCentre, error) {
	if _, err := access.Decide(a, access.ManageOrg, access.Subject{}); err != nil {
		return nil, err
	}
	us, err := s.db.AlarmCentres(ctx, a.Tenant)
	if err != nil {
		return nil, err
	}
	out := make([]AlarmCentre, 0, len(us))
	for _, u := range us {
		out = append(out, AlarmCentre{ClientID: u.Username, Name: u.DisplayName, Revoked: u.Disabled})
	}
	return out, nil
}

var errNoAlarmCentre = trygg.Errorf(trygg.ENotFound, "Alarm receiving centre not found.")

// RevokeAlarmCentre disables an alarm receiving centre's client and ends
// its tokens at once. A system administrator may. A client that is no
// alarm centre of the tenant is not found; revoking a revoked one changes
// nothing.
func (s *Service) RevokeAlarmCentre(ctx context.Context, a trygg.Actor, clientID string) error {
	if _, err := access.Decide(a, access.ManageOrg, access.Subject{}); err != nil {
		return err
	}
	tenant, id, ok := strings.Cut(clientID, ".")
	if !ok || trygg.TenantID(tenant) != a.Tenant {
		return errNoAlarmCentre
	}
	centre, err := s.db.IsAlarmCentre(ctx, a.Tenant, id)
	if err != nil {
		return err
	}
	if !centre {
		return errNoAlarmCentre
	}
	u, err := s.db.UserByID(ctx, a.Tenant, id)
	if err != nil || u.Disabled {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DisableUser(ctx, a.Tenant, id); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, events.New(a, events.AlarmCentreRevoked, "user", id, map[string]string{"client_id": clientID}))
		return err
	})
}
