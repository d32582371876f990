package trustledger

import "context"

type clientAddrKey struct{}

// WithClientAddr returns a context that carries the network address of
// the client a request came from ("host:port" or a bare host), for the
// sign-in throttle. The web layer passes the connection's remote address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddr is the client address WithClientAddr put in ctx, or "" when
// the caller is no network client (the command line, a test).
func ClientAddr(ctx context.Context) string {
	s, _ := ctx.Value(clientAddrKey{}).(string)
	return s
}
