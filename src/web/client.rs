//! Who sent a request, as far as the flood limits need to know, without
//! keeping any address.
//!
//! The client's address is the connection's peer, or — only when that peer
//! is a proxy the operator trusts (`serve --trusted-proxy`) — the rightmost
//! address in `X-Forwarded-For` (or, without it, `Forwarded`) that is not a
//! trusted proxy: every hop to its right was appended by a trusted proxy,
//! so it is the address that reached the operator's own proxies, whatever a
//! client wrote to the left of it. An IPv6 address counts by its /64
//! network, which one device or home usually holds whole.
//!
//! That address becomes a `ClientKey`: one of `CLIENT_SLOTS` slots, chosen
//! by a salted SHA-256 of the address. The salt is drawn at start and never
//! leaves the process; a slot cannot be turned back into an address (65 536
//! slots for billions of addresses), and nothing about it is written or
//! logged. Two clients may share a slot: the limits are generous enough for
//! that to go unnoticed, and the memory the limits take is bounded by the
//! number of slots, whatever the number of addresses sending.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;
use sha2::{Digest, Sha256};

use super::state::AppState;

/// How many distinct clients the flood limits tell apart.
pub const CLIENT_SLOTS: u32 = 1 << 16;

/// A client, as one of `CLIENT_SLOTS` slots drawn from a salted hash of its
/// address (its /64 network for IPv6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(u32);

impl ClientKey {
    /// Requests that carry no peer address (the router called in-process,
    /// as in tests) all share this key.
    pub const UNKNOWN: ClientKey = ClientKey(0);

    pub fn of(ip: IpAddr) -> ClientKey {
        static SALT: OnceLock<[u8; 32]> = OnceLock::new();
        let salt = SALT.get_or_init(rand::random);
        let mut hasher = Sha256::new();
        hasher.update(salt);
        match ip.to_canonical() {
            IpAddr::V4(v4) => hasher.update(v4.octets()),
            // The /64 network: the first 8 bytes.
            IpAddr::V6(v6) => hasher.update(&v6.octets()[..8]),
        }
        let digest = hasher.finalize();
        let slot = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        ClientKey(slot % CLIENT_SLOTS)
    }

    /// The slot, below `CLIENT_SLOTS`.
    pub fn slot(self) -> u32 {
        self.0
    }
}

/// The proxies whose forwarding headers are believed (`serve
/// --trusted-proxy`): addresses and networks. Empty by default: then the
/// headers are ignored, since any client can write them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(networks)
    }

    /// Reads `192.0.2.1`, `10.0.0.0/8`, `::1`, `fd00::/8`: an address alone
    /// is a network of one.
    pub fn parse_one(text: &str) -> Result<IpNet, String> {
        let text = text.trim();
        text.parse::<IpNet>()
            .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| {
                format!(
                    "adresse de proxy invalide «\u{a0}{text}\u{a0}»\u{a0}: attendu une adresse IP \
                     (127.0.0.1, ::1) ou un réseau (10.0.0.0/8, fd00::/8)"
                )
            })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: `peer`, or behind trusted proxies the
    /// rightmost forwarded address that is not one of them.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut hops = forwarded_for(headers, "x-forwarded-for", x_forwarded_for_hops);
        if hops.is_empty() {
            hops = forwarded_for(headers, "forwarded", forwarded_hops);
        }
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop {
                // Appended by a trusted proxy: look further left.
                Some(ip) if self.trusts(ip) => client = ip,
                Some(ip) => return ip,
                // Not an address ("unknown", garbage): the last trusted hop
                // is the closest thing to the client that can be believed.
                None => return client,
            }
        }
        client
    }
}

/// Every hop of a forwarding header, over all its lines, left to right
/// (`None` for a hop that is not an address).
fn forwarded_for(
    headers: &HeaderMap,
    name: &str,
    hops: fn(&str) -> Vec<Option<IpAddr>>,
) -> Vec<Option<IpAddr>> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(text) => hops(text),
            Err(_) => vec![None],
        })
        .collect()
}

/// `X-Forwarded-For: 203.0.113.9, 10.0.0.2`
fn x_forwarded_for_hops(text: &str) -> Vec<Option<IpAddr>> {
    text.split(',').map(hop_address).collect()
}

