package app_test

// The operator's attack (docs/ANONYMITY.md, "What an operator holding the
// database sees"): someone who copies the database files at one moment,
// with their write-ahead log, and reads them with their own tools instead
// of through the product, tries to tie an anonymous answer or reaction to
// the member who gave it.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// linkHash is what the service keeps of a link's token: its SHA-256 in
// hex, as hashToken in accounts.go makes it.
func linkHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// voiceFixture is a leader's team with an open pulse over every member, a
// link issued to each, and a decision about the team.
type voiceFixture struct {
	leader   tl.Leader
	team     tl.Team
	members  []tl.Relationship
	tokens   []string // tokens[i] is members[i]'s link
	pulse    store.PulseRow
	decision tl.Decision
}

// newVoiceFixture sets the fixture up through the store alone: how a pulse
// is launched (who counts toward k, when links go out) is not what the
// tests that use it are about, and must not change what they see.
func newVoiceFixture(tb testing.TB, ctx context.Context, db *store.DB, now time.Time, n int) *voiceFixture {
	tb.Helper()
	id := func() string { return store.NewID(now) }
	// Addresses confirmed long enough ago that every member counts.
	confirmed := now.Add(-tl.MemberWait - day)
	lid := id()
	f := &voiceFixture{leader: tl.Leader{ID: lid, Name: "Lena " + lid[len(lid)-6:], CreatedAt: now}}
	f.team = tl.Team{ID: id(), LeaderID: f.leader.ID, Name: "team", CreatedAt: now}
	asked := make([]store.Asked, 0, n)
	ids := make([]string, 0, n)
	for i := range n {
		r := tl.Relationship{ID: id(), LeaderID: f.leader.ID, Person: fmt.Sprintf("Member %03d", i+1),
			Email: fmt.Sprintf("m%03d@example.org", i+1), TeamID: f.team.ID, Kind: engine.DirectReport,
			Bases: engine.DefaultBases(engine.DirectReport), Active: true, StartedAt: now, CreatedAt: now,
			EmailConfirmedAt: confirmed}
		f.members = append(f.members, r)
		f.tokens = append(f.tokens, rand.Text())
		asked = append(asked, store.Asked{RelationshipID: r.ID, Email: r.Email})
		ids = append(ids, r.ID)
	}
	f.pulse = store.PulseRow{Pulse: tl.Pulse{ID: id(), LeaderID: f.leader.ID, TeamID: f.team.ID, Wave: 1,
		Question: "What should change?", K: 5, CommentsK: 10, Delivery: tl.DeliveryEmail, Status: tl.PulseOpen,
		Population: n, CreatedAt: now, ClosesAt: now.Add(7 * day)}}
	f.decision = tl.Decision{ID: id(), LeaderID: f.leader.ID, What: "The stand-up moves to 10:00",
		Why: "two people start late", TeamID: f.team.ID, Affects: f.team.Name, DecidedAt: now, CreatedAt: now}
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateLeader(ctx, &f.leader); err != nil {
			return err
		}
		if err := tx.CreateTeam(ctx, &f.team); err != nil {
			return err
		}
		for i := range f.members {
			if err := tx.CreateRelationship(ctx, &f.members[i]); err != nil {
				return err
			}
		}
		if err := tx.CreateDecision(ctx, &f.decision); err != nil {
			return err
		}
		if err := tx.CreatePulse(ctx, &f.pulse, asked); err != nil {
			return err
		}
		if err := tx.CreatePulseTokens(ctx, f.pulse.ID, ids); err != nil {
			return err
		}
		for i, r := range f.members {
			if err := tx.IssuePulseToken(ctx, f.pulse.ID, r.ID, linkHash(f.tokens[i])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("set up the pulse: %v", err)
	}
	return f
}

// voiceAnswers answers every item (the outcome item with commit) and
// carries comment.
func voiceAnswers(comment string) tl.PulseAnswers {
	m := map[string]int{}
	for _, it := range tl.PulseItems {
		m[it.ID] = 3
		if it.Scale == tl.ScaleOutcome {
			m[it.ID] = tl.OutcomeCommit
		}
	}
	return tl.PulseAnswers{Answers: m, Comment: comment}
}

// voiceMarker is a comment no other byte sequence of the database holds.
func voiceMarker(i int) string {
	return fmt.Sprintf("zq%02dmark%s", i, strings.ToLower(rand.Text()[:10]))
}

// answerInOrder has the first n members answer through the real service,
// one after the other, each with a marker in the comment. It returns the
// markers in the order of submission and the passes the links were
// exchanged for.
func (f *voiceFixture) answerInOrder(t *testing.T, ctx context.Context, a *app.App, n int) (markers, passes []string) {
	t.Helper()
	for i := range n {
		pass, err := a.OpenPulseLink(ctx, f.tokens[i])
		if err != nil {
			t.Fatalf("member %d opens the link: %v", i+1, err)
		}
		m := voiceMarker(i)
		if err := a.SubmitPulse(ctx, pass, voiceAnswers(m)); err != nil {
			t.Fatalf("member %d answers: %v", i+1, err)
		}
		markers, passes = append(markers, m), append(passes, pass)
	}
	return markers, passes
}

var voiceReactions = []string{tl.ReactionUnderstood, tl.ReactionNotClear, tl.ReactionDisagree}

// reactInOrder has the first n members react to the decision in turn and
// returns the reactions in that order. Three values over 20 people: a
// random order reproduces this one with probability 7!·7!·6!/20!, about
// 10⁻⁸.
func (f *voiceFixture) reactInOrder(t *testing.T, ctx context.Context, a *app.App, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		r := voiceReactions[i%len(voiceReactions)]
		if err := a.React(ctx, f.members[i].ID, f.decision.ID, r); err != nil {
			t.Fatalf("member %d reacts: %v", i+1, err)
		}
		out = append(out, r)
	}
	return out
}

