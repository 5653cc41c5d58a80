//! A seeded history for the transparency tests (xorshift with a fixed seed):
//! decisions over two half-years, policy-queue reviews, appeals with
//! outcomes and handling times, notices, and records exactly on the
//! boundaries; loaded straight into the store's tables.

use sqlx::SqliteConnection;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

pub const CATEGORIES: [&str; 3] = ["hate", "spam", "violence"];
pub const ACTIONS: [&str; 4] = ["allow", "review", "restrict", "block"];
pub const REPORTERS: [&str; 3] = ["user", "trusted_flagger", "authority_order"];

/// A small, fixed-seed generator (xorshift64*), so the history is the same
/// on every run.
pub struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
        of[self.below(of.len() as u64) as usize]
    }
    /// An instant from 2025-12-01 to 2027-02-01, to the millisecond.
    fn instant(&mut self) -> OffsetDateTime {
        let span_ms = (datetime!(2027-02-01 0:00 UTC) - datetime!(2025-12-01 0:00 UTC))
            .whole_milliseconds() as u64;
        datetime!(2025-12-01 0:00 UTC) + Duration::milliseconds(self.below(span_ms) as i64)
    }
}

pub struct Dec {
    pub id: String,
    pub action: &'static str,
    pub at: OffsetDateTime,
    /// category -> the category's own action
    pub scores: Vec<(&'static str, &'static str)>,
    pub rescan: bool,
}

pub struct PolicyItem {
    pub done_at: OffsetDateTime,
    /// (action, positive categories) per review
    pub reviews: Vec<(&'static str, Vec<&'static str>)>,
}

