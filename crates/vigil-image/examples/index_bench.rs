//! Whole-program benchmark of the PDQ match index: build time, memory,
//! query latency at distance 31 against brute force (with a check that
//! every sampled answer equals brute force), and the cost of updates.
//!
//! ```sh
//! cargo run --release -p vigil-image --example index_bench -- --n 10000000
//! ```
//!
//! The corpus is N uniformly random hashes of which about 10% are replaced
//! by near-duplicates (1 to 20 bits flipped) of earlier ones. Each hash is a
//! pure function of the seed and its position, so the benchmark keeps no
//! copy of the corpus while it measures memory. Half the queries are copies
//! of indexed hashes with 0 to 31 bits flipped, half random. Results are
//! printed as Markdown and merged into `bench/results/index_bench.json`
//! under the run's N.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use serde_json::{json, Value};
use vigil_image::index::{EntryId, IndexMemory, IndexParams, Match, MatchIndex, QueryPlan};
use vigil_image::PdqHash;

#[derive(Parser)]
struct Args {
    /// Hashes indexed.
    #[arg(long, default_value_t = 1_000_000)]
    n: usize,
    /// Timed queries.
    #[arg(long, default_value_t = 10_000)]
    queries: usize,
    /// Queries also answered by brute force and compared.
    #[arg(long, default_value_t = 200)]
    brute_force: usize,
    /// Query distance.
    #[arg(long, default_value_t = 31)]
    distance: u32,
    /// Adds, and disables, timed after the queries.
    #[arg(long, default_value_t = 10_000)]
    updates: usize,
    /// Override the layout's substring count.
    #[arg(long)]
    substrings: Option<u32>,
    /// Override the layout's bucket bits.
    #[arg(long)]
    bucket_bits: Option<u32>,
    /// Also time both plans at distances from 16 to 64.
    #[arg(long)]
    sweep: bool,
    #[arg(long, default_value_t = 0x5eed)]
    seed: u64,
    /// JSON results file (merged by N).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// SplitMix64: a seeded generator, enough for benchmark data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn words(&mut self) -> [u64; 4] {
        [self.next(), self.next(), self.next(), self.next()]
    }

    /// `words` with exactly `k` distinct bits flipped.
    fn flip(&mut self, words: [u64; 4], k: u32) -> [u64; 4] {
        let mut out = words;
        let mut flipped = 0;
        while flipped < k {
            let bit = self.below(256) as usize;
            let mask = 1u64 << (bit % 64);
            if (out[bit / 64] ^ words[bit / 64]) & mask == 0 {
                out[bit / 64] ^= mask;
                flipped += 1;
            }
        }
        out
    }
}

/// The corpus: hash `i` as a pure function of the seed.
struct Corpus {
    seed: u64,
    len: usize,
}

impl Corpus {
    fn random(&self, i: usize) -> [u64; 4] {
        SplitMix64(self.seed ^ (i as u64).wrapping_mul(0xd1b5_4a32_d192_ed03)).words()
    }

    fn hash(&self, i: usize) -> [u64; 4] {
        let mut rng = SplitMix64(!self.seed ^ (i as u64).wrapping_mul(0x8cb9_2ba7_2f3d_8dd7));
        if i > 0 && rng.below(10) == 0 {
            let original = self.random(rng.below(i as u64) as usize);
            let k = 1 + rng.below(20) as u32;
            rng.flip(original, k)
        } else {
            self.random(i)
        }
    }

    fn entries(&self) -> impl Iterator<Item = (PdqHash, EntryId)> + '_ {
        (0..self.len).map(|i| (PdqHash::from_words(self.hash(i)), EntryId(i as u32)))
    }

    /// Half copies of indexed hashes with 0 to `max_bits` flipped, half random.
    fn queries(&self, rng: &mut SplitMix64, count: usize, max_bits: u32) -> Vec<PdqHash> {
        (0..count)
            .map(|i| {
                let words = if i % 2 == 0 && self.len > 0 {
                    let indexed = self.hash(rng.below(self.len as u64) as usize);
                    let k = rng.below(u64::from(max_bits) + 1) as u32;
                    rng.flip(indexed, k)
                } else {
                    rng.words()
                };
                PdqHash::from_words(words)
            })
            .collect()
    }
}

/// VmRSS and VmHWM from /proc/self/status, in bytes (0 where unreadable).
fn resident_bytes() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Latencies(Vec<Duration>);

impl Latencies {
    fn percentile_us(&self, p: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e6
    }

    fn mean_us(&self) -> f64 {
        let total: Duration = self.0.iter().sum();
        total.as_secs_f64() * 1e6 / self.0.len().max(1) as f64
    }

