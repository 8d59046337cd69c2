package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/trygg"
)

// Slot statuses and meeting kinds.
const (
	SlotOpen      = "open"
	SlotWithdrawn = "withdrawn"

	MeetingPlace = "place"
	MeetingPhone = "phone"
	MeetingVideo = "video"
	// MeetingHome is a home visit, booked by the officer on the case at
	// the person's address.
	MeetingHome = "home"
)

// Booking statuses: a booking in force is booked; it ends moved (to
// another slot) or cancelled.
const (
	BookingBooked    = "booked"
	BookingMoved     = "moved"
	BookingCancelled = "cancelled"
)

// Slot is a free time an officer publishes for a meeting.
type Slot struct {
	ID        string    `json:"id"`
	OfficerID string    `json:"officer_id"`
	StartsAt  time.Time `json:"starts_at"`
	Minutes   int       `json:"minutes"`
	Kind      string    `json:"kind"` // place, phone, video or home
	Place     string    `json:"place,omitempty"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Ends is when the meeting ends.
func (s Slot) Ends() time.Time { return s.StartsAt.Add(time.Duration(s.Minutes) * time.Minute) }

// Booking is a citizen's booking of a slot for a case.
type Booking struct {
	ID        string    `json:"id"`
	SlotID    string    `json:"slot_id"`
	CaseID    string    `json:"case_id"`
	PersonID  string    `json:"person_id"`
	BookedBy  string    `json:"booked_by"`
	Status    string    `json:"status"`
	MovedTo   string    `json:"moved_to,omitempty"`
	TaskID    string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
}

const slotCols = `s.id, s.officer_id, s.starts_at, s.minutes, s.kind, s.place, s.status, s.created_at`

func scanSlot(s interface{ Scan(...any) error }, extra ...any) (Slot, error) {
	var sl Slot
	var starts, created int64
	err := s.Scan(append([]any{&sl.ID, &sl.OfficerID, &starts, &sl.Minutes, &sl.Kind, &sl.Place, &sl.Status, &created}, extra...)...)
	sl.StartsAt, sl.CreatedAt = fromMicros(starts), fromMicros(created)
	return sl, err
}

const bookingCols = `b.id, b.slot_id, b.case_id, b.person_id, b.booked_by, b.status, b.moved_to, b.task_id, b.created_at, b.ended_at`

func scanBooking(s interface{ Scan(...any) error }, extra ...any) (Booking, error) {
	var b Booking
	var created, ended int64
	err := s.Scan(append([]any{&b.ID, &b.SlotID, &b.CaseID, &b.PersonID, &b.BookedBy, &b.Status, &b.MovedTo, &b.TaskID, &created, &ended}, extra...)...)
	b.CreatedAt, b.EndedAt = fromMicros(created), fromMicros(ended)
	return b, err
}

// InsertSlot adds a slot inside tx.
func (tx *Tx) InsertSlot(ctx context.Context, tenant trygg.TenantID, s Slot) error {
	_, err := tx.exec(ctx, `INSERT INTO meeting_slots (tenant_id, id, officer_id, starts_at, minutes, kind, place, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), s.ID, s.OfficerID, micros(s.StartsAt), s.Minutes, s.Kind, s.Place, SlotOpen, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert slot: %w", err)
	}
	return nil
}

