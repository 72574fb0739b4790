//! Where a request came from, as the rate limits count it.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// The client's network address as rate limits key it: an IPv4 address, or the /64 network
/// of an IPv6 one (a single host is commonly handed a whole /64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddress(IpAddr);

impl ClientAddress {
    /// Where no address is known (a direct invocation): such callers share one bucket.
    pub const UNKNOWN: ClientAddress = ClientAddress(IpAddr::V6(Ipv6Addr::UNSPECIFIED));

    /// The address of `ip`, IPv6 cut to its /64 (IPv4 mapped into IPv6 counts as IPv4).
    pub fn new(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientAddress(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    ClientAddress(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
            v4 => ClientAddress(v4),
        }
    }

    /// Parses the source IP as API Gateway reports it; `None` if it is not an IP address.
    pub fn parse(text: &str) -> Option<Self> {
        text.trim().parse().ok().map(Self::new)
    }
}

impl fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
            v4 => write!(f, "{v4}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_hosts_of_one_network_share_an_address() {
        let a = ClientAddress::parse("2001:db8:1:2:aaaa::1").unwrap();
        let b = ClientAddress::parse("2001:db8:1:2:ffff:ffff:ffff:ffff").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
        assert_ne!(a, ClientAddress::parse("2001:db8:1:3::1").unwrap());
        assert_eq!(ClientAddress::parse("::ffff:203.0.113.7").unwrap().to_string(), "203.0.113.7");
        assert_eq!(ClientAddress::parse(" 203.0.113.7 ").unwrap().to_string(), "203.0.113.7");
        assert_eq!(ClientAddress::parse("not-an-ip"), None);
    }
}
