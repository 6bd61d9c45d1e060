//! « Me le rappeler »: a calendar file (RFC 5545, built by the `icalendar`
//! crate) with one all-day event on the date the reader picks, which
//! carries the result's permalink. Nothing is sent and nothing is stored:
//! the reader's calendar application keeps the event, and reminds them.

use chrono::NaiveDate;
use icalendar::{Alarm, Calendar, Component, Event, EventLike, Property, Trigger};
use time::Date;
use time::macros::format_description;

/// How far ahead the date picker reaches: a plan is for months, not years.
pub const MAX_YEARS_AHEAD: i32 = 3;

/// The date three calendar months after `date`, kept in the month: the
/// 30 November gives the 28 (or 29) February.
pub fn three_months_after(date: Date) -> Date {
    let months = i32::from(u8::from(date.month())) - 1 + 3;
    let year = date.year() + months / 12;
    let month = time::Month::try_from(u8::try_from(months % 12 + 1).unwrap_or(1))
        .unwrap_or(time::Month::January);
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// The dates a reminder may take, from tomorrow to `MAX_YEARS_AHEAD`
/// years from `today`.
pub fn reminder_range(today: Date) -> (Date, Date) {
    let first = today.next_day().unwrap_or(today);
    let last = Date::from_calendar_date(
        today.year() + MAX_YEARS_AHEAD,
        today.month(),
        today
            .day()
            .min(today.month().length(today.year() + MAX_YEARS_AHEAD)),
    )
    .unwrap_or(today);
    (first, last)
}

/// `YYYY-MM-DD`, as a date field sends it and writes it.
pub fn iso_date(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// Reads a date field's `YYYY-MM-DD`; `None` for anything else.
pub fn parse_iso_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// Reads `YYYY-MM-DD` (a date field) or `JJ/MM/AAAA` (what a French reader
/// types where the browser shows a plain text field); `None` otherwise.
pub fn parse_date(text: &str) -> Option<Date> {
    parse_iso_date(text).or_else(|| {
        Date::parse(
            text.trim(),
            format_description!("[day padding:none]/[month padding:none]/[year]"),
        )
        .ok()
    })
}

/// « le 28 février 2027 ».
pub fn french_date(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let month = MONTHS[usize::from(u8::from(date.month())) - 1];
    let day = if date.day() == 1 {
        "1er".to_string()
    } else {
        date.day().to_string()
    };
    format!("le {day}\u{a0}{month} {}", date.year())
}

/// What the reminder says and where it leads.
pub struct Reminder<'a> {
    /// The day of the event.
    pub date: Date,
    /// The result's page, as an absolute address.
    pub permalink: &'a str,
    /// Where to re-take the quiz linked to this result.
    pub retake_url: &'a str,
    pub quiz_title: &'a str,
    /// For a result given in a workshop: the day it is erased with the
    /// workshop, and the quiz's own page, where the reminder leads from
    /// that day on.
    pub erased: Option<(Date, &'a str)>,
}

/// The calendar file: one all-day event on `reminder.date`, its address
/// (`URL`) the permalink, with a notification at 9 a.m. that day.
pub fn reminder_ics(reminder: &Reminder<'_>) -> String {
    let start = naive(reminder.date);
    // An all-day event ends, exclusively, the next day (RFC 5545, 3.6.1).
    let end = naive(reminder.date.next_day().unwrap_or(reminder.date));
    let summary = "Chez soi sur le web\u{a0}: où en est mon plan\u{a0}?";
    let (description, url) = match reminder.erased {
        // The result's page will be gone: the reminder leads to the quiz.
        Some((erased, quiz_url)) if reminder.date >= erased => (
            format!(
                "Vous avez fait l’autodiagnostic «\u{a0}{}\u{a0}» dans un atelier et reçu un plan \
                 d’action. Votre résultat a été effacé avec l’atelier, {}\u{a0}: reprenez le plan \
                 que vous avez imprimé ou téléchargé, puis refaites le diagnostic pour voir où \
                 vous en êtes\u{a0}: {}\n\n\
                 Ce rappel n’a été envoyé à personne\u{a0}: il n’existe que dans votre agenda.",
                reminder.quiz_title,
                french_date(erased),
                quiz_url
            ),
            quiz_url,
        ),
        _ => (
            format!(
                "Vous avez fait l’autodiagnostic «\u{a0}{}\u{a0}» et reçu un plan d’action. \
                 Revoyez-le et cochez ce que vous avez fait\u{a0}: {}\n\n\
                 Pour mesurer le chemin parcouru, refaites le diagnostic en le reliant au \
                 précédent\u{a0}: {}\n\n\
                 Ce rappel n’a été envoyé à personne\u{a0}: il n’existe que dans votre agenda.",
                reminder.quiz_title, reminder.permalink, reminder.retake_url
            ),
            reminder.permalink,
        ),
    };
    let event = Event::new()
        .summary(summary)
        .description(&description)
        .url(url)
        .starts(start)
        .ends(end)
        .append_property(Property::new("TRANSP", "TRANSPARENT"))
        .alarm(Alarm::display(
            summary,
            Trigger::after_start(chrono::Duration::hours(9)),
        ))
        .done();
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new(
            "PRODID",
            "-//chezsoi//Chez soi sur le web//FR",
        ))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .push(event);
    calendar.to_string()
}

fn naive(date: Date) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        date.year(),
        u32::from(u8::from(date.month())),
        u32::from(date.day()),
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn three_months_later_stays_in_its_month() {
        // From the 30th or 31st, the month three months on may be shorter.
        let cases = [
            (date!(2026 - 11 - 30), date!(2027 - 02 - 28)),
            (date!(2027 - 11 - 30), date!(2028 - 02 - 29)),
            (date!(2026 - 01 - 15), date!(2026 - 04 - 15)),
            (date!(2026 - 10 - 31), date!(2027 - 01 - 31)),
            (date!(2026 - 12 - 31), date!(2027 - 03 - 31)),
        ];
        for (from, expected) in cases {
            assert_eq!(three_months_after(from), expected, "from {from}");
        }
    }

    #[test]
    fn dates_read_and_write_as_a_date_field_and_in_french() {
        assert_eq!(iso_date(date!(2027 - 02 - 28)), "2027-02-28");
        assert_eq!(parse_iso_date("2027-02-28"), Some(date!(2027 - 02 - 28)));
        for bad in ["2027-02-30", "28/02/2027", "", "2027-2-28", "demain"] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
        assert_eq!(french_date(date!(2027 - 03 - 01)), "le 1er\u{a0}mars 2027");
        assert_eq!(
            french_date(date!(2027 - 02 - 28)),
            "le 28\u{a0}février 2027"
        );
        let (first, last) = reminder_range(date!(2028 - 02 - 29));
        assert_eq!(
            (first, last),
            (date!(2028 - 03 - 01), date!(2031 - 02 - 28))
        );
    }
}
