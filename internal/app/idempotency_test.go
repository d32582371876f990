package app_test

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestIdempotencyKeySettles follows one key through the services: the
// first request's write keeps it and its answer is stored; a retry's
// write finds it taken and gets that answer to replay; a different
// request under it is refused; a retry whose own write fails gets the
// first answer too; and a day later a key is forgotten, so a request with
// it runs again (and keeps it afresh).
func TestIdempotencyKeySettles(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		u := must(e.app.Signup(e.ctx, tl.SignupInput{Email: "lee@example.com", Name: "Lee", Password: "correct horse battery"}))(t)
		l := &tl.Leader{ID: u.LeaderID}
		e.person(l.ID, "Ana", engine.DirectReport)
		run := func(hash string) (ev *tl.Event, replay *tl.StoredResponse, rerun bool, err error) {
			t.Helper()
			ctx := must(e.app.ClaimKey(e.ctx, u.ID, "k", hash))(t)
			ev, logErr := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: engine.KindInputSought})
			resp := tl.StoredResponse{Status: 201, Body: "first"}
			if logErr != nil {
				resp = tl.StoredResponse{Status: tl.HTTPStatus(tl.ErrorCode(logErr)), Body: logErr.Error()}
			}
			replay, rerun, err = e.app.SettleKey(ctx, u.ID, "k", hash, resp)
			e.app.StoreAnswers()
			return ev, replay, rerun, err
		}

		if ev, replay, rerun, err := run("h1"); replay != nil || rerun || err != nil || ev == nil {
			t.Fatalf("first request: replay %v, rerun %v, err %v, entry %v", replay, rerun, err, ev)
		}
		if ev, replay, rerun, err := run("h1"); replay == nil || replay.Body != "first" || rerun || err != nil || ev != nil {
			t.Fatalf("its retry: replay %v, rerun %v, err %v, entry %v", replay, rerun, err, ev)
		}
		_, _, _, err := run("h2")
		wantCode(t, err, tl.EINVALID, "different request")

		// A retry whose own write fails (the team its first request made
		// is there now) still gets the first answer.
		team := func() (*tl.StoredResponse, error) {
			t.Helper()
			ctx := must(e.app.ClaimKey(e.ctx, u.ID, "team-key", "team"))(t)
			resp := tl.StoredResponse{Status: 201, Body: "team made"}
			if _, err := e.app.AddTeam(ctx, l.ID, "platform"); err != nil {
				resp = tl.StoredResponse{Status: tl.HTTPStatus(tl.ErrorCode(err)), Body: err.Error()}
			}
			replay, _, err := e.app.SettleKey(ctx, u.ID, "team-key", "team", resp)
			e.app.StoreAnswers()
			return replay, err
		}
		if replay, err := team(); replay != nil || err != nil {
			t.Fatalf("making a team: replay %v, err %v", replay, err)
		}
		if replay, err := team(); err != nil || replay == nil || replay.Body != "team made" {
			t.Fatalf("its retry, whose own write fails: replay %v, err %v", replay, err)
		}

		e.clk.Advance(tl.IdempotencyLifetime + time.Hour)
		if _, replay, rerun, err := run("h2"); replay != nil || !rerun || err != nil {
			t.Fatalf("a request with the key a day later: replay %v, rerun %v, err %v, want a rerun", replay, rerun, err)
		}
		if ev, replay, rerun, err := run("h2"); replay != nil || rerun || err != nil || ev == nil {
			t.Fatalf("its rerun: replay %v, rerun %v, err %v, entry %v", replay, rerun, err, ev)
		}
		entries := must(e.app.Events(e.ctx, l.ID, tl.EventFilter{Limit: 10}))(t)
		if len(entries) != 2 {
			t.Fatalf("%d entries, want 2 (the first request's and the rerun's)", len(entries))
		}
	})
}
