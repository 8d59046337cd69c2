package deliver

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/trygg/trygg/internal/events"
)

// TypePrefix is put before an event's type to make its CloudEvent type:
// "case.opened" is delivered as "se.trygg.case.opened".
const TypePrefix = "se.trygg."

// ContentType is the media type of a message's body (CloudEvents 1.0,
// structured content mode, JSON).
const ContentType = "application/cloudevents+json"

// cloudEvent is the CloudEvents 1.0 JSON envelope of an event.
type cloudEvent struct {
	SpecVersion     string    `json:"specversion"`
	ID              string    `json:"id"`
	Source          string    `json:"source"`
	Type            string    `json:"type"`
	Subject         string    `json:"subject,omitempty"`
	Time            string    `json:"time"`
	DataContentType string    `json:"datacontenttype"`
	Data            EventData `json:"data"`
}

// EventData is a delivered event's data: ids and types only, never a
// name, an identity number or free text. PersonID is trygg's internal,
// pseudonymous id of the person; a consumer that needs more reads it
// through the API with its own credentials.
type EventData struct {
	Tenant      string `json:"tenant"`
	Seq         int64  `json:"seq"`
	Type        string `json:"type"`
	SubjectType string `json:"subject_type"`
	SubjectID   string `json:"subject_id"`
	CaseID      string `json:"case_id,omitempty"`
	PersonID    string `json:"person_id,omitempty"`
	At          string `json:"at"`
}

// MessageID is the id an event is delivered under, "<tenant>-<seq>":
// the same on every attempt, so a receiver drops repeats by it.
func MessageID(e events.Event) string { return fmt.Sprintf("%s-%d", e.Tenant, e.Seq) }

// NewMessage returns the message of an event: its CloudEvents 1.0 JSON
// body (source "/trygg/<tenant>", subject "<subject type>/<subject id>")
// with the event's ids and types, never its payload.
func NewMessage(e events.Event) Message {
	at := e.At.UTC().Format(time.RFC3339Nano)
	ce := cloudEvent{
		SpecVersion: "1.0", ID: MessageID(e), Source: "/trygg/" + string(e.Tenant), Type: TypePrefix + e.Type,
		Time: at, DataContentType: "application/json",
		Data: EventData{Tenant: string(e.Tenant), Seq: e.Seq, Type: e.Type, SubjectType: e.SubjectType, SubjectID: e.SubjectID,
			CaseID: e.CaseID, PersonID: e.PersonID, At: at},
	}
	if e.SubjectType != "" || e.SubjectID != "" {
		ce.Subject = e.SubjectType + "/" + e.SubjectID
	}
	body, _ := json.Marshal(ce) // strings and numbers only: cannot fail
	return Message{ID: ce.ID, Type: e.Type, Tenant: string(e.Tenant), Seq: e.Seq, CaseID: e.CaseID, Body: body}
}
