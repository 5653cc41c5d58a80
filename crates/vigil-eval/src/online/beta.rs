//! Draws from Beta distributions, for the recall interval: a Beta variate is
//! `X / (X + Y)` with `X ~ Gamma(a)` and `Y ~ Gamma(b)`, and gamma variates
//! come from Marsaglia and Tsang's squeeze method (ACM TOMS 26, 2000).

use crate::bootstrap::SplitMix64;

/// A uniform number in the open interval `(0, 1)`: 53 random bits, centred
/// in their cell so that neither 0 nor 1 can come out (a logarithm follows).
pub(crate) fn open_unit(rng: &mut SplitMix64) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal variate by the Box–Muller transform (one of the pair
/// is discarded: simplicity over speed, the draw is not the bottleneck).
fn standard_normal(rng: &mut SplitMix64) -> f64 {
    let u = open_unit(rng);
    let v = open_unit(rng);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A `Gamma(shape, 1)` variate, `shape > 0`.
fn gamma(shape: f64, rng: &mut SplitMix64) -> f64 {
    if shape < 1.0 {
        // Gamma(a) = Gamma(a + 1) · U^(1/a): the method needs a ≥ 1.
        return gamma(shape + 1.0, rng) * open_unit(rng).powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = standard_normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = open_unit(rng);
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// A `Beta(a, b)` variate, `a, b > 0`.
pub(crate) fn beta(a: f64, b: f64, rng: &mut SplitMix64) -> f64 {
    let x = gamma(a, rng);
    let y = gamma(b, rng);
    x / (x + y)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean and variance of `n` draws.
    fn moments(a: f64, b: f64, n: usize, seed: u64) -> (f64, f64) {
        let mut rng = SplitMix64::new(seed);
        let draws: Vec<f64> = (0..n).map(|_| beta(a, b, &mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, var)
    }

    #[test]
    fn beta_draws_have_the_right_moments() {
        // Shapes as the recall interval uses them: Jeffreys posteriors of
        // 180/200 and 3/500, and both parameters below one.
        for (a, b) in [(180.5, 20.5), (3.5, 497.5), (0.5, 0.5), (2.0, 5.0)] {
            let (mean, var) = moments(a, b, 40_000, 7);
            let want_mean = a / (a + b);
            let want_var = a * b / ((a + b).powi(2) * (a + b + 1.0));
            // Four standard errors of the mean of 40 000 draws.
            let tolerance = 4.0 * (want_var / 40_000.0).sqrt();
            assert!((mean - want_mean).abs() < tolerance, "{a},{b}: {mean}");
            assert!((var / want_var - 1.0).abs() < 0.05, "{a},{b}: {var}");
        }
    }

    #[test]
    fn draws_stay_inside_the_unit_interval() {
        let mut rng = SplitMix64::new(1);
        for _ in 0..10_000 {
            let x = beta(0.5, 500.5, &mut rng);
            assert!(x > 0.0 && x < 1.0, "{x}");
        }
    }
}
