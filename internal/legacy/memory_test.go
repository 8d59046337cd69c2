package legacy

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeNotes writes an export of n notes of about 500 bytes each.
func writeNotes(tb testing.TB, n int, format Format) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "export")
	w, err := NewWriter(dir, format, EncodingUTF8)
	if err != nil {
		tb.Fatal(err)
	}
	text := strings.Repeat("Besök hos Åsa; hon vill klara duschen själv. ", 11)
	for i := range n {
		if err := w.Note(Note{LegacyID: fmt.Sprintf("J%07d", i), Case: "C1", Person: "P1", Written: "2019-03-04 13:45", Signed: true, Text: text}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// TestLegacyReaderMemoryBounded reads a file many times larger than the
// heap it may use: the reader keeps one record at a time.
func TestLegacyReaderMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 50 MB file")
	}
	const n = 100_000
	const limit = 24 << 20
	for _, format := range []Format{FormatCSV, FormatJSONL} {
		t.Run(string(format), func(t *testing.T) {
			e, err := Open(writeNotes(t, n, format))
			if err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			var ms runtime.MemStats
			peak, count := uint64(0), 0
			for _, err := range e.Notes() {
				if err != nil {
					t.Fatal(err)
				}
				count++
				if count%5000 == 0 {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
			}
			if count != n {
				t.Fatalf("read %d notes, want %d", count, n)
			}
			if peak > limit {
				t.Errorf("the heap in use reached %d MiB reading a %d MiB file; want under %d MiB", peak>>20, n*500>>20, limit>>20)
			}
		})
	}
}

// TestLegacyReaderAllocsPerRecord checks that reading allocates the same
// per record however far into the file: nothing accumulates.
func TestLegacyReaderAllocsPerRecord(t *testing.T) {
	small, large := writeNotes(t, 100, FormatCSV), writeNotes(t, 2000, FormatCSV)
	perRecord := func(dir string, n int) float64 {
		e, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(3, func() {
			for _, err := range e.Notes() {
				if err != nil {
					t.Fatal(err)
				}
			}
		})
		return allocs / float64(n)
	}
	a, b := perRecord(small, 100), perRecord(large, 2000)
	if b > a*1.1+1 {
		t.Errorf("%.1f allocations per record over 2000 records, %.1f over 100: reading accumulates", b, a)
	}
	if b > 40 {
		t.Errorf("%.1f allocations per record", b)
	}
}

func BenchmarkLegacyReadNotes(b *testing.B) {
	for _, format := range []Format{FormatCSV, FormatJSONL} {
		b.Run(string(format), func(b *testing.B) {
			const n = 10_000
			e, err := Open(writeNotes(b, n, format))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, err := range e.Notes() {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
		})
	}
}