// name is the person of a relationship id.
func (f *voiceFixture) name(relID string) string {
	for _, r := range f.members {
		if r.ID == relID {
			return r.Person
		}
	}
	return relID
}

// TestAttackOperatorCopy: ten members answer a pulse and twenty react to a
// decision, in an order the test knows; the mixer runs; then an operator
// copies the database and its WAL and attacks the copy:
//
//	(a) replays the WAL commit by commit: a commit that marks one link
//	    used and adds one response ties the two together (the same for
//	    who reacted and what);
//	(b) reads where each answer lies in the file: cells are laid down in
//	    the order they were written;
//	(c) looks for what was deleted: passes (their hashes, the link they
//	    stood for) and the rows the mixer rewrote.
//
// On PostgreSQL the same ties go through the rows' xmin (the transaction
// that wrote them) and the order through ctid. What PostgreSQL still keeps
// after the mix (its WAL segments and archives, dead rows' bytes in free
// space, which VACUUM does not zero) is outside what the service can
// reach: docs/ANONYMITY.md says so.
func TestAttackOperatorCopy(t *testing.T) {
	t.Run("sqlite", testAttackSQLite)
	t.Run("postgres", testAttackPostgres)
}

func testAttackSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "trustledger.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := newClock(start)
	a := app.New(db, app.Options{Now: clk.Now})
	f := newVoiceFixture(t, ctx, db, clk.Now(), 20)
	markers, passes := f.answerInOrder(t, ctx, a, 10)
	reactions := f.reactInOrder(t, ctx, a, 20)
	noErr(t, a.MixVoice(ctx))

	// The operator copies the files while the service runs.
	dbBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	walBytes, err := os.ReadFile(path + "-wal")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	w := parseWAL(t, walBytes)
	t.Logf("copied %d bytes of database and %d of WAL: %d frames in %d commits, %d frames left from before the last restart",
		len(dbBytes), len(walBytes), w.frames, len(w.commits), w.stale)
	dir := t.TempDir()

	// (a) The WAL, commit by commit.
	for _, tie := range replayTies(t, dir, dbBytes, walBytes, w, f) {
		t.Errorf("(a) WAL commit %d ties %s to %s", tie.commit, tie.person, tie.what)
	}
	for i, m := range markers {
		if bytes.Contains(walBytes, []byte(m)) {
			t.Errorf("(a) the WAL holds the answer of member %d (%s) after the mix", i+1, m)
		}
	}

	// (b) The order of cells in the pages as they stand (the database
	// with the WAL's committed frames laid over it).
	image := w.overlay(dbBytes)
	var offs []int
	for i, m := range markers {
		off := bytes.Index(image, []byte(m))
		if off < 0 {
			t.Fatalf("(b) answer %d (%s) is nowhere in the database", i+1, m)
		}
		offs = append(offs, off)
	}
	if o := orderBy(markers, offs); sameOrReversed(o, markers) {
		t.Errorf("(b) the answers lie in the file in the order they were given:\n%s", strings.Join(o, " "))
	}
	if o := reactionOrder(t, dir, image, w.pageSize, f); sameOrReversed(o, reactions) {
		t.Errorf("(b) the reactions lie in the file in the order they were given:\n%s", strings.Join(o, " "))
	}

	// (c) Deleted content. A clean copy made from the live rows holds
	// each string as often as the live rows do; the files must not hold
	// it more often.
	raw := append(slices.Clip(dbBytes), walBytes...)
	clean := vacuumInto(t, dir, image)
	check := func(what, s string) {
		t.Helper()
		if got, live := bytes.Count(raw, []byte(s)), bytes.Count(clean, []byte(s)); got > live {
			t.Errorf("(c) %s is in the files %d times, in the live rows %d", what, got, live)
		}
	}
	for i, p := range passes {
		check(fmt.Sprintf("the pass of member %d", i+1), linkHash(p))
	}
	for i, tok := range f.tokens {
		check(fmt.Sprintf("the link hash of member %d", i+1), linkHash(tok))
	}
	for i, m := range markers {
		check(fmt.Sprintf("the answer of member %d", i+1), m)
	}
}

