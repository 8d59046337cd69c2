package service

import (
	"strconv"
	"strings"
	"time"
)

// A list read a page at a time, newest first, is ordered by a moment and
// an id; a page's cursor names its last row as "<microseconds>_<id>", and
// the next page starts after it. The cursor is opaque to its reader.

// keyCursor returns the cursor of the page after the row at at with id.
func keyCursor(at time.Time, id string) string {
	return strconv.FormatInt(at.UnixMicro(), 10) + "_" + id
}

// parseKeyCursor reads a cursor keyCursor made: the moment in
// microseconds and the id; ok is false for anything else.
func parseKeyCursor(c string) (us int64, id string, ok bool) {
	at, id, found := strings.Cut(c, "_")
	n, err := strconv.ParseInt(at, 10, 64)
	if !found || err != nil || n < 0 || id == "" || len(id) > 100 {
		return 0, "", false
	}
	return n, id, true
}