    fn summary(&self) -> Value {
        json!({
            "p50_us": self.percentile_us(50.0),
            "p99_us": self.percentile_us(99.0),
            "max_us": self.percentile_us(100.0),
            "mean_us": self.mean_us(),
        })
    }
}

/// A plain scan over its own copy of the pairs: the reference answer.
struct BruteForce {
    hashes: Vec<[u64; 4]>,
    ids: Vec<EntryId>,
}

impl BruteForce {
    /// The answer over the first `len` pairs.
    fn query(
        &self,
        query: &PdqHash,
        max_distance: u32,
        len: usize,
        disabled: &HashSet<EntryId>,
    ) -> Vec<Match> {
        let q = query.words();
        let mut out = Vec::new();
        for (hash, &id) in self.hashes.iter().zip(&self.ids).take(len) {
            let distance: u32 = (0..4).map(|w| (hash[w] ^ q[w]).count_ones()).sum();
            if distance <= max_distance && !disabled.contains(&id) {
                out.push(Match { id, distance });
            }
        }
        out.sort_unstable_by_key(|m| (m.distance, m.id));
        out
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// This thread's involuntary context switches: how often another process
/// took its core. Read between queries, not inside the timed span.
fn involuntary_switches() -> u64 {
    let status = std::fs::read_to_string("/proc/thread-self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("nonvoluntary_ctxt_switches:"))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or(0)
}

/// Query latencies, all of them and those of the queries during which no
/// other process took the core (this 2-core machine is shared), with the
/// answers.
struct Timed {
    all: Latencies,
    unpreempted: Latencies,
    answers: Vec<Vec<Match>>,
}

impl Timed {
    fn summary(&self) -> Value {
        json!({
            "all": self.all.summary(),
            "not_preempted": self.unpreempted.summary(),
            "preempted": self.all.0.len() - self.unpreempted.0.len(),
        })
    }
}

fn time_queries(index: &MatchIndex, queries: &[PdqHash], distance: u32) -> Timed {
    let mut all = Vec::with_capacity(queries.len());
    let mut unpreempted = Vec::with_capacity(queries.len());
    let mut answers = Vec::with_capacity(queries.len());
    let mut out = Vec::new();
    for query in queries {
        let switches = involuntary_switches();
        let started = Instant::now();
        index.query_into(query, distance, &mut out);
        let elapsed = started.elapsed();
        all.push(elapsed);
        if involuntary_switches() == switches {
            unpreempted.push(elapsed);
        }
        answers.push(out.clone());
    }
    Timed {
        all: Latencies(all),
        unpreempted: Latencies(unpreempted),
        answers,
    }
}

/// Adds copies of indexed hashes and random ones, disables random ids,
/// times queries over the delta, then compacts.
fn run_updates(
    index: &mut MatchIndex,
    corpus: &Corpus,
    rng: &mut SplitMix64,
    args: &Args,
) -> anyhow::Result<(Value, Vec<PdqHash>, HashSet<EntryId>)> {
    let added: Vec<(PdqHash, EntryId)> = corpus
        .queries(rng, args.updates, 20)
        .into_iter()
        .zip((args.n..).map(|i| EntryId(i as u32)))
        .collect();
    let started = Instant::now();
    for &(hash, id) in &added {
        index.add(hash, id)?;
    }
    let add_time = started.elapsed();
    let disabled: HashSet<EntryId> = (0..args.updates)
        .map(|_| EntryId(rng.below(args.n.max(1) as u64) as u32))
        .collect();
    let started = Instant::now();
    for &id in &disabled {
        index.disable(id);
    }
    let disable_time = started.elapsed();
    let delta_queries = corpus.queries(rng, 1000.min(args.queries), args.distance);
    let delta_timed = time_queries(index, &delta_queries, args.distance);
    let started = Instant::now();
    index.compact();
    let compact_time = started.elapsed();
    let (_, hwm_compacted) = resident_bytes();
    let report = json!({
        "adds": added.len(), "add_ms": add_time.as_secs_f64() * 1e3,
        "disables": disabled.len(), "disable_ms": disable_time.as_secs_f64() * 1e3,
        "delta_query_latency": delta_timed.summary(),
        "compact_ms": compact_time.as_secs_f64() * 1e3,
        "hwm_after_compact": hwm_compacted,
    });
    Ok((report, delta_queries, disabled))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let corpus = Corpus {
        seed: args.seed,
        len: args.n,
    };
    let default_params = IndexParams::for_len(args.n);
    let params = IndexParams {
        substrings: args.substrings.unwrap_or(default_params.substrings),
        bucket_bits: args.bucket_bits.unwrap_or(default_params.bucket_bits),
    };

    let (rss_before, _) = resident_bytes();
    let started = Instant::now();
    let mut index = MatchIndex::build_with_params(corpus.entries(), params)?;
    let build = started.elapsed();
    let (rss_built, hwm_built) = resident_bytes();
    let memory = index.memory();
    eprintln!("built {} hashes in {build:.2?}", index.len());

    let mut rng = SplitMix64(args.seed.rotate_left(29));
    let queries = corpus.queries(&mut rng, args.queries, args.distance);
    let timed = time_queries(&index, &queries, args.distance);
    let (latencies, answers) = (&timed.all, &timed.answers);
    let with_matches = answers.iter().filter(|a| !a.is_empty()).count();
    let total_matches: usize = answers.iter().map(Vec::len).sum();
    let (_, hwm_queried) = resident_bytes();
    let plan = index.plan(args.distance);

    let (updates, update_queries, disabled) = run_updates(&mut index, &corpus, &mut rng, &args)?;

    // The reference copy is made only now, after every memory reading. The
    // adds were appended, so the first N pairs are the original corpus.
    let brute = BruteForce {
        hashes: index.entries().map(|(h, _)| h.words()).collect(),
        ids: index.entries().map(|(_, id)| id).collect(),
    };
    let step = (queries.len() / args.brute_force.max(1)).max(1);
    let sample: Vec<usize> = (0..queries.len())
        .step_by(step)
        .take(args.brute_force)
        .collect();
    let mut brute_latencies = Vec::new();
    let mut mismatches = 0;
    let none = HashSet::new();
    for &q in &sample {
        let started = Instant::now();
        let expected = brute.query(&queries[q], args.distance, args.n, &none);
        brute_latencies.push(started.elapsed());
        mismatches += usize::from(expected != answers[q]);
    }
    let brute_latencies = Latencies(brute_latencies);
    let index_sample = Latencies(sample.iter().map(|&q| latencies.0[q]).collect());
    let update_checked = update_queries.len().min(args.brute_force).min(50);
    let update_mismatches = update_queries[..update_checked]
        .iter()
        .filter(|query| {
            let expected = brute.query(query, args.distance, usize::MAX, &disabled);
            index.query(query, args.distance) != expected
        })
        .count();

    let sweep = if args.sweep {
        distance_sweep(&index, &corpus, &mut rng)
    } else {
        Value::Null
    };

    let load_average = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let report = json!({
        "n": args.n,
        "load_average_at_end": load_average.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        "params": params,
        "build_s": build.as_secs_f64(),
        "memory": memory_json(&memory, args.n),
        "rss_bytes": { "before_build": rss_before, "after_build": rss_built,
                       "hwm_after_build": hwm_built, "hwm_after_queries": hwm_queried,
                       "hwm_after_compact": updates["hwm_after_compact"] },
        "queries": { "count": queries.len(), "distance": args.distance, "plan": plan,
                     "with_matches": with_matches, "matches": total_matches,
                     "latency": timed.summary() },
        "brute_force": { "sampled": sample.len(), "mismatches": mismatches,
                         "latency": brute_latencies.summary(),
                         "index_latency_same_sample": index_sample.summary(),
                         "speedup_p50": brute_latencies.percentile_us(50.0)
                             / index_sample.percentile_us(50.0).max(1e-3) },
        "updates": updates,
        "checked_after_compact": update_checked,
        "mismatches_after_compact": update_mismatches,
        "sweep": sweep,
    });
    print_markdown(&report, &memory);
    let path = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/results/index_bench.json")
    });
    write_merged(&path, args.n, report)?;
    eprintln!("wrote {}", path.display());
    anyhow::ensure!(
        mismatches == 0 && update_mismatches == 0,
        "{mismatches} sampled queries and {update_mismatches} after updates differ from brute force"
    );
    Ok(())
}

fn memory_json(memory: &IndexMemory, n: usize) -> Value {
    json!({
        "parts": memory,
        "total_bytes": memory.total_bytes(),
        "bytes_per_hash": memory.total_bytes() as f64 / n.max(1) as f64,
    })
}

/// Both plans at distances around 31, to see where a scan wins.
fn distance_sweep(index: &MatchIndex, corpus: &Corpus, rng: &mut SplitMix64) -> Value {
    let mut rows = Vec::new();
    let mut out = Vec::new();
    for distance in [16, 24, 31, 36, 40, 44, 48, 56, 64] {
        let queries = corpus.queries(rng, 40, distance);
        let mut time = |plan: QueryPlan| {
            let mut latencies = Vec::new();
            for query in &queries {
                let started = Instant::now();
                index.query_with_plan(query, distance, plan, &mut out);
                latencies.push(started.elapsed());
            }
            Latencies(latencies).percentile_us(50.0)
        };
        let (multi_index, scan) = (time(QueryPlan::MultiIndex), time(QueryPlan::Scan));
        rows.push(json!({ "distance": distance, "plan": index.plan(distance),
                          "multi_index_p50_us": multi_index, "scan_p50_us": scan }));
    }
    Value::Array(rows)
}

fn print_markdown(report: &Value, memory: &IndexMemory) {
    let f = |path: &str| {
        report
            .pointer(path)
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN)
    };
    let n = f("/n");
    println!("| measure | value |");
    println!("|---|---|");
    println!("| hashes indexed | {n} |");
    println!(
        "| layout | m = {}, bucket bits = {} |",
        f("/params/substrings"),
        f("/params/bucket_bits")
    );
    println!("| build | {:.2} s |", f("/build_s"));
    println!(
        "| load average at end | {} |",
        report["load_average_at_end"].as_str().unwrap_or("?")
    );
    println!(
        "| index memory (computed) | {:.1} MiB = {:.1} B/hash (hashes {:.0}, ids {:.0}, tables {:.0} MiB) |",
        mib(memory.total_bytes() as u64),
        f("/memory/bytes_per_hash"),
        mib(memory.hashes_bytes as u64),
        mib(memory.ids_bytes as u64),
        mib(memory.tables_bytes as u64),
    );
    println!(
        "| VmRSS before build → after | {:.1} → {:.1} MiB |",
        mib(f("/rss_bytes/before_build") as u64),
        mib(f("/rss_bytes/after_build") as u64)
    );
    println!(
        "| VmHWM after build / queries / compact | {:.1} / {:.1} / {:.1} MiB |",
        mib(f("/rss_bytes/hwm_after_build") as u64),
        mib(f("/rss_bytes/hwm_after_queries") as u64),
        mib(f("/rss_bytes/hwm_after_compact") as u64)
    );
    println!(
        "| queries at distance {} (plan {}) | {} ({} with matches, {} matches) |",
        f("/queries/distance"),
        report["queries"]["plan"].as_str().unwrap_or("?"),
        f("/queries/count"),
        f("/queries/with_matches"),
        f("/queries/matches")
    );
    println!(
        "| query p50 / p99 / max / mean, all | {:.0} / {:.0} / {:.0} / {:.0} µs |",
        f("/queries/latency/all/p50_us"),
        f("/queries/latency/all/p99_us"),
        f("/queries/latency/all/max_us"),
        f("/queries/latency/all/mean_us")
    );
    println!(
        "| query p50 / p99 / max, the {} not preempted by other processes | {:.0} / {:.0} / {:.0} µs |",
        f("/queries/count") - f("/queries/latency/preempted"),
        f("/queries/latency/not_preempted/p50_us"),
        f("/queries/latency/not_preempted/p99_us"),
        f("/queries/latency/not_preempted/max_us")
    );
    println!(
        "| brute force p50 ({} sampled) | {:.0} µs, {:.0}× the index's p50 on the same queries |",
        f("/brute_force/sampled"),
        f("/brute_force/latency/p50_us"),
        f("/brute_force/speedup_p50")
    );
    println!(
        "| sampled answers ≠ brute force | {} |",
        f("/brute_force/mismatches")
    );
    println!(
        "| {} adds / {} disables | {:.1} ms / {:.1} ms |",
        f("/updates/adds"),
        f("/updates/disables"),
        f("/updates/add_ms"),
        f("/updates/disable_ms")
    );
    println!(
        "| query p50 / p99 with the delta | {:.0} / {:.0} µs |",
        f("/updates/delta_query_latency/all/p50_us"),
        f("/updates/delta_query_latency/all/p99_us")
    );
    println!("| compact() | {:.0} ms |", f("/updates/compact_ms"));
    println!(
        "| answers ≠ brute force after compact ({} checked) | {} |",
        f("/checked_after_compact"),
        f("/mismatches_after_compact")
    );
    if let Some(rows) = report["sweep"].as_array() {
        println!();
        println!("| distance | plan chosen | multi-index p50 | scan p50 |");
        println!("|---|---|---|---|");
        for row in rows {
            println!(
                "| {} | {} | {:.0} µs | {:.0} µs |",
                row["distance"],
                row["plan"].as_str().unwrap_or("?"),
                row["multi_index_p50_us"].as_f64().unwrap_or(f64::NAN),
                row["scan_p50_us"].as_f64().unwrap_or(f64::NAN)
            );
        }
    }
}

/// Writes `report` under its N in the JSON file, keeping other runs.
fn write_merged(path: &PathBuf, n: usize, report: Value) -> anyhow::Result<()> {
    let mut runs = match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str::<Value>(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?,
        Err(_) => json!({}),
    };
    let object = runs
        .as_object_mut()
        .with_context(|| format!("{} is not a JSON object", path.display()))?;
    object.insert(n.to_string(), report);
    let text = serde_json::to_string_pretty(&runs)?;
    std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
