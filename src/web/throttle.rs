//! Flood protection for submitting answers (to a quiz or a workshop),
//! joining and creating workshops, without storing any client address.
//!
//! A client is known only by a salted hash of its IP address: the salt is
//! drawn at start and never leaves the process, so the keys cannot be
//! turned back into addresses, and they vanish with the process. Counts
//! live in memory for one minute, then are forgotten.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

/// How long a client's count lasts.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Join pages and submissions (quiz and workshop answers) per client and
/// per minute, unless `serve --participation-limit` says otherwise. A whole
/// room often shares one public address (the venue's wifi): this stays far
/// above what a room of a few hundred people sends, and far below a script.
pub const PARTICIPATION_PER_MINUTE: u32 = 600;
/// Workshop creations per client and per minute.
pub const CREATION_PER_MINUTE: u32 = 20;

/// Past this many clients, expired counts are swept before adding one.
const SWEEP_ABOVE: usize = 4096;

/// What is being limited; each has its own counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    Participation,
    Creation,
}

/// A client, as a salted hash of its IP address: 16 bytes that cannot be
/// turned back into the address, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey([u8; 16]);

impl ClientKey {
    /// Requests that carry no peer address (the router called in-process,
    /// as in tests) all share this key.
    pub const UNKNOWN: ClientKey = ClientKey([0; 16]);

