// Package mailbox sends letters to citizens' digital mailboxes: the
// national infrastructure for digital post (Mina meddelanden), through
// which a person reads the post of authorities in the mailbox of an
// operator they chose (Kivra, Min Myndighetspost, e-Boks, Billo).
//
// Before a letter goes out the sender asks whether the person has a
// mailbox that accepts post from this sender (the reachability lookup of
// the infrastructure's recipient register, FaR); a person without one
// gets the letter on paper. A Mailbox only answers and delivers: which
// letter goes to whom, and the paper fallback, are the service's.
//
// A letter carries the person's identity number and the letter itself,
// so neither is ever put in an error or a log line; errors name the
// letter by its id only.
//
// File is the implementation of the demo and of tests: who has a mailbox
// is read from a JSON file, and each letter sent is written to a folder.
package mailbox

import (
	"context"
	"errors"
)

// Reach is what the reachability lookup says about one person for one
// sender.
type Reach struct {
	// Reachable is true when the person has a digital mailbox that
	// accepts post from the sender.
	Reachable bool `json:"reachable"`
	// Operator names the mailbox operator ("Kivra"), when reachable.
	Operator string `json:"operator,omitempty"`
}

// Content types of a letter's body.
const (
	ContentPDF  = "application/pdf"
	ContentHTML = "text/html"
)

// Letter is one letter to one person.
type Letter struct {
	// ID is the letter's own id, the same each time the same letter is
	// sent again: the infrastructure (and File) drop a repeat and answer
	// with the first delivery's id.
	ID string `json:"id"`
	// Sender is the sender's id at the infrastructure (the
	// municipality's organisation number).
	Sender string `json:"sender"`
	// Recipient is the person's identity number (12 digits).
	Recipient string `json:"recipient"`
	// Subject is the letter's heading in the mailbox; it is shown in
	// notices, so it holds no personal data.
	Subject     string `json:"subject"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"-"`
}

// Mailbox is the digital post infrastructure as a sender sees it.
type Mailbox interface {
	// Reachable looks up whether the person with the identity number
	// has a mailbox accepting post from sender. It returns an error when
	// the register did not answer (the caller tries again later), never
	// for a person unknown to it (not reachable).
	Reachable(ctx context.Context, sender, identity string) (Reach, error)
	// Send delivers the letter and returns the infrastructure's id of
	// the delivery. It returns ErrNotReachable when the person has no
	// mailbox for the sender (any longer), another error when the letter
	// was not delivered and may be tried again.
	Send(ctx context.Context, l Letter) (deliveryID string, err error)
}

// ErrNotReachable is Send's answer for a person without a mailbox that
// accepts the sender's post: the letter goes on paper instead.
var ErrNotReachable = errors.New("mailbox: the recipient has no digital mailbox for this sender")
