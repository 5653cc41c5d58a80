//! Images: PDQ hashes matched against the policy's hash banks, the text in
//! the image (OCR) scored by the text model, and NudeNet's nudity detector.

use ::image::DynamicImage;
use vigil_core::{Category, Evidence, HashMatch, Location, Modality, Score, Signal};
use vigil_image::nudity::{NudityClass, NudityDetector, MODEL_NAME as NUDITY_MODEL};
use vigil_image::ocr::Ocr;
use vigil_image::pdq::{decode_image, PdqHasher};
use vigil_policy::Policy;

use crate::banks::Banks;
use crate::findings::{entry_note, score_recognised_text, Findings, TextSource};
use crate::input::InputError;
use crate::text::TextScorer;

/// Hashes an image and matches it against the banks the policy names;
/// reads its text and scores it; looks for nudity. The image is decoded
/// once, for PDQ and the nudity detector both.
pub(crate) fn analyse(
    index: usize,
    bytes: &[u8],
    policy: &Policy,
    banks: &Banks,
    ocr: Result<&Ocr, &str>,
    nudity: Result<&NudityDetector, &str>,
    text: &TextScorer,
) -> Result<Findings, InputError> {
    let mut out = Findings::default();
    let image = decode_image(bytes, None).map_err(|e| InputError::CorruptImage {
        index,
        message: e.to_string(),
    })?;
    let pdq = PdqHasher::new().dihedral_image(&image);
    out.model("pdq");
    // Whether any detector looked at the image at all.
    let mut examined = false;
    if pdq.quality < policy.images.quality_floor {
        out.not_run(
            Modality::Image,
            index,
            "hash-match",
            format!(
                "PDQ quality {} is below the policy's floor of {}: not matched against hash banks",
                pdq.quality, policy.images.quality_floor
            ),
        );
    } else if policy.banks.is_empty() || banks.is_empty() {
        out.not_run(
            Modality::Image,
            index,
            "hash-match",
            if policy.banks.is_empty() {
                "the policy uses no hash banks".to_owned()
            } else {
                "the hash banks hold no enabled entry".to_owned()
            },
        );
    } else {
        let hashes = pdq.hashes.map(|(variant, hash)| (variant.name(), hash));
        match_banks(index, &hashes, None, policy, banks, &mut out);
        examined = true;
    }
    match ocr {
        Ok(ocr) => {
            out.model("tesseract");
            match ocr.read(bytes) {
                Ok(found) => {
                    examined = true;
                    if !found.lines.is_empty() {
                        let source = TextSource {
                            modality: Modality::Image,
                            detector: "ocr+text",
                            media_index: index,
                            location: found.region().map(|(x, y, width, height)| {
                                Location::Region {
                                    x,
                                    y,
                                    width,
                                    height,
                                }
                            }),
                            what: "text in the image",
                        };
                        score_recognised_text(text, &found.text(), &source, &mut out).map_err(
                            |e| InputError::CorruptImage {
                                index,
                                message: format!("the text model failed on its text: {e}"),
                            },
                        )?;
                    }
                }
                Err(e) => out.not_run(Modality::Image, index, "ocr", e.to_string()),
            }
        }
        Err(why) => out.not_run(Modality::Image, index, "ocr", why.to_owned()),
    }
    examined |= find_nudity(index, &image, None, nudity, &mut out);
    if !examined {
        out.unexamined(
            Modality::Image,
            index,
            "no detector examined the image (no hash match ran, its text was not read \
             and the nudity detector did not run)"
                .to_owned(),
        );
    }
    Ok(out)
}

/// Runs the nudity detector on a decoded picture: each detection of a
/// [`sexual_class`] becomes a `sexual` signal with the detection's score and
/// its box as evidence. `frame` is the video frame (index, seconds) the
/// picture is, for a video. Returns whether the detector ran.
pub(crate) fn find_nudity(
    index: usize,
    image: &DynamicImage,
    frame: Option<(u64, f64)>,
    detector: Result<&NudityDetector, &str>,
    out: &mut Findings,
) -> bool {
    let modality = if frame.is_some() {
        Modality::Video
    } else {
        Modality::Image
    };
    let detector = match detector {
        Ok(detector) => detector,
        Err(why) => {
            out.not_run(modality, index, "nudity", why.to_owned());
            return false;
        }
    };
    out.model(NUDITY_MODEL);
    let found = match detector.detect(image) {
        Ok(found) => found,
        Err(e) => {
            out.not_run(modality, index, "nudity", e.to_string());
            return false;
        }
    };
    for detection in found.into_iter().filter(|d| sexual_class(d.class)) {
        let (x, y, width, height) = detection.region;
        let mut evidence = Evidence::new(modality, NUDITY_MODEL).detail(format!(
            "{} with score {:.2}{}",
            detection.class,
            detection.score,
            if frame.is_some() {
                format!(" at x {x}, y {y}, {width}x{height}")
            } else {
                String::new()
            }
        ));
        evidence.media_index = Some(index);
        evidence.location = Some(match frame {
            Some((index, time_s)) => Location::Frame { index, time_s },
            None => Location::Region {
                x,
                y,
                width,
                height,
            },
        });
        out.signals.push(Signal {
            category: Category::Sexual,
            score: Score::saturating(f64::from(detection.score)),
            evidence,
        });
    }
    true
}