// OverlappingSlots counts the officer's open slots that overlap the time
// from–to, as the transaction sees them.
func (tx *Tx) OverlappingSlots(ctx context.Context, tenant trygg.TenantID, officerID string, from, to time.Time) (int, error) {
	// A slot overlaps when it starts before to and ends after from; its
	// end is starts_at + minutes (in microseconds).
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM meeting_slots WHERE tenant_id = ? AND officer_id = ? AND status = 'open'
		AND starts_at < ? AND starts_at + minutes * CAST(60000000 AS BIGINT) > ?`, string(tenant), officerID, micros(to), micros(from)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: overlapping slots: %w", err)
	}
	return n, nil
}

// SlotByID returns a slot, unchecked by access, or a not-found error.
func (db *DB) SlotByID(ctx context.Context, tenant trygg.TenantID, id string) (Slot, error) {
	s, err := scanSlot(db.queryRow(ctx, `SELECT `+slotCols+` FROM meeting_slots s WHERE s.tenant_id = ? AND s.id = ?`, string(tenant), id))
	return s, notFound(err, "Slot")
}

// LockSlot returns a slot inside tx, locked until commit (PostgreSQL;
// SQLite's writer holds the database), so booking and withdrawing it
// take turns.
func (tx *Tx) LockSlot(ctx context.Context, tenant trygg.TenantID, id string) (Slot, error) {
	s, err := scanSlot(tx.queryRow(ctx, `SELECT `+slotCols+` FROM meeting_slots s WHERE s.tenant_id = ? AND s.id = ?`+tx.db.dialect.forUpdate(),
		string(tenant), id))
	return s, notFound(err, "Slot")
}

// WithdrawSlot withdraws an open slot that no booking holds, inside tx;
// otherwise a conflict.
func (tx *Tx) WithdrawSlot(ctx context.Context, tenant trygg.TenantID, id string) error {
	res, err := tx.exec(ctx, `UPDATE meeting_slots SET status = 'withdrawn', withdrawn_at = ? WHERE tenant_id = ? AND id = ? AND status = 'open'
		AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.tenant_id = meeting_slots.tenant_id AND b.slot_id = meeting_slots.id AND b.status = 'booked')`,
		micros(tx.Now), string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: withdraw slot: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.EConflict, "The time is booked or already withdrawn; a booked time cannot be withdrawn.")
	}
	return nil
}

// SlotBooking is a slot with the booking in force on it, if any.
type SlotBooking struct {
	Slot
	Booking *Booking `json:"booking,omitempty"`
}

// OfficerSlots returns the officer's slots that end after from, open and
// withdrawn, soonest first, each with its booking in force.
func (db *DB) OfficerSlots(ctx context.Context, tenant trygg.TenantID, officerID string, from time.Time) ([]SlotBooking, error) {
	rows, err := db.query(ctx, `SELECT `+slotCols+`, COALESCE(b.id, '') FROM meeting_slots s
		LEFT JOIN bookings b ON b.tenant_id = s.tenant_id AND b.slot_id = s.id AND b.status = 'booked'
		WHERE s.tenant_id = ? AND s.officer_id = ? AND s.starts_at + s.minutes * CAST(60000000 AS BIGINT) > ?
		ORDER BY s.starts_at, s.id LIMIT 500`, string(tenant), officerID, micros(from))
	if err != nil {
		return nil, fmt.Errorf("store: officer slots: %w", err)
	}
	var out []SlotBooking
	var bookingIDs []string
	func() {
		defer rows.Close()
		for rows.Next() {
			var bid string
			s, e := scanSlot(rows, &bid)
			if e != nil {
				err = e
				return
			}
			out = append(out, SlotBooking{Slot: s})
			bookingIDs = append(bookingIDs, bid)
		}
		err = rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("store: officer slots: %w", err)
	}
	for i, id := range bookingIDs {
		if id == "" {
			continue
		}
		b, err := db.BookingByID(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		out[i].Booking = &b
	}
	return out, nil
}

// FreeSlots returns the officer's open, unbooked slots starting after
// from, soonest first, at most limit.
func (db *DB) FreeSlots(ctx context.Context, tenant trygg.TenantID, officerID string, from time.Time, limit int) ([]Slot, error) {
	rows, err := db.query(ctx, `SELECT `+slotCols+` FROM meeting_slots s
		WHERE s.tenant_id = ? AND s.officer_id = ? AND s.status = 'open' AND s.starts_at > ?
		AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.tenant_id = s.tenant_id AND b.slot_id = s.id AND b.status = 'booked')
		ORDER BY s.starts_at, s.id`+limitSQL(limit), string(tenant), officerID, micros(from))
	if err != nil {
		return nil, fmt.Errorf("store: free slots: %w", err)
	}
	defer rows.Close()
	out := []Slot{}
	for rows.Next() {
		s, err := scanSlot(rows)
		if err != nil {
			return nil, fmt.Errorf("store: free slots: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// InsertBooking books a slot inside tx. If the slot already has a booking
// in force it returns a conflict: the unique index decides, so two
// bookings at the same moment cannot both succeed.
func (tx *Tx) InsertBooking(ctx context.Context, tenant trygg.TenantID, b Booking) error {
	_, err := tx.exec(ctx, `INSERT INTO bookings (tenant_id, id, slot_id, case_id, person_id, booked_by, status, task_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), b.ID, b.SlotID, b.CaseID, b.PersonID, b.BookedBy, BookingBooked, b.TaskID, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return trygg.Errorf(trygg.EConflict, "Someone else has just booked this time; choose another.")
	}
	if err != nil {
		return fmt.Errorf("store: insert booking: %w", err)
	}
	return nil
}

