package events

// The events of moving in from a legacy system (docs/migration.md). The
// records an import brings in get the events trygg writes for them, at
// their own times, with "source": "legacy" in the payload; a run itself
// has these two. Their payloads hold ids, modes and counts.
const (
	// LegacyRunStarted is a run over a legacy export started by a system
	// administrator (subject legacy_run): a dry run, an import, an import
	// of persons only or a reconciliation, with the export's system and
	// district, the mapping and the definition version.
	LegacyRunStarted = "legacy.run_started"
	// LegacyRunFinished is a legacy run ended (done, stopped or failed):
	// its status, the counts per kind and outcome and the number of the
	// report's rows.
	LegacyRunFinished = "legacy.run_finished"
)
