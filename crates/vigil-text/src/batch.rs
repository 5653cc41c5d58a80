//! Scoring many texts on every core.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::linear::LinearModel;

/// Texts per unit of work: large enough that the shared counter is rarely
/// touched, small enough that cores finish together.
const CHUNK: usize = 256;

/// Calibrated probabilities for each text (in `model.outputs()` order), using
/// `threads` worker threads (0 = all cores). `progress` is called with the
/// number of texts finished so far, from worker threads.
pub fn score_texts(
    model: &LinearModel,
    texts: &[&str],
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<Vec<f32>> {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let mut chunks: Vec<(usize, Vec<Vec<f32>>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads.min(texts.len().div_ceil(CHUNK)).max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut scorer = model.scorer();
                    let mut mine = Vec::new();
                    loop {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        if start >= texts.len() {
                            break;
                        }
                        let end = (start + CHUNK).min(texts.len());
                        let scores = texts[start..end]
                            .iter()
                            .map(|t| scorer.score(t).to_vec())
                            .collect();
                        mine.push((start, scores));
                        progress(done.fetch_add(end - start, Ordering::Relaxed) + end - start);
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(chunks) => chunks,
                // A worker can only panic on a bug; re-raise it where it belongs.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    chunks.sort_by_key(|(start, _)| *start);
    chunks.into_iter().flat_map(|(_, s)| s).collect()
}
