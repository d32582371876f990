package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

	tl "github.com/trustledger/trustledger"
)

// ParseTrustedProxies reads the reverse proxies an operator trusts to say
// who their client is (serve --trusted-proxy): addresses and CIDR prefixes
// separated by commas, such as "127.0.0.1/32,10.0.0.0/8,::1". An empty
// string trusts none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(f)
		if err != nil {
			return nil, tl.Errorf(tl.EINVALID, "--trusted-proxy (or $TRUSTLEDGER_TRUSTED_PROXY): %q is neither an address nor a prefix: give addresses and prefixes such as 127.0.0.1/32,10.0.0.0/8, separated by commas", f)
		}
		ip = ip.Unmap().WithZone("")
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}

// forwardedTLS marks a request that a trusted proxy received over HTTPS
// (X-Forwarded-Proto: https).
type forwardedTLS struct{}

// fromProxy returns r as its client sent it when r came through a
// trusted proxy: RemoteAddr becomes the client's address, which the
// sign-in throttle and the request log use, and X-Forwarded-Proto: https
// counts as TLS for cookies and links. From any other peer the
// X-Forwarded-* headers are ignored, since whoever connects directly can
// write them (docs/SECURITY.md, "Rate limits").
func (s *Server) fromProxy(r *http.Request) *http.Request {
	if len(s.proxies) == 0 {
		return r
	}
	peer, ok := addrOf(r.RemoteAddr)
	if !ok || !s.trusted(peer) {
		return r
	}
	client := peer
	// Each proxy appends the address it was connected from, so the list
	// is read from the right: the first address that is not a trusted
	// proxy is the client. Everything left of it was written by the
	// client and may be made up. An entry that is not an address stops
	// the walk at the last proxy that wrote a good one.
	hops := r.Header.Values("X-Forwarded-For")
walk:
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, ok := addrOf(strings.TrimSpace(parts[j]))
			if !ok {
				break walk
			}
			client = a
			if !s.trusted(a) {
				break walk
			}
		}
	}
	ctx := r.Context()
	if proto := r.Header.Values("X-Forwarded-Proto"); len(proto) > 0 {
		last := proto[len(proto)-1]
		if i := strings.LastIndexByte(last, ','); i >= 0 {
			last = last[i+1:]
		}
		if strings.EqualFold(strings.TrimSpace(last), "https") {
			ctx = context.WithValue(ctx, forwardedTLS{}, true)
		}
	}
	r2 := r.WithContext(ctx)
	r2.RemoteAddr = client.String()
	return r2
}

// trusted reports whether a is one of the operator's proxies.
func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// addrOf reads an address with or without a port ("192.0.2.1",
// "192.0.2.1:443", "[2001:db8::1]:443", "2001:db8::1").
func addrOf(s string) (netip.Addr, bool) {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// overTLS reports whether the client reached us over HTTPS: directly, or
// through a trusted proxy that says so.
func overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	v, _ := r.Context().Value(forwardedTLS{}).(bool)
	return v
}

// clientHost is the client's address without its port, for the log.
func clientHost(remote string) string {
	if a, ok := addrOf(remote); ok {
		return a.String()
	}
	return remote
}
