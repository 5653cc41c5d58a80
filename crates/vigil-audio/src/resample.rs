//! Sample-rate conversion: a streaming polyphase windowed-sinc resampler.
//!
//! Output sample `n` lies at input time `n · from / to`. Its value is the
//! input convolved with a Kaiser-windowed sinc low-pass whose cutoff sits just
//! below the lower of the two Nyquist frequencies, so downsampling does not
//! alias and upsampling does not image. When the reduced ratio `to / from`
//! has a small numerator (every common rate: 44.1, 48, 22.05, 8, 32 kHz …)
//! the filter is tabulated once per phase; otherwise each tap is computed as
//! it is needed (slower, same result).

use std::f64::consts::PI;

/// Zero crossings of the sinc on each side of the centre, at the lower rate.
/// 16 gives a transition band of about 6 % of the output Nyquist frequency
/// and stop-band attenuation near 80 dB with the Kaiser window below.
const ZERO_CROSSINGS: f64 = 16.0;
/// Cutoff as a share of the lower Nyquist frequency.
const CUTOFF: f64 = 0.94;
/// Kaiser window shape (β ≈ 8.6 gives about 80 dB of side-lobe attenuation).
const KAISER_BETA: f64 = 8.6;
/// Largest phase count tabulated; beyond it taps are computed on the fly.
const MAX_TABLE_PHASES: u64 = 4096;

/// Converts a stream of mono samples from one rate to another.
#[derive(Debug, Clone)]
pub struct Resampler {
    /// Upsampling factor of the reduced ratio (`to / gcd`).
    up: u64,
    /// Downsampling factor of the reduced ratio (`from / gcd`).
    down: u64,
    /// Taps each side of the centre, in input samples.
    half_taps: usize,
    /// Normalised cutoff in cycles per input sample, times two.
    cutoff: f64,
    /// `up` rows of `2 · half_taps` taps when tabulated; empty otherwise.
    table: Vec<f32>,
    /// Input not yet consumed; `buffer[0]` is input sample `buffer_start`.
    buffer: Vec<f32>,
    buffer_start: u64,
    /// Input samples received so far.
    received: u64,
    /// Index of the next output sample.
    next_output: u64,
    /// Same rate: samples pass through untouched.
    passthrough: bool,
}

impl Resampler {
    /// A resampler from `from_hz` to `to_hz`. Both must be above zero; the
    /// caller checks rates read from input before calling.
    pub fn new(from_hz: u32, to_hz: u32) -> Resampler {
        let (from, to) = (u64::from(from_hz.max(1)), u64::from(to_hz.max(1)));
        let divisor = gcd(from, to);
        let (up, down) = (to / divisor, from / divisor);
        let ratio = to as f64 / from as f64;
        let cutoff = CUTOFF * ratio.min(1.0);
        // Input samples spanned by ZERO_CROSSINGS at the lower rate.
        let half_taps = (ZERO_CROSSINGS / ratio.min(1.0)).ceil() as usize;
        let mut resampler = Resampler {
            up,
            down,
            half_taps,
            cutoff,
            table: Vec::new(),
            buffer: Vec::new(),
            buffer_start: 0,
            received: 0,
            next_output: 0,
            passthrough: from == to,
        };
        if !resampler.passthrough && up <= MAX_TABLE_PHASES {
            let width = 2 * half_taps;
            let mut table = vec![0.0f32; up as usize * width];
            for phase in 0..up {
                let row = &mut table[phase as usize * width..(phase as usize + 1) * width];
                resampler.fill_taps(phase, row);
            }
            resampler.table = table;
        }
        resampler
    }

    /// Feeds input and appends every output sample it completes.
    pub fn push(&mut self, input: &[f32], output: &mut Vec<f32>) {
        if self.passthrough {
            output.extend_from_slice(input);
            return;
        }
        self.buffer.extend_from_slice(input);
        self.received += input.len() as u64;
        self.produce(self.received, output);
        self.compact();
    }

