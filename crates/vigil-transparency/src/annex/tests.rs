//! The template sections from a hand-built report: every figure checked
//! against counts written out here, by hand, from the records below.

use time::macros::datetime;
use time::OffsetDateTime;
use vigil_store::{
    ComplaintRow, Detection, Measure, MeasureGround, NoticeRecord, ReportWindow, Section,
};

use super::*;
use crate::{Facts, FactsSource};

const POLICY: &str = r#"
[policy]
name = "annex-test"
version = "7"

[dsa]
decision_ground = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
restrict_visibility = "DECISION_VISIBILITY_CONTENT_DEMOTED"
block_visibility = "DECISION_VISIBILITY_CONTENT_REMOVED"

[categories.hate]
description = "hate"
dsa_category = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
dsa_keywords = ["KEYWORD_HATE_SPEECH", "KEYWORD_DISCRIMINATION"]
decision_ground = "DECISION_GROUND_ILLEGAL_CONTENT"
legal_ground = "Criminal code s. 130"
thresholds = { restrict = 0.5, block = 0.9 }

[categories.spam_scam]
description = "spam"
dsa_category = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
dsa_keywords = ["KEYWORD_PHISHING"]
terms_ground = "Terms 4: spam"
thresholds = { restrict = 0.5, block = 0.9 }

[categories.sexual]
description = "adult"
dsa_category = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
dsa_keywords = ["KEYWORD_ADULT_SEXUAL_MATERIAL"]
terms_ground = "Terms 5: adult content"
thresholds = { restrict = 0.5, block = 0.9 }
"#;

fn policy() -> Policy {
    Policy::from_toml(POLICY, "annex-test.toml")
        .expect("the test policy")
        .policy
}

fn ground(category: &str, action: &str) -> MeasureGround {
    MeasureGround {
        category: category.to_owned(),
        action: action.to_owned(),
    }
}

fn measure(
    id: &str,
    detection: Detection,
    restriction: &str,
    grounds: Vec<MeasureGround>,
    lang: Option<&str>,
) -> Measure {
    Measure {
        id: id.to_owned(),
        detection,
        restriction: restriction.to_owned(),
        grounds,
        lang: lang.map(str::to_owned),
    }
}

const AS_OF: OffsetDateTime = datetime!(2027-01-10 0:00 UTC);

fn notice(
    reporter: &str,
    category: &str,
    item: &str,
    received: OffsetDateTime,
    acted: Option<(&str, OffsetDateTime)>,
    reviewed: bool,
) -> NoticeRecord {
    NoticeRecord {
        id: format!("n-{item}-{reporter}"),
        reporter_type: reporter.to_owned(),
        category: category.to_owned(),
        item_id: item.to_owned(),
        received_at: received,
        outcome: acted.map(|(o, _)| o.to_owned()),
        action: acted.map(|(o, _)| {
            if o == "action_taken" {
                "block"
            } else {
                "allow"
            }
            .to_owned()
        }),
        acted_at: acted.map(|(_, t)| t),
        reviewed,
    }
}

