//! The SSRF guard: which addresses a fetched document may come from.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

/// Whether `ip` is on the public internet: not loopback, private, link-local,
/// shared (CGNAT), unspecified, broadcast, multicast, benchmarking,
/// documentation or unique-local — and, for IPv6 forms that carry an IPv4
/// address (IPv4-mapped, IPv4-compatible, IPv4-translated, 6to4, NAT64), not
/// wrapping such an IPv4 address either.
pub(crate) fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network" (RFC 1122)
        || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking (RFC 2544)
        || a >= 240) // reserved
}

/// The IPv4 address an IPv6 address stands for, in the forms that route to
/// one: IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`,
/// IPv4-compatible `::a.b.c.d` (deprecated, but some stacks still route it),
/// 6to4 `2002:aabb:ccdd::/48` and NAT64 `64:ff9b::a.b.c.d`.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0xffff, 0, hi, lo] => Some(low(hi, lo)),
        // `::` and `::1` are IPv6's own unspecified and loopback addresses.
        [0, 0, 0, 0, 0, 0, hi, lo] if (hi, lo) != (0, 0) && (hi, lo) != (0, 1) => Some(low(hi, lo)),
        [0x2002, hi, lo, ..] => Some(low(hi, lo)),
        [0x0064, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(low(hi, lo)),
        _ => None,
    }
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo: a tunnel to somewhere unknowable
        || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64 outside the well-known /96 (RFC 8215 local use)
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0])) // discard-only (RFC 6666)
}

/// What a destination is checked against: the same rule for documents
/// and for webhook callbacks.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    pub(crate) allow_private: bool,
    pub(crate) allow_origins: Vec<SocketAddr>,
}

impl Guard {
    /// Refuses a URL whose host is a literal private, loopback or
    /// link-local address (unless that exact address and port is allowed).
    /// Host *names* are checked on their resolved addresses by the
    /// resolver; literal addresses never reach it, so they are checked here
    /// — for the first URL and for every redirect. The WHATWG URL parser
    /// has already turned `http://2130706433/` and `http://0x7f.1/` into
    /// `127.0.0.1`.
    pub(crate) fn destination_allowed(&self, url: &Url) -> Result<(), String> {
        let Some(ip) = literal_ip(url) else {
            return Ok(());
        };
        if self.allow_private || is_public_address(ip) {
            return Ok(());
        }
        let port = url.port_or_known_default().unwrap_or(0);
        if self.allow_origins.contains(&SocketAddr::new(ip, port)) {
            return Ok(());
        }
        Err(format!(
            "{ip} is a private, loopback or link-local address, which this server may not reach"
        ))
    }
}

fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

/// A DNS resolver that drops non-public addresses, so the check applies to
/// the address actually connected to (a public name that resolves to
/// 127.0.0.1 is refused too).
#[derive(Debug, Default)]
pub(crate) struct PublicOnlyResolver;

#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` resolves only to private, loopback or link-local addresses",
            self.0
        )
    }
}

impl std::error::Error for Refused {}

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public_address(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(Box::new(Refused(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

impl PublicOnlyResolver {
    pub(crate) fn shared() -> Arc<PublicOnlyResolver> {
        Arc::new(PublicOnlyResolver)
    }

    /// Whether an error chain came from this resolver's refusal.
    pub(crate) fn refused(error: &(dyn std::error::Error + 'static)) -> bool {
        let mut e: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(cur) = e {
            if cur.is::<Refused>() {
                return true;
            }
            e = cur.source();
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_ranges_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "198.18.0.1",
            "198.19.255.255",
            "255.255.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "192.0.2.1",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "febf::1",
            "fc00::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:192.168.0.1",
            "::ffff:0:10.0.0.1",
            "::127.0.0.1",
            "::10.0.0.1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "64:ff9b::a00:1",
            "64:ff9b::7f00:1",
            "64:ff9b:1::1",
            "2001:0:4136:e378::1",
            "2001:db8::1",
            "100::1",
        ] {
            assert!(!is_public_address(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn ordinary_internet_addresses_are_public() {
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "172.32.0.1",
            "2606:4700:4700::1111",
            "100.128.0.1",
            "198.20.0.1",
            // The IPv6 forms of a public IPv4 address are public too.
            "::ffff:93.184.216.34",
            "2002:5db8:d822::1",
            "64:ff9b::5db8:d822",
        ] {
            assert!(is_public_address(ip.parse().unwrap()), "{ip}");
        }
    }
}
