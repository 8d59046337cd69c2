package events

// The events of payments (docs/payments.md): payment lines proposed from
// a final decision, attested, stopped, sent in a run and answered by the
// bank. Their payloads never hold an account number or a payee's name.
const (
	// PaymentProposed is a payment line made from a final decision
	// (subject the line): item, period, amount, payee category.
	PaymentProposed = "payment.proposed"
	// PaymentPayeeChosen is the payee an officer chose for a line whose
	// payee is not the person (a landlord, a contractor, ...).
	PaymentPayeeChosen = "payment.payee_chosen"
	// PaymentAttested is a line attested by someone other than the one
	// who prepared it or made its decision.
	PaymentAttested = "payment.attested"
	// PaymentStopped is a line stopped before it was sent: the new line
	// with the negative amount (subject) and the line it stops.
	PaymentStopped = "payment.stopped"
	// PaymentRun is a payment run made (subject the run): its message
	// id, execution date, number of lines and total.
	PaymentRun = "payment.run"
	// PaymentPaid and PaymentRejected are the bank's answer on a line
	// sent, from its status report: the ISO status and reason codes.
	PaymentPaid     = "payment.paid"
	PaymentRejected = "payment.rejected"
	// PaymentReplaced is a new line (subject) paying again a line the
	// bank rejected (replaces), typically after the payee's account was
	// corrected.
	PaymentReplaced = "payment.replaced"
	// PaymentControlFinding is what a control of a payment run found on
	// a line (subject): the kind, the finding, the run and the task made
	// for the unit's team leads.
	PaymentControlFinding = "payment.control_finding"
)
