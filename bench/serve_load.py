#!/usr/bin/env python3
"""Load benchmark of `vigil serve` with oha (cargo install oha): text scans at
fixed rates, open-loop (oha -q with --latency-correction, so a slow server is
not hidden by a slowed client), p50 / p99 latency and errors per rate, and
from the server's own /metrics the share of scans escalated to the
transformer and the latency of those scans, linear and cascade separately.

The request bodies are real test-split texts of the imported data sets (one
JSON item per line, sent in turn with oha -Z), so the cascade sees the mix of
clear and uncertain texts the models were evaluated on.

usage: bench/serve_load.py --vigil target/release/vigil --data DIR...
         [--rates 100,1000,3000] [--seconds 30] [--connections 64]
         [--no-cascade] [--out bench/results/serve_load.json]
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request


def bodies(folders, n, path):
    texts = []
    for folder in folders:
        with open(os.path.join(folder, "items.jsonl"), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                if r.get("split") == "test" and r.get("text"):
                    texts.append(r["text"])
    random.Random(7).shuffle(texts)
    texts = texts[:n]
    with open(path, "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": f"load-{i}", "text": t}) + "\n")
    return len(texts)


def metrics(url):
    with urllib.request.urlopen(url + "/metrics") as r:
        return r.read().decode()


def histogram(text, name, label):
    """Cumulative bucket counts {le: count} of one labelled histogram."""
    out = {}
    pattern = re.compile(
        rf'^{name}_bucket\{{{label},le="([^"]+)"\}} (\d+)$', re.MULTILINE
    )
    for le, count in pattern.findall(text):
        out[float("inf") if le == "+Inf" else float(le)] = int(count)
    return out


def diff(after, before):
    return {k: v - before.get(k, 0) for k, v in after.items()}


def quantile_bound(buckets, q):
    """The bucket upper bound under which at least q of the observations fall."""
    total = buckets.get(float("inf"), 0)
    if total == 0:
        return None
    for le in sorted(buckets):
        if buckets[le] >= q * total:
            return le
    return float("inf")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", default="target/release/vigil")
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--rates", default="100,1000,3000")
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--bodies", type=int, default=5000)
    ap.add_argument("--embedder", default=".vigil/models/all-minilm-l6-v2")
    ap.add_argument("--no-cascade", action="store_true")
    ap.add_argument("--band", help="LOW,HIGH; default: vigil serve's")
    ap.add_argument("--port", type=int, default=18080)
    ap.add_argument("--out", default="bench/results/serve_load.json")
    args = ap.parse_args()
    oha = shutil.which("oha") or os.path.expanduser("~/.cargo/bin/oha")

    home = tempfile.mkdtemp(prefix="vigil-load-")
    env = dict(os.environ, VIGIL_HOME=home)
    body_path = os.path.join(home, "bodies.jsonl")
    n_bodies = bodies(args.data, args.bodies, body_path)
    key = subprocess.run(
        [args.vigil, "keys", "create", "--scope", "scan", "--name", "load"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()
    serve = [args.vigil, "serve", "--listen", f"127.0.0.1:{args.port}", "--reload-ms", "0"]
    serve += ["--no-cascade"] if args.no_cascade else ["--embedder", args.embedder]
    if args.band:
        serve += ["--band", args.band]
    log = open(os.path.join(home, "serve.log"), "w")
    server = subprocess.Popen(serve, env=env, stderr=log)
    url = f"http://127.0.0.1:{args.port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/healthz")
            break
        except OSError:
            time.sleep(0.1)
    results = {
        "machine": "2 cores, 24 GiB (the development VM); oha and the server share it",
        "vigil": args.vigil, "bodies": n_bodies, "seconds": args.seconds,
        "connections": args.connections, "cascade": not args.no_cascade, "rates": [],
    }
    try:
        # Warm up: first transformer calls allocate.
        subprocess.run(
            [oha, "-n", "500", "-c", "8", "--no-tui", "--output-format", "quiet",
             "-m", "POST", "-H", f"Authorization: Bearer {key}",
             "-H", "Content-Type: application/json", "-Z", body_path, url + "/v1/scan"],
            check=True, capture_output=True,
        )
        for rate in [int(r) for r in args.rates.split(",")]:
            before = metrics(url)
            run = subprocess.run(
                [oha, "-z", f"{args.seconds}s", "-q", str(rate), "--latency-correction",
                 "-c", str(args.connections), "--no-tui", "--output-format", "json",
                 "-m", "POST", "-H", f"Authorization: Bearer {key}",
                 "-H", "Content-Type: application/json", "-Z", body_path, url + "/v1/scan"],
                check=True, capture_output=True, text=True,
            )
            after = metrics(url)
            r = json.loads(run.stdout)
            status = r.get("statusCodeDistribution", {})
            ok = status.get("200", 0)
            errors = dict(r.get("errorDistribution", {}))
            # Requests still in flight when the run's time is up are cut off
            # by oha itself: not server errors, reported apart.
            cut_off = errors.pop("aborted due to deadline", 0)
            total = sum(status.values()) + sum(errors.values())
            pct = r["latencyPercentiles"]
            scans = {}
            for path in ("linear", "cascade"):
                h = diff(histogram(after, "vigil_scan_duration_seconds", f'path="{path}"'),
                         histogram(before, "vigil_scan_duration_seconds", f'path="{path}"'))
                scans[path] = {
                    "count": h.get(float("inf"), 0),
                    "p50_le_ms": None if quantile_bound(h, 0.5) is None else quantile_bound(h, 0.5) * 1e3,
                    "p99_le_ms": None if quantile_bound(h, 0.99) is None else quantile_bound(h, 0.99) * 1e3,
                }
            n_scans = scans["linear"]["count"] + scans["cascade"]["count"]
            row = {
                "rate": rate,
                "requests": total,
                "ok": ok,
                "errors": total - ok,
                "error_kinds": {**{k: v for k, v in status.items() if k != "200"}, **errors},
                "cut_off_at_end": cut_off,
                "achieved_rps": r["summary"]["requestsPerSec"],
                "p50_ms": pct["p50"] * 1e3,
                "p99_ms": pct["p99"] * 1e3,
                "max_ms": r["summary"]["slowest"] * 1e3,
                "escalated_share": scans["cascade"]["count"] / n_scans if n_scans else 0.0,
                "server_scan_linear": scans["linear"],
                "server_scan_cascade": scans["cascade"],
            }
            results["rates"].append(row)
            print(json.dumps(row), flush=True)
    finally:
        server.terminate()
        server.wait()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    print("| rate (req/s) | achieved | p50 | p99 | max | errors | escalated | server p99, linear | server p99, cascade |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in results["rates"]:
        print(f"| {row['rate']:,} | {row['achieved_rps']:,.0f} | {row['p50_ms']:.2f} ms | {row['p99_ms']:.2f} ms "
              f"| {row['max_ms']:.1f} ms | {row['errors']} of {row['requests']:,} | {row['escalated_share']:.1%} "
              f"| ≤ {row['server_scan_linear']['p99_le_ms']} ms | ≤ {row['server_scan_cascade']['p99_le_ms']} ms |")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
