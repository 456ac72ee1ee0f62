//! The SSRF guard of outgoing webhooks: a partner's URL must never make the server talk
//! to itself, the private network or the cloud metadata service.
//!
//! Two checks together cover every way an address reaches the socket:
//! - [`check_url`] refuses URLs whose host is a literal IP (reqwest connects to those
//!   without calling any resolver) and anything that is not plain http(s);
//! - [`GuardedResolver`] is the client's DNS resolver and drops forbidden addresses from
//!   every answer, so the check happens on the very addresses the client connects to.
//!   Checking a name once before sending would not do: DNS rebinding answers with a
//!   public address to the check and a private one to the connection.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Why a webhook URL or address was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// Not a URL at all.
    #[error("not a valid URL: {0}")]
    InvalidUrl(String),
    /// Only `http` and `https` are delivered to.
    #[error("the URL scheme must be http or https, not {0}")]
    UnsupportedScheme(String),
    /// `user:password@` in a URL would be sent as Basic credentials and logged with the
    /// URL; partners authenticate deliveries by the signature instead.
    #[error("the URL must not contain a user name or password")]
    Credentials,
    /// The host is (or resolved only to) a loopback, private, link-local or otherwise
    /// non-public address.
    #[error("{host} is not a public address")]
    Forbidden {
        /// The host as written (a name or an address).
        host: String,
    },
}

/// Whether the server must refuse to connect to `ip`: anything but a public unicast
/// address (loopback, private, link-local including the 169.254.169.254 metadata
/// service, carrier-grade NAT, unique-local and site-local IPv6, multicast, broadcast,
/// unspecified, documentation, benchmarking and reserved ranges), including IPv4
/// addresses hidden in IPv6 (mapped, compatible, NAT64, 6to4).
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_forbidden(v4),
        IpAddr::V6(v6) => v6_forbidden(v6),
    }
}

fn v4_forbidden(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        // 0.0.0.0/8 "this network": Linux connects 0.x.y.z to the local host.
        || a == 0
        // 100.64.0.0/10, carrier-grade NAT: another customer's network, or the provider's.
        || (a == 100 && (b & 0xc0) == 64)
        // 192.0.0.0/24, IETF protocol assignments (DS-Lite, NAT64 discovery).
        || (a == 192 && b == 0 && c == 0)
        // 198.18.0.0/15, benchmarking networks.
        || (a == 198 && (b & 0xfe) == 18)
        // 240.0.0.0/4, reserved (and the broadcast address at its top).
        || a >= 240
}

fn v6_forbidden(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // An IPv4 address in IPv6 clothing is judged as that IPv4 address, or
    // `::ffff:127.0.0.1` would slip past every rule below.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_forbidden(v4);
    }
    if let Some(v4) = embedded_v4(&s) {
        return v4_forbidden(v4);
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // fe80::/10 link-local.
        || (s[0] & 0xffc0) == 0xfe80
        // fec0::/10 site-local (deprecated, still routed privately by some networks).
        || (s[0] & 0xffc0) == 0xfec0
        // fc00::/7 unique-local.
        || (s[0] & 0xfe00) == 0xfc00
        // 2001:db8::/32 and 3fff::/20 documentation.
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || (s[0] == 0x3fff && (s[1] & 0xf000) == 0)
        // 64:ff9b:1::/48, NAT64 for local use: translates into private networks.
        || (s[0] == 0x0064 && s[1] == 0xff9b && s[2] == 0x0001)
        // 2001::/32 Teredo: tunnels to an obfuscated IPv4 address; no partner uses it.
        || (s[0] == 0x2001 && s[1] == 0)
        // 100::/64 discard-only.
        || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0)
}

