//! The report in the shape of the Commission's quantitative template
//! (Implementing Regulation (EU) 2024/2835, Annex I): one CSV per section
//! Vigil can fill, every row of the template present, figures from the
//! same store records as the rest of the report.
//!
//! Vigil's own categories become the template's rows through the policy:
//! each category's `dsa_category`, `dsa_keywords` and `decision_ground`
//! (illegal content: section 5; incompatible with the terms: section 6),
//! and `[dsa] restrict_visibility` / `block_visibility` for the type of
//! restriction. A measure counts once, under its main ground (the first of
//! its categories in [`Reason::precedence`], as its statement of reasons
//! is filed), and under each keyword of that category. Cells Vigil cannot
//! know are left empty and say why in their contextual column, or come
//! from the facts file. docs/transparency-report.md maps every cell.

mod template;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::OffsetDateTime;
use vigil_core::dsa::{DecisionGround, Visibility};
use vigil_core::{Action, Category, Reason, VersionRef};
use vigil_policy::{CategoryPolicy, Policy};
use vigil_store::{median_seconds, Detection, Measure, NoticeRecord, ALL};

use template::{
    TemplateCategory, ALL_PROVIDERS, CATEGORIES, HOSTING, INDICATOR_HEADER, KEYWORD_OTHER,
    MEASURE_COLUMNS, NOTICE_COLUMNS, NOT_SPECIFIED_NOTICE, NOT_SPECIFIED_ORDER, ORDER_COLUMNS,
    ORDER_CONTEXT_COLUMNS, OTHER_VIOLATION_TC, PLATFORMS, TOTAL, VLOPS, VLOPS_VLOSES,
};

use crate::online::{CategoryFigures, Estimate};
use crate::TransparencyReport;

/// The folder, inside a report's folder, that holds the template files.
pub const ANNEX_DIR: &str = "annex-i";

/// One section of the template, ready to write as CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnexTable {
    /// The file name, numbered as the template's parts are.
    pub file: &'static str,
    /// The column labels.
    pub header: Vec<String>,
    /// The rows, in the template's order.
    pub rows: Vec<Vec<String>>,
}

/// The template's sections for one report, and the policy that mapped
/// Vigil's categories onto the template's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annex {
    /// The policy whose DSA mapping was used.
    pub policy: VersionRef,
    /// The sections, in order.
    pub tables: Vec<AnnexTable>,
}

/// Where each section's figures come from, for the audit file beside the
/// template's files.
#[derive(Debug, Clone, Serialize)]
pub struct AnnexAudit<'a> {
    /// The policy whose DSA mapping placed Vigil's categories in rows.
    pub policy: &'a VersionRef,
    /// Per file, the queries of `report.json` its figures were counted
    /// from, and how.
    pub files: Vec<FileAudit>,
}

/// One file's sources.
#[derive(Debug, Clone, Serialize)]
pub struct FileAudit {
    /// The file.
    pub file: &'static str,
    /// Names of the queries in `report.json` (`facts`: the facts file).
    pub queries: &'static [&'static str],
    /// How the figures were counted.
    pub rule: &'static str,
}

impl Annex {
    /// Where each file's figures came from.
    pub fn audit(&self) -> AnnexAudit<'_> {
        AnnexAudit {
            policy: &self.policy,
            files: FILE_AUDIT
                .iter()
                .map(|(file, queries, rule)| FileAudit {
                    file,
                    queries,
                    rule,
                })
                .collect(),
        }
    }
}

const FILE_AUDIT: &[(&str, &[&str], &str)] = &[
    ("1_report_identification.csv", &["facts"], "provider, publication dates from the facts file; the period's first and last day"),
    ("3_member_states_orders.csv", &["notices"], "authority orders received in the period, by the statement category the policy files their claimed category under; time to give effect = acted_at - received_at of orders acted on with action taken before as_of, median, in hours"),
    ("4_notices.csv", &["notices"], "user and trusted-flagger notices received in the period, by the statement category (and its keywords) the policy files their claimed category under (not in the policy: NOT_SPECIFIED_NOTICE); items = distinct item ids; time to take action = acted_at - received_at of notices acted on before as_of, median, in hours; actions = outcome action_taken, on the basis of the law when the policy's decision ground for the claimed category is illegal content, else of the terms"),
    ("5_own_initiative_illegal.csv", &["automated_actions", "human_actions"], "own-initiative measures whose main ground's category the policy files as illegal content, once under its statement category and once under each of its keywords; type of restriction from [dsa] restrict_visibility / block_visibility"),
    ("6_own_initiative_TC.csv", &["automated_actions", "human_actions"], "as section 5, for categories filed as incompatible with the terms and conditions"),
    ("7_appeals_and_recidivism.csv", &["appeals", "facts"], "appeals filed in the period (all concern a restriction of content): upheld, reversed, not decided by as_of (decision omitted), median handling time in hours; out-of-court disputes and suspensions from the facts file"),
    ("8_automated_means.csv", &["automated_actions", "human_actions", "notices"], "measures solely automated: automated own-initiative measures plus notices handled by a rescan alone that took action; not automated: reviewers' measures plus reviewed notices that took action; per language from the item's meta.lang"),
    ("9_human_resources.csv", &["facts"], "moderators from the facts file"),
    ("10_AMAR.csv", &["facts"], "average monthly active recipients from the facts file"),
];

