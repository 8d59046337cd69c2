package events

// The events of population-registry changes applied to trygg's persons
// (docs/integrations.md, "Population registry changes"), each appended
// in the change's own transaction by the system actor, about the person
// (subject person, person_id set). Every payload carries the registry's
// change_id and the change's date (change_date); none carries a name, an
// address or an identity number.
const (
	// PersonAddressChanged is a new address from the registry; read it
	// from the person.
	PersonAddressChanged = "person.address_changed"
	// PersonProtectionChanged is a protected identity set or lifted
	// (payload: protection, none, sekretessmarkering or
	// skyddad_folkbokforing). A protection hides the person from those
	// without the protected-identity permission from its commit on.
	PersonProtectionChanged = "person.protection_changed"
	// PersonDied is a death (payload: died_on, YYYY-MM-DD, and
	// orders_ended, how many of the person's running orders it ended,
	// each with its own order.ended event; tasks, how many cases got a
	// task for their officer).
	PersonDied = "person.died"
	// PersonCustodyChanged is a new set of guardians of a child
	// (payload: added and ended, the ids of the guardian relations
	// recorded and ended, and guardians_registered, the ids of guardians
	// registered as persons by it).
	PersonCustodyChanged = "person.custody_changed"
	// PersonIdentityChanged is a new identity number (payload:
	// identity_type, the new number's type).
	PersonIdentityChanged = "person.identity_changed"
)
