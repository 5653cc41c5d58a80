//! Confidence intervals for proportions: Wilson score intervals, two-sided
//! and one-sided, and the inverse normal CDF they are built on.
//!
//! Wilson's interval is used for every proportion Vigil reports (precision,
//! recall, false-positive rate) because, unlike the normal approximation, it
//! stays inside `[0, 1]` and behaves at 0 and at `n` successes.

/// A confidence level strictly between 0 and 1, checked once at the edge.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Confidence(f64);

/// A confidence level outside the open interval `(0, 1)`.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("a confidence level must be strictly between 0 and 1; it is {0}")]
pub struct InvalidConfidence(pub f64);

impl Confidence {
    /// The usual 95 % level.
    pub const NINETY_FIVE: Confidence = Confidence(0.95);

    /// Checks that `level` lies strictly between 0 and 1.
    pub fn new(level: f64) -> Result<Self, InvalidConfidence> {
        if level > 0.0 && level < 1.0 {
            Ok(Self(level))
        } else {
            Err(InvalidConfidence(level))
        }
    }

    /// The level, e.g. `0.95`.
    pub fn level(self) -> f64 {
        self.0
    }

    /// `z` for a two-sided interval: `Φ⁻¹(1 − (1 − level) / 2)`.
    pub fn two_sided_z(self) -> f64 {
        normal_quantile(1.0 - (1.0 - self.0) / 2.0)
    }

    /// `z` for a one-sided bound: `Φ⁻¹(level)`.
    pub fn one_sided_z(self) -> f64 {
        normal_quantile(self.0)
    }
}

/// A point estimate with the ends of its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The observed value.
    pub estimate: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

impl Interval {
    /// Whether `x` lies within `[low, high]`.
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

// Wichura's algorithm AS 241 (PPND16), Applied Statistics 37 (1988): rational
// approximations accurate to about 1e-16, in three regions of p. The
// coefficients are kept digit for digit as published, beyond f64 precision,
// so that they can be checked against the paper.
#[allow(clippy::excessive_precision)]
const CENTRAL_NUM: [f64; 8] = [
    3.387_132_872_796_366_608,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
#[allow(clippy::excessive_precision)]
const CENTRAL_DEN: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561e3,
];
#[allow(clippy::excessive_precision)]
const NEAR_NUM: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_7e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_4e-4,
];
#[allow(clippy::excessive_precision)]
const NEAR_DEN: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    6.897_673_349_851_000_045_5e-1,
    1.481_039_764_274_800_745_9e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
#[allow(clippy::excessive_precision)]
const FAR_NUM: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    2.965_605_718_285_048_912_3e-1,
    2.653_218_952_657_612_309_3e-2,
    1.242_660_947_388_078_438_6e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
#[allow(clippy::excessive_precision)]
const FAR_DEN: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_9e-1,
    1.369_298_809_227_358_053_1e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// Evaluates `c[0] + c[1]·x + … + c[7]·x⁷` by Horner's rule.
fn poly(c: &[f64; 8], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

/// The standard normal quantile `Φ⁻¹(p)` (Wichura's AS 241, about 1e-16
/// relative error). Returns `−∞` at 0, `+∞` at 1 and NaN outside `[0, 1]`.
///
/// ```
/// let z = vigil_eval::normal_quantile(0.975);
/// assert!((z - 1.959_963_984_540_054).abs() < 1e-12);
/// ```
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * poly(&CENTRAL_NUM, r) / poly(&CENTRAL_DEN, r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail.ln()).sqrt();
    let magnitude = if r <= 5.0 {
        let r = r - 1.6;
        poly(&NEAR_NUM, r) / poly(&NEAR_DEN, r)
    } else {
        let r = r - 5.0;
        poly(&FAR_NUM, r) / poly(&FAR_DEN, r)
    };
    if q < 0.0 {
        -magnitude
    } else {
        magnitude
    }
}