fn report(facts: Option<Facts>) -> TransparencyReport {
    let t0 = datetime!(2026-09-01 10:00 UTC);
    let h = time::Duration::hours;
    fn empty<T>() -> Section<T> {
        Section {
            rows: Vec::new(),
            queries: Vec::new(),
        }
    }
    TransparencyReport {
        period: "2026-H2".to_owned(),
        window: ReportWindow {
            start: datetime!(2026-07-01 0:00 UTC),
            end: datetime!(2027-01-01 0:00 UTC),
            as_of: AS_OF,
        },
        interim: false,
        generated_at: AS_OF,
        facts: facts.map(|facts| FactsSource {
            path: "facts.toml".into(),
            sha256: "sha256:0".to_owned(),
            facts,
        }),
        own_initiative: empty(),
        notices: empty(),
        complaints: Section {
            rows: vec![ComplaintRow {
                category: ALL.to_owned(),
                appealed_action: ALL.to_owned(),
                filed: 9,
                upheld: 4,
                overturned: 3,
                pending: 2,
                median_handling_s: Some(5400.0),
            }],
            queries: Vec::new(),
        },
        automated_means: empty(),
        accuracy: Default::default(),
        measures: vec![
            // Blocked for hate, also restricted for spam: main ground hate
            // (block outranks restrict), section 5.
            measure(
                "d1",
                Detection::Automated,
                "block",
                vec![ground("hate", "block"), ground("spam_scam", "restrict")],
                Some("de"),
            ),
            // Both restrict: the tie goes to the first category in order
            // (hate before spam_scam), section 5.
            measure(
                "d2",
                Detection::Automated,
                "restrict",
                vec![ground("spam_scam", "restrict"), ground("hate", "restrict")],
                Some("en"),
            ),
            // Spam alone: section 6.
            measure(
                "d3",
                Detection::Automated,
                "block",
                vec![ground("spam_scam", "block")],
                Some("en"),
            ),
            // A reviewer's restriction for adult content: section 6,
            // OTHER_VIOLATION_TC.
            measure(
                "r1",
                Detection::Human,
                "restrict",
                vec![ground("sexual", "restrict")],
                None,
            ),
            // No category: in neither section.
            measure("d4", Detection::Automated, "block", Vec::new(), Some("de")),
        ],
        notice_records: vec![
            // Acted on with action after 2 h; hate (illegal).
            notice(
                "user",
                "hate",
                "a",
                t0,
                Some(("action_taken", t0 + h(2))),
                true,
            ),
            // Same item again from a trusted flagger, action after 4 h.
            notice(
                "trusted_flagger",
                "hate",
                "a",
                t0,
                Some(("action_taken", t0 + h(4))),
                false,
            ),
            // No action after 6 h; spam (terms).
            notice(
                "user",
                "spam_scam",
                "b",
                t0,
                Some(("no_action", t0 + h(6))),
                true,
            ),
            // Pending: acted only after as_of.
            notice(
                "user",
                "violence",
                "c",
                t0,
                Some(("action_taken", AS_OF + h(1))),
                true,
            ),
            // An authority's order, given effect after 3 h.
            notice(
                "authority_order",
                "hate",
                "d",
                t0,
                Some(("action_taken", t0 + h(3))),
                true,
            ),
        ],
    }
}

fn table<'a>(annex: &'a Annex, file: &str) -> &'a AnnexTable {
    annex
        .tables
        .iter()
        .find(|t| t.file == file)
        .unwrap_or_else(|| panic!("no {file}"))
}

/// The cell of the row whose category column (index 3) reads `key`, first
/// such row, under the column labelled `column`.
fn cell<'a>(t: &'a AnnexTable, key: &str, column: &str) -> &'a str {
    let col = t
        .header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {}", t.file));
    let row = t
        .rows
        .iter()
        .find(|r| r[3] == key)
        .unwrap_or_else(|| panic!("no row {key} in {}", t.file));
    &row[col]
}

/// The value of an indicator-shaped row.
fn value<'a>(t: &'a AnnexTable, indicator: &str, scope: &str) -> &'a str {
    let row = t
        .rows
        .iter()
        .find(|r| r[4] == indicator && r[5] == scope)
        .unwrap_or_else(|| panic!("no {indicator} / {scope} in {}", t.file));
    &row[6]
}