/// Fills the template's sections from `report`, placing Vigil's categories
/// with `policy`'s DSA mapping.
pub fn annex(report: &TransparencyReport, policy: &Policy) -> Annex {
    let ctx = Context::new(report);
    let mut tables = vec![identification(&ctx)];
    tables.push(orders(&ctx, policy));
    tables.push(notices(&ctx, policy));
    let (illegal, terms) = own_initiative(&ctx, policy);
    tables.push(illegal);
    tables.push(terms);
    tables.push(complaints(&ctx));
    tables.push(automated_means(&ctx));
    tables.push(human_resources(&ctx));
    tables.push(recipients(&ctx));
    Annex {
        policy: policy.version.clone(),
        tables,
    }
}

/// What every section needs.
struct Context<'a> {
    report: &'a TransparencyReport,
    service: String,
    period: String,
}

impl<'a> Context<'a> {
    fn new(report: &'a TransparencyReport) -> Self {
        let facts = report.facts.as_ref().map(|f| &f.facts);
        let service = facts
            .and_then(|f| f.service_name.clone())
            .unwrap_or_default();
        Context {
            report,
            service,
            period: format!(
                "{}/{}",
                first_day(report.window.start),
                last_day(report.window.end)
            ),
        }
    }

    fn facts(&self) -> Option<&crate::Facts> {
        self.report.facts.as_ref().map(|f| &f.facts)
    }

    /// An indicator-shaped row (sections 7 to 10).
    fn indicator(
        &self,
        applicability: &str,
        section: &str,
        indicator: &str,
        scope: &str,
        value: String,
        context: &str,
    ) -> Vec<String> {
        vec![
            applicability.to_owned(),
            self.service.clone(),
            self.period.clone(),
            section.to_owned(),
            indicator.to_owned(),
            scope.to_owned(),
            value,
            context.to_owned(),
        ]
    }
}

fn first_day(t: OffsetDateTime) -> String {
    t.date().to_string()
}

/// The date of the last instant before `end`.
fn last_day(end: OffsetDateTime) -> String {
    (end - time::Duration::nanoseconds(1)).date().to_string()
}

fn hours(values_ms: Vec<i64>) -> String {
    median_seconds(values_ms).map_or_else(String::new, hours_text)
}

/// Seconds as the templates' hours, to four places (a third of a second).
fn hours_text(seconds: f64) -> String {
    format!("{:.4}", seconds / 3600.0)
}

fn opt(v: Option<u64>) -> String {
    v.map_or_else(String::new, |n| n.to_string())
}

/// A category's DSA filing under `policy`, if the policy has it.
fn filing<'p>(category: &str, policy: &'p Policy) -> Option<&'p CategoryPolicy> {
    let category: Category = category.parse().ok()?;
    policy.categories.get(&category)
}

/// The measure's main ground's filing: its first category in
/// [`Reason::precedence`] order, as its statement of reasons names it.
fn main_filing<'p>(measure: &Measure, policy: &'p Policy) -> Option<&'p CategoryPolicy> {
    let mut grounds: Vec<(Action, Category)> = measure
        .grounds
        .iter()
        .filter_map(|g| Some((g.action.parse().ok()?, g.category.parse().ok()?)))
        .collect();
    grounds.sort_by(|a, b| Reason::precedence(*a, *b));
    grounds.first().and_then(|(_, c)| policy.categories.get(c))
}

