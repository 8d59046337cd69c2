package events

// CaseArchived is a case delivered to the archive in an archive package
// (subject the case): the delivery's id, the package's id and the number
// of records, never their content. The case stays; a retention run may
// purge it later.
const CaseArchived = "case.archived"

// CasePurged is a case purged by a retention run (subject the case): the
// preview, the rule, the action (purge, or archive for the research
// sample), the archive package and, when the case was the person's last
// and the person was blanked, "person": "purged". Ids, never content.
const CasePurged = "case.purged"
