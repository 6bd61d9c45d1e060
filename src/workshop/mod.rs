//! Workshops: a facilitator opens one, a room answers its quiz on their
//! phones, and the group's aggregates appear once enough people answered.
//!
//! What lives here is shared by the web pages and the command line: join
//! codes, facilitator keys, input rules, creation, expiry and the exports.
//! The group's figures come from `crate::aggregate`; all SQL stays in
//! `store`.
//!
//! Stored per workshop: its title, quiz, minimum group size, join code, the
//! SHA-256 of its facilitator key and of its projector key, the hour it was
//! created, the hour it was closed and whether its results were revealed.
//! Nothing about the facilitator: the key, shown once, is the only
//! credential. The projector key opens only the view to project (code, QR
//! code, live count, reveal, group results): it cannot close, delete or
//! export, and it cannot be turned back into the facilitator key.

pub mod export;

use std::ops::RangeInclusive;

use crate::aggregate::{self, Baseline, Participation};
use crate::store::{NewWorkshop, Participants, Store, StoreError, Workshop, round_to_hour};

/// The smallest and largest minimum group sizes a facilitator may choose:
/// from the one privacy floor of every group figure
/// (`aggregate::MIN_GROUP_FLOOR`) up.
pub const MIN_GROUP_RANGE: RangeInclusive<u32> = crate::aggregate::MIN_GROUP_FLOOR..=1000;
/// The minimum group size of a new workshop unless the facilitator says
/// otherwise (the same as the site-wide statistics).
pub use crate::aggregate::DEFAULT_MIN_GROUP;
/// Longest title, in characters.
pub const TITLE_MAX_CHARS: usize = 120;
/// Days after which a workshop and its results are deleted.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// The accepted retention periods, in days.
pub const RETENTION_RANGE: RangeInclusive<u32> = 1..=3650;

/// Join codes use letters and digits that cannot be mistaken for one
/// another when read aloud, written on a board or typed on a phone: no
/// 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V.
pub const JOIN_CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPRTWXY34679";
/// Characters in a join code: 22⁶ ≈ 113 million codes, plenty for the
/// handful of workshops open at once.
pub const JOIN_CODE_LEN: usize = 6;
/// Attempts at drawing a join code that no open workshop uses.
const JOIN_CODE_ATTEMPTS: usize = 32;

/// A fresh random join code.
pub fn generate_join_code() -> String {
    (0..JOIN_CODE_LEN)
        .map(|_| {
            let index = rand::random_range(0..JOIN_CODE_ALPHABET.len());
            char::from(JOIN_CODE_ALPHABET[index])
        })
        .collect()
}

/// Reads a join code as a person types it: any case, with spaces or dashes.
/// `None` when it cannot be a join code.
pub fn normalize_join_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid =
        code.len() == JOIN_CODE_LEN && code.bytes().all(|byte| JOIN_CODE_ALPHABET.contains(&byte));
    valid.then_some(code)
}

/// "K7M 4QX": two groups of three are easier to read aloud and copy.
pub fn display_join_code(code: &str) -> String {
    let middle = code.len() / 2;
    match (code.get(..middle), code.get(middle..)) {
        (Some(first), Some(second)) => format!("{first} {second}"),
        _ => code.to_string(),
    }
}

/// The facilitator's secret: a `Secret` (128 random bits) in the
/// facilitator link; only its SHA-256 is stored.
pub use crate::secret::Secret as FacilitatorKey;
/// The projector view's key (`projector_key`); only its SHA-256 is stored.
pub use crate::secret::Secret as ProjectorKey;

/// What the projector key is derived for.
const PROJECTOR_PURPOSE: &str = "chezsoi vue à projeter";

/// The projector key of a workshop: HMAC-SHA256 of a fixed label under the
/// facilitator key, 128 bits. The management page (which has the facilitator
/// key) can always link to the view to project; the projected address, read
/// by the whole room, does not lead back to the facilitator key.
pub fn projector_key(key: &FacilitatorKey) -> ProjectorKey {
    key.derive(PROJECTOR_PURPOSE)
}

/// What a facilitator asks for; checked by `WorkshopRequest::validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkshopRequest {
    pub title: String,
    pub quiz_id: String,
    pub min_group: u32,
}

