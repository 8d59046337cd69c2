package service

// SetRetentionBatch sets how many cases a retention run purges in one
// transaction and returns what puts it back.
func SetRetentionBatch(n int) func() {
	old := retentionBatch
	retentionBatch = n
	return func() { retentionBatch = old }
}
