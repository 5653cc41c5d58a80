//! Throughput of `Embedder::embed` on 64 short texts in one call.
//!
//! Run once per thread setting; candle splits each matrix product across
//! `RAYON_NUM_THREADS` threads (default: the physical cores):
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo bench -p vigil-embed   # one core
//! cargo bench -p vigil-embed                       # all cores
//! ```
//!
//! A second case splits the same 64 texts across one caller thread per core,
//! as a server embedding several requests at once would; run it with
//! `RAYON_NUM_THREADS=1` so each caller's products stay on its own thread.
//!
//! Criterion reports elements/s, which here is sentences per second.
//! Needs the model files (`$VIGIL_MODEL_DIR` or the repository's
//! `.vigil/models/all-minilm-l6-v2`); without them it prints why and skips.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use vigil_embed::{Embedder, WEIGHTS_FILE};

const SUBJECTS: [&str; 8] = [
    "The new phone",
    "Our neighbour's dog",
    "A local bakery downtown",
    "The city council",
    "My favourite football team",
    "This online shop",
    "The train to the airport",
    "An old friend from school",
];

const PREDICATES: [&str; 8] = [
    "was surprisingly quick to arrive after I ordered it last week",
    "barked at every car that drove past the house this morning",
    "sells the best croissants I have ever tasted in my life",
    "voted to close the park early during the summer holidays",
    "lost again on Saturday after leading for most of the match",
    "refused to refund my money even though the parcel never came",
    "was delayed by almost an hour because of the heavy snow",
    "sent me a message asking whether I could lend them some money",
];

/// 64 distinct sentences of 10 to 15 words, like short user posts.
fn short_texts() -> Vec<String> {
    SUBJECTS
        .iter()
        .flat_map(|subject| {
            PREDICATES
                .iter()
                .map(move |predicate| format!("{subject} {predicate}."))
        })
        .collect()
}

fn model_dir() -> PathBuf {
    match std::env::var_os("VIGIL_MODEL_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.vigil/models/all-minilm-l6-v2"),
    }
}

fn bench_embed(c: &mut Criterion) {
    let dir = model_dir();
    if !dir.join(WEIGHTS_FILE).is_file() {
        eprintln!("skipping: model files not found at {}", dir.display());
        return;
    }
    let embedder = Embedder::load(&dir).expect("installed model files load");
    let texts = short_texts();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let threads = candle_core::utils::get_num_threads();

    let mut group = c.benchmark_group("embed");
    group.throughput(Throughput::Elements(refs.len() as u64));
    // One call takes about a second on one core: 20 samples in 30 s.
    group.sample_size(20);
    group.measurement_time(std::time::Duration::from_secs(30));
    group.bench_function(format!("64_short_texts/threads={threads}"), |b| {
        b.iter(|| embedder.embed(&refs).expect("embed"))
    });
    let callers = std::thread::available_parallelism().map_or(1, usize::from);
    let share = refs.len().div_ceil(callers);
    group.bench_function(
        format!("64_short_texts/callers={callers},threads={threads}"),
        |b| {
            b.iter(|| {
                std::thread::scope(|scope| {
                    for part in refs.chunks(share) {
                        let embedder = &embedder;
                        scope.spawn(move || embedder.embed(part).expect("embed"));
                    }
                })
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench_embed);
criterion_main!(benches);