pub struct AppealRec {
    pub decision: usize,
    pub submitted: OffsetDateTime,
    pub decided: Option<(&'static str, OffsetDateTime)>,
}

pub struct NoticeRec {
    pub reporter: &'static str,
    pub category: &'static str,
    pub received: OffsetDateTime,
    pub acted: Option<(&'static str, &'static str, OffsetDateTime)>,
}

pub struct History {
    pub decisions: Vec<Dec>,
    pub items: Vec<PolicyItem>,
    pub appeals: Vec<AppealRec>,
    pub notices: Vec<NoticeRec>,
}

/// Times exactly on and just before the half-year boundaries, so that the
/// window's ends are tested on every record type.
pub fn boundary_times() -> Vec<OffsetDateTime> {
    let b = [
        datetime!(2026-07-01 0:00 UTC),
        datetime!(2027-01-01 0:00 UTC),
    ];
    b.iter()
        .flat_map(|t| {
            [
                *t,
                *t - Duration::milliseconds(1),
                *t + Duration::milliseconds(500),
            ]
        })
        .collect()
}

pub fn generate(seed: u64) -> History {
    let mut rng = Rng(seed);
    let edges = boundary_times();
    let time = |rng: &mut Rng, i: usize| {
        if i < edges.len() {
            edges[i]
        } else {
            rng.instant()
        }
    };
    let mut decisions = Vec::new();
    for i in 0..400 {
        let action = ACTIONS[rng.below(4) as usize];
        let mut scores = Vec::new();
        for c in CATEGORIES {
            if rng.chance(60) {
                let own = if matches!(action, "restrict" | "block") && rng.chance(60) {
                    action
                } else {
                    rng.pick(&["allow", "review"])
                };
                scores.push((c, own));
            }
        }
        decisions.push(Dec {
            id: format!("d{i:04}"),
            action,
            at: time(&mut rng, i),
            scores,
            rescan: rng.chance(10),
        });
    }
    let mut items = Vec::new();
    for i in 0..90 {
        let k = 1 + rng.below(3) as usize;
        let reviews = (0..k)
            .map(|_| {
                let action = rng.pick(&["allow", "restrict", "block"]);
                let labels = CATEGORIES.into_iter().filter(|_| rng.chance(40)).collect();
                (action, labels)
            })
            .collect();
        items.push(PolicyItem {
            done_at: time(&mut rng, i),
            reviews,
        });
    }
    let mut appeals = Vec::new();
    let appealed: Vec<usize> = (0..decisions.len()).filter(|_| rng.chance(30)).collect();
    for (i, d) in appealed.into_iter().enumerate() {
        let submitted = time(&mut rng, i);
        let decided = rng.chance(75).then(|| {
            let outcome = rng.pick(&["upheld", "overturned"]);
            let after = Duration::milliseconds(1 + rng.below(90 * 86_400_000) as i64);
            (outcome, submitted + after)
        });
        appeals.push(AppealRec {
            decision: d,
            submitted,
            decided,
        });
    }
    let mut notices = Vec::new();
    for i in 0..150 {
        let received = time(&mut rng, i);
        let acted = rng.chance(70).then(|| {
            let action = rng.pick(&["allow", "restrict", "block"]);
            let outcome = if action == "allow" {
                "no_action"
            } else {
                "action_taken"
            };
            let after = Duration::milliseconds(1 + rng.below(20 * 86_400_000) as i64);
            (outcome, action, received + after)
        });
        notices.push(NoticeRec {
            reporter: rng.pick(&REPORTERS),
            category: rng.pick(&CATEGORIES),
            received,
            acted,
        });
    }
    History {
        decisions,
        items,
        appeals,
        notices,
    }
}

/// RFC 3339 as the store writes it: whole seconds print without a
/// fraction, others with their digits.
pub fn text(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("a four-digit year")
}

pub async fn exec(conn: &mut SqliteConnection, sql: &str, args: &[Option<String>]) {
    let mut q = sqlx::query(sql);
    for a in args {
        q = q.bind(a.clone());
    }
    q.execute(&mut *conn).await.expect(sql);
}

pub fn s(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

pub async fn load(conn: &mut SqliteConnection, h: &History) {
    for d in &h.decisions {
        let ms = (d.at.unix_timestamp_nanos() / 1_000_000) as i64;
        sqlx::query(
            "INSERT INTO decisions (id, item_id, action, decided_at, decided_at_unix_ms, \
             policy_name, policy_version, models, input_digest, latency_us, body) \
             VALUES ($1, $2, $3, $4, $5, 'p', '1', '[]', 'sha256:x', 1, '{}')",
        )
        .bind(&d.id)
        .bind(&d.id)
        .bind(d.action)
        .bind(text(d.at))
        .bind(ms)
        .execute(&mut *conn)
        .await
        .expect("decision");
        for (c, a) in &d.scores {
            exec(
                conn,
                "INSERT INTO decision_scores (decision_id, category, score, action) \
                 VALUES ($1, $2, 0.5, $3)",
                &[s(&d.id), s(c), s(a)],
            )
            .await;
        }
    }
    for (i, it) in h.items.iter().enumerate() {
        let id = format!("i{i:04}");
        review_item(
            conn,
            id.clone(),
            "policy",
            it.reviews.len(),
            Some(it.done_at),
        )
        .await;
        for (r, (action, labels)) in it.reviews.iter().enumerate() {
            let rid = format!("{id}-r{r}");
            exec(
                conn,
                "INSERT INTO reviews (id, item_id, reviewer, verdict, action, seconds_spent, \
                 created_at) VALUES ($1, $2, $3, '{}', $4, 1, '2025-01-01T00:00:00Z')",
                &[s(&rid), s(&id), s(format!("rev{r}")), s(action)],
            )
            .await;
            for c in CATEGORIES {
                exec(
                    conn,
                    "INSERT INTO review_labels (review_id, category, positive) VALUES ($1, $2, $3)",
                    &[s(&rid), s(c), s(u8::from(labels.contains(&c)))],
                )
                .await;
            }
        }
    }
    for (i, a) in h.appeals.iter().enumerate() {
        let rid = format!("a{i:04}");
        review_item(conn, rid.clone(), "appeal", 1, None).await;
        exec(
            conn,
            "INSERT INTO appeals (id, decision_id, statement, review_item_id, submitted_at, \
             outcome, decided_at) VALUES ($1, $2, 'unfair', $1, $3, $4, $5)",
            &[
                s(&rid),
                s(&h.decisions[a.decision].id),
                s(text(a.submitted)),
                a.decided.map(|d| d.0.to_owned()),
                a.decided.map(|d| text(d.1)),
            ],
        )
        .await;
    }
    // Rescan decisions belong to notices outside every window's interest.
    for d in h.decisions.iter().filter(|d| d.rescan) {
        exec(
            conn,
            "INSERT INTO notices (id, item_id, reporter_type, category, explanation, \
             received_at, status, rescan_decision_id, outcome, action, acted_at) \
             VALUES ($1, $1, 'user', 'hate', 'x', '2020-01-01T00:00:00Z', 'decided', $2, \
             'no_action', 'allow', '2020-01-01T00:00:01Z')",
            &[s(format!("n-{}", d.id)), s(&d.id)],
        )
        .await;
    }
    for (i, n) in h.notices.iter().enumerate() {
        let id = format!("n{i:04}");
        let review = n.acted.is_none().then(|| format!("nr{i:04}"));
        if let Some(r) = &review {
            review_item(conn, r.clone(), "notice", 1, None).await;
        }
        exec(
            conn,
            "INSERT INTO notices (id, item_id, reporter_type, category, explanation, \
             received_at, status, review_item_id, outcome, action, acted_at) \
             VALUES ($1, $1, $2, $3, 'x', $4, $5, $6, $7, $8, $9)",
            &[
                s(&id),
                s(n.reporter),
                s(n.category),
                s(text(n.received)),
                s(if n.acted.is_some() {
                    "decided"
                } else {
                    "in_review"
                }),
                review,
                n.acted.map(|a| a.0.to_owned()),
                n.acted.map(|a| a.1.to_owned()),
                n.acted.map(|a| text(a.2)),
            ],
        )
        .await;
    }
}

/// A review item: done with `k` reviews at `done`, or open.
pub async fn review_item(
    conn: &mut SqliteConnection,
    id: String,
    reason: &str,
    k: usize,
    done: Option<OffsetDateTime>,
) {
    let args = [
        s(&id),
        s(reason),
        s(k),
        s(if done.is_some() { k } else { 0 }),
        s(if done.is_some() { "done" } else { "open" }),
        done.map(text),
    ];
    exec(
        conn,
        "INSERT INTO review_items (id, item_id, reason, decision_id, priority, \
         required_reviews, reviews_done, status, item, created_at, done_at) \
         VALUES ($1, $1, $2, 'x', 0.5, $3, $4, $5, '{}', '2025-01-01T00:00:00Z', $6)",
        &args,
    )
    .await
}
