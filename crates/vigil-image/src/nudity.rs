//! The optional nudity detector: NudeNet's `320n` model (a YOLOv8-style
//! detector of 18 body-part classes, ONNX) run by tract on the CPU.
//!
//! The model is AGPL-3.0 and is never shipped with Vigil: `scripts/setup.sh
//! --with-nudenet` unpacks it from the PyPI wheel `nudenet==3.4.2` into the
//! model cache, and [`NudityDetector::load`] reads it from there or from a
//! path the user gives. Preparing the input (`preprocess`) and reading the
//! output (`postprocess`) follow the Python package step by step; the
//! detector says what is in the image and where, and nothing about policy:
//! the engine decides which classes matter.
//!
//! ```no_run
//! use vigil_image::nudity::NudityDetector;
//!
//! let detector = NudityDetector::load(".vigil/models/nudenet/320n.onnx".as_ref())?;
//! let image = image::open("photo.jpg").expect("an image");
//! for found in detector.detect(&image)? {
//!     println!("{} {:.2} at {:?}", found.class.name(), found.score, found.region);
//! }
//! # Ok::<(), vigil_image::nudity::NudityError>(())
//! ```

mod postprocess;
mod preprocess;
mod softmax;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::DynamicImage;
use sha2::{Digest, Sha256};
use tract_onnx::prelude::*;

pub use postprocess::{detections, Detection, RawOutput, MIN_SCORE, NMS_IOU, OUTPUT_ROWS};
pub use preprocess::{ModelInput, INPUT_SIDE};

/// Classes the model tells apart.
pub const CLASSES: usize = 18;

/// Anchors in the output of a 320×320 input: 40² + 20² + 10².
pub const ANCHORS: usize = 2100;

/// The name decisions give the model.
pub const MODEL_NAME: &str = "nudenet-320n";

/// Model files Vigil knows, by digest, and the NudeNet release each came in.
const KNOWN_MODELS: &[(&str, &str)] = &[(
    "sha256:c15d8273adad2d0a92f014cc69ab2d6c311a06777a55545f2c4eb46f51911f0f",
    "3.4.2",
)];

/// What the model finds, in the order of its outputs (NudeNet's labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)] // Each variant is its label, below.
pub enum NudityClass {
    FemaleGenitaliaCovered,
    FaceFemale,
    ButtocksExposed,
    FemaleBreastExposed,
    FemaleGenitaliaExposed,
    MaleBreastExposed,
    AnusExposed,
    FeetExposed,
    BellyCovered,
    FeetCovered,
    ArmpitsCovered,
    ArmpitsExposed,
    FaceMale,
    BellyExposed,
    MaleGenitaliaExposed,
    AnusCovered,
    FemaleBreastCovered,
    ButtocksCovered,
}

impl NudityClass {
    /// Every class, in output order.
    pub const ALL: [NudityClass; CLASSES] = [
        NudityClass::FemaleGenitaliaCovered,
        NudityClass::FaceFemale,
        NudityClass::ButtocksExposed,
        NudityClass::FemaleBreastExposed,
        NudityClass::FemaleGenitaliaExposed,
        NudityClass::MaleBreastExposed,
        NudityClass::AnusExposed,
        NudityClass::FeetExposed,
        NudityClass::BellyCovered,
        NudityClass::FeetCovered,
        NudityClass::ArmpitsCovered,
        NudityClass::ArmpitsExposed,
        NudityClass::FaceMale,
        NudityClass::BellyExposed,
        NudityClass::MaleGenitaliaExposed,
        NudityClass::AnusCovered,
        NudityClass::FemaleBreastCovered,
        NudityClass::ButtocksCovered,
    ];

