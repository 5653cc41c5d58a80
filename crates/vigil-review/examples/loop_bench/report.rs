//! Per-round results, their summary over seeds, and the label ratio.

use std::fmt::Write as _;

use crate::args::Args;

/// The state after one round of one run.
#[derive(Debug, Clone, Copy)]
pub struct RoundResult {
    /// Round (0 = the start model).
    pub round: usize,
    /// Labels asked for so far.
    pub labels: usize,
    /// AUPRC on the evaluation split.
    pub auprc: f64,
    /// Positive labels among those asked for.
    pub positives: usize,
}

impl RoundResult {
    /// A result.
    pub fn new(round: usize, labels: usize, auprc: f64, positives: usize) -> Self {
        RoundResult {
            round,
            labels,
            auprc,
            positives,
        }
    }
}

/// Mean and spread over seeds of one strategy at one round.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    /// Labels so far.
    pub labels: usize,
    /// Mean AUPRC.
    pub mean: f64,
    /// Sample standard deviation of the AUPRC (0 with one seed).
    pub sd: f64,
    /// Mean positives found.
    pub positives: f64,
}

/// The curves of both strategies and what they imply.
pub struct Summary {
    /// `(strategy, points by round)`.
    pub curves: Vec<(&'static str, Vec<Point>)>,
    /// Seeds run.
    pub seeds: usize,
    /// Per seed: labels active learning needed to reach that seed's random
    /// final AUPRC, if it did.
    pub per_seed_labels: Vec<(u64, Option<usize>)>,
}

fn point(rs: &[RoundResult]) -> Point {
    let n = rs.len() as f64;
    let mean = rs.iter().map(|r| r.auprc).sum::<f64>() / n;
    let var = if rs.len() > 1 {
        rs.iter().map(|r| (r.auprc - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    Point {
        labels: rs.first().map_or(0, |r| r.labels),
        mean,
        sd: var.sqrt(),
        positives: rs.iter().map(|r| r.positives as f64).sum::<f64>() / n,
    }
}

/// Average the runs of each strategy round by round.
pub fn summarise(results: &[(&'static str, u64, RoundResult)]) -> Summary {
    let mut names: Vec<&'static str> = results.iter().map(|r| r.0).collect();
    names.dedup();
    names.sort_unstable();
    names.dedup();
    let mut seeds: Vec<u64> = results.iter().map(|r| r.1).collect();
    seeds.sort_unstable();
    seeds.dedup();
    let curves = names
        .iter()
        .map(|&name| {
            let rounds = results
                .iter()
                .filter(|r| r.0 == name)
                .map(|r| r.2.round)
                .max()
                .unwrap_or(0);
            let points = (0..=rounds)
                .map(|k| {
                    let rs: Vec<RoundResult> = results
                        .iter()
                        .filter(|r| r.0 == name && r.2.round == k)
                        .map(|r| r.2)
                        .collect();
                    point(&rs)
                })
                .collect();
            (name, points)
        })
        .collect();
    let per_seed_labels = seeds
        .iter()
        .map(|&seed| {
            let of = |name: &str| -> Vec<RoundResult> {
                results
                    .iter()
                    .filter(|r| r.0 == name && r.1 == seed)
                    .map(|r| r.2)
                    .collect()
            };
            let target = of("random").last().map_or(f64::INFINITY, |r| r.auprc);
            let reached = of("active")
                .iter()
                .find(|r| r.auprc >= target)
                .map(|r| r.labels);
            (seed, reached)
        })
        .collect();
    Summary {
        curves,
        seeds: seeds.len(),
        per_seed_labels,
    }
}

impl Summary {
    fn curve(&self, name: &str) -> Option<&[Point]> {
        self.curves
            .iter()
            .find(|c| c.0 == name)
            .map(|c| c.1.as_slice())
    }

    /// Labels active learning needed (mean curve) to reach random sampling's
    /// final mean AUPRC, and random sampling's total labels.
    pub fn ratio(&self) -> Option<(usize, usize)> {
        let random = self.curve("random")?.last()?;
        let reached = self
            .curve("active")?
            .iter()
            .find(|p| p.mean >= random.mean)?;
        Some((reached.labels, random.labels))
    }
}

/// One CSV row per strategy, seed and round.
pub fn csv(results: &[(&'static str, u64, RoundResult)]) -> String {
    let mut s = String::from("strategy,seed,round,labels,positives,auprc\n");
    for (name, seed, r) in results {
        let _ = writeln!(
            s,
            "{name},{seed},{},{},{},{:.6}",
            r.round, r.labels, r.positives, r.auprc
        );
    }
    s
}

/// The table and the ratio, in Markdown.
pub fn markdown(summary: &Summary, a: &Args, seconds: f64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Start model: {} train split; pool: {} train split ({} per round); measured: `{}` AUPRC on {}'s {:?} split; {} seeds; {:.0} s.\n",
        a.start, a.pool, a.batch, a.category, a.pool, a.eval, summary.seeds, seconds
    );
    let _ = writeln!(s, "| labels | active AUPRC (mean ± sd) | random AUPRC (mean ± sd) | positives found, active / random |");
    let _ = writeln!(s, "|---:|---:|---:|---:|");
    let (Some(act), Some(rnd)) = (summary.curve("active"), summary.curve("random")) else {
        return s;
    };
    for (p, q) in act.iter().zip(rnd) {
        let _ = writeln!(
            s,
            "| {} | {:.3} ± {:.3} | {:.3} ± {:.3} | {:.1} / {:.1} |",
            p.labels, p.mean, p.sd, q.mean, q.sd, p.positives, q.positives
        );
    }
    match summary.ratio() {
        Some((active, random)) => {
            let _ = writeln!(
                s,
                "\nActive learning reached random sampling's final mean AUPRC ({:.3} at {random} labels) at {active} labels: ratio {:.2}.",
                rnd.last().map_or(f64::NAN, |p| p.mean),
                active as f64 / random as f64
            );
        }
        None => {
            let _ = writeln!(
                s,
                "\nActive learning did not reach random sampling's final mean AUPRC."
            );
        }
    }
    let per_seed: Vec<String> = summary
        .per_seed_labels
        .iter()
        .map(|(seed, l)| match l {
            Some(l) => format!("seed {seed}: {l}"),
            None => format!("seed {seed}: not reached"),
        })
        .collect();
    let _ = writeln!(
        s,
        "Per seed, labels to reach that seed's random final AUPRC: {}.",
        per_seed.join("; ")
    );
    s
}
