//! `vigil data from-reviews`: the review queue's done items as a canonical
//! data set (vigil_review::dataset does the work).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_cli::home::Home;
use vigil_policy::Policy;
use vigil_review::dataset::{dataset_from_reviews, ExportedReview, FromReviews, ReviewedItem};
use vigil_store::Store;

use crate::commands::store::runtime;
use crate::commands::StoreArg;

#[derive(Debug, clap::Args)]
pub struct FromReviewsArgs {
    /// The data set folder to write.
    #[arg(long)]
    out: PathBuf,
    /// The data set's name.
    #[arg(long, default_value = "reviews")]
    name: String,
    /// The policy whose categories reviewers were asked about: a reviewer
    /// who settled all of them negative makes `unsafe` known negative.
    #[arg(long, default_value = "policies/default.toml")]
    policy: PathBuf,
    /// Mixed into reviewer ids before hashing. Keep it secret and the same
    /// across exports. Default: $VIGIL_REVIEWER_SALT, else none (the hashes
    /// then only hide ids from a reader who cannot guess them).
    #[arg(
        long,
        env = "VIGIL_REVIEWER_SALT",
        hide_env_values = true,
        default_value = ""
    )]
    reviewer_salt: String,
    #[command(flatten)]
    store: StoreArg,
}

pub fn run(home: &Home, args: FromReviewsArgs) -> Result<ExitCode> {
    let policy = Policy::load(&args.policy)
        .map_err(|e| anyhow::anyhow!("the policy does not load:\n{e}"))?
        .policy;
    let url = home.store_url(args.store.db.as_deref());
    let rows = runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let rows = vigil_server::all_reviewed(&store).await;
        store.close().await;
        anyhow::Ok(rows?)
    })?;
    let items: Vec<ReviewedItem> = rows
        .into_iter()
        .map(|r| ReviewedItem {
            content: r.content,
            item_id: r.item_id,
            reason: r.reason,
            models: r.models,
            policy: None,
            reviews: r
                .reviews
                .into_iter()
                .map(|v| ExportedReview {
                    reviewer: v.reviewer,
                    verdict: v.verdict,
                    created_at: v.created_at,
                })
                .collect(),
            gold: r.gold_labels,
        })
        .collect();
    let version = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .context("cannot format the time")?;
    let opts = FromReviews {
        name: args.name,
        version,
        reviewer_salt: args.reviewer_salt,
        upstream: url,
        covered: policy.categories.keys().copied().collect(),
    };
    let (mut dataset, summary) = dataset_from_reviews(&items, &opts);
    dataset
        .write(&args.out)
        .with_context(|| format!("cannot write the data set to {}", args.out.display()))?;
    println!(
        "{} reviewed items -> {} records in {} (left out: {} gold, {} content cleared, {} without a settled label, {} superseded by a later review; {} labels tied, {} disputed)",
        items.len(),
        summary.written,
        args.out.display(),
        summary.gold,
        summary.no_content,
        summary.unlabelled + summary.unreviewed,
        summary.superseded,
        summary.ties,
        summary.disputed
    );
    Ok(ExitCode::SUCCESS)
}
