//! From the model's raw output to detections, as NudeNet 3.4.2 does it: the
//! best class of each anchor, boxes from the padded 320×320 square scaled
//! back to the image and clipped to it, and OpenCV's `NMSBoxes` over every
//! class at once (score above 0.25, overlap at most 0.45).

use super::{NudityClass, ANCHORS, CLASSES};
use crate::nudity::preprocess::{ModelInput, INPUT_SIDE};

/// Detections score above this (the reference's `NMSBoxes` threshold; its
/// earlier cut at 0.2 is looser and so changes nothing).
pub const MIN_SCORE: f32 = 0.25;

/// A detection overlapping a better one by more than this (intersection over
/// union) is dropped, whatever the two classes.
pub const NMS_IOU: f64 = 0.45;

/// Rows of the output: the box (centre x, centre y, width, height in input
/// pixels), then one score per class.
pub const OUTPUT_ROWS: usize = 4 + CLASSES;

/// One thing the model found.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// What it is.
    pub class: NudityClass,
    /// The model's confidence, 0 to 1.
    pub score: f32,
    /// Where, in the original image's pixels: left, top, width, height
    /// (truncated to whole pixels, as the reference does).
    pub region: (u32, u32, u32, u32),
}

/// The model's output for one image: 22 rows of 2,100 anchors (the 40×40,
/// 20×20 and 10×10 grids of strides 8, 16 and 32, in that order).
#[derive(Clone, PartialEq)]
pub struct RawOutput {
    values: Vec<f32>,
}

impl std::fmt::Debug for RawOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawOutput").finish_non_exhaustive()
    }
}

impl RawOutput {
    /// The output from its values, row after row; `None` unless there are
    /// 22 × 2,100 of them.
    pub fn new(values: Vec<f32>) -> Option<RawOutput> {
        (values.len() == OUTPUT_ROWS * ANCHORS).then_some(RawOutput { values })
    }

    /// Row `row` (0–3 the box, 4– the classes) of anchor `anchor`.
    pub fn value(&self, row: usize, anchor: usize) -> f32 {
        self.values[row * ANCHORS + anchor]
    }

    /// Every value, row after row.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// The best class of an anchor and its score (the first on a tie).
    pub fn best_class(&self, anchor: usize) -> (NudityClass, f32) {
        let mut best = (0, f32::NEG_INFINITY);
        for class in 0..CLASSES {
            let score = self.value(4 + class, anchor);
            if score > best.1 {
                best = (class, score);
            }
        }
        (NudityClass::ALL[best.0], best.1)
    }
}

/// A candidate before suppression: its box in image pixels, unrounded.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    class: NudityClass,
    score: f32,
    x: f32,
    y: f32,
    width: f32,
    height: f32,
}

/// The detections in `raw` for the image `input` was made from, best first.
pub fn detections(raw: &RawOutput, input: &ModelInput) -> Vec<Detection> {
    let candidates: Vec<Candidate> = (0..ANCHORS)
        .filter_map(|anchor| {
            let (class, score) = raw.best_class(anchor);
            (score > MIN_SCORE).then(|| candidate(raw, anchor, class, score, input))
        })
        .collect();
    suppress(&candidates)
        .into_iter()
        .map(|c| Detection {
            class: c.class,
            score: c.score,
            region: (c.x as u32, c.y as u32, c.width as u32, c.height as u32),
        })
        .collect()
}

/// The anchor's box mapped back to the image. The arithmetic is the
/// reference's, in `f32` as NumPy does it: the corner from the centre, one
/// scale for both axes (the square's side over 320; the padding is on the
/// right and at the bottom, so no offset), the corner clipped into the image
/// and the size clipped to what is left of it. A box that starts left of the
/// image keeps its width, as in the reference.
fn candidate(
    raw: &RawOutput,
    anchor: usize,
    class: NudityClass,
    score: f32,
    input: &ModelInput,
) -> Candidate {
    let scale = (f64::from(input.padded_side()) / INPUT_SIDE as f64) as f32;
    let (image_width, image_height) = (input.width() as f32, input.height() as f32);
    let (cx, cy, w, h) = (
        raw.value(0, anchor),
        raw.value(1, anchor),
        raw.value(2, anchor),
        raw.value(3, anchor),
    );
    let x = ((cx - w / 2.0) * scale).clamp(0.0, image_width);
    let y = ((cy - h / 2.0) * scale).clamp(0.0, image_height);
    Candidate {
        class,
        score,
        x,
        y,
        width: (w * scale).min(image_width - x),
        height: (h * scale).min(image_height - y),
    }
}

/// Greedy non-maximum suppression as OpenCV's `NMSBoxes` does it: by score,
/// best first (a stable sort, so ties keep anchor order); a box is kept when
/// it overlaps no kept box by more than [`NMS_IOU`].
fn suppress(candidates: &[Candidate]) -> Vec<Candidate> {
    let mut order: Vec<&Candidate> = candidates.iter().collect();
    order.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Candidate> = Vec::new();
    for c in order {
        if kept.iter().all(|k| overlap(c, k) <= NMS_IOU) {
            kept.push(*c);
        }
    }
    kept
}