// EndBooking ends a booking in force inside tx, as moved (to movedTo) or
// cancelled; a booking no longer in force is a conflict.
func (tx *Tx) EndBooking(ctx context.Context, tenant trygg.TenantID, id, status, movedTo string) error {
	res, err := tx.exec(ctx, `UPDATE bookings SET status = ?, moved_to = ?, ended_at = ? WHERE tenant_id = ? AND id = ? AND status = 'booked'`,
		status, movedTo, micros(tx.Now), string(tenant), id)
	if err != nil {
		return fmt.Errorf("store: end booking: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trygg.Errorf(trygg.EConflict, "The booking has already been moved or cancelled.")
	}
	return nil
}

// BookingByID returns a booking, unchecked by access, or a not-found
// error.
func (db *DB) BookingByID(ctx context.Context, tenant trygg.TenantID, id string) (Booking, error) {
	b, err := scanBooking(db.queryRow(ctx, `SELECT `+bookingCols+` FROM bookings b WHERE b.tenant_id = ? AND b.id = ?`, string(tenant), id))
	return b, notFound(err, "Booking")
}

// BookingSlot is a booking with its slot.
type BookingSlot struct {
	Booking
	Slot Slot `json:"slot"`
}

// PersonBookings returns the person's bookings whose meeting ends after
// from, in force or ended, soonest first, with their slots.
func (db *DB) PersonBookings(ctx context.Context, tenant trygg.TenantID, personID string, from time.Time) ([]BookingSlot, error) {
	rows, err := db.query(ctx, `SELECT `+bookingCols+`, `+slotCols+` FROM bookings b
		JOIN meeting_slots s ON s.tenant_id = b.tenant_id AND s.id = b.slot_id
		WHERE b.tenant_id = ? AND b.person_id = ? AND s.starts_at + s.minutes * CAST(60000000 AS BIGINT) > ?
		ORDER BY s.starts_at, b.created_at LIMIT 200`, string(tenant), personID, micros(from))
	if err != nil {
		return nil, fmt.Errorf("store: person bookings: %w", err)
	}
	defer rows.Close()
	out := []BookingSlot{}
	for rows.Next() {
		var bs BookingSlot
		var starts, created int64
		var b Booking
		var bcreated, ended int64
		err := rows.Scan(&b.ID, &b.SlotID, &b.CaseID, &b.PersonID, &b.BookedBy, &b.Status, &b.MovedTo, &b.TaskID, &bcreated, &ended,
			&bs.Slot.ID, &bs.Slot.OfficerID, &starts, &bs.Slot.Minutes, &bs.Slot.Kind, &bs.Slot.Place, &bs.Slot.Status, &created)
		if err != nil {
			return nil, fmt.Errorf("store: person bookings: %w", err)
		}
		b.CreatedAt, b.EndedAt = fromMicros(bcreated), fromMicros(ended)
		bs.Booking = b
		bs.Slot.StartsAt, bs.Slot.CreatedAt = fromMicros(starts), fromMicros(created)
		out = append(out, bs)
	}
	return out, rows.Err()
}

// CloseTask marks a task done inside tx (a task already done stays so).
func (tx *Tx) CloseTask(ctx context.Context, tenant trygg.TenantID, id string) error {
	if _, err := tx.exec(ctx, `UPDATE tasks SET done_at = ? WHERE tenant_id = ? AND id = ? AND done_at = 0`, micros(tx.Now), string(tenant), id); err != nil {
		return fmt.Errorf("store: close task: %w", err)
	}
	return nil
}

// UpcomingBookings counts the case's meetings booked and not yet held,
// inside tx.
func (tx *Tx) UpcomingBookings(ctx context.Context, tenant trygg.TenantID, caseID string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM bookings b JOIN meeting_slots s ON s.tenant_id = b.tenant_id AND s.id = b.slot_id
		WHERE b.tenant_id = ? AND b.case_id = ? AND b.status = 'booked' AND s.starts_at > ?`, string(tenant), caseID, micros(tx.Now)).Scan(&n)
	return n, err
}