    /// Flushes the tail (the input is taken as silent past its end) and
    /// appends the last output samples: `ceil(input · to / from)` in all.
    pub fn finish(&mut self, output: &mut Vec<f32>) {
        if self.passthrough {
            return;
        }
        let total_out = (self.received * self.up).div_ceil(self.down);
        let padding = self.half_taps + 1;
        self.buffer.extend(std::iter::repeat_n(0.0, padding));
        let limit = self.received + padding as u64;
        self.produce(limit, output);
        if output.len() as u64 > total_out {
            // produce() may compute a sample or two past the exact length.
            output.truncate(total_out as usize);
        }
    }

    /// Resamples a whole signal at once.
    pub fn convert(input: &[f32], from_hz: u32, to_hz: u32) -> Vec<f32> {
        let mut resampler = Resampler::new(from_hz, to_hz);
        let mut out = Vec::with_capacity(
            (input.len() as u64 * u64::from(to_hz.max(1)) / u64::from(from_hz.max(1))) as usize + 1,
        );
        resampler.push(input, &mut out);
        resampler.finish(&mut out);
        out
    }

    /// Computes outputs whose filter window ends before input index `available`.
    fn produce(&mut self, available: u64, output: &mut Vec<f32>) {
        let total_out_cap = (self.received * self.up).div_ceil(self.down);
        let width = 2 * self.half_taps;
        loop {
            if self.next_output >= total_out_cap {
                break;
            }
            let position = self.next_output * self.down;
            let centre = position / self.up;
            let phase = position % self.up;
            // Taps cover input centre - half_taps + 1 ..= centre + half_taps.
            let last = centre + self.half_taps as u64;
            if last >= available {
                break;
            }
            let first = (centre + 1).saturating_sub(self.half_taps as u64);
            // Taps that fall before the start of the signal meet silence.
            let skipped = (self.half_taps as u64 - 1).saturating_sub(centre) as usize;
            let start = (first - self.buffer_start) as usize;
            let window = &self.buffer[start..start + width - skipped];
            let value = if self.table.is_empty() {
                let mut taps = vec![0.0f32; width];
                self.fill_taps(phase, &mut taps);
                dot(window, &taps[skipped..])
            } else {
                let row = &self.table[phase as usize * width..(phase as usize + 1) * width];
                dot(window, &row[skipped..])
            };
            output.push(value);
            self.next_output += 1;
        }
    }

    /// Drops input no future output needs, now and then, so the buffer
    /// stays small without shifting it on every push.
    fn compact(&mut self) {
        let position = self.next_output * self.down;
        let centre = position / self.up;
        let needed_from = (centre + 1).saturating_sub(self.half_taps as u64);
        let drop = needed_from.saturating_sub(self.buffer_start) as usize;
        if drop > 0 && drop >= self.buffer.len() / 2 {
            self.buffer.drain(..drop);
            self.buffer_start += drop as u64;
        }
    }

    /// The filter taps for one phase: tap `k` weighs input `centre - half + 1 + k`.
    fn fill_taps(&self, phase: u64, taps: &mut [f32]) {
        let frac = phase as f64 / self.up as f64;
        let half = self.half_taps as f64;
        let mut sum = 0.0f64;
        let mut values = Vec::with_capacity(taps.len());
        for k in 0..taps.len() {
            // Distance in input samples from the output instant to this tap.
            let t = frac - (k as f64 - half + 1.0);
            let x = t * self.cutoff;
            let sinc = if x.abs() < 1e-12 {
                1.0
            } else {
                (PI * x).sin() / (PI * x)
            };
            let h = self.cutoff * sinc * kaiser(t / half);
            values.push(h);
            sum += h;
        }
        // Unit gain at DC in every phase, so a constant stays constant.
        let scale = if sum.abs() > 1e-12 { 1.0 / sum } else { 1.0 };
        for (tap, h) in taps.iter_mut().zip(values) {
            *tap = (h * scale) as f32;
        }
    }
}