/// The template's row keys of a category table: `TOTAL`, then each
/// category, its keywords and its `KEYWORD_OTHER`, then `closing` rows.
fn row_keys(blocks: &[&TemplateCategory], closing: Option<&'static str>) -> Vec<RowKey> {
    let mut keys = vec![RowKey::Total];
    for block in blocks {
        keys.push(RowKey::Category(block.category));
        keys.extend(
            block
                .keywords
                .iter()
                .map(|k| RowKey::Keyword(block.category, k)),
        );
        keys.push(RowKey::Keyword(block.category, KEYWORD_OTHER));
    }
    keys.extend(closing.map(RowKey::Category));
    keys
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RowKey {
    Total,
    Category(&'static str),
    Keyword(&'static str, &'static str),
}

impl RowKey {
    fn label(self) -> &'static str {
        match self {
            RowKey::Total => TOTAL,
            RowKey::Category(c) => c,
            RowKey::Keyword(_, k) => k,
        }
    }
}

/// The rows a filed item counts in: `TOTAL`, its statement category, and
/// each of its keywords. Keys the template has no row for are dropped by
/// the table.
fn keys_of(filing: &CategoryPolicy) -> Vec<(&'static str, Option<&'static str>)> {
    let category = filing.dsa_category.as_str();
    let mut keys = vec![(category, None)];
    keys.extend(
        filing
            .dsa_keywords
            .iter()
            .map(|k| (category, Some(k.as_str()))),
    );
    keys
}

/// Tallies per row key of one category table.
struct Tallies<T> {
    rows: BTreeMap<RowKey, T>,
    keys: Vec<RowKey>,
}

impl<T: Default> Tallies<T> {
    fn new(keys: Vec<RowKey>) -> Self {
        Tallies {
            rows: keys.iter().map(|k| (*k, T::default())).collect(),
            keys,
        }
    }

    /// Adds to `TOTAL` and to the rows of `filed` (or `fallback`).
    fn add(
        &mut self,
        filed: Option<&CategoryPolicy>,
        fallback: Option<&'static str>,
        mut f: impl FnMut(&mut T),
    ) {
        if let Some(t) = self.rows.get_mut(&RowKey::Total) {
            f(t);
        }
        // A filing this table has no category row for counts under the
        // fallback row (if any), like an item with no filing.
        let keys: Vec<RowKey> = match filed {
            Some(filing) if self.find(filing.dsa_category.as_str(), None).is_some() => {
                keys_of(filing)
                    .into_iter()
                    .filter_map(|(c, k)| self.find(c, k))
                    .collect()
            }
            _ => fallback.map(RowKey::Category).into_iter().collect(),
        };
        for key in keys {
            if let Some(t) = self.rows.get_mut(&key) {
                f(t);
            }
        }
    }

    /// The table's own key for a category or keyword, if it has the row.
    fn find(&self, category: &str, keyword: Option<&str>) -> Option<RowKey> {
        self.keys.iter().copied().find(|k| match (k, keyword) {
            (RowKey::Category(c), None) => *c == category,
            (RowKey::Keyword(c, kw), Some(w)) => *c == category && *kw == w,
            _ => false,
        })
    }

    fn ordered(&self) -> impl Iterator<Item = (RowKey, &T)> {
        self.keys.iter().map(|k| (*k, &self.rows[k]))
    }
}

fn identification(ctx: &Context) -> AnnexTable {
    let facts = ctx.facts();
    let text = |v: Option<&String>| v.cloned().unwrap_or_default();
    let rows = [
        (
            "Name of the service provider",
            text(facts.and_then(|f| f.provider_name.as_ref())),
        ),
        (
            "Date of the publication of the report",
            text(facts.and_then(|f| f.publication_date.as_ref())),
        ),
        (
            "Date of the publication of the latest previous report",
            text(facts.and_then(|f| f.previous_publication_date.as_ref())),
        ),
        (
            "Starting date of reporting period",
            first_day(ctx.report.window.start),
        ),
        (
            "Ending date of reporting period",
            last_day(ctx.report.window.end),
        ),
    ];
    AnnexTable {
        file: "1_report_identification.csv",
        header: strings(&["Applicability", "Service", "Indicator", "Value"]),
        rows: rows
            .into_iter()
            .map(|(indicator, value)| {
                vec![
                    ALL_PROVIDERS.to_owned(),
                    ctx.service.clone(),
                    indicator.to_owned(),
                    value,
                ]
            })
            .collect(),
    }
}

/// The contextual cells of a category table's row: said once, on the
/// `TOTAL` row, empty on the others.
fn total_only(key: RowKey, context: &[String]) -> Vec<String> {
    if key == RowKey::Total {
        context.to_vec()
    } else {
        vec![String::new(); context.len()]
    }
}

fn strings(labels: &[&str]) -> Vec<String> {
    labels.iter().map(|s| (*s).to_owned()).collect()
}

/// The leading columns of a category table's row.
fn category_cells(ctx: &Context, applicability: &str, key: RowKey) -> Vec<String> {
    vec![
        applicability.to_owned(),
        ctx.service.clone(),
        ctx.period.clone(),
        key.label().to_owned(),
        String::new(),
    ]
}

fn category_header(first: &str, columns: &[&str], context: &str) -> Vec<String> {
    let mut header = strings(&[
        "Applicability",
        "Service",
        "Reporting period",
        first,
        "Description of the sub-category \"Other\"",
    ]);
    header.extend(columns.iter().map(|c| (*c).to_owned()));
    header.extend(columns.iter().map(|c| format!("{context}{c}")));
    header
}

#[derive(Default)]
struct OrderTally {
    received: u64,
    items: BTreeSet<String>,
    effect_ms: Vec<i64>,
}

fn orders(ctx: &Context, policy: &Policy) -> AnnexTable {
    let blocks: Vec<&TemplateCategory> = CATEGORIES.iter().collect();
    let mut tallies: Tallies<OrderTally> =
        Tallies::new(row_keys(&blocks, Some(NOT_SPECIFIED_ORDER)));
    let as_of = ctx.report.window.as_of;
    for n in ctx
        .report
        .notice_records
        .iter()
        .filter(|n| n.reporter_type == "authority_order")
    {
        let effect = match (n.outcome.as_deref(), n.acted_at) {
            (Some("action_taken"), Some(at)) if at < as_of => Some(millis(at - n.received_at)),
            _ => None,
        };
        tallies.add(
            filing(&n.category, policy),
            Some(NOT_SPECIFIED_ORDER),
            |t| {
                t.received += 1;
                t.items.insert(n.item_id.clone());
                t.effect_ms.extend(effect);
            },
        );
    }
    let mut header = strings(&[
        "Applicability",
        "Service",
        "Reporting period",
        "Category of illegal content",
        "Description of the sub-category \"Other\"",
        "Scope",
    ]);
    header.extend(strings(&ORDER_COLUMNS));
    header.extend(strings(&ORDER_CONTEXT_COLUMNS));
    let context: Vec<String> = [
        "Authority orders (Art. 9) recorded as notices of reporter type authority_order; Vigil does not record the issuing Member State, so only TOTAL scope rows are given",
        "Distinct item ids the orders concern",
        "Vigil does not record when the authority was informed of the receipt",
        "Median hours from receipt to the action taken, over orders acted on with action taken before as_of",
        "Vigil does not record orders to provide information (Art. 10)",
        "Vigil does not record orders to provide information (Art. 10)",
        "Vigil does not record orders to provide information (Art. 10)",
    ]
    .map(str::to_owned)
    .to_vec();
    let rows = tallies
        .ordered()
        .map(|(key, t)| {
            let mut row = category_cells(ctx, ALL_PROVIDERS, key);
            row.push(TOTAL.to_owned());
            row.extend([
                t.received.to_string(),
                t.items.len().to_string(),
                String::new(),
                hours(t.effect_ms.clone()),
                String::new(),
                String::new(),
                String::new(),
            ]);
            row.extend(total_only(key, &context));
            row
        })
        .collect();
    AnnexTable {
        file: "3_member_states_orders.csv",
        header,
        rows,
    }
}

#[derive(Default)]
struct NoticeTally {
    received: [u64; 2],
    items: [BTreeSet<String>; 2],
    act_ms: [Vec<i64>; 2],
    law: [u64; 2],
    terms: [u64; 2],
}

fn notices(ctx: &Context, policy: &Policy) -> AnnexTable {
    let blocks: Vec<&TemplateCategory> = CATEGORIES.iter().collect();
    let mut tallies: Tallies<NoticeTally> =
        Tallies::new(row_keys(&blocks, Some(NOT_SPECIFIED_NOTICE)));
    let as_of = ctx.report.window.as_of;
    let mut unfiled_actions = 0u64;
    for n in ctx
        .report
        .notice_records
        .iter()
        .filter(|n| n.reporter_type != "authority_order")
    {
        let filed = filing(&n.category, policy);
        let acted = match (n.outcome.as_deref(), n.acted_at) {
            (Some(outcome), Some(at)) if at < as_of => Some((outcome, millis(at - n.received_at))),
            _ => None,
        };
        let taken = matches!(acted, Some(("action_taken", _)));
        let ground = filed.map(|f| f.decision_ground);
        if taken && ground.is_none() {
            unfiled_actions += 1;
        }
        let flagger = n.reporter_type == "trusted_flagger";
        tallies.add(filed, Some(NOT_SPECIFIED_NOTICE), |t| {
            for (i, counts) in [true, flagger].into_iter().enumerate() {
                if !counts {
                    continue;
                }
                t.received[i] += 1;
                t.items[i].insert(n.item_id.clone());
                if let Some((_, ms)) = acted {
                    t.act_ms[i].push(ms);
                }
                match (taken, ground) {
                    (true, Some(DecisionGround::IllegalContent)) => t.law[i] += 1,
                    (true, Some(DecisionGround::IncompatibleContent)) => t.terms[i] += 1,
                    _ => {}
                }
            }
        });
    }
    let context = [
        "Art. 16 notices from users and trusted flaggers received in the period (authority orders are in section 3)".to_owned(),
        "Notices of reporter type trusted_flagger".to_owned(),
        "Distinct item ids the notices concern".to_owned(),
        "Distinct item ids the trusted flaggers' notices concern".to_owned(),
        "Median hours from receipt to the recorded outcome (action or no action), over notices acted on before as_of".to_owned(),
        "As the previous column, trusted flaggers' notices".to_owned(),
        format!("Notices acted on with action taken whose claimed category the policy files as illegal content{}", unfiled(unfiled_actions)),
        "As the previous column, trusted flaggers' notices".to_owned(),
        "Notices acted on with action taken whose claimed category the policy files as incompatible with the terms and conditions".to_owned(),
        "As the previous column, trusted flaggers' notices".to_owned(),
    ];
    let rows = tallies
        .ordered()
        .map(|(key, t)| {
            let mut row = category_cells(ctx, HOSTING, key);
            row.extend([
                t.received[0].to_string(),
                t.received[1].to_string(),
                t.items[0].len().to_string(),
                t.items[1].len().to_string(),
                hours(t.act_ms[0].clone()),
                hours(t.act_ms[1].clone()),
                t.law[0].to_string(),
                t.law[1].to_string(),
                t.terms[0].to_string(),
                t.terms[1].to_string(),
            ]);
            row.extend(total_only(key, &context));
            row
        })
        .collect();
    AnnexTable {
        file: "4_notices.csv",
        header: category_header(
            "Category of illegal content",
            &NOTICE_COLUMNS,
            "Contextual information on ",
        ),
        rows,
    }
}

fn unfiled(n: u64) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("; {n} notices acted on with action taken claim a category the policy does not act on and are in neither actions column")
    }
}

