package events

//go:generate go run ./gen

// PersonalData says, for the event types whose payload in the log holds
// something about a person beyond pseudonymous ids (or a field whose name
// suggests it does), what it holds. docs/events.md shows it with each type
// ("none beyond ids" for the others); a test in ./gen fails when a payload
// has a field named like personal data (a name, an address, a text ...)
// and its type is not here. Deliveries to subscriptions never carry the
// payload.
var PersonalData = map[string]string{
	UserCreated:           "yes: the account's username and display name (a member of staff's; a citizen's account has a username only)",
	PermissionGranted:     "yes: the account's username",
	PersonRegistered:      "yes: the month of birth and sex the identity number shows (for analysis's age bands), never the day or the number",
	RecordSecrecyReleased: "may: the reason is the officer's free text",

	TenantCreated:        "no: the name is the municipality's",
	UnitCreated:          "no: the name is the unit's",
	ProviderRegistered:   "no: the name is the provider's (an organisation or a unit)",
	APIClientCreated:     "no: the name is the API client's (a system)",
	AlarmCentreCreated:   "no: the name is the alarm receiving centre's",
	DefinitionsPublished: "no: the note is the designer's about the version",
	CitizenNotice:        "no: the notice's text is the definition's or trygg's own, the same for everyone",
	OrderSent:            "no: the order without what it says about the person; its reasons are codes (a provider's reason for a return stays on the order)",
	OrderChanged:         "no: as order.sent",
	OrderAccepted:        "no: as order.sent",
	OrderReturned:        "no: as order.sent",
	OrderEnded:           "no: as order.sent",

	SubscriptionCreated:       "no: the name is the subscription's",
	SubscriptionPaused:        "no: the name is the subscription's",
	SubscriptionResumed:       "no: the name is the subscription's",
	SubscriptionReplayed:      "no: the name is the subscription's",
	SubscriptionSecretRotated: "no: the name is the subscription's",
	SubscriptionDisabled:      "no: the name is the subscription's and the reason a code",
	SubscriptionDeleted:       "no: the name is the subscription's",
}
