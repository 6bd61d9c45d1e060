//! Unguessable secrets carried in URLs: a result's permalink token and a
//! workshop's facilitator key. 128 random bits, shown once in a link; only
//! their SHA-256 is stored, so the database alone cannot rebuild a link.

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret(String);

const BYTES: usize = 16;

impl Secret {
    pub fn generate() -> Secret {
        let bytes: [u8; BYTES] = rand::random();
        Secret(bytes.iter().map(|b| format!("{b:02x}")).collect())
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
