package events

// The event types of applying online and booking meetings on Mina sidor
// (see docs/events.md). Payloads hold ids, codes and times, never what
// the citizen wrote or the names of their files.
const (
	// ApplicationDraftSaved: a citizen saved an application being
	// written (subject: the draft; the person it is for).
	ApplicationDraftSaved = "application.draft_saved"
	// ApplicationDraftDeleted: a citizen threw a draft away.
	ApplicationDraftDeleted = "application.draft_deleted"
	// ApplicationSubmitted: a citizen sent an application, which opened
	// the case (subject: the case).
	ApplicationSubmitted = "application.submitted"
	// AttachmentAdded, AttachmentRemoved: a document was attached to a
	// draft, or taken off it.
	AttachmentAdded   = "attachment.added"
	AttachmentRemoved = "attachment.removed"

	// SlotPublished, SlotWithdrawn: an officer published a free time for
	// meetings, or withdrew it.
	SlotPublished = "slot.published"
	SlotWithdrawn = "slot.withdrawn"
	// BookingMade, BookingMoved, BookingCancelled: a citizen booked a
	// meeting on a case, moved it to another time, or cancelled it
	// (subject: the booking; the case's person and case).
	BookingMade      = "booking.made"
	BookingMoved     = "booking.moved"
	BookingCancelled = "booking.cancelled"
)
