#!/usr/bin/env python3
"""Text quality benchmark: Vigil's text model versus the peer alt-profanity-check,
on the test split of every canonical data set given, and on adversarial copies.

Python only measures here: Vigil is run as its own binary (`vigil classify`),
the peer through its PyPI package, and both are scored with the same
scikit-learn metric code on the same items. Only known labels are counted.

usage: bench/text_quality.py --vigil target/release/vigil [--model DIR]
         [--head DIR [--band LOW,HIGH]]
         --data DIR... [--adversarial DIR...] [--json OUT.json]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from sklearn.metrics import average_precision_score, roc_auc_score

# The label each data set is about: where `unsafe` is known for both classes it
# is used; otherwise the data set's own category (its `unsafe` is only known
# for positives, so it cannot be ranked).
MAIN_LABEL = {
    "davidson": "unsafe",
    "ethos": "hate",
    "toxicchat": "unsafe",
    "sms-spam": "spam_scam",
    "xstest": "unsafe",
    "hatecheck": "hate",
    "toxigen": "unsafe",
}


def read_test_split(folder):
    items = []
    with open(os.path.join(folder, "items.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                if row.get("split") == "test":
                    items.append(row)
    return items


EXTRA_ARGS = []


def vigil_scores(vigil, model, items):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "items.jsonl")
        out = os.path.join(tmp, "scores.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for row in items:
                f.write(json.dumps({"id": row["id"], "text": row.get("text", "")}) + "\n")
        cmd = [vigil, "classify", "--input", src, "--out", out]
        if model:
            cmd += ["--model", model]
        cmd += EXTRA_ARGS
        subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
        with open(out, encoding="utf-8") as f:
            return [json.loads(line)["scores"] for line in f]


def metric(labels, scores):
    """AUPRC and ROC-AUC over known labels; None when a class is missing."""
    pairs = [(s, y) for s, y in zip(scores, labels) if y is not None and s is not None]
    ys = [y for _, y in pairs]
    if not pairs or all(ys) or not any(ys):
        return None
    ss = [s for s, _ in pairs]
    return {
        "n": len(pairs),
        "positives": sum(ys),
        "auprc": average_precision_score(ys, ss),
        "roc_auc": roc_auc_score(ys, ss),
    }


def evaluate(name, folder, vigil, model, peer):
    items = read_test_split(folder)
    texts = [row.get("text", "") for row in items]
    v = vigil_scores(vigil, model, items)
    p = list(peer(texts))
    categories = sorted({c for row in items for c in row.get("labels", {})})
    base = name.replace("-adversarial", "")
    main = MAIN_LABEL.get(base, "unsafe")
    result = {"dataset": name, "items": len(items), "main_label": main, "vigil": {}, "peer": {}}
    for c in categories:
        labels = [row.get("labels", {}).get(c) for row in items]
        m = metric(labels, [s.get(c) for s in v])
        if m:
            result["vigil"][c] = m
    labels = [row.get("labels", {}).get(main) for row in items]
    result["vigil_main_via_unsafe"] = metric(labels, [s.get("unsafe") for s in v])
    result["vigil_main"] = metric(labels, [s.get(main) for s in v])
    result["peer_main"] = metric(labels, p)
    return result


# The default policy's thresholds (policies/default.toml) used for the
# false-positive report: `unsafe` review, `hate` review and block.
THRESHOLDS = {"unsafe": {"review": 0.60}, "hate": {"review": 0.40, "block": 0.92}}


def false_positives(folder, vigil, model, peer):
    """Rates at which benign test items are flagged: XSTest's safe prompts
    (by type) and HateCheck's non-hateful cases (by functionality)."""
    name = os.path.basename(os.path.normpath(folder))
    spec = {"xstest": ("unsafe", "type"), "hatecheck": ("hate", "functionality")}.get(name)
    if not spec:
        return None
    category, group_field = spec
    items = [r for r in read_test_split(folder) if r.get("labels", {}).get(category) == 0]
    if not items:
        return None
    v = vigil_scores(vigil, model, items)
    p = list(peer([r.get("text", "") for r in items]))
    groups = {}
    for row, sv, sp in zip(items, v, p):
        g = row.get("meta", {}).get(group_field, "?")
        groups.setdefault(g, []).append((sv.get(category, 0.0), sp))
    report = {"dataset": name, "category": category, "n": len(items), "groups": {}}
    for g, pairs in sorted(groups.items()):
        report["groups"][g] = {
            "n": len(pairs),
            **{f"vigil_{a}": sum(s >= t for s, _ in pairs) / len(pairs) for a, t in THRESHOLDS[category].items()},
            "peer_at_0.5": sum(q >= 0.5 for _, q in pairs) / len(pairs),
        }
    allp = [x for pairs in groups.values() for x in pairs]
    report["all"] = {
        **{f"vigil_{a}": sum(s >= t for s, _ in allp) / len(allp) for a, t in THRESHOLDS[category].items()},
        "peer_at_0.5": sum(q >= 0.5 for _, q in allp) / len(allp),
    }
    return report


