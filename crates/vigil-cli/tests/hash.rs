//! `vigil hash` prints one tab-separated line per PDQ hash, with the
//! dihedral variants on request, and names every file it cannot hash.

mod util;

use std::path::PathBuf;

use util::{shared_data, Vigil};

fn pdq_images() -> Option<PathBuf> {
    let dir = shared_data()?.join("images/pdq");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent (shared data)", dir.display());
        None
    }
}

/// Split a line into its columns, checking the hash and quality columns.
fn columns(line: &str) -> Vec<&str> {
    let cols: Vec<&str> = line.split('\t').collect();
    assert!(cols.len() >= 3, "{line}");
    assert_eq!(cols[0].len(), 64, "{line}");
    assert!(
        cols[0]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{line}"
    );
    let quality: u8 = cols[1].parse().expect("a quality");
    assert!(quality <= 100, "{line}");
    cols
}

fn distance(a: &str, b: &str) -> u32 {
    let (a, b): (vigil_image::PdqHash, vigil_image::PdqHash) =
        (a.parse().expect("hex"), b.parse().expect("hex"));
    a.distance(&b)
}

#[test]
fn hashes_the_shared_images_close_to_the_reference() {
    let Some(dir) = pdq_images() else { return };
    let expected = std::fs::read_to_string(dir.join("expected-pdq.tsv")).expect("expected-pdq.tsv");
    let files = [
        "bridge-mods/aaa-orig.jpg",
        "bridge-mods/shrink-a-lot.jpg",
        "wee.jpg",
        "small.jpg",
    ];
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let run = Vigil::new()
        .run(
            ["hash".as_ref()]
                .into_iter()
                .chain(paths.iter().map(|p| p.as_os_str())),
        )
        .success();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), files.len(), "{}", run.stdout);
    for ((line, file), path) in lines.iter().zip(files).zip(&paths) {
        let cols = columns(line);
        assert_eq!(cols.len(), 3, "{line}");
        assert_eq!(cols[2], path.display().to_string(), "the file as given");
        let name = file.rsplit('/').next().unwrap_or(file);
        let reference = expected
            .lines()
            .find(|l| l.ends_with(&format!("\t{name}")))
            .expect("an expected row");
        let bits = distance(cols[0], reference.split('\t').next().unwrap_or_default());
        assert!(bits <= 8, "{file}: {bits} bits from the reference");
    }
}

#[test]
fn dihedral_prints_eight_named_lines_per_file() {
    let Some(dir) = pdq_images() else { return };
    let path = dir.join("wee.jpg");
    let run = Vigil::new()
        .run(["hash".as_ref(), "--dihedral".as_ref(), path.as_os_str()])
        .success();
    let lines: Vec<Vec<&str>> = run.stdout.lines().map(columns).collect();
    let names: Vec<&str> = lines.iter().map(|c| c[3]).collect();
    assert_eq!(
        names,
        ["orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm"]
    );
    let plain = Vigil::new()
        .run(["hash".as_ref(), path.as_os_str()])
        .success();
    assert_eq!(
        lines[0][..3].join("\t"),
        plain.stdout.trim_end(),
        "orig is the plain hash"
    );
    assert!(
        lines.iter().all(|c| c.len() == 4 && c[1] == lines[0][1]),
        "one quality"
    );
}

#[test]
fn a_bad_file_is_named_and_the_others_still_hashed() {
    let vigil = Vigil::new();
    let bad = vigil.home().join("notes.jpg");
    std::fs::write(&bad, "this is text, not a picture").expect("write");
    let missing = vigil.home().join("missing.png");
    let good = vigil.home().join("good.bmp");
    std::fs::write(&good, bmp(90, 70)).expect("write a BMP");
    let run = vigil.run([
        "hash".as_ref(),
        bad.as_os_str(),
        good.as_os_str(),
        missing.as_os_str(),
    ]);
    assert_eq!(run.status, 1, "stderr:\n{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert_eq!(columns(lines[0])[2], good.display().to_string());
    assert!(
        run.stderr
            .contains(&format!("{}: not an image", bad.display())),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("{}: cannot read the file", missing.display())),
        "{}",
        run.stderr
    );
}

/// A 24-bit BMP with a pattern in it, written by hand (bottom-up rows,
/// each padded to 4 bytes).
fn bmp(width: u32, height: u32) -> Vec<u8> {
    let row_bytes = (width * 3).div_ceil(4) * 4;
    let pixels = row_bytes * height;
    let mut out = Vec::new();
    out.extend_from_slice(b"BM");
    for v in [54 + pixels, 0, 54, 40] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&24u16.to_le_bytes());
    for v in [0u32, pixels, 2835, 2835, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for y in 0..height {
        let start = out.len();
        for x in 0..width {
            out.extend_from_slice(&[(x * 3) as u8, (y * 2) as u8, ((x ^ y) * 5) as u8]);
        }
        out.resize(start + row_bytes as usize, 0);
    }
    out
}

#[test]
fn help_states_the_output_contract() {
    let run = Vigil::new().run(["hash", "--help"]).success();
    for words in [
        "tab-separated",
        "64 hex digits",
        "--dihedral",
        "flipm",
        "exit status is 1",
    ] {
        assert!(
            run.stdout.contains(words),
            "{words} missing from:\n{}",
            run.stdout
        );
    }
}

/// ffmpeg is needed for videos; under CI (`CI=true`) it is installed, and
/// its absence fails the test rather than skipping it.
fn ffmpeg_present() -> bool {
    let runs = std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI=true but ffmpeg is not installed"
        );
        eprintln!("skipped: ffmpeg is not installed");
    }
    runs
}

#[test]
fn a_video_prints_vpdq_lines_that_agree_with_the_reference() {
    let Some(dir) = shared_data().map(|d| d.join("video")) else {
        eprintln!("skipped: shared data is absent");
        return;
    };
    if !dir.is_dir() || !ffmpeg_present() {
        return;
    }
    let name = "chair-22-sd-grey-bar";
    let video = dir.join(format!("{name}.mp4"));
    let run = Vigil::new()
        .run(["hash".as_ref(), video.as_os_str()])
        .success();
    let expected = std::fs::read_to_string(dir.join(format!("vpdq-expected/{name}.txt")))
        .expect("the expected file");
    let (ours, theirs): (Vec<&str>, Vec<&str>) =
        (run.stdout.lines().collect(), expected.lines().collect());
    assert_eq!(ours.len(), theirs.len(), "one line per frame");
    let mut close = 0;
    for (a, b) in ours.iter().zip(&theirs) {
        let (a, b): (Vec<&str>, Vec<&str>) = (a.split(',').collect(), b.split(',').collect());
        assert_eq!(
            a.len(),
            4,
            "FRAME,QUALITY,HASH,SECONDS and nothing else: {a:?}"
        );
        assert_eq!(
            (a[0], a[3]),
            (b[0], b[3]),
            "frame number and time as the reference"
        );
        close += usize::from(distance(a[2], b[2]) <= 10);
    }
    let percent = close as f64 * 100.0 / theirs.len() as f64;
    eprintln!("{name}: {percent:.1} % of frames within 10 bits of the reference");
    assert!(percent >= 95.0, "{percent:.1} %");
}
