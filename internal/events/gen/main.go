// Command gen writes docs/events.md, the reference of the event log's
// types and their payloads, from the code: the event type constants of
// internal/events with their doc comments, and the places in the module
// that append them, type-checked against the compiler's export data. Run
// it with go generate ./internal/events (or go run ./internal/events/gen
// from the module's root).
package main

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// intro is the page's beginning; {{envelope}} is replaced by a CloudEvent
// as the delivery makes it.
//
//go:embed intro.md
var intro string

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "events doc:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	res, err := analyze(root)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, "docs", "events.md"), render(res), 0o644)
}

// moduleRoot is the nearest folder at or above the working directory
// with a go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory")
		}
		dir = parent
	}
}
