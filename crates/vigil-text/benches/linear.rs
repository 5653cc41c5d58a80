//! The fast path's hot loop: normalise, extract n-grams and score one short
//! text with the shipped model (per-core throughput is 1 / this time).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use vigil_text::default_model;
use vigil_text::features::{Featurizer, SparseVec};

const SHORT: &str = "you are such an idiot, nobody wants you here lol";

fn bench(c: &mut Criterion) {
    let Ok((model, _)) = default_model::load() else {
        eprintln!("skipping: the shipped model does not load");
        return;
    };
    let mut scorer = model.scorer();
    c.bench_function("linear score (normalise + features + dot), 48 chars", |b| {
        b.iter(|| black_box(scorer.score(black_box(SHORT))[0]))
    });
    let mut featurizer = Featurizer::new(*model.features());
    let mut fv = SparseVec::default();
    c.bench_function("features only, 48 chars", |b| {
        b.iter(|| {
            featurizer.extract(black_box(SHORT), &mut fv);
            black_box(fv.len())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
