//! Flood protection that never locks a room out behind one address.
//!
//! A whole room often shares one public address (the venue's wifi), so
//! what a room does and what one misbehaving phone does are counted apart:
//!
//! - **answers to a workshop** are counted per workshop, not per address: a
//!   generous cap per minute that a real room never reaches and that bounds
//!   what a script holding the join code can store;
//! - **refusals** — unknown or malformed join codes, forms that are not
//!   forms, forged fields — are counted per client: a phone typing wrong
//!   codes in a loop gets 429 on its wrong codes, while the right code keeps
//!   working for everyone behind the same address;
//! - **answers to a quiz outside a workshop** and **workshop creations** are
//!   counted per client, as before.
//!
//! Joining (the join page, the home page's code form) is not counted: it
//! stores nothing, and the workshop's page is served from memory.
//!
//! The limits are GCRA rate limiters (`governor`): a burst of the whole
//! minute's allowance, refilled evenly over the minute. Each check costs the
//! same however many clients are active (one hash-map entry per key); the
//! keys are client slots (`client::CLIENT_SLOTS`, so memory is bounded) and
//! workshop ids, and entries back at a full allowance are forgotten once a
//! minute.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

use super::client::ClientKey;

/// Answers to quizzes outside workshops, per client and per minute, unless
/// `serve --participation-limit` says otherwise.
pub const PARTICIPATION_PER_MINUTE: u32 = 600;
/// Answers (and refused answer forms) to one workshop per minute, unless
/// `serve --workshop-limit` says otherwise: a room of a thousand sending
/// their form twice stays below.
pub const WORKSHOP_ANSWERS_PER_MINUTE: u32 = 2_000;
/// Refused join codes and answer forms per client and per minute: far more
/// than a person mistyping, far fewer than a script.
pub const REFUSALS_PER_MINUTE: u32 = 60;
/// Workshop creations per client and per minute.
pub const CREATION_PER_MINUTE: u32 = 20;

/// How often limiter entries back at a full allowance are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// What is limited per client; each has its own counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Answers to a quiz outside any workshop.
    QuizAnswers,
    /// Refused join codes and answer forms.
    Refusals,
    /// Workshop creations.
    Creation,
}

/// The time the limiters read: the real monotonic time, or a time that only
/// moves when told to (`freeze`), so that tests can count exactly.
#[derive(Debug, Clone)]
pub struct FloodClock {
    start: Instant,
    /// `u64::MAX` while the clock runs; otherwise the frozen time since
    /// `start`, in nanoseconds.
    frozen: Arc<AtomicU64>,
}

const RUNNING: u64 = u64::MAX;

impl Default for FloodClock {
    fn default() -> FloodClock {
        FloodClock {
            start: Instant::now(),
            frozen: Arc::new(AtomicU64::new(RUNNING)),
        }
    }
}

impl FloodClock {
    /// Stops the clock where it is.
    pub fn freeze(&self) {
        let now = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(RUNNING - 1);
        let _ = self
            .frozen
            .compare_exchange(RUNNING, now, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Moves a frozen clock forward by `by` (a running clock moves alone).
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(0);
        let _ = self
            .frozen
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                (now != RUNNING).then(|| now.saturating_add(by).min(RUNNING - 1))
            });
    }
}

impl Clock for FloodClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        match self.frozen.load(Ordering::SeqCst) {
            RUNNING => self.start.elapsed(),
            frozen => Duration::from_nanos(frozen),
        }
    }
}

type Keyed<K> = RateLimiter<K, DashMapStateStore<K>, FloodClock, NoOpMiddleware<Duration>>;

fn limiter<K: std::hash::Hash + Eq + Clone>(per_minute: u32, clock: &FloodClock) -> Keyed<K> {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    RateLimiter::dashmap_with_clock(Quota::per_minute(per_minute), clock.clone())
}

/// Every flood limit of the server.
pub struct Throttle {
    clock: FloodClock,
    /// Replaced when the operator sets the limit (at start).
    quiz_answers: RwLock<Arc<Keyed<u32>>>,
    refusals: Keyed<u32>,
    creation: Keyed<u32>,
    /// By workshop id; replaced when the operator sets the limit.
    workshop_answers: RwLock<Arc<Keyed<i64>>>,
    /// When entries were last swept, in seconds on `clock`.
    last_sweep: AtomicU64,
}

impl Default for Throttle {
    fn default() -> Throttle {
        Throttle::with_clock(FloodClock::default())
    }
}

impl Throttle {
    pub fn with_clock(clock: FloodClock) -> Throttle {
        Throttle {
            quiz_answers: RwLock::new(Arc::new(limiter(PARTICIPATION_PER_MINUTE, &clock))),
            refusals: limiter(REFUSALS_PER_MINUTE, &clock),
            creation: limiter(CREATION_PER_MINUTE, &clock),
            workshop_answers: RwLock::new(Arc::new(limiter(WORKSHOP_ANSWERS_PER_MINUTE, &clock))),
            last_sweep: AtomicU64::new(0),
            clock,
        }
    }

    pub fn clock(&self) -> &FloodClock {
        &self.clock
    }

    /// Sets the answers allowed per client and per minute to quizzes
    /// outside workshops (at least 1).
    pub fn set_participation_limit(&self, per_minute: u32) {
        *self.quiz_answers.write().unwrap_or_else(|p| p.into_inner()) =
            Arc::new(limiter(per_minute, &self.clock));
    }