def fmt(m, key="auprc"):
    return "   -  " if not m else f"{m[key]:.4f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--model")
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--adversarial", nargs="*", default=[])
    ap.add_argument("--json")
    ap.add_argument("--head", help="a transformer head: score with the cascade")
    ap.add_argument("--band", help="override the head's uncertain band, LOW,HIGH")
    args = ap.parse_args()
    if args.head:
        EXTRA_ARGS.extend(["--head", args.head])
    if args.band:
        EXTRA_ARGS.extend(["--band", args.band])
    from profanity_check import predict_prob

    results = []
    for folder in args.data + args.adversarial:
        name = os.path.basename(os.path.normpath(folder))
        if folder in args.adversarial:
            name += "-adversarial"
        results.append(evaluate(name, folder, args.vigil, args.model, predict_prob))

    print(f"{'test split':<24} {'label':<10} {'n':>5} {'pos':>5}  {'Vigil unsafe':>12} {'Vigil cat':>10} {'peer':>8}  {'ratio':>6}")
    for r in results:
        m = r["vigil_main_via_unsafe"] or r["vigil_main"]
        peer = r["peer_main"]
        n = m["n"] if m else 0
        pos = m["positives"] if m else 0
        best = max(x["auprc"] for x in [r["vigil_main_via_unsafe"], r["vigil_main"]] if x) if m else None
        ratio = f"{best / peer['auprc']:.2f}" if best and peer else "  -"
        print(f"{r['dataset']:<24} {r['main_label']:<10} {n:>5} {pos:>5}  {fmt(r['vigil_main_via_unsafe']):>12} {fmt(r['vigil_main']):>10} {fmt(peer):>8}  {ratio:>6}")
    print()
    print("Vigil AUPRC / ROC-AUC per category (test split, known labels only):")
    for r in results:
        cells = ", ".join(f"{c} {m['auprc']:.3f}/{m['roc_auc']:.3f} (n={m['n']})" for c, m in r["vigil"].items())
        print(f"  {r['dataset']:<24} {cells}")
    fps = [r for r in (false_positives(d, args.vigil, args.model, predict_prob) for d in args.data) if r]
    for r in fps:
        print()
        print(f"False positives on benign {r['dataset']} test items ({r['category']}, n={r['n']}): "
              f"share flagged at the default policy's thresholds; peer at 0.5")
        keys = [k for k in r["all"]]
        print(f"  {'group':<28} {'n':>4} " + " ".join(f"{k:>14}" for k in keys))
        for g, row in r["groups"].items():
            print(f"  {g:<28} {row['n']:>4} " + " ".join(f"{row[k]:>14.1%}" for k in keys))
        print(f"  {'all':<28} {r['n']:>4} " + " ".join(f"{r['all'][k]:>14.1%}" for k in keys))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"splits": results, "false_positives": fps}, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
