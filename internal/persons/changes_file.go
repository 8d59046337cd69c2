package persons

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/trygg/trygg/internal/trygg"
)

// changeFolder is a FileRegistry's folder of change files: every file
// named *.txt, read in name order, each once (a file is complete when it
// gets its .txt name: write it under another name and rename it).
type changeFolder struct {
	dir     string
	read    map[string]bool
	last    string   // the last file read, by name
	changes []Change // every change read, in order
}

// ReadChanges makes dir the registry's folder of change files (a missing
// folder has none yet): it reads the files there now, applies their
// changes to the registry's records so lookups agree with them, and
// reads new files when Changes is asked. It returns an error when the
// folder cannot be read; bad records are not errors (Changes hands them
// on, refused).
func (r *FileRegistry) ReadChanges(dir string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = &changeFolder{dir: dir, read: map[string]bool{}}
	return r.refreshChanges()
}

// Changes returns up to limit of the folder's changes after the position
// after ("" for the first), reading files added since it last looked. A
// position is "<file>:<line>". It returns none when the registry has no
// folder, and an error for a position that is not one or a folder that
// cannot be read.
func (r *FileRegistry) Changes(_ context.Context, after string, limit int) ([]Change, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.changes == nil {
		return nil, nil
	}
	if err := r.refreshChanges(); err != nil {
		return nil, err
	}
	start := 0
	if after != "" {
		file, line, ok := parsePosition(after)
		if !ok {
			return nil, trygg.Errorf(trygg.EInvalid, "Not a position in the change files.")
		}
		start, _ = slices.BinarySearchFunc(r.changes.changes, after, func(c Change, _ string) int {
			f, l, _ := parsePosition(c.Position)
			if c := strings.Compare(f, file); c != 0 {
				return c
			}
			return l - line - 1 // after: the first change past line
		})
	}
	if limit <= 0 {
		limit = 100
	}
	end := min(start+limit, len(r.changes.changes))
	return slices.Clone(r.changes.changes[start:end]), nil
}

// parsePosition splits a position into its file and line.
func parsePosition(p string) (string, int, bool) {
	i := strings.LastIndexByte(p, ':')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(p[i+1:])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return p[:i], n, true
}

// refreshChanges reads the folder's files not read yet, whose names come
// after the last one read (one that sorts before it came too late and is
// left alone: name files by when they were delivered), and applies their
// changes to the records. r.mu is held.
func (r *FileRegistry) refreshChanges() error {
	f := r.changes
	entries, err := os.ReadDir(f.dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("registry changes: %w", err)
	}
	today := trygg.SystemClock{}.Now()
	for _, e := range entries { // in name order
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".txt") || f.read[name] || name <= f.last {
			continue
		}
		b, err := os.ReadFile(filepath.Join(f.dir, name))
		if err != nil {
			return fmt.Errorf("registry changes: %w", err)
		}
		changes, errs := ParseChanges(b, today)
		lines := make([]Change, 0, len(changes)+len(errs))
		for _, e := range errs {
			lines = append(lines, Change{ID: e.ChangeID, Refused: e.Reason, Position: fmt.Sprintf("%s:%d", name, e.Line)})
		}
		for _, c := range changes {
			c.Position = fmt.Sprintf("%s:%d", name, c.line)
			lines = append(lines, c)
			r.apply(c)
		}
		slices.SortFunc(lines, func(a, b Change) int {
			_, la, _ := parsePosition(a.Position)
			_, lb, _ := parsePosition(b.Position)
			return la - lb
		})
		f.changes = append(f.changes, lines...)
		f.read[name], f.last = true, name
	}
	return nil
}

// apply applies a change to the record it is about, if the registry has
// it. r.mu is held.
func (r *FileRegistry) apply(c Change) {
	rec, ok := r.records[c.Identity.Value]
	if !ok {
		return
	}
	switch c.Kind {
	case ChangeAddress:
		rec.Address = c.Address
	case ChangeProtection:
		rec.Protection = c.Protection
	case ChangeDeath:
		rec.DiedOn = c.DiedOn
	case ChangeCustody:
		rec.Guardians = slices.Clone(c.Guardians)
	case ChangeIdentity:
		delete(r.records, c.Identity.Value)
		rec.Identity = c.NewIdentity
		r.records[c.NewIdentity.Value] = rec
		return
	}
	r.records[c.Identity.Value] = rec
}
