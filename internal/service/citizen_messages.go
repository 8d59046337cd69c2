package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/trygg/trygg/internal/access"
	"github.com/trygg/trygg/internal/audit"
	"github.com/trygg/trygg/internal/events"
	"github.com/trygg/trygg/internal/notify"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// The secure conversation of a case: the citizen (or whoever acts for the
// person) writes on Mina sidor, the case's officers read and answer on the
// case page. Messages are stored, never changed. A citizen's message puts
// one task "Nytt meddelande" in the officer's inbox (the team's, when no
// one has the case), closed when an officer who may work the case opens
// the conversation or answers. An officer's answer asks for a notice to
// the citizen, which says only that there is a new message.

// TaskMessage is the kind of the inbox task a citizen's message makes.
const TaskMessage = "message"

// messageMax bounds a message's text.
const messageMax = 4000

// Conversation is a case's conversation as its reader sees it.
type Conversation struct {
	CaseID   string        `json:"case_id"`
	Title    string        `json:"title"`
	Status   string        `json:"status"`
	Messages []MessageView `json:"messages"`
	// Writable says the reader may write: the case is open, and staff
	// may work on it.
	Writable bool `json:"writable"`
	// Officer is the assigned officer's display name ("" if none).
	Officer string `json:"officer,omitempty"`
}

// MessageView is a message with its writer's display name, or, when the
// reader may not see it (shownNames), AuthorProtected and no name; Mine
// marks the reader's own.
type MessageView struct {
	store.Message
	AuthorName      string `json:"author_name"`
	AuthorProtected bool   `json:"author_protected,omitempty"`
	Mine            bool   `json:"mine"`
}

// conversation reads a case's messages with their writers' names.
func (s *Service) conversation(ctx context.Context, a trygg.Actor, c store.Case) (Conversation, error) {
	out := Conversation{CaseID: c.ID, Title: c.Title, Status: c.Status, Messages: []MessageView{}}
	msgs, err := s.db.Messages(ctx, a.Tenant, c.ID)
	if err != nil {
		return out, err
	}
	ids := []string{c.AssignedTo}
	for _, m := range msgs {
		ids = append(ids, m.AuthorID)
	}
	names := map[string]string{}
	withheld, err := s.shownNames(ctx, a, ids, names)
	if err != nil {
		return out, err
	}
	for _, m := range msgs {
		out.Messages = append(out.Messages, MessageView{Message: m, AuthorName: names[m.AuthorID], AuthorProtected: withheld[m.AuthorID],
			Mine: m.AuthorID == a.UserID})
	}
	out.Officer = names[c.AssignedTo]
	return out, nil
}

// lastSeq is the number of the newest message (0 when there is none).
func (cv Conversation) lastSeq() int {
	if len(cv.Messages) == 0 {
		return 0
	}
	return cv.Messages[len(cv.Messages)-1].Seq
}

// checkMessage returns the message's text trimmed, or an invalid error.
func checkMessage(body string) (string, error) {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return "", trygg.Invalid("Write your message first.", map[string]string{"body": "Required."})
	case utf8.RuneCountInString(body) > messageMax:
		return "", trygg.Invalid("The message is too long.", map[string]string{"body": "At most 4000 characters."})
	}
	return body, nil
}

// CitizenMessages returns the conversation of a case of the person the
// citizen acts for, and marks it read by them. The read is access-logged
// with the citizen's ground.
func (s *Service) CitizenMessages(ctx context.Context, a trygg.Actor, personID, caseID string) (Conversation, error) {
	c, ground, err := s.citizenCase(ctx, a, personID, caseID)
	if err != nil {
		return Conversation{}, err
	}
	cv, err := s.conversation(ctx, a, c)
	if err != nil {
		return Conversation{}, err
	}
	cv.Writable = c.Status == "open"
	read := entry(a, access.ReadCase, c.PersonID, c.ID, ground, "")
	if cv.lastSeq() == 0 {
		return cv, s.logAccess(ctx, read)
	}
	return cv, s.updateLogged(ctx, []audit.Entry{read}, func(tx *store.Tx) error {
		return tx.MarkMessagesRead(ctx, a.Tenant, c.ID, a.UserID, cv.lastSeq())
	})
}

// SendCitizenMessage adds the citizen's message to the conversation of an
// open case of the person they act for, with how they act for the person,
// and puts a task "Nytt meddelande" in the officer's inbox unless one is
// open already.
func (s *Service) SendCitizenMessage(ctx context.Context, a trygg.Actor, personID, caseID, body string) (store.Message, error) {
	c, ground, err := s.citizenCase(ctx, a, personID, caseID)
	if err != nil {
		return store.Message{}, err
	}
	if c.Status != "open" {
		return store.Message{}, trygg.Errorf(trygg.EConflict, "The case is closed; its messages can be read but no new ones written. Contact the office if you need to.")
	}
	if body, err = checkMessage(body); err != nil {
		return store.Message{}, err
	}
	m := store.Message{CaseID: c.ID, ID: newID(), Side: store.SideCitizen, AuthorID: a.UserID, Relation: string(ground), Body: body}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.ReadCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		if m, err = tx.InsertMessage(ctx, a.Tenant, m); err != nil {
			return err
		}
		if err := messageEvent(ctx, tx, a, c, m); err != nil {
			return err
		}
		open, err := tx.OpenCaseTasks(ctx, a.Tenant, c.ID, TaskMessage)
		if err != nil {
			return err
		}
		if open == 0 {
			if err := tx.InsertTask(ctx, a.Tenant, store.Task{ID: newID(), CaseID: c.ID, UnitID: c.UnitID, Assignee: c.AssignedTo,
				Kind: TaskMessage, Title: "Nytt meddelande"}); err != nil {
				return err
			}
		}
		return tx.MarkMessagesRead(ctx, a.Tenant, c.ID, a.UserID, m.Seq)
	})
	return m, err
}

