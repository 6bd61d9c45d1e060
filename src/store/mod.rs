//! All SQL lives here. One SQLite file, WAL mode, migrations applied at open.
//!
//! What may be stored is fixed by the privacy promise (PRODUCT.md): quiz id and
//! version, answers, scores, outcome, workshop, creation time rounded to the
//! hour, and the SHA-256 of the result's permalink token — and, when its
//! owner uses them, the ids of the plan's actions ticked off and the SHA-256
//! of the token of the result a re-take was linked to; per workshop, its
//! title, quiz, settings, join code, hours, the workshop it follows and the
//! SHA-256 of its facilitator key. Nothing that identifies a person or a
//! device has a column here.

mod commit;
mod database;
mod error;
mod migrations;
mod results;
mod workshops;

pub use commit::{Inserted, NewResult};
pub use database::{FILE_DESCRIPTORS, Store};
pub use error::{Result, StoreError};
pub use migrations::{LATEST_VERSION, migrations};
pub use results::{HISTORY_MAX, Participants, StoredResult, round_to_hour};
pub use workshops::{NewWorkshop, Workshop, WorkshopReveal};
