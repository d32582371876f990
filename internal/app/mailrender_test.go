package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"regexp"
	"slices"
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

var linkRE = regexp.MustCompile(`https://tl\.example\.org/([pcvw])/([A-Z2-7]{26})`)

// TestMailedLinksLeaveNoTrace runs address confirmations, a pulse
// invitation, a reminder, a check-in and a window link through a real
// SMTP conversation and checks the content, that each link works, and
// that no token is in any log line or outbox row.
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
		// Each person confirms their address through the link mailed to it.
		if n, err := w.RunOnce(context.Background()); err != nil || n != 5 {
			t.Fatalf("sent %d confirmations, %v", n, err)
		}
		var tokens []string
		for _, m := range srv.Messages() {
			body := decodeQP(m.Data)
			for _, want := range []string{"Subject: Please confirm your address for Lena's team", "Is m", "https://tl.example.org/v/"} {
				if !strings.Contains(body, want) {
					t.Errorf("confirmation lacks %q:\n%s", want, body)
				}
			}
			got := linkRE.FindStringSubmatch(body)
			if got == nil || got[1] != "v" {
				t.Fatalf("no confirmation link in:\n%s", body)
			}
			tokens = append(tokens, got[2])
			noErr(t, a.ConfirmAddress(e.ctx, got[2]))
		}
		e.clk.Advance(tl.MemberWait)
		p := must(a.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		if n, err := w.RunOnce(context.Background()); err != nil || n != 5 {
			t.Fatalf("sent %d, %v", n, err)
		}
		msgs := srv.Messages()[5:]
		var asked []string
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
			asked = append(asked, got[2])
		}
		// Every link works, once.
		for _, tok := range asked[:2] {
			pass := must(a.OpenPulseLink(e.ctx, tok))(t)
			noErr(t, a.SubmitPulse(e.ctx, pass, uniform(4)))
		}
		// A reminder goes to all five, answered or not, with new links,
		// in the same words but for the name.
		noErr(t, a.RemindPulse(e.ctx, l.ID, p.Pulse.ID))
		if n, _ := w.RunOnce(context.Background()); n != 5 {
			t.Fatalf("%d reminders sent, want 5", n)
		}
		var first string
		answered := 0
		for _, m := range srv.Messages()[10:] {
			body := decodeQP(m.Data)
			if !strings.Contains(body, "Subject: Reminder:") || !strings.Contains(body, "anonymous") ||
				!strings.Contains(body, "at least 5 answers") || !strings.Contains(body, "goes to everyone who was asked") {
				t.Errorf("reminder:\n%s", body)
			}
			tok := linkRE.FindStringSubmatch(body)[2]
			tokens = append(tokens, tok)
			words := greeting(body)
			words = words[strings.Index(words, ",")+1:]
			if first == "" {
				first = words
			} else if words != first {
				t.Errorf("two reminders differ beyond the name:\n%s\n---\n%s", first, words)
			}
			// The link tells whoever answered that they did; the others
			// may answer.
			if _, err := a.OpenPulseLink(e.ctx, tok); tl.ErrorCode(err) == tl.ECONFLICT {
				answered++
			} else {
				noErr(t, err)
			}
		}
		if answered != 2 {
			t.Fatalf("%d reminder links say their holder answered, want 2", answered)
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
		// A window link goes to the person alone.
		noErr(t, a.SendWindowLink(e.ctx, l.ID, "M2"))
		if n, _ := w.RunOnce(context.Background()); n != 1 {
			t.Fatal("window mail not sent")
		}
		all = srv.Messages()
		body = decodeQP(all[len(all)-1].Data)
		wl := linkRE.FindStringSubmatch(body)
		if wl == nil || wl[1] != "w" || !slices.Equal(all[len(all)-1].To, []string{"m2@example.org"}) {
			t.Fatalf("no window link to M2 alone (to %v) in:\n%s", all[len(all)-1].To, body)
		}
		tokens = append(tokens, wl[2])
		must(a.OpenWindowLink(e.ctx, wl[2]))(t)

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
