//! The validated policy and how it is read from TOML.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use toml::Spanned;
use vigil_core::dsa::{DecisionGround, Keyword, StatementCategory, Visibility};
use vigil_core::{sha256_hex, Action, Category, Thresholds, VersionRef};

use crate::banks::{BankUse, ImageSettings};
use crate::blocklist::BlocklistSpec;
use crate::diagnostic::{Diagnostic, Locator, Severity};
use crate::media::{AudioSettings, VideoSettings};
use crate::notices::NoticeSettings;
use crate::raw::{RawCategory, RawObligation, RawPolicy};
use crate::review::ReviewSettings;

/// DSA limit on `illegal_content_legal_ground` and `incompatible_content_ground`.
const MAX_GROUND_CHARS: usize = 500;

/// How one category is moderated.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryPolicy {
    /// What the category covers, for reviewers and reports.
    pub description: String,
    /// The DSA statement category a restriction for this category is filed under.
    pub dsa_category: StatementCategory,
    /// DSA specification keywords.
    pub dsa_keywords: Vec<Keyword>,
    /// Illegal content or incompatible with the terms of service.
    pub decision_ground: DecisionGround,
    /// The law broken, required when the ground is illegal content.
    pub legal_ground: Option<String>,
    /// The clause of the terms of service, used when the ground is incompatible content.
    pub terms_ground: Option<String>,
    /// Score thresholds per action.
    pub thresholds: Thresholds,
}

/// A statistical promise about one category at one action's threshold:
/// the lower bound of a `confidence`-level interval on precision (or recall)
/// must reach the minimum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obligation {
    /// The action whose threshold the obligation constrains.
    pub action: Action,
    /// Minimum precision, if constrained.
    pub min_precision: Option<f64>,
    /// Minimum recall, if constrained.
    pub min_recall: Option<f64>,
    /// Confidence level of the interval, e.g. 0.95.
    pub confidence: f64,
}

/// Policy-wide DSA settings used when writing statements of reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct DsaSettings {
    /// Visibility restriction applied by `restrict`.
    pub restrict_visibility: Visibility,
    /// Visibility restriction applied by `block`.
    pub block_visibility: Visibility,
    /// Where the terms of service are published.
    pub terms_url: Option<String>,
}

/// What the decision log keeps (`[log]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogSettings {
    /// Keep each scanned item (text, media, metadata) beside its decision,
    /// for review and audit. Off by default: the log holds digests only.
    pub store_content: bool,
    /// Delete decisions (and any stored content) older than this many days;
    /// `None` keeps them.
    pub retention_days: Option<u32>,
}

/// A validated policy. Build it with [`Policy::from_toml`] or [`Policy::load`].
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Name, version and the sha256 of the file's bytes.
    pub version: VersionRef,
    /// Free text.
    pub description: String,
    /// Categories the policy acts on.
    pub categories: BTreeMap<Category, CategoryPolicy>,
    /// Obligations per category.
    pub obligations: BTreeMap<Category, Obligation>,
    /// DSA settings.
    pub dsa: DsaSettings,
    /// Blocklists, in name order.
    pub blocklists: Vec<BlocklistSpec>,
    /// What the decision log keeps.
    pub log: LogSettings,
    /// How image hashes are matched against hash banks (`[images]`).
    pub images: ImageSettings,
    /// How video frame hashes are matched against video banks (`[video]`).
    pub video: VideoSettings,
    /// How audio fingerprints are matched against audio banks (`[audio]`).
    pub audio: AudioSettings,
    /// Which hash banks apply and how (`[banks.NAME]`), in name order.
    pub banks: Vec<BankUse>,
    /// What goes to human review and how (`[review]`).
    pub review: ReviewSettings,
    /// How notices' items are handled (`[notices]`).
    pub notices: NoticeSettings,
    /// Alert thresholds on the online report's figures (`[alerts]`).
    pub alerts: crate::AlertSettings,
}

/// Why a policy could not be used: every error found, each located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyErrors {
    /// Errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.errors().count();
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        write!(
            f,
            "policy refused: {errors} error{}",
            if errors == 1 { "" } else { "s" }
        )
    }
}

impl PolicyErrors {
    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

/// A loaded policy with the warnings found while checking it.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The policy.
    pub policy: Policy,
    /// Problems that do not stop it loading.
    pub warnings: Vec<Diagnostic>,
}

