//! What the workshop pages keep while the server runs: the operator's
//! settings, and the channel that carries each workshop's new number of
//! answers to its projector views.

use std::sync::RwLock;

use tokio::sync::broadcast;

use crate::workshop::DEFAULT_RETENTION_DAYS;

/// How the operator set up workshops on this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkshopSettings {
    /// The address participants reach the site at, for join links and QR
    /// codes (`serve --base-url`); without it, the facilitator's own
    /// request tells (its Host header).
    pub public_url: Option<String>,
    /// Days before a workshop and its results are purged.
    pub retention_days: u32,
}

impl Default for WorkshopSettings {
    fn default() -> WorkshopSettings {
        WorkshopSettings {
            public_url: None,
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}

/// A workshop's new number of answers, announced to its projector views.
#[derive(Debug, Clone, Copy)]
pub struct AnswerCount {
    pub workshop_id: i64,
    pub answers: usize,
}

/// What the workshop pages share, in `AppState`.
pub struct Live {
    events: broadcast::Sender<AnswerCount>,
    settings: RwLock<WorkshopSettings>,
}

impl Live {
    pub fn new() -> Live {
        Live {
            // A projector that falls this far behind skips to the latest count.
            events: broadcast::channel(256).0,
            settings: RwLock::new(WorkshopSettings::default()),
        }
    }

    pub fn settings(&self) -> WorkshopSettings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_settings(&self, settings: WorkshopSettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
    }

    /// Every announcement from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<AnswerCount> {
        self.events.subscribe()
    }

    /// Tells the projector views of a workshop its new number of answers.
    /// No view listening is fine.
    pub fn announce(&self, workshop_id: i64, answers: usize) {
        let _ = self.events.send(AnswerCount {
            workshop_id,
            answers,
        });
    }
}
