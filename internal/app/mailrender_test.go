package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"sync"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/mail/mailtest"
	"github.com/trustledger/trustledger/internal/store"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// decodeQP undoes the quoted-printable body encoding so links read whole.
func decodeQP(s string) string {
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(s)))
	if err != nil {
		return s
	}
	return string(b)
}

// greeting is a message's plain text from "Hello" to the link, without
// the headers (whose ids could hold any letters).
func greeting(body string) string {
	i := strings.Index(body, "Hello ")
	j := strings.Index(body, "https://tl.example.org/")
	if i < 0 || j < i {
		return body
	}
	return body[i:j]
}

var linkRE = regexp.MustCompile(`https://tl\.example\.org/([pc])/([A-Z2-7]{26})`)

// TestMailedLinksLeaveNoTrace runs a pulse invitation, a reminder and a
// check-in through a real SMTP conversation and checks the content, that
// each link works, and that no token is in any log line or outbox row.
func TestMailedLinksLeaveNoTrace(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		logs := &syncBuffer{}
		logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		a := app.New(e.db, app.Options{Now: e.clk.Now, Logger: logger})
		srv := mailtest.Start(t)
		cfg, err := mail.ParseURL(srv.URL("trustledger@tl.example.org"))
		noErr(t, err)
		w := &mail.Worker{DB: e.db, Sender: mail.NewSMTP(cfg), Renderer: a.MailRenderer("https://tl.example.org/"), Log: logger, Now: e.clk.Now}

		l := must(a.CreateLeader(e.ctx, "Lena"))(t)
		for i := range 5 {
			must(a.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: fmt.Sprintf("M%d", i), Email: fmt.Sprintf("m%d@example.org", i), Kind: engine.DirectReport}))(t)
		}
		p := must(a.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		if n, err := w.RunOnce(context.Background()); err != nil || n != 5 {
			t.Fatalf("sent %d, %v", n, err)
		}
		msgs := srv.Messages()
		var tokens []string
		for _, m := range msgs {
			body := decodeQP(m.Data)
			for _, want := range []string{"Subject: Lena asks your team, anonymously", "anonymous", "Nobody, Lena included, can see who answered",
				"only after the pulse closes with at least 5 answers", "https://tl.example.org/p/"} {
				if !strings.Contains(body, want) {
					t.Errorf("invitation lacks %q:\n%s", want, body)
				}
			}
			got := linkRE.FindStringSubmatch(body)
			if got == nil || got[1] != "p" {
				t.Fatalf("no pulse link in:\n%s", body)
			}
			tokens = append(tokens, got[2])
		}
		// Every link works, once.
		for _, tok := range tokens[:2] {
			pass := must(a.OpenPulseLink(e.ctx, tok))(t)
			noErr(t, a.SubmitPulse(e.ctx, pass, uniform(4)))
		}
		// A reminder goes to the three who have not answered, with new links.
		noErr(t, a.RemindPulse(e.ctx, l.ID, p.Pulse.ID))
		if n, _ := w.RunOnce(context.Background()); n != 3 {
			t.Fatalf("%d reminders sent, want 3", n)
		}
		for _, m := range srv.Messages()[5:] {
			body := decodeQP(m.Data)
			// A reminder names no one who answered (M0 and M1 did).
			if !strings.Contains(body, "Subject: Reminder:") || !strings.Contains(body, "anonymous") ||
				!strings.Contains(body, "at least 5 answers") || strings.Contains(body, "m0@") || strings.Contains(body, "m1@") ||
				strings.Contains(greeting(body), "M0") || strings.Contains(greeting(body), "M1") {
				t.Errorf("reminder:\n%s", body)
			}
			tokens = append(tokens, linkRE.FindStringSubmatch(body)[2])
		}
		// A check-in by mail says it is not anonymous.
		if _, _, err := a.AskCheckin(e.ctx, l.ID, "M3", ""); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.RunOnce(context.Background()); n != 1 {
			t.Fatal("check-in mail not sent")
		}
		all := srv.Messages()
		body := decodeQP(all[len(all)-1].Data)
		if !strings.Contains(body, "NOT anonymous") || !strings.Contains(body, tl.CheckinQuestion) {
			t.Errorf("check-in mail:\n%s", body)
		}
		ck := linkRE.FindStringSubmatch(body)
		if ck == nil || ck[1] != "c" {
			t.Fatalf("no check-in link in:\n%s", body)
		}
		tokens = append(tokens, ck[2])
		must(a.OpenCheckinLink(e.ctx, ck[2]))(t)

		// No token anywhere but in the messages.
		var rows []store.Mail
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			rows, err = tx.Outbox(e.ctx)
			return err
		}))
		dump := fmt.Sprintf("%+v", rows)
		for _, tok := range tokens {
			if strings.Contains(logs.String(), tok) {
				t.Fatalf("a token is in the logs")
			}
			if strings.Contains(dump, tok) {
				t.Fatalf("a token is in the outbox")
			}
		}
		if !strings.Contains(logs.String(), `"msg":"mail sent"`) {
			t.Fatalf("the worker logged nothing:\n%s", logs.String())
		}
	})
}
