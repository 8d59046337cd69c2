package events

// The events of retention (gallring, docs/retention.md): the archivists'
// warning of a purge deadline, the preview, its approval and run; each
// case purged is CasePurged. Their payloads carry ids, dates and counts,
// never content.
const (
	// RetentionWarned is the daily check's warning to the archivists that
	// a purge deadline (31 December of the year after a duty arose) is
	// near (subject the deadline, a date): the deadline and how many cases
	// are due by it; a task is made for the archivists.
	RetentionWarned = "retention.warned"
	// RetentionPreviewed is a retention run previewed by an archivist
	// (subject the preview): the day it is as of, the rules' version, how
	// many cases it would purge, archive and keep, and the fingerprint of
	// what it covers.
	RetentionPreviewed = "retention.previewed"
	// RetentionApproved is a preview approved by an archivist, the run
	// then executing exactly what the fingerprint covers.
	RetentionApproved = "retention.approved"
	// RetentionRun is a retention run finished: how many cases were
	// purged, archived and kept, and how many access-log rows were
	// removed.
	RetentionRun = "retention.run"
)
