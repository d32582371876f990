// Package webhook delivers the outbox's webhook rows: a JSON POST signed
// with HMAC-SHA256, retried with the mail backoff from the same outbox
// (so deliveries survive restarts and several instances never send one
// twice while its lease runs).
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
)

// SignatureHeader is the header the worker signs deliveries in.
const SignatureHeader = tl.WebhookSignatureHeader

// DeliveryHeader carries the delivery's id: the same on every retry of
// one message, so a receiver can drop a repeat.
const DeliveryHeader = tl.WebhookDeliveryHeader

// Sign returns the signature header value for body at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// Worker posts due webhook deliveries.
type Worker struct {
	DB      *store.DB
	Policy  Policy           // which addresses deliveries may reach (guard.go)
	Client  *http.Client     // nil: Policy.Client(); a client given here is used as it is, unchecked
	Log     *slog.Logger     // nil discards
	Now     func() time.Time // nil: time.Now
	Lease   time.Duration    // default 2 minutes
	Poll    time.Duration    // default 5 s
	Observe func(outcome string)

	once   sync.Once
	client *http.Client
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC()
	}
	return time.Now().UTC()
}

// Run delivers until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	log := w.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mail.Poll(ctx, w.Poll, log, "webhooks", w.one)
}

// RunOnce delivers everything due now and returns how many it handled.
func (w *Worker) RunOnce(ctx context.Context) (int, error) { return mail.Drain(ctx, w.one) }

func (w *Worker) one(ctx context.Context) (bool, error) {
	lease := w.Lease
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	now := w.now()
	var m *store.Mail
	var hook *store.Webhook
	// Claiming and marking are one statement each, atomic alone: they
	// neither wait for the writers' lanes nor hold them (store.WriteOne),
	// which also keeps short the time between a POST and the mark that it
	// was sent, when a database that fails over would have it sent again.
	err := w.DB.WriteOne(ctx, func(tx *store.Tx) error {
		var err error
		m, err = tx.ClaimWebhook(ctx, now, now.Add(lease))
		return err
	})
	if err != nil || m == nil {
		return false, err
	}
	err = w.DB.ReadOne(ctx, func(tx *store.Tx) error {
		var err error
		hook, err = tx.WebhookByID(ctx, m.Ref)
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			hook, err = nil, nil
		}
		return err
	})
	if err != nil {
		return false, err
	}
	finish := func(outcome string, f func(tx *store.Tx) error) (bool, error) {
		if w.Observe != nil {
			w.Observe(outcome)
		}
		if w.Log != nil {
			w.Log.Info("webhook "+outcome, "outbox_id", m.ID, "webhook_id", m.Ref, "attempt", m.Attempts)
		}
		// Marked even when ctx ends (a shutdown), within half the lease,
		// as the mail worker does.
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lease/2)
		defer cancel()
		return true, mail.Mark(mctx, w.DB, f)
	}
	if hook == nil {
		return finish("dropped", func(tx *store.Tx) error { return tx.MarkMailSent(ctx, m.ID, w.now(), "webhook removed") })
	}
	status, err := w.post(ctx, hook, m.ID, []byte(m.Body))
	if re := (*RefusedError)(nil); errors.As(err, &re) {
		// Not retried: the address is the operator's choice to allow,
		// not a passing failure.
		msg := "refused: " + re.Error()
		if w.Log != nil {
			w.Log.Warn("webhook refused", "outbox_id", m.ID, "webhook_id", m.Ref, "reason", msg)
		}
		return finish("failed", func(tx *store.Tx) error { return tx.MarkMailFailed(ctx, m.ID, msg) })
	}
	switch {
	case err == nil && status/100 == 2:
		return finish("sent", func(tx *store.Tx) error { return tx.MarkMailSent(ctx, m.ID, w.now(), "") })
	case err == nil && status/100 == 4 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout:
		msg := fmt.Sprintf("the endpoint answered %d", status)
		return finish("failed", func(tx *store.Tx) error { return tx.MarkMailFailed(ctx, m.ID, msg) })
	}
	msg := fmt.Sprintf("the endpoint answered %d", status)
	if err != nil {
		msg = "the endpoint could not be reached"
	}
	if m.Attempts > len(mail.Backoff) {
		return finish("failed", func(tx *store.Tx) error { return tx.MarkMailFailed(ctx, m.ID, msg) })
	}
	next := w.now().Add(mail.Backoff[max(m.Attempts-1, 0)])
	return finish("retry", func(tx *store.Tx) error { return tx.MarkMailRetry(ctx, m.ID, next, msg) })
}

// post sends one delivery and returns the status code.
func (w *Worker) post(ctx context.Context, hook *store.Webhook, id string, body []byte) (int, error) {
	w.once.Do(func() {
		w.client = w.Client
		if w.client == nil {
			w.client = w.Policy.Client()
		}
	})
	c := w.client
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "trustledger-webhook")
	req.Header.Set(SignatureHeader, Sign(hook.Secret, w.now(), body))
	req.Header.Set(DeliveryHeader, id)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}
