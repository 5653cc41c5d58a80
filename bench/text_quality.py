#!/usr/bin/env python3
"""Text quality benchmark: Vigil's text model versus the peer alt-profanity-check,
on the test split of every canonical data set given, and on adversarial copies.

Python only measures here: Vigil is run as its own binary (`vigil classify`),
the peer through its PyPI package, and both are scored with the same
scikit-learn metric code on the same items. Only known labels are counted.

usage: bench/text_quality.py --vigil target/release/vigil [--model DIR]
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


def fmt(m, key="auprc"):
    return "   -  " if not m else f"{m[key]:.4f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--model")
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--adversarial", nargs="*", default=[])
    ap.add_argument("--json")
    args = ap.parse_args()
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
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