#[derive(Default)]
struct MeasureTally {
    own: u64,
    automated: u64,
    visibility: [u64; 7],
}

fn visibility_column(v: Visibility) -> usize {
    match v {
        Visibility::ContentRemoved => 0,
        Visibility::ContentDisabled => 1,
        Visibility::ContentDemoted => 2,
        Visibility::ContentAgeRestricted => 3,
        Visibility::ContentInteractionRestricted => 4,
        Visibility::ContentLabelled => 5,
        Visibility::Other => 6,
    }
}

fn own_initiative(ctx: &Context, policy: &Policy) -> (AnnexTable, AnnexTable) {
    let illegal_blocks: Vec<&TemplateCategory> = CATEGORIES.iter().collect();
    let mut terms_blocks = illegal_blocks.clone();
    terms_blocks.push(&OTHER_VIOLATION_TC);
    let mut illegal: Tallies<MeasureTally> = Tallies::new(row_keys(&illegal_blocks, None));
    let mut terms: Tallies<MeasureTally> = Tallies::new(row_keys(&terms_blocks, None));
    let mut unfiled = 0u64;
    for m in &ctx.report.measures {
        let Some(filed) = main_filing(m, policy) else {
            unfiled += 1;
            continue;
        };
        let visibility = if m.restriction == "block" {
            policy.dsa.block_visibility
        } else {
            policy.dsa.restrict_visibility
        };
        let table = match filed.decision_ground {
            DecisionGround::IllegalContent => &mut illegal,
            DecisionGround::IncompatibleContent => &mut terms,
        };
        table.add(Some(filed), None, |t| {
            t.own += 1;
            t.automated += u64::from(m.detection == Detection::Automated);
            t.visibility[visibility_column(visibility)] += 1;
        });
    }
    let total_context = |section: &str| {
        let mut c = vec![
            format!("Restrictions by the engine and by reviewers of policy-queue items, filed under the main ground's category when the policy files it as {section}{}", if unfiled == 0 { String::new() } else { format!("; {unfiled} measures with no category the policy acts on (hash-bank matches alone, reviews labelling no category) are in neither section 5 nor 6 (own_initiative.csv, category none)") }),
            "Restrictions the engine took with no person involved".to_owned(),
        ];
        c.extend(
            (0..7).map(|_| "From the policy's [dsa] restrict_visibility / block_visibility for the measure's action".to_owned()),
        );
        c.extend((0..7).map(|_| "Vigil restricts the visibility of content only; it records no monetary, service or account restrictions".to_owned()));
        c
    };
    let table = |tallies: &Tallies<MeasureTally>, file, first, section| {
        let context = total_context(section);
        let rows = tallies
            .ordered()
            .map(|(key, t)| {
                let mut row = category_cells(ctx, ALL_PROVIDERS, key);
                row.push(t.own.to_string());
                row.push(t.automated.to_string());
                row.extend(t.visibility.iter().map(u64::to_string));
                row.extend(std::iter::repeat_n(String::new(), 7));
                row.extend(total_only(key, &context));
                row
            })
            .collect();
        AnnexTable {
            file,
            header: category_header(first, &MEASURE_COLUMNS, "Contextual Information on "),
            rows,
        }
    };
    (
        table(
            &illegal,
            "5_own_initiative_illegal.csv",
            "Category of illegal content",
            "illegal content",
        ),
        table(
            &terms,
            "6_own_initiative_TC.csv",
            "Category of incompatibility with the provider's terms and conditions",
            "incompatible with the terms and conditions",
        ),
    )
}

