package events

// The events of recovery (återkrav) of amounts paid wrongly
// (docs/payments.md). Their payloads hold amounts and the legal basis,
// never the reason's text (read it from the debt).
const (
	// RecoveryDecided is a recovery decision on a case: the person owes
	// an amount (subject recovery_debt).
	RecoveryDecided = "recovery.decided"
	// RepaymentRegistered is a repayment registered against a debt.
	RepaymentRegistered = "recovery.repayment_registered"
)
