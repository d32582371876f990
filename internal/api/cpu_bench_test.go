package api_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The ingest benchmark runs clients, servers and PostgreSQL on the same
// cores, so its rate moves with whatever else the machine does (±15%
// here). CPU time per event moves much less, and says which side a change
// saved work on: cpuSelf is this process (clients, servers, pgx or
// SQLite), cpuPostgres the PostgreSQL server's processes on this machine
// (docs/PERFORMANCE.md, "API ingest").

// cpuSelf is the CPU time this process has used.
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on
// every Linux architecture Go runs on.
const clockTicks = 100

// cpuPostgres is the CPU time used by the processes named postgres that
// this user can see, with the backends they have reaped; 0 and false
// where /proc does not show them (not Linux, or another machine's
// server).
func cpuPostgres() (time.Duration, bool) {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var ticks int64
	found := false
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		s := string(stat)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != "postgres" {
			continue
		}
		// After the name: state, ppid, …; utime, stime, cutime and cstime
		// are the 14th to 17th fields of the line.
		f := strings.Fields(s[end+1:])
		if len(f) < 15 {
			continue
		}
		for _, v := range f[11:15] {
			n, _ := strconv.ParseInt(v, 10, 64)
			ticks += n
		}
		found = true
	}
	return time.Duration(ticks) * time.Second / clockTicks, found
}