/// Whether a NudeNet class is evidence of sexual content: exposed genitalia
/// (female or male), an exposed female breast, exposed buttocks, an exposed
/// anus. Covered parts, faces, feet, armpits, bellies and male breasts make
/// no signal: they are everywhere in ordinary photos, and a swimsuit is not
/// nudity.
pub(crate) fn sexual_class(class: NudityClass) -> bool {
    matches!(
        class,
        NudityClass::FemaleGenitaliaExposed
            | NudityClass::MaleGenitaliaExposed
            | NudityClass::FemaleBreastExposed
            | NudityClass::ButtocksExposed
            | NudityClass::AnusExposed
    )
}

/// Matches hashes of one picture (an image's 8 dihedral variants, or one
/// video frame's hash, named `orig`) against the image banks the policy
/// uses. A positive match becomes a signal unless a negative bank matches
/// the same picture; every match is recorded. `frame` is the video frame
/// (index, seconds) the picture is, for a video.
pub(crate) fn match_banks(
    index: usize,
    hashes: &[(&'static str, vigil_image::PdqHash)],
    frame: Option<(u64, f64)>,
    policy: &Policy,
    banks: &Banks,
    out: &mut Findings,
) {
    if banks.is_empty() || policy.banks.is_empty() {
        return;
    }
    // One consistent view of the banks for every variant.
    let banks = banks.read();
    let widest = policy
        .banks
        .iter()
        .map(|b| b.distance(&policy.images))
        .max()
        .unwrap_or(policy.images.match_distance);
    // The closest match of each entry over the variants.
    let mut best: std::collections::BTreeMap<u32, (u32, &'static str)> = Default::default();
    let mut found = Vec::new();
    for &(variant, hash) in hashes {
        banks.index.query_into(&hash, widest, &mut found);
        for m in found.drain(..) {
            let e = best.entry(m.id.0).or_insert((m.distance, variant));
            if m.distance < e.0 {
                *e = (m.distance, variant);
            }
        }
    }
    let modality = if frame.is_some() {
        Modality::Video
    } else {
        Modality::Image
    };
    let mut positives = Vec::new();
    let mut suppressor: Option<String> = None;
    for (id, (distance, variant)) in best {
        let Some(info) = banks.entries.get(id as usize) else {
            continue;
        };
        let Some(used) = policy.banks.iter().find(|b| b.name == info.bank) else {
            continue; // A bank this policy does not use.
        };
        if distance > used.distance(&policy.images) {
            continue;
        }
        let record = HashMatch {
            media_index: index,
            bank: info.bank.clone(),
            negative: info.negative,
            entry: info.entry,
            label: info.label.clone(),
            source: info.source.clone(),
            distance,
            variant: variant.to_owned(),
            suppressed_by: None,
        };
        if info.negative || used.suppress {
            if used.suppress && suppressor.is_none() {
                suppressor = Some(format!("{}#{}", info.bank, info.entry));
            }
            out.matches.push(record);
        } else if let Some(category) = used.category {
            positives.push((record, category, used.score));
        }
    }
    for (mut record, category, score) in positives {
        if let Some(by) = &suppressor {
            record.suppressed_by = Some(by.clone());
        } else {
            let mut evidence =
                Evidence::new(modality, format!("bank:{}", record.bank)).detail(format!(
                    "PDQ distance {} ({}) to {}",
                    record.distance,
                    record.variant,
                    entry_note(record.entry, &record.label, &record.source)
                ));
            evidence.media_index = Some(index);
            evidence.location = frame.map(|(index, time_s)| Location::Frame { index, time_s });
            out.signals.push(Signal {
                category,
                score,
                evidence,
            });
        }
        out.matches.push(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exposed_sexual_parts_make_a_signal() {
        let sexual: Vec<&str> = NudityClass::ALL
            .into_iter()
            .filter(|c| sexual_class(*c))
            .map(NudityClass::name)
            .collect();
        assert_eq!(
            sexual,
            [
                "BUTTOCKS_EXPOSED",
                "FEMALE_BREAST_EXPOSED",
                "FEMALE_GENITALIA_EXPOSED",
                "ANUS_EXPOSED",
                "MALE_GENITALIA_EXPOSED",
            ]
        );
    }
}
