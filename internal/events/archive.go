package events

// CaseArchived is a case delivered to the archive in an archive package
// (subject the case): the delivery's id, the package's id and the number
// of records, never their content. The case stays; a retention run may
// purge it later.
const CaseArchived = "case.archived"
