//! `vigil hash`: PDQ hashes of image files, vPDQ hashes of videos.
//!
//! Output contract (stable; docs/pdq.md, docs/video.md): for an image, one
//! tab-separated line per hash, `HASH<TAB>QUALITY<TAB>FILE` — 64 lower-case
//! hex digits, the quality (0–100), the file as given. With `--dihedral`,
//! eight lines per file with a fourth column naming the variant (`orig`,
//! `rot90`, `rot180`, `rot270`, `flipx`, `flipy`, `flipp`, `flipm`), in that
//! order. For a video, one line per frame in the vPDQ text format of Meta's
//! reference, `FRAME,QUALITY,HASH,SECONDS` and nothing else, so that the
//! output diffs against the reference's (`--dihedral` does not apply).
//!
//! A file is a video when it is not an image Vigil decodes and ffprobe finds
//! a video stream in it: images are tried first (they are the common case
//! and need no other program), and the contents decide, never the file's
//! extension. A file that cannot be hashed is reported on stderr, naming it
//! and why; the others are still hashed, and the exit status is 1.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use vigil_image::pdq::PdqHasher;
use vigil_image::PdqError;
use vigil_video::{Ffmpeg, FfmpegError, Sampling};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Output for an image: one line per hash, tab-separated: 64 hex digits, quality (0-100), the file
as given; with --dihedral, eight lines per file and a fourth column naming the variant
(orig, rot90, rot180, rot270, flipx, flipy, flipp, flipm). Rotations are counter-clockwise.
Output for a video (a file that is not an image and holds a video stream, read by ffmpeg):
one line per frame in vPDQ's text format, FRAME,QUALITY,HASH,SECONDS, as Meta's reference
writes it. A file that cannot be hashed is named on stderr with the reason; the others are
still hashed and the exit status is 1.")]
pub struct HashArgs {
    /// Image files (PNG, JPEG, GIF, WebP, BMP, TIFF; EXIF orientation is applied first)
    /// or video files (any ffmpeg reads).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print the 8 dihedral hashes (rotations and reflections) of each image.
    #[arg(long)]
    dihedral: bool,
    /// The ffmpeg program (ffprobe beside it) or a folder holding both, for videos;
    /// by default both are looked up on the PATH.
    #[arg(long, value_name = "PATH")]
    ffmpeg: Option<PathBuf>,
    /// Report on stderr how long reading, decoding and hashing took
    /// (for bench/pdq_speed.py; excludes process start).
    #[arg(long, hide = true)]
    time: bool,
}

pub fn run(args: HashArgs) -> Result<ExitCode> {
    let mut hasher = PdqHasher::new();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut videos = Videos::new(args.ffmpeg.as_deref());
    let mut failed = 0usize;
    let start = Instant::now();
    for path in &args.files {
        let name = path.display();
        if args.dihedral {
            match hasher.dihedral_path(path) {
                Ok(all) => {
                    for (variant, hash) in all.hashes {
                        writeln!(out, "{hash}\t{}\t{name}\t{variant}", all.quality)?;
                    }
                }
                Err(e @ PdqError::NotAnImage { .. }) => {
                    failed += videos.hash(path, &e, &mut out)?;
                }
                Err(e) => failed += report(&e),
            }
        } else {
            match hasher.hash_path(path) {
                Ok(one) => writeln!(out, "{}\t{}\t{name}", one.hash, one.quality)?,
                Err(e @ PdqError::NotAnImage { .. }) => {
                    failed += videos.hash(path, &e, &mut out)?;
                }
                Err(e) => failed += report(&e),
            }
        }
    }
    out.flush()?;
    if args.time {
        let seconds = start.elapsed().as_secs_f64();
        let hashed = args.files.len() - failed;
        eprintln!(
            "hashed {hashed} images in {seconds:.3} s ({:.1} images/s; read, decode and hash, one thread)",
            hashed as f64 / seconds.max(1e-9)
        );
    }
    if failed > 0 {
        eprintln!(
            "error: {failed} of {} files could not be hashed",
            args.files.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Name the file and the problem on stderr; count one failure.
fn report(e: &impl std::fmt::Display) -> usize {
    eprintln!("error: {e}");
    1
}

/// Files that are not images, tried as videos; ffmpeg is looked for once,
/// at the first such file.
struct Videos<'a> {
    explicit: Option<&'a Path>,
    ffmpeg: Option<Result<Ffmpeg, FfmpegError>>,
}

impl<'a> Videos<'a> {
    fn new(explicit: Option<&'a Path>) -> Videos<'a> {
        Videos {
            explicit,
            ffmpeg: None,
        }
    }

    /// Print the vPDQ lines of `path`, or report why it is neither an image
    /// (`not_image`) nor a video; the number of failures (0 or 1).
    fn hash(&mut self, path: &Path, not_image: &PdqError, out: &mut impl Write) -> Result<usize> {
        let explicit = self.explicit;
        let ffmpeg = match self.ffmpeg.get_or_insert_with(|| Ffmpeg::locate(explicit)) {
            Ok(ffmpeg) => ffmpeg,
            Err(e) => {
                eprintln!("error: {not_image}; to read it as a video: {e}");
                return Ok(1);
            }
        };
        match vigil_video::hash_video(ffmpeg, path, Sampling::AllFrames) {
            Ok(frames) => {
                vigil_video::write_vpdq(out, &frames)?;
                Ok(0)
            }
            // Neither: the image decoder's word is the clearer one.
            Err(
                FfmpegError::Failed { .. }
                | FfmpegError::NoVideo { .. }
                | FfmpegError::BadStream { .. },
            ) => Ok(report(not_image)),
            Err(e) => Ok(report(&e)),
        }
    }
}
