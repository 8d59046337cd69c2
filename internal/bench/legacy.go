package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trygg/trygg/internal/demo"
	"github.com/trygg/trygg/internal/legacy"
	"github.com/trygg/trygg/internal/legacy/synthetic"
	"github.com/trygg/trygg/internal/service"
)

// The legacy-import workload (issue 20): districts of the old system
// moved in one after the other, each written as a synthetic export, dry-
// run, imported and reconciled, as a system administrator does it.
const (
	// BenchLegacyPersons is the persons of a district (issue 20: a
	// district of 100,000 persons with 10 notes each).
	BenchLegacyPersons = 100_000
	// benchLegacyNotes is each person's journal notes.
	benchLegacyNotes = 10
	// benchLegacyMapping is the demo's published legacy mapping.
	benchLegacyMapping = "socialregistret"
)

// benchLegacyDistricts are the demo's districts, in the order a city
// moves them in: their exports' identity numbers differ, so each district
// brings its own persons.
var benchLegacyDistricts = []string{"S", "N", "O", "V", "C"}

// legacyPhase is one phase of moving a district in, timed for every
// district and summed: a row of the report and the peak memory it took.
type legacyPhase struct {
	name string
	row  benchRow
	// heap is the largest Go heap (in use) sampled while the phase ran,
	// rss the process's peak resident memory (VmHWM, reset before the
	// phase where Linux allows it, else since the process started).
	heap, rss int64
	resetRSS  bool
}

