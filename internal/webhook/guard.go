package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Policy is which addresses deliveries may reach (docs/SECURITY.md and
// docs/OPERATIONS.md, "Integrations"). A webhook's URL is typed by a
// user, so by default the server refuses to post inside its own network:
// loopback, private, link-local, unique-local, shared (carrier-grade NAT),
// unspecified, multicast and broadcast addresses, also in their IPv6
// forms that carry an IPv4 address. The check runs on the address each
// connection is actually made to, after the name is resolved, so a name
// that resolves to a public address when the webhook is saved and to a
// private one later (DNS rebinding) is refused all the same.
type Policy struct {
	// AllowPrivate lets deliveries reach every address: serve's
	// --webhook-allow-private, for receivers on the operator's own network.
	AllowPrivate bool
	// Lookup resolves a name when a webhook is saved; nil uses the
	// system's resolver. Tests give it fixed answers.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

// refusedRanges are the ranges a delivery may not reach unless allowed,
// with the words an error uses for them.
var refusedRanges = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fc00::/7"), "a unique-local address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared (carrier-grade NAT) address"},
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified address"},
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
	{netip.MustParsePrefix("255.255.255.255/32"), "a broadcast address"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // the IPv4 address is the last 4 bytes
	sixToFour = netip.MustParsePrefix("2002::/16")    // the IPv4 address is bytes 2 to 5
)

// Refused says which refused range ip is in ("a private address"), or ""
// when a delivery may reach it. IPv6 addresses that carry an IPv4 address
// (IPv4-mapped, NAT64, 6to4) are judged by the IPv4 address they carry.
func Refused(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			ip = netip.AddrFrom4([4]byte(b[12:16]))
		case sixToFour.Contains(ip):
			ip = netip.AddrFrom4([4]byte(b[2:6]))
		}
	}
	for _, r := range refusedRanges {
		if r.prefix.Contains(ip) {
			return r.what
		}
	}
	return ""
}

// RefusedError is a delivery, or a webhook being saved, whose address is
// inside the server's own network.
type RefusedError struct {
	Host string     // the name as given; "" or the address itself for a literal address
	IP   netip.Addr // the address it resolved to
	What string     // Refused's words
}

func (e *RefusedError) Error() string {
	const why = "the server does not post inside its own network unless started with --webhook-allow-private"
	if e.Host == "" || e.Host == e.IP.String() {
		return fmt.Sprintf("%s is %s; %s", e.IP, e.What, why)
	}
	return fmt.Sprintf("%s resolves to %s, %s; %s", e.Host, e.IP, e.What, why)
}

// check refuses ip (for host) unless the policy allows it.
func (p Policy) check(host string, ip netip.Addr) error {
	if p.AllowPrivate {
		return nil
	}
	if what := Refused(ip); what != "" {
		return &RefusedError{Host: host, IP: ip.WithZone("").Unmap(), What: what}
	}
	return nil
}

// CheckHost is the check when a webhook is saved: a literal address, or
// every address the name resolves to now, must be allowed. A name that
// does not resolve now is let through: the check at connect time is the
// one that counts.
func (p Policy) CheckHost(ctx context.Context, host string) error {
	if p.AllowPrivate {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return p.check("", ip)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	lookup := p.Lookup
	if lookup == nil {
		lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	addrs, err := lookup(ctx, host)
	if err != nil {
		return nil
	}
	for _, ip := range addrs {
		if err := p.check(host, ip); err != nil {
			return err
		}
	}
	return nil
}

// Client is the HTTP client deliveries go through. Every connection it
// makes (the first, a reconnect, one to another address of the name) is
// checked in the dialer's Control function, on the address the socket is
// about to connect to; redirects are not followed, and no proxy from the
// environment is used (a proxy would make the connection for us, unchecked).
func (p Policy) Client() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !p.AllowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return fmt.Errorf("connecting to %q: not an address", address)
			}
			return p.check("", ip)
		}
	}
	t := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if re := (*RefusedError)(nil); errors.As(err, &re) {
				// Name what was dialled, so the delivery's error says
				// what the name resolved to.
				if host, _, e := net.SplitHostPort(addr); e == nil {
					re.Host = host
				}
				return nil, re
			}
			return c, err
		},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