fn complaints(ctx: &Context) -> AnnexTable {
    const SECTION: &str = "Internal complaints mechanism";
    const COUNT: &str = "Number of complaints submitted to the internal-complaints mechanism";
    const VISIBILITY: &str = "Complaint regarding a decision to remove or disable access to or restrict visibility of information";
    const NOT_HANDLED: &str = "Vigil's appeals concern restrictions of content only";
    let all = ctx
        .report
        .complaints
        .rows
        .iter()
        .find(|r| r.category == ALL && r.appealed_action == ALL);
    let figure = |f: fn(&vigil_store::ComplaintRow) -> u64| all.map_or(0, f).to_string();
    let median = all
        .and_then(|r| r.median_handling_s)
        .map_or_else(String::new, hours_text);
    let outcomes = |indicator: &str, with_omitted: bool| {
        let mut rows = vec![
            ctx.indicator(
                PLATFORMS,
                SECTION,
                indicator,
                "Decisions upheld",
                figure(|r| r.upheld),
                "Appeals decided before as_of with the decision upheld",
            ),
            ctx.indicator(
                PLATFORMS,
                SECTION,
                indicator,
                "Decisions partially reversed",
                "0".to_owned(),
                "A Vigil appeal is upheld or overturned as a whole",
            ),
            ctx.indicator(
                PLATFORMS,
                SECTION,
                indicator,
                "Decisions reversed",
                figure(|r| r.overturned),
                "Appeals decided before as_of with the decision overturned",
            ),
            ctx.indicator(
                PLATFORMS,
                SECTION,
                indicator,
                "Median time",
                median.clone(),
                "The median time is in hours, from filing to decision, over the decided",
            ),
        ];
        if with_omitted {
            rows.push(ctx.indicator(
                PLATFORMS,
                SECTION,
                indicator,
                "Decision omitted",
                figure(|r| r.pending),
                "Appeals not decided before as_of",
            ));
        }
        rows
    };
    let mut rows = vec![ctx.indicator(
        ALL_PROVIDERS,
        SECTION,
        COUNT,
        "Total number",
        figure(|r| r.filed),
        "Appeals filed in the period",
    )];
    rows.extend(outcomes(COUNT, true));
    rows.push(ctx.indicator(
        PLATFORMS,
        SECTION,
        "Number of restrictions newly imposed as a result of an internal complaint",
        "Total number",
        "0".to_owned(),
        "A Vigil appeal can uphold or lift a restriction, not impose a new one",
    ));
    rows.push(ctx.indicator(
        PLATFORMS,
        SECTION,
        VISIBILITY,
        "Total number",
        figure(|r| r.filed),
        "Every Vigil appeal concerns a restriction of content",
    ));
    rows.extend(outcomes(VISIBILITY, false));
    for indicator in [
        "Complaint regarding a decision to suspend or terminate the provision of the service",
        "Complaint regarding a decision to suspend or terminate an account",
        "Complaint regarding a decision to restrict the ability to monetise information",
        "Complaint regarding a decision not to take action on a notice submitted in accordance with Article 16",
        "Complaint regarding a decision not to take action on a notice submitted by a Trusted Flagger in accordance with Article 16",
    ] {
        for scope in [
            "Total number",
            "Decisions upheld",
            "Decisions partially reversed",
            "Decisions reversed",
            "Median time",
        ] {
            let context = if scope == "Total number" { NOT_HANDLED } else { "" };
            rows.push(ctx.indicator(PLATFORMS, SECTION, indicator, scope, String::new(), context));
        }
    }
    let facts = ctx.facts();
    const ODS: &str = "Out-of-court dispute settlement bodies";
    const DISPUTES: &str = "Number of disputes submitted to out-of-court dispute settlement bodies";
    rows.push(ctx.indicator(
        PLATFORMS,
        ODS,
        DISPUTES,
        "Total number",
        opt(facts.and_then(|f| f.out_of_court_disputes)),
        "From the facts file (out_of_court_disputes); Vigil does not record disputes",
    ));
    for scope in [
        "Decisions upheld",
        "Decisions partially reversed",
        "Decisions reversed",
        "Median time",
        "Decision omitted",
        "Percentage of outcomes implemented",
    ] {
        rows.push(ctx.indicator(PLATFORMS, ODS, DISPUTES, scope, String::new(), ""));
    }
    const SUSPENSIONS: &str = "Suspensions imposed on repeated offenders";
    let total = facts.and_then(|f| f.suspensions);
    for (indicator, value) in [
        (
            "Number of suspensions enacted for the provision of manifestly illegal content",
            facts.and_then(|f| f.suspensions_manifestly_illegal_content),
        ),
        (
            "Number of suspensions enacted for the provision of manifestly unfounded notices",
            facts.and_then(|f| f.suspensions_manifestly_unfounded_notices),
        ),
        (
            "Number of suspensions enacted for the provision of manifestly unfounded complaints",
            facts.and_then(|f| f.suspensions_manifestly_unfounded_complaints),
        ),
    ] {
        let context = match (value, total) {
            (Some(_), _) => "From the facts file".to_owned(),
            (None, Some(t)) => {
                format!("The facts file gives only the total of Art. 23 suspensions: {t}")
            }
            (None, None) => "Not in the facts file; Vigil does not record suspensions".to_owned(),
        };
        rows.push(ctx.indicator(
            PLATFORMS,
            SUSPENSIONS,
            indicator,
            "Total number",
            opt(value),
            &context,
        ));
    }
    AnnexTable {
        file: "7_appeals_and_recidivism.csv",
        header: strings(&INDICATOR_HEADER),
        rows,
    }
}

