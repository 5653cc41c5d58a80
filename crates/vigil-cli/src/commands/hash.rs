//! `vigil hash`: PDQ hashes of image files.
//!
//! Output contract (stable; docs/pdq.md): one tab-separated line per hash,
//! `HASH<TAB>QUALITY<TAB>FILE` — 64 lower-case hex digits, the quality
//! (0–100), the file as given. With `--dihedral`, eight lines per file with
//! a fourth column naming the variant (`orig`, `rot90`, `rot180`, `rot270`,
//! `flipx`, `flipy`, `flipp`, `flipm`), in that order. A file that cannot be
//! hashed is reported on stderr, naming it and why; the others are still
//! hashed, and the exit status is 1.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use vigil_image::pdq::PdqHasher;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Output: one line per hash, tab-separated: 64 hex digits, quality (0-100), the file as given;
with --dihedral, eight lines per file and a fourth column naming the variant
(orig, rot90, rot180, rot270, flipx, flipy, flipp, flipm). Rotations are counter-clockwise.
A file that cannot be hashed is named on stderr with the reason; the others are still hashed
and the exit status is 1.")]
pub struct HashArgs {
    /// Image files (PNG, JPEG, GIF, WebP, BMP, TIFF). EXIF orientation is applied first.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print the 8 dihedral hashes (rotations and reflections) of each file.
    #[arg(long)]
    dihedral: bool,
    /// Report on stderr how long reading, decoding and hashing took
    /// (for bench/pdq_speed.py; excludes process start).
    #[arg(long, hide = true)]
    time: bool,
}

pub fn run(args: HashArgs) -> Result<ExitCode> {
    let mut hasher = PdqHasher::new();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
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
                Err(e) => failed += report(&e),
            }
        } else {
            match hasher.hash_path(path) {
                Ok(one) => writeln!(out, "{}\t{}\t{name}", one.hash, one.quality)?,
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
fn report(e: &vigil_image::PdqError) -> usize {
    eprintln!("error: {e}");
    1
}
