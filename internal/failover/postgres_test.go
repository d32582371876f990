//go:build linux

package failover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trustledger/trustledger/internal/testenv"
)

// pgTools are the PostgreSQL programs the test runs: the server, and the
// tools that make, copy and promote a cluster.
var pgTools = []string{"initdb", "postgres", "pg_ctl", "pg_basebackup"}

// pgBinDir finds the PostgreSQL server programs: `pg_config --bindir`
// (Debian's pg_config names the newest installed server's folder), else
// the newest /usr/lib/postgresql/*/bin that holds them all. The client
// packages alone have pg_config but no initdb, so every tool is checked.
func pgBinDir() (string, bool) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(found, func(i, j int) bool { return pgMajor(found[i]) > pgMajor(found[j]) })
	dirs = append(dirs, found...)
	for _, d := range dirs {
		ok := true
		for _, tool := range pgTools {
			if _, err := os.Stat(filepath.Join(d, tool)); err != nil {
				ok = false
				break
			}
		}
		if ok {
			return d, true
		}
	}
	return "", false
}

// pgMajor is the major version in a path such as /usr/lib/postgresql/15/bin.
func pgMajor(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// pgEnv is where the clusters live and who runs them. PostgreSQL refuses
// to run as root, and CI runs the tests as root: then every server
// program runs as the postgres user, in a folder that user owns.
type pgEnv struct {
	t    *testing.T
	bin  string
	dir  string              // the clusters' parent folder, and their sockets'
	cred *syscall.Credential // nil: run as ourselves
	uid  int                 // the owner of what the servers write
	gid  int
}

// newPGEnv finds the programs and makes the folder, or skips (fails
// under TRUSTLEDGER_TEST_STRICT=1) when they are missing.
func newPGEnv(t *testing.T) *pgEnv {
	t.Helper()
	bin, ok := pgBinDir()
	if !ok {
		testenv.Missing(t, "PostgreSQL's server programs ("+strings.Join(pgTools, ", ")+") are not in `pg_config --bindir` or /usr/lib/postgresql/*/bin: install the server package (postgresql-15 on Debian)")
	}
	e := &pgEnv{t: t, bin: bin, uid: os.Getuid(), gid: os.Getgid()}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			testenv.Missing(t, "running as root, and there is no postgres user to run PostgreSQL as (it refuses root): install the server package, which makes it")
		}
		e.uid, _ = strconv.Atoi(u.Uid)
		e.gid, _ = strconv.Atoi(u.Gid)
		e.cred = &syscall.Credential{Uid: uint32(e.uid), Gid: uint32(e.gid)}
	}
	// Not t.TempDir: its parent is private to us, and the postgres user
	// must reach the folder.
	dir, err := os.MkdirTemp("", "trustledger-failover-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("remove the clusters' folder: %v", err)
		}
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, e.uid, e.gid); err != nil {
		t.Fatal(err)
	}
	e.dir = dir
	return e
}

// command is one of the PostgreSQL programs, run as the servers' user in
// their folder (a tool started as that user may not read our working
// directory).
func (e *pgEnv) command(tool string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(e.bin, tool), args...)
	cmd.Dir = e.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: e.cred}
	return cmd
}