/// The IPv4 address an IPv6 address carries when the network will reach that IPv4
/// address through it: IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, and 6to4
/// `2002:aabb:ccdd::/48`.
fn embedded_v4(s: &[u16; 8]) -> Option<Ipv4Addr> {
    let last = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // `::` and `::1` are IPv6's own unspecified and loopback addresses, judged as such.
    if s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1) {
        return Some(last(s[6], s[7]));
    }
    if s[..6] == [0x0064, 0xff9b, 0, 0, 0, 0] {
        return Some(last(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(last(s[1], s[2]));
    }
    None
}

/// Parses a webhook URL and refuses what must never be delivered to: other schemes
/// than http and https, credentials in the URL, and a host that is a
/// forbidden literal IP address in any spelling the URL standard accepts (`2130706433`,
/// `0x7f.1`, `0177.0.0.1` and `127.1` all parse to 127.0.0.1). Names are left to
/// [`GuardedResolver`]. With `allow_private` (tests, development) literal private
/// addresses pass.
pub fn check_url(url: &str, allow_private: bool) -> Result<Url, GuardError> {
    let parsed = Url::parse(url).map_err(|e| GuardError::InvalidUrl(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(GuardError::UnsupportedScheme(parsed.scheme().to_owned()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(GuardError::Credentials);
    }
    let ip = match parsed.host() {
        // The URL standard gives every http(s) URL a non-empty host; this is for safety.
        None | Some(Host::Domain("")) => return Err(GuardError::InvalidUrl("the URL has no host".to_owned())),
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        // The URL parser already turns every IPv4 spelling into `Host::Ipv4`; parsing
        // again costs nothing and keeps this safe should a name ever look like an IP to
        // the connector but not to the parser.
        Some(Host::Domain(name)) => name.parse::<IpAddr>().ok(),
    };
    if let Some(ip) = ip
        && !allow_private
        && is_forbidden(ip)
    {
        return Err(GuardError::Forbidden { host: ip.to_string() });
    }
    Ok(parsed)
}

/// The DNS resolver of the webhook client: resolves with the system resolver (tokio's
/// `lookup_host`), drops every forbidden address, and fails when none is left, so the
/// client can only ever connect to public addresses. `allow_private` turns the filter
/// off for tests and development.
#[derive(Clone, Copy, Debug, Default)]
pub struct GuardedResolver {
    /// Let private and loopback addresses through (never in production).
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port (or the scheme's) on every address.
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if found.is_empty() {
                return Err(io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address")).into());
            }
            let allowed: Vec<SocketAddr> =
                found.into_iter().filter(|addr| allow_private || !is_forbidden(addr.ip())).collect();
            if allowed.is_empty() {
                return Err(GuardError::Forbidden { host }.into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn non_public_ipv4_addresses_are_forbidden() {
        for text in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "198.19.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(is_forbidden(ip(text)), "{text} should be forbidden");
        }
    }

    #[test]
    fn public_ipv4_addresses_are_allowed() {
        for text in
            ["1.1.1.1", "8.8.8.8", "93.184.216.34", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1"]
        {
            assert!(!is_forbidden(ip(text)), "{text} should be allowed");
        }
    }

    #[test]
    fn non_public_ipv6_addresses_are_forbidden() {
        for text in [
            "::",
            "::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "2001:db8::1",
            "3fff::1",
            "64:ff9b:1::1",
            "2001:0:4136:e378::1",
            "100::1",
        ] {
            assert!(is_forbidden(ip(text)), "{text} should be forbidden");
        }
    }

    #[test]
    fn ipv4_hidden_in_ipv6_is_judged_as_ipv4() {
        for text in [
            "::ffff:127.0.0.1",
            "::ffff:7f00:1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::10.1.2.3",
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
        ] {
            assert!(is_forbidden(ip(text)), "{text} should be forbidden");
        }
        for text in ["::ffff:8.8.8.8", "64:ff9b::1.1.1.1", "2002:0808:0808::1"] {
            assert!(!is_forbidden(ip(text)), "{text} should be allowed");
        }
    }

    #[test]
    fn public_ipv6_addresses_are_allowed() {
        for text in ["2606:4700:4700::1111", "2a00:1450:4001:80e::200e", "2001:4860:4860::8888"] {
            assert!(!is_forbidden(ip(text)), "{text} should be allowed");
        }
    }

    #[test]
    fn the_url_parser_normalises_odd_ipv4_spellings_to_addresses() {
        // What the `url` crate (WHATWG URL standard) does with them, pinned here because
        // the guard relies on it.
        for text in
            ["http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/", "http://127.1/", "http://127.0.0.1./"]
        {
            let parsed = Url::parse(text).unwrap();
            assert_eq!(parsed.host(), Some(Host::Ipv4(Ipv4Addr::LOCALHOST)), "{text}");
        }
    }

    #[test]
    fn literal_forbidden_addresses_are_refused_in_every_spelling() {
        for text in [
            "http://127.0.0.1/hook",
            "http://127.0.0.1:8080/hook",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://0/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:a9fe:a9fe]/",
            "https://[fd00::1]:8443/",
            "http://10.0.0.1/",
        ] {
            assert!(matches!(check_url(text, false), Err(GuardError::Forbidden { .. })), "{text}");
        }
    }

    #[test]
    fn allow_private_lets_literal_private_addresses_through() {
        assert!(check_url("http://127.0.0.1:8080/hook", true).is_ok());
        assert!(check_url("http://[::1]/", true).is_ok());
    }

    #[test]
    fn only_plain_http_and_https_urls_with_a_host_pass() {
        assert_eq!(check_url("ftp://example.com/", false), Err(GuardError::UnsupportedScheme("ftp".into())));
        assert_eq!(check_url("file:///etc/passwd", false), Err(GuardError::UnsupportedScheme("file".into())));
        assert_eq!(check_url("gopher://example.com/", false), Err(GuardError::UnsupportedScheme("gopher".into())));
        assert_eq!(check_url("https://user:pw@example.com/", false), Err(GuardError::Credentials));
        assert_eq!(check_url("https://user@example.com/", false), Err(GuardError::Credentials));
        assert!(matches!(check_url("not a url", false), Err(GuardError::InvalidUrl(_))));
        assert!(matches!(check_url("http://:80/", false), Err(GuardError::InvalidUrl(_))));
        // Extra slashes are skipped by the URL standard: this is the host `path`.
        assert_eq!(check_url("http:///path", false).unwrap().host_str(), Some("path"));
        let ok = check_url("https://hooks.example.com/copse?x=1", false).unwrap();
        assert_eq!(ok.host_str(), Some("hooks.example.com"));
        assert!(check_url("https://[2606:4700:4700::1111]/", false).is_ok());
        assert!(check_url("http://8.8.8.8:8080/", false).is_ok());
    }

    #[tokio::test]
    async fn the_resolver_drops_forbidden_addresses_and_fails_when_none_remain() {
        let refused = GuardedResolver { allow_private: false }.resolve("localhost".parse().unwrap()).await;
        let error = refused.err().unwrap();
        assert_eq!(error.downcast_ref::<GuardError>(), Some(&GuardError::Forbidden { host: "localhost".into() }));

        let allowed = GuardedResolver { allow_private: true }.resolve("localhost".parse().unwrap()).await;
        let addrs: Vec<SocketAddr> = allowed.unwrap().collect();
        assert!(!addrs.is_empty());
        assert!(addrs.iter().all(|a| a.ip().is_loopback()));
    }
}
