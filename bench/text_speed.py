#!/usr/bin/env python3
"""Text speed benchmark: items per second per core of Vigil's text paths
(`vigil classify --threads 1` with RAYON_NUM_THREADS=1, scoring time as the
binary reports it) and of the peer alt-profanity-check (`predict_prob`,
limited to one thread), on the same texts in the same run.

usage: bench/text_speed.py --vigil target/release/vigil --data DIR...
         [--n 100000] [--max-chars N] [--head DIR [--n-transformer 2000]]
"""
import argparse
import json
import os
import re
import subprocess
import tempfile
import time


def texts_from(folders, n, max_chars):
    texts = []
    for folder in folders:
        with open(os.path.join(folder, "items.jsonl"), encoding="utf-8") as f:
            texts += [json.loads(line).get("text", "") for line in f if line.strip()]
    texts = [t for t in texts if len(t) <= max_chars]
    out = []
    while len(out) < n:
        out += texts[: n - len(out)]
    return out


def vigil_rate(vigil, texts, extra):
    """Items/s and texts consulting the transformer, as `vigil classify` reports them."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "items.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for i, t in enumerate(texts):
                f.write(json.dumps({"id": str(i), "text": t}) + "\n")
        cmd = [vigil, "classify", "--threads", "1", "--input", src, "--out", os.path.join(tmp, "o.jsonl")] + extra
        env = dict(os.environ, RAYON_NUM_THREADS="1")
        err = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stderr
    m = re.search(r"\(([\d.]+) items/s; (\d+) consulted", err)
    return float(m.group(1)), int(m.group(2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--model")
    ap.add_argument("--head", help="also time the transformer and the cascade")
    ap.add_argument("--n-transformer", type=int, default=2000)
    ap.add_argument("--max-chars", type=int, default=100_000, help="keep only texts this short")
    args = ap.parse_args()
    texts = texts_from(args.data, args.n, args.max_chars)
    mean_chars = sum(len(t) for t in texts) / len(texts)

    base = ["--model", args.model] if args.model else []
    linear_rate, _ = vigil_rate(args.vigil, texts, base)
    rows = [("vigil text-linear", linear_rate, "")]
    if args.head:
        few = texts[: args.n_transformer]
        rate, _ = vigil_rate(args.vigil, few, base + ["--head", args.head, "--band", "0,1"])
        rows.append(("vigil transformer (every text)", rate, f"{len(few)} texts"))
        rate, consulted = vigil_rate(args.vigil, texts, base + ["--head", args.head])
        rows.append(("vigil cascade (head's band)", rate, f"{consulted / len(texts):.1%} consulted"))

    from threadpoolctl import threadpool_limits
    from profanity_check import predict_prob

    predict_prob(texts[:1000])  # warm up
    with threadpool_limits(limits=1):
        start = time.perf_counter()
        predict_prob(texts)
        peer_rate = len(texts) / (time.perf_counter() - start)

    print(f"{len(texts)} texts, mean {mean_chars:.0f} characters, one core each (RAYON_NUM_THREADS=1)")
    for name, rate, note in rows:
        print(f"{name:<32} {rate:>10,.0f} items/s  {note}")
    print(f"{'alt-profanity-check':<32} {peer_rate:>10,.0f} items/s")
    print(f"{'ratio linear / peer':<32} {linear_rate / peer_rate:>10.2f}x")


if __name__ == "__main__":
    main()
