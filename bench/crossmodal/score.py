#!/usr/bin/env python3
"""Score the cross-modal benchmark: per modality, AUPRC of Vigil's `unsafe`
score against the label, with a bootstrap interval, the paired difference to
plain text, failures, and the time per item.

Inputs: labels.jsonl from make.py and one decisions file per modality, the
output of `vigil scan --items` (one Decision JSON a line: `item_id`,
`categories: [{category, score, ...}]`, `latency_us`).

A labelled item without a decision (the scan failed, or the line is missing
or unreadable) is a failure: it is counted and reported, and in the headline
AUPRC it is scored 0 (not flagged), which is what a publish path that lets a
failed scan through would see. AUPRC over the decided items alone is given
beside it. A decision without an `unsafe` category is scored 0 and counted.

usage: bench/crossmodal/score.py --labels out/labels.jsonl
         [text=]out/decisions-text.jsonl [image=]out/decisions-image.jsonl ...
         [--timing out/timing.json] [--json out/scores.json]
         [--resamples 1000] [--seed 7]
A file named decisions-MODALITY.jsonl needs no `MODALITY=` prefix.
"""
import argparse
import json
import os
import re
import sys

import numpy as np
from sklearn.metrics import average_precision_score


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--labels", required=True)
    p.add_argument("decisions", nargs="+", help="[MODALITY=]decisions-MODALITY.jsonl")
    p.add_argument("--timing", help="JSON {modality: {wall_s, exit_code}} written by run.sh")
    p.add_argument("--json", help="write the figures here")
    p.add_argument("--resamples", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args()


def read_labels(path):
    labels = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                labels[row["id"]] = (int(row["unsafe"]), row.get("source", ""))
    return labels


def modality_and_path(arg):
    if "=" in arg:
        modality, path = arg.split("=", 1)
        return modality, path
    m = re.fullmatch(r"decisions-(\w+)\.jsonl", os.path.basename(arg))
    if not m:
        sys.exit(f"{arg}: name the modality (MODALITY=PATH) or call the file decisions-MODALITY.jsonl")
    return m.group(1), arg


def read_decisions(path, labels):
    """{item_id: (unsafe score or None, latency_us)} and counts of what could not be used."""
    decided, problems = {}, {"unreadable_lines": 0, "unknown_ids": 0, "duplicate_ids": 0, "no_unsafe_score": 0}
    if not os.path.exists(path):
        return decided, dict(problems, file_missing=True)
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                item_id = d["item_id"]
                categories = d["categories"]
            except (ValueError, KeyError, TypeError):
                problems["unreadable_lines"] += 1
                continue
            if item_id not in labels:
                problems["unknown_ids"] += 1
                continue
            if item_id in decided:
                problems["duplicate_ids"] += 1
                continue
            score = next((c.get("score") for c in categories if c.get("category") == "unsafe"), None)
            if score is None:
                problems["no_unsafe_score"] += 1
            decided[item_id] = (score, d.get("latency_us"))
    return decided, problems


def average_precision(y, s):
    return float(average_precision_score(y, s))


def bootstrap_indices(n, resamples, seed):
    """The same resamples for every modality, so differences are paired."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n, n) for _ in range(resamples)]


def interval(values):
    if not values:
        return [None, None]
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def bootstrap(y, s, resamples, reference=None):
    """95% percentile interval of AUPRC and, with a reference score vector, of the
    paired difference; resamples with one class only are left out and counted."""
    aps, diffs, skipped = [], [], 0
    for idx in resamples:
        yb = y[idx]
        if yb.min() == yb.max():
            skipped += 1
            continue
        ap = average_precision(yb, s[idx])
        aps.append(ap)
        if reference is not None:
            diffs.append(ap - average_precision(yb, reference[idx]))
    return interval(aps), (interval(diffs) if reference is not None else None), skipped


def latency_summary(latencies_us):
    if not latencies_us:
        return None
    ms = np.array(latencies_us, dtype=float) / 1000.0
    return {"mean_ms": float(ms.mean()), "median_ms": float(np.median(ms)),
            "p95_ms": float(np.percentile(ms, 95)), "max_ms": float(ms.max()), "n": int(ms.size)}


def score_modality(modality, path, labels, ids, resamples, text_scores, timing):
    decided, problems = read_decisions(path, labels)
    y = np.array([labels[i][0] for i in ids])
    s = np.array([(decided[i][0] or 0.0) if i in decided else 0.0 for i in ids], dtype=float)
    failed = [i for i in ids if i not in decided]
    result = {"modality": modality, "decisions": path, "n": len(ids), "positives": int(y.sum()),
              "decided": len(decided), "failed": len(failed), "failed_ids": failed[:20], **problems}
    result["auprc"] = average_precision(y, s)
    ci, diff_ci, skipped = bootstrap(y, s, resamples, reference=text_scores if modality != "text" else None)
    result["auprc_ci95"], result["bootstrap_skipped"] = ci, skipped
    if text_scores is not None and modality != "text":
        result["auprc_minus_text"] = result["auprc"] - average_precision(y, text_scores)
        result["auprc_minus_text_ci95"] = diff_ci
    mask = np.array([i in decided for i in ids])
    if mask.any() and 0 < y[mask].sum() < mask.sum():
        result["auprc_decided_only"] = average_precision(y[mask], s[mask])
    result["per_source"] = {}
    for source in sorted({labels[i][1] for i in ids}):
        m = np.array([labels[i][1] == source for i in ids])
        if 0 < y[m].sum() < m.sum():
            result["per_source"][source] = {"n": int(m.sum()), "positives": int(y[m].sum()),
                                            "auprc": average_precision(y[m], s[m])}
    result["latency"] = latency_summary([v[1] for v in decided.values() if v[1] is not None])
    if timing and modality in timing:
        result["wall_s"] = timing[modality].get("wall_s")
        result["exit_code"] = timing[modality].get("exit_code")
        if result["wall_s"] is not None:
            result["wall_ms_per_item"] = 1000.0 * result["wall_s"] / len(ids)
    return result, s


def fmt(x, digits=3):
    return "—" if x is None else f"{x:.{digits}f}"


def ms(x):
    """Three significant digits below 100 ms (text takes microseconds), whole ms above."""
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def markdown(results, base_rate):
    lines = [f"Base rate (AUPRC of a random score): {base_rate:.3f}", "",
             "| modality | n | pos | failed | AUPRC [95% CI] | − text [95% CI] | AUPRC decided only "
             "| latency mean / median / p95 (ms) | wall s (ms/item) |",
             "|---|---:|---:|---:|---|---|---:|---|---|"]
    for r in results:
        ci = r["auprc_ci95"]
        diff = "—"
        if "auprc_minus_text" in r:
            d = r["auprc_minus_text_ci95"]
            diff = f"{r['auprc_minus_text']:+.3f} [{fmt(d[0])}, {fmt(d[1])}]"
        lat = r["latency"]
        lat_s = "—" if lat is None else " / ".join(ms(lat[k]) for k in ("mean_ms", "median_ms", "p95_ms"))
        wall = "—" if r.get("wall_s") is None else f"{r['wall_s']:.1f} ({ms(r['wall_ms_per_item'])})"
        failed = str(r["failed"]) + (" (no file)" if r.get("file_missing") else "")
        lines.append(f"| {r['modality']} | {r['n']} | {r['positives']} | {failed} | "
                     f"{r['auprc']:.3f} [{fmt(ci[0])}, {fmt(ci[1])}] | {diff} | "
                     f"{fmt(r.get('auprc_decided_only'))} | {lat_s} | {wall} |")
    notes = []
    for r in results:
        odd = {k: r[k] for k in ("unreadable_lines", "unknown_ids", "duplicate_ids", "no_unsafe_score") if r.get(k)}
        if odd:
            notes.append(f"- {r['modality']}: {odd}")
        if r["failed"]:
            notes.append(f"- {r['modality']}: no decision for {r['failed']} items, e.g. {', '.join(r['failed_ids'][:5])}")
    return "\n".join(lines + ([""] + notes if notes else []))


def main():
    args = parse_args()
    labels = read_labels(args.labels)
    ids = list(labels)
    timing = None
    if args.timing and os.path.exists(args.timing):
        with open(args.timing, encoding="utf-8") as f:
            timing = json.load(f)
    resamples = bootstrap_indices(len(ids), args.resamples, args.seed)
    inputs = [modality_and_path(a) for a in args.decisions]
    # Text first, so the others can be paired with it.
    inputs.sort(key=lambda mp: mp[0] != "text")
    results, text_scores = [], None
    for modality, path in inputs:
        result, scores = score_modality(modality, path, labels, ids, resamples, text_scores, timing)
        if modality == "text":
            text_scores = scores
        results.append(result)
    y = np.array([labels[i][0] for i in ids])
    print(markdown(results, float(y.mean())))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"labels": args.labels, "n": len(ids), "positives": int(y.sum()),
                       "resamples": args.resamples, "seed": args.seed, "modalities": results}, f, indent=1)


if __name__ == "__main__":
    main()