impl Policy {
    /// Read and validate a policy file.
    pub fn load(path: &Path) -> Result<Checked, PolicyErrors> {
        let file = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Policy::from_toml_in(&text, &file, path.parent()),
            Err(e) => Err(PolicyErrors {
                diagnostics: vec![Diagnostic {
                    severity: Severity::Error,
                    file,
                    line: 1,
                    column: 1,
                    message: format!("cannot read the policy file: {e}"),
                }],
            }),
        }
    }

    /// Validate policy TOML. `file` names the source in diagnostics.
    /// Every problem is collected, not just the first. Blocklist files are
    /// read relative to the working directory; see [`Policy::load`].
    pub fn from_toml(text: &str, file: &str) -> Result<Checked, PolicyErrors> {
        Policy::from_toml_in(text, file, None)
    }

    /// As [`Policy::from_toml`], reading blocklist files relative to `base`.
    pub fn from_toml_in(
        text: &str,
        file: &str,
        base: Option<&Path>,
    ) -> Result<Checked, PolicyErrors> {
        let loc = Locator::new(file, text);
        let raw: RawPolicy = toml::from_str(text).map_err(|e| PolicyErrors {
            diagnostics: vec![loc.error(e.span().unwrap_or(0..0), syntax_message(&e))],
        })?;
        let mut out = Validation {
            loc: &loc,
            diagnostics: Vec::new(),
            base,
        };
        let policy = out.policy(raw, text);
        out.diagnostics.sort_by_key(|d| (d.line, d.column));
        if out
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            return Err(PolicyErrors {
                diagnostics: out.diagnostics,
            });
        }
        policy
            .map(|policy| Checked {
                policy,
                warnings: out.diagnostics,
            })
            .ok_or_else(|| PolicyErrors {
                diagnostics: vec![loc.error(0..0, "the policy could not be built")],
            })
    }

    /// The policy's thresholds for a category (none if the policy does not act on it).
    pub fn thresholds(&self, category: Category) -> Thresholds {
        self.categories
            .get(&category)
            .map(|c| c.thresholds)
            .unwrap_or_default()
    }
}

/// toml's messages carry their own rendering of the source; keep the first
/// line, which states the problem (location is added by the diagnostic).
fn syntax_message(e: &toml::de::Error) -> String {
    let msg = e.message().trim();
    let msg = msg.lines().next().unwrap_or(msg).trim_end_matches('.');
    msg.to_string()
}

struct Validation<'a> {
    loc: &'a Locator<'a>,
    diagnostics: Vec<Diagnostic>,
    base: Option<&'a Path>,
}