    /// NudeNet's label, e.g. `FEMALE_BREAST_EXPOSED`.
    pub fn name(self) -> &'static str {
        match self {
            NudityClass::FemaleGenitaliaCovered => "FEMALE_GENITALIA_COVERED",
            NudityClass::FaceFemale => "FACE_FEMALE",
            NudityClass::ButtocksExposed => "BUTTOCKS_EXPOSED",
            NudityClass::FemaleBreastExposed => "FEMALE_BREAST_EXPOSED",
            NudityClass::FemaleGenitaliaExposed => "FEMALE_GENITALIA_EXPOSED",
            NudityClass::MaleBreastExposed => "MALE_BREAST_EXPOSED",
            NudityClass::AnusExposed => "ANUS_EXPOSED",
            NudityClass::FeetExposed => "FEET_EXPOSED",
            NudityClass::BellyCovered => "BELLY_COVERED",
            NudityClass::FeetCovered => "FEET_COVERED",
            NudityClass::ArmpitsCovered => "ARMPITS_COVERED",
            NudityClass::ArmpitsExposed => "ARMPITS_EXPOSED",
            NudityClass::FaceMale => "FACE_MALE",
            NudityClass::BellyExposed => "BELLY_EXPOSED",
            NudityClass::MaleGenitaliaExposed => "MALE_GENITALIA_EXPOSED",
            NudityClass::AnusCovered => "ANUS_COVERED",
            NudityClass::FemaleBreastCovered => "FEMALE_BREAST_COVERED",
            NudityClass::ButtocksCovered => "BUTTOCKS_COVERED",
        }
    }

    /// The class with NudeNet's label `name`.
    pub fn from_name(name: &str) -> Option<NudityClass> {
        NudityClass::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl std::fmt::Display for NudityClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why the model did not load or run.
#[derive(Debug, thiserror::Error)]
pub enum NudityError {
    /// The file could not be read.
    #[error("{}: cannot read the nudity model: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// tract could not parse or prepare the ONNX graph.
    #[error("{}: not a model tract can run: {message}", path.display())]
    Model {
        /// The file.
        path: PathBuf,
        /// tract's explanation.
        message: String,
    },
    /// The graph runs but is not NudeNet's 320n detector.
    #[error(
        "{}: the model's output is {found}, not [1, {OUTPUT_ROWS}, {ANCHORS}] (NudeNet 320n)",
        path.display()
    )]
    Shape {
        /// The file.
        path: PathBuf,
        /// The output shape it has.
        found: String,
    },
    /// Inference failed.
    #[error("the nudity model failed: {0}")]
    Inference(String),
}

/// NudeNet's model, optimised once, ready to run from any thread.
pub struct NudityDetector {
    model: TypedSimplePlan<TypedModel>,
    digest: String,
    path: PathBuf,
}

impl std::fmt::Debug for NudityDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NudityDetector")
            .field("path", &self.path)
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

impl NudityDetector {
    /// Reads the ONNX file, fixes its input to one 3×320×320 image,
    /// optimises it and checks that its output has NudeNet 320n's shape.
    pub fn load(path: &Path) -> Result<NudityDetector, NudityError> {
        let bytes = std::fs::read(path).map_err(|source| NudityError::Read {
            path: path.to_owned(),
            source,
        })?;
        let model_error = |e: TractError| NudityError::Model {
            path: path.to_owned(),
            message: format!("{e:#}"),
        };
        let model = tract_onnx::onnx()
            .model_for_read(&mut Cursor::new(&bytes))
            .and_then(fixed_input)
            .and_then(|m| m.into_optimized())
            .and_then(|mut m| {
                softmax::replace_softmax(&mut m)?;
                Ok(m)
            })
            .map_err(model_error)?;
        let output = model.output_fact(0).map_err(model_error)?;
        let shape: Option<Vec<usize>> = output.shape.as_concrete().map(<[usize]>::to_vec);
        if shape.as_deref() != Some(&[1, OUTPUT_ROWS, ANCHORS])
            || output.datum_type != f32::datum_type()
        {
            return Err(NudityError::Shape {
                path: path.to_owned(),
                found: format!("{:?} of {:?}", output.shape, output.datum_type),
            });
        }
        let model = model.into_runnable().map_err(model_error)?;
        Ok(NudityDetector {
            model,
            digest: format!("sha256:{}", hex::encode(Sha256::digest(&bytes))),
            path: path.to_owned(),
        })
    }

