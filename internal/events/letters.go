package events

// The events of letters to citizens (docs/integrations.md, "Digital
// post"). A letter goes out after commit: a final decision appends
// LetterDue in its own transaction, and the letters sender, reading the
// event log, delivers it to the person's digital mailbox or queues it
// for print. Payloads hold ids, the channel and the delivery's id, never
// a name, an address, an identity number or the letter's text.
const (
	// LetterDue is a letter to the citizen to send (subject decision):
	// appended when a decision becomes final. Payload: kind ("decision").
	LetterDue = "letter.due"
	// LetterSentDigital is a letter delivered to the recipient's digital
	// mailbox (subject letter). Payload: kind, decision_id, insats (the
	// decision's code), operator, the infrastructure's delivery_id, and
	// recipient_person_id when the letter went to someone acting for the
	// case's person (a guardian).
	LetterSentDigital = "letter.sent_digital"
	// LetterPrintQueued is a letter put in the print queue because the
	// recipient has no digital mailbox for the municipality (subject
	// letter). Payload: kind, decision_id, insats, recipient_person_id as
	// above, and forwarding true when it goes through the Tax Agency's
	// forwarding of post to a person with protected registration.
	LetterPrintQueued = "letter.print_queued"
	// LetterPrinted is a queued letter marked printed and posted by
	// staff (subject letter). Payload: kind, decision_id, insats.
	LetterPrinted = "letter.printed"
)