impl Validation<'_> {
    fn error(&mut self, span: std::ops::Range<usize>, message: impl Into<String>) {
        self.diagnostics.push(self.loc.error(span, message));
    }

    fn policy(&mut self, raw: RawPolicy, text: &str) -> Option<Policy> {
        let mut ok = true;
        for field in [&raw.policy.name, &raw.policy.version] {
            if field.get_ref().trim().is_empty() {
                self.error(
                    field.span(),
                    "the policy name and version must not be empty",
                );
                ok = false;
            }
        }
        let default_ground = raw
            .dsa
            .as_ref()
            .and_then(|d| d.get_ref().decision_ground)
            .unwrap_or(DecisionGround::IncompatibleContent);

        let mut categories = BTreeMap::new();
        for (key, value) in raw.categories {
            match key.get_ref().parse::<Category>() {
                Ok(category) => {
                    if let Some(c) = self.category(category, value, default_ground) {
                        categories.insert(category, c);
                    } else {
                        ok = false;
                    }
                }
                Err(e) => {
                    self.error(key.span(), format!("in [categories]: {e}"));
                    ok = false;
                }
            }
        }
        let covered: Vec<Category> = categories.keys().copied().collect();
        let missing: Vec<&str> = Category::ALL
            .iter()
            .filter(|c| !covered.contains(c))
            .map(|c| c.as_str())
            .collect();
        if !missing.is_empty() {
            self.diagnostics.push(self.loc.warning(
                0..0,
                format!(
                    "no [categories.*] table for {}, so this policy never acts on {}",
                    missing.join(", "),
                    if missing.len() == 1 { "it" } else { "them" }
                ),
            ));
        }

        let mut obligations = BTreeMap::new();
        for (key, value) in raw.obligations {
            let category = match key.get_ref().parse::<Category>() {
                Ok(c) => c,
                Err(e) => {
                    self.error(key.span(), format!("in [obligations]: {e}"));
                    ok = false;
                    continue;
                }
            };
            match self.obligation(category, &key, value, categories.get(&category)) {
                Some(o) => {
                    obligations.insert(category, o);
                }
                None => ok = false,
            }
        }

        let mut blocklists = Vec::new();
        for (name, value) in raw.blocklists {
            match crate::blocklist::validate(
                self.loc,
                &name,
                value,
                self.base,
                &mut self.diagnostics,
            ) {
                Some(b) => blocklists.push(b),
                None => ok = false,
            }
        }

        let mut log = LogSettings::default();
        if let Some(raw_log) = raw.log {
            log.store_content = raw_log.store_content;
            if let Some(days) = raw_log.retention_days {
                match u32::try_from(*days.get_ref()) {
                    Ok(d) if d > 0 => log.retention_days = Some(d),
                    _ => {
                        self.error(
                            days.span(),
                            format!(
                                "[log] retention_days must be a whole number of days from 1 to {}; it is {}",
                                u32::MAX,
                                days.get_ref()
                            ),
                        );
                        ok = false;
                    }
                }
            }
        }

        let images = crate::banks::validate_images(self.loc, raw.images, &mut self.diagnostics)
            .unwrap_or_else(|| {
                ok = false; // the policy is refused; the defaults only fill the gap
                ImageSettings::default()
            });
        let video = crate::media::validate_video(self.loc, raw.video, &mut self.diagnostics)
            .unwrap_or_else(|| {
                ok = false;
                VideoSettings::default()
            });
        let audio = crate::media::validate_audio(self.loc, raw.audio, &mut self.diagnostics)
            .unwrap_or_else(|| {
                ok = false;
                AudioSettings::default()
            });
        let review = crate::review::validate_review(self.loc, raw.review, &mut self.diagnostics)
            .unwrap_or_else(|| {
                ok = false;
                ReviewSettings::default()
            });
        let notices =
            crate::notices::validate_notices(self.loc, raw.notices, &mut self.diagnostics)
                .unwrap_or_else(|| {
                    ok = false;
                    NoticeSettings::default()
                });
        let alerts = crate::alerts::validate_alerts(self.loc, raw.alerts, &mut self.diagnostics)
            .unwrap_or_else(|| {
                ok = false;
                crate::AlertSettings::default()
            });
        let mut banks = Vec::new();
        for (name, value) in raw.banks {
            match crate::banks::validate_bank(
                self.loc,
                &name,
                value,
                &covered,
                &mut self.diagnostics,
            ) {
                Some(b) => banks.push(b),
                None => ok = false,
            }
        }

        let dsa = raw.dsa.map(Spanned::into_inner);
        let dsa = DsaSettings {
            restrict_visibility: dsa
                .as_ref()
                .and_then(|d| d.restrict_visibility)
                .unwrap_or(Visibility::ContentDemoted),
            block_visibility: dsa
                .as_ref()
                .and_then(|d| d.block_visibility)
                .unwrap_or(Visibility::ContentRemoved),
            terms_url: dsa.and_then(|d| d.terms_url),
        };
        ok.then(|| Policy {
            version: vigil_core::VersionRef {
                name: raw.policy.name.into_inner(),
                version: raw.policy.version.into_inner(),
                digest: Some(sha256_hex(text.as_bytes())),
            },
            description: raw.policy.description,
            categories,
            obligations,
            dsa,
            blocklists,
            log,
            images,
            video,
            audio,
            banks,
            review,
            notices,
            alerts,
        })
    }

    fn category(
        &mut self,
        category: Category,
        value: Spanned<RawCategory>,
        default_ground: DecisionGround,
    ) -> Option<CategoryPolicy> {
        let table_span = value.span();
        let raw = value.into_inner();
        let mut ok = true;
        if raw.description.get_ref().trim().is_empty() {
            self.error(
                raw.description.span(),
                format!("category `{category}` needs a description"),
            );
            ok = false;
        }
        let thresholds = *raw.thresholds.get_ref();
        if !thresholds.is_ordered() {
            let listed: Vec<String> = thresholds
                .set_actions()
                .map(|(a, t)| format!("{a} = {t}"))
                .collect();
            self.error(
                raw.thresholds.span(),
                format!(
                    "thresholds of `{category}` are out of order ({}): they must rise from review to restrict to block",
                    listed.join(", ")
                ),
            );
            ok = false;
        }
        if thresholds.set_actions().next().is_none() {
            self.diagnostics.push(self.loc.warning(
                raw.thresholds.span(),
                format!("category `{category}` sets no threshold, so it is never acted on"),
            ));
        }
        let ground = raw
            .decision_ground
            .as_ref()
            .map_or(default_ground, |g| *g.get_ref());
        let ground_span = raw
            .decision_ground
            .as_ref()
            .map_or(table_span.clone(), Spanned::span);
        match ground {
            DecisionGround::IllegalContent if raw.legal_ground.is_none() => {
                self.error(
                    ground_span,
                    format!("category `{category}` is filed as illegal content, so it needs `legal_ground` (the law it breaks)"),
                );
                ok = false;
            }
            DecisionGround::IncompatibleContent if raw.terms_ground.is_none() => {
                self.error(
                    ground_span,
                    format!("category `{category}` is filed as incompatible with the terms of service, so it needs `terms_ground` (the clause it breaks)"),
                );
                ok = false;
            }
            _ => {}
        }
        for field in [&raw.legal_ground, &raw.terms_ground].into_iter().flatten() {
            let n = field.get_ref().chars().count();
            if n > MAX_GROUND_CHARS || field.get_ref().trim().is_empty() {
                self.error(
                    field.span(),
                    format!("a ground must be 1 to {MAX_GROUND_CHARS} characters (the DSA limit); this one is {n}"),
                );
                ok = false;
            }
        }
        ok.then(|| CategoryPolicy {
            description: raw.description.into_inner(),
            dsa_category: raw.dsa_category,
            dsa_keywords: raw.dsa_keywords,
            decision_ground: ground,
            legal_ground: raw.legal_ground.map(Spanned::into_inner),
            terms_ground: raw.terms_ground.map(Spanned::into_inner),
            thresholds,
        })
    }

    fn obligation(
        &mut self,
        category: Category,
        key: &Spanned<String>,
        value: Spanned<RawObligation>,
        policy: Option<&CategoryPolicy>,
    ) -> Option<Obligation> {
        let raw = value.into_inner();
        let mut ok = true;
        let Some(policy) = policy else {
            self.error(
                key.span(),
                format!("obligation for `{category}`, but the policy has no [categories.{category}] to meet it with"),
            );
            return None;
        };
        let confidence = *raw.confidence.get_ref();
        if !(0.5..1.0).contains(&confidence) {
            self.error(
                raw.confidence.span(),
                format!("confidence must be at least 0.5 and below 1; it is {confidence}"),
            );
            ok = false;
        }
        if raw.min_precision.is_none() && raw.min_recall.is_none() {
            self.error(
                key.span(),
                format!("obligation for `{category}` sets neither min_precision nor min_recall"),
            );
            ok = false;
        }
        for bound in [&raw.min_precision, &raw.min_recall].into_iter().flatten() {
            let v = *bound.get_ref();
            if !(v > 0.0 && v <= 1.0) {
                self.error(
                    bound.span(),
                    format!("a minimum precision or recall must be in (0, 1]; it is {v}"),
                );
                ok = false;
            } else if v >= 1.0 {
                self.error(
                    bound.span(),
                    format!("a minimum of 1.0 contradicts confidence {confidence}: the lower confidence bound of a measured proportion is below 1 for any finite sample, so it can never be shown"),
                );
                ok = false;
            }
        }
        // The default action: the least restrictive one that restricts, since
        // precision obligations are about wrongful restrictions.
        let action = match &raw.action {
            Some(a) => *a.get_ref(),
            None => [Action::Restrict, Action::Block, Action::Review]
                .into_iter()
                .find(|a| policy.thresholds.get(*a).is_some())
                .unwrap_or(Action::Block),
        };
        if action == Action::Allow || policy.thresholds.get(action).is_none() {
            let span = raw.action.as_ref().map_or(key.span(), Spanned::span);
            self.error(
                span,
                format!("obligation for `{category}` applies to `{action}`, but the category has no {action} threshold, so the obligation contradicts its thresholds"),
            );
            ok = false;
        }
        ok.then_some(Obligation {
            action,
            min_precision: raw.min_precision.map(Spanned::into_inner),
            min_recall: raw.min_recall.map(Spanned::into_inner),
            confidence,
        })
    }
}
