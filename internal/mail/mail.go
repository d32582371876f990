// Package mail sends the outbox: messages queued in the database in the
// same transaction as what caused them (a pulse launched, a reminder, a
// check-in asked), delivered over SMTP by a Worker that retries with
// backoff, never sends one message twice on purpose, and picks up after a
// restart where the last run stopped.
//
// No message body is stored. The worker asks a Renderer for it at send
// time, and a message that carries a link gets its token then, so a token
// exists only in the message itself: never in the database, never in a
// log line (the worker logs the outbox id and kind, nothing else).
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// Message is a rendered message. Done says it is no longer needed (the
// member answered, the pulse closed): the worker drops it unsent.
// Unsubscribe, when set, is the address that turns such mail off: it goes
// into List-Unsubscribe with List-Unsubscribe-Post, so that mail clients
// offer one-click unsubscribing (RFC 8058), a POST to that address.
type Message struct {
	Subject     string
	Text        string
	HTML        string
	Unsubscribe string
	Done        bool
}

// Renderer renders a queued message at send time.
type Renderer interface {
	Render(ctx context.Context, m store.Mail) (Message, error)
}

// Sender delivers one message. id is the outbox id, used for the
// Message-ID header so that a resend after a crash is recognisable.
type Sender interface {
	Send(ctx context.Context, id, to, toName string, m Message) error
}

// Config is an SMTP server and the sender address.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	TLS      string // starttls (default), tls or none
}

// ParseURL reads smtp://user:pass@host:port?from=addr&tls=starttls|tls|none.
func ParseURL(s string) (Config, error) {
	bad := func(why string) (Config, error) {
		return Config{}, tl.Errorf(tl.EINVALID, "the mail server %s: write it like smtp://user:password@mail.example.org:587?from=trustledger@example.org", why)
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return bad("is not an smtp:// URL")
	}
	c := Config{Host: u.Hostname(), Port: 587, TLS: "starttls", From: u.Query().Get("from")}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("has port " + p + ", which is not a port number")
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if t := u.Query().Get("tls"); t != "" {
		switch t {
		case "starttls", "tls", "none":
			c.TLS = t
		default:
			return bad("has tls=" + t + " (use starttls, tls or none)")
		}
	}
	if c.From == "" || !strings.Contains(c.From, "@") {
		return bad("needs the sender address as ?from=")
	}
	return c, nil
}

// SMTP sends through one SMTP server with go-mail.
type SMTP struct {
	// Now dates the messages (time.Now unless a test sets it).
	Now  func() time.Time
	cfg  Config
	host string // for Message-ID
}

// NewSMTP returns a Sender for cfg.
func NewSMTP(cfg Config) *SMTP {
	host := "trustledger"
	if at := strings.LastIndexByte(cfg.From, '@'); at >= 0 {
		host = cfg.From[at+1:]
	}
	return &SMTP{cfg: cfg, Now: time.Now, host: host}
}

// Send delivers m in one SMTP conversation.
func (s *SMTP) Send(ctx context.Context, id, to, toName string, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.FromFormat("trustledger", s.cfg.From); err != nil {
		return permanent{fmt.Errorf("sender address: %w", err)}
	}
	if err := msg.AddToFormat(toName, to); err != nil {
		return permanent{fmt.Errorf("recipient address: %w", err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue("outbox-" + id + "@" + s.host)
	msg.SetDateWithValue(s.Now())
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	if m.Unsubscribe != "" {
		msg.SetGenHeader(gomail.Header("List-Unsubscribe"), "<"+m.Unsubscribe+">")
		msg.SetGenHeader(gomail.Header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(30 * time.Second), gomail.WithHELO("localhost")}
	switch s.cfg.TLS {
	case "none":
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.NoTLS))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	default:
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return permanent{err}
	}
	err = c.DialAndSendWithContext(ctx, msg)
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return permanent{err}
	}
	return err
}

// permanent marks an error that retrying cannot fix (a 5xx reply, a bad
// address).
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// IsPermanent reports whether err should not be retried.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Permanent wraps err so that the worker does not retry it.
func Permanent(err error) error { return permanent{err} }

// Backoff is the wait before each retry: the n-th failed attempt waits
// Backoff[n-1], and the one after the last wait fails the message, so a
// message is tried len(Backoff)+1 times (8) over about two days. A 5xx
// reply fails it at once.
var Backoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour}

// Worker delivers the outbox.
type Worker struct {
	DB       *store.DB
	Sender   Sender
	Renderer Renderer
	Log      *slog.Logger
	Now      func() time.Time // nil: time.Now
	Lease    time.Duration    // how long a claim holds (default 2 minutes)
	Poll     time.Duration    // how often Run looks for due mail (default 5 s)
	// Observe, when set, hears the outcome of every message handled:
	// sent, dropped (no longer needed), retry or failed (for metrics).
	Observe func(outcome string)
}

