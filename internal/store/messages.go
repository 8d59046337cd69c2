package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/trygg"
)

// Message sides: who wrote a message of a case's conversation.
const (
	SideCitizen = "citizen"
	SideStaff   = "staff"
)

// Message is one message of a case's secure conversation between the
// citizen (or whoever acts for the person) and the case's officers. Seq
// numbers the case's messages from 1. Messages are never changed.
type Message struct {
	CaseID   string `json:"case_id"`
	Seq      int    `json:"seq"`
	ID       string `json:"id"`
	Side     string `json:"side"` // citizen or staff
	AuthorID string `json:"author_id"`
	// Relation is how a citizen writer acts for the person: self,
	// guardian or representative ("" for staff).
	Relation  string    `json:"relation,omitempty"`
	Body      string    `json:"body"`
	WrittenAt time.Time `json:"written_at"`
}

// messageLimit bounds the messages a conversation shows (the newest).
const messageLimit = 500

// InsertMessage adds m to its case's conversation inside tx with the next
// number, and returns it as stored. The case's row is locked first, so two
// writers at once number their messages one after the other.
func (tx *Tx) InsertMessage(ctx context.Context, tenant trygg.TenantID, m Message) (Message, error) {
	var id string
	if err := tx.queryRow(ctx, `SELECT id FROM cases WHERE tenant_id = ? AND id = ?`+tx.db.dialect.forUpdate(), string(tenant), m.CaseID).Scan(&id); err != nil {
		return m, fmt.Errorf("store: insert message: %w", notFound(err, "Case"))
	}
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM case_messages WHERE tenant_id = ? AND case_id = ?`,
		string(tenant), m.CaseID).Scan(&m.Seq); err != nil {
		return m, fmt.Errorf("store: insert message: %w", err)
	}
	m.WrittenAt = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO case_messages (tenant_id, case_id, seq, id, side, author_id, relation, body, written_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), m.CaseID, m.Seq, m.ID, m.Side, m.AuthorID, m.Relation, m.Body, micros(tx.Now))
	if tx.db.dialect.isUniqueViolation(err) {
		return m, trygg.Errorf(trygg.EConflict, "Another message was written at the same moment; send yours again.")
	}
	if err != nil {
		return m, fmt.Errorf("store: insert message: %w", err)
	}
	return m, nil
}

// Messages returns the case's conversation, oldest first (at most the
// newest 500 messages).
func (db *DB) Messages(ctx context.Context, tenant trygg.TenantID, caseID string) ([]Message, error) {
	out, err := scanRows(scanMessage)(db.query(ctx, `SELECT case_id, seq, id, side, author_id, relation, body, written_at FROM case_messages
		WHERE tenant_id = ? AND case_id = ? ORDER BY seq DESC`+limitSQL(messageLimit), string(tenant), caseID))
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

func scanMessage(s interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var at int64
	err := s.Scan(&m.CaseID, &m.Seq, &m.ID, &m.Side, &m.AuthorID, &m.Relation, &m.Body, &at)
	m.WrittenAt = fromMicros(at)
	return m, err
}

// MarkMessagesRead records inside tx that the user has read the case's
// conversation up to message seq (never backwards).
func (tx *Tx) MarkMessagesRead(ctx context.Context, tenant trygg.TenantID, caseID, userID string, seq int) error {
	_, err := tx.exec(ctx, `INSERT INTO case_message_reads (tenant_id, case_id, user_id, seq, read_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, case_id, user_id) DO UPDATE SET seq = excluded.seq, read_at = excluded.read_at
		WHERE case_message_reads.seq < excluded.seq`, string(tenant), caseID, userID, seq, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: mark messages read: %w", err)
	}
	return nil
}

// UnreadMessages returns, per case of caseIDs with any, how many messages
// from side the user has not read.
func (db *DB) UnreadMessages(ctx context.Context, tenant trygg.TenantID, userID, side string, caseIDs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	pred, args := inList("m.case_id", caseIDs)
	rows, err := db.query(ctx, `SELECT m.case_id, COUNT(*) FROM case_messages m
		LEFT JOIN case_message_reads r ON r.tenant_id = m.tenant_id AND r.case_id = m.case_id AND r.user_id = ?
		WHERE m.tenant_id = ? AND m.side = ? AND `+pred+` AND m.seq > COALESCE(r.seq, 0)
		GROUP BY m.case_id`, append([]any{userID, string(tenant), side}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: unread messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("store: unread messages: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// CloseCaseTasks marks the case's open tasks of kind done inside tx; with
// assignee, only that user's and the team's (no assignee), so a colleague
// looking in leaves the officer's task alone.
func (tx *Tx) CloseCaseTasks(ctx context.Context, tenant trygg.TenantID, caseID, kind, assignee string) error {
	q, args := `UPDATE tasks SET done_at = ? WHERE tenant_id = ? AND case_id = ? AND kind = ? AND done_at = 0`,
		[]any{micros(tx.Now), string(tenant), caseID, kind}
	if assignee != "" {
		q, args = q+` AND (assignee = ? OR assignee = '')`, append(args, assignee)
	}
	if _, err := tx.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("store: close tasks: %w", err)
	}
	return nil
}

// OpenCaseTasks counts the case's open tasks of kind inside tx.
func (tx *Tx) OpenCaseTasks(ctx context.Context, tenant trygg.TenantID, caseID, kind string) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM tasks WHERE tenant_id = ? AND case_id = ? AND kind = ? AND done_at = 0`,
		string(tenant), caseID, kind).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: open tasks: %w", err)
	}
	return n, nil
}

