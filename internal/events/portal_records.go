package events

// The event types of citizens' sign-in and records (issue 7). Payloads
// never hold identity numbers or the records' content.
const (
	// RecordsExtracted: a citizen produced an extract of the personal data
	// held about a person (registerutdrag, GDPR art. 15); the payload says
	// on what ground and how much, never what.
	RecordsExtracted = "person.records_extracted"
	// RecordMarkedSecret: an officer marked a signed journal note or form
	// entry as secret towards the person (sekretess mot den enskilde),
	// with the legal ground.
	RecordMarkedSecret = "record.secrecy_marked"
	// RecordSecrecyLifted: the mark was lifted.
	RecordSecrecyLifted = "record.secrecy_lifted"
	// RecordSecrecyReleased: an officer released a later version or
	// correction of a marked record (the subject) from the marks earlier
	// in its chain, so the person gets that version; the payload holds
	// the reason and the marks' ids.
	RecordSecrecyReleased = "record.secrecy_released"
)
