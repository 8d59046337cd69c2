package audit

import (
	"context"
	"errors"
	"sync"
)

// Committer makes access-log entries durable with group commit: the entries
// of all requests waiting while one commit runs go into the next commit
// together, so under load many reads share one disk flush.
type Committer struct {
	store    Store
	reqs     chan *request
	maxBatch int

	// mu orders Record's send against Close: once Close holds it, no
	// request can enter reqs after run has drained it.
	mu       sync.RWMutex
	isClosed bool
	closed   chan struct{}
	done     chan struct{}
}

type request struct {
	entries []Entry
	done    chan error
}

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("audit: committer closed")

// NewCommitter starts a committer writing to store. Close stops it.
func NewCommitter(store Store) *Committer {
	c := &Committer{store: store, reqs: make(chan *request, 1024), maxBatch: 2000,
		closed: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// Record appends one request's entries as one row per actor and reason
// (Merge) and returns when they are durable, or with the error that kept
// them from being written; each entry gets its row's Seq, At and hashes.
// The caller must not show the data the entries describe unless Record
// returns nil.
func (c *Committer) Record(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	r := &request{entries: Merge(entries), done: make(chan error, 1)}
	if len(r.entries) < len(entries) {
		defer func() {
			for i := range entries {
				for _, row := range r.entries {
					if row.Tenant == entries[i].Tenant && row.ActorID == entries[i].ActorID && row.Reason == entries[i].Reason {
						entries[i].Seq, entries[i].At, entries[i].PrevHash, entries[i].Hash = row.Seq, row.At, row.PrevHash, row.Hash
						break
					}
				}
			}
		}()
	}
	c.mu.RLock()
	if c.isClosed {
		c.mu.RUnlock()
		return ErrClosed
	}
	select {
	case c.reqs <- r:
	case <-ctx.Done():
		c.mu.RUnlock()
		return ctx.Err()
	}
	c.mu.RUnlock()
	// Once queued, the entries will be written even if ctx ends; wait for
	// the outcome so a cancelled request never races its own log row.
	return <-r.done
}

// Close stops accepting entries, writes those already queued and returns.
func (c *Committer) Close() {
	c.mu.Lock()
	if !c.isClosed {
		c.isClosed = true
		close(c.closed)
	}
	c.mu.Unlock()
	<-c.done
}

func (c *Committer) run() {
	defer close(c.done)
	for {
		var first *request
		select {
		case first = <-c.reqs:
		case <-c.closed:
			// Drain what was queued before Close.
			for {
				select {
				case r := <-c.reqs:
					c.commit([]*request{r})
				default:
					return
				}
			}
		}
		batch := []*request{first}
		n := len(first.entries)
	gather:
		for n < c.maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
				n += len(r.entries)
			default:
				break gather
			}
		}
		c.commit(batch)
	}
}

func (c *Committer) commit(batch []*request) {
	all := make([]Entry, 0, len(batch))
	for _, r := range batch {
		all = append(all, r.entries...)
	}
	// The commit must finish even if the requests' contexts end.
	err := c.store.AppendAccessLog(context.Background(), all)
	i := 0
	for _, r := range batch {
		copy(r.entries, all[i:i+len(r.entries)])
		i += len(r.entries)
		r.done <- err
	}
}
