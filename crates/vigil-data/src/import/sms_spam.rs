//! The UCI SMS Spam Collection (`SMSSpamCollection`): one message a line,
//! `label<TAB>text`, after an optional header line `Label<TAB>SMS` (the
//! copy in `shared/data` has one; the UCI original does not).
//!
//! | label | spam_scam | unsafe |
//! |---|---|---|
//! | `spam` | 1 | 1 |
//! | `ham` | 0 | unknown |
//!
//! Ham is not spam, but the messages were never reviewed for other harms,
//! so `unsafe` stays unknown for them. Blank lines are not rows. Id:
//! `sms-spam-<row index>` (five digits, from 0, counting malformed rows so
//! that one bad row does not renumber the rest).

use std::path::Path;

use vigil_core::{Category, Labels};

use super::collect::{lines, Collector, Row};
use super::{ImportKind, MalformedReason, Spec};
use crate::error::DataError;

pub(super) const SPEC: Spec = Spec {
    license: "CC-BY-4.0",
    upstream: "hamzaaacodes/sms-spam-collection (UCI SMS Spam Collection)",
    description: "SMS messages labelled spam or ham (UCI SMS Spam Collection, Almeida and Gómez Hidalgo, 2011).",
    mapping: &[
        (Category::SpamScam, "spam -> 1; ham -> 0"),
        (Category::Unsafe, "spam -> 1; ham -> unknown (not reviewed for other harms)"),
    ],
};

const FILE: &str = "SMSSpamCollection";
const HEADER: &str = "Label\tSMS";

pub(super) fn read(src: &Path, c: &mut Collector) -> Result<(), DataError> {
    let path = super::collect::file_in(ImportKind::SmsSpam, src, FILE)?;
    let (source, bytes) = c.read_source(&path)?;
    let mut index = 0u64;
    for (line_no, line) in lines(&bytes) {
        if line_no == 1 && line.as_deref() == Ok(HEADER) {
            continue;
        }
        if line.as_deref().is_ok_and(|l| l.trim().is_empty()) {
            continue;
        }
        let row = line.and_then(|l| row(index, l));
        c.accept(&source, line_no, row)?;
        index += 1;
    }
    Ok(())
}

fn row(index: u64, line: &str) -> Result<Row, MalformedReason> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [label, text] = fields[..] else {
        return Err(MalformedReason::ColumnCount {
            expected: 2,
            found: fields.len(),
        });
    };
    let labels = labels_for(label.trim()).ok_or_else(|| MalformedReason::BadLabel {
        column: "Label".to_owned(),
        value: label.to_owned(),
    })?;
    Ok(Row {
        key: format!("{index:05}"),
        text: text.to_owned(),
        labels,
        meta: Vec::new(),
    })
}

/// The labels of `spam` / `ham`; `None` for anything else.
fn labels_for(label: &str) -> Option<Labels> {
    match label {
        "spam" => Some(
            Labels::new()
                .with(Category::SpamScam, true)
                .with(Category::Unsafe, true),
        ),
        "ham" => Some(Labels::new().with(Category::SpamScam, false)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_map_as_documented() {
        let spam = labels_for("spam").expect("spam");
        assert_eq!(spam.get(Category::SpamScam), Some(true));
        assert_eq!(spam.get(Category::Unsafe), Some(true));
        let ham = labels_for("ham").expect("ham");
        assert_eq!(ham.get(Category::SpamScam), Some(false));
        assert_eq!(ham.get(Category::Unsafe), None, "ham is not known safe");
        assert!(labels_for("Spam").is_none());
    }

    #[test]
    fn rows_need_exactly_two_fields() {
        assert!(row(0, "ham\thello").is_ok());
        assert_eq!(
            row(0, "ham hello").err(),
            Some(MalformedReason::ColumnCount {
                expected: 2,
                found: 1
            })
        );
        assert!(matches!(
            row(0, "eggs\thello"),
            Err(MalformedReason::BadLabel { .. })
        ));
    }
}
