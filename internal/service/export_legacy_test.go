package service

// SetLegacyBatch makes imports write n records a transaction (n documents
// too) until the returned function is called.
func SetLegacyBatch(n int) func() {
	old, oldDocs := legacyBatch, legacyDocumentBatch
	legacyBatch, legacyDocumentBatch = n, n
	return func() { legacyBatch, legacyDocumentBatch = old, oldDocs }
}