// walFile is a parsed WAL: its commits (frames whose salt matches the
// header, up to each commit frame) and how many frames it holds in all.
type walFile struct {
	pageSize int
	commits  []walCommit
	frames   int // every frame in the file
	stale    int // frames whose salt is not the header's: left from an earlier pass over the file
}

type walCommit struct {
	end    int // byte offset just after the commit frame
	pages  map[uint32][]byte
	dbSize uint32 // database size in pages after the commit
}

// parseWAL reads a WAL file: a 32-byte header (magic, version, page size,
// checkpoint sequence, two salts, checksum), then frames of a 24-byte
// header (page number, database size after commit or 0, the two salts,
// checksum) and a page. A frame whose "size after commit" is non-zero
// ends a transaction. Checksums are not verified: a crash's torn tail
// does not happen here.
func parseWAL(t *testing.T, wal []byte) walFile {
	t.Helper()
	var w walFile
	if len(wal) == 0 {
		return w
	}
	if len(wal) < 32 {
		t.Fatalf("WAL of %d bytes", len(wal))
	}
	be := binary.BigEndian
	if m := be.Uint32(wal); m != 0x377f0682 && m != 0x377f0683 {
		t.Fatalf("not a WAL: magic %#x", m)
	}
	w.pageSize = int(be.Uint32(wal[8:]))
	salt := wal[16:24]
	cur := map[uint32][]byte{}
	valid := true
	for off := 32; off+24+w.pageSize <= len(wal); off += 24 + w.pageSize {
		w.frames++
		h := wal[off : off+24]
		if !bytes.Equal(h[8:16], salt) {
			w.stale++
			valid = false
			continue
		}
		if !valid {
			continue // a current frame after a stale one is not reached by SQLite
		}
		cur[be.Uint32(h)] = wal[off+24 : off+24+w.pageSize]
		if size := be.Uint32(h[4:]); size != 0 {
			w.commits = append(w.commits, walCommit{end: off + 24 + w.pageSize, pages: cur, dbSize: size})
			cur = map[uint32][]byte{}
		}
	}
	return w
}