/// One problem with a workshop request, in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("le titre est vide\u{a0}: donnez un titre à l’atelier")]
    EmptyTitle,
    #[error("le titre compte {0} caractères\u{a0}: {TITLE_MAX_CHARS} au plus")]
    LongTitle(usize),
    #[error("le titre contient un caractère de contrôle")]
    ControlInTitle,
    #[error(
        "la taille minimale du groupe doit être comprise entre {} et {}",
        MIN_GROUP_RANGE.start(),
        MIN_GROUP_RANGE.end()
    )]
    MinGroup,
    #[error("aucun questionnaire ne porte l’identifiant «\u{a0}{0}\u{a0}»")]
    UnknownQuiz(String),
}

impl RequestError {
    /// The form field the problem belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            RequestError::EmptyTitle
            | RequestError::LongTitle(_)
            | RequestError::ControlInTitle => "titre",
            RequestError::MinGroup => "minimum",
            RequestError::UnknownQuiz(_) => "questionnaire",
        }
    }
}

impl WorkshopRequest {
    /// Trims the title and checks every field; `quiz_exists` tells whether
    /// a quiz id is in the catalog. Returns every problem at once.
    pub fn validate(
        mut self,
        quiz_exists: impl Fn(&str) -> bool,
    ) -> Result<WorkshopRequest, Vec<RequestError>> {
        let mut errors = Vec::new();
        self.title = self.title.trim().to_string();
        let chars = self.title.chars().count();
        if chars == 0 {
            errors.push(RequestError::EmptyTitle);
        } else if chars > TITLE_MAX_CHARS {
            errors.push(RequestError::LongTitle(chars));
        }
        if self.title.chars().any(char::is_control) {
            errors.push(RequestError::ControlInTitle);
        }
        if !MIN_GROUP_RANGE.contains(&self.min_group) {
            errors.push(RequestError::MinGroup);
        }
        if !quiz_exists(&self.quiz_id) {
            let shown: String = self.quiz_id.chars().take(40).collect();
            errors.push(RequestError::UnknownQuiz(shown));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// A workshop just created, with the only copy of its key.
#[derive(Debug, Clone)]
pub struct Created {
    pub workshop: Workshop,
    pub key: FacilitatorKey,
}

/// Creates a workshop from a validated request: draws a key and a join code
/// that no open workshop uses.
pub fn create(
    store: &Store,
    request: &WorkshopRequest,
    now_unix: i64,
) -> Result<Created, StoreError> {
    create_following(store, request, None, now_unix)
}

/// The follow-up's title the form suggests: « … — suivi », within the
/// longest title allowed.
pub fn follow_up_title(title: &str) -> String {
    const SUFFIX: &str = " — suivi";
    // A follow-up of a follow-up: « … — suivi » again, not « — suivi — suivi ».
    if title.ends_with(SUFFIX) {
        return title.to_string();
    }
    let room = TITLE_MAX_CHARS - SUFFIX.chars().count();
    let kept: String = title.chars().take(room).collect();
    format!("{}{SUFFIX}", kept.trim_end())
}

/// Creates a workshop from a validated request as the follow-up of
/// `first` (a session some months later with the same quiz): its group
/// results show the evolution of the group's averages since `first`, once
/// both have reached their minimum group size. It has its own keys and
/// join code.
pub fn create_follow_up(
    store: &Store,
    first: &Workshop,
    request: &WorkshopRequest,
    now_unix: i64,
) -> Result<Created, StoreError> {
    create_following(store, request, Some(first.id), now_unix)
}

fn create_following(
    store: &Store,
    request: &WorkshopRequest,
    follows: Option<i64>,
    now_unix: i64,
) -> Result<Created, StoreError> {
    let key = FacilitatorKey::generate();
    let new = NewWorkshop {
        title: request.title.clone(),
        quiz_id: request.quiz_id.clone(),
        min_group: request.min_group,
        key_hash: key.hash(),
        projector_hash: projector_key(&key).hash(),
        created_hour: round_to_hour(now_unix),
        follows,
    };
    let workshop = store.create_workshop(&new, JOIN_CODE_ATTEMPTS, generate_join_code)?;
    Ok(Created { workshop, key })
}

/// How long an expired workshop that reached its minimum group size keeps
/// its group's size and means (and nothing else) for a follow-up, in days
/// after its answers were erased: a follow-up a year after the first
/// session can still compare.
pub const BASELINE_DAYS: u32 = 400;

/// What a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Workshops whose answers were erased (kept or not).
    pub workshops: usize,
    /// Answers erased with them.
    pub results: usize,
    /// Of `workshops`, those kept with their group's means only.
    pub archived: usize,
    /// Workshops deleted once `BASELINE_DAYS` after their expiry passed.
    pub baselines: usize,
}

impl Purged {
    /// Whether the purge removed nothing.
    pub fn is_empty(&self) -> bool {
        self.workshops == 0 && self.baselines == 0
    }

    /// What the purge did, in French, for the server's output and the
    /// command line.
    pub fn describe(&self, retention_days: u32) -> String {
        format!(
            "Ateliers de plus de {retention_days}\u{a0}jours\u{a0}: {}. Réponses effacées\u{a0}: {}. \
             De ces ateliers, gardés avec les seules moyennes de leur groupe, pour un atelier de \
             suivi, pendant {BASELINE_DAYS}\u{a0}jours\u{a0}: {}. Ateliers gardés ainsi arrivés au \
             bout de ce délai, supprimés\u{a0}: {}.",
            self.workshops, self.results, self.archived, self.baselines
        )
    }
}

/// Erases the answers of the workshops created more than `retention_days`
/// ago. A workshop whose group reached its minimum size stays, closed, with
/// its group's size and means only (`aggregate::Baseline`), for
/// `BASELINE_DAYS`, so that a follow-up opened later can still show the
/// group's evolution; any other is deleted. Then deletes what was kept
/// longer than that.
pub fn purge_expired(
    store: &Store,
    retention_days: u32,
    now_unix: i64,
) -> Result<Purged, StoreError> {
    let cutoff = now_unix.saturating_sub(days(retention_days));
    let now_hour = round_to_hour(now_unix);
    let mut purged = Purged::default();
    for workshop in store.workshops_to_archive(cutoff)? {
        let baseline = baseline_of(store, &workshop)?
            .map(|baseline| serde_json::to_string(&baseline).expect("a baseline serializes"));
        if let Some((kept, results)) =
            store.archive_workshop(workshop.id, baseline.as_deref(), now_hour)?
        {
            purged.workshops += 1;
            purged.results += results;
            purged.archived += usize::from(kept);
        }
    }
    purged.baselines = store.purge_archives_before(now_unix.saturating_sub(days(BASELINE_DAYS)))?;
    Ok(purged)
}

/// The group's size and means a follow-up compares with: kept at expiry
/// (`purge_expired`) for an archived workshop, else from its answers; `None`
/// below the minimum group size or when no baseline could be read.
pub fn baseline_of(store: &Store, workshop: &Workshop) -> Result<Option<Baseline>, StoreError> {
    if workshop.is_archived() {
        return Ok(workshop
            .baseline
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok()));
    }
    let participations: Vec<Participation> = store
        .participations(Participants::Workshop(workshop.id))?
        .iter()
        .filter_map(|(answers, outcome)| Participation::parse(answers, outcome))
        .collect();
    let min_group = usize::try_from(workshop.min_group).unwrap_or(usize::MAX);
    Ok(aggregate::baseline(&participations, min_group))
}

/// The hour until which an archived workshop (answers erased at
/// `archived_hour`) keeps its group's means.
pub fn baseline_expiry(archived_hour: i64) -> i64 {
    archived_hour.saturating_add(days(BASELINE_DAYS))
}

fn days(days: u32) -> i64 {
    i64::from(days).saturating_mul(86_400)
}

/// The hour after which a workshop created at `created_hour` is purged.
pub fn expiry(created_hour: i64, retention_days: u32) -> i64 {
    created_hour.saturating_add(i64::from(retention_days).saturating_mul(86_400))
}

/// Checks a site address given by the operator (`http://…` or `https://…`,
/// with a host, maybe a port and a path, no query or fragment) and returns
/// it normalised by the `url` crate, without a trailing slash.
pub fn parse_base_url(text: &str) -> Result<String, String> {
    let invalid = || {
        format!(
            "adresse du site invalide «\u{a0}{text}\u{a0}»\u{a0}: attendu http://hôte[:port] ou https://hôte (par exemple http://127.0.0.1:3000)"
        )
    };
    let url = url::Url::parse(text.trim()).map_err(|_| invalid())?;
    // The WHATWG rules `url` follows let odd characters into a domain;
    // a site's name is letters, digits, hyphens and dots (after IDNA).
    let host = match url.host() {
        Some(url::Host::Domain(domain)) => {
            !domain.is_empty()
                && domain
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        }
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
        None => false,
    };
    let usable = matches!(url.scheme(), "http" | "https")
        && host
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !usable {
        return Err(invalid());
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// The address participants open: `{base}/a/{CODE}`.
pub fn join_url(base_url: &str, code: &str) -> String {
    format!("{base_url}/a/{code}")
}

/// The facilitator's secret address: `{base}/atelier/{id}/{key}`, which
/// leads to the management page.
pub fn facilitator_url(base_url: &str, id: i64, key: &FacilitatorKey) -> String {
    format!("{base_url}/atelier/{id}/{}", key.as_str())
}

/// The view to project: `{base}/projection/{id}/{projector key}`.
pub fn projector_url(base_url: &str, id: i64, key: &ProjectorKey) -> String {
    format!("{base_url}/projection/{id}/{}", key.as_str())
}

/// The current Unix time.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_codes_avoid_look_alikes_and_read_back() {
        for _ in 0..200 {
            let code = generate_join_code();
            assert_eq!(code.len(), JOIN_CODE_LEN);
            for banned in [
                '0', 'O', '1', 'I', 'L', 'Q', '2', 'Z', '5', 'S', '8', 'B', 'U', 'V',
            ] {
                assert!(!code.contains(banned), "{code}");
            }
            assert_eq!(normalize_join_code(&code), Some(code.clone()));
            let typed = display_join_code(&code).to_lowercase();
            assert_eq!(normalize_join_code(&typed), Some(code.clone()), "{typed}");
        }
        assert_eq!(
            normalize_join_code(" k7m-4qx "),
            None,
            "Q is not in the alphabet"
        );
        assert_eq!(normalize_join_code("k7m-4rx"), Some("K7M4RX".into()));
        for bad in ["", "K7M4R", "K7M4RXX", "K7M4R0", "../../", "K7M4RÉ"] {
            assert_eq!(normalize_join_code(bad), None, "{bad}");
        }
        assert_eq!(display_join_code("K7M4RX"), "K7M 4RX");
    }

    #[test]
    fn requests_report_every_problem() {
        let request = WorkshopRequest {
            title: format!("  {}  ", "é".repeat(TITLE_MAX_CHARS + 1)),
            quiz_id: "inconnu".into(),
            min_group: 2,
        };
        let errors = request.validate(|id| id == "diagnostic").unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        let fields: Vec<&str> = errors.iter().map(RequestError::field).collect();
        assert_eq!(fields, ["titre", "minimum", "questionnaire"]);

        let ok = WorkshopRequest {
            title: "  Atelier du mardi ".into(),
            quiz_id: "diagnostic".into(),
            min_group: 3,
        }
        .validate(|id| id == "diagnostic")
        .unwrap();
        assert_eq!(ok.title, "Atelier du mardi");

        let control = WorkshopRequest {
            title: "Atelier\u{7}".into(),
            quiz_id: "diagnostic".into(),
            min_group: 1000,
        };
        assert_eq!(
            control.validate(|_| true).unwrap_err(),
            [RequestError::ControlInTitle]
        );
    }

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(
            parse_base_url("http://127.0.0.1:3000/").unwrap(),
            "http://127.0.0.1:3000"
        );
        assert_eq!(
            parse_base_url("https://atelier.example.org").unwrap(),
            "https://atelier.example.org"
        );
        assert_eq!(
            parse_base_url(" HTTPS://Atelier.Example.org/chezsoi/ ").unwrap(),
            "https://atelier.example.org/chezsoi"
        );
        for bad in [
            "127.0.0.1:3000",
            "ftp://x",
            "http://",
            "http://a b",
            "http://a\"b",
            "http://x/?q=1",
            "http://x/#ancre",
            "http://moi:secret@x",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_follow_up_of_a_follow_up_is_not_suivi_twice() {
        assert_eq!(follow_up_title("Atelier"), "Atelier — suivi");
        assert_eq!(follow_up_title("Atelier — suivi"), "Atelier — suivi");
        let long = "a".repeat(TITLE_MAX_CHARS);
        assert_eq!(follow_up_title(&long).chars().count(), TITLE_MAX_CHARS);
    }
}
