package api_test

import (
	"context"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api/remote"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestWeeklyMail: the weekly email's schedule through the API and the
// CLI's remote service: read it, change day and hour, turn it off; what
// the document refuses (an hour of 24, an unknown day) the server
// refuses, and a read token may not change it.
func TestWeeklyMail(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	def := as[tl.WeeklyMail](t, e.c.get("/weekly-mail"), 200)
	if def.Day != "monday" || def.Hour != 8 || !def.Mail || def.Email != "lena@example.com" || def.Zone != "UTC" ||
		!def.Next.Equal(time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("default %+v", def)
	}
	got := as[tl.WeeklyMail](t, e.c.put("/weekly-mail", obj{"day": "friday", "hour": 16, "mail": true}), 200)
	if got.Day != "friday" || got.Hour != 16 || !got.Next.Equal(time.Date(2026, 3, 6, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("after choosing Friday 16:00: %+v", got)
	}
	for _, bad := range []obj{{"day": "friday", "hour": 24, "mail": true}, {"day": "someday", "hour": 8, "mail": true}, {"hour": 8, "mail": true}} {
		envelope(t, e.c.put("/weekly-mail", bad, refused), 400, tl.EINVALID)
	}
	envelope(t, e.client(e.read).put("/weekly-mail", obj{"day": "friday", "hour": 9, "mail": false}), 403, tl.EFORBIDDEN)
	off := as[tl.WeeklyMail](t, e.c.put("/weekly-mail", obj{"day": "friday", "hour": 16, "mail": false}), 200)
	if off.Mail || !off.Next.IsZero() {
		t.Fatalf("off: %+v", off)
	}

	ctx := context.Background()
	r, err := remote.New(ctx, e.srv.URL, e.write, e.hc)
	if err != nil {
		t.Fatal(err)
	}
	lid := e.owner.LeaderID
	rw, err := r.SetWeeklyMail(ctx, lid, tl.WeeklyMail{Day: "tuesday", Hour: 7, Mail: true})
	if err != nil || rw.Day != "tuesday" || rw.Hour != 7 || !rw.Mail {
		t.Fatalf("remote set %+v %v", rw, err)
	}
	want, _ := e.app.WeeklyMail(ctx, lid)
	if rg, err := r.WeeklyMail(ctx, lid); err != nil || rg.Day != want.Day || !rg.Next.Equal(want.Next) {
		t.Fatalf("remote read %+v %v, want %+v", rg, err, want)
	}
	if _, err := r.UseStepLink(ctx, "ABC"); tl.ErrorCode(err) != tl.EINVALID {
		t.Fatalf("a step link over the API: %v", err)
	}
}
