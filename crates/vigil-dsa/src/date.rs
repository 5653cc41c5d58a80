//! Calendar dates as the API writes them (`YYYY-MM-DD`) and the ranges it
//! accepts.

use time::macros::date;
use time::{Date, Month};

/// The earliest `content_date` the API accepts.
pub const CONTENT_DATE_MIN: Date = date!(2000 - 01 - 01);
/// The earliest `application_date` the API accepts.
pub const APPLICATION_DATE_MIN: Date = date!(2020 - 01 - 01);
/// The latest date any date field may hold.
pub const DATE_MAX: Date = date!(2038 - 01 - 01);

/// A date in exactly the form `YYYY-MM-DD` naming a real calendar day, or
/// `None`. Hand-written rather than a format description so that nothing but
/// four, two and two ASCII digits is accepted (no sign, no extra digits).
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    let year: i32 = text[0..4].parse().ok()?;
    let month: u8 = text[5..7].parse().ok()?;
    let day: u8 = text[8..10].parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// A date as `YYYY-MM-DD`.
pub(crate) fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_days_in_the_exact_form_parse() {
        assert_eq!(parse_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "+202-01-01",
            "2024-01-01T00:00",
            "",
            "２０２４-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn formatting_round_trips() {
        let d = date!(2005 - 03 - 09);
        assert_eq!(format_date(d), "2005-03-09");
        assert_eq!(parse_date(&format_date(d)), Some(d));
    }
}