    pub fn of(ip: IpAddr) -> ClientKey {
        static SALT: OnceLock<[u8; 32]> = OnceLock::new();
        let salt = SALT.get_or_init(rand::random);
        let mut hasher = Sha256::new();
        hasher.update(salt);
        match ip.to_canonical() {
            IpAddr::V4(v4) => hasher.update(v4.octets()),
            IpAddr::V6(v6) => hasher.update(v6.octets()),
        }
        let digest = hasher.finalize();
        let mut key = [0; 16];
        key.copy_from_slice(&digest[..16]);
        ClientKey(key)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientKey {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<ClientKey, Infallible> {
        Ok(parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(ClientKey::UNKNOWN, |ConnectInfo(addr)| {
                ClientKey::of(addr.ip())
            }))
    }
}

struct Window {
    started: Instant,
    count: u32,
}

/// Fixed one-minute windows per client and bucket.
pub struct Throttle {
    windows: Mutex<HashMap<(Bucket, ClientKey), Window>>,
    participation_limit: AtomicU32,
}

impl Default for Throttle {
    fn default() -> Throttle {
        Throttle {
            windows: Mutex::default(),
            participation_limit: AtomicU32::new(PARTICIPATION_PER_MINUTE),
        }
    }
}

impl Throttle {
    /// Sets the participation limit per client and per minute (at least 1).
    pub fn set_participation_limit(&self, per_minute: u32) {
        self.participation_limit
            .store(per_minute.max(1), Ordering::Relaxed);
    }

    fn limit(&self, bucket: Bucket) -> u32 {
        match bucket {
            Bucket::Participation => self.participation_limit.load(Ordering::Relaxed),
            Bucket::Creation => CREATION_PER_MINUTE,
        }
    }

    /// Counts one request; false once the client is past its limit.
    pub fn allow(&self, bucket: Bucket, client: ClientKey) -> bool {
        self.allow_at(bucket, client, Instant::now())
    }

    fn allow_at(&self, bucket: Bucket, client: ClientKey, now: Instant) -> bool {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() >= SWEEP_ABOVE {
            windows.retain(|_, window| now.duration_since(window.started) < WINDOW);
        }
        let window = windows.entry((bucket, client)).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(window.started) >= WINDOW {
            window.started = now;
            window.count = 0;
        }
        window.count = window.count.saturating_add(1);
        window.count <= self.limit(bucket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_client_and_bucket_for_one_minute() {
        let throttle = Throttle::default();
        let start = Instant::now();
        let a = ClientKey::of("192.0.2.1".parse().unwrap());
        let b = ClientKey::of("192.0.2.2".parse().unwrap());
        for _ in 0..CREATION_PER_MINUTE {
            assert!(throttle.allow_at(Bucket::Creation, a, start));
        }
        assert!(!throttle.allow_at(Bucket::Creation, a, start));
        assert!(
            throttle.allow_at(Bucket::Creation, b, start),
            "another client"
        );
        assert!(
            throttle.allow_at(Bucket::Participation, a, start),
            "another bucket"
        );
        assert!(
            throttle.allow_at(Bucket::Creation, a, start + WINDOW),
            "a minute later the count starts again"
        );
    }

    #[test]
    fn keys_are_salted_hashes_of_the_ip_only() {
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(ClientKey::of(v4), ClientKey::of(mapped));
        assert_ne!(ClientKey::of(v4), ClientKey::UNKNOWN);
        let key = ClientKey::of(v4);
        assert_ne!(&key.0[..4], &[192, 0, 2, 1], "the address is not kept");
    }

    #[test]
    fn the_limiter_keeps_salted_hashes_never_addresses() {
        // What the limiter remembers, by type: a bucket and a 16-byte hash
        // per client, a start time and a count per window. No field can
        // hold an address.
        let throttle = Throttle::default();
        let remembered: &Mutex<HashMap<(Bucket, ClientKey), Window>> = &throttle.windows;
        assert_eq!(std::mem::size_of::<ClientKey>(), 16);
        let Window {
            started: _,
            count: _,
        } = Window {
            started: Instant::now(),
            count: 0,
        };

        let addresses: [IpAddr; 3] = [
            "192.0.2.1".parse().unwrap(),
            "203.0.113.77".parse().unwrap(),
            "2001:db8::42".parse().unwrap(),
        ];
        for ip in addresses {
            assert!(throttle.allow(Bucket::Participation, ClientKey::of(ip)));
        }
        let windows = remembered.lock().unwrap();
        assert_eq!(windows.len(), addresses.len());
        for ((_, ClientKey(bytes)), _) in windows.iter() {
            for ip in addresses {
                let octets = match ip {
                    IpAddr::V4(v4) => v4.octets().to_vec(),
                    IpAddr::V6(v6) => v6.octets().to_vec(),
                };
                assert!(
                    !bytes.windows(octets.len()).any(|w| w == octets.as_slice()),
                    "a key holds the address {ip}"
                );
                // Salted: not the plain SHA-256 of the address either, which
                // anyone could recompute for every IPv4 address.
                let unsalted = Sha256::digest(&octets);
                assert_ne!(&bytes[..], &unsalted[..16], "{ip}: unsalted hash");
            }
        }
    }

    #[test]
    fn the_participation_limit_can_be_raised() {
        let throttle = Throttle::default();
        let start = Instant::now();
        let client = ClientKey::of("192.0.2.9".parse().unwrap());
        throttle.set_participation_limit(PARTICIPATION_PER_MINUTE * 2);
        for _ in 0..PARTICIPATION_PER_MINUTE * 2 {
            assert!(throttle.allow_at(Bucket::Participation, client, start));
        }
        assert!(!throttle.allow_at(Bucket::Participation, client, start));
        throttle.set_participation_limit(0);
        assert_eq!(throttle.limit(Bucket::Participation), 1, "never zero");
        assert_eq!(throttle.limit(Bucket::Creation), CREATION_PER_MINUTE);
    }

    #[test]
    fn expired_windows_are_swept() {
        let throttle = Throttle::default();
        let start = Instant::now();
        for i in 0..SWEEP_ABOVE as u32 {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(i));
            throttle.allow_at(Bucket::Participation, ClientKey::of(ip), start);
        }
        throttle.allow_at(Bucket::Participation, ClientKey::UNKNOWN, start + WINDOW);
        let len = throttle.windows.lock().unwrap().len();
        assert_eq!(len, 1, "only the fresh window remains");
    }
}
