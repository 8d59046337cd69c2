package analytics_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ownCPU returns the user and system CPU time of this process.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pgServer returns the process id of the PostgreSQL server (postmaster)
// behind dsn, when it runs on this machine; 0 otherwise.
func pgServer(tb testing.TB, dsn string) int {
	tb.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return 0
	}
	defer db.Close()
	var backend int
	if err := db.QueryRowContext(context.Background(), `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return 0
	}
	f, ok := procStat(backend)
	if !ok {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// procStat returns the fields of /proc/pid/stat after the command's name
// (the state first).
func procStat(pid int) ([]string, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, false
	}
	return strings.Fields(s[i+1:]), true
}

// serverCPU returns the CPU time the PostgreSQL server postmaster and
// its processes have used: its own, its children's that ended, and its
// running children's (Linux /proc; 0 without it).
func serverCPU(postmaster int) time.Duration {
	if postmaster == 0 {
		return 0
	}
	// Fields after the name: utime is the 12th, stime, cutime, cstime follow.
	ticks := func(f []string, n int) int64 {
		var t int64
		for _, s := range f[11 : 11+n] {
			v, _ := strconv.ParseInt(s, 10, 64)
			t += v
		}
		return t
	}
	f, ok := procStat(postmaster)
	if !ok {
		return 0
	}
	total := ticks(f, 4)
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if c, ok := procStat(pid); ok && c[1] == strconv.Itoa(postmaster) {
			total += ticks(c, 2)
		}
	}
	return time.Duration(total) * time.Second / 100 // USER_HZ
}
