//go:build linux || darwin || freebsd

package store

import (
	"path/filepath"
	"syscall"
)

// diskFree is the room left, in bytes, to an unprivileged writer on the
// file system that holds the SQLite file at path.
func diskFree(path string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true
}
