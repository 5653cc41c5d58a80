#!/usr/bin/env python3
"""PDQ speed benchmark: images hashed per second on one core by `vigil hash`
and by the reference's Python bindings (PyPI `pdqhash`, Meta's C++), on the
same images in the same run.

Both sides read the file, decode it, apply its EXIF orientation and hash it;
decoding is included in both. Vigil hashes every image ROUNDS times in one
process and reports its own time from the first file read to the last line
written (hidden `--time` flag), so process start is excluded. The peer runs
Pillow (decode, `ImageOps.exif_transpose`, RGB) then `pdqhash.compute` in
one Python process. Both are pinned to one CPU with `taskset` where it
exists; neither decoder nor hasher starts threads of its own. Each figure
is the best of REPEATS runs (the machine is shared; the best run is the one
least disturbed).

usage: bench/pdq_speed.py --vigil target/release/vigil
         [--images ../shared/data/images/pdq] [--rounds 20] [--repeats 3]
         [--out bench/results/pdq_speed.json]
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time


def image_files(folder):
    """The images named in expected-pdq.tsv, found under the folder."""
    paths = {}
    for root, _, files in os.walk(folder):
        for name in files:
            paths[name] = os.path.join(root, name)
    with open(os.path.join(folder, "expected-pdq.tsv"), encoding="utf-8") as f:
        names = [line.rstrip("\n").split("\t")[2] for line in f if line.strip()]
    return [paths[n] for n in names]


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def pinned(cmd):
    return (["taskset", "-c", "0"] + cmd) if shutil.which("taskset") else cmd


def vigil_rate(vigil, files, rounds, dihedral):
    """Images/s as `vigil hash --time` reports it, and the whole process's wall time."""
    cmd = [vigil, "hash", "--time"] + (["--dihedral"] if dihedral else []) + files * rounds
    start = time.perf_counter()
    done = subprocess.run(pinned(cmd), check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    m = re.search(r"hashed (\d+) images in ([\d.]+) s", done.stderr)
    if not m:
        sys.exit(f"no timing line from vigil:\n{done.stderr}")
    n, seconds = int(m.group(1)), float(m.group(2))
    return n / seconds, n / wall


def best(repeats, measure):
    """The element-wise best of `repeats` measurements (tuples of rates)."""
    runs = [measure() for _ in range(repeats)]
    return tuple(max(r[i] for r in runs) for i in range(len(runs[0])))


def peer_rates(files, rounds, repeats):
    """Images/s of Pillow + pdqhash, decode included; and of pdqhash alone on decoded arrays."""
    if shutil.which("taskset"):
        os.sched_setaffinity(0, {0})
    import numpy as np
    import pdqhash
    from PIL import Image, ImageOps

    def decode(path):
        with Image.open(path) as im:
            return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))

    for path in files:  # warm up: page cache, imports, first calls
        pdqhash.compute(decode(path))

    def with_decode():
        start = time.perf_counter()
        for _ in range(rounds):
            for path in files:
                pdqhash.compute(decode(path))
        return (rounds * len(files) / (time.perf_counter() - start),)

    arrays = [decode(p) for p in files]

    def hash_only():
        start = time.perf_counter()
        for _ in range(rounds):
            for a in arrays:
                pdqhash.compute(a)
        return (rounds * len(files) / (time.perf_counter() - start),)

    return best(repeats, with_decode)[0], best(repeats, hash_only)[0], pdqhash


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--images", default=os.path.join(here, "../../shared/data/images/pdq"))
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(here, "results/pdq_speed.json"))
    args = ap.parse_args()

    files = image_files(args.images)
    pixels = 0
    from PIL import Image

    for path in files:
        with Image.open(path) as im:
            pixels += im.size[0] * im.size[1]
    mean_mpx = pixels / len(files) / 1e6

    subprocess.run(pinned([args.vigil, "hash"] + files), check=True, capture_output=True)  # warm the page cache
    vigil_in, vigil_wall = best(args.repeats, lambda: vigil_rate(args.vigil, files, args.rounds, False))
    dih_in, _ = best(args.repeats, lambda: vigil_rate(args.vigil, files, args.rounds, True))
    peer, peer_hash_only, pdqhash = peer_rates(files, args.rounds, args.repeats)

    rows = [
        ("vigil hash (read + decode + PDQ)", vigil_in, "in-process time, one core"),
        ("vigil hash, whole process", vigil_wall, "process start included"),
        ("vigil hash --dihedral (8 hashes)", dih_in, "in-process time, one core"),
        ("Pillow + pdqhash (read + decode + PDQ)", peer, "one core"),
        ("pdqhash alone on decoded arrays", peer_hash_only, "decode excluded: not comparable"),
    ]
    result = {
        "images": len(files),
        "rounds": args.rounds,
        "repeats_best_of": args.repeats,
        "command": f"bench/pdq_speed.py --vigil {args.vigil} --rounds {args.rounds} --repeats {args.repeats}",
        "mean_megapixels": round(mean_mpx, 3),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores",
        "load_average_at_end": os.getloadavg()[0],
        "pdqhash_version": getattr(pdqhash, "__version__", "unknown"),
        "rates_images_per_s": {name: round(rate, 1) for name, rate, _ in rows},
        "speedup_vs_peer": round(vigil_in / peer, 2),
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")

    print(
        f"{len(files)} images x {args.rounds} rounds, mean {mean_mpx:.2f} Mpx, decode included, "
        f"best of {args.repeats}; {result['machine']}\n"
    )
    print("| what | images/s | note |")
    print("| --- | ---: | --- |")
    for name, rate, note in rows:
        print(f"| {name} | {rate:,.1f} | {note} |")
    print(f"\nvigil / peer (both read + decode + hash): {vigil_in / peer:.2f}x")


if __name__ == "__main__":
    main()
