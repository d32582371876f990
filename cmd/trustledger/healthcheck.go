package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	tl "github.com/trustledger/trustledger"
)

// healthcheckCmd asks a running server's /healthz, for a container's
// HEALTHCHECK: the image is FROM scratch and has no curl or shell
// (docs/OPERATIONS.md, "Container image"). It exits 0 when the server
// answers 200 and 1 otherwise, as container engines expect.
type healthcheckCmd struct {
	URL     string        `name:"url" default:"http://127.0.0.1:8080/healthz" placeholder:"URL" help:"The address to ask (default ${default})."`
	Timeout time.Duration `name:"timeout" default:"5s" help:"How long to wait for the answer (default ${default})."`
}

// Help shows an example.
func (c *healthcheckCmd) Help() string {
	return `Example:
  trustledger healthcheck --url http://127.0.0.1:8080/healthz && echo healthy
Exits 0 when the server answers 200, 1 otherwise.`
}

func (c *healthcheckCmd) Run(rt *runtime) error {
	ctx, cancel := context.WithTimeout(rt.ctx, c.Timeout)
	defer cancel()
	// Every failure is exit code 1 (EINTERNAL with the CLI's own message):
	// container engines read other codes as reserved.
	unhealthy := func(format string, args ...any) error {
		return &tl.Error{Code: tl.EINTERNAL, Op: opCLI, Message: "not healthy: " + fmt.Sprintf(format, args...)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL, nil)
	if err != nil {
		return unhealthy("%v", err)
	}
	client := rt.httpClient
	if client == nil {
		client = &http.Client{}
	}
	resp, err := client.Do(req)
	if err != nil {
		return unhealthy("%v", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return unhealthy("%s answered %s", c.URL, resp.Status)
	}
	rt.printf("healthy: %s answered %s\n", c.URL, resp.Status)
	return nil
}
