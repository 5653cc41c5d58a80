//! What happens to an item when someone sends a notice about it: `[notices]`.
//!
//! ```toml
//! [notices]
//! user = "review"             # "review" or "rescan"; default "review"
//! trusted_flagger = "review"  # "review" or "rescan"; default "review"
//! authority_order = "review"  # only "review": an order always goes to a person
//! ```
//!
//! `review` queues the item for a person at once. `rescan` scans it again
//! with the models and policy in force and queues it only when that scan
//! lands in review; a restrict or block is then acted on automatically, an
//! allow closes the notice with no action.

use toml::Spanned;
use vigil_core::ReporterType;

use crate::diagnostic::{Diagnostic, Locator};
use crate::raw::RawNotices;

/// How a notice's item is handled when the notice arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeHandling {
    /// Queue the item for a person.
    Review,
    /// Scan it again now; queue it only if the scan says `review`.
    Rescan,
}

impl NoticeHandling {
    /// The key as written in a policy.
    pub const fn as_str(self) -> &'static str {
        match self {
            NoticeHandling::Review => "review",
            NoticeHandling::Rescan => "rescan",
        }
    }
}

/// `[notices]`: the handling of each reporter type's notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeSettings {
    /// Art. 16 notices from users.
    pub user: NoticeHandling,
    /// Notices from trusted flaggers.
    pub trusted_flagger: NoticeHandling,
}

impl Default for NoticeSettings {
    /// Every notice goes to a person: a rescan with the model that already
    /// passed the item would mostly dismiss the notice unread.
    fn default() -> NoticeSettings {
        NoticeSettings {
            user: NoticeHandling::Review,
            trusted_flagger: NoticeHandling::Review,
        }
    }
}

impl NoticeSettings {
    /// How a notice from `reporter` is handled. Authority orders are always
    /// reviewed by a person.
    pub fn handling(&self, reporter: ReporterType) -> NoticeHandling {
        match reporter {
            ReporterType::User => self.user,
            ReporterType::TrustedFlagger => self.trusted_flagger,
            ReporterType::AuthorityOrder => NoticeHandling::Review,
        }
    }
}

/// Validate `[notices]`; absent keys take their defaults.
pub(crate) fn validate_notices(
    loc: &Locator<'_>,
    raw: Option<RawNotices>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<NoticeSettings> {
    let mut s = NoticeSettings::default();
    let Some(raw) = raw else {
        return Some(s);
    };
    let before = diagnostics.len();
    if let Some(h) = handling(loc, "user", raw.user.as_ref(), diagnostics) {
        s.user = h;
    }
    if let Some(h) = handling(
        loc,
        "trusted_flagger",
        raw.trusted_flagger.as_ref(),
        diagnostics,
    ) {
        s.trusted_flagger = h;
    }
    if let Some(h) = handling(
        loc,
        "authority_order",
        raw.authority_order.as_ref(),
        diagnostics,
    ) {
        if h != NoticeHandling::Review {
            if let Some(raw) = &raw.authority_order {
                diagnostics.push(loc.error(
                    raw.span(),
                    "[notices] authority_order must be \"review\": an authority's order always goes to a person",
                ));
            }
        }
    }
    (diagnostics.len() == before).then_some(s)
}

fn handling(
    loc: &Locator<'_>,
    key: &str,
    raw: Option<&Spanned<String>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<NoticeHandling> {
    let raw = raw?;
    match raw.get_ref().as_str() {
        "review" => Some(NoticeHandling::Review),
        "rescan" => Some(NoticeHandling::Rescan),
        other => {
            diagnostics.push(loc.error(
                raw.span(),
                format!("[notices] {key} must be \"review\" or \"rescan\"; it is \"{other}\""),
            ));
            None
        }
    }
}
