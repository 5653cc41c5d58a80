//! Reporting periods: a year (`2026`), a half (`2026-H2`) or a quarter
//! (`2026-Q3`), each the UTC span `[start, end)`.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use time::{Date, Month, OffsetDateTime, Time};

/// A period a report covers, `[start, end)` in UTC.
///
/// ```
/// use vigil_transparency::Period;
/// let h2: Period = "2026-H2".parse().unwrap();
/// assert_eq!(h2.start().to_string(), "2026-07-01 0:00:00.0 +00:00:00");
/// assert_eq!(h2.end().to_string(), "2027-01-01 0:00:00.0 +00:00:00");
/// assert!("2026-H3".parse::<Period>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    year: i32,
    /// First month (1-12) and the number of months.
    first_month: u8,
    months: u8,
}

/// A period that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a reporting period ({reason}); write 2026, 2026-H1, 2026-H2 or 2026-Q1 … 2026-Q4")]
pub struct PeriodError {
    /// The text given.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Period {
    /// First instant covered.
    pub fn start(&self) -> OffsetDateTime {
        month_start(self.year, self.first_month)
    }

    /// First instant not covered.
    pub fn end(&self) -> OffsetDateTime {
        let next = u32::from(self.first_month) + u32::from(self.months);
        if next > 12 {
            month_start(self.year + 1, (next - 12) as u8)
        } else {
            month_start(self.year, next as u8)
        }
    }
}

fn month_start(year: i32, month: u8) -> OffsetDateTime {
    let month = Month::try_from(month).expect("periods hold months 1 to 12");
    Date::from_calendar_date(year, month, 1)
        .expect("the first of a month in years 1000-9998 is a date")
        .with_time(Time::MIDNIGHT)
        .assume_utc()
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(input: &str) -> Result<Period, PeriodError> {
        let fail = |reason| PeriodError {
            input: input.to_owned(),
            reason,
        };
        let (year, part) = match input.trim().split_once('-') {
            Some((y, p)) => (y, Some(p)),
            None => (input.trim(), None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail("the year must be four digits"));
        }
        let year: i32 = year
            .parse()
            .map_err(|_| fail("the year must be four digits"))?;
        if !(1000..=9998).contains(&year) {
            return Err(fail("the year is out of range"));
        }
        let (first_month, months) = match part {
            None => (1, 12),
            Some("H1") => (1, 6),
            Some("H2") => (7, 6),
            Some("Q1") => (1, 3),
            Some("Q2") => (4, 3),
            Some("Q3") => (7, 3),
            Some("Q4") => (10, 3),
            Some(_) => return Err(fail("after the year comes H1, H2 or Q1 to Q4")),
        };
        Ok(Period {
            year,
            first_month,
            months,
        })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.first_month, self.months) {
            (_, 12) => write!(f, "{}", self.year),
            (m, 6) => write!(f, "{}-H{}", self.year, if m == 1 { 1 } else { 2 }),
            (m, _) => write!(f, "{}-Q{}", self.year, (m - 1) / 3 + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn periods_cover_their_months() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        assert_eq!(p("2026").start(), datetime!(2026-01-01 0:00 UTC));
        assert_eq!(p("2026").end(), datetime!(2027-01-01 0:00 UTC));
        assert_eq!(p("2026-H1").end(), datetime!(2026-07-01 0:00 UTC));
        assert_eq!(p("2026-Q3").start(), datetime!(2026-07-01 0:00 UTC));
        assert_eq!(p("2026-Q4").end(), datetime!(2027-01-01 0:00 UTC));
        for s in ["2026", "2026-H1", "2026-H2", "2026-Q2"] {
            assert_eq!(p(s).to_string(), s);
        }
    }

    #[test]
    fn bad_periods_say_why() {
        for bad in [
            "", "26", "2026-H3", "2026-h2", "2026-Q5", "20x6", "2026-", "9999",
        ] {
            let err = bad.parse::<Period>().unwrap_err();
            assert_eq!(err.input, bad);
            assert!(err.to_string().contains("2026-H2"), "{err}");
        }
    }
}
