//! Text in images, read by Tesseract (the `tesseract` program, found on the
//! `PATH` or given; never a library linked in). Each line of text comes back
//! with its box, so a detector that flags the text can point at it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// One line of recognised text and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrLine {
    /// The words of the line, joined by spaces.
    pub text: String,
    /// The line's box in image pixels: left, top, width, height.
    pub region: (u32, u32, u32, u32),
    /// Mean word confidence, 0 to 100.
    pub confidence: f32,
}

/// The text of an image.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcrText {
    /// Lines in reading order.
    pub lines: Vec<OcrLine>,
}

impl OcrText {
    /// Every line, joined by newlines.
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The box around every line, if there is text.
    pub fn region(&self) -> Option<(u32, u32, u32, u32)> {
        let mut it = self.lines.iter().map(|l| l.region);
        let first = it.next()?;
        let (mut x0, mut y0, mut x1, mut y1) =
            (first.0, first.1, first.0 + first.2, first.1 + first.3);
        for (x, y, w, h) in it {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x + w);
            y1 = y1.max(y + h);
        }
        Some((x0, y0, x1 - x0, y1 - y0))
    }
}

/// Why OCR failed.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// The program is not installed.
    #[error(
        "tesseract is not installed (looked for `{0}`); install the Debian package tesseract-ocr"
    )]
    Missing(PathBuf),
    /// It ran and failed.
    #[error("tesseract failed: {0}")]
    Failed(String),
}

/// Words below this confidence are dropped as noise.
const MIN_WORD_CONFIDENCE: f32 = 40.0;

/// Tesseract, ready to read images.
#[derive(Debug, Clone)]
pub struct Ocr {
    program: PathBuf,
    timeout: Duration,
}

impl Ocr {
    /// Tesseract at `program` (a path, or a name looked up on the `PATH`),
    /// if it runs.
    pub fn find(program: impl AsRef<Path>) -> Result<Ocr, OcrError> {
        let program = program.as_ref().to_owned();
        let runs = Command::new(&program)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !runs {
            return Err(OcrError::Missing(program));
        }
        Ok(Ocr {
            program,
            timeout: Duration::from_secs(30),
        })
    }

    /// The version line tesseract prints, for `vigil doctor`.
    pub fn version(&self) -> Option<String> {
        let out = Command::new(&self.program).arg("--version").output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        text.lines().next().map(str::to_owned)
    }

    /// Reads the text of an encoded image (any format tesseract reads: PNG,
    /// JPEG, TIFF, BMP, GIF, WebP). The bytes go through stdin; nothing is
    /// written to disk.
    pub fn read(&self, image: &[u8]) -> Result<OcrText, OcrError> {
        let mut child = Command::new(&self.program)
            .args(["stdin", "stdout", "tsv"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| OcrError::Failed(format!("cannot start: {e}")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| OcrError::Failed("no stdin".to_owned()))?;
        let bytes = image.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        });
        let deadline = std::time::Instant::now() + self.timeout;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(OcrError::Failed(format!(
                        "no answer within {} s",
                        self.timeout.as_secs()
                    )));
                }
                Err(e) => return Err(OcrError::Failed(e.to_string())),
            }
        }
        let _ = writer.join();
        let out = child
            .wait_with_output()
            .map_err(|e| OcrError::Failed(e.to_string()))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(OcrError::Failed(
                err.lines().last().unwrap_or("exit status not 0").to_owned(),
            ));
        }
        Ok(parse_tsv(&String::from_utf8_lossy(&out.stdout)))
    }
}

/// Lines from tesseract's TSV: level 5 rows are words, grouped by
/// (block, paragraph, line).
fn parse_tsv(tsv: &str) -> OcrText {
    let mut lines: Vec<((u32, u32, u32), OcrLine, u32)> = Vec::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let num = |i: usize| f[i].trim().parse::<u32>().unwrap_or(0);
        let confidence: f32 = f[10].trim().parse().unwrap_or(-1.0);
        let word = f[11].trim();
        if word.is_empty() || confidence < MIN_WORD_CONFIDENCE {
            continue;
        }
        let key = (num(2), num(3), num(4));
        let (x, y, w, h) = (num(6), num(7), num(8), num(9));
        match lines.last_mut() {
            Some((k, line, n)) if *k == key => {
                line.text.push(' ');
                line.text.push_str(word);
                let (lx, ly, lw, lh) = line.region;
                let (x0, y0) = (lx.min(x), ly.min(y));
                let (x1, y1) = ((lx + lw).max(x + w), (ly + lh).max(y + h));
                line.region = (x0, y0, x1 - x0, y1 - y0);
                line.confidence = (line.confidence * *n as f32 + confidence) / (*n + 1) as f32;
                *n += 1;
            }
            _ => lines.push((
                key,
                OcrLine {
                    text: word.to_owned(),
                    region: (x, y, w, h),
                    confidence,
                },
                1,
            )),
        }
    }
    OcrText {
        lines: lines.into_iter().map(|(_, l, _)| l).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_group_into_lines_with_boxes() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
5\t1\t1\t1\t1\t1\t47\t39\t60\t31\t95.6\twill
5\t1\t1\t1\t1\t2\t125\t39\t71\t31\t96.5\tfind
5\t1\t1\t1\t1\t3\t213\t47\t69\t32\t12.0\tnoise
5\t1\t1\t1\t2\t1\t10\t100\t50\t30\t90.0\tsecond
";
        let text = parse_tsv(tsv);
        assert_eq!(text.lines.len(), 2);
        assert_eq!(text.lines[0].text, "will find");
        assert_eq!(text.lines[0].region, (47, 39, 149, 31));
        assert_eq!(text.text(), "will find\nsecond");
        assert_eq!(text.region(), Some((10, 39, 186, 91)));
    }

    #[test]
    fn a_missing_program_is_reported_by_name() {
        let err = Ocr::find("/nonexistent/tesseract").expect_err("missing");
        assert!(err.to_string().contains("tesseract-ocr"), "{err}");
    }
}