fn automated_means(ctx: &Context) -> AnnexTable {
    const SECTION: &str = "Use of automated means for content moderation";
    const SOLELY: &str = "Number of measures solely taken by automated means";
    const NOT: &str = "Number of measures not taken by automated means";
    const ACCURACY: [&str; 3] = [
        "Accuracy of the automated means - Accuracy",
        "Accuracy of the automated means - Precision",
        "Accuracy of the automated means - Recall",
    ];
    let report = ctx.report;
    let as_of = report.window.as_of;
    let own = |d: Detection| report.measures.iter().filter(|m| m.detection == d).count() as u64;
    let acted = |n: &&NoticeRecord| {
        n.outcome.as_deref() == Some("action_taken") && n.acted_at.is_some_and(|at| at < as_of)
    };
    let notice_actions = |reviewed: bool| {
        report
            .notice_records
            .iter()
            .filter(acted)
            .filter(|n| n.reviewed == reviewed)
            .count() as u64
    };
    let (auto_own, human_own) = (own(Detection::Automated), own(Detection::Human));
    let mut rows = Vec::new();
    for (scope, solely, not) in [
        (
            "Total number",
            auto_own + notice_actions(false),
            human_own + notice_actions(true),
        ),
        ("Own-initiative", auto_own, human_own),
    ] {
        rows.push(ctx.indicator(ALL_PROVIDERS, SECTION, SOLELY, scope, solely.to_string(), "Automated own-initiative restrictions, plus (Total) notices and orders a rescan alone acted on with action taken"));
        rows.push(ctx.indicator(ALL_PROVIDERS, SECTION, NOT, scope, not.to_string(), "Restrictions by reviewers of policy-queue items, plus (Total) reviewed notices and orders acted on with action taken"));
        for (indicator, pick) in ACCURACY.iter().zip(PICKS) {
            let context = accuracy_context(report, ALL, pick);
            rows.push(ctx.indicator(
                ALL_PROVIDERS,
                SECTION,
                indicator,
                scope,
                String::new(),
                &context,
            ));
        }
    }
    for (applicability, scope, flagger_only) in [
        (HOSTING, "NAM Total", false),
        (PLATFORMS, "NAM Trusted Flagger", true),
    ] {
        let count = |reviewed: bool| {
            report
                .notice_records
                .iter()
                .filter(|n| n.reporter_type != "authority_order")
                .filter(|n| !flagger_only || n.reporter_type == "trusted_flagger")
                .filter(|n| n.reviewed == reviewed)
                .count() as u64
        };
        rows.push(ctx.indicator(
            applicability,
            SECTION,
            "Number of notices solely processed by automated means",
            scope,
            count(false).to_string(),
            "Art. 16 notices the policy handled by a rescan alone, with no review",
        ));
        rows.push(ctx.indicator(
            applicability,
            SECTION,
            "Number of notices not processed by automated means",
            scope,
            count(true).to_string(),
            "Art. 16 notices a reviewer judged",
        ));
        for indicator in ACCURACY {
            rows.push(ctx.indicator(
                applicability,
                SECTION,
                indicator,
                scope,
                String::new(),
                "Not estimated for notice handling",
            ));
        }
    }
    let mut by_lang: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for m in &report.measures {
        let Some(lang) = m.lang.as_deref() else {
            continue;
        };
        let e = by_lang.entry(lang).or_default();
        match m.detection {
            Detection::Automated => e.0 += 1,
            Detection::Human => e.1 += 1,
        }
    }
    for (lang, (auto, human)) in &by_lang {
        rows.push(ctx.indicator(
            VLOPS,
            SECTION,
            SOLELY,
            lang,
            auto.to_string(),
            "Automated own-initiative restrictions of items in this language (meta.lang)",
        ));
        rows.push(ctx.indicator(
            VLOPS,
            SECTION,
            NOT,
            lang,
            human.to_string(),
            "Reviewers' own-initiative restrictions of items in this language (meta.lang)",
        ));
        for (indicator, pick) in ACCURACY.iter().zip(PICKS) {
            let context = accuracy_context(report, lang, pick);
            rows.push(ctx.indicator(VLOPS, SECTION, indicator, lang, String::new(), &context));
        }
    }
    AnnexTable {
        file: "8_automated_means.csv",
        header: strings(&INDICATOR_HEADER),
        rows,
    }
}

