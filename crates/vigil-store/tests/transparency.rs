//! The transparency figures over a seeded history spanning two half-years:
//! every count and median is computed again here, straight from the
//! generated records, and compared with what the store's queries give.

mod common;
mod history;

use std::collections::BTreeMap;

use common::{raw_connection, TempStore};
use history::{generate, load, AppealRec, Dec, History};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use vigil_store::{Detection, ReportWindow};

fn inside(t: OffsetDateTime, w: &ReportWindow) -> bool {
    w.start <= t && t < w.end
}

fn median_s(mut ms: Vec<i64>) -> Option<f64> {
    ms.sort();
    let n = ms.len();
    (n > 0).then(|| {
        let m = if n % 2 == 1 {
            ms[n / 2] as f64
        } else {
            (ms[n / 2 - 1] + ms[n / 2]) as f64 / 2.0
        };
        m / 1000.0
    })
}

fn restrictive(a: &str) -> bool {
    a == "restrict" || a == "block"
}

/// Own-initiative actions, counted from the records.
fn expected_own(h: &History, w: &ReportWindow) -> BTreeMap<(String, Detection, String), u64> {
    let mut out = BTreeMap::new();
    let mut add = |cats: Vec<&str>, det: Detection, restriction: &str| {
        let cats = if cats.is_empty() { vec!["none"] } else { cats };
        for c in cats.into_iter().chain(["all"]) {
            *out.entry((c.to_owned(), det, restriction.to_owned()))
                .or_insert(0) += 1;
        }
    };
    for d in h.decisions.iter().filter(|d| inside(d.at, w) && !d.rescan) {
        if restrictive(d.action) {
            let cats = d
                .scores
                .iter()
                .filter(|(_, a)| restrictive(a))
                .map(|(c, _)| *c)
                .collect();
            add(cats, Detection::Automated, d.action);
        }
    }
    for it in h.items.iter().filter(|i| inside(i.done_at, w)) {
        let k = it.reviews.len();
        let restricting: Vec<_> = it.reviews.iter().filter(|(a, _)| restrictive(a)).collect();
        let blocks = restricting.iter().filter(|(a, _)| *a == "block").count();
        if restricting.len() * 2 > k {
            let mut cats: Vec<&str> = restricting.iter().flat_map(|(_, l)| l.clone()).collect();
            cats.sort();
            cats.dedup();
            add(
                cats,
                Detection::Human,
                if blocks * 2 > k { "block" } else { "restrict" },
            );
        }
    }
    out
}

