package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
)

// maxCachedStatements bounds the cache. The store's SQL is written in the
// code, a few hundred texts; queries built with a placeholder per item
// (IN lists, multi-row inserts) make a text per count, so those with more
// than maxCachedArgs placeholders are not kept, and past the bound nothing
// new is: they are prepared each time, as without the cache.
const (
	maxCachedStatements = 2000
	maxCachedArgs       = 32
)

// cacheable reports whether query is worth keeping prepared.
func cacheable(query string) bool {
	return strings.Count(query, "?") <= maxCachedArgs
}

// stmtCache holds one *sql.Stmt per query text, for the reader pool
// (read) and the writer (tx). database/sql
// prepares a Stmt lazily on each connection it runs on and keeps it there,
// and Tx.StmtContext reuses the writer connection's, so each text is
// parsed and planned once per connection instead of once per call.
//
// The writer pool has one connection, held by the transaction that runs a
// statement, so a writer statement cannot be prepared while it is needed:
// forTx notes it, and Update prepares it once the transaction is over.
type stmtCache struct {
	on      atomic.Bool
	mu      sync.RWMutex
	read    map[string]*sql.Stmt
	pending map[string]bool // writer statements to prepare after a commit
	tx      map[string]*sql.Stmt
}

// get returns the prepared statement for query on the reader pool, preparing it the
// first time, or nil when the cache is off, full or the preparing failed
// (the caller then runs the query unprepared and reports its error).
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	if !c.on.Load() || !cacheable(query) {
		return nil
	}
	c.mu.RLock()
	st, ok := c.read[query]
	n := len(c.read)
	c.mu.RUnlock()
	if ok {
		return st
	}
	if n >= maxCachedStatements {
		return nil
	}
	// Prepared outside any transaction and any caller's deadline: the
	// statement outlives the request that first needed it.
	st, err := pool.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.read[query]; ok {
		st.Close()
		return old
	}
	if c.read == nil {
		c.read = map[string]*sql.Stmt{}
	}
	c.read[query] = st
	return st
}

// forTx returns the writer's prepared statement for query, or nil (then
// it is prepared after the transaction commits).
func (c *stmtCache) forTx(query string) *sql.Stmt {
	if !c.on.Load() || !cacheable(query) {
		return nil
	}
	c.mu.RLock()
	st, ok := c.tx[query]
	full := len(c.tx)+len(c.pending) >= maxCachedStatements
	c.mu.RUnlock()
	if ok || full {
		return st
	}
	c.mu.Lock()
	if c.pending == nil {
		c.pending = map[string]bool{}
	}
	c.pending[query] = true
	c.mu.Unlock()
	return nil
}

// preparePending prepares the writer statements noted by forTx. It runs
// outside any transaction; one that fails to prepare is forgotten and runs
// unprepared.
func (c *stmtCache) preparePending(ctx context.Context, pool *sql.DB) {
	if !c.on.Load() {
		return
	}
	c.mu.RLock()
	n := len(c.pending)
	c.mu.RUnlock()
	if n == 0 {
		return
	}
	c.mu.Lock()
	queries := c.pending
	c.pending = nil
	c.mu.Unlock()
	for q := range queries {
		st, err := pool.PrepareContext(context.WithoutCancel(ctx), q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.tx[q]; ok || !c.on.Load() {
			st.Close()
		} else {
			if c.tx == nil {
				c.tx = map[string]*sql.Stmt{}
			}
			c.tx[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.read {
		st.Close()
	}
	for _, st := range c.tx {
		st.Close()
	}
	c.read, c.tx, c.pending = nil, nil, nil
	c.on.Store(false)
}