/// Dot product with four accumulators: floating-point sums are not
/// reassociated by the compiler, so independent partial sums are what lets it
/// keep several multiply-adds in flight (and vectorise).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 4];
    let chunks = a.len() / 4;
    for i in 0..chunks {
        for lane in 0..4 {
            acc[lane] += a[4 * i + lane] * b[4 * i + lane];
        }
    }
    let mut sum = acc[0] + acc[1] + acc[2] + acc[3];
    for i in 4 * chunks..a.len().min(b.len()) {
        sum += a[i] * b[i];
    }
    sum
}

/// The Kaiser window at `x` in [-1, 1] (zero outside).
fn kaiser(x: f64) -> f64 {
    if x.abs() > 1.0 {
        return 0.0;
    }
    bessel_i0(KAISER_BETA * (1.0 - x * x).sqrt()) / bessel_i0(KAISER_BETA)
}

/// Modified Bessel function of the first kind, order 0 (power series).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let half = x / 2.0;
    for k in 1..64 {
        term *= (half / k as f64) * (half / k as f64);
        sum += term;
        if term < sum * 1e-16 {
            break;
        }
    }
    sum
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, seconds: f64) -> Vec<f32> {
        let n = (seconds * f64::from(rate)) as usize;
        (0..n)
            .map(|i| (2.0 * PI * freq * i as f64 / f64::from(rate)).sin() as f32 * 0.5)
            .collect()
    }

    /// RMS error against the ideal sine at the output rate, away from the edges.
    fn error_against_ideal(out: &[f32], freq: f64, rate: u32) -> f64 {
        let ideal = sine(freq, rate, out.len() as f64 / f64::from(rate));
        let margin = rate as usize / 10;
        let range = margin..out.len().min(ideal.len()) - margin;
        let n = range.len() as f64;
        let sum: f64 = range
            .map(|i| f64::from(out[i] - ideal[i]).powi(2))
            .sum::<f64>();
        (sum / n).sqrt()
    }

    #[test]
    fn a_sine_survives_common_conversions() {
        for (from, to) in [
            (44100, 16000),
            (48000, 16000),
            (22050, 16000),
            (8000, 16000),
        ] {
            let input = sine(1000.0, from, 1.0);
            let out = Resampler::convert(&input, from, to);
            assert_eq!(out.len(), to as usize, "{from} -> {to}");
            let err = error_against_ideal(&out, 1000.0, to);
            assert!(err < 1e-3, "{from} -> {to}: rms error {err}");
        }
    }

    #[test]
    fn frequencies_above_the_new_nyquist_are_removed() {
        // 10 kHz cannot exist at 16 kHz; it must not fold down to 6 kHz.
        let input = sine(10_000.0, 44100, 1.0);
        let out = Resampler::convert(&input, 44100, 16000);
        let rms = (out[1600..14400]
            .iter()
            .map(|v| f64::from(*v).powi(2))
            .sum::<f64>()
            / 12800.0)
            .sqrt();
        assert!(rms < 1e-3, "aliased energy {rms}");
    }

    #[test]
    fn streaming_in_pieces_equals_converting_at_once() {
        let input = sine(440.0, 44100, 0.5);
        let whole = Resampler::convert(&input, 44100, 16000);
        let mut resampler = Resampler::new(44100, 16000);
        let mut pieces = Vec::new();
        for chunk in input.chunks(777) {
            resampler.push(chunk, &mut pieces);
        }
        resampler.finish(&mut pieces);
        assert_eq!(whole, pieces);
    }

    #[test]
    fn odd_rates_use_computed_taps() {
        let input = sine(500.0, 44057, 0.5);
        let out = Resampler::convert(&input, 44057, 16000);
        assert_eq!(out.len(), 8000);
        assert!(error_against_ideal(&out, 500.0, 16000) < 1e-3);
    }

    #[test]
    fn same_rate_passes_through_and_empty_stays_empty() {
        let input = sine(440.0, 16000, 0.1);
        assert_eq!(Resampler::convert(&input, 16000, 16000), input);
        assert!(Resampler::convert(&[], 44100, 16000).is_empty());
    }
}