// CountOpenCaseTasks counts the case's open tasks of kind for the
// assignee and the team (no assignee).
func (db *DB) CountOpenCaseTasks(ctx context.Context, tenant trygg.TenantID, caseID, kind, assignee string) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM tasks WHERE tenant_id = ? AND case_id = ? AND kind = ? AND done_at = 0
		AND (assignee = ? OR assignee = '')`, string(tenant), caseID, kind, assignee).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: open tasks: %w", err)
	}
	return n, nil
}

// GoalComment is a citizen's comment on a goal of an order's
// implementation plan (Goal indexes the order's goals). Comments are never
// changed; new ones are added.
type GoalComment struct {
	ID        string    `json:"id"`
	OrderID   string    `json:"order_id"`
	CaseID    string    `json:"case_id"`
	Goal      int       `json:"goal"`
	AuthorID  string    `json:"author_id"`
	Relation  string    `json:"relation"`
	Body      string    `json:"body"`
	WrittenAt time.Time `json:"written_at"`
}

// InsertGoalComment adds a comment inside tx.
func (tx *Tx) InsertGoalComment(ctx context.Context, tenant trygg.TenantID, c GoalComment) error {
	_, err := tx.exec(ctx, `INSERT INTO goal_comments (tenant_id, id, order_id, case_id, goal, author_id, relation, body, written_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(tenant), c.ID, c.OrderID, c.CaseID, c.Goal, c.AuthorID, c.Relation, c.Body, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: insert goal comment: %w", err)
	}
	return nil
}

const goalCommentCols = `id, order_id, case_id, goal, author_id, relation, body, written_at`

func scanGoalComment(s interface{ Scan(...any) error }) (GoalComment, error) {
	var c GoalComment
	var at int64
	err := s.Scan(&c.ID, &c.OrderID, &c.CaseID, &c.Goal, &c.AuthorID, &c.Relation, &c.Body, &at)
	c.WrittenAt = fromMicros(at)
	return c, err
}

// GoalComments returns the comments on an order's goals, oldest first.
func (db *DB) GoalComments(ctx context.Context, tenant trygg.TenantID, orderID string) ([]GoalComment, error) {
	out, err := scanRows(scanGoalComment)(db.query(ctx, `SELECT `+goalCommentCols+` FROM goal_comments
		WHERE tenant_id = ? AND order_id = ? ORDER BY written_at, id`, string(tenant), orderID))
	if err != nil {
		return nil, fmt.Errorf("store: goal comments: %w", err)
	}
	return out, nil
}

// CaseGoalComments returns the comments on the goals of a case's orders,
// oldest first.
func (db *DB) CaseGoalComments(ctx context.Context, tenant trygg.TenantID, caseID string) ([]GoalComment, error) {
	out, err := scanRows(scanGoalComment)(db.query(ctx, `SELECT `+goalCommentCols+` FROM goal_comments
		WHERE tenant_id = ? AND case_id = ? ORDER BY written_at, id`, string(tenant), caseID))
	if err != nil {
		return nil, fmt.Errorf("store: goal comments: %w", err)
	}
	return out, nil
}

// NoticeRecipient is a citizen account to notify about a person's case:
// the person's own account or that of someone acting for them, with where
// it wants notices (Channel and Address empty when it has said nothing).
type NoticeRecipient struct {
	UserID  string `json:"user_id"`
	Channel string `json:"channel"`
	Address string `json:"address"`
}

