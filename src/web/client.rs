//! Who a connection comes from, as far as the server needs to know: a
//! salted hash of the client's address, kept in memory only, never written
//! or logged. The salt is drawn once per process, so the hashes cannot be
//! turned back into addresses and vanish with the process.
//!
//! An IPv6 client is its /64: one household, phone or virtual machine gets
//! a whole /64 and may pick any address in it, so counting addresses would
//! let one client pass for millions.

use std::net::IpAddr;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// A client: 16 bytes of a salted SHA-256, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey([u8; 16]);

impl ClientKey {
    /// The key of the client at `ip` (an IPv4 address, or an IPv6 /64).
    pub fn of(ip: IpAddr) -> ClientKey {
        static SALT: OnceLock<[u8; 32]> = OnceLock::new();
        let salt = SALT.get_or_init(rand::random);
        let mut hasher = Sha256::new();
        hasher.update(salt);
        match ip.to_canonical() {
            IpAddr::V4(v4) => {
                hasher.update([4]);
                hasher.update(v4.octets());
            }
            IpAddr::V6(v6) => {
                hasher.update([6]);
                hasher.update(&v6.octets()[..8]);
            }
        }
        let digest = hasher.finalize();
        let mut key = [0; 16];
        key.copy_from_slice(&digest[..16]);
        ClientKey(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> ClientKey {
        ClientKey::of(text.parse().unwrap())
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        assert_eq!(
            key("2001:db8:1:2::1"),
            key("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    }

    #[test]
    fn an_ipv4_client_is_its_address() {
        assert_eq!(key("192.0.2.1"), key("::ffff:192.0.2.1"));
        assert_ne!(key("192.0.2.1"), key("192.0.2.2"));
    }

    #[test]
    fn keys_hold_neither_the_address_nor_its_plain_hash() {
        for text in ["192.0.2.1", "2001:db8:1:2::1"] {
            let ip: IpAddr = text.parse().unwrap();
            let octets = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => v6.octets()[..8].to_vec(),
            };
            let ClientKey(bytes) = ClientKey::of(ip);
            assert!(!bytes.windows(4).any(|w| w == &octets[..4]), "{text}");
            assert_ne!(
                &bytes[..],
                &Sha256::digest(&octets)[..16],
                "{text}: unsalted"
            );
        }
    }
}
