package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Alarm is an alarm from an alarm receiving centre (larmcentral) about a
// device recorded on an order: the centre's own id for it (Ref), and the
// status of its latest event.
type Alarm struct {
	ID         string    `json:"id"`
	CentreID   string    `json:"-"`
	Ref        string    `json:"alarm_id"`
	DeviceID   string    `json:"device_id"`
	OrderID    string    `json:"-"`
	CaseID     string    `json:"-"`
	PersonID   string    `json:"-"`
	ProviderID string    `json:"-"`
	Status     string    `json:"status"`
	RaisedAt   time.Time `json:"raised_at"`
	StatusAt   time.Time `json:"status_at"`
}

// Alarm statuses, the centre's events: the alarm is received, staff are
// on the way, it is resolved; or the device reports a fault.
const (
	AlarmReceived      = "received"
	AlarmStaffOnTheWay = "staff_on_the_way"
	AlarmResolved      = "resolved"
	AlarmDeviceFault   = "device_fault"
)

// AlarmPost is an event a centre posted, kept by the centre's event id:
// the hash of what was posted and the answer given.
type AlarmPost struct {
	EventRef string
	BodyHash string
	AlarmID  string
	Result   string
}

// InsertAlarmCentre marks the user as an alarm receiving centre inside tx.
func (tx *Tx) InsertAlarmCentre(ctx context.Context, tenant trygg.TenantID, userID string) error {
	_, err := tx.exec(ctx, `INSERT INTO alarm_centres (tenant_id, user_id, created_at) VALUES (?, ?, ?)`,
		string(tenant), userID, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert alarm centre: %w", err)
	}
	return nil
}

// IsAlarmCentre reports whether the user is an alarm receiving centre.
func (db *DB) IsAlarmCentre(ctx context.Context, tenant trygg.TenantID, userID string) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM alarm_centres WHERE tenant_id = ? AND user_id = ?`, string(tenant), userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: alarm centre: %w", err)
	}
	return n > 0, nil
}

// AlarmCentres returns the alarm receiving centres' users, revoked ones
// too, oldest first.
func (db *DB) AlarmCentres(ctx context.Context, tenant trygg.TenantID) ([]User, error) {
	rows, err := db.query(ctx, `SELECT u.id FROM alarm_centres c JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.user_id
		WHERE c.tenant_id = ? ORDER BY c.created_at, u.id`, string(tenant))
	ids, err := scanRows(func(s interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, s.Scan(&id)
	})(rows, err)
	if err != nil {
		return nil, fmt.Errorf("store: alarm centres: %w", err)
	}
	out := make([]User, 0, len(ids))
	for _, id := range ids {
		u, err := db.UserByID(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// AlarmDeviceOrder returns the id of the order the device is recorded
// on, or not found.
func (db *DB) AlarmDeviceOrder(ctx context.Context, tenant trygg.TenantID, deviceID string) (string, error) {
	var id string
	err := db.queryRow(ctx, `SELECT order_id FROM alarm_devices WHERE tenant_id = ? AND device_id = ?`, string(tenant), deviceID).Scan(&id)
	return id, notFound(err, "Alarm device")
}

// AlarmDeviceOrder returns, inside tx, the id of the order the device is
// recorded on, or not found.
func (tx *Tx) AlarmDeviceOrder(ctx context.Context, tenant trygg.TenantID, deviceID string) (string, error) {
	var id string
	err := tx.queryRow(ctx, `SELECT order_id FROM alarm_devices WHERE tenant_id = ? AND device_id = ?`, string(tenant), deviceID).Scan(&id)
	return id, notFound(err, "Alarm device")
}

// OrderDevices returns the devices recorded on the order, in id order.
func (db *DB) OrderDevices(ctx context.Context, tenant trygg.TenantID, orderID string) ([]string, error) {
	return scanRows(func(s interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, s.Scan(&id)
	})(db.query(ctx, `SELECT device_id FROM alarm_devices WHERE tenant_id = ? AND order_id = ? ORDER BY device_id`, string(tenant), orderID))
}

// SetAlarmDevice records the device on the order inside tx, moving it
// from any order it was recorded on before.
func (tx *Tx) SetAlarmDevice(ctx context.Context, tenant trygg.TenantID, deviceID, orderID, by string) error {
	if _, err := tx.exec(ctx, `DELETE FROM alarm_devices WHERE tenant_id = ? AND device_id = ?`, string(tenant), deviceID); err != nil {
		return fmt.Errorf("store: alarm device: %w", err)
	}
	_, err := tx.exec(ctx, `INSERT INTO alarm_devices (tenant_id, device_id, order_id, registered_by, registered_at) VALUES (?, ?, ?, ?, ?)`,
		string(tenant), deviceID, orderID, by, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: alarm device: %w", err)
	}
	return nil
}

// AlarmPostByRef returns the event the centre posted under its event id
// inside tx, or not found.
func (tx *Tx) AlarmPostByRef(ctx context.Context, tenant trygg.TenantID, centreID, eventRef string) (AlarmPost, error) {
	p := AlarmPost{EventRef: eventRef}
	err := tx.queryRow(ctx, `SELECT body_hash, alarm_id, result FROM alarm_posts WHERE tenant_id = ? AND centre_id = ? AND event_ref = ?`,
		string(tenant), centreID, eventRef).Scan(&p.BodyHash, &p.AlarmID, &p.Result)
	return p, notFound(err, "Alarm post")
}

// InsertAlarmPost keeps a posted event and its answer inside tx; another
// post of the same event id meanwhile is a conflict.
func (tx *Tx) InsertAlarmPost(ctx context.Context, tenant trygg.TenantID, centreID string, p AlarmPost) error {
	_, err := tx.exec(ctx, `INSERT INTO alarm_posts (tenant_id, centre_id, event_ref, body_hash, alarm_id, result, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, string(tenant), centreID, p.EventRef, p.BodyHash, p.AlarmID, p.Result, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "The event was posted at the same time by another request. Post it again to read its result.")
	}
	if err != nil {
		return fmt.Errorf("store: insert alarm post: %w", err)
	}
	return nil
}

