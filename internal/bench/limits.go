package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// measureLimits measures, in this run and with the same virtual users and
// duration, the two ceilings the workloads are compared with: a bare
// net/http handler returning a small JSON document, and a bare loop of
// durable commits on the same engine and disk.
func (b *bench) measureLimits(ctx context.Context) error {
	b.progress("limit: bare net/http JSON handler (%v, %d virtual users)", b.opt.Duration, b.opt.VUs)
	h := b.measured(ctx, "bare net/http handler, small JSON", "request", len(b.vus), b.opt.Duration, func(ctx context.Context, _ int) error {
		_, err := b.call(ctx, b.bareURL, "", "GET", "/case", nil, http.StatusOK)
		return err
	})
	b.httpLimit = h.rate()
	b.progress("limit: bare durable commit loop (%v, %d writers)", b.opt.Duration, b.opt.VUs)
	c, err := b.commitLoop(ctx, len(b.vus))
	if err != nil {
		return fmt.Errorf("bare commit loop: %w", err)
	}
	b.commitRate = c.rate()
	b.limits = []benchRow{h, c}
	if b.raw != nil {
		// PostgreSQL can flush the commits of concurrent writers together;
		// one writer shows what a commit costs when they cannot overlap.
		b.progress("limit: bare durable commit loop (%v, 1 writer)", b.opt.Duration)
		one, err := b.commitLoop(ctx, 1)
		if err != nil {
			return fmt.Errorf("bare commit loop: %w", err)
		}
		b.limits = append(b.limits, one)
	}
	return ctx.Err()
}

// sqlitePragmas are the store's: a commit is on disk when it returns.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"

// commitLoop inserts one row per transaction from writers goroutines for
// the duration. On SQLite it is a separate file beside the database, with
// the store's settings and its single writer connection; on PostgreSQL a
// table in the same database, dropped afterwards.
func (b *bench) commitLoop(ctx context.Context, writers int) (benchRow, error) {
	var conn *sql.DB
	var insert string
	if b.raw != nil {
		conn, insert = b.raw, "INSERT INTO trygg_bench_commits (v) VALUES ($1)"
		conn.SetMaxOpenConns(max(writers, 2))
		conn.SetMaxIdleConns(max(writers, 2))
		if _, err := conn.ExecContext(ctx, "CREATE TABLE trygg_bench_commits (id bigserial PRIMARY KEY, v text NOT NULL)"); err != nil {
			return benchRow{}, err
		}
		defer conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS trygg_bench_commits")
	} else {
		path := filepath.Join(filepath.Dir(b.dsn), "bench-commits.db")
		defer func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}()
		var err error
		if conn, err = sql.Open("sqlite", "file:"+path+"?"+sqlitePragmas); err != nil {
			return benchRow{}, err
		}
		defer conn.Close()
		conn.SetMaxOpenConns(1) // the store's single writer
		insert = "INSERT INTO commits (v) VALUES (?)"
		if _, err := conn.ExecContext(ctx, "CREATE TABLE commits (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
			return benchRow{}, err
		}
	}
	var n atomic.Int64
	name := fmt.Sprintf("bare durable commits, one INSERT each, %d writers", writers)
	if writers == 1 {
		name = "bare durable commits, one INSERT each, 1 writer"
	}
	r := b.measured(ctx, name, "commit", writers, b.opt.Duration, func(ctx context.Context, _ int) error {
		_, err := conn.ExecContext(ctx, insert, "row "+strconv.FormatInt(n.Add(1), 10))
		return err
	})
	r.stmts = r.ops
	return r, nil
}

// processCPU returns the CPU time (user + system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU reads the CPU time of a PostgreSQL server on this machine from
// /proc: the postmaster, the backends it has reaped, and its live children.
type serverCPU struct{ postmaster int }

// pgServerCPU finds the server through a backend's parent process; nil
// when the server is not a local process this one can read.
func pgServerCPU(ctx context.Context, conn *sql.DB) *serverCPU {
	var pid int
	if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return nil
	}
	st, err := readProcStat(pid)
	if err != nil || st.ppid <= 1 {
		return nil
	}
	return &serverCPU{postmaster: int(st.ppid)}
}

// seconds returns the server's CPU seconds so far, 0 for a nil server.
func (s *serverCPU) seconds() float64 {
	if s == nil {
		return 0
	}
	pm, err := readProcStat(s.postmaster)
	if err != nil {
		return 0
	}
	ticks := pm.utime + pm.stime + pm.cutime + pm.cstime
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == s.postmaster {
			continue
		}
		if st, err := readProcStat(pid); err == nil && st.ppid == int64(s.postmaster) {
			ticks += st.utime + st.stime
		}
	}
	return float64(ticks) / 100 // USER_HZ, 100 on Linux
}

type procStat struct{ ppid, utime, stime, cutime, cstime int64 }

// readProcStat parses /proc/PID/stat (fields 4 and 14–17, see proc(5)).
func readProcStat(pid int) (procStat, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // the command may hold spaces
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("short /proc/%d/stat", pid)
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
	return procStat{ppid: n(1), utime: n(11), stime: n(12), cutime: n(13), cstime: n(14)}, nil
}

// diskBytes is the database's size on disk: the SQLite file with its WAL
// and shared-memory files, or pg_database_size.
func (b *bench) diskBytes(ctx context.Context) (int64, error) {
	if b.raw != nil {
		var n int64
		err := b.raw.QueryRowContext(ctx, "SELECT pg_database_size(current_database())").Scan(&n)
		return n, err
	}
	var n int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(b.dsn + suffix); err == nil {
			n += fi.Size()
		}
	}
	return n, nil
}

// walBytes is the size of SQLite's write-ahead log, -1 on PostgreSQL.
func walBytes(b *bench) int64 {
	if b.raw != nil {
		return -1
	}
	fi, err := os.Stat(b.dsn + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

func sqliteVersion(ctx context.Context, path string) string {
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return "?"
	}
	defer conn.Close()
	var v string
	if err := conn.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v); err != nil {
		return "?"
	}
	return v
}

// loadAverage returns the 1, 5 and 15 minute load averages, or "unknown".
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// cpuModel returns the processor's model name from /proc/cpuinfo.
func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// residentBytes returns this process's resident set size, -1 if unknown.
func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return -1
}

// openFiles returns how many file descriptors this process has open, -1
// if unknown.
func openFiles() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}