    /// The detections in `image` (decoded, EXIF orientation applied), best
    /// first: score above [`MIN_SCORE`], overlaps suppressed.
    pub fn detect(&self, image: &DynamicImage) -> Result<Vec<Detection>, NudityError> {
        let input = ModelInput::from_image(image);
        let raw = self.raw_output(&input)?;
        Ok(detections(&raw, &input))
    }

    /// The model's raw output for a prepared input.
    pub fn raw_output(&self, input: &ModelInput) -> Result<RawOutput, NudityError> {
        let tensor = Tensor::from_shape(&[1, 3, INPUT_SIDE, INPUT_SIDE], input.pixels())
            .map_err(|e| NudityError::Inference(format!("{e:#}")))?;
        let outputs = self
            .model
            .run(tvec!(tensor.into()))
            .map_err(|e| NudityError::Inference(format!("{e:#}")))?;
        let values = outputs
            .first()
            .ok_or_else(|| NudityError::Inference("the model gave no output".to_owned()))?
            .as_slice::<f32>()
            .map_err(|e| NudityError::Inference(format!("{e:#}")))?
            .to_vec();
        let found = values.len();
        RawOutput::new(values).ok_or_else(|| {
            NudityError::Inference(format!(
                "{found} output values, not {}",
                OUTPUT_ROWS * ANCHORS
            ))
        })
    }

    /// `sha256:` and the hex digest of the model file.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The NudeNet release the file came in, when its digest is one Vigil
    /// knows; `None` for another file that has the same shape.
    pub fn release(&self) -> Option<&'static str> {
        KNOWN_MODELS
            .iter()
            .find(|(digest, _)| *digest == self.digest)
            .map(|(_, release)| *release)
    }

    /// Where the model was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The graph with its input fixed to one 3×320×320 image. The file labels
/// its tensors with symbolic sizes (`batch`, `height`, `width`), which would
/// contradict a fixed input; they are cleared and tract infers every size
/// from the input.
fn fixed_input(mut model: InferenceModel) -> TractResult<InferenceModel> {
    for node in 0..model.nodes().len() {
        for slot in 0..model.node(node).outputs.len() {
            model.set_outlet_fact(OutletId::new(node, slot), InferenceFact::default())?;
        }
    }
    model.set_input_fact(0, f32::fact([1, 3, INPUT_SIDE, INPUT_SIDE]).into())?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detector_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<NudityDetector>();
    }

    #[test]
    fn labels_are_in_the_reference_order_and_round_trip() {
        let names: Vec<&str> = NudityClass::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names[0], "FEMALE_GENITALIA_COVERED");
        assert_eq!(names[6], "ANUS_EXPOSED");
        assert_eq!(names[17], "BUTTOCKS_COVERED");
        for class in NudityClass::ALL {
            assert_eq!(NudityClass::from_name(class.name()), Some(class));
        }
    }

    #[test]
    fn a_file_that_is_not_a_model_is_refused_with_its_path() {
        let path = std::env::temp_dir().join(format!("vigil-not-a-model-{}", std::process::id()));
        std::fs::write(&path, b"not onnx").expect("write");
        let err = NudityDetector::load(&path).expect_err("refused");
        std::fs::remove_file(&path).ok();
        assert!(matches!(err, NudityError::Model { .. }), "{err}");
        assert!(err.to_string().contains("vigil-not-a-model"));
        let missing = NudityDetector::load(Path::new("/nonexistent/320n.onnx"));
        assert!(matches!(missing, Err(NudityError::Read { .. })));
    }
}
