//! The languages of a report window's decisions (the transparency report's
//! per-language accuracy rows): distinct, sorted, window-bounded, without
//! the decisions that carry none, and with the query in the audit record.

mod common;

use common::{at, decision, TempStore};
use vigil_core::Action;
use vigil_store::ReportWindow;

#[tokio::test]
async fn languages_are_the_distinct_ones_of_the_window() {
    let t = TempStore::new().await;
    // (offset s, language): inside the window [0, 100) and outside it.
    let seeded = [
        (0, Some("fr")),
        (10, Some("en")),
        (20, Some("fr")),
        (30, None),
        (99, Some("de")),
        (100, Some("pl")),
        (-1, Some("it")),
    ];
    for (offset, lang) in seeded {
        let mut d = decision(Action::Allow, at(offset));
        d.content.lang = lang.map(str::to_owned);
        t.store.insert_decision(&d).await.expect("insert");
    }
    let window = ReportWindow {
        start: at(0),
        end: at(100),
        as_of: at(200),
    };
    let got = t
        .store
        .transparency_languages(&window)
        .await
        .expect("query");
    assert_eq!(got.rows, ["de", "en", "fr"]);
    let q = &got.queries[0];
    assert_eq!(q.name, "languages");
    assert!(q.sql.contains("$.content.lang"), "{}", q.sql);
    assert_eq!(q.rows_read, 3);
    assert_eq!(q.params.len(), 2);
}