async fn check_window(store: &vigil_store::Store, h: &History, w: ReportWindow) {
    // Own initiative.
    let got = store
        .transparency_own_initiative(&w)
        .await
        .expect("own initiative");
    let got: BTreeMap<_, _> = got
        .rows
        .iter()
        .map(|r| {
            (
                (r.category.clone(), r.detection, r.restriction.clone()),
                r.actions,
            )
        })
        .collect();
    assert_eq!(got, expected_own(h, &w));

    // Complaints.
    // (category, action) -> (filed, upheld, overturned, pending, handling ms)
    type Tally = (u64, u64, u64, u64, Vec<i64>);
    let mut want: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for a in h.appeals.iter().filter(|a| inside(a.submitted, &w)) {
        let d = &h.decisions[a.decision];
        let mut cats: Vec<String> = d
            .scores
            .iter()
            .filter(|(_, x)| restrictive(x))
            .map(|(c, _)| c.to_string())
            .collect();
        if cats.is_empty() {
            cats.push("none".into());
        }
        let mut keys: Vec<_> = cats.into_iter().map(|c| (c, d.action.to_owned())).collect();
        keys.push(("all".into(), "all".into()));
        for k in keys {
            let e = want.entry(k).or_default();
            e.0 += 1;
            match a.decided {
                Some((o, at)) if at < w.as_of => {
                    if o == "upheld" {
                        e.1 += 1
                    } else {
                        e.2 += 1
                    }
                    e.4.push((at - a.submitted).whole_milliseconds() as i64);
                }
                _ => e.3 += 1,
            }
        }
    }
    let got = store.transparency_complaints(&w).await.expect("complaints");
    let got: BTreeMap<_, _> = got
        .rows
        .iter()
        .map(|r| {
            (
                (r.category.clone(), r.appealed_action.clone()),
                (
                    r.filed,
                    r.upheld,
                    r.overturned,
                    r.pending,
                    r.median_handling_s,
                ),
            )
        })
        .collect();
    let want: BTreeMap<_, _> = want
        .into_iter()
        .map(|(k, e)| (k, (e.0, e.1, e.2, e.3, median_s(e.4))))
        .collect();
    assert_eq!(got, want);

    // Notices and orders.
    let mut want: BTreeMap<(String, String), [u64; 6]> = BTreeMap::new();
    let mut times: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for n in h.notices.iter().filter(|n| inside(n.received, &w)) {
        for c in [n.category, "all"] {
            let key = (n.reporter.to_owned(), c.to_owned());
            let e = want.entry(key.clone()).or_default();
            e[0] += 1;
            let t = times.entry(key).or_default();
            match n.acted {
                Some((o, a, at)) if at < w.as_of => {
                    t.push((at - n.received).whole_milliseconds() as i64);
                    if o == "action_taken" {
                        e[1] += 1;
                        e[4] += u64::from(a == "restrict");
                        e[5] += u64::from(a == "block");
                    } else {
                        e[2] += 1;
                    }
                }
                _ => e[3] += 1,
            }
        }
    }
    let got = store.transparency_notices(&w).await.expect("notices");
    let got: BTreeMap<_, _> = got
        .rows
        .iter()
        .map(|r| {
            (
                (r.reporter_type.clone(), r.category.clone()),
                (
                    [
                        r.received,
                        r.action_taken,
                        r.no_action,
                        r.pending,
                        r.restricted,
                        r.blocked,
                    ],
                    r.median_time_to_act_s,
                ),
            )
        })
        .collect();
    let want: BTreeMap<_, _> = want
        .into_iter()
        .map(|(k, e)| {
            let m = median_s(times[&k].clone());
            (k, (e, m))
        })
        .collect();
    assert_eq!(got, want);

    // Automated means.
    let mut want: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    for d in h
        .decisions
        .iter()
        .filter(|d| inside(d.at, &w) && !d.rescan && !d.scores.is_empty())
    {
        let appeal = h
            .appeals
            .iter()
            .find(|a| h.decisions[a.decision].id == d.id)
            .and_then(|a| a.decided)
            .filter(|(_, at)| *at < w.as_of);
        let mut count = |key: &str, restricted: bool| {
            let e = want.entry(key.to_owned()).or_default();
            e[0] += 1;
            if restricted {
                e[1] += 1;
                if let Some((o, _)) = appeal {
                    e[2] += 1;
                    e[3] += u64::from(o == "upheld");
                }
            }
        };
        for (c, a) in &d.scores {
            count(c, restrictive(d.action) && restrictive(a));
        }
        count("all", restrictive(d.action));
    }
    let got = store
        .transparency_automated_means(&w)
        .await
        .expect("automated means");
    let got: BTreeMap<_, _> = got
        .rows
        .iter()
        .map(|r| {
            (
                r.category.clone(),
                [r.scored, r.restricted, r.checked, r.upheld],
            )
        })
        .collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn every_figure_matches_the_seeded_history_in_both_halves() {
    let temp = TempStore::new().await;
    let history = generate(0x5EED_2026);
    let mut conn = raw_connection(&temp.path).await;
    load(&mut conn, &history).await;
    let h1 = ReportWindow {
        start: datetime!(2026-01-01 0:00 UTC),
        end: datetime!(2026-07-01 0:00 UTC),
        as_of: datetime!(2026-08-15 12:00 UTC),
    };
    let h2 = ReportWindow {
        start: datetime!(2026-07-01 0:00 UTC),
        end: datetime!(2027-01-01 0:00 UTC),
        as_of: datetime!(2027-01-20 0:00 UTC),
    };
    check_window(&temp.store, &history, h1).await;
    check_window(&temp.store, &history, h2).await;

    // The history is not degenerate: each half has something in every section.
    let own = temp
        .store
        .transparency_own_initiative(&h2)
        .await
        .expect("own");
    assert!(own.rows.iter().any(|r| r.detection == Detection::Human));
    assert!(own.rows.iter().any(|r| r.detection == Detection::Automated));
    let complaints = temp
        .store
        .transparency_complaints(&h2)
        .await
        .expect("complaints");
    let all = complaints
        .rows
        .iter()
        .find(|r| r.category == "all")
        .expect("an all row");
    assert!(
        all.upheld > 0 && all.overturned > 0 && all.pending > 0,
        "{all:?}"
    );
    let params: Vec<(&str, &str, &serde_json::Value)> = complaints.queries[0]
        .params
        .iter()
        .map(|p| (p.placeholder.as_str(), p.name, &p.value))
        .collect();
    assert_eq!(
        params,
        [
            ("$1", "start", &serde_json::json!("2026-07-01T00:00:00")),
            ("$2", "end", &serde_json::json!("2027-01-01T00:00:00")),
        ]
    );
}

#[tokio::test]
async fn records_exactly_on_a_boundary_belong_to_the_later_window() {
    let temp = TempStore::new().await;
    let edge = datetime!(2026-07-01 0:00 UTC);
    let history = History {
        decisions: [
            edge,
            edge - Duration::milliseconds(1),
            edge + Duration::milliseconds(500),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, at)| Dec {
            id: format!("d{i}"),
            action: "block",
            at,
            scores: vec![("hate", "block")],
            rescan: false,
        })
        .collect(),
        items: vec![],
        appeals: vec![
            AppealRec {
                decision: 0,
                submitted: edge,
                decided: None,
            },
            AppealRec {
                decision: 1,
                submitted: edge - Duration::milliseconds(1),
                decided: Some(("upheld", edge)),
            },
            AppealRec {
                decision: 2,
                submitted: edge + Duration::milliseconds(500),
                decided: Some(("overturned", edge + Duration::seconds(10))),
            },
        ],
        notices: vec![],
    };
    let mut conn = raw_connection(&temp.path).await;
    load(&mut conn, &history).await;
    let h1 = ReportWindow {
        start: datetime!(2026-01-01 0:00 UTC),
        end: edge,
        as_of: edge,
    };
    let h2 = ReportWindow {
        start: edge,
        end: datetime!(2027-01-01 0:00 UTC),
        as_of: edge + Duration::days(1),
    };
    let count = |rows: &[vigil_store::OwnInitiativeRow]| {
        rows.iter()
            .find(|r| r.category == "all")
            .map_or(0, |r| r.actions)
    };
    let own1 = temp
        .store
        .transparency_own_initiative(&h1)
        .await
        .expect("h1");
    let own2 = temp
        .store
        .transparency_own_initiative(&h2)
        .await
        .expect("h2");
    assert_eq!((count(&own1.rows), count(&own2.rows)), (1, 2));
    let c1 = temp.store.transparency_complaints(&h1).await.expect("h1");
    let all1 = c1.rows.iter().find(|r| r.category == "all").expect("all");
    // Decided exactly at as_of: still pending in that report.
    assert_eq!((all1.filed, all1.pending, all1.upheld), (1, 1, 0));
    let c2 = temp.store.transparency_complaints(&h2).await.expect("h2");
    let all2 = c2.rows.iter().find(|r| r.category == "all").expect("all");
    assert_eq!((all2.filed, all2.pending, all2.overturned), (2, 1, 1));
    assert_eq!(all2.median_handling_s, Some(9.5));
    check_window(&temp.store, &history, h1).await;
    check_window(&temp.store, &history, h2).await;
}