#[test]
fn own_initiative_measures_land_under_their_main_ground() {
    let annex = annex(&report(None), &policy());
    assert_eq!(annex.policy.name, "annex-test");
    let own = "Number of measures taken at the provider's own initiative";
    let auto = "Number of measures taken after detection with solely automated means";
    let removal = "Visibility restriction Removal";
    let demoted = "Visibility restriction Demoted";

    let illegal = table(&annex, "5_own_initiative_illegal.csv");
    // d1 (block) and d2 (restrict), both automated, both hate.
    assert_eq!(cell(illegal, "TOTAL", own), "2");
    assert_eq!(cell(illegal, "TOTAL", auto), "2");
    assert_eq!(cell(illegal, "TOTAL", removal), "1");
    assert_eq!(cell(illegal, "TOTAL", demoted), "1");
    assert_eq!(
        cell(illegal, "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", own),
        "2"
    );
    assert_eq!(cell(illegal, "KEYWORD_HATE_SPEECH", own), "2");
    assert_eq!(cell(illegal, "KEYWORD_DISCRIMINATION", own), "2");
    assert_eq!(cell(illegal, "KEYWORD_DEFAMATION", own), "0");
    assert_eq!(
        cell(illegal, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", own),
        "0"
    );
    // Monetary, service and account restrictions are not Vigil's: empty.
    assert_eq!(
        cell(illegal, "TOTAL", "Account restriction Termination"),
        ""
    );

    let terms = table(&annex, "6_own_initiative_TC.csv");
    // d3 (automated block, spam) and r1 (reviewer restrict, sexual).
    assert_eq!(cell(terms, "TOTAL", own), "2");
    assert_eq!(cell(terms, "TOTAL", auto), "1");
    assert_eq!(cell(terms, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", own), "1");
    assert_eq!(
        cell(terms, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", removal),
        "1"
    );
    assert_eq!(cell(terms, "KEYWORD_PHISHING", own), "1");
    assert_eq!(
        cell(terms, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", own),
        "1"
    );
    assert_eq!(
        cell(terms, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", auto),
        "0"
    );
    assert_eq!(
        cell(terms, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", demoted),
        "1"
    );
    assert_eq!(cell(terms, "KEYWORD_ADULT_SEXUAL_MATERIAL", own), "1");
    // d4 has no category: said on the TOTAL row, counted nowhere.
    let context = cell(terms, "TOTAL", &format!("Contextual Information on {own}"));
    assert!(context.contains("1 measures with no category"), "{context}");
}

#[test]
fn every_template_row_is_present_in_order() {
    let annex = annex(&report(None), &policy());
    let illegal = table(&annex, "5_own_initiative_illegal.csv");
    // TOTAL, then per category: itself, its keywords, KEYWORD_OTHER.
    let expected: usize = 1 + CATEGORIES
        .iter()
        .map(|c| c.keywords.len() + 2)
        .sum::<usize>();
    assert_eq!(illegal.rows.len(), expected);
    assert_eq!(illegal.rows[0][3], "TOTAL");
    assert_eq!(illegal.rows[1][3], "STATEMENT_CATEGORY_ANIMAL_WELFARE");
    assert_eq!(illegal.rows[2][3], "KEYWORD_ANIMAL_HARM");
    assert_eq!(illegal.rows[4][3], "KEYWORD_OTHER");
    let terms = table(&annex, "6_own_initiative_TC.csv");
    assert_eq!(
        terms.rows.len(),
        expected + OTHER_VIOLATION_TC.keywords.len() + 2
    );
    assert_eq!(
        terms.rows.last().map(|r| r[3].as_str()),
        Some("KEYWORD_OTHER")
    );
    let notices = table(&annex, "4_notices.csv");
    assert_eq!(notices.rows.len(), expected + 1);
    assert_eq!(
        notices.rows.last().map(|r| r[3].as_str()),
        Some(NOT_SPECIFIED_NOTICE)
    );
    for t in &annex.tables {
        for row in &t.rows {
            assert_eq!(row.len(), t.header.len(), "{}: {row:?}", t.file);
        }
        // Every row names the period as the template writes it.
        if t.header.get(2).map(String::as_str) == Some("Reporting period") {
            assert!(
                t.rows.iter().all(|r| r[2] == "2026-07-01/2026-12-31"),
                "{}",
                t.file
            );
        }
    }
}

#[test]
fn notices_and_orders_count_items_times_and_grounds() {
    let annex = annex(&report(None), &policy());
    let n = table(&annex, "4_notices.csv");
    let received = "Number of notices received";
    let tf = "Number of notices received from Trusted flaggers";
    let items = "Number of specific items of information included in the total number of notices";
    let median = "Median time to take action";
    let median_tf = "Median time to take action (Trusted Flagger notices)";
    let law = "Number of actions taken on the basis of the law";
    let law_tf = "Number of actions taken on the basis of the law (Trusted Flagger notices)";
    let terms = "Number of actions taken on the basis of the terms and conditions of the service";
    // Four Art. 16 notices (the order is not one), three items.
    assert_eq!(cell(n, "TOTAL", received), "4");
    assert_eq!(cell(n, "TOTAL", tf), "1");
    assert_eq!(cell(n, "TOTAL", items), "3");
    // Acted on before as_of: 2 h, 4 h, 6 h; median 4 h.
    assert_eq!(cell(n, "TOTAL", median), "4.0000");
    assert_eq!(cell(n, "TOTAL", median_tf), "4.0000");
    // Action taken on the two hate notices: the law; the spam one took none.
    assert_eq!(cell(n, "TOTAL", law), "2");
    assert_eq!(cell(n, "TOTAL", law_tf), "1");
    assert_eq!(cell(n, "TOTAL", terms), "0");
    assert_eq!(
        cell(n, "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", received),
        "2"
    );
    assert_eq!(
        cell(n, "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", items),
        "1"
    );
    assert_eq!(cell(n, "KEYWORD_HATE_SPEECH", received), "2");
    assert_eq!(cell(n, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", received), "1");
    assert_eq!(
        cell(n, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", median),
        "6.0000"
    );
    // `violence` is not in the policy: not specified; pending, no median.
    assert_eq!(cell(n, NOT_SPECIFIED_NOTICE, received), "1");
    assert_eq!(cell(n, NOT_SPECIFIED_NOTICE, median), "");

    let o = table(&annex, "3_member_states_orders.csv");
    let orders = "Number of orders to act against illegal content received";
    let effect = "Median time to give effect to the order to act against illegal content";
    assert_eq!(cell(o, "TOTAL", orders), "1");
    assert_eq!(cell(o, "TOTAL", effect), "3.0000");
    assert_eq!(cell(o, "KEYWORD_DISCRIMINATION", orders), "1");
    assert_eq!(cell(o, "STATEMENT_CATEGORY_VIOLENCE", orders), "0");
}

#[test]
fn complaints_automation_and_facts_fill_the_indicator_sections() {
    let facts = Facts {
        provider_name: Some("Example Ltd".to_owned()),
        service_name: Some("Example".to_owned()),
        internal_moderators: Some(12),
        monthly_active_recipients: Some(5000),
        monthly_active_recipients_by_member_state: Some([("AT".to_owned(), 300)].into()),
        moderation_staff: Some([("de".to_owned(), 4)].into()),
        suspensions: Some(3),
        ..Facts::default()
    };
    let annex = annex(&report(Some(facts)), &policy());

    let c = table(&annex, "7_appeals_and_recidivism.csv");
    let count = "Number of complaints submitted to the internal-complaints mechanism";
    assert_eq!(value(c, count, "Total number"), "9");
    assert_eq!(value(c, count, "Decisions upheld"), "4");
    assert_eq!(value(c, count, "Decisions reversed"), "3");
    assert_eq!(value(c, count, "Decision omitted"), "2");
    assert_eq!(value(c, count, "Median time"), "1.5000");
    let manifest = "Number of suspensions enacted for the provision of manifestly illegal content";
    assert_eq!(value(c, manifest, "Total number"), "");
    assert!(c
        .rows
        .iter()
        .any(|r| r[4] == manifest && r[7].contains(": 3")));
    assert!(c.rows.iter().all(|r| r[1] == "Example"));

    let m = table(&annex, "8_automated_means.csv");
    let solely = "Number of measures solely taken by automated means";
    let not = "Number of measures not taken by automated means";
    // Own initiative: d1..d4 automated, r1 human.
    assert_eq!(value(m, solely, "Own-initiative"), "4");
    assert_eq!(value(m, not, "Own-initiative"), "1");
    // Total adds the notices and orders acted on with action before as_of:
    // the flagger's (no review: automated), the user's and the order's
    // (reviewed).
    assert_eq!(value(m, solely, "Total number"), "5");
    assert_eq!(value(m, not, "Total number"), "3");
    let nam = "Number of notices solely processed by automated means";
    assert_eq!(value(m, nam, "NAM Total"), "1");
    assert_eq!(
        value(
            m,
            "Number of notices not processed by automated means",
            "NAM Total"
        ),
        "3"
    );
    assert_eq!(value(m, nam, "NAM Trusted Flagger"), "1");
    // Per language: de has d1 and d4, en d2 and d3.
    assert_eq!(value(m, solely, "de"), "2");
    assert_eq!(value(m, solely, "en"), "2");

    let id = table(&annex, "1_report_identification.csv");
    assert_eq!(id.rows[0][3], "Example Ltd");
    assert_eq!(id.rows[3][3], "2026-07-01");
    assert_eq!(id.rows[4][3], "2026-12-31");
    let hr = table(&annex, "9_human_resources.csv");
    assert_eq!(
        value(
            hr,
            "Number of internal moderators employed by the provider",
            "Total number"
        ),
        "12"
    );
    assert_eq!(
        value(
            hr,
            "Number of total moderators with sufficient linguistic expertise",
            "de"
        ),
        "4"
    );
    let amar = table(&annex, "10_AMAR.csv");
    assert_eq!(amar.header.len(), 7);
    assert_eq!(amar.rows[0][6], "5000");
    assert_eq!(amar.rows[1][5], "AT");
}