const alarmCols = `id, centre_id, alarm_ref, device_id, order_id, case_id, person_id, provider_id, status, raised_at, status_at`

func scanAlarm(s interface{ Scan(...any) error }) (Alarm, error) {
	var a Alarm
	var raised, at int64
	err := s.Scan(&a.ID, &a.CentreID, &a.Ref, &a.DeviceID, &a.OrderID, &a.CaseID, &a.PersonID, &a.ProviderID, &a.Status, &raised, &at)
	a.RaisedAt, a.StatusAt = fromMicros(raised), fromMicros(at)
	return a, err
}

// AlarmByRef returns the centre's alarm with its alarm id inside tx, or
// not found.
func (tx *Tx) AlarmByRef(ctx context.Context, tenant trygg.TenantID, centreID, ref string) (Alarm, error) {
	a, err := scanAlarm(tx.queryRow(ctx, `SELECT `+alarmCols+` FROM alarms WHERE tenant_id = ? AND centre_id = ? AND alarm_ref = ?`,
		string(tenant), centreID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return a, trygg.ErrNotFound
	}
	return a, err
}

// InsertAlarm adds an alarm inside tx.
func (tx *Tx) InsertAlarm(ctx context.Context, tenant trygg.TenantID, a Alarm) error {
	_, err := tx.exec(ctx, `INSERT INTO alarms (tenant_id, `+alarmCols+`, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(tenant), a.ID, a.CentreID, a.Ref, a.DeviceID, a.OrderID, a.CaseID, a.PersonID, a.ProviderID, a.Status,
		micros(a.RaisedAt), micros(a.StatusAt), micros(tx.Now), micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "The event was posted at the same time by another request. Post it again to read its result.")
	}
	if err != nil {
		return fmt.Errorf("store: insert alarm: %w", err)
	}
	return nil
}

// UpdateAlarmStatus sets the alarm's status and its time inside tx.
func (tx *Tx) UpdateAlarmStatus(ctx context.Context, tenant trygg.TenantID, id, status string, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE alarms SET status = ?, status_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
		status, micros(at), micros(tx.Now), string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: update alarm: %w", err)
	}
	return nil
}

// ProviderOpenAlarms returns the provider's alarms not resolved, newest
// first; alarms about persons with protected identity only when
// seeProtected.
func (db *DB) ProviderOpenAlarms(ctx context.Context, tenant trygg.TenantID, providerID string, seeProtected bool, limit int) ([]Alarm, error) {
	q := `SELECT ` + alarmCols + ` FROM alarms WHERE tenant_id = ? AND provider_id = ? AND status <> ?`
	if !seeProtected {
		// The protection as it is now, as for orders.
		q += ` AND ` + protectedNow("alarms") + ` = 0`
	}
	q += ` ORDER BY raised_at DESC, id DESC` + limitSQL(limit)
	alarms, err := scanRows(scanAlarm)(db.query(ctx, q, string(tenant), providerID, AlarmResolved))
	if err != nil {
		return nil, fmt.Errorf("store: open alarms: %w", err)
	}
	return alarms, nil
}
