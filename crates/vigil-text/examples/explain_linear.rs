//! Where a linear model's score for a text comes from: per output, the bias,
//! the word block's and the character block's share of the raw logit, the
//! Platt map and the probability; then the n-grams that push hardest.
//!
//! ```sh
//! cargo run -p vigil-text --example explain_linear -- models/text-linear "see you soon"
//! ```

use std::path::Path;

use vigil_text::features::{Featurizer, SparseVec};
use vigil_text::linear::LinearModel;
use vigil_text::normalize::normalize;

fn logits(model: &LinearModel, fv: &SparseVec) -> Vec<f32> {
    let mut out = vec![0.0; model.outputs().len()];
    model.logits_into(fv, &mut out);
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((dir, texts)) = args.split_first() else {
        return Err("usage: explain_linear MODEL_DIR TEXT...".into());
    };
    let (model, _) = LinearModel::load(Path::new(dir))?;
    let bias = logits(&model, &SparseVec::default());
    let mut featurizer = Featurizer::new(*model.features());
    for text in texts {
        let norm = normalize(text);
        let mut all = SparseVec::default();
        featurizer.extract(norm.as_str(), &mut all);
        // The word block comes first; its entries share one value.
        let words = all.val.iter().take_while(|v| **v == all.val[0]).count();
        let block = |r: std::ops::Range<usize>| SparseVec {
            idx: all.idx[r.clone()].to_vec(),
            val: all.val[r].to_vec(),
        };
        let w = logits(&model, &block(0..words));
        let c = logits(&model, &block(words..all.len()));
        let total = logits(&model, &all);
        println!(
            "{text:?}: {} features ({words} word, value {:.3}; {} char, value {:.3})",
            all.len(),
            all.val[0],
            all.len() - words,
            all.val.get(words).copied().unwrap_or(0.0)
        );
        println!("  output            bias    words    chars    logit  platt(a,b)        prob");
        for (o, cat) in model.outputs().iter().enumerate() {
            let p = model.calibration()[o];
            println!(
                "  {:<16} {:>6.2} {:>8.2} {:>8.2} {:>8.2}  ({:>5.2},{:>5.2})  {:>6.3}",
                cat.as_str(),
                bias[o],
                w[o] - bias[o],
                c[o] - bias[o],
                total[o],
                p.a,
                p.b,
                p.probability(total[o])
            );
        }
    }
    Ok(())
}
