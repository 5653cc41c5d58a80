//! `vigil review queue`, `vigil review gold` and `vigil review stats`: the
//! review queue from the command line (reviewers work it in the browser or
//! over `/v1/review/...`; docs/review.md).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use vigil_cli::home::Home;
use vigil_core::QueueReason;
use vigil_data::{Dataset, Split};
use vigil_review::quality::Coefficient;
use vigil_store::Store;

use crate::commands::store::runtime;
use crate::commands::StoreArg;

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// The open queue, highest priority first, and the open count per reason.
    Queue {
        /// Only this reason: appeal, notice, policy, active_learning, prevalence, audit, gold.
        #[arg(long)]
        reason: Option<QueueReason>,
        /// At most this many items.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Mix gold items (content with known labels) into the queue, from a
    /// canonical data set, to measure reviewers against.
    Gold {
        /// The canonical data set folder.
        #[arg(long)]
        data: PathBuf,
        /// Which split's records become gold items.
        #[arg(long, default_value = "test")]
        split: Split,
        /// At most this many (the first with text and a known label).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Independent reviews each gold item asks for.
        #[arg(long, default_value_t = 1)]
        required_reviews: u32,
        /// Queue priority (a policy review item near a threshold is about 1 to 3).
        #[arg(long, default_value_t = 1.0)]
        priority: f64,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Reviewer quality: each reviewer's accuracy on gold items per
    /// category, and agreement per category (Cohen's kappa per pair,
    /// Krippendorff's alpha overall) over items with two or more reviews.
    Stats {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArg,
    },
}

pub fn run(home: &Home, command: ReviewCommand) -> Result<ExitCode> {
    match command {
        ReviewCommand::Queue {
            reason,
            limit,
            store,
        } => queue(home, reason, limit, store),
        ReviewCommand::Gold {
            data,
            split,
            limit,
            required_reviews,
            priority,
            store,
        } => gold(home, &data, split, limit, required_reviews, priority, store),
        ReviewCommand::Stats { json, store } => stats(home, json, store),
    }
}

fn queue(
    home: &Home,
    reason: Option<QueueReason>,
    limit: u32,
    store: StoreArg,
) -> Result<ExitCode> {
    let url = home.store_url(store.db.as_deref());
    let listing = runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let listing = store
            .list_review_queue(reason.as_slice(), limit, None)
            .await;
        store.close().await;
        anyhow::Ok(listing?)
    })?;
    let counts: Vec<String> = listing
        .counts
        .iter()
        .map(|(r, n)| format!("{r} {n}"))
        .collect();
    println!("open: {}", counts.join(", "));
    println!(
        "{:<36} {:<16} {:>8} {:>7} {:<7} item",
        "id", "reason", "priority", "reviews", "claimed"
    );
    for e in &listing.items {
        println!(
            "{:<36} {:<16} {:>8.3} {:>3}/{:<3} {:<7} {}",
            e.id.to_string(),
            e.reason.as_str(),
            e.priority,
            e.reviews_done,
            e.required_reviews,
            if e.claimed { "yes" } else { "" },
            e.item_id
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn gold(
    home: &Home,
    data: &std::path::Path,
    split: Split,
    limit: usize,
    required_reviews: u32,
    priority: f64,
    store: StoreArg,
) -> Result<ExitCode> {
    let dataset =
        Dataset::open(data).with_context(|| format!("cannot read data set {}", data.display()))?;
    let chosen: Vec<_> = dataset
        .records
        .iter()
        .filter(|r| r.split == split && r.item.text.is_some() && !r.labels.is_empty())
        .take(limit)
        .collect();
    let url = home.store_url(store.db.as_deref());
    runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let mut added = 0;
        for r in &chosen {
            if let Err(e) = store
                .enqueue_gold(&r.item, &r.labels, priority, required_reviews)
                .await
            {
                store.close().await;
                return Err(e).with_context(|| format!("cannot queue gold item {}", r.item.id));
            }
            added += 1;
        }
        store.close().await;
        println!(
            "queued {added} gold items from {} ({split} split) in {url}",
            dataset.manifest.name
        );
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn stats(home: &Home, json: bool, store: StoreArg) -> Result<ExitCode> {
    let url = home.store_url(store.db.as_deref());
    let report = runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let report = vigil_server::quality_report(&store).await;
        store.close().await;
        anyhow::Ok(report?)
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} reviewed items ({} gold), {} reviews, intervals at {:.0}%",
        report.items,
        report.gold_items,
        report.reviews,
        report.confidence * 100.0
    );
    println!("\ngold accuracy per reviewer and category:");
    println!(
        "{:<14} {:<18} {:>7} {:>8} {:>24}",
        "reviewer", "category", "judged", "correct", "accuracy [interval]"
    );
    for r in &report.reviewers {
        for a in &r.accuracy {
            let acc = a.accuracy.as_ref().map_or("-".to_owned(), |e| {
                format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high)
            });
            println!(
                "{:<14} {:<18} {:>7} {:>8} {:>24}",
                r.reviewer,
                a.category.as_str(),
                a.judged,
                a.correct,
                acc
            );
        }
    }
    println!("\nagreement per category (items with two or more reviews):");
    println!(
        "{:<18} {:>6} {:>9} {:>32}",
        "category", "items", "reviewers", "Krippendorff's alpha"
    );
    for a in &report.agreement {
        let alpha = match &a.alpha {
            Coefficient::Defined { figure, interval } => {
                let i = interval
                    .as_ref()
                    .map_or(String::new(), |e| format!(" [{:.3}, {:.3}]", e.low, e.high));
                format!("{:.3}{i}", figure.alpha)
            }
            Coefficient::Undefined { reason } => format!("undefined: {reason}"),
        };
        println!(
            "{:<18} {:>6} {:>9} {:>32}",
            a.category.as_str(),
            a.items,
            a.reviewers,
            alpha
        );
    }
    Ok(ExitCode::SUCCESS)
}
