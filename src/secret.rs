//! Unguessable secrets carried in URLs: a result's permalink token, a
//! workshop's facilitator key and its projector key. 128 bits, shown once in
//! a link; only their SHA-256 is stored, so the database alone cannot
//! rebuild a link.
//!
//! Some secrets are derived rather than drawn (`Secret::derived`): HMAC-SHA256
//! of a message under a key, cut to 128 bits. Knowing the derived secret
//! tells nothing of the key.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret(String);

const BYTES: usize = 16;

impl Secret {
    pub fn generate() -> Secret {
        Secret::from_bytes(rand::random())
    }

    fn from_bytes(bytes: [u8; BYTES]) -> Secret {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = String::with_capacity(BYTES * 2);
        for byte in bytes {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        Secret(text)
    }

    /// HMAC-SHA256 of `message` under `key`, its first 128 bits: the same
    /// key and message always give the same secret, and the secret does not
    /// reveal the key.
    pub fn derived(key: &[u8], message: &[u8]) -> Secret {
        // HMAC takes keys of any length.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key");
        mac.update(message);
        let digest = mac.finalize().into_bytes();
        let mut bytes = [0; BYTES];
        bytes.copy_from_slice(&digest[..BYTES]);
        Secret::from_bytes(bytes)
    }

    /// A secret for `purpose` derived from this one: who holds this secret
    /// can compute it, who holds it cannot go back to this one.
    pub fn derive(&self, purpose: &str) -> Secret {
        Secret::derived(self.0.as_bytes(), purpose.as_bytes())
    }

    /// Accepts exactly 32 lowercase hex digits.
    pub fn parse(text: &str) -> Option<Secret> {
        let valid = text.len() == BYTES * 2
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| Secret(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_round_trip() {
        let (a, b) = (Secret::generate(), Secret::generate());
        assert_ne!(a, b);
        assert_eq!(Secret::parse(a.as_str()), Some(a.clone()));
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn derived_secrets_are_stable_and_depend_on_key_and_message() {
        // RFC 4231, test case 2: HMAC-SHA256("Jefe", "what do ya want for
        // nothing?") starts with 5bdcc146bf60754e6a042426089575c7.
        let known = Secret::derived(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(known.as_str(), "5bdcc146bf60754e6a042426089575c7");
        let key = Secret::generate();
        assert_eq!(key.derive("projection"), key.derive("projection"));
        assert_ne!(key.derive("projection"), key.derive("autre"));
        assert_ne!(
            key.derive("projection"),
            Secret::generate().derive("projection")
        );
        assert_ne!(key.derive("projection"), key);
        assert_eq!(
            Secret::parse(key.derive("x").as_str()),
            Some(key.derive("x"))
        );
    }

    #[test]
    fn rejects_anything_but_32_hex_digits() {
        for bad in [
            "",
            "../etc/passwd",
            "ABCDEF0123456789ABCDEF0123456789",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdefg",
        ] {
            assert_eq!(Secret::parse(bad), None, "{bad}");
        }
    }
}
