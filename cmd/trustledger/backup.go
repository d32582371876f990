package main

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
)

// backupCmd writes the whole database, every table, from one consistent
// snapshot while the server keeps running.
type backupCmd struct {
	File string `arg:"" placeholder:"FILE" help:"Where to write the backup (- for standard output)."`
}

func (backupCmd) Help() string {
	return "An online, consistent copy of the whole database (accounts, ledger, pulses,\n" +
		"outbox, everything) as one file that restores into SQLite or PostgreSQL.\n" +
		"It holds password hashes and your people's answers: keep it as safe as the database.\n\n" +
		"Example:\n\n    trustledger backup ./trustledger.backup\n" +
		"    trustledger --db postgres://postgres@db/trustledger backup - | gzip > nightly.backup.gz\n"
}

func (c *backupCmd) Run(rt *runtime) error {
	if err := rt.local("backup reads the database directly: run it on the server's machine with --db"); err != nil {
		return err
	}
	if _, err := rt.open(false); err != nil {
		return err
	}
	var w io.Writer = rt.stdout
	var tmp *os.File
	if c.File != "-" {
		dir := filepath.Dir(c.File)
		f, err := os.CreateTemp(dir, ".trustledger-backup-*")
		if err != nil {
			return tl.Errorf(tl.EINVALID, "cannot write a backup in %s: %w", dir, err)
		}
		tmp, w = f, f
		defer os.Remove(tmp.Name())
	}
	counts, err := rt.db.Dump(rt.ctx, w)
	if err != nil {
		return err
	}
	if tmp != nil {
		if err := tmp.Sync(); err != nil {
			return tl.Errorf(tl.EINVALID, "cannot write %s: %w", c.File, err)
		}
		if err := tmp.Close(); err != nil {
			return tl.Errorf(tl.EINVALID, "cannot write %s: %w", c.File, err)
		}
		if err := os.Rename(tmp.Name(), c.File); err != nil {
			return tl.Errorf(tl.EINVALID, "cannot write %s: %w", c.File, err)
		}
		return rt.output(counts, func() error { return writeCounts(rt, "Backed up to "+c.File+":", counts) })
	}
	return nil
}

// restoreCmd loads a backup into an empty database.
type restoreCmd struct {
	File string `arg:"" placeholder:"FILE" help:"A file written by trustledger backup (- for standard input)."`
}

func (restoreCmd) Help() string {
	return "Loads a backup into an empty database (a new file, or an empty PostgreSQL\n" +
		"database), in one transaction: a damaged file writes nothing.\n\n" +
		"Example:\n\n    trustledger --db ./restored.db restore ./trustledger.backup\n"
}

func (c *restoreCmd) Run(rt *runtime) error {
	if err := rt.local("restore writes the database directly: run it on the server's machine with --db"); err != nil {
		return err
	}
	var r io.Reader = os.Stdin
	if c.File != "-" {
		f, err := os.Open(c.File)
		if err != nil {
			return tl.Errorf(tl.EINVALID, "cannot read %s: %w", c.File, err)
		}
		defer f.Close()
		r = f
	}
	if _, err := rt.open(true); err != nil {
		return err
	}
	counts, err := rt.db.Restore(rt.ctx, r)
	if err != nil {
		return err
	}
	return rt.output(counts, func() error { return writeCounts(rt, "Restored into "+rt.dbName()+":", counts) })
}

func writeCounts(rt *runtime, title string, counts map[string]int) error {
	rt.printf("%s\n", title)
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	t := cli.NewTable("table", "rows")
	for _, n := range names {
		t.Row(n, strconv.Itoa(counts[n]))
	}
	return t.Write(rt.stdout)
}
