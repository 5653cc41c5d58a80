#!/usr/bin/env python3
"""Leave-one-dataset-out: for each shared data set, train Vigil's linear model
on all the others (plus Vigil's seed data), then score every row of the held-out
set (no row of it was trained on), side by side with alt-profanity-check.
This measures generalisation to a source the model has never seen.

usage: bench/text_lodo.py --vigil target/release/vigil --data DIR... --seed-data DIR... [--transformer]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from text_quality import EXTRA_ARGS, MAIN_LABEL, fmt, metric, vigil_scores  # noqa: E402


def all_rows(folder):
    with open(os.path.join(folder, "items.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--seed-data", nargs="*", default=[])
    ap.add_argument("--json")
    ap.add_argument("--transformer", action="store_true",
                    help="also train a MiniLM head per fold and score with the combined model")
    args = ap.parse_args()
    from profanity_check import predict_prob

    results = []
    print(f"{'held out':<12} {'label':<10} {'n':>6} {'pos':>6}  {'linear':>7} {'combined':>9} {'peer':>7}  {'ratio':>5}")
    for held in args.data:
        name = os.path.basename(os.path.normpath(held))
        others = [d for d in args.data if d != held] + args.seed_data
        with tempfile.TemporaryDirectory() as tmp:
            model = os.path.join(tmp, "model")
            subprocess.run([args.vigil, "train", "text-linear", "--data", *others, "--out", model],
                           check=True, stdout=subprocess.DEVNULL)
            rows = all_rows(held)
            v = vigil_scores(args.vigil, model, rows)
            vt = None
            if args.transformer:
                head = os.path.join(tmp, "head")
                subprocess.run([args.vigil, "train", "text-transformer", "--linear", model, "--data", *others,
                                "--out", head], check=True, stdout=subprocess.DEVNULL)
                EXTRA_ARGS[:] = ["--head", head, "--band", "0,1"]
                vt = vigil_scores(args.vigil, model, rows)
                EXTRA_ARGS[:] = []
        p = list(predict_prob([r.get("text", "") for r in rows]))
        main_label = MAIN_LABEL.get(name, "unsafe")
        labels = [r.get("labels", {}).get(main_label) for r in rows]
        # A held-out source's own category may not exist in the others: then
        # only `unsafe` (any harm) can stand for it.
        vm = metric(labels, [s.get("unsafe") for s in v])
        vtm = metric(labels, [s.get("unsafe") for s in vt]) if vt else None
        pm = metric(labels, p)
        results.append({"held_out": name, "label": main_label, "vigil_unsafe": vm,
                        "vigil_combined_unsafe": vtm, "peer": pm})
        ratio = f"{vm['auprc'] / pm['auprc']:.2f}" if vm and pm else "  -"
        n = vm["n"] if vm else 0
        pos = vm["positives"] if vm else 0
        print(f"{name:<12} {main_label:<10} {n:>6} {pos:>6}  {fmt(vm):>7} {fmt(vtm):>9} {fmt(pm):>7}  {ratio:>5}",
              flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