/// Which estimate of a category an accuracy row reads: accuracy,
/// precision, recall, in the template's order.
type Pick = fn(&CategoryFigures) -> Option<&Estimate>;
const PICKS: [Pick; 3] = [
    |c| c.accuracy.as_ref(),
    |c| c.precision.as_ref(),
    |c| c.recall.as_ref(),
];

/// The accuracy section's estimates for `lang` (`all`: every decision),
/// one per category, as the contextual text of a template row: Vigil
/// estimates per category (the template's single value stays empty).
fn accuracy_context(report: &TransparencyReport, lang: &str, pick: Pick) -> String {
    let Some(slice) = report.accuracy.slices.iter().find(|s| s.lang == lang) else {
        return "Not estimated: no decisions in this slice".to_owned();
    };
    let level = slice.report.confidence * 100.0;
    let parts: Vec<String> = slice
        .report
        .categories
        .iter()
        .map(|c| match pick(c) {
            Some(e) => format!(
                "{} {:.3} [{:.3}, {:.3}]{}",
                c.category,
                e.estimate,
                e.low,
                e.high,
                if e.meaningful {
                    ""
                } else {
                    " (sample too small to read)"
                }
            ),
            None => format!("{} no estimate (nothing sampled)", c.category),
        })
        .collect();
    format!(
        "Estimated per category, {level:.0}% intervals, from the random audit and prevalence samples (accuracy.csv, lang {lang}): {}",
        parts.join("; ")
    )
}

