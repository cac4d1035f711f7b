package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"

	"pause"
)

// Guard decides where webhooks may go, against server-side request forgery: an endpoint URL
// must not make Pause reach what only Pause can reach (the instance metadata service, the
// VPC, the machine itself). It checks a URL when an admin sets it, and every address when a
// delivery connects (so a name that resolves elsewhere later, DNS rebinding, is refused too):
//
//   - https only; plain http only to a loopback address in development;
//   - no user name or password in the URL;
//   - no address that is private (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10),
//     loopback (127/8, ::1; allowed in development only), link-local (169.254/16, among them
//     the instance metadata address 169.254.169.254, and fe80::/10), unspecified (0.0.0.0,
//     ::), multicast or broadcast, whether the URL names it or a DNS name resolves to it (if
//     any of a name's addresses is forbidden, the name is);
//   - no redirect is followed (the sender's client), so an allowed URL cannot forward the
//     request to a forbidden one.
type Guard struct {
	// Development allows loopback addresses, and plain http to them.
	Development bool
	// Resolver resolves names; net.DefaultResolver when nil.
	Resolver Resolver
}

// Resolver resolves a host name to its addresses.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

func (g *Guard) resolver() Resolver {
	if g.Resolver != nil {
		return g.Resolver
	}
	return net.DefaultResolver
}

// errForbidden is an address that the guard refuses.
var errForbidden = errors.New("forbidden address")

// classOf names the class of a forbidden address, or "" for an address webhooks may reach.
func classOf(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return "invalid"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
		return "link-local"
	case a.IsPrivate() || cgnat.Contains(a):
		return "private"
	case a.IsMulticast() || a.IsInterfaceLocalMulticast():
		return "multicast"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || thisNet.Contains(a):
		return "reserved"
	}
	return ""
}

var (
	cgnat   = netip.MustParsePrefix("100.64.0.0/10")
	thisNet = netip.MustParsePrefix("0.0.0.0/8")
)

// allowed returns an error naming the class of a forbidden address.
func (g *Guard) allowed(a netip.Addr) error {
	c := classOf(a)
	if c == "" || c == "loopback" && g.Development {
		return nil
	}
	return fmt.Errorf("%w: %s is a %s address", errForbidden, a.Unmap(), c)
}

// resolve returns the addresses of the host (an address or a name), every one allowed.
func (g *Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if addrs, err = g.resolver().LookupNetIP(ctx, "ip", host); err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve %s: no address", host)
		}
	}
	for _, a := range addrs {
		if err := g.allowed(a); err != nil {
			return nil, err
		}
	}
	return addrs, nil
}

// CheckURL returns EINVALID (field "url") if the URL may not be a webhook endpoint.
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	bad := func(format string, args ...any) error {
		return pause.FieldErrorf("url", "url "+format, args...)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return bad("must be an absolute https URL")
	}
	if u.User != nil {
		return bad("must not hold a user name or password")
	}
	if u.Fragment != "" {
		return bad("must not have a fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !g.Development {
			return bad("must use https")
		}
	default:
		return bad("must use https")
	}
	addrs, err := g.resolve(ctx, u.Hostname())
	if errors.Is(err, errForbidden) {
		return bad("must not reach a private, loopback, link-local, unspecified or multicast address (%v)", strings.TrimPrefix(err.Error(), errForbidden.Error()+": "))
	} else if err != nil {
		return bad("names a host that does not resolve")
	}
	if u.Scheme == "http" {
		for _, a := range addrs {
			if !a.Unmap().IsLoopback() {
				return bad("must use https (plain http is for loopback in development only)")
			}
		}
	}
	return nil
}

// dial connects to the address (host:port) after resolving it and checking every address, so
// that the connection goes only to an address the guard allows, whatever the DNS answers now.
func (g *Guard) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := g.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	var last error
	for _, a := range addrs {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		last = err
	}
	return nil, last
}