/// Intersection over union of two boxes, in `f64` as OpenCV's `Rect2d`.
fn overlap(a: &Candidate, b: &Candidate) -> f64 {
    let (ax, ay, aw, ah) = (
        f64::from(a.x),
        f64::from(a.y),
        f64::from(a.width),
        f64::from(a.height),
    );
    let (bx, by, bw, bh) = (
        f64::from(b.x),
        f64::from(b.y),
        f64::from(b.width),
        f64::from(b.height),
    );
    let iw = (ax + aw).min(bx + bw) - ax.max(bx);
    let ih = (ay + ah).min(by + bh) - ay.max(by);
    let intersection = if iw <= 0.0 || ih <= 0.0 { 0.0 } else { iw * ih };
    let union = aw * ah + bw * bh - intersection;
    if union <= 0.0 {
        0.0
    } else {
        intersection / union
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output with every score 0 except the anchors given: (anchor,
    /// class index, score, centre x, centre y, width, height) in input
    /// pixels.
    fn raw_with(anchors: &[(usize, usize, f32, [f32; 4])]) -> RawOutput {
        let mut values = vec![0.0; OUTPUT_ROWS * ANCHORS];
        for &(anchor, class, score, b) in anchors {
            for (row, v) in b.iter().enumerate() {
                values[row * ANCHORS + anchor] = *v;
            }
            values[(4 + class) * ANCHORS + anchor] = score;
        }
        RawOutput::new(values).expect("the right length")
    }

    fn input(width: u32, height: u32) -> ModelInput {
        ModelInput::from_tensor(vec![0.0; 3 * INPUT_SIDE * INPUT_SIDE], width, height)
            .expect("the right length")
    }

    #[test]
    fn boxes_map_back_through_the_padding_to_image_pixels() {
        // 1600 × 1000: padded to 1600 square, scale 5; a box centred at
        // (100, 60) of 40 × 20 in the input is (400, 250, 200, 100).
        let raw = raw_with(&[(7, 2, 0.9, [100.0, 60.0, 40.0, 20.0])]);
        let found = detections(&raw, &input(1600, 1000));
        assert_eq!(
            found,
            vec![Detection {
                class: NudityClass::ButtocksExposed,
                score: 0.9,
                region: (400, 250, 200, 100),
            }]
        );
    }

    #[test]
    fn boxes_are_clipped_to_the_image_as_the_reference_clips_them() {
        // A tall image, 500 × 1000: scale 3.125. A box hanging off the left
        // edge keeps its width (the reference clips only the corner); one
        // reaching into the bottom padding is cut at the image's bottom.
        let raw = raw_with(&[
            (1, 3, 0.8, [10.0, 100.0, 40.0, 40.0]),
            (2, 3, 0.7, [100.0, 310.0, 20.0, 40.0]),
        ]);
        let found = detections(&raw, &input(500, 1000));
        assert_eq!(found[0].region, (0, 250, 125, 125));
        assert_eq!(found[1].region, (281, 906, 62, 93));
    }

    #[test]
    fn overlapping_boxes_keep_only_the_best_whatever_the_class() {
        let raw = raw_with(&[
            (10, 4, 0.6, [100.0, 100.0, 50.0, 50.0]),
            // IoU with the first: 45×50 / (2×2500 − 2250) ≈ 0.82.
            (11, 14, 0.9, [105.0, 100.0, 50.0, 50.0]),
            // Far away: kept.
            (12, 4, 0.5, [250.0, 250.0, 30.0, 30.0]),
            // Below the threshold: never a candidate.
            (13, 4, 0.25, [250.0, 100.0, 30.0, 30.0]),
        ]);
        let found = detections(&raw, &input(320, 320));
        let classes: Vec<_> = found.iter().map(|d| (d.class, d.score)).collect();
        assert_eq!(
            classes,
            vec![
                (NudityClass::MaleGenitaliaExposed, 0.9),
                (NudityClass::FemaleGenitaliaExposed, 0.5),
            ]
        );
    }

    #[test]
    fn an_overlap_up_to_the_limit_is_kept() {
        let a = Candidate {
            class: NudityClass::FaceFemale,
            score: 0.9,
            x: 0.0,
            y: 0.0,
            width: 100.0,
            height: 100.0,
        };
        // Shifted down by 38: IoU 62/138 ≈ 0.449, kept; by 37: 63/137 ≈
        // 0.460, dropped.
        let kept = Candidate {
            y: 38.0,
            score: 0.8,
            ..a
        };
        let dropped = Candidate { y: 37.0, ..kept };
        assert_eq!(suppress(&[a, kept]).len(), 2);
        assert_eq!(suppress(&[a, dropped]).len(), 1);
    }

    #[test]
    fn equal_scores_keep_anchor_order() {
        let raw = raw_with(&[
            (5, 1, 0.7, [50.0, 50.0, 20.0, 20.0]),
            (6, 12, 0.7, [52.0, 50.0, 20.0, 20.0]),
        ]);
        let found = detections(&raw, &input(320, 320));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].class, NudityClass::FaceFemale);
    }
}
