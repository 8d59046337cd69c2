package events

// The events of payees and their accounts (docs/payments.md). Their
// payloads never hold an account number: the account is in the payee's
// change log (payee_account_changes), which the event's change_id names.
const (
	// PayeeRegistered is a payee registered by an officer or team lead:
	// a person in the register, or a landlord, energy company, provider or
	// other organisation (subject payee; the person where it is one):
	// the category and organisation number.
	PayeeRegistered = "payee.registered"
	// PayeeAccountChanged is an account given to a payee, the first
	// included.
	PayeeAccountChanged = "payee.account_changed"
	// PayeeAccountReviewed is an account change reviewed by someone
	// other than the one who made it.
	PayeeAccountReviewed = "payee.account_reviewed"
)