// run runs a tool to its end, failing the test with its output.
func (e *pgEnv) run(tool string, args ...string) {
	e.t.Helper()
	if out, err := e.command(tool, args...).CombinedOutput(); err != nil {
		e.t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
}

// writeFile appends lines to a file of a cluster, owned by the servers'
// user.
func (e *pgEnv) appendFile(path string, lines ...string) {
	e.t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err == nil {
		_, err = f.WriteString(strings.Join(lines, "\n") + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Chown(path, e.uid, e.gid)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// cluster is one running PostgreSQL server.
type cluster struct {
	name string
	data string
	port int
	log  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the postmaster has exited
}

// start runs the postmaster of a data folder in a process group of its
// own, so that killing the group takes its backends too, as a machine
// that dies would; it waits until the server answers.
func (e *pgEnv) start(c *cluster) {
	e.t.Helper()
	logf, err := os.OpenFile(c.log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := e.command("postgres", "-D", c.data)
	// A process group of its own, to kill with its backends; and killed
	// with the test process if that dies without its cleanup.
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		e.t.Fatalf("start %s: %v", c.name, err)
	}
	c.cmd, c.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(c.done) }()
	e.t.Cleanup(func() { c.kill() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := c.connect(context.Background(), "postgres")
		if err == nil {
			conn.Close(context.Background())
			return
		}
		select {
		case <-c.done:
			e.t.Fatalf("%s stopped while starting:\n%s", c.name, tail(c.log))
		default:
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s did not answer within 30 s: %v\n%s", c.name, err, tail(c.log))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL to the postmaster's process group (the postmaster
// and every backend, walsender and helper) and waits for the postmaster.
// Killing only the postmaster would leave backends that still answer
// queries on open connections until they notice.
func (c *cluster) kill() {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	select {
	case <-c.done:
	default:
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
	}
	// Backends left behind die with the group; sweep it again in case one
	// was forking when the first signal came.
	syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
}

// connect opens one connection to the cluster alone, on database db.
func (c *cluster) connect(ctx context.Context, db string) (*pgx.Conn, error) {
	return pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable&connect_timeout=5", c.port, db))
}

// tail is the end of a server's log, for a failure message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// freePort is a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// standbyName is the standby's application_name, which the primary's
// synchronous_standby_names waits for.
const standbyName = "standby1"

// pair is a primary and its synchronous streaming standby, on their own
// ports, with database db made on both.
type pair struct {
	env              *pgEnv
	primary, standby *cluster
	db               string
}

// startPair makes the primary with initdb, the database, then the
// standby with pg_basebackup, and waits until the primary sees the
// standby as synchronous: from then on a commit is acknowledged only
// once the standby has flushed it.
func startPair(t *testing.T, db string) *pair {
	t.Helper()
	e := newPGEnv(t)
	p := &pair{env: e, db: db,
		primary: &cluster{name: "primary", data: filepath.Join(e.dir, "primary"), port: freePort(t), log: filepath.Join(e.dir, "primary.log")},
		standby: &cluster{name: "standby", data: filepath.Join(e.dir, "standby"), port: freePort(t), log: filepath.Join(e.dir, "standby.log")},
	}
	e.run("initdb", "-D", p.primary.data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
	e.appendFile(filepath.Join(p.primary.data, "postgresql.conf"),
		"listen_addresses = '127.0.0.1'",
		fmt.Sprintf("port = %d", p.primary.port),
		fmt.Sprintf("unix_socket_directories = '%s'", e.dir),
		"wal_level = replica",
		"max_wal_senders = 4",
		"hot_standby = on",
		"synchronous_commit = on",
		fmt.Sprintf("synchronous_standby_names = '%s'", standbyName),
		"shared_buffers = 32MB",
	)
	e.start(p.primary)

	ctx := context.Background()
	conn, err := p.primary.connect(ctx, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	// Until the standby runs, a synchronous commit would wait for it:
	// make the database without waiting (this session only).
	_, err = conn.Exec(ctx, "SET synchronous_commit = local")
	if err == nil {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize())
	}
	conn.Close(ctx)
	if err != nil {
		t.Fatalf("create database %s: %v", db, err)
	}

	e.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(p.primary.port), "-U", "postgres",
		"-D", p.standby.data, "-X", "stream", "--checkpoint=fast", "--no-sync")
	// postgresql.auto.conf is read last, so these override the primary's
	// settings the copy carries. The standby asks for nothing synchronous
	// itself: once promoted it has no standby, and with a name there every
	// commit would wait forever.
	e.appendFile(filepath.Join(p.standby.data, "postgresql.auto.conf"),
		fmt.Sprintf("port = %d", p.standby.port),
		fmt.Sprintf("primary_conninfo = 'host=127.0.0.1 port=%d user=postgres application_name=%s'", p.primary.port, standbyName),
		"synchronous_standby_names = ''",
	)
	e.appendFile(filepath.Join(p.standby.data, "standby.signal"))
	e.start(p.standby)

	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := p.primary.connect(ctx, "postgres")
		state := ""
		if err == nil {
			err = conn.QueryRow(ctx, "SELECT sync_state FROM pg_stat_replication WHERE application_name = $1", standbyName).Scan(&state)
			conn.Close(ctx)
		}
		if state == "sync" {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby is not synchronous after 30 s (state %q, %v):\n%s", state, err, tail(p.standby.log))
		}
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			t.Logf("waiting for the standby: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dsn is the multi-host connection string the instances use: pgx tries
// the hosts in turn and keeps the first that takes writes
// (docs/OPERATIONS.md, "Several instances on a highly available
// PostgreSQL").
func (p *pair) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/%s?sslmode=disable&target_session_attrs=read-write",
		p.primary.port, p.standby.port, p.db)
}

// promote makes the standby the primary and waits until it takes writes.
func (p *pair) promote() {
	p.env.t.Helper()
	p.env.run("pg_ctl", "promote", "-w", "-t", "30", "-D", p.standby.data)
}