    /// Sets the answers allowed per workshop and per minute (at least 1).
    pub fn set_workshop_limit(&self, per_minute: u32) {
        *self
            .workshop_answers
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new(limiter(per_minute, &self.clock));
    }

    /// Counts one request of `client`; false once it is past its limit.
    pub fn allow(&self, bucket: Bucket, client: ClientKey) -> bool {
        self.sweep_now_and_then();
        let slot = client.slot();
        match bucket {
            Bucket::QuizAnswers => self.quiz_answers().check_key(&slot).is_ok(),
            Bucket::Refusals => self.refusals.check_key(&slot).is_ok(),
            Bucket::Creation => self.creation.check_key(&slot).is_ok(),
        }
    }

    /// Counts one answer to a workshop; false once it is past its limit.
    pub fn allow_workshop(&self, workshop_id: i64) -> bool {
        self.sweep_now_and_then();
        self.workshop_answers().check_key(&workshop_id).is_ok()
    }

    fn quiz_answers(&self) -> Arc<Keyed<u32>> {
        self.quiz_answers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn workshop_answers(&self) -> Arc<Keyed<i64>> {
        self.workshop_answers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Keys back at a full allowance carry no information: once a minute,
    /// the first request to notice forgets them (the others do not wait).
    fn sweep_now_and_then(&self) {
        let now = self.clock.now().as_secs();
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now < last + SWEEP_EVERY.as_secs()
            || self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        for keyed in [&*self.quiz_answers(), &self.refusals, &self.creation] {
            keyed.retain_recent();
            keyed.shrink_to_fit();
        }
        let workshops = self.workshop_answers();
        workshops.retain_recent();
        workshops.shrink_to_fit();
    }

    /// Entries held, all limiters together (for tests of the sweep).
    #[cfg(test)]
    fn entries(&self) -> usize {
        self.quiz_answers().len()
            + self.refusals.len()
            + self.creation.len()
            + self.workshop_answers().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frozen() -> Throttle {
        let clock = FloodClock::default();
        clock.freeze();
        Throttle::with_clock(clock)
    }

    fn client(n: u8) -> ClientKey {
        ClientKey::of(std::net::IpAddr::from([192, 0, 2, n]))
    }

    #[test]
    fn each_client_and_bucket_has_its_allowance_refilled_over_the_minute() {
        let throttle = frozen();
        let (a, b) = (client(1), client(2));
        assert_ne!(a, b);
        for _ in 0..CREATION_PER_MINUTE {
            assert!(throttle.allow(Bucket::Creation, a));
        }
        assert!(!throttle.allow(Bucket::Creation, a), "past the allowance");
        assert!(throttle.allow(Bucket::Creation, b), "another client");
        assert!(throttle.allow(Bucket::Refusals, a), "another bucket");
        assert!(throttle.allow(Bucket::QuizAnswers, a), "another bucket");
        // One creation comes back every 60 / 20 = 3 s.
        throttle.clock().advance(Duration::from_secs(2));
        assert!(!throttle.allow(Bucket::Creation, a));
        throttle.clock().advance(Duration::from_secs(1));
        assert!(throttle.allow(Bucket::Creation, a), "one back after 3 s");
        assert!(!throttle.allow(Bucket::Creation, a));
        throttle.clock().advance(Duration::from_secs(60));
        for _ in 0..CREATION_PER_MINUTE {
            assert!(throttle.allow(Bucket::Creation, a), "a minute later, all");
        }
    }

    #[test]
    fn workshops_have_their_own_allowance_whoever_answers() {
        let throttle = frozen();
        throttle.set_workshop_limit(5);
        for _ in 0..5 {
            assert!(throttle.allow_workshop(7));
        }
        assert!(!throttle.allow_workshop(7));
        assert!(throttle.allow_workshop(8), "another workshop");
        throttle.set_workshop_limit(0);
        assert!(throttle.allow_workshop(9), "never zero");
        assert!(!throttle.allow_workshop(9));
    }

    #[test]
    fn the_participation_limit_can_be_raised() {
        let throttle = frozen();
        let someone = client(9);
        throttle.set_participation_limit(PARTICIPATION_PER_MINUTE * 2);
        for _ in 0..PARTICIPATION_PER_MINUTE * 2 {
            assert!(throttle.allow(Bucket::QuizAnswers, someone));
        }
        assert!(!throttle.allow(Bucket::QuizAnswers, someone));
    }

    #[test]
    fn entries_back_at_a_full_allowance_are_swept_once_a_minute() {
        let throttle = frozen();
        throttle.clock().advance(SWEEP_EVERY);
        for n in 0..=255 {
            throttle.allow(Bucket::Refusals, client(n));
        }
        throttle.allow_workshop(1);
        assert!(throttle.entries() > 200, "{}", throttle.entries());
        // Within the minute nothing is forgotten.
        throttle.clock().advance(Duration::from_secs(30));
        throttle.allow(Bucket::Creation, client(1));
        assert!(throttle.entries() > 200);
        // A minute on, every allowance is full again: the next request
        // sweeps them all, then counts itself.
        throttle.clock().advance(SWEEP_EVERY);
        throttle.allow(Bucket::Creation, client(1));
        assert_eq!(throttle.entries(), 1);
    }

    #[test]
    fn the_clock_runs_unless_frozen() {
        let clock = FloodClock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(
            clock.now() < before + Duration::from_secs(3600),
            "runs alone"
        );
        clock.freeze();
        let frozen = clock.now();
        assert_eq!(clock.now(), frozen);
        clock.advance(Duration::from_secs(5));
        assert_eq!(clock.now(), frozen + Duration::from_secs(5));
    }
}
