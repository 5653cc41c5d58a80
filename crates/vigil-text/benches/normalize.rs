//! Normalisation cost per text: the ASCII hot path, an obfuscated text, and blocklist matching.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use vigil_text::blocklist::Blocklist;
use vigil_text::normalize::{Normalized, Normalizer};
use vigil_text::obfuscate::obfuscate;

/// A 60-character ASCII sentence, typical of a short comment.
const SENTENCE: &str = "Honestly you are the worst player I have ever seen, go away!";

fn bench_normalize(c: &mut Criterion) {
    assert_eq!(SENTENCE.len(), 60);
    let obfuscated = obfuscate(SENTENCE, 3);
    let mut group = c.benchmark_group("normalize_into");
    for (name, text) in [
        ("ascii_60_chars", SENTENCE),
        ("obfuscated", obfuscated.as_str()),
    ] {
        let mut normalizer = Normalizer::new();
        let mut out = Normalized::default();
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                normalizer.normalize_into(black_box(text), &mut out);
                black_box(out.as_str().len())
            })
        });
    }
    group.finish();
}

fn bench_blocklist(c: &mut Criterion) {
    let terms = ["worst", "go away", "idiot", "kill yourself", "loser"];
    let list = Blocklist::new(terms).expect("the benchmark's terms are not empty");
    let mut normalizer = Normalizer::new();
    let mut out = Normalized::default();
    normalizer.normalize_into(SENTENCE, &mut out);
    c.bench_function("blocklist_find_ascii_60_chars", |b| {
        b.iter(|| black_box(list.find(black_box(&out))))
    });
}

criterion_group!(benches, bench_normalize, bench_blocklist);
criterion_main!(benches);
