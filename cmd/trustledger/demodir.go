package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tl "github.com/trustledger/trustledger"
)

// demoDir makes the folder the demo's temporary database lives in. It
// tries the temporary folder ($TMPDIR, else the system's), then the folder
// of --db (TRUSTLEDGER_DB): a container with a read-only root has no
// writable temporary folder, only its data volume (docs/OPERATIONS.md,
// "Container image"). The error names every folder tried and why each
// failed.
func demoDir(env func(string) string, db string) (string, error) {
	type place struct{ what, dir string }
	var places []place
	if tmp := lookupEnv(env, []string{"TMPDIR"}); tmp != "" {
		places = append(places, place{"the temporary folder ($TMPDIR)", tmp})
	} else {
		places = append(places, place{"the temporary folder", os.TempDir()})
	}
	if db != "" && !isPostgres(db) {
		places = append(places, place{"the folder of --db (or $TRUSTLEDGER_DB)", filepath.Dir(sqlitePath(db))})
	}
	var tried []string
	seen := map[string]bool{}
	for _, p := range places {
		abs, err := filepath.Abs(p.dir)
		if err != nil {
			abs = p.dir
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		dir, err := os.MkdirTemp(p.dir, "trustledger-demo-")
		if err == nil {
			return dir, nil
		}
		tried = append(tried, fmt.Sprintf("%s %s (%v)", p.what, abs, cause(err)))
	}
	return "", tl.Errorf(tl.EINVALID, "cannot create a folder for the demo database: tried %s; "+
		"set TMPDIR to a writable folder, or point TRUSTLEDGER_DB at a file in a writable folder such as a volume",
		strings.Join(tried, ", then "))
}

// cause is the reason of a failed file operation without the path, which
// the caller names already.
func cause(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