func (w *Worker) observe(outcome string) {
	if w.Observe != nil {
		w.Observe(outcome)
	}
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC()
	}
	return time.Now().UTC()
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// Run delivers due mail until ctx ends. A message being sent when ctx
// ends is finished first (within half the lease), so Run may return a
// little after ctx ends; a caller that closes the database waits for it.
func (w *Worker) Run(ctx context.Context) {
	Poll(ctx, w.Poll, w.log(), "mail outbox", w.one)
}

// RunOnce delivers every message due now and returns how many it
// handled (sent, dropped, retried or failed).
func (w *Worker) RunOnce(ctx context.Context) (int, error) { return Drain(ctx, w.one) }

// Drain calls one until it reports nothing left (false), an error, or
// ctx ends, and returns how many items it handled. The outbox's workers
// (mail, webhooks) share it.
func Drain(ctx context.Context, one func(context.Context) (bool, error)) (int, error) {
	n := 0
	for ctx.Err() == nil {
		done, err := one(ctx)
		if err != nil || !done {
			return n, err
		}
		n++
	}
	return n, ctx.Err()
}

// Poll drains one every interval (5 s when 0) until ctx ends, logging
// errors under what.
func Poll(ctx context.Context, interval time.Duration, log *slog.Logger, what string, one func(context.Context) (bool, error)) {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := Drain(ctx, one); err != nil && ctx.Err() == nil {
			// A database that is away (failing over, full) is the
			// operator's to see, as the requests log it, not a fault here:
			// the next round tries again.
			level := slog.LevelError
			if tl.ErrorCode(err) == tl.EUNAVAILABLE {
				level = slog.LevelWarn
			}
			log.Log(ctx, level, what, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Mark runs f, the mark that a claimed message is finished (sent, put
// back, given up), until it takes or ctx ends: a database that fails over
// answers EUNAVAILABLE for a few seconds, and a mark lost then lets the
// lease run out and the message go out a second time. The callers bound
// ctx by half the lease.
func Mark(ctx context.Context, db *store.DB, f func(tx *store.Tx) error) error {
	for {
		err := db.WriteOne(ctx, f)
		if tl.ErrorCode(err) != tl.EUNAVAILABLE {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(markRetry):
		}
	}
}

// markRetry is how long Mark waits between tries.
const markRetry = 250 * time.Millisecond

// one claims and handles one message; false when none is due.
func (w *Worker) one(ctx context.Context) (bool, error) {
	lease := w.Lease
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	now := w.now()
	var m *store.Mail
	// One statement each, atomic alone (store.WriteOne): the worker
	// neither waits for the writers' lanes nor holds them.
	err := w.DB.WriteOne(ctx, func(tx *store.Tx) error {
		var err error
		m, err = tx.ClaimMail(ctx, now, now.Add(lease))
		return err
	})
	if err != nil || m == nil {
		return false, err
	}
	// A claimed message is finished even when ctx ends (a shutdown):
	// sent and marked sent, or put back. Stopping between the send and
	// the mark would leave the lease to expire and the message to go out
	// a second time. Half the lease bounds the work, so the lease cannot
	// run out, and another worker claim the message, while it is sent.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lease/2)
	defer cancel()
	log := w.log().With("outbox_id", m.ID, "kind", m.Kind, "attempt", m.Attempts)
	msg, err := w.Renderer.Render(ctx, *m)
	if err == nil && msg.Done {
		log.Info("mail no longer needed")
		w.observe("dropped")
		return true, Mark(ctx, w.DB, func(tx *store.Tx) error { return tx.MarkMailSent(ctx, m.ID, w.now(), "not needed") })
	}
	if err == nil {
		err = w.Sender.Send(ctx, m.ID, m.To, m.ToName, msg)
	}
	if err == nil {
		log.Info("mail sent")
		w.observe("sent")
		return true, Mark(ctx, w.DB, func(tx *store.Tx) error { return tx.MarkMailSent(ctx, m.ID, w.now(), "") })
	}
	text := scrub(err.Error())
	if IsPermanent(err) || m.Attempts > len(Backoff) {
		log.Warn("mail failed", "err", text)
		w.observe("failed")
		return true, Mark(ctx, w.DB, func(tx *store.Tx) error { return tx.MarkMailFailed(ctx, m.ID, text) })
	}
	next := w.now().Add(Backoff[max(m.Attempts-1, 0)])
	log.Warn("mail will be retried", "err", text, "next", next)
	w.observe("retry")
	return true, Mark(ctx, w.DB, func(tx *store.Tx) error { return tx.MarkMailRetry(ctx, m.ID, next, text) })
}

// scrub keeps an error short for the outbox row and the log. Errors come
// from the SMTP conversation, never from the message body, so they hold
// no token; the length cap keeps a chatty server from filling the row.
func scrub(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' {
			return ' '
		}
		return r
	}, s)
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// Depth is how many messages wait to be sent.
func (w *Worker) Depth(ctx context.Context) (int, error) {
	var n int
	err := w.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.MailDepth(ctx)
		return err
	})
	return n, err
}
