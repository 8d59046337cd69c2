package analytics

// BatchReads returns how many reads of the analysis store pr's batches
// have made.
func BatchReads(pr *Projector) int { return int(pr.reads.Load()) }

// ReadWhenMet makes pr read each record a batch names when it is met
// instead of before the batch (prefetch).
func ReadWhenMet(pr *Projector) { pr.noPrefetch = true }