// messageEvent appends message.sent: the message's number and side, and
// how a citizen writer acts for the person; never the text.
func messageEvent(ctx context.Context, tx *store.Tx, a trygg.Actor, c store.Case, m store.Message) error {
	payload := map[string]any{"seq": m.Seq, "side": m.Side}
	if m.Relation != "" {
		payload["relation"] = m.Relation
	}
	e := events.New(a, events.MessageSent, "case", c.ID, payload)
	e.PersonID, e.CaseID = c.PersonID, c.ID
	_, err := tx.AppendEvent(ctx, e)
	return err
}

// CaseMessages returns a case's conversation for the staff case view. An
// officer who may work on the case has opened it: their "Nytt meddelande"
// task on the case (or the team's) is closed. The read is access-logged.
func (s *Service) CaseMessages(ctx context.Context, a trygg.Actor, caseID string) (Conversation, error) {
	c, p, ground, err := s.caseFor(ctx, a, caseID, false)
	if err != nil {
		return Conversation{}, err
	}
	cv, err := s.conversation(ctx, a, c)
	if err != nil {
		return Conversation{}, err
	}
	rels, err := s.db.CaseRelations(ctx, a, c)
	if err != nil {
		return Conversation{}, err
	}
	_, werr := access.Decide(a, access.WorkCase, access.Subject{Relations: rels, Protection: p.Protection})
	cv.Writable = werr == nil && c.Status == "open"
	// An empty conversation reads nothing of the person's: no log row
	// (the case page's own read is logged by CaseOverview).
	read := entry(a, access.ReadCase, c.PersonID, c.ID, ground, "")
	if len(cv.Messages) == 0 {
		return cv, nil
	}
	if werr != nil {
		return cv, s.logAccess(ctx, read)
	}
	open, err := s.db.CountOpenCaseTasks(ctx, a.Tenant, c.ID, TaskMessage, a.UserID)
	if err != nil {
		return Conversation{}, err
	}
	if open == 0 {
		return cv, s.logAccess(ctx, read)
	}
	return cv, s.updateLogged(ctx, []audit.Entry{read}, func(tx *store.Tx) error {
		return tx.CloseCaseTasks(ctx, a.Tenant, c.ID, TaskMessage, a.UserID)
	})
}

// AnswerMessage adds an officer's message to the conversation of a case
// they may work on, closes the case's "Nytt meddelande" task and asks for
// a notice to the citizen (which says only that there is a new message).
func (s *Service) AnswerMessage(ctx context.Context, a trygg.Actor, caseID, body string) (store.Message, error) {
	c, ground, err := s.workableCase(ctx, a, caseID)
	if err != nil {
		return store.Message{}, err
	}
	if body, err = checkMessage(body); err != nil {
		return store.Message{}, err
	}
	m := store.Message{CaseID: c.ID, ID: newID(), Side: store.SideStaff, AuthorID: a.UserID, Body: body}
	err = s.updateLogged(ctx, []audit.Entry{entry(a, access.WorkCase, c.PersonID, c.ID, ground, "")}, func(tx *store.Tx) error {
		if m, err = tx.InsertMessage(ctx, a.Tenant, m); err != nil {
			return err
		}
		if err := messageEvent(ctx, tx, a, c, m); err != nil {
			return err
		}
		if err := tx.CloseCaseTasks(ctx, a.Tenant, c.ID, TaskMessage, ""); err != nil {
			return err
		}
		e := events.New(a, events.CitizenNotice, "case", c.ID, map[string]any{"kind": notify.KindMessage, "message_seq": m.Seq})
		e.PersonID, e.CaseID = c.PersonID, c.ID
		_, err := tx.AppendEvent(ctx, e)
		return err
	})
	return m, err
}

// UnreadMessages returns, for the citizen, how many officers' messages
// they have not read in each of the cases (those with none are left out).
// Counts are not personal data beyond what the case list already shows.
func (s *Service) UnreadMessages(ctx context.Context, a trygg.Actor, caseIDs []string) (map[string]int, error) {
	if !a.HasRole(trygg.RoleCitizen) || a.PersonID == "" {
		return nil, errNotCitizen
	}
	return s.db.UnreadMessages(ctx, a.Tenant, a.UserID, store.SideStaff, caseIDs)
}
