//! Mean pooling over real tokens, then L2 normalisation: the sentence-transformers head.

use candle_core::{Result, Tensor, D};

/// Smallest token count divided by, as in sentence-transformers (`clamp(min=1e-9)`).
const MIN_TOKEN_COUNT: f64 = 1e-9;
/// Smallest norm divided by, as in `torch.nn.functional.normalize`.
const MIN_NORM: f64 = 1e-12;

/// Averages `hidden` (batch, seq, dim) over the positions where `mask`
/// (batch, seq; 1.0 real, 0.0 padding) is set, and scales each row to unit
/// length. Returns (batch, dim).
///
/// Padding must be excluded here as well as in attention: the encoder still
/// produces (meaningless) vectors at padded positions, and averaging them in
/// would make a sentence's embedding depend on its batch-mates.
pub(crate) fn mean_pool_normalised(hidden: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let mask = mask.unsqueeze(D::Minus1)?;
    let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
    let counts = mask.sum(1)?.clamp(MIN_TOKEN_COUNT, f64::MAX)?;
    let mean = summed.broadcast_div(&counts)?;
    let norms = mean
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .clamp(MIN_NORM, f64::MAX)?;
    mean.broadcast_div(&norms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn padded_positions_do_not_count() -> Result<()> {
        let dev = Device::Cpu;
        // Two sequences of length 3, dim 2; the second has one padded slot
        // holding a huge vector that must be ignored.
        let hidden = Tensor::new(
            &[
                [[1f32, 0.], [3., 0.], [2., 0.]],
                [[0., 1.], [0., 3.], [1e6, 1e6]],
            ],
            &dev,
        )?;
        let mask = Tensor::new(&[[1f32, 1., 1.], [1., 1., 0.]], &dev)?;
        let pooled = mean_pool_normalised(&hidden, &mask)?.to_vec2::<f32>()?;
        assert_eq!(pooled, vec![vec![1.0, 0.0], vec![0.0, 1.0]]);
        Ok(())
    }

    #[test]
    fn rows_have_unit_norm() -> Result<()> {
        let dev = Device::Cpu;
        let hidden = Tensor::new(&[[[3f32, 4.], [3., 4.]]], &dev)?;
        let mask = Tensor::new(&[[1f32, 1.]], &dev)?;
        let pooled = mean_pool_normalised(&hidden, &mask)?.to_vec2::<f32>()?;
        assert!((pooled[0][0] - 0.6).abs() < 1e-6);
        assert!((pooled[0][1] - 0.8).abs() < 1e-6);
        Ok(())
    }

    #[test]
    fn all_zero_row_stays_finite() -> Result<()> {
        let dev = Device::Cpu;
        let hidden = Tensor::zeros((1, 2, 3), candle_core::DType::F32, &dev)?;
        let mask = Tensor::new(&[[0f32, 0.]], &dev)?;
        let pooled = mean_pool_normalised(&hidden, &mask)?.to_vec2::<f32>()?;
        assert!(pooled[0].iter().all(|x| x.is_finite()));
        Ok(())
    }
}