fn human_resources(ctx: &Context) -> AnnexTable {
    const SECTION: &str = "Human resources dedicated to content moderation";
    const LINGUISTIC: &str = "Number of total moderators with sufficient linguistic expertise";
    let facts = ctx.facts();
    let mut rows = vec![
        ctx.indicator(VLOPS, SECTION, "Number of internal moderators employed by the provider", "Total number", opt(facts.and_then(|f| f.internal_moderators)), "From the facts file (internal_moderators)"),
        ctx.indicator(VLOPS, SECTION, "Number of external moderators contracted by the provider", "Total number", opt(facts.and_then(|f| f.external_moderators)), "From the facts file (external_moderators)"),
        ctx.indicator(VLOPS, SECTION, LINGUISTIC, "Total number", String::new(), "Per language below, from the facts file (moderation_staff); a person with several languages counts under each"),
    ];
    if let Some(staff) = facts.and_then(|f| f.moderation_staff.as_ref()) {
        rows.extend(
            staff.iter().map(|(lang, n)| {
                ctx.indicator(VLOPS, SECTION, LINGUISTIC, lang, n.to_string(), "")
            }),
        );
    }
    let mut header = strings(&INDICATOR_HEADER);
    header[7] = "Contextual information".to_owned();
    AnnexTable {
        file: "9_human_resources.csv",
        header,
        rows,
    }
}

fn recipients(ctx: &Context) -> AnnexTable {
    const INDICATOR: &str =
        "Number of average monthly active recipients during the reporting period";
    let facts = ctx.facts();
    let row = |scope: &str, value: String| {
        let mut r = ctx.indicator(VLOPS_VLOSES, "AMAR", INDICATOR, scope, value, "");
        r.pop();
        r
    };
    let mut rows = vec![row(
        TOTAL,
        opt(facts.and_then(|f| f.monthly_active_recipients)),
    )];
    if let Some(states) = facts.and_then(|f| f.monthly_active_recipients_by_member_state.as_ref()) {
        rows.extend(states.iter().map(|(state, n)| row(state, n.to_string())));
    }
    let mut header = strings(&INDICATOR_HEADER);
    header.pop();
    AnnexTable {
        file: "10_AMAR.csv",
        header,
        rows,
    }
}

fn millis(d: time::Duration) -> i64 {
    i64::try_from(d.whole_milliseconds()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