// overlay lays the committed frames over the database file: the pages as
// a reader sees them.
func (w walFile) overlay(db []byte) []byte {
	img := slices.Clone(db)
	for _, c := range w.commits {
		if n := int(c.dbSize) * w.pageSize; n > len(img) {
			img = append(img, make([]byte, n-len(img))...)
		} else {
			img = img[:n]
		}
		for pg, data := range c.pages {
			copy(img[int(pg-1)*w.pageSize:], data)
		}
	}
	return img
}

type tie struct {
	commit       int
	person, what string
}

// replayTies opens the database with the WAL cut after each commit in
// turn, as an operator would with SQLite itself, and reports each commit
// that marks exactly one member's link used (or their reaction made) and
// adds exactly one response (or reaction).
func replayTies(t *testing.T, dir string, db, wal []byte, w walFile, f *voiceFixture) []tie {
	t.Helper()
	p := filepath.Join(dir, "replay.db")
	var out []tie
	var prev [4]map[string]bool
	for k, c := range w.commits {
		_ = os.Remove(p + "-shm")
		if err := os.WriteFile(p, db, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p+"-wal", wal[:c.end], 0o600); err != nil {
			t.Fatal(err)
		}
		conn, err := sql.Open("sqlite", "file:"+p)
		if err != nil {
			t.Fatal(err)
		}
		// A table the migrations have not made yet reads as empty.
		cur := [4]map[string]bool{
			stringSet(conn, "SELECT relationship_id FROM pulse_tokens WHERE pulse_id = $1 AND used = 1", f.pulse.ID),
			stringSet(conn, "SELECT comment FROM pulse_responses WHERE pulse_id = $1", f.pulse.ID),
			stringSet(conn, "SELECT relationship_id FROM decision_reacted WHERE decision_id = $1", f.decision.ID),
			stringSet(conn, "SELECT id || ' ' || reaction FROM decision_reactions WHERE decision_id = $1", f.decision.ID),
		}
		conn.Close()
		var added [4][]string
		for i := range cur {
			for s := range cur[i] {
				if !prev[i][s] {
					added[i] = append(added[i], s)
				}
			}
		}
		if len(added[0]) == 1 && len(added[1]) == 1 {
			out = append(out, tie{k, f.name(added[0][0]), fmt.Sprintf("the answer %q", added[1][0])})
		}
		if len(added[2]) == 1 && len(added[3]) == 1 {
			_, r, _ := strings.Cut(added[3][0], " ")
			out = append(out, tie{k, f.name(added[2][0]), fmt.Sprintf("the reaction %q", r)})
		}
		prev = cur
	}
	return out
}

func stringSet(conn *sql.DB, query string, args ...any) map[string]bool {
	out := map[string]bool{}
	rows, err := conn.Query(query, args...)
	if err != nil {
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if rows.Scan(&s) == nil {
			out[s] = true
		}
	}
	return out
}

// orderBy returns items sorted by their offsets.
func orderBy(items []string, offs []int) []string {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return offs[idx[a]] < offs[idx[b]] })
	out := make([]string, len(items))
	for i, j := range idx {
		out[i] = items[j]
	}
	return out
}

// sameOrReversed: SQLite fills a page's cell area from its end, so the
// newest cell comes first; either way the order gives the submission away.
func sameOrReversed(got, want []string) bool {
	rev := slices.Clone(want)
	slices.Reverse(rev)
	return slices.Equal(got, want) || slices.Equal(got, rev)
}

