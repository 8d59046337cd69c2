package main

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/legacy/synthetic"
)

// demoLegacyDistrict and demoLegacyPersons are the synthetic export
// `serve --demo` offers the system administrator to move in: Södra,
// whose officers are not the demo's named ones, with the dirt real
// exports have.
const (
	demoLegacyDistrict = "S"
	demoLegacyPersons  = 200
)

// writeDemoExport writes the demo's synthetic legacy export into
// dir/<district> unless that folder is there already (the export of an
// earlier start, imported or not). An export cut short leaves its folder
// without a manifest, which the page shows as unreadable.
func writeDemoExport(ctx context.Context, dir string, today time.Time, log *slog.Logger) error {
	out := filepath.Join(dir, demoLegacyDistrict)
	if _, err := os.Stat(out); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	sum, err := synthetic.Write(ctx, out, synthetic.Options{District: demoLegacyDistrict, Persons: demoLegacyPersons, NotesPerPerson: 2,
		Dirt: true, Seed: 1, Format: legacy.FormatCSV, Encoding: legacy.EncodingUTF8, Exported: today.Add(-time.Hour)})
	if err != nil {
		return err
	}
	log.Info("demo legacy export written", "folder", out, "district", sum.Manifest.District, "persons", sum.Manifest.Counts[legacy.KindPersons])
	return nil
}