// NoticeRecipients returns the enabled citizen accounts of the person and
// of those who act for them today (guardian, representative, god man,
// förvaltare; a guardian only until the child turns 18), each once,
// ordered by id.
func (db *DB) NoticeRecipients(ctx context.Context, tenant trygg.TenantID, personID, today string) ([]NoticeRecipient, error) {
	inForce, inForceArgs := relationInForceSQL("c", today)
	args := append([]any{string(tenant), personID, string(tenant), personID}, inForceArgs...)
	rows, err := db.query(ctx, `SELECT u.id, COALESCE(n.channel, ''), COALESCE(n.address, '') FROM users u
		LEFT JOIN notice_contacts n ON n.tenant_id = u.tenant_id AND n.user_id = u.id
		WHERE u.tenant_id = ? AND u.disabled = 0 AND u.person_id <> '' AND (u.person_id = ? OR u.person_id IN (
			SELECT r.from_person_id FROM person_relations r JOIN persons c ON c.tenant_id = r.tenant_id AND c.id = r.to_person_id
			WHERE r.tenant_id = ? AND r.to_person_id = ?
			AND r.kind IN ('guardian', 'representative', 'god_man', 'forvaltare') AND `+inForce+`))
		ORDER BY u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: notice recipients: %w", err)
	}
	defer rows.Close()
	var out []NoticeRecipient
	for rows.Next() {
		var r NoticeRecipient
		if err := rows.Scan(&r.UserID, &r.Channel, &r.Address); err != nil {
			return nil, fmt.Errorf("store: notice recipients: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetNoticeContact sets where the account wants its notices inside tx.
func (tx *Tx) SetNoticeContact(ctx context.Context, tenant trygg.TenantID, userID, channel, address string) error {
	_, err := tx.exec(ctx, `INSERT INTO notice_contacts (tenant_id, user_id, channel, address, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET channel = excluded.channel, address = excluded.address, updated_at = excluded.updated_at`,
		string(tenant), userID, channel, address, micros(tx.Now))
	if err != nil {
		return fmt.Errorf("store: set notice contact: %w", err)
	}
	return nil
}

// EventsOfType returns up to limit events of one type with sequence
// greater than after, in sequence order.
func (db *DB) EventsOfType(ctx context.Context, tenant trygg.TenantID, typ string, after int64, limit int) ([]events.Event, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := db.query(ctx, `SELECT seq, at, actor_id, type, subject_type, subject_id, person_id, case_id, payload
		FROM events WHERE tenant_id = ? AND type = ? AND seq > ? ORDER BY seq`+limitSQL(limit), string(tenant), typ, after)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return scanEvents(tenant, rows)
}

// LeaseCursor takes or renews the lease on a consumer's cursor of the
// event log until the given time, creating the cursor at 0 the first time,
// and returns the cursor. held is false, and nothing changes, while
// another owner's lease runs: one server at a time consumes.
func (db *DB) LeaseCursor(ctx context.Context, tenant trygg.TenantID, consumer, owner string, until time.Time) (seq int64, held bool, err error) {
	err = db.Update(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO notifier_cursors (tenant_id, consumer) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			string(tenant), consumer); err != nil {
			return err
		}
		err := tx.queryRow(ctx, `UPDATE notifier_cursors SET leased_by = ?, leased_until = ?
			WHERE tenant_id = ? AND consumer = ? AND (leased_by = ? OR leased_until < ?) RETURNING seq`,
			owner, micros(until), string(tenant), consumer, owner, micros(tx.Now)).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		held = err == nil
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: lease cursor: %w", err)
	}
	return seq, held, nil
}

// AdvanceCursor moves the consumer's cursor from one sequence to the next
// while owner holds its lease. moved is false, and nothing changes, if the
// cursor moved meanwhile or the lease is gone.
func (db *DB) AdvanceCursor(ctx context.Context, tenant trygg.TenantID, consumer, owner string, from, to int64) (moved bool, err error) {
	err = db.Update(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE notifier_cursors SET seq = ? WHERE tenant_id = ? AND consumer = ? AND leased_by = ? AND seq = ?`,
			to, string(tenant), consumer, owner, from)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		moved = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: advance cursor: %w", err)
	}
	return moved, nil
}

// ReleaseCursor gives up owner's lease on the consumer's cursor, so
// another server (or this one, restarted) takes over at once.
func (db *DB) ReleaseCursor(ctx context.Context, tenant trygg.TenantID, consumer, owner string) error {
	err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE notifier_cursors SET leased_by = '', leased_until = 0 WHERE tenant_id = ? AND consumer = ? AND leased_by = ?`,
			string(tenant), consumer, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: release cursor: %w", err)
	}
	return nil
}

// Cursor returns a consumer's cursor (0 before it first ran).
func (db *DB) Cursor(ctx context.Context, tenant trygg.TenantID, consumer string) (int64, error) {
	var seq int64
	err := db.queryRow(ctx, `SELECT seq FROM notifier_cursors WHERE tenant_id = ? AND consumer = ?`, string(tenant), consumer).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: cursor: %w", err)
	}
	return seq, nil
}