/// `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"`
/// (RFC 7239): the `for` parameter of each element.
fn forwarded_hops(text: &str) -> Vec<Option<IpAddr>> {
    text.split(',')
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, value)| hop_address(value.trim().trim_matches('"')))
        })
        .collect()
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`,
/// `2001:db8::1`, `[2001:db8::1]:4711`.
fn hop_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })
}

impl FromRequestParts<AppState> for ClientKey {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientKey, Infallible> {
        Ok(parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(
            ClientKey::UNKNOWN,
            |ConnectInfo(peer)| {
                ClientKey::of(state.trusted_proxies().client_ip(peer.ip(), &parts.headers))
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::testing::headers;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn trusted(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(
            list.iter()
                .map(|t| TrustedProxies::parse_one(t).unwrap())
                .collect(),
        )
    }

    #[test]
    fn without_trusted_proxies_the_headers_are_ignored() {
        let none = TrustedProxies::default();
        let forged = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("forwarded", "for=198.51.100.2"),
        ]);
        assert_eq!(none.client_ip(ip("192.0.2.7"), &forged), ip("192.0.2.7"));
        // A peer that is not a trusted proxy is the client, headers or not.
        let proxies = trusted(&["127.0.0.1"]);
        assert_eq!(proxies.client_ip(ip("192.0.2.7"), &forged), ip("192.0.2.7"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let proxies = trusted(&["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
        let peer = ip("127.0.0.1");
        let cases = [
            // nginx: "$proxy_add_x_forwarded_for"
            (vec![("x-forwarded-for", "203.0.113.9")], "203.0.113.9"),
            // A client's forged entry stays on the left.
            (
                vec![("x-forwarded-for", "198.51.100.1, 203.0.113.9")],
                "203.0.113.9",
            ),
            // Two proxies of ours: the first one's peer is the client.
            (
                vec![("x-forwarded-for", "198.51.100.1, 203.0.113.9, 10.1.2.3")],
                "203.0.113.9",
            ),
            // The header split over several lines.
            (
                vec![
                    ("x-forwarded-for", "198.51.100.1"),
                    ("x-forwarded-for", "2001:db8::5"),
                ],
                "2001:db8::5",
            ),
            // Forwarded, when there is no X-Forwarded-For.
            (
                vec![(
                    "forwarded",
                    "for=198.51.100.1, for=\"[2001:db8::9]:4711\";proto=https",
                )],
                "2001:db8::9",
            ),
            (
                vec![("forwarded", "for=192.0.2.60:80;by=10.0.0.1")],
                "192.0.2.60",
            ),
            // X-Forwarded-For wins: it is what nginx and Caddy append to.
            (
                vec![
                    ("forwarded", "for=198.51.100.1"),
                    ("x-forwarded-for", "203.0.113.9"),
                ],
                "203.0.113.9",
            ),
            // Nothing forwarded: the proxy itself.
            (vec![], "127.0.0.1"),
            // Only our own proxies: the leftmost of them.
            (vec![("x-forwarded-for", "10.9.9.9, fd00::1")], "10.9.9.9"),
            // Garbage where the client should be: the last trusted hop.
            (vec![("x-forwarded-for", "unknown, 10.1.2.3")], "10.1.2.3"),
            (vec![("forwarded", "for=_hidden")], "127.0.0.1"),
        ];
        for (pairs, expected) in cases {
            assert_eq!(
                proxies.client_ip(peer, &headers(&pairs)),
                ip(expected),
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn proxy_lists_parse_addresses_and_networks() {
        assert!(TrustedProxies::parse_one("127.0.0.1").is_ok());
        assert!(TrustedProxies::parse_one(" 10.0.0.0/8 ").is_ok());
        assert!(TrustedProxies::parse_one("::1").is_ok());
        assert!(TrustedProxies::parse_one("fd00::/8").is_ok());
        for bad in ["", "localhost", "10.0.0.0/33", "1.2.3"] {
            let error = TrustedProxies::parse_one(bad).unwrap_err();
            assert!(error.contains("adresse de proxy invalide"), "{bad}");
        }
        // A mapped IPv4 peer is the IPv4 address.
        let proxies = trusted(&["127.0.0.1"]);
        let forwarded = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            proxies.client_ip(ip("::ffff:127.0.0.1"), &forwarded),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64_network() {
        let a = ClientKey::of(ip("2001:db8:1:2:aaaa::1"));
        let b = ClientKey::of(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_eq!(a, b, "the same /64");
        let others: std::collections::BTreeSet<u32> = (0..64u16)
            .map(|n| ClientKey::of(IpAddr::from([0x2001, 0xdb8, 1, n, 0, 0, 0, 1])).slot())
            .collect();
        assert!(others.len() > 32, "other /64 networks get other slots");
        let v4 = ip("192.0.2.1");
        assert_eq!(ClientKey::of(v4), ClientKey::of(ip("::ffff:192.0.2.1")));
    }

    #[test]
    fn keys_are_slots_that_cannot_hold_an_address() {
        // A slot is 16 bits: it cannot hold an IPv4 address (32 bits), let
        // alone an IPv6 one, and the salted hash scatters neighbours.
        assert_eq!(CLIENT_SLOTS, 1 << 16);
        let slots: std::collections::BTreeSet<u32> = (0..256u32)
            .map(|n| ClientKey::of(IpAddr::from(std::net::Ipv4Addr::from(0xc000_0200 + n))).slot())
            .collect();
        assert!(slots.iter().all(|slot| *slot < CLIENT_SLOTS));
        assert!(
            slots.len() > 200,
            "neighbouring addresses spread over slots"
        );
        // Salted: not the plain SHA-256 of the address either, which anyone
        // could recompute for every IPv4 address.
        let unsalted = Sha256::digest([192, 0, 2, 1]);
        let plain =
            u32::from_be_bytes([unsalted[0], unsalted[1], unsalted[2], unsalted[3]]) % CLIENT_SLOTS;
        let salted: Vec<u32> = (0..4)
            .map(|_| ClientKey::of(ip("192.0.2.1")).slot())
            .collect();
        assert!(
            salted.windows(2).all(|w| w[0] == w[1]),
            "stable in a process"
        );
        // One chance in 65 536 that the salted slot equals the plain one;
        // a test that fails that rarely is not worth its noise, so compare
        // over several addresses.
        let same = (0..16u32)
            .filter(|n| {
                let octets = [192, 0, 2, *n as u8];
                let digest = Sha256::digest(octets);
                let plain =
                    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % CLIENT_SLOTS;
                ClientKey::of(IpAddr::from(octets)).slot() == plain
            })
            .count();
        assert!(
            same < 2,
            "slots follow the unsalted hash: {same} of 16 ({plain})"
        );
    }
}
