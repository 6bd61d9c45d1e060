//! The only times chezsoi shows: hours (results and workshops are stored
//! rounded to the hour, in UTC), as Unix seconds.

use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// A Unix time's UTC date and hour in `format`; the epoch for a time out of
/// range.
fn utc(unix: i64, format: &[BorrowedFormatItem<'_>]) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(format)
        .unwrap_or_default()
}

/// "le 27/11/2026 vers 10 h (UTC)": the stored hour, no finer.
pub fn format_hour(unix: i64) -> String {
    utc(
        unix,
        format_description!("le [day]/[month]/[year] vers [hour padding:none] h (UTC)"),
    )
}

/// "2026-11-27T10:00:00Z" (ISO 8601, UTC), for the JSON downloads.
pub fn iso_hour(unix: i64) -> String {
    utc(
        unix,
        format_description!("[year]-[month]-[day]T[hour]:00:00Z"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_hours_in_french_and_iso() {
        // The epoch; 2026-11-27T10:00:00Z; a leap day, with minutes that
        // the hour does not show.
        let hours = [0, 1_795_773_600, 1_709_212_345];
        assert_eq!(
            hours.map(iso_hour),
            [
                "1970-01-01T00:00:00Z",
                "2026-11-27T10:00:00Z",
                "2024-02-29T13:00:00Z"
            ]
        );
        assert_eq!(
            hours.map(format_hour),
            [
                "le 01/01/1970 vers 0 h (UTC)",
                "le 27/11/2026 vers 10 h (UTC)",
                "le 29/02/2024 vers 13 h (UTC)"
            ]
        );
    }
}
