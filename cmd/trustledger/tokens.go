package main

import (
	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/cli"
)

type tokenCmd struct {
	Create tokenCreateCmd `cmd:"" help:"Make an API token (shown once)."`
	List   tokenListCmd   `cmd:"" help:"Your API tokens."`
	Revoke tokenRevokeCmd `cmd:"" help:"End a token at once."`
}

// tokenUser is the account the CLI's leader signs in with (in remote
// mode: the token's account).
func (rt *runtime) tokenUser() (tl.TokenService, *tl.User, error) {
	if rt.cli.Server != "" {
		// The token's account, which need not lead anyone (a coach).
		if _, err := rt.open(false); err != nil {
			return nil, nil, err
		}
		u := rt.remote.User()
		return rt.remote, &u, nil
	}
	svc, lid, err := rt.service()
	if err != nil {
		return nil, nil, err
	}
	u, err := svc.LeaderUser(rt.ctx, lid)
	if err != nil {
		return nil, nil, err
	}
	return svc, u, nil
}

type tokenCreateCmd struct {
	Name  string `arg:"" help:"Where the token is used, e.g. \"nightly export\"."`
	Scope string `default:"read" enum:"read,write" help:"read, or write to also change data."`
}

func (tokenCreateCmd) Help() string {
	return "API tokens act as your account in the JSON API (Authorization: Bearer TOKEN).\n" +
		"Only a hash is kept: copy the token now. Revoke it when it is no longer used.\n\n" +
		"Example:\n\n    trustledger token create \"nightly export\"\n    trustledger token create \"HR sync\" --scope write\n"
}

func (c *tokenCreateCmd) Run(rt *runtime) error {
	a, u, err := rt.tokenUser()
	if err != nil {
		return err
	}
	t, secret, err := a.CreateToken(rt.ctx, u.ID, c.Name, c.Scope)
	if err != nil {
		return err
	}
	type out struct {
		tl.APIToken
		Token string `json:"token"`
	}
	return rt.output(out{*t, secret}, func() error {
		rt.printf("Token %s (%s, %s). Copy it now, it is shown once:\n\n    %s\n", t.ID, t.Name, t.Scope, secret)
		return nil
	})
}

type tokenListCmd struct{}

func (tokenListCmd) Help() string { return "Example:\n\n    trustledger token list\n" }

func (c *tokenListCmd) Run(rt *runtime) error {
	a, u, err := rt.tokenUser()
	if err != nil {
		return err
	}
	ts, err := a.Tokens(rt.ctx, u.ID)
	if err != nil {
		return err
	}
	return rt.output(ts, func() error {
		if len(ts) == 0 {
			rt.printf("No API tokens. Make one with: trustledger token create NAME\n")
			return nil
		}
		t := cli.NewTable("id", "name", "scope", "created", "last used", "state")
		for _, x := range ts {
			used, state := "never", "live"
			if !x.LastUsed.IsZero() {
				used = rt.day(x.LastUsed)
			}
			if !x.RevokedAt.IsZero() {
				state = "revoked " + rt.day(x.RevokedAt)
			}
			t.Row(x.ID, x.Name, x.Scope, rt.day(x.CreatedAt), used, state)
		}
		return t.Write(rt.stdout)
	})
}

type tokenRevokeCmd struct {
	ID string `arg:"" help:"The token's id (see: trustledger token list)."`
}

func (tokenRevokeCmd) Help() string { return "Example:\n\n    trustledger token revoke ID\n" }

func (c *tokenRevokeCmd) Run(rt *runtime) error {
	a, u, err := rt.tokenUser()
	if err != nil {
		return err
	}
	if err := a.RevokeToken(rt.ctx, u.ID, c.ID); err != nil {
		return err
	}
	return rt.output(map[string]string{"revoked": c.ID}, func() error {
		rt.printf("Token %s revoked: it no longer works.\n", c.ID)
		return nil
	})
}
