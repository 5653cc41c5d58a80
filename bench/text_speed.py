#!/usr/bin/env python3
"""Text speed benchmark: items per second per core of Vigil's fast path
(`vigil classify --threads 1`, scoring time as the binary reports it) and of
the peer alt-profanity-check (`predict_prob`, limited to one thread), on the
same texts in the same run.

usage: bench/text_speed.py --vigil target/release/vigil --data DIR... [--n 100000]
"""
import argparse
import json
import os
import re
import subprocess
import tempfile
import time


def texts_from(folders, n):
    texts = []
    for folder in folders:
        with open(os.path.join(folder, "items.jsonl"), encoding="utf-8") as f:
            texts += [json.loads(line).get("text", "") for line in f if line.strip()]
    out = []
    while len(out) < n:
        out += texts[: n - len(out)]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--model")
    args = ap.parse_args()
    texts = texts_from(args.data, args.n)
    mean_chars = sum(len(t) for t in texts) / len(texts)

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "items.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for i, t in enumerate(texts):
                f.write(json.dumps({"id": str(i), "text": t}) + "\n")
        cmd = [args.vigil, "classify", "--threads", "1", "--input", src, "--out", os.path.join(tmp, "o.jsonl")]
        if args.model:
            cmd += ["--model", args.model]
        err = subprocess.run(cmd, check=True, capture_output=True, text=True).stderr
    vigil_rate = float(re.search(r"\(([\d.]+) items/s\)", err).group(1))

    from threadpoolctl import threadpool_limits
    from profanity_check import predict_prob

    predict_prob(texts[:1000])  # warm up
    with threadpool_limits(limits=1):
        start = time.perf_counter()
        predict_prob(texts)
        peer_rate = len(texts) / (time.perf_counter() - start)

    print(f"{len(texts)} texts, mean {mean_chars:.0f} characters, one core each")
    print(f"vigil text-linear   {vigil_rate:>10,.0f} items/s")
    print(f"alt-profanity-check {peer_rate:>10,.0f} items/s")
    print(f"ratio               {vigil_rate / peer_rate:>10.2f}x")


if __name__ == "__main__":
    main()
