package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trygg/trygg/internal/process"
	"github.com/trygg/trygg/internal/service"
	"github.com/trygg/trygg/internal/store"
	"github.com/trygg/trygg/internal/trygg"
)

// readDefinitionDir reads every .yaml and .yml file under dir, named by
// its path relative to dir.
func readDefinitionDir(dir string) ([]process.File, error) {
	var files []process.File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files = append(files, process.File{Name: filepath.ToSlash(rel), Data: b})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .yaml files in %s", dir)
	}
	return files, nil
}

// runDefinitionsValidate checks a folder of definitions without a database:
// every problem with file, line and column, exit status 1 if any.
func runDefinitionsValidate(_ context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, _ io.Writer) error {
	if err := parseArgs(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: trygg definitions validate DIR"}
	}
	dir := fs.Arg(0)
	files, err := readDefinitionDir(dir)
	if err != nil {
		return err
	}
	b, probs := process.Load(files)
	var c *process.Compiled
	if len(probs) == 0 {
		c, probs = process.Compile(b)
	}
	for _, p := range probs {
		fmt.Fprintln(stdout, p.String())
	}
	if len(probs) > 0 {
		return fmt.Errorf("%d problem(s) in %s", len(probs), dir)
	}
	fmt.Fprintf(stdout, "%d files valid: %d case types, %d forms, %d code systems, %d decision tables, %d blocks, %d reports (checksum %s)\n",
		len(files), len(b.CaseTypes), len(b.Forms), len(b.CodeSystems), len(b.Tables), len(b.Blocks), len(b.Reports), c.Checksum)
	return nil
}

func runDefinitionsPublish(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	tenant := fs.String("tenant", "", "tenant to publish in (default: the only tenant)")
	author := fs.String("author", "", "username of the process designer publishing (recorded in the event log)")
	note := fs.String("note", "", "a note on what changed")
	if err := parseArgs(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: trygg definitions publish --author USERNAME [--tenant ID] DIR"}
	}
	dir := fs.Arg(0)
	if *author == "" {
		return usageError{"--author is required: the process designer who publishes"}
	}
	files, err := readDefinitionDir(dir)
	if err != nil {
		return err
	}
	svc, a, closeAll, err := openPublisher(ctx, dbf, *tenant, *author, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	in := service.DefinitionsInput{Note: *note}
	for _, f := range files {
		in.Files = append(in.Files, store.DefinitionFile{Name: f.Name, Content: string(f.Data)})
	}
	dv, err := svc.PublishDefinitions(ctx, a, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "published version %d (checksum %s)\n", dv.Version, dv.Checksum)
	return nil
}

// onlyTenant returns the named tenant, or the only one.
func onlyTenant(ctx context.Context, db *store.DB, name string) (trygg.TenantID, error) {
	if name != "" {
		if _, err := db.Tenant(ctx, trygg.TenantID(name)); err != nil {
			return "", fmt.Errorf("tenant %q does not exist", name)
		}
		return trygg.TenantID(name), nil
	}
	ts, err := db.Tenants(ctx)
	if err != nil {
		return "", err
	}
	switch len(ts) {
	case 0:
		return "", errors.New("the database has no tenant yet: create one with 'trygg init' (or load the demo with 'trygg demo')")
	case 1:
	default:
		return "", errors.New("the database has several tenants: give one with --tenant")
	}
	return ts[0].ID, nil
}

// exportFormat names the export file format.
const exportFormat = "trygg-definitions/1"

// exported is a published version as moved between installations.
type exported struct {
	Format      string                 `json:"format"`
	Version     int64                  `json:"version"`
	Checksum    string                 `json:"checksum"`
	PublishedAt time.Time              `json:"published_at"`
	Note        string                 `json:"note,omitempty"`
	Files       []store.DefinitionFile `json:"files"`
}

// openPublisher opens the database and a service acting as author.
func openPublisher(ctx context.Context, dbf dbFlags, tenant, author string, stderr io.Writer) (*service.Service, trygg.Actor, func(), error) {
	svc, db, closeAll, err := openService(ctx, dbf, stderr)
	if err != nil {
		return nil, trygg.Actor{}, nil, err
	}
	t, err := onlyTenant(ctx, db, tenant)
	if err != nil {
		closeAll()
		return nil, trygg.Actor{}, nil, err
	}
	if author == "" {
		return svc, service.SystemActor(t), closeAll, nil
	}
	a, err := svc.ActorByUsername(ctx, t, author)
	if err != nil {
		closeAll()
		return nil, trygg.Actor{}, nil, fmt.Errorf("author %q: %s", author, trygg.ErrorMessage(err))
	}
	return svc, a, closeAll, nil
}

// runDefinitionsExport writes a published version with its checksum as
// JSON, for import into another installation.
func runDefinitionsExport(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	tenant := fs.String("tenant", "", "tenant (default: the only tenant)")
	version := fs.Int64("version", 0, "the published version to export (default: the newest)")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	svc, a, closeAll, err := openPublisher(ctx, dbf, *tenant, "", stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	versions, err := svc.DefinitionVersions(ctx, a)
	if err != nil {
		return err
	}
	for _, v := range versions {
		if v.Version != *version && *version != 0 {
			continue
		}
		files, err := svc.DefinitionFiles(ctx, a, v.Version)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(exported{Format: exportFormat, Version: v.Version, Checksum: v.Checksum, PublishedAt: v.PublishedAt, Note: v.Note, Files: files})
	}
	if *version == 0 {
		return errors.New("nothing is published yet")
	}
	return fmt.Errorf("there is no published version %d", *version)
}

// runDefinitionsImport publishes an exported version in this installation.
// The files' checksum must match the one exported, so what is published
// is exactly what was exported; the note records where it came from.
func runDefinitionsImport(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	dbf.register(fs)
	tenant := fs.String("tenant", "", "tenant (default: the only tenant)")
	author := fs.String("author", "", "username of the process designer importing (recorded in the event log)")
	if err := parseArgs(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() != 1 || *author == "" {
		return usageError{"usage: trygg definitions import --author USERNAME [--tenant ID] FILE"}
	}
	file := fs.Arg(0)
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var ex exported
	if err := json.Unmarshal(b, &ex); err != nil || ex.Format != exportFormat {
		return fmt.Errorf("%s is not a trygg definitions export (%s)", file, exportFormat)
	}
	sources := map[string][]byte{}
	for _, f := range ex.Files {
		sources[f.Name] = []byte(f.Content)
	}
	if process.Checksum(sources) != ex.Checksum {
		return fmt.Errorf("%s has been changed since it was exported: its files do not match the checksum", file)
	}
	svc, a, closeAll, err := openPublisher(ctx, dbf, *tenant, *author, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	note := fmt.Sprintf("imported: version %d, checksum %s", ex.Version, ex.Checksum)
	dv, err := svc.PublishDefinitions(ctx, a, service.DefinitionsInput{Files: ex.Files, Note: note})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "published version %d (checksum %s, as exported)\n", dv.Version, dv.Checksum)
	return nil
}
