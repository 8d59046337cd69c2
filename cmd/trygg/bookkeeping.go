package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/trygg/trygg/internal/payments"
	"github.com/trygg/trygg/internal/trygg"
)

// loadBookkeepingLayout reads the layout of the bookkeeping file written
// for each payment run from path (docs/payments.md); a layout that cannot
// be used is an error naming every problem, so the server does not start
// with it.
func loadBookkeepingLayout(path string) (payments.BookkeepingLayout, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return payments.BookkeepingLayout{}, fmt.Errorf("--bookkeeping-layout: %w", err)
	}
	l, err := payments.ParseBookkeepingLayout(b)
	var te *trygg.Error
	if errors.As(err, &te) {
		var problems []string
		for f, m := range te.Fields {
			problems = append(problems, f+": "+m)
		}
		slices.Sort(problems)
		return l, fmt.Errorf("--bookkeeping-layout %s: %s %s", path, te.Message, strings.Join(problems, "; "))
	}
	return l, err
}