/// Wilson's bounds for an observed rate over `trials` (which may be
/// fractional, for "what if the sample were larger" questions), clamped to
/// `[0, 1]`.
pub(crate) fn wilson_bounds(rate: f64, trials: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let denominator = 1.0 + z2 / trials;
    let centre = (rate + z2 / (2.0 * trials)) / denominator;
    let spread = rate * (1.0 - rate) / trials + z2 / (4.0 * trials * trials);
    let half = z * spread.max(0.0).sqrt() / denominator;
    // At a rate of 0 (or 1) the bound is 0 (or 1) exactly; rounding in
    // `centre − half` would leave a speck.
    let low = if rate <= 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if rate >= 1.0 {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

/// The two-sided Wilson score interval for `successes` out of `trials`.
///
/// `None` when `trials` is 0 (the proportion is undefined) or `successes`
/// exceeds `trials`.
///
/// ```
/// use vigil_eval::{wilson, Confidence};
///
/// let i = wilson(0, 10, Confidence::NINETY_FIVE).unwrap();
/// assert_eq!((i.estimate, i.low), (0.0, 0.0));
/// assert!((i.high - 0.277_532).abs() < 1e-6);
/// ```
pub fn wilson(successes: u64, trials: u64, confidence: Confidence) -> Option<Interval> {
    if trials == 0 || successes > trials {
        return None;
    }
    let rate = successes as f64 / trials as f64;
    let (low, high) = wilson_bounds(rate, trials as f64, confidence.two_sided_z());
    Some(Interval {
        estimate: rate,
        low,
        high,
    })
}

/// The one-sided Wilson lower bound: the proportion is at least this with
/// probability `confidence`. This is the bound obligations are checked
/// against (`min_precision = 0.9, confidence = 0.95` holds when this bound
/// at 0.95 reaches 0.9).
///
/// `None` when `trials` is 0 or `successes` exceeds `trials`.
pub fn wilson_lower_one_sided(successes: u64, trials: u64, confidence: Confidence) -> Option<f64> {
    if trials == 0 || successes > trials {
        return None;
    }
    let rate = successes as f64 / trials as f64;
    Some(wilson_bounds(rate, trials as f64, confidence.one_sided_z()).0)
}

/// The one-sided Wilson upper bound: the proportion is at most this with
/// probability `confidence`. An obligation whose minimum lies above it is
/// shown violated.
///
/// `None` when `trials` is 0 or `successes` exceeds `trials`.
pub fn wilson_upper_one_sided(successes: u64, trials: u64, confidence: Confidence) -> Option<f64> {
    if trials == 0 || successes > trials {
        return None;
    }
    let rate = successes as f64 / trials as f64;
    Some(wilson_bounds(rate, trials as f64, confidence.one_sided_z()).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_published_values() {
        // Values to 1e-9 from standard normal tables (and scipy.special.ndtri).
        let known = [
            (0.5, 0.0),
            (0.8, 0.841_621_233_6),
            (0.9, 1.281_551_565_5),
            (0.95, 1.644_853_626_9),
            (0.975, 1.959_963_984_5),
            (0.995, 2.575_829_303_5),
            (0.999, 3.090_232_306_2),
            (1e-10, -6.361_340_902_4),
            (1e-300, -37.047_096_299_4),
        ];
        for (p, z) in known {
            assert!((normal_quantile(p) - z).abs() < 1e-9, "p = {p}");
            if p > 1e-20 {
                assert!((normal_quantile(1.0 - p) + z).abs() < 1e-6, "1 − {p}");
            }
        }
        assert!((Confidence::NINETY_FIVE.two_sided_z() - 1.959_964).abs() < 1e-6);
        let ninety_nine = Confidence::new(0.99).expect("defined for this input");
        assert!((ninety_nine.two_sided_z() - 2.575_829).abs() < 1e-6);
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(1.5).is_nan() && normal_quantile(f64::NAN).is_nan());
    }

    #[test]
    fn confidence_is_checked() {
        assert!(Confidence::new(0.95).is_ok());
        for bad in [0.0, 1.0, -0.1, 1.5, f64::NAN] {
            assert!(Confidence::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wilson_matches_hand_computed_values() {
        // 8 of 10 at 95 %: centre (0.8 + z²/20)/(1 + z²/10), computed with
        // z = 1.959963984540054 to 1e-9.
        let i = wilson(8, 10, Confidence::NINETY_FIVE).expect("defined for this input");
        assert!((i.low - 0.490_162_471_5).abs() < 1e-9, "{i:?}");
        assert!((i.high - 0.943_317_848_8).abs() < 1e-9, "{i:?}");
        // n of n: the upper end is 1, the lower end n/(n + z²).
        let i = wilson(10, 10, Confidence::NINETY_FIVE).expect("defined for this input");
        let z2 = 1.959_963_984_540_054_f64.powi(2);
        assert!((i.low - 10.0 / (10.0 + z2)).abs() < 1e-12 && i.high == 1.0);
        assert_eq!(wilson(0, 0, Confidence::NINETY_FIVE), None);
        assert_eq!(wilson(3, 2, Confidence::NINETY_FIVE), None);
    }

    #[test]
    fn one_sided_bound_is_above_two_sided_at_same_level() {
        let c = Confidence::NINETY_FIVE;
        let one = wilson_lower_one_sided(45, 50, c).expect("defined for this input");
        let two = wilson(45, 50, c).expect("defined for this input").low;
        // The one-sided 95 % bound is the two-sided 90 % interval's low end.
        let ninety = wilson(
            45,
            50,
            Confidence::new(0.9).expect("defined for this input"),
        )
        .expect("defined for this input")
        .low;
        assert!(one > two && (one - ninety).abs() < 1e-12);
        assert_eq!(wilson_lower_one_sided(0, 0, c), None);
    }
}
