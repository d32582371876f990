package main

import (
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
)

type webhookCmd struct {
	Add    webhookAddCmd    `cmd:"" help:"Send events to a URL."`
	List   webhookListCmd   `cmd:"" help:"Your webhooks."`
	Remove webhookRemoveCmd `cmd:"" help:"Stop sending to a webhook."`
}

type webhookAddCmd struct {
	URL    string `arg:"" help:"Where to POST (a Slack incoming webhook works as is)."`
	Events string `placeholder:"EVENT,…" help:"Only these events (default all): promise.due, promise.overdue, step.suggested, pulse.released."`
}

func (webhookAddCmd) Help() string {
	return "Each event is a JSON POST with a \"text\" line (shown by Slack as is), the event,\n" +
		"and its data, signed in the header X-Trustledger-Signature: t=UNIX,v1=HEX, the\n" +
		"HMAC-SHA256 of \"UNIX.BODY\" with the secret printed once here. Failed deliveries\n" +
		"are retried from the outbox for about two days.\n\n" +
		"Example:\n\n    trustledger webhook add https://hooks.slack.com/services/T000/B000/XXXX\n" +
		"    trustledger webhook add https://ci.example.org/hook --events promise.overdue,pulse.released\n"
}

func (c *webhookAddCmd) Run(rt *runtime) error {
	w, lid, err := rt.service()
	if err != nil {
		return err
	}
	var events []string
	for _, e := range strings.Split(c.Events, ",") {
		if e = strings.TrimSpace(e); e != "" {
			events = append(events, e)
		}
	}
	h, secret, err := w.AddWebhook(rt.ctx, lid, c.URL, events)
	if err != nil {
		return err
	}
	type out struct {
		tl.Webhook
		Secret string `json:"secret"`
	}
	return rt.output(out{*h, secret}, func() error {
		rt.printf("Webhook %s sends %s to %s.\nSigning secret (shown once): %s\n", h.ID, strings.Join(h.Events, ", "), h.URL, secret)
		return nil
	})
}

type webhookListCmd struct{}

func (webhookListCmd) Help() string { return "Example:\n\n    trustledger webhook list\n" }

func (c *webhookListCmd) Run(rt *runtime) error {
	w, lid, err := rt.service()
	if err != nil {
		return err
	}
	hs, err := w.Webhooks(rt.ctx, lid)
	if err != nil {
		return err
	}
	return rt.output(hs, func() error {
		if len(hs) == 0 {
			rt.printf("No webhooks. Add one with: trustledger webhook add URL\n")
			return nil
		}
		t := cli.NewTable("id", "url", "events", "since")
		for _, h := range hs {
			t.Row(h.ID, h.URL, strings.Join(h.Events, ","), rt.day(h.CreatedAt))
		}
		return t.Write(rt.stdout)
	})
}

type webhookRemoveCmd struct {
	ID string `arg:"" help:"The webhook's id (see: trustledger webhook list)."`
}

func (webhookRemoveCmd) Help() string { return "Example:\n\n    trustledger webhook remove ID\n" }

func (c *webhookRemoveCmd) Run(rt *runtime) error {
	w, lid, err := rt.service()
	if err != nil {
		return err
	}
	if err := w.RemoveWebhook(rt.ctx, lid, c.ID); err != nil {
		return err
	}
	return rt.output(map[string]string{"removed": c.ID}, func() error {
		rt.printf("Webhook %s removed; nothing more is sent to it.\n", c.ID)
		return nil
	})
}