// legacyImport moves Options.LegacyDistricts districts of
// Options.LegacyPersons persons in, each with benchLegacyNotes notes a
// person and the synthetic export's dirt, into the bench's municipality:
// the export written (into a temporary folder, removed afterwards), a dry
// run, the import and the reconciliation, each a row with one op per
// record of the export. A reconciliation with a difference unexplained
// is an error.
func (b *bench) legacyImport(ctx context.Context) ([]benchRow, error) {
	n, districts := b.opt.LegacyPersons, b.opt.LegacyDistricts
	if n <= 0 {
		n = BenchLegacyPersons
	}
	if districts <= 0 {
		districts = 1
	}
	if districts > len(benchLegacyDistricts) {
		return nil, fmt.Errorf("at most %d districts (the demo's)", len(benchLegacyDistricts))
	}
	if n > synthetic.MaxPersons {
		return nil, fmt.Errorf("at most %d persons a district", synthetic.MaxPersons)
	}
	admin, err := b.svc.ActorByUsername(ctx, demo.TenantID, "admin")
	if err != nil {
		return nil, fmt.Errorf("the demo's system administrator: %w", err)
	}
	dir, err := os.MkdirTemp("", "trygg-bench-legacy-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var phases []*legacyPhase
	for _, name := range []string{"export written (synthetic)", "dry run", "import", "reconciliation"} {
		phases = append(phases, &legacyPhase{name: name, row: benchRow{serverCPU: -1}})
	}
	var records, files int64
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := int64(ms.HeapInuse)
	for _, district := range benchLegacyDistricts[:districts] {
		out := filepath.Join(dir, district)
		var exp *legacy.Export
		steps := []func() error{
			func() error {
				_, err := synthetic.Write(ctx, out, synthetic.Options{District: district, Persons: n, NotesPerPerson: benchLegacyNotes, Dirt: true})
				if err != nil {
					return err
				}
				exp, err = legacy.Open(out)
				return err
			},
			func() error {
				_, err := b.svc.LegacyDryRun(ctx, admin, exp, benchLegacyMapping, service.LegacyOptions{})
				return err
			},
			func() error {
				_, err := b.svc.LegacyImport(ctx, admin, exp, benchLegacyMapping, service.LegacyOptions{})
				return err
			},
			func() error {
				rec, err := b.svc.LegacyReconcile(ctx, admin, exp)
				if err == nil && rec.Summary.Unexplained > 0 {
					err = fmt.Errorf("%d differences unexplained", rec.Summary.Unexplained)
				}
				return err
			},
		}
		var count int64
		for i, ph := range phases {
			b.progress("workload legacy-import: district %s, %s", district, ph.name)
			if err := b.legacyPhase(ctx, ph, count, steps[i]); err != nil {
				return nil, fmt.Errorf("district %s: %s: %w", district, ph.name, err)
			}
			if i == 0 {
				for _, c := range exp.Manifest.Counts {
					count += int64(c)
				}
				ph.row.ops += count // the export's row learns its count here
				records += count
				files += dirBytes(out)
			}
		}
		// A city's exports would fill the disk beside its database.
		if err := os.RemoveAll(out); err != nil {
			return nil, err
		}
	}
	rows := make([]benchRow, len(phases))
	var figures []string
	for i, ph := range phases {
		rows[i] = ph.row
		r := ph.row
		cpu := fmt.Sprintf("%.0f µs", r.cpu.Seconds()/float64(r.ops)*1e6)
		if r.serverCPU >= 0 {
			cpu += fmt.Sprintf(" + %.0f µs PostgreSQL", r.serverCPU/float64(r.ops)*1e6)
		}
		rss := mb(ph.rss)
		if !ph.resetRSS {
			rss += " (since the process started)"
		}
		figures = append(figures, fmt.Sprintf("%s %v, %s records/s, %s CPU a record, %.1f statements per 1,000 records, peak heap %s, peak RSS %s",
			ph.name, r.elapsed.Round(time.Second), num(r.rate()), cpu, float64(r.stmts)/float64(r.ops)*1000, mb(ph.heap), rss))
	}
	what := fmt.Sprintf("a district of %s persons", num(float64(n)))
	if districts > 1 {
		what = fmt.Sprintf("%d districts of %s persons (%s), one after the other", districts, num(float64(n)), strings.Join(benchLegacyDistricts[:districts], ", "))
	}
	b.legacyNotes = append(b.legacyNotes,
		fmt.Sprintf("legacy import: %s, %d journal notes each, with the synthetic export's dirt (docs/migration.md): %s records, %s of CSV files; "+
			"each written, dry-run, imported and reconciled (nothing unexplained) by the demo's admin with the mapping %s into the bench's municipality. "+
			"One op is one record of the export (a form's row, a note, a person …); a row sums the districts.",
			what, benchLegacyNotes, num(float64(records)), mb(files), benchLegacyMapping),
		fmt.Sprintf("legacy import, per phase (all districts): %s. Heap: the Go heap in use, sampled every 50 ms (%s before the first phase, "+
			"after a collection: the municipality, the servers); RSS: the whole bench process's peak resident memory.", strings.Join(figures, "; "), mb(base)))
	for i := range rows {
		rows[i].name = "legacy: " + rows[i].name
	}
	return rows, nil
}

// legacyPhase runs one phase of one district and adds it to ph: its
// time, CPU and statements, records (ops, known before the phase but the
// first), and peak memory.
func (b *bench) legacyPhase(ctx context.Context, ph *legacyPhase, records int64, fn func() error) error {
	ph.resetRSS = resetPeakRSS()
	stop := make(chan struct{})
	var peak int64
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, int64(ms.HeapInuse))
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	done := false
	r := b.measured(ctx, ph.name, "record", 1, 24*time.Hour, func(ctx context.Context, _ int) error {
		if done {
			return errWorkerDone
		}
		done = true
		return fn()
	})
	close(stop)
	wg.Wait()
	if r.errors > 0 {
		return fmt.Errorf("%s", r.firstErr)
	}
	ph.heap, ph.rss = max(ph.heap, peak), max(ph.rss, peakRSS())
	p := &ph.row
	p.name, p.op = ph.name, r.op
	p.ops += records
	p.elapsed += r.elapsed
	p.stmts += r.stmts
	p.cpu += r.cpu
	if r.serverCPU >= 0 {
		p.serverCPU = max(p.serverCPU, 0) + r.serverCPU
	}
	p.lat = append(p.lat, r.lat...)
	return nil
}

// resetPeakRSS resets this process's peak resident memory (VmHWM) by
// writing 5 to /proc/self/clear_refs; it reports whether it could.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS returns this process's peak resident memory (VmHWM), -1 if
// unknown.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return -1
}

// dirBytes returns the size of the files under dir.
func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