// reactionOrder reads the reactions in the order they lie in the pages of
// decision_reactions (found with SQLite's dbstat on a copy).
func reactionOrder(t *testing.T, dir string, image []byte, pageSize int, f *voiceFixture) []string {
	t.Helper()
	if pageSize == 0 {
		pageSize = int(binary.BigEndian.Uint16(image[16:]))
	}
	p := filepath.Join(dir, "image.db")
	for _, s := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(p + s)
	}
	if err := os.WriteFile(p, image, 0o600); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", "file:"+p)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query("SELECT pageno FROM dbstat WHERE name = 'decision_reactions' AND pagetype = 'leaf' ORDER BY pageno")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var pg int
		if err := rows.Scan(&pg); err != nil {
			t.Fatal(err)
		}
		page := image[(pg-1)*pageSize : pg*pageSize]
		type at struct {
			off int
			r   string
		}
		var found []at
		for _, r := range voiceReactions {
			for i := 0; ; {
				j := bytes.Index(page[i:], []byte(r))
				if j < 0 {
					break
				}
				found = append(found, at{i + j, r})
				i += j + len(r)
			}
		}
		sort.Slice(found, func(a, b int) bool { return found[a].off < found[b].off })
		for _, x := range found {
			out = append(out, x.r)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// vacuumInto writes the live rows of the database image to a fresh file
// and returns its bytes.
func vacuumInto(t *testing.T, dir string, image []byte) []byte {
	t.Helper()
	p := filepath.Join(dir, "live.db")
	for _, s := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(p + s)
		_ = os.Remove(p + ".src" + s)
	}
	if err := os.WriteFile(p+".src", image, 0o600); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", "file:"+p+".src")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec("VACUUM INTO $1", p); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testAttackPostgres attacks what SQL shows of the rows. Below SQL,
// PostgreSQL keeps more than the service can scrub, and the test does not
// pretend otherwise: its WAL segments (and any archive or replica) hold
// each answer's transaction with the link it used; VACUUM makes the dead
// row versions' space reusable but does not zero it (tried on 15: a
// rewritten comment's old bytes were still in the table's file after
// VACUUM and CHECKPOINT); and xmin lasts until a row is written again.
func testAttackPostgres(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenPostgres(t)
	clk := newClock(start)
	a := app.New(db, app.Options{Now: clk.Now})
	f := newVoiceFixture(t, ctx, db, clk.Now(), 20)
	markers, _ := f.answerInOrder(t, ctx, a, 10)
	reactions := f.reactInOrder(t, ctx, a, 20)
	noErr(t, a.MixVoice(ctx))

	type row struct{ xmin, v string }
	rowsOf := func(query, id string) []row {
		t.Helper()
		rows, err := db.SQL().QueryContext(ctx, query, id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.xmin, &r.v); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// xmin is the transaction that wrote a row version: a used link and a
	// response written by one transaction belong together.
	attack := func(what string, who, said []row, order []string) {
		t.Helper()
		byXmin := map[string][]string{}
		xmins := map[string]bool{}
		for _, r := range said {
			byXmin[r.xmin] = append(byXmin[r.xmin], r.v)
			xmins[r.xmin] = true
		}
		for _, r := range who {
			xmins[r.xmin] = true
			if vs := byXmin[r.xmin]; len(vs) == 1 {
				t.Errorf("xmin %s ties %s to the %s %q", r.xmin, f.name(r.v), what, vs[0])
			}
		}
		if len(xmins) != 1 {
			t.Errorf("the %ss and who gave them were written by %d transactions, want 1 (the mix)", what, len(xmins))
		}
		var got []string
		for _, r := range said {
			got = append(got, r.v)
		}
		if sameOrReversed(got, order) {
			t.Errorf("the %ss lie in ctid order in the order they were given:\n%s", what, strings.Join(got, " "))
		}
	}
	attack("answer",
		rowsOf("SELECT xmin::text, relationship_id FROM pulse_tokens WHERE pulse_id = $1 AND used = 1", f.pulse.ID),
		rowsOf("SELECT xmin::text, comment FROM pulse_responses WHERE pulse_id = $1 ORDER BY ctid", f.pulse.ID),
		markers)
	attack("reaction",
		rowsOf("SELECT xmin::text, relationship_id FROM decision_reacted WHERE decision_id = $1", f.decision.ID),
		rowsOf("SELECT xmin::text, reaction FROM decision_reactions WHERE decision_id = $1 ORDER BY ctid", f.decision.ID),
		reactions)
}
