#!/usr/bin/env python3
"""Build the cross-modal benchmark corpus: the same test texts as text, as a
rendered image, as speech and as a video (the image shown while the speech
plays), each in Vigil's canonical Item JSON, with the `unsafe` label beside.

Python only prepares data here; Vigil never runs it. The outside tools are
the ones Vigil's setup installs: ImageMagick (`convert`), espeak-ng, sox and
ffmpeg (tesseract only for `--spot-check`).

The sample: from each canonical data set given, the records of `--split`
(test by default; validation for training the fusion stacker) whose
`labels.unsafe` is known and whose text is at most `--max-chars` characters;
only data sets with both classes left are used. Per data set and class the
records are ordered by SHA-256 of "SEED:ID" and the first `--per-class` are
taken (all of them when fewer exist). The order depends on the ids and the
seed alone, so the sample is the same on every machine.

Outputs under --out (default bench/crossmodal/out), each file written under a
temporary name and renamed, and skipped when it exists (so a rerun only does
what is missing):
  img/ID.png  audio/ID.wav  video/ID.mp4
  items-text.jsonl items-image.jsonl items-audio.jsonl items-video.jsonl
  labels.jsonl  sample.jsonl  settings.json

usage: bench/crossmodal/make.py [--data DIR...] [--out DIR] [--seed N]
         [--per-class N] [--max-chars N] [--voice V] [--rate WPM] [--jobs 2]
         [--spot-check N]
"""
import argparse
import concurrent.futures
import difflib
import glob
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODALITIES = ("text", "image", "audio", "video")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", nargs="+", default=sorted(glob.glob(os.path.join(ROOT, ".vigil/datasets/*"))),
                   help="canonical data set folders (default: .vigil/datasets/*)")
    p.add_argument("--out", default=os.path.join(HERE, "out"))
    p.add_argument("--seed", type=int, default=20261127)
    p.add_argument("--split", default="test",
                   help="which split to draw from: test for the benchmark, validation to train "
                        "the fusion stacker (`vigil train fusion` refuses test labels)")
    p.add_argument("--per-class", type=int, default=35, help="items per data set and class")
    p.add_argument("--max-chars", type=int, default=280, help="longest text kept (Unicode characters)")
    # Rendering.
    p.add_argument("--font", default="DejaVu-Sans")
    p.add_argument("--pointsize", type=int, default=28)
    p.add_argument("--width", type=int, default=800, help="text width in pixels (a 24 px border is added)")
    # Speech.
    p.add_argument("--voice", default="en-us+f2", help="espeak-ng voice")
    p.add_argument("--rate", type=int, default=140, help="espeak-ng words per minute")
    p.add_argument("--sample-rate", type=int, default=16000, help="Hz of audio/ID.wav (mono, 16-bit)")
    # Video.
    p.add_argument("--fps", type=int, default=2)
    p.add_argument("--jobs", type=int, default=2, help="items made at once")
    p.add_argument("--spot-check", type=int, default=0, metavar="N",
                   help="after making, OCR the first N images with tesseract and print how close the text is")
    return p.parse_args()


def settings_of(args):
    """What decides the bytes of the corpus; a rerun into the same folder must match."""
    return {
        "data": [os.path.basename(os.path.normpath(d)) for d in args.data],
        "split": args.split, "seed": args.seed, "per_class": args.per_class,
        "max_chars": args.max_chars, "font": args.font, "pointsize": args.pointsize, "width": args.width,
        "voice": args.voice, "rate": args.rate, "sample_rate": args.sample_rate, "fps": args.fps,
    }


def draw_sample(args):
    """[(record, source)] in a fixed order: data set by name, then class 1 before 0, then hash order."""
    sample = []
    for folder in sorted(args.data, key=lambda d: os.path.basename(os.path.normpath(d))):
        source = os.path.basename(os.path.normpath(folder))
        by_class = {0: [], 1: []}
        with open(os.path.join(folder, "items.jsonl"), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                row = json.loads(line)
                label = row.get("labels", {}).get("unsafe")
                text = (row.get("text") or "").strip()
                if row.get("split") != args.split or label not in (0, 1) or not text or len(text) > args.max_chars:
                    continue
                by_class[label].append(row)
        if not by_class[0] or not by_class[1]:
            print(f"{source}: skipped, {args.split} split has unsafe = 1: {len(by_class[1])}, "
                  f"unsafe = 0: {len(by_class[0])} (both classes needed)", file=sys.stderr)
            continue
        for label in (1, 0):
            ranked = sorted(by_class[label],
                            key=lambda r: hashlib.sha256(f"{args.seed}:{r['id']}".encode()).hexdigest())
            chosen = ranked[: args.per_class]
            print(f"{source}: unsafe = {label}: {len(chosen)} of {len(ranked)} eligible", file=sys.stderr)
            sample += [(r, source) for r in chosen]
    return sample


def file_stem(item_id):
    return re.sub(r"[^A-Za-z0-9._-]", "_", item_id)


def imagemagick_literal(text):
    """Text for `caption:` taken literally: ImageMagick expands `%` escapes and
    backslashes in the argument and reads a file for a leading `@` (which its
    security policy forbids), so each is escaped."""
    text = text.replace("\\", "\\\\").replace("%", "%%")
    return "\\" + text if text.startswith("@") else text


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({r.returncode}): {r.stderr.decode(errors='replace')[-400:]}")
    return r


def tmp_name(path):
    stem, ext = os.path.splitext(path)
    return f"{stem}.tmp{os.getpid()}{ext}"


def make_image(args, text, path):
    tmp = tmp_name(path)
    run(["convert", "-size", f"{args.width}x", "-background", "white", "-fill", "black",
         "-font", args.font, "-pointsize", str(args.pointsize), "caption:" + imagemagick_literal(text),
         "-bordercolor", "white", "-border", "24", "-strip", "-define", "png:exclude-chunks=date,time", tmp])
    os.replace(tmp, path)


def make_audio(args, text, path):
    native = tmp_name(path) + ".22k.wav"
    tmp = tmp_name(path)
    # The text goes on stdin, so nothing in it can be taken for an option.
    run(["espeak-ng", "-v", args.voice, "-s", str(args.rate), "-w", native, "--stdin"], input=text.encode())
    # -D: no dither, whose random noise would make every run's bytes differ.
    run(["sox", "-D", native, "-r", str(args.sample_rate), "-c", "1", "-b", "16", tmp])
    os.remove(native)
    os.replace(tmp, path)


def wav_seconds(path):
    with wave.open(path) as w:
        return w.getnframes() / w.getframerate()


def make_video(args, image, audio, path):
    tmp = tmp_name(path)
    # `-loop 1` with `-shortest` alone overshoots the audio by many seconds, so
    # the still is bounded to the speech rounded up to a frame; `-shortest` then
    # ends the file with the audio. bitexact flags and one encoder thread keep
    # the bytes the same on every run.
    still_s = math.ceil(wav_seconds(audio) * args.fps + 1) / args.fps
    run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
         "-loop", "1", "-framerate", str(args.fps), "-t", f"{still_s:.3f}", "-i", image, "-i", audio,
         "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage",
         "-pix_fmt", "yuv420p", "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-threads", "1",
         "-c:a", "aac", "-b:a", "64k", "-shortest", "-map_metadata", "-1",
         "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", tmp])
    os.replace(tmp, path)


def make_item(args, row):
    """Make the missing files of one item; returns which were made."""
    stem = file_stem(row["id"])
    image = os.path.join(args.out, "img", stem + ".png")
    audio = os.path.join(args.out, "audio", stem + ".wav")
    video = os.path.join(args.out, "video", stem + ".mp4")
    made = []
    if not os.path.exists(image):
        make_image(args, row["text"].strip(), image)
        made.append("image")
    if not os.path.exists(audio):
        make_audio(args, row["text"].strip(), audio)
        made.append("audio")
    if not os.path.exists(video):
        make_video(args, image, audio, video)
        made.append("video")
    return made


def write_jsonl(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def write_item_files(args, sample):
    rows = {m: [] for m in MODALITIES}
    labels, described = [], []
    for row, source in sample:
        stem = file_stem(row["id"])
        text = row["text"].strip()
        rows["text"].append({"id": row["id"], "text": text})
        rows["image"].append({"id": row["id"], "media": [{"kind": "image", "path": f"img/{stem}.png"}]})
        rows["audio"].append({"id": row["id"], "media": [{"kind": "audio", "path": f"audio/{stem}.wav"}]})
        rows["video"].append({"id": row["id"], "media": [{"kind": "video", "path": f"video/{stem}.mp4"}]})
        labels.append({"id": row["id"], "unsafe": row["labels"]["unsafe"], "source": source,
                       "split": args.split})
        described.append({"id": row["id"], "source": source, "unsafe": row["labels"]["unsafe"],
                          "chars": len(text), "text": text})
    for m in MODALITIES:
        write_jsonl(os.path.join(args.out, f"items-{m}.jsonl"), rows[m])
    write_jsonl(os.path.join(args.out, "labels.jsonl"), labels)
    write_jsonl(os.path.join(args.out, "sample.jsonl"), described)


def spot_check(args, sample, n):
    """OCR the first n images and print the similarity of what tesseract read to the text."""
    for row, _ in sample[:n]:
        image = os.path.join(args.out, "img", file_stem(row["id"]) + ".png")
        read = run(["tesseract", image, "-"]).stdout.decode(errors="replace")
        text = row["text"].strip()
        ratio = difflib.SequenceMatcher(None, " ".join(text.split()), " ".join(read.split())).ratio()
        print(f"{row['id']}: similarity {ratio:.3f}\n  text: {text[:100]!r}\n  ocr:  {' '.join(read.split())[:100]!r}")


def main():
    args = parse_args()
    for sub in ("img", "audio", "video"):
        os.makedirs(os.path.join(args.out, sub), exist_ok=True)
    settings = settings_of(args)
    settings_path = os.path.join(args.out, "settings.json")
    if os.path.exists(settings_path):
        with open(settings_path, encoding="utf-8") as f:
            old = json.load(f)
        if old != settings:
            sys.exit(f"{settings_path} was made with other settings:\n  {old}\nnow:\n  {settings}\n"
                     "use another --out or delete that folder")
    else:
        with open(settings_path, "w", encoding="utf-8") as f:
            json.dump(settings, f, indent=1)
    sample = draw_sample(args)
    stems = [file_stem(r["id"]) for r, _ in sample]
    if len(set(stems)) != len(stems):
        sys.exit("two item ids map to the same file name")
    print(f"sample: {len(sample)} items, {sum(r['labels']['unsafe'] for r, _ in sample)} unsafe", file=sys.stderr)
    write_item_files(args, sample)

    made = {"image": 0, "audio": 0, "video": 0}
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(make_item, args, r): r["id"] for r, _ in sample}
        for fut in concurrent.futures.as_completed(futures):
            try:
                for kind in fut.result():
                    made[kind] += 1
            except Exception as e:  # reported and counted; the item files still name it
                failed.append(futures[fut])
                print(f"{futures[fut]}: {e}", file=sys.stderr)
    print(f"made: {made} (the rest existed); failed: {len(failed)}", file=sys.stderr)
    if args.spot_check:
        spot_check(args, sample, args.spot_check)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
