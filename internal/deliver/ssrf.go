package deliver

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// Policy says which destinations a webhook may be sent to: the
// protection against server-side request forgery. The zero Policy
// allows any public address and refuses the rest.
type Policy struct {
	// AllowPrivate lets webhooks go to private, loopback, link-local and
	// other non-public addresses (serve --webhook-allow-private; the demo
	// sets it so a receiver on the same machine can be used).
	AllowPrivate bool
	// Hosts, when not empty, is the allow-list of destinations: host
	// names ("hooks.example.se", or "*.example.se" for its subdomains)
	// and address ranges ("10.20.0.0/16"). A destination must match one;
	// an address range also admits the private addresses in it.
	Hosts []string
}

// ErrRefused is wrapped by the error of a destination the policy
// refuses.
var ErrRefused = errors.New("deliver: destination refused")

// ParseHosts checks an allow-list's entries and returns them trimmed;
// an entry that is neither a host name, "*." and a domain nor an
// address or range is an error.
func ParseHosts(list string) ([]string, error) {
	var out []string
	for _, h := range strings.Split(list, ",") {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if _, err := netip.ParsePrefix(h); err == nil {
			out = append(out, h)
			continue
		}
		if _, err := netip.ParseAddr(h); err == nil {
			out = append(out, h)
			continue
		}
		name := strings.TrimPrefix(h, "*.")
		if name == "" || strings.ContainsAny(name, "/:*@ ") {
			return nil, fmt.Errorf("%q is not a host name, *.domain, address or address range", h)
		}
		out = append(out, h)
	}
	return out, nil
}

// hostListed reports whether host (a name or an address literal) is in
// the allow-list by name.
func (p Policy) hostListed(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range p.Hosts {
		switch {
		case strings.HasPrefix(h, "*."):
			if strings.HasSuffix(host, h[1:]) {
				return true
			}
		case h == host:
			return true
		}
	}
	return false
}

// inRange reports whether addr is in one of the allow-list's ranges.
func (p Policy) inRange(addr netip.Addr) bool {
	for _, h := range p.Hosts {
		if pr, err := netip.ParsePrefix(h); err == nil && pr.Contains(addr) {
			return true
		}
		if a, err := netip.ParseAddr(h); err == nil && a.Unmap() == addr {
			return true
		}
	}
	return false
}

// CheckHost returns an error wrapping ErrRefused if a destination on
// host can never be allowed: not on a non-empty allow-list (by name or,
// for an address, by range), or a non-public address literal while
// private addresses are refused. Names are checked again, address by
// address, when they are dialled.
func (p Policy) CheckHost(host string) error {
	addr, err := netip.ParseAddr(strings.Trim(host, "[]"))
	isAddr := err == nil
	if isAddr {
		addr = addr.Unmap()
	}
	if len(p.Hosts) > 0 && !p.hostListed(host) && !(isAddr && p.inRange(addr)) && !(!isAddr && p.hasRanges()) {
		return fmt.Errorf("%w: %s is not on the allow-list", ErrRefused, host)
	}
	if isAddr && !p.AllowPrivate && !Public(addr) && !p.inRange(addr) {
		return fmt.Errorf("%w: %s is not a public address", ErrRefused, host)
	}
	return nil
}

func (p Policy) hasRanges() bool {
	for _, h := range p.Hosts {
		if _, err := netip.ParsePrefix(h); err == nil {
			return true
		}
	}
	return false
}

// control returns a net.Dialer Control that refuses, at the moment of
// connecting, an address the policy does not allow for host: so a name
// that resolves to a public address when checked and to a private one
// when dialled (DNS rebinding) is refused too.
func (p Policy) control(host string) func(network, address string, c syscall.RawConn) error {
	listed := p.hostListed(host)
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrRefused, address)
		}
		addr := ap.Addr().Unmap()
		if p.inRange(addr) {
			return nil
		}
		if len(p.Hosts) > 0 && !listed {
			return fmt.Errorf("%w: %s is not on the allow-list", ErrRefused, addr)
		}
		if !p.AllowPrivate && !Public(addr) {
			return fmt.Errorf("%w: %s is not a public address", ErrRefused, addr)
		}
		return nil
	}
}

// nonPublic are ranges besides the standard library's categories that
// no webhook should reach: "this network", shared address space
// (carrier-grade NAT), IETF protocol assignments, documentation,
// benchmarking, reserved and broadcast, NAT64, discard, ORCHID, 6to4
// relay and documentation for IPv6, and the deprecated IPv4-compatible,
// IPv4-translated and site-local IPv6 ranges, which can carry a private
// IPv4 address or reach the local site.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/23"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("::ffff:0:0:0/96"),
	netip.MustParsePrefix("fec0::/10"),
}

// Public reports whether addr is a public unicast address: not private,
// loopback, link-local, unspecified, multicast or otherwise reserved.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsPrivate() || addr.IsLoopback() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// dialer returns a dialer whose connections the policy checks for host.
func (p Policy) dialer(host string) *net.Dialer {
	return &net.Dialer{Timeout: dialTimeout, KeepAlive: keepAlive, Control: p.control(host)}
}
